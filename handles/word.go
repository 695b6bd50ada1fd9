// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

// This file is the Go twin of csrc/hffi_handles.c: slot words, the
// lock-free free and reap lists, and growth under grow_lock, on the same
// off-heap memory and with the same protocol (see "Handle tables" in
// hffi.h).

// Handles pack into 64 bits; uintptr must hold them.
var _ [unsafe.Sizeof(uintptr(0)) - 8]struct{}

const (
	slotSize   = unsafe.Sizeof(abi.Slot{})
	genMask32  = uint32(abi.SlotGenMask)
	stateMask  = uint64(3) << abi.SlotStateShift
	kindMask   = uint64(3) << abi.SlotKindShift
	retainOne  = uint64(1) << abi.SlotRetainShift
	wordLive   = uint32(abi.SlotLive) << abi.SlotStateShift
	wordCObj   = uint32(abi.KindCObj) << abi.SlotKindShift
	listMask   = abi.ListIndexMask
	listTag1   = uint64(1) << abi.ListTagShift
	tableShift = abi.HandleTableShift
	indexMask  = uint32(abi.HandleIndexMax)
	// MaxLimit is the largest number of slots a table may have.
	MaxLimit = abi.HandleIndexMax + 1
)

func wordState(w uint64) uint64 { return (w & stateMask) >> abi.SlotStateShift }
func wordKind(w uint64) uint64  { return (w & kindMask) >> abi.SlotKindShift }
func wordGen(w uint64) uint32   { return uint32(w) & genMask32 }
func wordCount(w uint64) uint64 { return w >> abi.SlotRetainShift }

func mkWord(gen uint32, state, kind uint64) uint64 {
	return uint64(gen) | state<<abi.SlotStateShift | kind<<abi.SlotKindShift
}

// freedWord is the word of a slot whose handle of generation wordGen(w)
// was just deleted: FREE at the next generation, or RETIRED when no
// further generation may be issued (a generation never repeats).
func freedWord(w uint64) uint64 {
	next := wordGen(w) + 1
	if next >= abi.HandleGenMax {
		return mkWord(abi.HandleGenMax, abi.SlotRetired, 0)
	}
	return mkWord(next, abi.SlotFree, 0)
}

func makeHandle(table, gen, index uint32) Handle {
	return Handle(abi.MakeHandle(table, gen, index))
}

// slotAt returns slot i of the off-heap array at base.
func slotAt(base unsafe.Pointer, i uint32) *abi.Slot {
	return (*abi.Slot)(unsafe.Add(base, uintptr(i)*slotSize))
}

// bases holds the off-heap slot array of every table id that was ever
// used (as unsafe.Pointer, so that no address is ever rebuilt from an
// integer). Set once per id before the table is LIVE, never changed.
var bases [abi.TableSlots]unsafe.Pointer

func baseOf(id uint32) unsafe.Pointer { return atomic.LoadPointer(&bases[id]) }

// listPush pushes the chain first..last, already linked through Next, on
// the Treiber stack at head. The link is a plain store: the CAS that
// follows publishes it, and a popper that reads a stale link loses its CAS
// to the tag.
func listPush(head *uint64, base unsafe.Pointer, first, last uint32) {
	s := slotAt(base, last)
	for {
		h := atomic.LoadUint64(head)
		s.Next = h & listMask
		if atomic.CompareAndSwapUint64(head, h, uint64(first)+1|(h&^listMask+listTag1)) {
			return
		}
	}
}

// listTakeAll empties the stack at head and returns its first index + 1
// (0 if it was empty); the chain is then the caller's alone.
func listTakeAll(head *uint64) uint64 {
	for {
		h := atomic.LoadUint64(head)
		if h&listMask == 0 {
			return 0
		}
		if atomic.CompareAndSwapUint64(head, h, h&^listMask+listTag1) {
			return h & listMask
		}
	}
}

// runSlots is the length of a run: the aligned slots whose Go-side slots
// share a pair of cache lines (8 x 16 bytes, the 128 bytes an adjacent-line
// prefetcher fetches together) and whose slot words fill four whole lines
// (8 x 32 bytes). A Go shard owns whole runs, so two cores never write one
// line (see shards.go); hffi.h's free list keeps runs together for it.
const (
	runShift = 3
	runSlots = 1 << runShift
)

