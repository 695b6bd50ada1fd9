// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
)

// TestScratchPlaces: copies go into the small block while they fit, then
// into a pooled arena; a first copy larger than the block goes straight
// to the arena; every copy is 8-aligned, distinct, and holds its bytes.
func TestScratchPlaces(t *testing.T) {
	var s Scratch
	defer s.Release()
	type copyAt struct {
		addr uintptr
		want []byte
	}
	var copies []copyAt
	for i, n := range []int{9000, 1, 64, 3000, 1000, 0, 17, 5000} {
		b := bytes.Repeat([]byte{byte(i + 1)}, n)
		d := CopySliceIn(&s, b)
		require.NotZero(t, d, "copy %d", i)
		assert.Zero(t, d%8, "copy %d aligned", i)
		copies = append(copies, copyAt{d, b})
		if i == 0 {
			assert.Nil(t, s.base, "a first copy larger than the block takes no block")
			assert.NotNil(t, s.a)
		}
		if i == 1 {
			require.NotNil(t, s.base, "a small copy takes the block")
		}
	}
	blk := uintptr(s.base)
	inBlock := func(d uintptr) bool { return d >= blk && d < blk+smallBlock }
	assert.False(t, inBlock(copies[0].addr))
	assert.True(t, inBlock(copies[1].addr))
	assert.True(t, inBlock(copies[3].addr))
	assert.False(t, inBlock(copies[7].addr), "past the block's room: the arena")
	for i, c := range copies {
		assert.Equal(t, c.want, unsafe.Slice((*byte)(ptrFromAddr(c.addr)), len(c.want)), "copy %d", i)
	}
}

// TestScratchNils: nil gives 0 (NULL), empty gives a valid address, a
// string its NUL, and copy-backs of 0 do nothing.
func TestScratchNils(t *testing.T) {
	var s Scratch
	defer s.Release()
	assert.Zero(t, CopySliceIn[byte](&s, nil))
	assert.Zero(t, CopyIn[int32](&s, nil))
	assert.Zero(t, CopyPointerIn(&s, nil))
	assert.Nil(t, s.base, "nothing copied: no block taken")
	e := CopySliceIn(&s, []uint64{})
	assert.NotZero(t, e, "an empty slice is a valid address")
	assert.NotNil(t, s.base)
	assert.NotZero(t, CopySliceIn(&s, []uint64{}))
	z := s.String("")
	require.NotZero(t, z)
	assert.Equal(t, byte(0), *(*byte)(ptrFromAddr(z)))
	p := s.String("abc")
	assert.Equal(t, "abc\x00", string(unsafe.Slice((*byte)(ptrFromAddr(p)), 4)))
	x := int32(5)
	CopyBack(&x, 0)
	assert.Equal(t, int32(5), x)
	CopySliceBack([]byte{1}, 0)
	var up unsafe.Pointer
	CopyPointerBack(&up, 0)
	assert.Nil(t, up)
}

// TestScratchRoundTrip: values written at the copies' addresses (as C
// would) come back through the copy-backs, for each width.
func TestScratchRoundTrip(t *testing.T) {
	var s Scratch
	defer s.Release()
	i8, u16, f32, f64, b := int8(-3), uint16(7), float32(1.5), 2.25, false
	d8, d16, d32, d64, db := CopyIn(&s, &i8), CopyIn(&s, &u16), CopyIn(&s, &f32), CopyIn(&s, &f64), CopyIn(&s, &b)
	assert.Equal(t, int8(-3), *(*int8)(ptrFromAddr(d8)))
	*(*int8)(ptrFromAddr(d8)) = 100
	*(*uint16)(ptrFromAddr(d16)) = 65535
	*(*float32)(ptrFromAddr(d32)) = -0.5
	*(*float64)(ptrFromAddr(d64)) = 1e300
	*(*bool)(ptrFromAddr(db)) = true
	CopyBack(&i8, d8)
	CopyBack(&u16, d16)
	CopyBack(&f32, d32)
	CopyBack(&f64, d64)
	CopyBack(&b, db)
	assert.Equal(t, []any{int8(100), uint16(65535), float32(-0.5), 1e300, true}, []any{i8, u16, f32, f64, b})
	xs := []int32{1, 2, 3}
	dx := CopySliceIn(&s, xs)
	unsafe.Slice((*int32)(ptrFromAddr(dx)), 3)[1] = -9
	CopySliceBack(xs, dx)
	assert.Equal(t, []int32{1, -9, 3}, xs)
	cmem := unsafe.Pointer(&fr.lib) // not a Go heap object: a global
	up := cmem
	dp := CopyPointerIn(&s, &up)
	assert.Equal(t, uintptr(cmem), *(*uintptr)(ptrFromAddr(dp)))
	*(*uintptr)(ptrFromAddr(dp)) = 0
	CopyPointerBack(&up, dp)
	assert.Nil(t, up)
}

