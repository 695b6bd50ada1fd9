// SPDX-License-Identifier: Apache-2.0

package ffi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
)

// TestPgEntryForged calls every entry point of the purego backend's table
// directly, handed out or not, with integers no callback was made with:
// each call returns (0, or a callback's failure value for a forged
// handle), none crashes or runs a Go function.
func TestPgEntryForged(t *testing.T) {
	if ffi.PgEntryAddr(0) == 0 {
		t.Skip("hffi's own entry points exist only on the purego backend on linux/amd64")
	}
	ran := false
	cb, err := ffi.NewCallback1(func(x int64) int64 { ran = true; return x })
	require.NoError(t, err)
	defer cb.Close()
	old := ffi.SetCallbackErrorHook(nil)
	defer ffi.SetCallbackErrorHook(old)
	var f func(a, b, c, d, e, g uintptr) uintptr
	for i := 1; i < 512; i++ {
		require.NoError(t, ffi.Bind6(&f, ffi.SymbolAt("entry", ffi.PgEntryAddr(i))))
		r := f(0x7ffd12345678, 0, 0, 0, 0, 0x7ffd12345678)
		if i > 417 {
			require.Zero(t, r, "entry point %d", i)
		}
	}
	require.False(t, ran, "a forged call ran a Go function")
}