// runLen is the number of slots of the run of idx in a table of the given
// limit (the last run of a table whose limit is not a multiple of runSlots
// is short).
func runLen(idx uint32, limit uint64) uint32 {
	start := uint64(idx) &^ (runSlots - 1)
	return uint32(min(runSlots, limit-start))
}

// slotAlloc pops a FREE slot of the table hdr/base, growing it if needed:
// the Go twin of _hffi_slot_alloc, used by debug tables (which have no
// shards) and when a table is full.
func slotAlloc(hdr *abi.Table, base unsafe.Pointer) (uint32, hffi.Code) {
	for {
		h := atomic.LoadUint64(&hdr.FreeHead)
		i1 := h & listMask
		if i1 == 0 {
			first, n, code := growRun(hdr, base)
			if code == again {
				continue
			}
			if code == hffi.OK && n > 1 {
				// As _hffi_table_grow: the rest of the run goes on top, so
				// that the next allocation continues this run.
				listPush(&hdr.FreeHead, base, first+1, first+n-1)
			}
			return first, code
		}
		next := atomic.LoadUint64(&slotAt(base, uint32(i1-1)).Next)
		if atomic.CompareAndSwapUint64(&hdr.FreeHead, h, next&listMask|(h&^listMask+listTag1)) {
			return uint32(i1 - 1), hffi.OK
		}
	}
}

// listPopRun pops the top of the stack at head together with the slots
// below it that belong to the same run, at most runSlots of them, with one
// CAS, and returns the first and the number n (0 if the stack was empty);
// the n slots are linked through Next in stack order, and are the
// caller's. The links are read before the CAS: if the head, tag included,
// is unchanged, nobody popped or pushed meanwhile, so they were the links
// of slots that were on the stack throughout.
func listPopRun(head *uint64, base unsafe.Pointer) (first, n uint32) {
	for {
		h := atomic.LoadUint64(head)
		i1 := h & listMask
		if i1 == 0 {
			return 0, 0
		}
		first, n = uint32(i1-1), 1
		run := first >> runShift
		next := atomic.LoadUint64(&slotAt(base, first).Next) & listMask
		for n < runSlots && next != 0 && uint32(next-1)>>runShift == run {
			n++
			next = atomic.LoadUint64(&slotAt(base, uint32(next-1)).Next) & listMask
		}
		if atomic.CompareAndSwapUint64(head, h, next|(h&^listMask+listTag1)) {
			return first, n
		}
	}
}

const again hffi.Code = 1 // internal: someone else refilled the free list

// growRun commits the next slots (doubling cap, at least a page of slots)
// under grow_lock, exactly as _hffi_table_grow does in C, and returns the
// first run of them, linked through Next in index order, to the caller.
// The others go on the free list in index order, so that it holds whole
// runs, each together. (C's grow keeps only the first slot and pushes the
// rest of its run on top: the list is then the same.) cap is a multiple of
// a page of slots, and so of runSlots, except at the limit.
func growRun(hdr *abi.Table, base unsafe.Pointer) (first, n uint32, code hffi.Code) {
	for !atomic.CompareAndSwapUint64(&hdr.GrowLock, 0, 1) {
		runtime.Gosched()
	}
	defer atomic.StoreUint64(&hdr.GrowLock, 0)
	if atomic.LoadUint64(&hdr.FreeHead)&listMask != 0 {
		return 0, 0, again
	}
	c, limit := atomic.LoadUint64(&hdr.Cap), hdr.Limit
	if c >= limit {
		return 0, 0, hffi.ENOMEM
	}
	page := uint64(shm.PageSize())
	nc := max(c*2, page/uint64(slotSize))
	nc = min(nc, limit)
	from := (c*uint64(slotSize) + page - 1) / page * page
	to := (nc*uint64(slotSize) + page - 1) / page * page
	if to > from {
		if err := shm.Commit(unsafe.Add(base, from), uintptr(to-from)); err != nil {
			return 0, 0, hffi.ENOMEM
		}
	}
	for i := c; i < nc; i++ {
		s := slotAt(base, uint32(i))
		s.CPtr, s.CDtor, s.Next = 0, 0, 0
		if i+1 < nc {
			s.Next = i + 2 // index + 1 of the next slot
		}
		atomic.StoreUint64(&s.Word, mkWord(1, abi.SlotFree, 0))
	}
	first, n = uint32(c), runLen(uint32(c), nc)
	slotAt(base, first+n-1).Next = 0
	atomic.StoreUint64(&hdr.Cap, nc)
	if rest := c + uint64(n); rest < nc {
		listPush(&hdr.FreeHead, base, uint32(rest), uint32(nc-1))
	}
	return first, n, hffi.OK
}

