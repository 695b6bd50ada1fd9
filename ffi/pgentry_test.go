// SPDX-License-Identifier: Apache-2.0

package ffi_test

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
)

// TestPgEntryForged calls every entry point of the purego backend's table
// directly, handed out or not, with integers no callback was made with:
// each call returns (0, or a callback's failure value for a forged
// handle), none crashes or runs a Go function.
func TestPgEntryForged(t *testing.T) {
	if ffi.PgEntryAddr(0) == 0 {
		t.Skip("hffi's own entry points exist only on the purego backend on linux (amd64, arm64)")
	}
	ran := false
	cb, err := ffi.NewCallback1(func(x int64) int64 { ran = true; return x })
	require.NoError(t, err)
	defer cb.Close()
	// A callback without user data takes a stub, so the stubs' slot block
	// exists and the forged calls below reach slots never handed out.
	stub, err := ffi.NewCallback2(func(a, b unsafe.Pointer) int32 { ran = true; return 0 }, ffi.NoUserData())
	require.NoError(t, err)
	defer stub.Close()
	old := ffi.SetCallbackErrorHook(nil)
	defer ffi.SetCallbackErrorHook(old)
	var f func(a, b, c, d, e, g uintptr) uintptr
	for i := 1; i < 512; i++ {
		require.NoError(t, ffi.Bind6(&f, ffi.SymbolAt("entry", ffi.PgEntryAddr(i))))
		if ffi.PgEntryAddr(i) == stub.Fn() {
			continue
		}
		r := f(0x7ffd12345678, 0, 0, 0, 0, 0x7ffd12345678)
		if i > 418 {
			require.Zero(t, r, "entry point %d", i)
		}
	}
	require.False(t, ran, "a forged call ran a Go function")
}

// TestStubForged calls the stubs nobody was given (both backends) with
// forged integers: each returns 0 and runs nothing (a nil dereference
// before).
func TestStubForged(t *testing.T) {
	if len(ffi.UnusedStubAddrs()) == 0 {
		t.Skip("no stubs on this target, or all handed out")
	}
	stub, err := ffi.NewCallback2(func(a, b unsafe.Pointer) int32 { return 0 }, ffi.NoUserData())
	require.NoError(t, err)
	defer stub.Close()
	addrs := ffi.UnusedStubAddrs()
	if len(addrs) == 0 {
		t.Skip("no stubs on this target, or all handed out")
	}
	var f func(a, b uintptr) int32
	for _, a := range addrs {
		require.NoError(t, ffi.Bind2(&f, ffi.SymbolAt("stub", a)))
		require.Zero(t, f(0x7ffd12345678, 0x7ffd12345678))
	}
}

// TestNoPuregoCallbacks: where hffi has its own entry points, callbacks of
// every kind (trampolines of several shapes, a stub, a libffi closure,
// both notifies) take none of purego's 2000 function pointers, so they
// run without reflect.Call. A build-tag mistake that sent them back
// through purego.NewCallback would still pass every other test.
func TestNoPuregoCallbacks(t *testing.T) {
	if ffi.Backend() != "purego" || runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("hffi's own entry points exist only on the purego backend on linux (amd64, arm64)")
	}
	var cbs []*ffi.Callback
	add := func(c *ffi.Callback, err error) {
		require.NoError(t, err)
		cbs = append(cbs, c)
	}
	add(ffi.NewCallback1(func(x int64) int64 { return x }))
	add(ffi.NewCallback2(func(x int32, y float64) float64 { return float64(x) + y }, ffi.UserDataLast()))
	add(ffi.NewCallbackVoid0(func() {}))
	add(ffi.NewCallback2(func(a, b unsafe.Pointer) int32 { return 0 }, ffi.NoUserData()))
	for _, c := range cbs {
		var f func(uintptr, uintptr) uintptr
		require.NoError(t, ffi.Bind2(&f, ffi.SymbolAt("cb", c.Fn())))
	}
	var f1 func(uintptr, int64) int64
	require.NoError(t, ffi.Bind2(&f1, ffi.SymbolAt("cb", cbs[0].Fn())))
	require.Equal(t, int64(7), f1(uintptr(cbs[0].Handle()), 7))
	_, err := ffi.CloseNotify()
	require.NoError(t, err)
	_, err = ffi.ReleaseNotify()
	require.NoError(t, err)
	for _, c := range cbs {
		require.NoError(t, c.Close())
	}
	require.Zero(t, ffi.PuregoCallbacksMade(), "purego.NewCallback pointers made")
}
