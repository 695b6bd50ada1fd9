// SPDX-License-Identifier: Apache-2.0

//go:build linux

package ffi_test

import (
	"errors"
	"sort"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/ffi"
)

// needLibffi skips a test of closures on a system without libffi.
func needLibffi(t testing.TB) {
	t.Helper()
	cb, err := ffi.NewCallbackVoid0(func() {}, ffi.NoUserData())
	if errors.Is(err, hffi.ENOTFOUND) {
		t.Skipf("libffi.so.8 is not installed: %v", err)
	}
	require.NoError(t, err)
	require.NoError(t, cb.Close())
}

func bindQsort(t testing.TB) func(base unsafe.Pointer, n, size, cmp uintptr) {
	lib, err := ffi.Open(libc)
	require.NoError(t, err)
	sym := lib.Sym("qsort")
	require.NoError(t, sym.Err())
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

// TestClosureMany makes 100,000 callbacks without user data alive at once,
// each with its own function pointer, then makes and closes 1,000,000 in
// all: closures are reused, so their number stays bounded (a fifth and
// a tenth of that under the race detector and ASan).
func TestClosureMany(t *testing.T) {
	needLibffi(t)
	live := ffi.LiveCallbacks()
	before := ffi.LiveClosures()
	alive, total := 100_000, 1_000_000
	if ffi.SlowDetector {
		alive, total = 20_000, 100_000
	}
	cbs := make([]*ffi.Callback, 0, alive)
	fns := make(map[uintptr]bool, alive)
	for i := range alive {
		cb, err := ffi.NewCallback1(func(x int64) int64 { return x + int64(i) }, ffi.NoUserData())
		require.NoError(t, err)
		require.False(t, fns[cb.Fn()], "function pointer %#x given twice", cb.Fn())
		fns[cb.Fn()] = true
		cbs = append(cbs, cb)
	}
	// Every one is itself: call a few through C.
	for _, i := range []int{0, 1, alive / 2, alive - 1} {
		var f func(int64) int64
		require.NoError(t, ffi.Bind1(&f, ffi.SymbolAt("cb", cbs[i].Fn())))
		require.Equal(t, int64(1000+i), f(1000))
	}
	for _, cb := range cbs {
		require.NoError(t, cb.Close())
	}
	for made := alive; made < total; made++ {
		cb, err := ffi.NewCallback1(func(x int64) int64 { return x }, ffi.NoUserData())
		require.NoError(t, err)
		require.NoError(t, cb.Close())
	}
	// The closures this test added are bounded by what was alive at once
	// (or the signature's reuse quarantine, if larger) plus the stubs of
	// both classes, not by the total made. LiveClosures counts the whole
	// process, so the bound is on the growth: earlier tests, in whatever
	// order -shuffle runs them, leave their own closures (CI saw 124,550
	// in all when an absolute bound allowed 122,320).
	grown := ffi.LiveClosures() - before
	require.LessOrEqual(t, grown, max(alive, ffi.ClosureQuarantine()+1)+2*128+16)
	require.Less(t, grown, total/2)
	require.Equal(t, live, ffi.LiveCallbacks())
}

// TestClosureLateCall calls a released function pointer: C gets the
// failure value, the default or the user's, and no Go code runs.
func TestClosureLateCall(t *testing.T) {
	needLibffi(t)
	ran := 0
	cb, err := ffi.NewCallback2(func(a, b unsafe.Pointer) int32 { ran++; return 1 }, ffi.NoUserData(), ffi.FailureValue(0))
	require.NoError(t, err)
	cbDef, err := ffi.NewCallback1(func(x int64) int64 { ran++; return x }, ffi.NoUserData())
	require.NoError(t, err)
	var f func(a, b unsafe.Pointer) int32
	require.NoError(t, ffi.Bind2(&f, ffi.SymbolAt("cmp", cb.Fn())))
	var g func(int64) int64
	require.NoError(t, ffi.Bind1(&g, ffi.SymbolAt("g", cbDef.Fn())))
	require.Equal(t, int32(1), f(nil, nil))
	require.Equal(t, int64(5), g(5))
	require.NoError(t, cb.Close())
	require.NoError(t, cbDef.Close())
	fails := ffi.CallbackFailures()
	require.Equal(t, int32(0), f(nil, nil))
	require.Equal(t, int64(hffi.EDELETED), g(5))
	require.Equal(t, 2, ran)
	require.Equal(t, fails+2, ffi.CallbackFailures())
}

// TestClosureNoLibffi: without libffi a callback without user data is
// refused with an error that says what to install, and every other
// callback still works.
func TestClosureNoLibffi(t *testing.T) {
	restore := ffi.SetLibffiNamesForTest([]string{"libffi-not-installed.so.99"})
	defer restore()
	lib, err := ffi.Open(libc)
	require.NoError(t, err)
	_, err = ffi.NewCallback2(cmpInt64, ffi.UserDataVia(lib.Sym("abs"), 0))
	require.ErrorIs(t, err, hffi.ENOTFOUND)
	require.ErrorContains(t, err, "needs libffi")
	require.ErrorContains(t, err, "install libffi8")
	cb, err := ffi.NewCallback2(cmpInt64, ffi.UserDataLast())
	require.NoError(t, err)
	require.NoError(t, cb.Close())
}

// TestStubWithoutLibffi: on the cgo backend, and on the purego backend on
// linux (amd64, arm64), the first callbacks without user data are precompiled
// stubs, which need no libffi.
func TestStubWithoutLibffi(t *testing.T) {
	if ffi.StubsLeft() == 0 {
		t.Skip("no stub left in this process, or a purego target without stubs (only linux on amd64 and arm64 has them)")
	}
	restore := ffi.SetLibffiNamesForTest([]string{"libffi-not-installed.so.99"})
	defer restore()
	live := ffi.LiveCallbacks()
	qsort := bindQsort(t)
	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	mem, err := a.Alloc(8*100, 8)
	require.NoError(t, err)
	xs := unsafe.Slice((*int64)(mem), 100)
	for i := range xs {
		xs[i] = int64(100 - i)
	}
	cmp, err := ffi.NewCallback2(cmpInt64, ffi.NoUserData())
	require.NoError(t, err)
	qsort(mem, 100, 8, cmp.Fn())
	require.True(t, sort.SliceIsSorted(xs, func(i, j int) bool { return xs[i] < xs[j] }))
	require.NoError(t, cmp.Close())
	var f func(a, b unsafe.Pointer) int32
	require.NoError(t, ffi.Bind2(&f, ffi.SymbolAt("cmp", cmp.Fn())))
	require.Equal(t, int32(hffi.EDELETED), f(nil, nil), "a closed stub refuses the call")
	require.Equal(t, live, ffi.LiveCallbacks())
}