// TestScratchGoPointer: a *unsafe.Pointer whose variable holds a Go heap
// pointer is refused before anything is copied.
func TestScratchGoPointer(t *testing.T) {
	var s Scratch
	defer s.Release()
	goMem = new([32]byte) // in the heap: escapes to a global
	up := unsafe.Pointer(goMem)
	defer func() {
		e, _ := recover().(error)
		require.ErrorIs(t, e, hffi.EINVAL)
		assert.Nil(t, s.base, "nothing copied")
	}()
	CopyPointerIn(&s, &up)
	t.Error("a Go pointer was copied for C")
}

var goMem *[32]byte

// TestScratchRelease: Release gives both the block and the arena back
// (the next Scratch on this P gets the same block), twice is harmless,
// and a released Scratch works again.
func TestScratchRelease(t *testing.T) {
	var s Scratch
	CopySliceIn(&s, make([]byte, 10))
	CopySliceIn(&s, make([]byte, 10000))
	require.NotNil(t, s.base)
	require.NotNil(t, s.a)
	s.Release()
	assert.Nil(t, s.base)
	assert.Nil(t, s.a)
	assert.Zero(t, s.left)
	s.Release()
	d := CopySliceIn(&s, []byte{42})
	assert.Equal(t, byte(42), *(*byte)(ptrFromAddr(d)))
	s.Release()
}

// TestScratchDebugPoison: in debug mode a released block is poisoned, as
// reset arena memory is, so C reading a copy after the call sees garbage
// at once rather than stale data.
func TestScratchDebugPoison(t *testing.T) {
	old := hffi.SetDebug(true)
	defer hffi.SetDebug(old)
	var s Scratch
	d := CopySliceIn(&s, bytes.Repeat([]byte{7}, 64))
	require.True(t, s.debug)
	s.Release()
	assert.Equal(t, bytes.Repeat([]byte{arena.Poison}, 64), unsafe.Slice((*byte)(ptrFromAddr(d)), 64))
}

// TestWordFuncCalls: Call0 ... Call6 pass their words in order.
func TestWordFuncCalls(t *testing.T) {
	sym := frSym(t, "fr_narrow6")
	f, err := sym.WordFunc()
	require.NoError(t, err)
	assert.Equal(t, "fr_narrow6", f.Symbol().Name())
	neg := func(v int64) uintptr { return uintptr(v) }
	got := int64(f.Call6(neg(-1), 2, neg(-3), 4, 1, neg(-6)))
	assert.Equal(t, int64(-1+2*2+3*-3+4*4+5*1+6*-6), got)
	g, err := frSym(t, "fr_free_count").WordFunc()
	require.NoError(t, err)
	g.Call0()
	for n, sym := range map[int]string{1: "fr_neg8", 2: "fr_fail", 3: "fr_neg8", 4: "fr_nonnull", 5: "fr_copy2"} {
		_, err := frSym(t, sym).WordFunc()
		require.NoError(t, err, "%d words", n)
	}
}
