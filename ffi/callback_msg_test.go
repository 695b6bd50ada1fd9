// SPDX-License-Identifier: Apache-2.0

//go:build linux

package ffi_test

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/ffi"
)

// TestCallbackMessages: a C pointer where a handle was expected, and a Go
// pointer type in a callback signature, say what to do.
func TestCallbackMessages(t *testing.T) {
	cb, err := ffi.NewCallback0(func() int32 { return 1 })
	require.NoError(t, err)
	var f func(uintptr) int32
	require.NoError(t, ffi.Bind1(&f, ffi.SymbolAt("cb", cb.Fn())))
	var got []string
	old := ffi.SetCallbackErrorHook(func(e *ffi.CallbackError) { got = append(got, e.Error()) })
	defer ffi.SetCallbackErrorHook(old)
	buf := make([]byte, 8) // an address, as a C API passes its own pointer
	f(uintptr(unsafe.Pointer(&buf[0])))
	f(0x1379338)
	require.NoError(t, cb.Close())
	f(uintptr(cb.Handle()))
	require.Len(t, got, 3)
	for _, m := range got[:2] {
		require.Contains(t, m, "this user data is not an hffi callback handle")
		require.Contains(t, m, "does the C API pass the user data to this function?")
	}
	require.NotContains(t, got[2], "not an hffi callback handle")

	_, err = ffi.NewCallback1(func(p *int64) int32 { return 0 })
	require.ErrorIs(t, err, hffi.EINVAL)
	require.ErrorContains(t, err, "use unsafe.Pointer for C memory")
}

// TestCallbackRejectedAllocs: a refused call (after Close, or with a C
// pointer for user data) allocates nothing (on the cgo backend, and on the
// purego backend where hffi has its own entry points) when no hook is set; it used to allocate 6 times and format the table's reason.
func TestCallbackRejectedAllocs(t *testing.T) {
	if !ffi.OwnCallbackEntry || ffi.SlowDetector {
		t.Skip("purego's own callback path allocates; the detectors add allocations")
	}
	cb, err := ffi.NewCallback1(func(x int64) int64 { return x })
	require.NoError(t, err)
	var f func(uintptr, int64) int64
	require.NoError(t, ffi.Bind2(&f, ffi.SymbolAt("cb", cb.Fn())))
	ud := uintptr(cb.Handle())
	require.NoError(t, cb.Close())
	old := ffi.SetCallbackErrorHook(nil)
	defer ffi.SetCallbackErrorHook(old)
	buf := make([]byte, 8)
	p := uintptr(unsafe.Pointer(&buf[0]))
	require.Zero(t, testing.AllocsPerRun(100, func() { f(ud, 1) }))
	require.Zero(t, testing.AllocsPerRun(100, func() { f(p, 1) }))
}

// BenchmarkCallbackRejected compares a call refused (after Close) with a
// successful one.
func BenchmarkCallbackRejected(b *testing.B) {
	for _, tc := range []struct {
		name  string
		close bool
	}{{"ok", false}, {"closed", true}, {"cpointer", true}} {
		b.Run(tc.name, func(b *testing.B) {
			cb, err := ffi.NewCallback1(func(x int64) int64 { return x })
			require.NoError(b, err)
			var f func(uintptr, int64) int64
			require.NoError(b, ffi.Bind2(&f, ffi.SymbolAt("cb", cb.Fn())))
			ud := uintptr(cb.Handle())
			if tc.close {
				require.NoError(b, cb.Close())
			} else {
				defer cb.Close()
			}
			if tc.name == "cpointer" {
				ud = 0x7ffd12345678
			}
			b.ReportAllocs()
			for b.Loop() {
				f(ud, 1)
			}
		})
	}
}

// TestFailureValueRefusals: a failure value must fit the result.
func TestFailureValueRefusals(t *testing.T) {
	_, err := ffi.NewCallbackVoid0(func() {}, ffi.FailureValue(0))
	require.ErrorIs(t, err, hffi.EINVAL)
	require.ErrorContains(t, err, "returns void")
	_, err = ffi.NewCallback0(func() int32 { return 1 }, ffi.FailureValue("no"))
	require.ErrorIs(t, err, hffi.EINVAL)
	_, err = ffi.NewCallback0(func() error { return nil }, ffi.FailureValue(0))
	require.ErrorIs(t, err, hffi.EINVAL)
	cb, err := ffi.NewCallback0(func() float64 { return 1 }, ffi.FailureValue(-1.5))
	require.NoError(t, err)
	var f func(uintptr) float64
	require.NoError(t, ffi.Bind1(&f, ffi.SymbolAt("cb", cb.Fn())))
	require.NoError(t, cb.Close())
	require.Equal(t, -1.5, f(uintptr(cb.Handle())))
}
