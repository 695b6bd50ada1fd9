// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"bytes"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The copy path (call_copy.go) runs on the cgo backend; on purego the same
// signatures take the general path, and these tests check that both give
// the same results.

func TestCallCopyPathChosen(t *testing.T) {
	p, err := newPlan(frSym(t, "fr_copy2"), reflect.TypeFor[int32](), reflect.TypeFor[[]byte](),
		reflect.TypeFor[*uint64](), reflect.TypeFor[In[byte]](), reflect.TypeFor[uint64](), reflect.TypeFor[int32]())
	require.NoError(t, err)
	assert.Equal(t, wantBackend == "cgo", p.c != nil, "compress2's shape takes the copy path on cgo only")
	p, err = newPlan(frSym(t, "fr_copy2"), reflect.TypeFor[float64](), reflect.TypeFor[[]byte]())
	require.NoError(t, err)
	assert.Nil(t, p.c, "a float result is not a word")
}

// C writes the whole of two buffers of odd lengths and an out-parameter
// after them: each copy gets its own 8-byte aligned room, and nothing
// spills into its neighbour.
func TestCallCopyWholeBuffers(t *testing.T) {
	var fill2 func([]byte, uintptr, []byte, uintptr, *int64)
	frBind(t, &fill2, "fr_fill2", BindVoid5)
	for _, sz := range [][2]int{{3, 5}, {1, 1}, {8, 8}, {7, 64}, {64, 9}, {0, 13}, {1000, 3000}, {smallBlock, 1}} {
		a, b := make([]byte, sz[0]), make([]byte, sz[1])
		n := int64(-1)
		fill2(a, uintptr(len(a)), b, uintptr(len(b)), &n)
		assert.Equal(t, bytes.Repeat([]byte{0xaa}, sz[0]), a, "sizes %v", sz)
		assert.Equal(t, bytes.Repeat([]byte{0xbb}, sz[1]), b, "sizes %v", sz)
		assert.Equal(t, int64(sz[0]+sz[1]), n, "sizes %v", sz)
	}
	// A slice is copied back over its length only, not its capacity.
	a := make([]byte, 4, 16)
	b := a[8:12]
	var n int64
	fill2(a, 4, b, 4, &n)
	assert.Equal(t, []byte{0xaa, 0xaa, 0xaa, 0xaa, 0, 0, 0, 0, 0xbb, 0xbb, 0xbb, 0xbb, 0, 0, 0, 0}, a[:16])
}

// nil slices and pointers are NULL; a non-nil empty slice and an empty
// string are not, as C expects of a buffer of length 0.
func TestCallCopyNilAndEmpty(t *testing.T) {
	var nonnull func([]byte, *int64, In[byte], string) int32
	frBind(t, &nonnull, "fr_nonnull", Bind4)
	var n int64
	assert.Equal(t, int32(8), nonnull(nil, nil, nil, ""))
	assert.Equal(t, int32(15), nonnull([]byte{}, &n, In[byte]{}, ""))
	assert.Equal(t, int32(1|4|8), nonnull(make([]byte, 0, 8), nil, []byte{1}, "x"))
}

// An In[T] is copied in (C reads it) but not back (C's writes are lost).
func TestCallCopyIn(t *testing.T) {
	var copy2 func([]byte, *uint64, In[byte], uint64, int32) int32
	frBind(t, &copy2, "fr_copy2", Bind5)
	src, dst := []byte{1, 2, 3, 4, 5}, make([]byte, 8)
	n := uint64(len(dst))
	require.Equal(t, int32(0), copy2(dst, &n, src, uint64(len(src)), 9))
	assert.Equal(t, uint64(5), n)
	assert.Equal(t, []byte{9, 2, 3, 4, 5, 0, 0, 0}, dst)

	var out func(*int64, *float64, In[byte], uintptr, *[1]uintptr) int32
	frBind(t, &out, "fr_out", Bind5)
	buf := []byte{10, 20, 30}
	require.Equal(t, int32(7), out(nil, nil, buf, 3, nil))
	assert.Equal(t, []byte{10, 20, 30}, buf, "C wrote into an In: lost")
}

func TestCallCopyStrings(t *testing.T) {
	var cat func(string, string, []byte, uintptr) int32
	frBind(t, &cat, "fr_cat", Bind4)
	out := make([]byte, 12)
	assert.Equal(t, int32(9), cat("hello", ", go", out, uintptr(len(out))))
	assert.Equal(t, "hello, go\x00\x00\x00", string(out))
	assert.Equal(t, int32(0), cat("", "", out, uintptr(len(out))))
	assert.Equal(t, make([]byte, 12), out)
	long := string(bytes.Repeat([]byte{'s'}, smallBlock))
	big := make([]byte, smallBlock+2)
	assert.Equal(t, int32(smallBlock+1), cat(long, "!", big, uintptr(len(big))), "copies over a small block")
	assert.Equal(t, long+"!\x00", string(big))
}

