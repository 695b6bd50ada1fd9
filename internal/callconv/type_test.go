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

func TestTypeOfLayout(t *testing.T) {
	type inner struct {
		X float32
		Y [2]float64
	}
	type outer struct {
		A int32
		I inner
		C int8
		Z complex64
	}
	ct, err := cc.TypeOf(reflect.TypeFor[outer]())
	require.NoError(t, err)
	assert.Equal(t, unsafe.Sizeof(outer{}), ct.Size)
	assert.Equal(t, uintptr(8), ct.Align)
	assert.Equal(t, []cc.Leaf{{0, cc.Int32}, {8, cc.Float32}, {16, cc.Float64}, {24, cc.Float64}, {32, cc.Int8}, {36, cc.Float32}, {40, cc.Float32}}, ct.Leaves)
}

func TestTypeOfRefuses(t *testing.T) {
	type withPtr struct {
		A int32
		P *int
	}
	type nested struct {
		Ok  float64
		Bad struct{ U unsafe.Pointer }
	}
	type withString struct{ S string }
	type withEmpty struct {
		A int32
		E struct{}
	}
	for _, tc := range []struct {
		t    reflect.Type
		want string
	}{
		{reflect.TypeFor[withPtr](), "withPtr.P: a pointer field"},
		{reflect.TypeFor[nested](), "nested.Bad.U: a pointer field"},
		{reflect.TypeFor[withString](), "withString.S: string has no C equivalent"},
		{reflect.TypeFor[withEmpty](), "withEmpty.E: a zero-size field"},
		{reflect.TypeFor[[4]int32](), "cannot pass an array by value"},
		{reflect.TypeFor[struct{}](), "size 0"},
		{reflect.TypeFor[map[int]int](), "map has no C equivalent"},
		{reflect.TypeFor[[]byte](), "slice has no C equivalent"},
	} {
		_, err := cc.TypeOf(tc.t)
		require.Error(t, err, "%s", tc.t)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestPrepareRefuses(t *testing.T) {
	_, err := cc.Prepare(cc.Native, 3, nil, cc.Scalar(cc.Int32))
	assert.ErrorContains(t, err, "fixed parameters")
	huge := &cc.Type{Kind: cc.Struct, Size: 1 << 20, Align: 8, Leaves: []cc.Leaf{{0, cc.Int64}}}
	_, err = cc.Prepare(cc.Native, -1, nil, huge)
	assert.ErrorIs(t, err, cc.ErrTooLarge)
}
