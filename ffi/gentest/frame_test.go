// SPDX-License-Identifier: Apache-2.0

package gentest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/cbuild"
)

var fixture struct {
	once sync.Once
	path string
	lib  *ffi.Library
	err  error
}

// frame opens the C fixture and binds Frame with hffi-gen's code.
func frame(tb testing.TB) (*FrameFuncs, *ffi.Library) {
	tb.Helper()
	fixture.once.Do(func() {
		fixture.path = cbuild.SharedLib(tb, "libffiframe.so", []string{"ffi/testdata/ffiframe.c"})
		fixture.lib, fixture.err = ffi.Open(fixture.path)
	})
	if fixture.lib == nil {
		if cbuild.CC() == nil {
			tb.Skip("no C compiler found (go env CC): skipping a test that needs the C fixture")
		}
		tb.Fatalf("fixture library: %v", fixture.err)
	}
	f, err := BindFrame(fixture.lib)
	require.NoError(tb, err)
	return f, fixture.lib
}

// TestCopy2 checks the generated copy path against a bound function of
// the same signature (ffi's own copy path) for buffers of every size
// class: none, empty, under 8 bytes, 8 to 64 bytes (copied inline), more,
// and more than the 4 KiB small block (copied into a pooled arena).
func TestCopy2(t *testing.T) {
	f, lib := frame(t)
	var bound func(dst []byte, n *uint64, src ffi.In[byte], srcLen uint64, level int32) int32
	require.NoError(t, ffi.Bind5(&bound, lib.Sym("fr_copy2")))
	for _, size := range []int{0, 1, 7, 8, 9, 63, 64, 65, 1000, 4096, 5000, 70000} {
		src := make([]byte, size)
		for i := range src {
			src[i] = byte(i*7 + 3)
		}
		srcCopy := bytes.Clone(src)
		for _, dstSize := range []int{size, size / 2} {
			name := fmt.Sprintf("src %d, dst %d", size, dstSize)
			dg, db := make([]byte, dstSize+3), make([]byte, dstSize+3)
			ng, nb := uint64(dstSize), uint64(dstSize)
			rg := f.Copy2(dg[:dstSize], &ng, src, uint64(size), 42)
			rb := bound(db[:dstSize], &nb, src, uint64(size), 42)
			assert.Equal(t, rb, rg, name)
			assert.Equal(t, nb, ng, name)
			assert.Equal(t, uint64(min(size, dstSize)), ng, name)
			assert.Equal(t, db, dg, name)
			assert.Equal(t, []byte{0, 0, 0}, dg[dstSize:], "%s: nothing written past the slice", name)
			if ng > 0 {
				assert.Equal(t, byte(42), dg[0], name)
				assert.Equal(t, src[1:ng], dg[1:ng], name)
			}
			assert.Equal(t, srcCopy, src, "%s: an In slice is read only", name)
		}
	}
}

// TestFill2 has C write two buffers that do not fit one small block
// together, and an out-parameter: every byte comes back.
func TestFill2(t *testing.T) {
	f, _ := frame(t)
	for _, sizes := range [][2]int{{0, 0}, {1, 2}, {100, 3000}, {3000, 3000}, {5000, 1}, {1 << 16, 1 << 17}} {
		a, b := make([]byte, sizes[0]), make([]byte, sizes[1])
		n := int64(-1)
		f.Fill2(a, uintptr(len(a)), b, uintptr(len(b)), &n)
		assert.Equal(t, int64(sizes[0]+sizes[1]), n)
		assert.Equal(t, bytes.Repeat([]byte{0xaa}, sizes[0]), a)
		assert.Equal(t, bytes.Repeat([]byte{0xbb}, sizes[1]), b)
	}
}

// TestNonNull: nil slices and pointers are NULL; an empty non-nil slice
// and an empty string are not.
func TestNonNull(t *testing.T) {
	f, _ := frame(t)
	var n int64
	assert.Equal(t, int32(8), f.NonNull(nil, nil, nil, ""))
	assert.Equal(t, int32(8|2), f.NonNull(nil, []byte{}, nil, ""))
	assert.Equal(t, int32(8|4), f.NonNull(nil, nil, &n, ""))
	assert.Equal(t, int32(8|2|4), f.NonNull(nil, make([]byte, 0, 5000), &n, "x"))
	assert.Equal(t, int32(8|2|4), f.NonNull(nil, make([]byte, 9000), &n, strings.Repeat("y", 9000)))
}

// TestCat: strings are copied with a NUL, the output buffer back.
func TestCat(t *testing.T) {
	f, _ := frame(t)
	for _, tc := range [][2]string{{"", ""}, {"ab", "c"}, {strings.Repeat("a", 3000), strings.Repeat("b", 3000)}} {
		out := make([]byte, len(tc[0])+len(tc[1])+1)
		require.Equal(t, int32(len(out)-1), f.Cat(tc[0], tc[1], out, uintptr(len(out))))
		assert.Equal(t, tc[0]+tc[1]+"\x00", string(out))
	}
}

