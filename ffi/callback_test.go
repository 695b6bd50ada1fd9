// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
)

// ftNoLeaks checks that the test closes every callback it makes.
func ftNoLeaks(t *testing.T) {
	t.Helper()
	n := LiveCallbacks()
	t.Cleanup(func() { assert.Equal(t, n, LiveCallbacks(), "callbacks left open:\n%s", CallbackLeakReport()) })
}

// ftMust returns a function that checks a NewCallback* result and closes
// the callback when the test ends: ftMust(t)(NewCallback1(f)).
func ftMust(t *testing.T) func(*Callback, error) *Callback {
	return func(c *Callback, err error) *Callback {
		t.Helper()
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, c.Close()) })
		return c
	}
}

func TestCallbackShapes(t *testing.T) {
	ftNoLeaks(t)
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"no args", func(t *testing.T) {
			var call func(uintptr, uintptr) int
			ftBind(t, &call, "ft_call_cb0", Bind2)
			c := ftMust(t)(NewCallback0(func() int { return 7 }))
			assert.Equal(t, 7, call(c.Fn(), uintptr(c.Handle())))
		}},
		{"one arg", func(t *testing.T) {
			var call func(uintptr, uintptr, int) int
			ftBind(t, &call, "ft_call_cb1", Bind3)
			c := ftMust(t)(NewCallback1(func(a int) int { return -a }))
			assert.Equal(t, 5, call(c.Fn(), uintptr(c.Handle()), -5))
		}},
		{"two args", func(t *testing.T) {
			var call func(uintptr, uintptr, int, int) int
			ftBind(t, &call, "ft_call_cb2", Bind4)
			c := ftMust(t)(NewCallback2(func(a, b int) int { return a*10 + b }))
			assert.Equal(t, 34, call(c.Fn(), uintptr(c.Handle()), 3, 4))
		}},
		{"five args", func(t *testing.T) {
			var call func(uintptr, uintptr, int) int
			ftBind(t, &call, "ft_call_cb5", Bind3)
			c := ftMust(t)(NewCallback5(func(a, b, c, d, e int) int { return a + 10*b + 100*c + 1000*d + 10000*e }))
			assert.Equal(t, 54321, call(c.Fn(), uintptr(c.Handle()), 1))
		}},
		{"user data last", func(t *testing.T) {
			var call func(uintptr, uintptr, int, int) int
			ftBind(t, &call, "ft_call_cb2_last", Bind4)
			c := ftMust(t)(NewCallback2(func(a, b int) int { return a*10 + b }, UserDataLast()))
			assert.Equal(t, 34, call(c.Fn(), uintptr(c.Handle()), 3, 4))
		}},
		{"user data last of five", func(t *testing.T) {
			var call func(uintptr, uintptr, int) int
			ftBind(t, &call, "ft_call_cb5_last", Bind3)
			c := ftMust(t)(NewCallback5(func(a, b, c, d, e int) int { return a + 10*b + 100*c + 1000*d + 10000*e }, UserDataLast()))
			assert.Equal(t, 54321, call(c.Fn(), uintptr(c.Handle()), 1))
		}},
		{"narrow ints", func(t *testing.T) {
			var call func(uintptr, uintptr, int32, int8, uint16) int32
			ftBind(t, &call, "ft_call_cb_i32", Bind5)
			c := ftMust(t)(NewCallback3(func(a int32, b int8, c uint16) int32 { return a + int32(b) + int32(c) }))
			assert.Equal(t, int32(-1000-1+65535), call(c.Fn(), uintptr(c.Handle()), -1000, -1, 65535))
		}},
		{"void", func(t *testing.T) {
			var call func(uintptr, uintptr, int)
			ftBind(t, &call, "ft_call_cb_void", BindVoid3)
			var got atomic.Int64
			c := ftMust(t)(NewCallbackVoid1(func(a int64) { got.Store(a) }))
			call(c.Fn(), uintptr(c.Handle()), 77)
			assert.Equal(t, int64(77), got.Load())
		}},
		{"pointer", func(t *testing.T) {
			var call func(uintptr, uintptr, unsafe.Pointer) unsafe.Pointer
			ftBind(t, &call, "ft_call_cb_ptr", Bind3)
			c := ftMust(t)(NewCallback1(func(p unsafe.Pointer) unsafe.Pointer { return unsafe.Add(p, 8) }))
			p := hffi.Runtime()
			assert.Equal(t, unsafe.Add(p, 8), call(c.Fn(), uintptr(c.Handle()), p))
		}},
		{"float64", func(t *testing.T) {
			var call func(uintptr, uintptr, float64, float64) float64
			ftBind(t, &call, "ft_call_cb_dd", Bind4)
			c := ftMust(t)(NewCallback2(func(a, b float64) float64 { return a * b }))
			assert.Equal(t, -0.75, call(c.Fn(), uintptr(c.Handle()), 1.5, -0.5))
		}},
		{"float32 user data last", func(t *testing.T) {
			var call func(uintptr, uintptr, float32, float32) float32
			ftBind(t, &call, "ft_call_cb_ff_last", Bind4)
			c := ftMust(t)(NewCallback2(func(a, b float32) float32 { return a - b }, UserDataLast()))
			assert.Equal(t, float32(1.25), call(c.Fn(), uintptr(c.Handle()), 1.5, 0.25))
		}},
		{"mixed user data among", func(t *testing.T) {
			// C: cb(int32 a, double b, void *ud, float c): the user data is
			// the last integer-class argument.
			var call func(uintptr, uintptr, int32, float64, float32) int64
			ftBind(t, &call, "ft_call_cb_mix", Bind5)
			c := ftMust(t)(NewCallback3(func(a int32, b float64, c float32) int64 {
				return int64(a)*100 + int64(b*10) + int64(c)
			}, UserDataLast()))
			assert.Equal(t, int64(-300+25+4), call(c.Fn(), uintptr(c.Handle()), -3, 2.5, 4))
		}},
		{"mixed float result", func(t *testing.T) {
			var call func(uintptr, uintptr, float64, int64, float32, int) float64
			ftBind(t, &call, "ft_call_cb_mix_d", Bind6)
			c := ftMust(t)(NewCallback4(func(a float64, b int64, c float32, d int) float64 {
				return a + float64(b)*10 + float64(c)*100 + float64(d)*1000
			}))
			assert.Equal(t, 0.5+20+150+4000, call(c.Fn(), uintptr(c.Handle()), 0.5, 2, 1.5, 4))
		}},
		{"string", func(t *testing.T) {
			var call func(uintptr, uintptr) int
			ftBind(t, &call, "ft_call_cb_str", Bind2)
			var got []string
			c := ftMust(t)(NewCallback2(func(s string, n int) int {
				got = append(got, s)
				return len(s) + n + 1
			}))
			assert.Equal(t, 25+1000, call(c.Fn(), uintptr(c.Handle())))
			assert.Equal(t, []string{"hello from C", ""}, got)
		}},
		{"error result", func(t *testing.T) {
			var call func(uintptr, uintptr, int32) int32
			ftBind(t, &call, "ft_call_cb_err", Bind3)
			c := ftMust(t)(NewCallback1(func(want int32) error {
				switch {
				case want == 0:
					return nil
				case want == 1:
					return errors.New("not an HFFI error")
				}
				return hffi.Code(want)
			}))
			assert.Equal(t, int32(0), call(c.Fn(), uintptr(c.Handle()), 0))
			assert.Equal(t, int32(hffi.ECALLBACK), call(c.Fn(), uintptr(c.Handle()), 1))
			assert.Equal(t, int32(hffi.ESTALE), call(c.Fn(), uintptr(c.Handle()), int32(hffi.ESTALE)))
		}},
		{"bool", func(t *testing.T) {
			var call func(uintptr, uintptr, bool) bool
			ftBind(t, &call, "ft_call_cb_bool", Bind3)
			c := ftMust(t)(NewCallback1(func(b bool) bool { return !b }))
			assert.True(t, call(c.Fn(), uintptr(c.Handle()), false))
			assert.False(t, call(c.Fn(), uintptr(c.Handle()), true))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestCallbackRefusals(t *testing.T) {
	tests := []struct {
		name string
		make func() (*Callback, error)
		want string
	}{
		{"pointer", func() (*Callback, error) { return NewCallback1(func(*int) int { return 0 }) }, "parameter 1 has type *int: a Go pointer"},
		{"slice", func() (*Callback, error) { return NewCallback1(func([]byte) int { return 0 }) }, "parameter 1 has type []uint8"},
		{"string result", func() (*Callback, error) { return NewCallback0(func() string { return "" }) }, "result has type string: a callback cannot return a Go string"},
		{"map result", func() (*Callback, error) { return NewCallback0(func() map[int]int { return nil }) }, "result has type map[int]int: it holds Go pointers"},
		{"nil", func() (*Callback, error) { return NewCallback1[int, int](nil) }, "nil function"},
		{"too many floats", func() (*Callback, error) {
			return NewCallback5(func(a, b, c, d, e float64) float64 { return 0 })
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.make()
			if tt.want == "" {
				require.NoError(t, err)
				require.NoError(t, c.Close())
				return
			}
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, hffi.EINVAL)
			assert.Contains(t, err.Error(), "ffi: new callback: ")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// ftHook collects the CallbackErrors of a test.
type ftHook struct {
	mu   sync.Mutex
	errs []*CallbackError
}

func ftSetHook(t *testing.T) *ftHook {
	h := &ftHook{}
	old := SetCallbackErrorHook(func(e *CallbackError) {
		h.mu.Lock()
		h.errs = append(h.errs, e)
		h.mu.Unlock()
	})
	t.Cleanup(func() { SetCallbackErrorHook(old) })
	return h
}

func (h *ftHook) take() []*CallbackError {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.errs
	h.errs = nil
	return e
}

func TestCallbackClosed(t *testing.T) {
	ftNoLeaks(t)
	hook := ftSetHook(t)
	var callInt func(uintptr, uintptr, int) int
	var callPtr func(uintptr, uintptr, unsafe.Pointer) unsafe.Pointer
	var callFloat func(uintptr, uintptr, float64, float64) float64
	ftBind(t, &callInt, "ft_call_cb1", Bind3)
	ftBind(t, &callPtr, "ft_call_cb_ptr", Bind3)
	ftBind(t, &callFloat, "ft_call_cb_dd", Bind4)

	ran := false
	ci, err := NewCallback1(func(int) int { ran = true; return 1 })
	require.NoError(t, err)
	cp, err := NewCallback1(func(p unsafe.Pointer) unsafe.Pointer { ran = true; return p })
	require.NoError(t, err)
	cf, err := NewCallback2(func(a, b float64) float64 { ran = true; return a })
	require.NoError(t, err)
	failures := CallbackFailures()
	for _, c := range []*Callback{ci, cp, cf} {
		require.NoError(t, c.Close())
		require.NoError(t, c.Close(), "Close is idempotent")
	}

	assert.Equal(t, int(hffi.EDELETED), callInt(ci.Fn(), uintptr(ci.Handle()), 1), "HFFI_EDELETED to C")
	assert.Nil(t, callPtr(cp.Fn(), uintptr(cp.Handle()), hffi.Runtime()), "NULL to C")
	assert.True(t, math.IsNaN(callFloat(cf.Fn(), uintptr(cf.Handle()), 1, 2)), "NaN to C")
	assert.False(t, ran, "a closed callback must not run")
	assert.Equal(t, failures+3, CallbackFailures())

	errs := hook.take()
	require.Len(t, errs, 3)
	for i, c := range []*Callback{ci, cp, cf} {
		assert.ErrorIs(t, errs[i], hffi.EDELETED)
		assert.Equal(t, uintptr(c.Handle()), errs[i].UserData)
		assert.Contains(t, errs[i].Error(), "ffi: callback 0x")
	}
}

func TestCallbackForged(t *testing.T) {
	ftNoLeaks(t)
	hook := ftSetHook(t)
	c := ftMust(t)(NewCallback1(func(a int) int { return a }))
	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	p, err := a.Alloc(4*8, 8)
	require.NoError(t, err)
	var forge func(uintptr, uintptr, unsafe.Pointer)
	ftBind(t, &forge, "ft_forge", BindVoid3)
	forge(c.Fn(), uintptr(c.Handle()), p)
	out := unsafe.Slice((*int64)(p), 4)
	assert.Equal(t, int64(hffi.EFORGED), out[0], "next generation")
	assert.Contains(t, []int64{int64(hffi.ETABLE), int64(hffi.ETYPE), int64(hffi.ERANGE)}, out[1], "another table")
	assert.Equal(t, int64(hffi.EZERO), out[2], "zero")
	assert.Equal(t, int64(hffi.EKIND), out[3], "a reference, not a handle")
	assert.Len(t, hook.take(), 4)

	// A live callback's handle given to a trampoline of another shape.
	var call2 func(uintptr, uintptr, int, int) int
	ftBind(t, &call2, "ft_call_cb2", Bind4)
	c2 := ftMust(t)(NewCallback2(func(a, b int) int { return a + b }))
	assert.Equal(t, int(hffi.ETYPE), call2(c2.Fn(), uintptr(c.Handle()), 1, 2))
	errs := hook.take()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], hffi.ETYPE)
}

func TestCallbackPanic(t *testing.T) {
	ftNoLeaks(t)
	hook := ftSetHook(t)
	var call func(uintptr, uintptr, int) int
	ftBind(t, &call, "ft_call_cb1", Bind3)
	c := ftMust(t)(NewCallback1(func(a int) int {
		if a == 0 {
			panic("boom")
		}
		var m map[int]int
		m[a] = a // a runtime error
		return a
	}))
	assert.NoError(t, c.Err())
	assert.Equal(t, int(hffi.EPANIC), call(c.Fn(), uintptr(c.Handle()), 0))
	err := c.Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, hffi.EPANIC)
	var ce *CallbackError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "boom", ce.Panic)
	assert.Contains(t, string(ce.Stack), "TestCallbackPanic")
	assert.Equal(t, "ffi: callback "+hex(uintptr(c.Handle()))+": panic: boom", err.Error())

	assert.Equal(t, int(hffi.EPANIC), call(c.Fn(), uintptr(c.Handle()), 1))
	require.ErrorAs(t, c.Err(), &ce)
	assert.Contains(t, ce.Error(), "assignment to entry in nil map")
	assert.Len(t, hook.take(), 2)

	// The process and the callback are fine afterwards; a panicking hook
	// is ignored.
	SetCallbackErrorHook(func(*CallbackError) { panic("hook") })
	assert.Equal(t, int(hffi.EPANIC), call(c.Fn(), uintptr(c.Handle()), 0))
}

func TestCallbackThreads(t *testing.T) {
	ftNoLeaks(t)
	var onThread func(uintptr, uintptr, int, int) int
	ftBind(t, &onThread, "ft_call_cb2_thread", Bind4)
	c := ftMust(t)(NewCallback2(func(a, b int) int { return a - b }))
	assert.Equal(t, 7, onThread(c.Fn(), uintptr(c.Handle()), 10, 3))
	p := ftMust(t)(NewCallback2(func(a, b int) int { panic("on a C thread") }))
	assert.Equal(t, int(hffi.EPANIC), onThread(p.Fn(), uintptr(p.Handle()), 10, 3))
}

// TestCallbackEventLoop stores callbacks in a C event loop, closes some,
// then lets 4 C threads fire all of them.
func TestCallbackEventLoop(t *testing.T) {
	ftNoLeaks(t)
	hook := ftSetHook(t)
	var (
		loopNew    func(int) unsafe.Pointer
		loopAdd    func(unsafe.Pointer, uintptr, uintptr, int) error
		loopRun    func(unsafe.Pointer, int32) error
		loopResult func(unsafe.Pointer, int) int
		loopFree   func(unsafe.Pointer)
	)
	ftBind(t, &loopNew, "ft_loop_new", Bind1)
	ftBind(t, &loopAdd, "ft_loop_add", Bind4)
	ftBind(t, &loopRun, "ft_loop_run", Bind2)
	ftBind(t, &loopResult, "ft_loop_result", Bind2)
	ftBind(t, &loopFree, "ft_loop_free", BindVoid1)

	const ncb, nev = 20, 400
	var fired [ncb]atomic.Int64
	cbs := make([]*Callback, ncb)
	for i := range cbs {
		c, err := NewCallback1(func(arg int) int {
			fired[i].Add(1)
			return arg*100 + i
		})
		require.NoError(t, err)
		cbs[i] = c
	}
	l := loopNew(nev)
	require.NotNil(t, l)
	defer loopFree(l)
	for e := range nev {
		c := cbs[e%ncb]
		require.NoError(t, loopAdd(l, c.Fn(), uintptr(c.Handle()), e))
	}
	for i := 0; i < ncb; i += 2 {
		require.NoError(t, cbs[i].Close()) // even callbacks die before the loop runs
	}
	require.NoError(t, loopRun(l, 4))
	for e := range nev {
		i := e % ncb
		if i%2 == 0 {
			assert.Equal(t, int(hffi.EDELETED), loopResult(l, e), "event %d", e)
		} else {
			assert.Equal(t, e*100+i, loopResult(l, e), "event %d", e)
		}
	}
	for i := range cbs {
		want := int64(0)
		if i%2 == 1 {
			want = nev / ncb
		}
		assert.Equal(t, want, fired[i].Load(), "callback %d", i)
		require.NoError(t, cbs[i].Close())
	}
	errs := hook.take()
	assert.Len(t, errs, nev/2)
	for _, e := range errs {
		assert.ErrorIs(t, e, hffi.EDELETED)
	}
}

// TestCallbackCount creates and releases a million callbacks in this
// process, and keeps 100,000 alive at once while C calls every one of
// them: purego alone would stop at 2000.
func TestCallbackCount(t *testing.T) {
	ftNoLeaks(t)
	total, live := 1_000_000, 100_000
	if testing.Short() || raceEnabled {
		total, live = 200_000, 100_000
	}
	var call func(unsafe.Pointer, unsafe.Pointer, unsafe.Pointer, int)
	ftBind(t, &call, "ft_call_many", BindVoid4)
	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	mem, err := a.Alloc(uintptr(3*8*live), 8)
	require.NoError(t, err)
	fns := unsafe.Slice((*uintptr)(mem), live)
	uds := unsafe.Slice((*uintptr)(unsafe.Add(mem, 8*live)), live)
	out := unsafe.Slice((*int)(unsafe.Add(mem, 16*live)), live)

	cbs := make([]*Callback, live)
	made := 0
	for made < total {
		n := min(live, total-made)
		for i := range n {
			k := made + i
			c, err := NewCallback1(func(a int) int { return a + k })
			if err != nil {
				require.NoError(t, err, "callback %d", k)
			}
			cbs[i], fns[i], uds[i] = c, c.Fn(), uintptr(c.Handle())
		}
		call(unsafe.Pointer(&fns[0]), unsafe.Pointer(&uds[0]), unsafe.Pointer(&out[0]), n)
		for i := range n {
			if out[i] != 2*i+made {
				require.Equal(t, 2*i+made, out[i], "callback %d", made+i)
			}
			require.NoError(t, cbs[i].Close())
		}
		made += n
	}
	t.Logf("%d callbacks created and released, %d alive at once, all called from C", made, live)
}

func hex(u uintptr) string { return fmt.Sprintf("%#x", u) }

func TestCallbackLeakReport(t *testing.T) {
	n := LiveCallbacks()
	c, err := NewCallback0(func() int { return 0 })
	require.NoError(t, err)
	assert.Equal(t, n+1, LiveCallbacks())
	assert.NotEmpty(t, CallbackLeakReport())
	require.NoError(t, c.Close())
	assert.Equal(t, n, LiveCallbacks())
}
