// SPDX-License-Identifier: Apache-2.0

package callconv_test

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cc "github.com/hffi-go/hffi/internal/callconv"
)

func prep(t testing.TB, fixed int, result any, params ...any) *cc.Plan {
	t.Helper()
	var rt *cc.Type
	if result != nil {
		var err error
		rt, err = cc.TypeOf(reflect.TypeOf(result))
		require.NoError(t, err)
	}
	ps := make([]*cc.Type, len(params))
	for i, p := range params {
		var err error
		ps[i], err = cc.TypeOf(reflect.TypeOf(p))
		require.NoError(t, err)
	}
	p, err := cc.Prepare(cc.Native, fixed, rt, ps...)
	require.NoError(t, err)
	return p
}

// call calls fn with args (Go values of the parameters' types) and
// returns the result as a value of result's type.
func call(t testing.TB, fn uintptr, fixed int, result any, args ...any) any {
	t.Helper()
	p := prep(t, fixed, result, args...)
	ptrs := make([]unsafe.Pointer, len(args))
	for i, a := range args {
		v := reflect.New(reflect.TypeOf(a))
		v.Elem().Set(reflect.ValueOf(a))
		ptrs[i] = v.UnsafePointer()
	}
	if result == nil {
		cc.Invoke(p, fn, ptrs, nil)
		return nil
	}
	r := reflect.New(reflect.TypeOf(result))
	cc.Invoke(p, fn, ptrs, r.UnsafePointer())
	return r.Elem().Interface()
}

func TestManyParams(t *testing.T) {
	t.Logf("backend %s, ABI %v", cc.Backend, cc.Native)
	got := call(t, sym(t, "cc_sum9"), -1, int64(0), int64(1), int64(2), int64(3), int64(4), int64(5), int64(6), int64(7), int64(8), int64(-9))
	assert.Equal(t, int64(1+4+9+16+25+36+49+64-81), got)

	got = call(t, sym(t, "cc_mix12"), -1, float64(0), int8(-1), 2.5, uint16(3), float32(0.5), int32(-5), 6.25, int64(7), float32(8), uint8(9), 10.5, int16(-11), 12.0)
	assert.Equal(t, -1+2*2.5+3*3+4*0.5+5*-5+6*6.25+7*7+8*8+9*9+10*10.5+11*-11+12*12.0, got)

	got = call(t, sym(t, "cc_mix15"), -1, float64(0), 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, float32(10), int64(11), int32(-12), int8(13), uint32(14), 15.5)
	assert.Equal(t, 1+2*2.0+3*3.0+4*4.0+5*5.0+6*6.0+7*7.0+8*8.0+9*9.0+10*10.0+11*11-12*12+13*13+14*14+15*15.5, got)

	got = call(t, sym(t, "cc_small16"), -1, int64(0), int64(1), int64(2), int64(3), int64(4), int64(5), int64(6), int64(7), int64(8),
		int8(-9), int16(-10), uint8(250), int32(-12), int8(13), uint16(65000), float32(1.5), int8(-16))
	assert.Equal(t, int64(36+2*-9+3*-10+4*250+5*-12+6*13+7*65000+12+9*-16), got)
}

func TestSmallScalars(t *testing.T) {
	assert.Equal(t, int8(5), call(t, sym(t, "cc_neg8"), -1, int8(0), int8(-5)))
	assert.Equal(t, uint16(0), call(t, sym(t, "cc_u16"), -1, uint16(0), uint16(65535)))
	assert.Equal(t, float32(7.5), call(t, sym(t, "cc_f32"), -1, float32(0), float32(2.5), float32(3)))
}

type in24 struct {
	A, B float64
	N    int32
}

type out16 struct {
	S float64
	N int64
}

type big40 struct{ W [5]int64 }

func TestStructs(t *testing.T) {
	got := call(t, sym(t, "cc_struct24"), -1, out16{}, in24{1.5, 2.25, -7})
	assert.Equal(t, out16{1.5 + 2*2.25, -21}, got)

	got = call(t, sym(t, "cc_big"), -1, big40{}, int32(3), big40{[5]int64{1, 2, 3, 4, -5}}, 100.0)
	assert.Equal(t, big40{[5]int64{103, 107, 111, 115, 89}}, got)
}
