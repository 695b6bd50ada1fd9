// SPDX-License-Identifier: Apache-2.0

package ffi_test

import (
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
