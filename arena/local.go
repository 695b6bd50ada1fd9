// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

// Sizes of the chunks a Local reserves (see Local.chunkSize), and the
// largest allocation it carves from one; larger ones go straight to the
// arena, so at most localDirect-1 bytes of a chunk are left unused when it
// is abandoned.
const (
	localChunk    = 16 << 10
	localChunkMax = 256 << 10
	localDirect   = 2 << 10
)

// Local allocates from an [Arena] for one goroutine at a time. It reserves
// chunks of the arena (one atomic operation per chunk) and carves
// allocations out of them with plain arithmetic, which makes small
// allocations several times cheaper than the Arena's own methods, whose
// every call is an atomic compare-and-swap. Allocations larger than 2 KiB
// go to the arena directly.
//
// Chunks are 16 KiB at first and double, up to 256 KiB (or an eighth of
// the arena's maximum size, if smaller, but never below 16 KiB), as the
// Local fills them. After a Reset, its first chunk is sized by what it
// took from its chunks before the Reset, so a goroutine that copies the
// same batch between Resets reserves one chunk per batch: the atomic
// operation, a full memory barrier that waits for every pending store of
// the copies before it, is paid once per batch, not once per 16 KiB.
//
// The arena itself stays safe for concurrent use: other goroutines and C
// threads may allocate from it at the same time, directly or through their
// own Local. What a Local hands out is arena memory like any other: valid
// until the arena's Reset or Free, usable with [Arena.Ref]. A Local notices
// Reset and Free by itself (it then reserves a new chunk, or fails with
// [hffi.ECLOSED]). Reserved but unused chunk space counts as used
// ([Arena.Used]) until the next Reset.
//
// A Local must not be copied after first use (go vet reports copies) and
// must not be used by two goroutines at once. Its methods make no Go heap
// allocation; a Local that does not escape lives on the stack.
//
//	a := pool.Get()
//	defer pool.Put(a)
//	l := a.Local()
//	for i, s := range args {
//		argv[i], err = l.CopyString(s)
//		...
//	}
type Local struct {
	_        noCopy
	a        *Arena
	base     unsafe.Pointer // a.base when the chunk was reserved
	epoch    uint64         // a.epoch when the chunk was reserved
	cur, end uint64         // free part of the chunk, as offsets from a.base
	start    uint64         // the chunk's first offset
	spent    uint64         // bytes used of the epoch's earlier chunks
	next     uint64         // size of the next chunk within the epoch
}

// noCopy makes go vet's copylocks check report copies of a Local.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// Local returns a single-goroutine allocator on a (see [Local]). It
// reserves nothing until its first allocation.
func (a *Arena) Local() Local { return Local{a: a, epoch: noEpoch} }

// noEpoch is an epoch no arena has (they count up from 1, or are 0 when
// they never worked), so a new Local reserves a chunk first.
const noEpoch = ^uint64(0)

// Arena returns the arena l allocates from.
func (l *Local) Arena() *Arena { return l.a }

// CopyString is [Arena.CopyString] for one goroutine: it copies s and a
// terminating NUL, 8-aligned.
func (l *Local) CopyString(s string) (unsafe.Pointer, error) {
	// The bound comes first: l.end is 0 until a chunk was reserved (by
	// slow, with l.a non-nil), so l.a is never nil past it, and
	// cur+len(s) cannot wrap (cur is an arena offset). It cannot be made
	// inlinable: the rest costs 62 of the compiler's budget of 80, and
	// the call to the slow path 57 more (28 as a call of a parameter).
	if cur := (l.cur + 7) &^ 7; cur+uint64(len(s)) < l.end && l.a.epoch == l.epoch {
		l.cur = cur + uint64(len(s)) + 1
		return copyString(unsafe.Add(l.base, cur), s), nil
	}
	return l.copyStringSlow(s)
}

// MustCopyString is [Local.CopyString] for callers that treat a failure as
// fatal, as C.CString does: it returns the copy and panics with the error
// CopyString returns (which wraps an [hffi.Code]: errors.Is(err,
// hffi.ENOMEM) when the arena is full, hffi.ECLOSED once it is freed).
//
// It is as fast as a copy behind any function call can be: with no error
// result, a caller keeps the one result in a register, where an error
// result is stored to the caller's stack and loaded back on every call,
// behind the copy's pending stores.
func (l *Local) MustCopyString(s string) unsafe.Pointer {
	// CopyString's fast path, repeated: an inlined helper shared by the
	// two cost 3 instructions more per call in either (bench/instr.sh),
	// and TestLocalCopyStringEdges checks both at the chunk's end.
	if cur := (l.cur + 7) &^ 7; cur+uint64(len(s)) < l.end && l.a.epoch == l.epoch {
		l.cur = cur + uint64(len(s)) + 1
		return copyString(unsafe.Add(l.base, cur), s)
	}
	return l.mustCopyStringSlow(s)
}