// TestNarrow: narrow integers and bool are widened as C reads them, and
// narrow results are cut to their type, at the edges of each range.
func TestNarrow(t *testing.T) {
	f, lib := frame(t)
	var bound func(int8, uint8, int16, uint16, bool, int32) int64
	require.NoError(t, ffi.Bind6(&bound, lib.Sym("fr_narrow6")))
	want := func(a int8, b uint8, c int16, d uint16, e bool, g int32) int64 {
		w := int64(a) + 2*int64(b) + 3*int64(c) + 4*int64(d) + 6*int64(g)
		if e {
			w += 5
		}
		return w
	}
	for _, tc := range []struct {
		a int8
		b uint8
		c int16
		d uint16
		e bool
		g int32
	}{
		{0, 0, 0, 0, false, 0},
		{-128, 255, -32768, 65535, true, -1 << 31},
		{127, 128, 32767, 32768, false, 1<<31 - 1},
		{-1, 1, -1, 1, true, -1},
	} {
		got := f.Narrow6(tc.a, tc.b, tc.c, tc.d, tc.e, tc.g)
		assert.Equal(t, want(tc.a, tc.b, tc.c, tc.d, tc.e, tc.g), got, "%+v", tc)
		assert.Equal(t, bound(tc.a, tc.b, tc.c, tc.d, tc.e, tc.g), got, "%+v", tc)
	}
	assert.Equal(t, int8(-5), f.Neg8(5))
	assert.Equal(t, int8(127), f.Neg8(-127))
	assert.True(t, f.Not(false))
	assert.False(t, f.Not(true))
	assert.Equal(t, uint16(0), f.Inc16(65535))
	assert.Equal(t, uint16(2), f.Inc16(1))
}

// TestPointerResult: a char * result and a void * parameter, through the
// generated code; the fixture counts its frees.
func TestPointerResult(t *testing.T) {
	f, _ := frame(t)
	frees := f.FreeCount()
	p := f.Strdup("generated")
	require.NotNil(t, p)
	assert.Equal(t, "generated", ffi.GoString(p))
	f.Free(p)
	assert.Equal(t, frees+1, f.FreeCount())
}

// TestBoundMethods: methods hffi-gen leaves to bound functions (more
// than 6 parameters, floats) work the same way.
func TestBoundMethods(t *testing.T) {
	f, _ := frame(t)
	assert.Equal(t, int64(1+2*2+3*3+4*4+5*5+6*6+7*7+8*8+9*9), f.Sum9(1, 2, 3, 4, 5, 6, 7, 8, 9))
	got := f.Mix15(1, 0.5, 3, 0.25, -5, 1.5, 7, 0.125, 9, 2.5, -11, 0.75, 13, 1.25, -15)
	want := 1 + 2*0.5 + 3*3 + 4*0.25 + 5*-5 + 6*1.5 + 7*7 + 8*0.125 + 9*9 + 10*2.5 + 11*-11 + 12*0.75 + 13*13 + 14*1.25 + 15*-15
	assert.InDelta(t, want, got, 1e-9)
}

// TestClosedLibrary: a generated method of a closed library panics with
// hffi.ECLOSED, as a bound function does, instead of calling unmapped
// code; a WordFunc not made by Symbol.WordFunc panics with EINVAL.
func TestClosedLibrary(t *testing.T) {
	frame(t)
	lib, err := ffi.Open(fixture.path)
	require.NoError(t, err)
	f, err := BindFrame(lib)
	require.NoError(t, err)
	require.Equal(t, int8(-3), f.Neg8(3))
	require.NoError(t, lib.Close())
	codeOf := func(fn func()) (code hffi.Code) {
		defer func() {
			e, _ := recover().(error)
			require.Error(t, e)
			require.True(t, errors.As(e, &code), "%v", e)
		}()
		fn()
		return 0
	}
	assert.Equal(t, hffi.ECLOSED, codeOf(func() { f.Neg8(3) }))
	var n uint64
	assert.Equal(t, hffi.ECLOSED, codeOf(func() { f.Copy2(nil, &n, nil, 0, 0) }))
	var zero ffi.WordFunc
	assert.Equal(t, hffi.EINVAL, codeOf(func() { zero.Call0() }))
}

