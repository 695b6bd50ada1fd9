// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
)

func ftNeedLibffi(t *testing.T) {
	t.Helper()
	if _, err := loadLibffi(); err != nil {
		t.Skipf("libffi.so.8 is not installed: %v", err)
	}
}

// TestUserDataVia: the callback finds its user data through an accessor
// of its context argument, as an SQLite function does with
// sqlite3_user_data(ctx); all such callbacks share one function pointer.
func TestUserDataVia(t *testing.T) {
	ftNeedLibffi(t)
	ftNoLeaks(t)
	acc := ftSym(t, "ft_ctx_data")
	var call func(fn uintptr, ctx unsafe.Pointer, x int64) int64
	ftBind(t, &call, "ft_call_ctx", Bind3)
	mk := func(k int64) *Callback {
		cb, err := NewCallback2(func(ctx unsafe.Pointer, x int64) int64 { return k * x }, UserDataVia(acc, 0))
		require.NoError(t, err)
		return cb
	}
	a, b := mk(2), mk(3)
	defer a.Close()
	defer b.Close()
	require.Equal(t, a.Fn(), b.Fn(), "one function pointer per signature and accessor")
	mem, err := arena.New()
	require.NoError(t, err)
	defer mem.Free()
	p, err := mem.Alloc(8, 8) // SQLite's context, reduced to the word the accessor reads
	require.NoError(t, err)
	ctx := (*uintptr)(p)
	*ctx = uintptr(a.Handle())
	require.Equal(t, int64(20), call(a.Fn(), unsafe.Pointer(ctx), 10))
	*ctx = uintptr(b.Handle())
	require.Equal(t, int64(30), call(a.Fn(), unsafe.Pointer(ctx), 10))

	// A callback of another kind reached through the accessor is refused.
	other, err := NewCallback2(func(p unsafe.Pointer, x int64) int64 { return -1 }, NoUserData())
	require.NoError(t, err)
	defer other.Close()
	*ctx = uintptr(other.Handle())
	require.Equal(t, int64(hffi.ETYPE), call(a.Fn(), unsafe.Pointer(ctx), 10))
	*ctx = 0
}

// TestUserDataAt: the user data in the middle of the parameters.
func TestUserDataAt(t *testing.T) {
	ftNoLeaks(t)
	var call func(fn uintptr, a int64, ud uintptr, b int64) int64
	ftBind(t, &call, "ft_call_mid", Bind4)
	cb, err := NewCallback2(func(a, b int64) int64 { return a*10 + b }, UserDataAt(1))
	require.NoError(t, err)
	defer cb.Close()
	require.Equal(t, int64(12), call(cb.Fn(), 1, uintptr(cb.Handle()), 2))
	_, err = NewCallback2(func(a, b int64) int64 { return 0 }, UserDataAt(3))
	require.ErrorIs(t, err, hffi.EINVAL)
}

// TestClosureThreads: a callback without user data called from 8 threads
// that C created, concurrently.
func TestClosureThreads(t *testing.T) {
	ftNeedLibffi(t)
	ftNoLeaks(t)
	var run func(cb uintptr, nthreads int32, n int64) int64
	ftBind(t, &run, "ft_noud_threads", Bind3)
	cb, err := NewCallback1(func(i int64) int64 { return 2 * i }, NoUserData())
	require.NoError(t, err)
	defer cb.Close()
	const threads, n = 8, 2000
	require.Equal(t, int64(threads*n*(n-1)), run(cb.Fn(), threads, n))
	require.NoError(t, cb.Err())
}

// TestCallbackEightParams: 8 parameters besides the user data, some of
// them on the stack, with the user data first and without one.
func TestCallbackEightParams(t *testing.T) {
	ftNeedLibffi(t)
	ftNoLeaks(t)
	var call9 func(fn, ud uintptr) int64
	ftBind(t, &call9, "ft_call_cb9", Bind2)
	cb, err := NewCallback8(func(a, b int64, c int32, d, e, f, g, h int64) int64 {
		return a + 10*b + 100*int64(c) + 1000*d + 10000*e + 100000*f + 1000000*g + 10000000*h
	})
	require.NoError(t, err)
	defer cb.Close()
	require.Equal(t, int64(87654321), call9(cb.Fn(), uintptr(cb.Handle())))

	var callMix func(fn uintptr) float64
	ftBind(t, &callMix, "ft_call_cb8_mix", Bind1)
	mix, err := NewCallback8(func(a int64, b float64, c int64, d float64, e int64, f float64, g int64, h float32) float64 {
		return float64(a) + b + float64(c) + d + float64(e) + f + float64(g) + float64(h)
	}, NoUserData())
	require.NoError(t, err)
	defer mix.Close()
	require.Equal(t, 38.0, callMix(mix.Fn()))
}

