// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/cbuild"
)

// The test C library is compiled once per test binary, by the first test
// that needs it, and stays loaded: its file may be removed with that
// test's temporary directory, the mapping stays.
var ft struct {
	once sync.Once
	lib  *Library
	path string
	err  error
}

func ftLib(tb testing.TB) *Library {
	tb.Helper()
	ft.once.Do(func() {
		ft.err = errors.New("the test library was not built (no C compiler?)")
		// The C implementation of hffi.h (every csrc/*.c) and the fixture.
		srcs, err := filepath.Glob(filepath.Join(cbuild.CSrcDir(), "*.c"))
		if err != nil {
			ft.err = err
			return
		}
		srcs = append(srcs, "ffi/testdata/ffitest.c")
		ft.path = cbuild.SharedLib(tb, "libffitest.so", srcs)
		ft.lib, ft.err = Open(ft.path)
	})
	if ft.lib == nil {
		if cbuild.CC() == nil {
			tb.Skip("no C compiler found (go env CC): skipping a test that needs the C test library")
		}
		tb.Fatalf("test library: %v", ft.err)
	}
	return ft.lib
}

func ftSym(tb testing.TB, name string) Symbol {
	tb.Helper()
	s, err := ftLib(tb).Sym(name)
	require.NoError(tb, err)
	return s
}

// ftBind binds the test library's function name to *fn with bind (one of
// the Bind* functions).
func ftBind[F any](tb testing.TB, fn *F, name string, bind func(*F, Symbol) error) {
	tb.Helper()
	require.NoError(tb, bind(fn, ftSym(tb, name)))
}

func TestBackend(t *testing.T) {
	assert.Equal(t, wantBackend, Backend())
}

func TestLibraryOpenErrors(t *testing.T) {
	_, err := Open("/nonexistent/libnope.so")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ffi: open /nonexistent/libnope.so: ")
	assert.ErrorIs(t, err, hffi.ENOTFOUND)

	_, err = Open("")
	assert.ErrorIs(t, err, hffi.EINVAL)

	lib := ftLib(t)
	_, err = lib.Sym("ft_no_such_symbol")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ffi: "+lib.Name()+": symbol ft_no_such_symbol: ")
	assert.ErrorIs(t, err, hffi.ENOTFOUND)
}

func TestLibraryClose(t *testing.T) {
	ftLib(t)
	// A second handle on the same file: closing it leaves the shared
	// mapping of the first in place.
	lib, err := Open(ft.path)
	require.NoError(t, err)
	sym, err := lib.Sym("ft_answer")
	require.NoError(t, err)
	var answer func() int64
	require.NoError(t, Bind0(&answer, sym))
	assert.Equal(t, int64(42), answer())

	require.NoError(t, lib.Close())
	require.NoError(t, lib.Close(), "Close is idempotent")
	_, err = lib.Sym("ft_answer")
	assert.ErrorIs(t, err, hffi.ECLOSED)
	assert.PanicsWithValue(t, "ffi: call to "+ft.path+":ft_answer after its library was closed", func() { answer() })
}

func TestLibraryDataSymbol(t *testing.T) {
	s := ftSym(t, "ft_counter")
	p := (*int64)(s.Pointer())
	assert.Equal(t, int64(7), *p)
	*p = 8
	defer func() { *p = 7 }()
	var load func(uintptr) int64
	ftBind(t, &load, "ft_load", Bind1)
	assert.Equal(t, int64(8), load(s.Addr()))
	assert.Equal(t, "ft_counter", s.Name())
	assert.Equal(t, ft.path+":ft_counter", s.String())
}

func TestSymbolAt(t *testing.T) {
	real := ftSym(t, "ft_add")
	s := SymbolAt("add", real.Addr())
	var add func(int64, int64) int64
	require.NoError(t, Bind2(&add, s))
	assert.Equal(t, int64(5), add(2, 3))
	assert.Equal(t, "add", s.String())

	err := Bind2(&add, Symbol{})
	assert.ErrorIs(t, err, hffi.EINVAL)
	assert.Contains(t, err.Error(), "nil symbol")
}
