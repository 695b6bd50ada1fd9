// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

// The registry is the array of hffi_arena_hdr in the shared root. Only Go
// creates, moves, resets and frees arenas, so the slot allocator is a plain
// Go mutex; C only reads slot words and bumps `used` and `committed`.
//
// Slot life cycle (word = generation | state | floor):
//
//	fresh (0|FREE|0) -> gen 1|LIVE -> Reset with minted refs -> gen+1|LIVE ...
//	LIVE -> Free -> gen|FREE (refs: ECLOSED) -> reused as gen|LIVE, or
//	gen+1|LIVE if refs were minted in gen (old refs: ESTALE)
//	genMax with minted refs -> genMax|RETIRED (refs: ERETIRED) -> when no
//	fresh or FREE slot is left: 1|LIVE|floor', a new incarnation
//
// A new incarnation's floor lies above the highest offset the slot's
// arenas allocated in a generation that minted a Ref (reg.high), so every
// Ref of an earlier incarnation is below it and stale, whatever its
// generation: no (slot, generation, offset) is ever valid twice. See
// RATIONALE.md, "Why are retired arena slots recycled behind a floor?".
var (
	hdrs  *[abi.ArenaSlots]abi.ArenaHdr
	bases [abi.ArenaSlots]unsafe.Pointer // atomic; Go's copy of hdr.Base, read by Resolve

	reg struct {
		mu      sync.Mutex
		fresh   uint32              // next slot never used, from 1
		free    []uint32            // FREE slots in the order they were freed
		head    int                 // free[head:] are available
		retired []uint32            // RETIRED slots, oldest first, to recycle
		live    map[*Arena]struct{} // arenas not yet freed, for ReadStats
		// high[s], for a slot that is not LIVE, is the highest `used`
		// offset of any generation of its current incarnation in which a
		// Ref was minted (or the incarnation's floor): every Ref the slot
		// ever gave out lies at or below it. A LIVE slot's arena keeps it.
		high [abi.ArenaSlots]uint64
	}
)

func init() {
	hdrs = (*[abi.ArenaSlots]abi.ArenaHdr)(unsafe.Pointer(shm.ArenaHdr(0)))
	reg.fresh = 1
	reg.live = make(map[*Arena]struct{})
}

// forgetLocked removes a from the live set when it is freed or dies,
// keeping its Reset count in the total. The caller holds reg.mu and a's
// lock.
func forgetLocked(a *Arena) {
	delete(reg.live, a)
	stats.resets.Add(a.resets)
}

func slotWord(gen uint32, state, floor uint64) uint64 { return abi.ArenaWord(gen, state, floor) }

func wordGen(w uint64) uint32   { return uint32(w & abi.ArenaGenMask) }
func wordState(w uint64) uint64 { return w >> abi.ArenaStateShift & 3 }
func wordFloor(w uint64) uint64 { return abi.ArenaWordFloor(w) }

// claim is a slot taken for an arena: it goes LIVE at gen, with the
// arena's memory from floor up.
type claim struct {
	slot  uint32
	gen   uint32
	floor uint64
}

// claimLocked takes a slot for an arena of size bytes. Freed slots are
// reused oldest first (so refs to a freed arena report ECLOSED for as long
// as possible); in debug mode fresh slots are preferred, a quarantine
// before reuse. Retired slots are recycled only when no other slot is
// left, so that ERETIRED is seen for as long as possible too. It reports
// false when every slot is live, or retired with too high a floor for
// size. The caller holds reg.mu.
func claimLocked(size uint64, preferFresh bool) (claim, bool) {
	limit, genMax := shm.ArenaLimits()
	if preferFresh && reg.fresh < limit {
		reg.fresh++
		return claim{slot: reg.fresh - 1, gen: 1}, true
	}
	for i := reg.head; i < len(reg.free); i++ {
		s := reg.free[i]
		h := &hdrs[s]
		w := atomic.LoadUint64(&h.Word)
		gen, floor := wordGen(w), wordFloor(w)
		if s >= limit || floor+size > abi.ArenaMaxSize {
			continue // left for a smaller arena, or a larger limit
		}
		takeFreeLocked(i)
		if atomic.LoadUint64(&h.Minted) != 0 {
			if gen >= genMax {
				retireLocked(s, gen, floor)
				i = reg.head - 1
				continue
			}
			gen++ // refs from the freed arena must not resolve again
		}
		return claim{s, gen, floor}, true
	}
	if reg.fresh < limit {
		reg.fresh++
		return claim{slot: reg.fresh - 1, gen: 1}, true
	}
	return recycleLocked(size, limit)
}