type ftPt struct{ X, Y int32 }
type ftV3 struct{ A, B, C float64 }
type ftFN struct {
	F float32
	N int64
}

// TestCallbackStructs: structs by value as parameters and results, in
// registers (8 and 16 bytes) and in memory (24 bytes), with the user data
// first and without one.
func TestCallbackStructs(t *testing.T) {
	ftNeedLibffi(t)
	ftNoLeaks(t)
	var callPt func(fn uintptr, x, y int32, k int64) int64
	ftBind(t, &callPt, "ft_cb_pt", Bind4)
	pt, err := NewCallback2(func(p ftPt, k int64) ftPt { return ftPt{p.X * int32(k), p.Y + int32(k)} }, NoUserData())
	require.NoError(t, err)
	defer pt.Close()
	require.Equal(t, int64(6*1000+7), callPt(pt.Fn(), 2, 4, 3))

	var callV3 func(fn, ud uintptr, a, b, c float64) float64
	ftBind(t, &callV3, "ft_cb_v3", Bind5)
	v3, err := NewCallback2(func(v ftV3, n int32) float64 { return (v.A + v.B + v.C) * float64(n) })
	require.NoError(t, err)
	defer v3.Close()
	require.Equal(t, 24.0, callV3(v3.Fn(), uintptr(v3.Handle()), 1, 2, 3))

	var callV3r func(fn uintptr, s float64) float64
	ftBind(t, &callV3r, "ft_cb_v3r", Bind2)
	v3r, err := NewCallback2(func(s float64, m ftFN) ftV3 {
		return ftV3{s, float64(m.F), float64(m.N)}
	}, NoUserData())
	require.NoError(t, err)
	require.Equal(t, 2+10*1.5+100*7, callV3r(v3r.Fn(), 2))
	// Closed, it returns a zeroed struct.
	require.NoError(t, v3r.Close())
	require.Equal(t, 0.0, callV3r(v3r.Fn(), 2))

	_, err = NewCallback1(func(p struct{ S string }) int32 { return 0 }, NoUserData())
	require.ErrorIs(t, err, hffi.EINVAL)
	require.ErrorContains(t, err, "use unsafe.Pointer for C memory")
}

// BenchmarkCallbackKinds compares a trampoline callback with the same Go
// function behind a libffi closure (NoUserData), called from a C loop.
func BenchmarkCallbackKinds(b *testing.B) {
	var loop func(cb, ud uintptr, n int) int
	require.NoError(b, Bind3(&loop, ftSym(b, "ft_cb_loop")))
	add := func(a, b int) int { return a + b }
	b.Run("trampoline", func(b *testing.B) {
		cb, err := NewCallback2(add)
		require.NoError(b, err)
		defer cb.Close()
		b.ResetTimer()
		loop(cb.Fn(), uintptr(cb.Handle()), b.N)
	})
	b.Run("closure", func(b *testing.B) {
		cb, err := NewCallback3(func(_ uintptr, a, b int) int { return a + b }, NoUserData())
		if err != nil {
			b.Skip(err)
		}
		defer cb.Close()
		b.ResetTimer()
		loop(cb.Fn(), 0, b.N)
	})
}

// TestClosureHammer makes, calls (from C threads) and closes callbacks
// without user data from 4 goroutines for a second: closures and stubs
// are taken and released concurrently, and every call reaches the
// callback whose function pointer it used.
func TestClosureHammer(t *testing.T) {
	ftNeedLibffi(t)
	ftNoLeaks(t)
	var run func(cb uintptr, nthreads int32, n int64) int64
	ftBind(t, &run, "ft_noud_threads", Bind3)
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	var bad, calls atomic.Int64
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// At least 8 rounds each, however late the goroutine starts
			// (a stall longer than the second on a loaded machine left
			// calls at 0).
			for k, i := int64(g)<<32, 0; i < 8 || time.Now().Before(deadline); k, i = k+1, i+1 {
				cb, err := NewCallback1(func(int64) int64 { return k }, NoUserData())
				if err != nil {
					bad.Add(1)
					return
				}
				if run(cb.Fn(), 2, 5) != 10*k {
					bad.Add(1)
				}
				calls.Add(1)
				if cb.Close() != nil {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	require.Zero(t, bad.Load())
	require.NotZero(t, calls.Load())
}
