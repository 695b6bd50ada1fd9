// SPDX-License-Identifier: Apache-2.0

//go:build linux

package ffi_test

import (
	"errors"
	"sort"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/ffi"
)

// needLibffi skips a test of closures on a system without libffi.
func needLibffi(t testing.TB) {
	t.Helper()
	cb, err := ffi.NewCallbackVoid0(func() {}, ffi.NoUserData())
	if errors.Is(err, ffi.ErrNotFound) {
		t.Skipf("libffi.so.8 is not installed: %v", err)
	}
	require.NoError(t, err)
	require.NoError(t, cb.Close())
}

func bindQsort(t testing.TB) func(base unsafe.Pointer, n, size, cmp uintptr) {
	lib, err := ffi.Open(libc)
	require.NoError(t, err)
	sym, err := lib.Sym("qsort")
	require.NoError(t, err)
	var qsort func(base unsafe.Pointer, n, size, cmp uintptr)
	require.NoError(t, ffi.BindVoid4(&qsort, sym))
	return qsort
}

func cmpInt64(a, b unsafe.Pointer) int32 {
	x, y := *(*int64)(a), *(*int64)(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// TestClosureQsort sorts with libc's qsort, which passes no user data to
// its comparator.
func TestClosureQsort(t *testing.T) {
	needLibffi(t)
	live := ffi.LiveCallbacks()
	qsort := bindQsort(t)
	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	const n = 10000
	mem, err := a.Alloc(8*n, 8)
	require.NoError(t, err)
	xs := unsafe.Slice((*int64)(mem), n)
	for i := range xs {
		xs[i] = int64((i * 7919) % n)
	}
	cmp, err := ffi.NewCallback2(cmpInt64, ffi.NoUserData())
	require.NoError(t, err)
	qsort(mem, n, 8, cmp.Fn())
	require.True(t, sort.SliceIsSorted(xs, func(i, j int) bool { return xs[i] < xs[j] }))
	require.NoError(t, cmp.Err())
	require.NoError(t, cmp.Close())
	require.Equal(t, live, ffi.LiveCallbacks())
}