// growStack uses about n KiB of goroutine stack, so that a goroutine
// with a small stack gets a new, larger one (and its frames move).
//
//go:noinline
func growStack(n int) int {
	var pad [1024]byte
	pad[n%1024] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return growStack(n-1) + int(pad[n%1024])
}

// A callback in the middle of a copy-path call calls the same function
// again (its own copies, in another scratch block) and moves the
// goroutine's stack; each level's buffer and out-parameter get what C
// wrote for that level.
func TestCallCopyNestedStackMove(t *testing.T) {
	ftNoLeaks(t)
	var outCB func(uintptr, uintptr, int, []byte, uintptr, *int64) int32
	frBind(t, &outCB, "fr_out_cb", Bind6)
	var c *Callback
	c = ftMust(t)(NewCallback1(func(depth int) int {
		growStack(64 * depth)
		if depth == 0 {
			return 1
		}
		buf := []byte{byte(10 * depth), 0, 0}
		n := int64(100)
		r := outCB(c.Fn(), uintptr(c.Handle()), depth-1, buf, uintptr(len(buf)), &n)
		want := []byte{byte(10*depth + depth - 1), byte(10*depth + depth), byte(10*depth + depth + 1)}
		if r != int32(depth-1) || !bytes.Equal(buf, want) {
			panic(fmt.Sprintf("depth %d: got %d %v, want %v", depth, r, buf, want))
		}
		return int(n)
	}))
	done := make(chan struct{})
	go func() { // a fresh goroutine: a small stack, moved by growStack
		defer close(done)
		buf := []byte{5, 0, 0, 0}
		n := int64(1000)
		r := outCB(c.Fn(), uintptr(c.Handle()), 4, buf, uintptr(len(buf)), &n)
		assert.Equal(t, int32(4), r)
		assert.Equal(t, []byte{9, 10, 11, 12}, buf)
		assert.Equal(t, int64(1000+401), n, "each level adds 100 to what the level below returned")
	}()
	<-done
}

// Many goroutines call at once, each with its own buffers: no copy lands
// in another call's Go variables.
func TestCallCopyConcurrent(t *testing.T) {
	var copy2 func([]byte, *uint64, []byte, uint64, int32) int32
	frBind(t, &copy2, "fr_copy2", Bind5)
	const minCalls = 500
	deadline := time.Now().Add(time.Second)
	var calls [16]int
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			// At least minCalls each, however late the goroutine starts:
			// the deadline alone let a stalled process end the test
			// without a call.
			i := 0
			defer func() { calls[g] = i }()
			for ; i < 3000 && (i < minCalls || time.Now().Before(deadline)); i++ {
				sz := 1 + (g*7+i)%200
				src := bytes.Repeat([]byte{byte(g)}, sz)
				dst := make([]byte, sz+3)
				n := uint64(len(dst))
				copy2(dst, &n, src, uint64(sz), int32(i))
				want := append(append([]byte{byte(i)}, src[1:]...), 0, 0, 0)
				if n != uint64(sz) || !bytes.Equal(dst, want) {
					t.Errorf("goroutine %d, call %d: n=%d dst=%v", g, i, n, dst)
					return
				}
			}
		})
	}
	wg.Wait()
	for g, n := range calls {
		assert.GreaterOrEqual(t, n, minCalls, "calls of goroutine %d", g)
	}
}

// copySmall copies exactly the n bytes it is given, for every n smallCopy
// takes, and memcopy the rest; neither writes past them.
func TestCopySmall(t *testing.T) {
	for n := uintptr(0); n <= 80; n++ {
		src, dst := make([]byte, n+16), make([]byte, n+16)
		for i := range src {
			src[i], dst[i] = byte(i+1), 0xee
		}
		s, d := unsafe.Pointer(&src[8]), unsafe.Pointer(&dst[8])
		if smallCopy(n) {
			copySmall(d, s, n)
		} else {
			memcopy(d, s, n)
		}
		want := bytes.Repeat([]byte{0xee}, len(dst))
		copy(want[8:8+n], src[8:8+n])
		require.Equal(t, want, dst, "n=%d", n)
	}
}