// slotOf is the Go twin of _hffi_handle_slot: it validates h against the
// shared memory only and returns its slot and word.
func slotOf(h uint64) (*abi.Slot, uint64, hffi.Code) {
	if h == 0 {
		return nil, 0, hffi.EZERO
	}
	if h&abi.RefTag != 0 {
		return nil, 0, hffi.EKIND
	}
	tid, gen, idx := abi.HandleTable(h), abi.HandleGen(h), abi.HandleIndex(h)
	if tid == 0 {
		return nil, 0, hffi.ERANGE
	}
	hdr := shm.TableHdr(tid)
	switch atomic.LoadUint64(&hdr.State) {
	case abi.TableUnused:
		return nil, 0, hffi.ERANGE
	case abi.TableLive:
	default:
		return nil, 0, hffi.ECLOSED
	}
	if gen == 0 {
		return nil, 0, hffi.EFORGED
	}
	if uint64(idx) >= atomic.LoadUint64(&hdr.Cap) {
		return nil, 0, hffi.ERANGE
	}
	s := slotAt(baseOf(tid), idx)
	w := atomic.LoadUint64(&s.Word)
	sgen, state := wordGen(w), wordState(w)
	switch {
	case state == abi.SlotRetired && gen >= sgen:
		return nil, 0, hffi.ERETIRED
	case gen > sgen:
		return nil, 0, hffi.EFORGED
	case gen < sgen:
		if gen+1 == sgen && (state == abi.SlotFree || state == abi.SlotRetired) {
			return nil, 0, hffi.EDELETED
		}
		return nil, 0, hffi.ESTALE
	case state == abi.SlotFree:
		return nil, 0, hffi.EFORGED
	}
	return s, w, hffi.OK
}

// checkCode is the Go twin of hffi_handle_check.
func checkCode(h uint64) hffi.Code {
	_, w, code := slotOf(h)
	if code == hffi.OK && wordState(w) == abi.SlotReleased && wordCount(w) == 0 {
		return hffi.EDELETED
	}
	return code
}

// retain is the Go twin of hffi_handle_retain.
func retain(h uint64) hffi.Code {
	for {
		s, w, code := slotOf(h)
		switch {
		case code != hffi.OK:
			return code
		case wordKind(w) != abi.KindGo:
			return hffi.ETYPE
		case wordState(w) == abi.SlotReleased && wordCount(w) == 0:
			return hffi.EDELETED
		case wordCount(w) == 1<<32-1:
			return hffi.EEXHAUSTED
		}
		if atomic.CompareAndSwapUint64(&s.Word, w, w+retainOne) {
			return hffi.OK
		}
	}
}

// release is the Go twin of hffi_handle_release.
func release(h uint64) hffi.Code {
	for {
		s, w, code := slotOf(h)
		if code != hffi.OK {
			return code
		}
		if wordKind(w) != abi.KindGo {
			return hffi.ETYPE
		}
		n, state := wordCount(w), wordState(w)
		if n == 0 {
			if state == abi.SlotReleased {
				return hffi.EDELETED
			}
			return hffi.EINVAL
		}
		if !atomic.CompareAndSwapUint64(&s.Word, w, w-retainOne) {
			continue
		}
		if state == abi.SlotReleased && n == 1 {
			tid, idx := abi.HandleTable(h), abi.HandleIndex(h)
			listPush(&shm.TableHdr(tid).ReapHead, baseOf(tid), idx, idx)
		}
		return hffi.OK
	}
}
