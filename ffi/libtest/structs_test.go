// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"reflect"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/cbuild"
)

// The Go twins of testdata/structs.c.

type s1 struct {
	A int8
}

type s2 struct {
	A uint8
	B int8
}

type s3 struct {
	A [3]uint8
}

type s4 struct {
	A float32
}

type s5 struct {
	A [5]uint8
}

type s6 struct {
	A int16
	B uint8
	C int8
	D int16
}

type s7 struct {
	A [7]uint8
}

type s8 struct {
	A int32
	B float32
}

type s12 struct {
	A float32
	B int32
	C float32
}

type s16 struct {
	A float64
	B int64
}

type s16f struct {
	A [4]float32
}

type s20 struct {
	A int32
	B [4]float32
}

type s24 struct {
	A [2]float64
	B int32
}

type s32 struct {
	A [4]float64
}

type s40 struct {
	A int64
	B float64
	C int32
	D float32
	E int64
	F float64
}

type s48 struct {
	A float32
	B float64
	C uint8
	D [3]int64
}

type s64 struct {
	A [3]float64
	B [4]int64
	C int32
	D float32
}

var structLib struct {
	once sync.Once
	lib  *ffi.Library
	err  error
}

func structSym(t *testing.T, name string) ffi.Symbol {
	t.Helper()
	structLib.once.Do(func() {
		structLib.lib, structLib.err = ffi.Open(cbuild.SharedLib(t, "libstructs.so", []string{"ffi/libtest/testdata/structs.c"}))
	})
	if structLib.lib == nil {
		if cbuild.CC() == nil {
			t.Skip("no C compiler found (go env CC): skipping the struct fixture")
		}
		t.Fatal(structLib.err)
	}
	s := structLib.lib.Sym(name)
	require.NoError(t, s.Err())
	return s
}

// TestStructSizes passes and returns structs of 1 to 64 bytes by value,
// in registers and on the stack.
func TestStructSizes(t *testing.T) {
	for _, c := range []struct {
		name  string
		check func(t *testing.T, name string)
	}{
		{"s1", checkStruct[s1]},
		{"s2", checkStruct[s2]},
		{"s3", checkStruct[s3]},
		{"s4", checkStruct[s4]},
		{"s5", checkStruct[s5]},
		{"s6", checkStruct[s6]},
		{"s7", checkStruct[s7]},
		{"s8", checkStruct[s8]},
		{"s12", checkStruct[s12]},
		{"s16", checkStruct[s16]},
		{"s16f", checkStruct[s16f]},
		{"s20", checkStruct[s20]},
		{"s24", checkStruct[s24]},
		{"s32", checkStruct[s32]},
		{"s40", checkStruct[s40]},
		{"s48", checkStruct[s48]},
		{"s64", checkStruct[s64]},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, c.name) })
	}
}

func checkStruct[T any](t *testing.T, name string) {
	var echo func(int32, T) T
	require.NoError(t, ffi.Bind2(&echo, structSym(t, "ls_"+name)))
	var sum func(a, b, c, d, e, f int64, x0, x1, x2, x3, x4, x5, x6, x7 float64, v T) float64
	require.NoError(t, ffi.Bind15(&sum, structSym(t, "ls_"+name+"_sum")))
	var v T
	total := fill(reflect.ValueOf(&v).Elem())
	for _, k := range []int32{0, 1, -3, 100} {
		want := v
		add(reflect.ValueOf(&want).Elem(), k)
		assert.Equal(t, want, echo(k, v), "%s: size %d, k=%d", name, unsafe.Sizeof(v), k)
	}
	assert.Equal(t, 21+32+total, sum(1, 2, 3, 4, 5, 6, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, v), "%s on the stack", name)
}

// fill sets every scalar of v to a small distinct value and returns their
// sum.
func fill(v reflect.Value) float64 {
	var t float64
	n := 0
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n++
			x := int64(n) * int64(1-2*(n%2)) // alternating signs
			v.SetInt(x)
			t += float64(x)
		case reflect.Uint8:
			n++
			v.SetUint(uint64(200 + n))
			t += float64(200 + n)
		case reflect.Float32, reflect.Float64:
			n++
			x := float64(n) + 0.25
			v.SetFloat(x)
			t += x
		}
	}
	walk(v)
	return t
}

// add adds k to every scalar of v the way C's (type)(x + k) does.
func add(v reflect.Value, k int32) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			add(v.Field(i), k)
		}
	case reflect.Array:
		for i := range v.Len() {
			add(v.Index(i), k)
		}
	case reflect.Int8:
		v.SetInt(int64(int8(v.Int()) + int8(k)))
	case reflect.Int16:
		v.SetInt(int64(int16(v.Int()) + int16(k)))
	case reflect.Int32:
		v.SetInt(int64(int32(v.Int()) + k))
	case reflect.Int64:
		v.SetInt(v.Int() + int64(k))
	case reflect.Uint8:
		v.SetUint(uint64(uint8(v.Uint()) + uint8(k)))
	case reflect.Float32:
		v.SetFloat(float64(float32(v.Float()) + float32(k)))
	case reflect.Float64:
		v.SetFloat(v.Float() + float64(k))
	}
}