// takeFreeLocked removes reg.free[i], i >= reg.head.
func takeFreeLocked(i int) {
	if i == reg.head {
		reg.head++
	} else {
		reg.free = slices.Delete(reg.free, i, i+1)
	}
	if reg.head == len(reg.free) {
		reg.free, reg.head = reg.free[:0], 0
	}
}

// recycleLocked starts a new incarnation of the oldest retired slot whose
// new floor leaves room for size bytes below the 4 GiB reach of a Ref.
// Slots without room even for a page are dropped for good.
func recycleLocked(size uint64, limit uint32) (claim, bool) {
	page := uint64(shm.PageSize())
	for i := 0; i < len(reg.retired); i++ {
		s := reg.retired[i]
		floor := nextFloor(reg.high[s])
		switch {
		case floor+page > abi.ArenaMaxSize:
			reg.retired = slices.Delete(reg.retired, i, i+1)
			i--
			continue
		case s >= limit || floor+size > abi.ArenaMaxSize:
			continue
		}
		reg.retired = slices.Delete(reg.retired, i, i+1)
		reg.high[s] = floor
		return claim{s, 1, floor}, true
	}
	return claim{}, false
}

// nextFloor is the floor of a slot's next incarnation: the first page
// above every offset the slot has handed out. A page multiple, so that the
// memory below it (see Arena.reserve) and above it can be protected apart.
func nextFloor(high uint64) uint64 {
	page := uint64(shm.PageSize())
	return (high + page) &^ (page - 1)
}

// unclaimLocked gives back a claim that could not be published, as a FREE
// slot at the claimed generation: no Ref was minted in it.
func unclaimLocked(c claim) {
	h := &hdrs[c.slot]
	atomic.StoreUint64(&h.Minted, 0)
	atomic.StoreUint64(&h.Word, slotWord(c.gen, abi.ArenaFree, c.floor))
	clearLocked(c.slot)
	reg.free = append(reg.free, c.slot)
}

// publishLocked fills slot c.slot for arena a, whose memory is ready for
// c.floor, and makes it LIVE. The word is stored last: C reads base,
// limit and used only after an acquire load of a LIVE word.
func publishLocked(c claim, a *Arena, committed uint64) {
	s := c.slot
	h := &hdrs[s]
	atomic.StoreUint64(&h.Base, uint64(uintptr(a.base)))
	h.Limit = a.limit
	h.Grow = a.grow
	h.Flags = 0
	if a.debug {
		h.Flags = abi.ArenaFDebug
	}
	atomic.StoreUint64(&h.Used, c.floor+abi.ArenaPrefix)
	atomic.StoreUint64(&h.Committed, committed)
	atomic.StoreUint64(&h.Minted, 0)
	atomic.StorePointer(&bases[s], a.base)
	_, a.genMax = shm.ArenaLimits()
	a.high = max(reg.high[s], c.floor)
	atomic.StoreUint64(&h.Word, slotWord(c.gen, abi.ArenaLive, c.floor))
	a.hdr, a.slot = h, s
}

// releaseLocked marks a's slot FREE at its current generation (refs
// minted in it now report ECLOSED) and queues it for reuse. Minted is
// kept: it tells claimLocked whether reuse must bump the generation.
func releaseLocked(a *Arena) {
	s, h := a.slot, a.hdr
	w := atomic.LoadUint64(&h.Word)
	reg.high[s] = a.highAtEnd()
	atomic.StoreUint64(&h.Word, slotWord(wordGen(w), abi.ArenaFree, wordFloor(w)))
	clearLocked(s)
	reg.free = append(reg.free, s)
}

// retireLocked retires slot s at gen, its last generation, and queues it
// for recycling; reg.high[s] must be up to date.
func retireLocked(s, gen uint32, floor uint64) {
	atomic.StoreUint64(&hdrs[s].Word, slotWord(gen, abi.ArenaRetired, floor))
	clearLocked(s)
	reg.retired = append(reg.retired, s)
}

func clearLocked(s uint32) {
	h := &hdrs[s]
	atomic.StoreUint64(&h.Used, 0)
	atomic.StoreUint64(&h.Committed, 0)
	atomic.StorePointer(&bases[s], nil)
}
