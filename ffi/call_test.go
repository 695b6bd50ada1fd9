// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"math"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
)

type ftMyInt int64

type ftPtrStruct struct {
	N int64
	P *int
}

func TestCallShapes(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"no args", func(t *testing.T) {
			var f func() int64
			ftBind(t, &f, "ft_answer", Bind0)
			assert.Equal(t, int64(42), f())
		}},
		{"int64", func(t *testing.T) {
			var f func(int64, int64) int64
			ftBind(t, &f, "ft_add", Bind2)
			assert.Equal(t, int64(5), f(2, 3))
			assert.Equal(t, int64(math.MinInt64), f(math.MaxInt64, 1))
		}},
		{"named int", func(t *testing.T) {
			var f func(ftMyInt, int) ftMyInt
			ftBind(t, &f, "ft_add", Bind2)
			assert.Equal(t, ftMyInt(-1), f(2, -3))
		}},
		{"int32", func(t *testing.T) {
			var f func(int32, int32) int32
			ftBind(t, &f, "ft_add_i32", Bind2)
			assert.Equal(t, int32(-7), f(-3, -4))
			assert.Equal(t, int32(math.MinInt32), f(math.MaxInt32, 1))
		}},
		{"int32 sign extension", func(t *testing.T) {
			var f func(int32) int64
			ftBind(t, &f, "ft_widen_i32", Bind1)
			assert.Equal(t, int64(-1), f(-1))
			assert.Equal(t, int64(math.MinInt32), f(math.MinInt32))
		}},
		{"uint32", func(t *testing.T) {
			var f func(uint32, uint32) uint32
			ftBind(t, &f, "ft_add_u32", Bind2)
			assert.Equal(t, uint32(1), f(math.MaxUint32, 2))
		}},
		{"int16", func(t *testing.T) {
			var f func(int16) int16
			ftBind(t, &f, "ft_neg_i16", Bind1)
			assert.Equal(t, int16(5), f(-5))
			assert.Equal(t, int16(-300), f(300))
		}},
		{"int8", func(t *testing.T) {
			var f func(int8) int8
			ftBind(t, &f, "ft_neg_i8", Bind1)
			assert.Equal(t, int8(-100), f(100))
			assert.Equal(t, int8(math.MinInt8), f(math.MinInt8))
		}},
		{"uint8", func(t *testing.T) {
			var f func(uint8, uint8) uint8
			ftBind(t, &f, "ft_add_u8", Bind2)
			assert.Equal(t, uint8(4), f(250, 10))
		}},
		{"uint16", func(t *testing.T) {
			var f func(uint16, uint16) uint16
			ftBind(t, &f, "ft_add_u16", Bind2)
			assert.Equal(t, uint16(4), f(65530, 10))
		}},
		{"bool", func(t *testing.T) {
			var f func(bool) bool
			ftBind(t, &f, "ft_not", Bind1)
			assert.False(t, f(true))
			assert.True(t, f(false))
		}},
		{"six args", func(t *testing.T) {
			var f func(int64, int64, int64, int64, int64, int64) int64
			ftBind(t, &f, "ft_sum6", Bind6)
			assert.Equal(t, int64(654321), f(1, 2, 3, 4, 5, 6))
		}},
		{"void", func(t *testing.T) {
			var set func(int64)
			var get func() int64
			ftBind(t, &set, "ft_set", BindVoid1)
			ftBind(t, &get, "ft_get", Bind0)
			set(-99)
			assert.Equal(t, int64(-99), get())
		}},
		{"void narrow args", func(t *testing.T) {
			var set func(int32, int8, uint16)
			var get func() int64
			ftBind(t, &set, "ft_set_sum3", BindVoid3)
			ftBind(t, &get, "ft_get", Bind0)
			set(-1000, -1, 65535)
			assert.Equal(t, int64(-1000-1+65535), get())
		}},
		{"float64", func(t *testing.T) {
			var f func(float64, float64) float64
			ftBind(t, &f, "ft_addd", Bind2)
			assert.Equal(t, 3.75, f(1.5, 2.25))
			var h func(float64) float64
			ftBind(t, &h, "ft_half", Bind1)
			assert.Equal(t, -0.25, h(-0.5))
		}},
		{"float32", func(t *testing.T) {
			var f func(float32, float32) float32
			ftBind(t, &f, "ft_addf", Bind2)
			assert.Equal(t, float32(0.75), f(0.5, 0.25))
			var g func(int32) float32
			ftBind(t, &g, "ft_f32_of_i", Bind1)
			assert.Equal(t, float32(-1.5), g(-3))
		}},
		{"mixed", func(t *testing.T) {
			var f func(int32, float64, int64, float32) float64
			ftBind(t, &f, "ft_mix", Bind4)
			assert.Equal(t, 9.75, f(-1, 0.5, 10, 0.25))
			var g func(float32, int64, float64) int64
			ftBind(t, &g, "ft_mix_int", Bind3)
			assert.Equal(t, int64(345), g(3, 4, 5))
		}},
		{"strings", func(t *testing.T) {
			var strlen func(string) uintptr
			ftBind(t, &strlen, "ft_strlen", Bind1)
			assert.Equal(t, uintptr(5), strlen("hello"))
			assert.Equal(t, uintptr(0), strlen(""))
			assert.Equal(t, uintptr(2), strlen("ab\x00cd"), "C sees the string end at the first NUL")
			var strcmp func(string, string) int32
			ftBind(t, &strcmp, "ft_strcmp", Bind2)
			assert.Equal(t, int32(0), strcmp("abc", "abc"))
			assert.Equal(t, int32(-1), strcmp("abc", "abd"))
		}},
		{"bytes", func(t *testing.T) {
			var sum func([]byte, int) uint64
			ftBind(t, &sum, "ft_sum_bytes", Bind2)
			assert.Equal(t, uint64(6), sum([]byte{1, 2, 3}, 3))
			assert.Equal(t, uint64(0), sum([]byte{}, 0), "an empty slice is a valid pointer")
			assert.Equal(t, uint64(math.MaxUint64), sum(nil, 0), "a nil slice is NULL")
			big := make([]byte, 1<<20)
			for i := range big {
				big[i] = 1
			}
			assert.Equal(t, uint64(len(big)), sum(big, len(big)))
		}},
		{"string result", func(t *testing.T) {
			var greet, null func() string
			ftBind(t, &greet, "ft_greeting", Bind0)
			ftBind(t, &null, "ft_null_string", Bind0)
			assert.Equal(t, "hello from C", greet())
			assert.Equal(t, "", null())
		}},
		{"off-heap pointers", func(t *testing.T) {
			a, err := arena.New()
			require.NoError(t, err)
			defer a.Free()
			p, err := a.Alloc(16, 8)
			require.NoError(t, err)
			var store func(unsafe.Pointer, int64)
			var load func(unsafe.Pointer) int64
			var add func(unsafe.Pointer, int) unsafe.Pointer
			ftBind(t, &store, "ft_store", BindVoid2)
			ftBind(t, &load, "ft_load", Bind1)
			ftBind(t, &add, "ft_ptr_add", Bind2)
			q := add(p, 8)
			assert.Equal(t, unsafe.Add(p, 8), q)
			store(q, 1234)
			assert.Equal(t, int64(1234), *(*int64)(q))
			assert.Equal(t, int64(1234), load(q))
		}},
		{"error result", func(t *testing.T) {
			var code func(int32) error
			ftBind(t, &code, "ft_code", Bind1)
			assert.NoError(t, code(0))
			assert.NoError(t, code(3))
			assert.ErrorIs(t, code(-5), hffi.ESTALE)
			assert.ErrorIs(t, code(-6), hffi.EDELETED)
		}},
		{"handles and refs", func(t *testing.T) {
			tbl, err := handles.NewOf[string]()
			require.NoError(t, err)
			defer tbl.Table().Close()
			h, err := tbl.New("x")
			require.NoError(t, err)
			var check func(unsafe.Pointer, handles.Handle) error
			ftBind(t, &check, "ft_handle_check", Bind2)
			rt := hffi.Runtime()
			assert.NoError(t, check(rt, h))
			require.NoError(t, tbl.Delete(h))
			assert.ErrorIs(t, check(rt, h), hffi.EDELETED)

			a, err := arena.New()
			require.NoError(t, err)
			defer a.Free()
			p, err := a.CopyBytes([]byte{1, 2, 3, 4})
			require.NoError(t, err)
			r, err := a.Ref(p)
			require.NoError(t, err)
			var sum func(unsafe.Pointer, arena.Ref, uint64) int64
			ftBind(t, &sum, "ft_ref_sum", Bind3)
			assert.Equal(t, int64(10), sum(rt, r, 4))
			assert.Equal(t, int64(hffi.EBOUNDS), sum(rt, r, 1<<20))
			a.Reset()
			assert.Equal(t, int64(-5), sum(rt, r, 4), "a reference minted before a reset is stale in C")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestBindRefusesGoPointers(t *testing.T) {
	sym := ftSym(t, "ft_add")
	tests := []struct {
		name string
		bind func() error
		want string
	}{
		{"pointer to pointer", func() error { var f func(int, **int) int; return Bind2(&f, sym) }, "parameter 2 has type **int: the pointee holds Go pointers"},
		{"pointer to string", func() error { var f func(*string) int; return Bind1(&f, sym) }, "parameter 1 has type *string: the pointee holds Go pointers"},
		{"map", func() error { var f func(map[string]any) int; return Bind1(&f, sym) }, "parameter 1 has type map[string]interface {}: it holds Go pointers"},
		{"chan", func() error { var f func(chan int); return BindVoid1(&f, sym) }, "parameter 1 has type chan int: it holds Go pointers"},
		{"func", func() error { var f func(int, int, func()) int; return Bind3(&f, sym) }, "parameter 3 has type func(): a Go func cannot be called by C"},
		{"interface", func() error { var f func(any) int; return Bind1(&f, sym) }, "parameter 1 has type interface {}: it holds Go pointers"},
		{"slice of pointers", func() error { var f func([]*int) int; return Bind1(&f, sym) }, "parameter 1 has type []*int: only slices of pointer-free elements"},
		{"string slice", func() error { var f func([]string) int; return Bind1(&f, sym) }, "parameter 1 has type []string: only slices of pointer-free elements"},
		{"struct with a pointer", func() error { var f func(ftPtrStruct) int; return Bind1(&f, sym) }, "parameter 1 has type ffi.ftPtrStruct: ffi.ftPtrStruct.P: a pointer field (*int) could carry a Go pointer into C"},
		{"array", func() error { var f func([4]byte) int; return Bind1(&f, sym) }, "parameter 1 has type [4]uint8: [4]uint8: C cannot pass an array by value"},
		{"pointer result", func() error { var f func() *int; return Bind0(&f, sym) }, "result has type *int: a C pointer must not become a Go pointer"},
		{"bytes result", func() error { var f func() []byte; return Bind0(&f, sym) }, "result has type []uint8: a C pointer must not become a Go pointer or slice"},
		{"free without string", func() error { var f func() int; return Bind0(&f, sym.FreeResult(sym)) }, "FreeResult needs a string result"},
		{"too many fixed", func() error { var f func(int) int; return Bind1(&f, sym.Variadic(2)) }, "Variadic(2), but the Go function has 1 parameters"},
		{"nil symbol", func() error { var f func(int) int; return Bind1(&f, Symbol{}) }, "nil symbol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.bind()
			require.Error(t, err)
			assert.ErrorIs(t, err, hffi.EINVAL)
			assert.Contains(t, err.Error(), "ffi: bind ")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestCallConcurrent(t *testing.T) {
	var strlen func(string) int
	var add func(int, int) int
	var addd func(float64, float64) float64
	ftBind(t, &strlen, "ft_strlen", Bind1)
	ftBind(t, &add, "ft_add", Bind2)
	ftBind(t, &addd, "ft_addd", Bind2)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				s := strings.Repeat("x", i%100)
				if strlen(s) != len(s) || add(g, i) != g+i || addd(float64(i), 0.5) != float64(i)+0.5 {
					t.Errorf("goroutine %d, iteration %d: wrong result", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestCallAllocs(t *testing.T) {
	if asanEnabled {
		t.Skip("allocation counts do not hold under -asan")
	}
	var add func(int, int) int
	ftBind(t, &add, "ft_add", Bind2)
	got := testing.AllocsPerRun(1000, func() { add(1, 2) })
	assert.LessOrEqual(t, got, peerCallAllocs(ftSym(t, "ft_add").Addr()), "allocations per call")

	var strlen func(string) int
	ftBind(t, &strlen, "ft_strlen", Bind1)
	s := "a string of some length"
	got = testing.AllocsPerRun(1000, func() { strlen(s) })
	assert.LessOrEqual(t, got, peerCallAllocs(ftSym(t, "ft_add").Addr()), "allocations per call with a string")

	// Floats take hffi's call frames in both backends: no allocation.
	var mix func(int32, float64, int64, float32) float64
	ftBind(t, &mix, "ft_mix", Bind4)
	got = testing.AllocsPerRun(1000, func() { mix(1, 2, 3, 4) })
	assert.Zero(t, got, "allocations per call with floats")
}
