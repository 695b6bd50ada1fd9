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
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := 0; i < 3000 && time.Now().Before(deadline); i++ {
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
	for i := 0; b.Loop(); i++ {
		n := uint64(len(dst))
		blk := getSmallBlock()
		d := uintptr(blk)
		memcopy(blk, unsafe.Pointer(&dst[0]), sz)
		*(*uint64)(ptrFromAddr(d + 64)) = n
		memcopy(ptrFromAddr(d+72), unsafe.Pointer(&src[0]), sz)
		r := callW5(fn, d, d+64, d+72, 64, uintptr(i))
		memcopy(unsafe.Pointer(&dst[0]), blk, sz)
		n = *(*uint64)(ptrFromAddr(d + 64))
		memcopy(unsafe.Pointer(&src[0]), ptrFromAddr(d+72), sz)
		putSmallBlock(blk, false)
		floorSink = r + uintptr(n)
	}
}
