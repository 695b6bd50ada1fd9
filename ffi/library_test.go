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
	s := ftLib(tb).Sym(name)
	require.NoError(tb, s.Err())
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
	s := lib.Sym("ft_no_such_symbol")
	err = s.Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ffi: symbol "+lib.Name()+":ft_no_such_symbol: ")
	assert.ErrorIs(t, err, hffi.ENOTFOUND)
	assert.Zero(t, s.Addr())

	// One check per symbol: binding a failed lookup reports the lookup.
	var f func() int64
	err = Bind0(&f, s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ffi: bind "+lib.Name()+":ft_no_such_symbol: ")
	assert.Contains(t, err.Error(), "ft_no_such_symbol", "the loader's message")
	assert.ErrorIs(t, err, hffi.ENOTFOUND)
	assert.Nil(t, f, "nothing bound")
}

func TestLibraryClose(t *testing.T) {
	ftLib(t)
	// A second handle on the same file: closing it leaves the shared
	// mapping of the first in place.
	lib, err := Open(ft.path)
	require.NoError(t, err)
	var answer func() int64
	require.NoError(t, Bind0(&answer, lib.Sym("ft_answer")))
	assert.Equal(t, int64(42), answer())

	require.NoError(t, lib.Close())
	require.NoError(t, lib.Close(), "Close is idempotent")
	assert.ErrorIs(t, lib.Sym("ft_answer").Err(), hffi.ECLOSED)
	var again func() int64
	err = Bind0(&again, lib.Sym("ft_answer"))
	assert.ErrorIs(t, err, hffi.ECLOSED)
	assert.Contains(t, err.Error(), "ffi: bind "+ft.path+":ft_answer: library closed")
	assert.PanicsWithError(t, "ffi: call to "+ft.path+":ft_answer after its library was closed", func() { answer() })
}

func TestLibraryDataSymbol(t *testing.T) {
	s := ftSym(t, "ft_counter")
	p := (*int64)(ptrFromAddr(s.Addr()))
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