// TestBindErrors: a missing symbol and a symbol that needs a call frame
// are refused when binding, with the symbol's name.
func TestBindErrors(t *testing.T) {
	_, lib := frame(t)
	_, err := lib.Sym("fr_no_such_function").WordFunc()
	require.ErrorIs(t, err, hffi.ENOTFOUND)
	assert.Contains(t, err.Error(), "fr_no_such_function")
	_, err = lib.Sym("fr_vsum").Variadic(1).WordFunc()
	require.ErrorIs(t, err, hffi.EINVAL)
	assert.Contains(t, err.Error(), "fr_vsum")
}

// TestNoEscape: a generated method makes no Go heap allocation, and the
// caller's out-parameter stays on its stack (a bound func value, like a
// cgo call, moves it to the heap: BenchmarkCallOut).
func TestNoEscape(t *testing.T) {
	if asanEnabled {
		t.Skip("allocation counts do not hold under -asan")
	}
	f, _ := frame(t)
	dst, src := make([]byte, 64), make([]byte, 64)
	allocs := testing.AllocsPerRun(100, func() {
		n := uint64(len(dst))
		f.Copy2(dst, &n, src, uint64(len(src)), 1)
		if n != 64 {
			panic("wrong length")
		}
	})
	assert.Zero(t, allocs)
}

// TestConcurrent: goroutines calling generated methods at once each get
// their own scratch memory.
func TestConcurrent(t *testing.T) {
	f, _ := frame(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				size := 1 + (g*131+i*17)%6000
				src := bytes.Repeat([]byte{byte(g)}, size)
				dst := make([]byte, size)
				n := uint64(size)
				f.Copy2(dst, &n, src, uint64(size), int32(g+100))
				if n != uint64(size) || dst[0] != byte(g+100) || !bytes.Equal(dst[1:], src[1:]) {
					t.Errorf("goroutine %d, call %d: wrong copy", g, i)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkCopy2(b *testing.B) {
	f, _ := frame(b)
	dst, src := make([]byte, 64), make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		n := uint64(len(dst))
		f.Copy2(dst, &n, src, uint64(len(src)), 1)
	}
}

// TestOut: scalar, double, buffer and pointer out-parameters, each also
// as nil (NULL).
func TestOut(t *testing.T) {
	f, _ := frame(t)
	n, d := int64(20), 0.0
	buf := []byte{10, 20, 30}
	var obj unsafe.Pointer
	require.Equal(t, int32(7), f.Out(&n, &d, buf, uintptr(len(buf)), &obj))
	assert.Equal(t, int64(41), n)
	assert.Equal(t, 0.5, d)
	assert.Equal(t, []byte{11, 22, 33}, buf)
	require.NotNil(t, obj)
	assert.Equal(t, int32(1), f.IsObject(obj))
	// A C pointer already in the variable goes in as it is.
	require.Equal(t, int32(7), f.Out(nil, nil, nil, 0, &obj))
	assert.Equal(t, int32(1), f.IsObject(obj))
	require.Equal(t, int32(7), f.Out(nil, nil, nil, 0, nil))
}

// TestOutGoPointer: an unsafe.Pointer variable that holds a Go pointer
// is refused (hffi.EINVAL) instead of being handed to C in its copy, by
// the generated code and by a bound function of either path (the copy
// path, and the call frame that a float parameter needs).
func TestOutGoPointer(t *testing.T) {
	f, lib := frame(t)
	goMem := new([64]byte)
	var bound func(n *int64, d *float64, buf []byte, size uintptr, obj *unsafe.Pointer) int32
	require.NoError(t, ffi.Bind5(&bound, lib.Sym("fr_out")))
	var viaFrame func(n *int64, d *float64, buf []byte, size uintptr, obj *unsafe.Pointer, x float64) int32
	require.NoError(t, ffi.Bind6(&viaFrame, lib.Sym("fr_out")), "a trailing double C ignores: the call takes a frame")
	for name, call := range map[string]func(*unsafe.Pointer) int32{
		"generated":  func(p *unsafe.Pointer) int32 { return f.Out(nil, nil, nil, 0, p) },
		"copy path":  func(p *unsafe.Pointer) int32 { return bound(nil, nil, nil, 0, p) },
		"call frame": func(p *unsafe.Pointer) int32 { return viaFrame(nil, nil, nil, 0, p, 1.5) },
	} {
		obj := unsafe.Pointer(goMem)
		func() {
			defer func() {
				e, _ := recover().(error)
				require.ErrorIs(t, e, hffi.EINVAL, name)
				assert.Contains(t, e.Error(), "parameter", name)
			}()
			call(&obj)
			t.Errorf("%s: a Go pointer was handed to C", name)
		}()
		assert.Equal(t, unsafe.Pointer(goMem), obj, "%s: left as it was", name)
		var cptr unsafe.Pointer
		require.Equal(t, int32(7), call(&cptr), name)
		assert.Equal(t, int32(1), f.IsObject(cptr), name)
	}
}
