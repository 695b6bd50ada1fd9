// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"errors"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/ffi"
)

// The callback tests open their libraries through cbLib (the call tests
// of this package have their own helpers).
var cbLibs sync.Map // file name -> *cbLibEntry

type cbLibEntry struct {
	once sync.Once
	lib  *ffi.Library
	err  error
}

// cbLib opens a system library once per test binary, or skips tb naming
// the library and the Debian package that installs it.
func cbLib(tb testing.TB, name, pkg string) *ffi.Library {
	tb.Helper()
	v, _ := cbLibs.LoadOrStore(name, &cbLibEntry{})
	e := v.(*cbLibEntry)
	e.once.Do(func() { e.lib, e.err = ffi.Open(name) })
	if e.err != nil {
		tb.Skipf("%s is not installed (Debian package %s): %v", name, pkg, e.err)
	}
	return e.lib
}

// cbBind binds name of lib to *fn with bind (one of the ffi.Bind*).
func cbBind[F any](tb testing.TB, lib *ffi.Library, fn *F, name string, bind func(*F, ffi.Symbol) error) {
	tb.Helper()
	require.NoError(tb, bind(fn, lib.Sym(name)))
}

// cbNeedLibffi skips tb when libffi, which callbacks without user data
// need, is not installed.
func cbNeedLibffi(tb testing.TB) {
	tb.Helper()
	cb, err := ffi.NewCallbackVoid0(func() {}, ffi.NoUserData())
	if errors.Is(err, hffi.ENOTFOUND) {
		tb.Skipf("libffi.so.8 is not installed (Debian package libffi8): %v", err)
	}
	require.NoError(tb, err)
	require.NoError(tb, cb.Close())
}

// cbNoLeaks checks at the end of the test that every callback it made
// was closed.
func cbNoLeaks(t *testing.T) {
	t.Helper()
	n := ffi.LiveCallbacks()
	t.Cleanup(func() { require.Equal(t, n, ffi.LiveCallbacks(), "callbacks left open:\n%s", ffi.CallbackLeakReport()) })
}

// cbMem returns an arena freed when the test ends: C memory for the
// tests' buffers and out-parameters.
func cbMem(t *testing.T) *arena.Arena {
	t.Helper()
	a, err := arena.New()
	require.NoError(t, err)
	t.Cleanup(func() { a.Free() })
	return a
}

// cbCString copies s, NUL-terminated, into a.
func cbCString(t *testing.T, a *arena.Arena, s string) unsafe.Pointer {
	t.Helper()
	p, err := a.Alloc(uintptr(len(s)+1), 1)
	require.NoError(t, err)
	copy(unsafe.Slice((*byte)(p), len(s)+1), s)
	return p
}

// cbPtr turns an address of C memory into a pointer.
func cbPtr(a uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&a)) }