func (l *Local) mustCopyStringSlow(s string) unsafe.Pointer {
	p, err := l.copyStringSlow(s)
	if err != nil {
		panic(err)
	}
	return p
}

// copyStringSlow is CopyString past its chunk.
func (l *Local) copyStringSlow(s string) (unsafe.Pointer, error) {
	p, err := l.slow(uint64(len(s))+1, abi.RefOffScale)
	if err != nil {
		return nil, err
	}
	return copyString(p, s), nil
}

// CopyBytes is [Arena.CopyBytes] for one goroutine.
func (l *Local) CopyBytes(b []byte) (unsafe.Pointer, error) {
	p, err := l.AllocUninit(uintptr(len(b)), abi.RefOffScale)
	if err == nil && len(b) > 0 {
		copy(unsafe.Slice((*byte)(p), len(b)), b)
	}
	return p, err
}

// Alloc is [Arena.Alloc] for one goroutine: size zeroed bytes aligned to
// align, a power of two no larger than the page size.
func (l *Local) Alloc(size, align uintptr) (unsafe.Pointer, error) {
	p, err := l.AllocUninit(size, align)
	if err == nil && size > 0 {
		clear(unsafe.Slice((*byte)(p), size))
	}
	return p, err
}

// AllocUninit is [Arena.AllocUninit] for one goroutine.
func (l *Local) AllocUninit(size, align uintptr) (unsafe.Pointer, error) {
	if a := l.a; a != nil && a.epoch == l.epoch && align-1 < 8 && align&(align-1) == 0 {
		cur := (l.cur + uint64(align) - 1) &^ (uint64(align) - 1)
		if cur <= l.end && uint64(size) <= l.end-cur {
			l.cur = cur + uint64(size)
			return unsafe.Add(l.base, cur), nil
		}
	}
	return l.slow(uint64(size), uint64(align))
}

// slow reserves a new chunk (or allocates directly) when the current one
// is used up, gone with a Reset, or not yet reserved.
func (l *Local) slow(size, align uint64) (unsafe.Pointer, error) {
	a := l.a
	if a == nil {
		return nil, errNoArena
	}
	if align-1 >= uint64(shm.PageSize()) || align&(align-1) != 0 {
		return nil, allocErrs.of(hffi.EALIGN)
	}
	if a.epoch != l.epoch {
		// The chunk went with a Reset or Free. The epoch is taken only
		// with a new chunk, so the fast paths stay off until then. What
		// the last epoch used sizes the first chunk of this one, once:
		// with no chunk (l.end is 0) an earlier call of this epoch did
		// it already, then allocated directly (too large for a chunk,
		// or none fit), and l.next must survive it.
		if l.end != 0 {
			used := l.spent + l.cur - l.start
			l.next = used + used/8
		}
		l.cur, l.end, l.start, l.spent = 0, 0, 0, 0
	} else if cur := (l.cur + align - 1) &^ (align - 1); cur <= l.end && size <= l.end-cur {
		l.cur = cur + size // a large alignment that still fits
		return unsafe.Add(a.base, cur), nil
	}
	// size first: size+align wraps for a size near 2^64 (an overflowed
	// count times element size), which must fail in bump, not take a
	// chunk and move l.cur below it.
	if size > localDirect || size+align > localDirect {
		return a.bump(size, align)
	}
	n := l.chunkSize()
	c, err := a.bump(n, abi.RefOffScale)
	if err != nil && n > localChunk {
		n = localChunk
		c, err = a.bump(n, abi.RefOffScale)
	}
	if err != nil {
		// Near the arena's end: allocate what fits, keep the old chunk.
		return a.bump(size, align)
	}
	l.epoch, l.base = a.epoch, a.base
	l.spent += l.cur - l.start
	l.next = 2 * n
	off := uint64(uintptr(c) - uintptr(a.base))
	l.start, l.end = off, off+n
	cur := (off + align - 1) &^ (align - 1)
	l.cur = cur + size
	return unsafe.Add(a.base, cur), nil
}

// chunkSize is the size of the chunk to reserve: l.next (twice the last
// chunk, or what the last epoch used plus an eighth) rounded up to 4 KiB,
// at least localChunk, at most localChunkMax and an eighth of the arena.
func (l *Local) chunkSize() uint64 {
	n := (l.next + 4095) &^ 4095
	return max(localChunk, min(n, localChunkMax, l.a.size()/8&^7))
}
