// SPDX-License-Identifier: Apache-2.0

package callconv_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/require"

	cc "github.com/hffi-go/hffi/internal/callconv"
	"github.com/hffi-go/hffi/internal/cbuild"
)

// A field of a generated struct: its C type and Go type.
type genField struct {
	c  string
	gt reflect.Type
	n  int // array length, 0 for a scalar
}

var genScalars = []genField{
	{c: "int8_t", gt: reflect.TypeFor[int8]()},
	{c: "uint16_t", gt: reflect.TypeFor[uint16]()},
	{c: "int32_t", gt: reflect.TypeFor[int32]()},
	{c: "int64_t", gt: reflect.TypeFor[int64]()},
	{c: "float", gt: reflect.TypeFor[float32]()},
	{c: "double", gt: reflect.TypeFor[float64]()},
	{c: "uint8_t", gt: reflect.TypeFor[uint8]()},
}

// genLayouts returns struct layouts covering every size from 1 to 64
// bytes, with mixed integer and float fields, arrays, a nested struct,
// and the all-float shapes (HFAs on arm64, SSE classes on amd64).
func genLayouts() [][]genField {
	var out [][]genField
	i8, u16, i32, i64, fl, db, u8 := genScalars[0], genScalars[1], genScalars[2], genScalars[3], genScalars[4], genScalars[5], genScalars[6]
	for size := 1; size <= 64; size++ {
		// The largest alignment that divides size, so that C adds no
		// tail padding; units of that size alternate integer and float
		// (arrays included), then a few smaller fields vary the layout.
		a := 8
		for size%a != 0 {
			a /= 2
		}
		var units []genField
		switch a {
		case 8:
			units = []genField{db, i64}
		case 4:
			units = []genField{fl, i32}
		case 2:
			units = []genField{u16}
		default:
			units = []genField{i8, u8}
		}
		var fs []genField
		left := size
		for k := 0; left > 0; k++ {
			f := units[(k+size)%len(units)]
			us := int(f.gt.Size())
			if n := min(left/us, 1+(k+size)%3); n > 1 {
				f.n = n
			}
			fs = append(fs, f)
			left -= us * max(1, f.n)
		}
		out = append(out, fs)
	}

	out = append(out,
		[]genField{fl}, []genField{fl, fl}, []genField{fl, fl, fl}, []genField{fl, fl, fl, fl}, []genField{fl, fl, fl, fl, fl},
		[]genField{db, db}, []genField{db, db, db}, []genField{db, db, db, db}, []genField{db, db, db, db, db},
		[]genField{{c: "float", gt: fl.gt, n: 3}}, []genField{db, genScalars[3]}, []genField{genScalars[3], db},
		[]genField{fl, genScalars[2], fl}, []genField{db, fl})
	return out
}

func goStruct(fs []genField) reflect.Type {
	var sf []reflect.StructField
	for i, f := range fs {
		t := f.gt
		if f.n > 0 {
			t = reflect.ArrayOf(f.n, t)
		}
		sf = append(sf, reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: t})
	}
	// One nested struct level: the last two fields, when there are enough.
	return reflect.StructOf(sf)
}

// genC writes the C side of layout k: the struct, a function returning
// it built from a seed, one returning a hash of its fields, an echo, and
// one that takes it after enough scalars to exhaust some registers.
func genC(b *strings.Builder, k int, fs []genField) {
	fmt.Fprintf(b, "typedef struct {")
	for i, f := range fs {
		if f.n > 0 {
			fmt.Fprintf(b, " %s f%d[%d];", f.c, i, f.n)
		} else {
			fmt.Fprintf(b, " %s f%d;", f.c, i)
		}
	}
	fmt.Fprintf(b, " } s%d;\n", k)
	// Leaves in order: value of leaf j for seed s is s*3 + j (+0.5 for floats).
	fmt.Fprintf(b, "s%d mk%d(int64_t s) { s%d v; int j = 0; (void)j;\n", k, k, k)
	for i, f := range fs {
		fl := f.c == "float" || f.c == "double"
		val := "(s * 3 + j)"
		if fl {
			val = "(s * 3 + j + 0.5)"
		}
		if f.n > 0 {
			fmt.Fprintf(b, " for (int e = 0; e < %d; e++) { v.f%d[e] = (%s)%s; j++; }\n", f.n, i, f.c, val)
		} else {
			fmt.Fprintf(b, " v.f%d = (%s)%s; j++;\n", i, f.c, val)
		}
	}
	fmt.Fprintf(b, " return v; }\n")
	fmt.Fprintf(b, "double h%d(s%d v) { double h = 0; int j = 1; (void)j;\n", k, k)
	for i, f := range fs {
		if f.n > 0 {
			fmt.Fprintf(b, " for (int e = 0; e < %d; e++) h += (double)v.f%d[e] * j++;\n", f.n, i)
		} else {
			fmt.Fprintf(b, " h += (double)v.f%d * j++;\n", i)
		}
	}
	fmt.Fprintf(b, " return h; }\n")
	fmt.Fprintf(b, "s%d echo%d(s%d v) { return v; }\n", k, k, k)
	fmt.Fprintf(b, "double late%d(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, double f0, double f1, double f2, double f3, double f4, double f5, double f6, s%d v, int32_t t) {\n"+
		" return a + b + c + d + e + f0 + f1 + f2 + f3 + f4 + f5 + f6 + 1000 * h%d(v) + t; }\n", k, k, k)
}

