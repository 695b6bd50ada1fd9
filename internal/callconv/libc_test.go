// SPDX-License-Identifier: Apache-2.0

package callconv_test

import (
	"fmt"
	"runtime"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	cc "github.com/hffi-go/hffi/internal/callconv"
)

func libc(t *testing.T, name string) uintptr {
	t.Helper()
	path := "libc.so.6"
	if runtime.GOOS == "darwin" {
		path = "/usr/lib/libSystem.B.dylib"
	}
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	require.NoError(t, err)
	a, err := purego.Dlsym(h, name)
	require.NoError(t, err)
	return a
}

// TestVariadicSnprintf calls libc's snprintf with int, double, pointer
// and long extras (and a float32, promoted to double as C promotes it)
// and compares with Go's fmt.
func TestVariadicSnprintf(t *testing.T) {
	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	buf, err := a.Alloc(256, 8)
	require.NoError(t, err)
	format, err := a.CopyString("%d|%.3f|%s|%ld|%.2f|%d|%.1f")
	require.NoError(t, err)
	str, err := a.CopyString("hffi")
	require.NoError(t, err)

	pbuf, n, pfmt := uintptr(buf), uint64(256), uintptr(format)
	d, f, s, l, f32, d2, f2 := int32(-42), 3.14159, uintptr(str), int64(-1)<<40, float32(2.5), int32(7), 9.75
	p := prep(t, 3, int32(0), pbuf, n, pfmt, d, f, s, l, f32, d2, f2)
	var r int32
	cc.Invoke(p, libc(t, "snprintf"), []unsafe.Pointer{
		unsafe.Pointer(&pbuf), unsafe.Pointer(&n), unsafe.Pointer(&pfmt),
		unsafe.Pointer(&d), unsafe.Pointer(&f), unsafe.Pointer(&s), unsafe.Pointer(&l),
		unsafe.Pointer(&f32), unsafe.Pointer(&d2), unsafe.Pointer(&f2),
	}, unsafe.Pointer(&r))
	want := fmt.Sprintf("%d|%.3f|%s|%d|%.2f|%d|%.1f", d, f, "hffi", l, f32, d2, f2)
	assert.Equal(t, want, string(unsafe.Slice((*byte)(buf), r)))
	assert.Equal(t, int32(len(want)), r)
}

// TestVariadicManyDoubles passes more doubles than there are vector
// registers through snprintf's extras.
func TestVariadicManyDoubles(t *testing.T) {
	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	buf, err := a.Alloc(512, 8)
	require.NoError(t, err)
	format, err := a.CopyString("%g %g %g %g %g %g %g %g %g %g %d %d %d %d %d %d %d")
	require.NoError(t, err)
	pbuf, n, pfmt := uintptr(buf), uint64(512), uintptr(format)
	args := []any{pbuf, n, pfmt}
	ptrs := []unsafe.Pointer{unsafe.Pointer(&pbuf), unsafe.Pointer(&n), unsafe.Pointer(&pfmt)}
	var fs [10]float64
	var is [7]int32
	var want []any
	for i := range fs {
		fs[i] = float64(i) + 0.25
		args = append(args, fs[i])
		ptrs = append(ptrs, unsafe.Pointer(&fs[i]))
		want = append(want, fs[i])
	}
	for i := range is {
		is[i] = int32(-i * 11)
		args = append(args, is[i])
		ptrs = append(ptrs, unsafe.Pointer(&is[i]))
		want = append(want, is[i])
	}
	p := prep(t, 3, int32(0), args...)
	var r int32
	cc.Invoke(p, libc(t, "snprintf"), ptrs, unsafe.Pointer(&r))
	assert.Equal(t, fmt.Sprintf("%g %g %g %g %g %g %g %g %g %g %d %d %d %d %d %d %d", want...), string(unsafe.Slice((*byte)(buf), r)))
}

type divT struct{ Quot, Rem int32 }
type ldivT struct{ Quot, Rem int64 }

// TestDiv calls libc's div and ldiv: structs of 8 and 16 bytes returned
// in registers.
func TestDiv(t *testing.T) {
	assert.Equal(t, divT{-3, -2}, call(t, libc(t, "div"), -1, divT{}, int32(-17), int32(5)))
	assert.Equal(t, ldivT{1 << 33, 1}, call(t, libc(t, "ldiv"), -1, ldivT{}, int64(1)<<34+1, int64(2)))
}