// Buffers of every size up to past a small copy and pointers of each
// kind, copied in and back together: C sees what Go had and Go what C
// wrote, and nothing after a buffer's length changes. A buffer over 64
// bytes takes the copy path's second loop (memcopy), the others copySmall.
func TestCallCopyBufferSizes(t *testing.T) {
	var out func(*int64, *float64, []byte, uintptr, *unsafe.Pointer) int32
	frBind(t, &out, "fr_out", Bind5)
	var isObject func(unsafe.Pointer) int32
	frBind(t, &isObject, "fr_is_object", Bind1)
	for n := 0; n <= 140; n++ {
		mem := make([]byte, n+9)
		for i := range mem {
			mem[i] = byte(3 * i)
		}
		buf := mem[:n:n]
		x, f := int64(n), 0.0
		var obj unsafe.Pointer
		require.Equal(t, int32(7), out(&x, &f, buf, uintptr(n), &obj))
		for i := range mem {
			want := byte(3 * i)
			if i < n {
				want += byte(i + 1)
			}
			require.Equal(t, want, mem[i], "n=%d, byte %d", n, i)
		}
		assert.Equal(t, int64(2*n+1), x, "n=%d", n)
		assert.Equal(t, 0.5, f, "n=%d", n)
		assert.Equal(t, int32(1), isObject(obj), "n=%d", n)
	}
	// nil pointers with a big buffer: NULL, and the buffer still copied.
	big := make([]byte, 200)
	require.Equal(t, int32(7), out(nil, nil, big, uintptr(len(big)), nil))
	for i := range big {
		require.Equal(t, byte(i+1), big[i], "byte %d", i)
	}
}

// The narrower integer parameters: int32 and uint32 inline, the others
// (the second loop) through wordOf, each next to copies.
func TestCallCopyNarrow(t *testing.T) {
	var c16 func([]byte, *uint64, []byte, uint64, int16) int32
	frBind(t, &c16, "fr_copy2", Bind5)
	var cu32 func([]byte, *uint64, In[byte], uint64, uint32) int32
	frBind(t, &cu32, "fr_copy2", Bind5)
	var c8 func([]byte, *uint64, []byte, uint64, int8) int32
	frBind(t, &c8, "fr_copy2", Bind5)
	src := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		name string
		call func(dst []byte, n *uint64) int32
		want byte
	}{
		{"int16", func(dst []byte, n *uint64) int32 { return c16(dst, n, src, uint64(len(src)), -3) }, 253},
		{"uint32", func(dst []byte, n *uint64) int32 { return cu32(dst, n, src, uint64(len(src)), 0xffff_ff42) }, 0x42},
		{"int8", func(dst []byte, n *uint64) int32 { return c8(dst, n, src, uint64(len(src)), -128) }, 128},
	} {
		dst := make([]byte, 12)
		n := uint64(len(dst))
		require.Equal(t, int32(0), tc.call(dst, &n), tc.name)
		assert.Equal(t, uint64(len(src)), n, tc.name)
		assert.Equal(t, append([]byte{tc.want}, append(src[1:], 0, 0)...), dst, tc.name)
	}
}

var floorSink uintptr

// BenchmarkCallOutFloor is the least any copy-in/copy-back call of
// compress2's shape can do, written out by hand for fr_copy2 on 64-byte
// buffers: one small block, three copies in, one call, three copies back
// (bench's BenchmarkCallOut/hffi does the same through a bound function).
// Its instruction count against the plain cgo call with Go pointers is
// the floor of the copy path (RATIONALE.md).
func BenchmarkCallOutFloor(b *testing.B) {
	fn := uintptr(frSym(b, "fr_copy2").addr)
	src, dst := make([]byte, 64), make([]byte, 64)
	sz := uintptr(len(dst)) // not a constant: see memcopy
	// cp copies as the copy path does: inline from 8 to 64 bytes.
	cp := func(dst, src unsafe.Pointer, n uintptr) {
		if smallCopy(n) {
			copySmall(dst, src, n)
		} else {
			memcopy(dst, src, n)
		}
	}
	for i := 0; b.Loop(); i++ {
		n := uint64(len(dst))
		blk := getSmallBlock()
		d := uintptr(blk)
		cp(blk, unsafe.Pointer(&dst[0]), sz)
		*(*uint64)(ptrFromAddr(d + 64)) = n
		cp(ptrFromAddr(d+72), unsafe.Pointer(&src[0]), sz)
		r := callW5(fn, d, d+64, d+72, 64, uintptr(i))
		cp(unsafe.Pointer(&dst[0]), blk, sz)
		n = *(*uint64)(ptrFromAddr(d + 64))
		cp(unsafe.Pointer(&src[0]), ptrFromAddr(d+72), sz)
		putSmallBlock(blk, false)
		floorSink = r + uintptr(n)
	}
}
