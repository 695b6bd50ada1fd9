// SPDX-License-Identifier: Apache-2.0

//go:build linux

package ffi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/handles"
)

// TestNotifyWrongShape plays GLib's g_timeout_add_full: the source
// function int (*)(void *data) and a Go destroy notify void (*)(void
// *data) get the same data. Before, both shared one trampoline and the
// notify ran the source function again; now the notify's function pointer
// refuses the source's handle with hffi.ETYPE and runs nothing.
func TestNotifyWrongShape(t *testing.T) {
	live := ffi.LiveCallbacks()
	fired, notified := 0, 0
	src, err := ffi.NewCallback0(func() int32 { fired++; return 1 }, ffi.FailureValue(0))
	require.NoError(t, err)
	notify, err := ffi.NewCallbackVoid0(func() { notified++ })
	require.NoError(t, err)
	require.NotEqual(t, src.Fn(), notify.Fn())

	var callSrc func(uintptr) int32
	require.NoError(t, ffi.Bind1(&callSrc, ffi.SymbolAt("source", src.Fn())))
	var callNotify func(uintptr)
	require.NoError(t, ffi.BindVoid1(&callNotify, ffi.SymbolAt("notify", notify.Fn())))

	var got *ffi.CallbackError
	old := ffi.SetCallbackErrorHook(func(e *ffi.CallbackError) { got = e })
	defer ffi.SetCallbackErrorHook(old)
	require.Equal(t, int32(1), callSrc(uintptr(src.Handle())))
	callNotify(uintptr(src.Handle())) // GLib's call: the source's data
	require.Equal(t, 1, fired)
	require.Equal(t, 0, notified)
	require.NotNil(t, got)
	require.ErrorIs(t, got, hffi.ETYPE)
	callNotify(uintptr(notify.Handle()))
	require.Equal(t, 1, notified)

	require.NoError(t, src.Close())
	require.Equal(t, int32(0), callSrc(uintptr(src.Handle())), "a closed source gets its FailureValue (FALSE)")
	require.NoError(t, notify.Close())
	require.Equal(t, live, ffi.LiveCallbacks())
}

// TestCloseNotify: the ready notify closes the callback it is given, once.
func TestCloseNotify(t *testing.T) {
	live := ffi.LiveCallbacks()
	cb, err := ffi.NewCallback0(func() int32 { return 1 })
	require.NoError(t, err)
	fn, err := ffi.CloseNotify()
	require.NoError(t, err)
	var notify func(uintptr)
	require.NoError(t, ffi.BindVoid1(&notify, ffi.SymbolAt("notify", fn)))
	notify(uintptr(cb.Handle()))
	require.Equal(t, live, ffi.LiveCallbacks())
	fails := ffi.CallbackFailures()
	notify(uintptr(cb.Handle())) // a second notify is refused, and counted
	require.Equal(t, fails+1, ffi.CallbackFailures())
	require.NoError(t, cb.Close())
}

// TestReleaseNotify: a handle handed over to C is gone once the ready
// notify ran, and not before.
func TestReleaseNotify(t *testing.T) {
	h := handles.NewHandle("state")
	require.NoError(t, ffi.HandOver(h))
	v, err := handles.Default().Value(h)
	require.NoError(t, err)
	require.Equal(t, "state", v)
	fn, err := ffi.ReleaseNotify()
	require.NoError(t, err)
	var notify func(uintptr)
	require.NoError(t, ffi.BindVoid1(&notify, ffi.SymbolAt("notify", fn)))
	notify(uintptr(h))
	_, err = handles.Default().Value(h)
	require.Error(t, err)
}