// fill sets leaf j of v (a struct of layout fs) to seed*3+j (+0.5).
func fill(v reflect.Value, seed int64) {
	j := int64(0)
	var set func(v reflect.Value)
	set = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				set(v.Field(i))
			}
		case reflect.Array:
			for i := range v.Len() {
				set(v.Index(i))
			}
		case reflect.Float32, reflect.Float64:
			v.SetFloat(float64(seed*3+j) + 0.5)
			j++
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			v.SetInt(cInt(v.Type(), seed*3+j))
			j++
		default:
			v.SetUint(uint64(cInt(v.Type(), seed*3+j)))
			j++
		}
	}
	set(v)
}

// cInt converts n to the integer type t the way C's cast does.
func cInt(t reflect.Type, n int64) int64 {
	return reflect.ValueOf(n).Convert(t).Convert(reflect.TypeFor[int64]()).Int()
}

func hash(v reflect.Value) float64 {
	h, j := 0.0, 1.0
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
		case reflect.Float32, reflect.Float64:
			h += v.Float() * j
			j++
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			h += float64(v.Int()) * j
			j++
		default:
			h += float64(v.Uint()) * j
			j++
		}
	}
	walk(v)
	return h
}

func TestStructSizes(t *testing.T) {
	layouts := genLayouts()
	var src strings.Builder
	src.WriteString("/* Generated by struct_test.go. */\n#include <stdint.h>\n")
	for k, fs := range layouts {
		genC(&src, k, fs)
	}
	dir := t.TempDir()
	cfile := filepath.Join(dir, "structs.c")
	require.NoError(t, os.WriteFile(cfile, []byte(src.String()), 0o644))
	lib := cbuild.SharedLib(t, "libstructs.so", []string{cfile})
	h, err := purego.Dlopen(lib, purego.RTLD_NOW|purego.RTLD_LOCAL)
	require.NoError(t, err)
	defer purego.Dlclose(h)
	fn := func(name string) uintptr {
		a, err := purego.Dlsym(h, name)
		require.NoError(t, err)
		return a
	}
	for k, fs := range layouts {
		gt := goStruct(fs)
		t.Run(fmt.Sprintf("%d_size%d", k, gt.Size()), func(t *testing.T) {
			st, err := cc.TypeOf(gt)
			require.NoError(t, err)
			i64, f64, i32 := cc.Scalar(cc.Int64), cc.Scalar(cc.Float64), cc.Scalar(cc.Int32)

			want := reflect.New(gt).Elem()
			fill(want, 7)

			// Result: mk(seed), compared field by field.
			p, err := cc.Prepare(cc.Native, -1, st, i64)
			require.NoError(t, err)
			got := reflect.New(gt)
			seed := int64(7)
			cc.Invoke(p, fn(fmt.Sprintf("mk%d", k)), []unsafe.Pointer{unsafe.Pointer(&seed)}, got.UnsafePointer())
			for i := range gt.NumField() {
				require.Equal(t, want.Field(i).Interface(), got.Elem().Field(i).Interface(), "mk: field F%d (%s)", i, gt.Field(i).Type)
			}

			// Parameter: h(v) against the same hash in Go.
			p, err = cc.Prepare(cc.Native, -1, f64, st)
			require.NoError(t, err)
			arg := reflect.New(gt)
			arg.Elem().Set(want)
			var hv float64
			cc.Invoke(p, fn(fmt.Sprintf("h%d", k)), []unsafe.Pointer{arg.UnsafePointer()}, unsafe.Pointer(&hv))
			require.Equal(t, hash(want), hv, "h: parameter")

			// Both: echo(v).
			p, err = cc.Prepare(cc.Native, -1, st, st)
			require.NoError(t, err)
			got = reflect.New(gt)
			cc.Invoke(p, fn(fmt.Sprintf("echo%d", k)), []unsafe.Pointer{arg.UnsafePointer()}, got.UnsafePointer())
			require.Equal(t, want.Interface(), got.Elem().Interface(), "echo")

			// After registers are partly used: 5 ints and 7 doubles first.
			params := []*cc.Type{i64, i64, i64, i64, i64, f64, f64, f64, f64, f64, f64, f64, st, i32}
			p, err = cc.Prepare(cc.Native, -1, f64, params...)
			require.NoError(t, err)
			ints := []int64{1, 2, 3, 4, 5}
			fls := []float64{0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5}
			tail := int32(-3)
			var ptrs []unsafe.Pointer
			for i := range ints {
				ptrs = append(ptrs, unsafe.Pointer(&ints[i]))
			}
			for i := range fls {
				ptrs = append(ptrs, unsafe.Pointer(&fls[i]))
			}
			ptrs = append(ptrs, arg.UnsafePointer(), unsafe.Pointer(&tail))
			cc.Invoke(p, fn(fmt.Sprintf("late%d", k)), ptrs, unsafe.Pointer(&hv))
			require.Equal(t, 15+24.5+1000*hash(want)-3, hv, "late: parameter after 5 ints and 7 doubles")
		})
	}
}
