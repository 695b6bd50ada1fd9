// SPDX-License-Identifier: Apache-2.0

//go:build (linux || darwin) && (amd64 || arm64)

package callconv

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Frames live in off-heap memory that is never moved or unmapped: C and
// the trampoline hold a frame's address for the whole call, and a Go
// callback made during the call may grow the goroutine's stack, which
// copies it elsewhere (see RATIONALE_callconv.md). A frame on the stack,
// or anywhere Go may move or free, would be written after it moved.
//
// Behind the per-P cache of pcache.go, each pool is a lock-free stack
// (Treiber) of slots: getting and putting a frame are one compare-and-swap
// each on the pool's head, with no allocation. The head packs a tag,
// bumped on every change so that a slot popped and pushed back between
// another goroutine's load and CAS fails that CAS (ABA), with the index+1
// of the first free slot (0: the pool is empty). An empty pool grows by
// mapping a chunk twice the size of the last, under a mutex.

// A slot is a slotPrefix followed by a frame.
type slotPrefix struct {
	next  uint32 // index+1 of the next free slot while free; atomic
	index uint32 // the slot's index in its pool
	pool  uint32 // index in pools
	state uint32 // slotFree or slotUsed
}

const (
	prefixSize = unsafe.Sizeof(slotPrefix{})

	// Arbitrary words, so that a Frame that is not a pool's (declared as
	// a variable: it would move) is caught with near certainty.
	slotFree = 0x46524545
	slotUsed = 0xcc5e_f4a7

	maxChunks = 32
)

type framePool struct {
	head     atomic.Uint64
	_        [56]byte // keeps the contended head on its own cache line
	id       uint32   // index in pools
	slotSize uintptr
	shift    uint                            // chunk 0 holds 1<<shift slots, chunk k 1<<(shift+k)
	chunks   [maxChunks]atomic.Pointer[byte] // each chunk mapped so far
	mu       sync.Mutex                      // serializes growth
	nchunk   int                             // chunks mapped, under mu
}

// pools[0] serves plans with Large() == false, pools[1] the others.
var pools = [2]framePool{
	{id: 0, slotSize: slotSizeFor(SmallTail), shift: 6},
	{id: 1, slotSize: slotSizeFor(LargeTail), shift: 2},
}

// slotSizeFor rounds a slot up to whole cache lines, so that frames in
// use on different threads do not share one.
func slotSizeFor(tail uintptr) uintptr { return (prefixSize + offTail + tail + 63) &^ 63 }

// slot returns the slot with index i, which must have been mapped.
func (q *framePool) slot(i uint32) *slotPrefix {
	// Chunk k holds the indexes from (2^k-1)<<shift to (2^(k+1)-1)<<shift.
	k := bits.Len32(i>>q.shift+1) - 1
	first := (uint32(1)<<k - 1) << q.shift
	return (*slotPrefix)(unsafe.Add(unsafe.Pointer(q.chunks[k].Load()), uintptr(i-first)*q.slotSize))
}

func (q *framePool) get() *slotPrefix {
	for {
		old := q.head.Load()
		i := uint32(old)
		if i == 0 {
			if s := q.grow(); s != nil {
				return s
			}
			continue
		}
		s := q.slot(i - 1)
		// s may be taken (and its next reused) by another goroutine
		// between these loads and the CAS; the tag makes the CAS fail then.
		next := atomic.LoadUint32(&s.next)
		if q.head.CompareAndSwap(old, (old>>32+1)<<32|uint64(next)) {
			s.state = slotUsed
			return s
		}
	}
}

// push puts the list of free slots from first to last (linked by next) on
// top of the stack.
func (q *framePool) push(first, last *slotPrefix) {
	for {
		old := q.head.Load()
		atomic.StoreUint32(&last.next, uint32(old))
		if q.head.CompareAndSwap(old, (old>>32+1)<<32|uint64(first.index+1)) {
			return
		}
	}
}

// grow maps a new chunk and returns its first slot, in use, after pushing
// the others; or returns nil if another goroutine grew the pool meanwhile.
func (q *framePool) grow() *slotPrefix {
	q.mu.Lock()
	defer q.mu.Unlock()
	if uint32(q.head.Load()) != 0 {
		return nil
	}
	k := q.nchunk
	if k == maxChunks {
		panic("callconv: frame pool exhausted")
	}
	n := uintptr(1) << (q.shift + uint(k))
	mem, err := unix.MmapPtr(-1, 0, nil, n*q.slotSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		panic(fmt.Sprintf("callconv: mapping %d frames: %v", n, err))
	}
	first := (uint32(1)<<k - 1) << q.shift
	for j := range n {
		s := (*slotPrefix)(unsafe.Add(mem, j*q.slotSize))
		s.index = first + uint32(j)
		s.pool = q.id
		s.state = slotFree
		if j+1 < n {
			s.next = s.index + 2 // the next slot's index+1
		}
	}
	q.chunks[k].Store((*byte)(mem))
	q.nchunk++
	s0 := (*slotPrefix)(mem)
	s0.state = slotUsed
	if n > 1 {
		q.push(q.slot(first+1), q.slot(first+uint32(n)-1))
	}
	return s0
}

// frameOf returns the frame in slot s.
func frameOf(s *slotPrefix) *Frame { return (*Frame)(unsafe.Add(unsafe.Pointer(s), prefixSize)) }

// prefixOf returns the prefix of the slot that holds f.
func prefixOf(f *Frame) *slotPrefix {
	return (*slotPrefix)(unsafe.Add(unsafe.Pointer(f), -int(prefixSize)))
}

// GetFrame returns a frame for one call of p, large enough for p, in
// memory that neither moves nor is freed while C uses it. Fill it with
// Word and Arg, call with Call, read the result with Result, then give it
// back with PutFrame. Its contents are left over from earlier calls: the
// Plan's methods write every word the call reads.
//
// It usually takes the frame cached for the current P (pcache.go), else
// costs one compare-and-swap on a shared word; it allocates nothing
// (except when every frame is in use: the pool then maps more memory).
func (p *Plan) GetFrame() *Frame {
	c := uint32(0)
	if p.tail > SmallTail {
		c = 1
	}
	if s := getCached(c); s != nil {
		s.state = slotUsed
		return frameOf(s)
	}
	return frameOf(pools[c].get())
}

// PutFrame gives back a frame from GetFrame once its call has returned
// and its result has been read; f must not be used afterwards. Defer it
// if a Go callback made during the call may panic or call runtime.Goexit:
// otherwise the frame is never reused (a bounded leak of one frame per
// such call, never a fault).
func PutFrame(f *Frame) {
	s := prefixOf(f)
	if s.state != slotUsed {
		panic("callconv: PutFrame of a frame that is not in use (put twice, or not from GetFrame)")
	}
	s.state = slotFree
	if !putCached(s.pool, s) {
		pools[s.pool&1].push(s, s)
	}
}

// inUse panics unless f came from GetFrame and was not given back.
func inUse(f *Frame) {
	if prefixOf(f).state != slotUsed {
		panic("callconv: call with a frame not from GetFrame, or already given back")
	}
}
