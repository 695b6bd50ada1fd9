// SPDX-License-Identifier: Apache-2.0

package arena

import (
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
// Slot life cycle (word = generation | state):
//
//	fresh (0|FREE) -> gen 1|LIVE -> Reset with minted refs -> gen+1|LIVE ...
//	LIVE -> Free -> gen|FREE (refs: ECLOSED) -> reused as gen|LIVE, or
//	gen+1|LIVE if refs were minted in gen (old refs: ESTALE)
//	gen ArenaGenMax with minted refs -> ArenaGenMax|RETIRED forever
var (
	hdrs  *[abi.ArenaSlots]abi.ArenaHdr
	bases [abi.ArenaSlots]unsafe.Pointer // atomic; Go's copy of hdr.Base, read by Resolve

	reg struct {
		mu    sync.Mutex
		fresh uint32              // next slot never used, from 1
		free  []uint32            // FREE slots in the order they were freed
		head  int                 // free[head:] are available
		live  map[*Arena]struct{} // arenas not yet freed, for ReadStats
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

func slotWord(gen uint32, state uint64) uint64 {
	return uint64(gen) | state<<abi.ArenaStateShift
}

func wordGen(w uint64) uint32   { return uint32(w & abi.ArenaGenMask) }
func wordState(w uint64) uint64 { return w >> abi.ArenaStateShift & 3 }

// claimLocked takes a slot for an arena and returns it with the generation
// to publish. Freed slots are reused oldest first (so refs to a freed arena
// report ECLOSED for as long as possible); in debug mode fresh slots are
// preferred, a quarantine before reuse. It reports false when every slot is
// live or retired. The caller holds reg.mu.
func claimLocked(preferFresh bool) (uint32, uint32, bool) {
	for {
		if preferFresh && reg.fresh < abi.ArenaSlots {
			reg.fresh++
			return reg.fresh - 1, 1, true
		}
		if reg.head < len(reg.free) {
			s := reg.free[reg.head]
			reg.head++
			if reg.head == len(reg.free) {
				reg.free, reg.head = reg.free[:0], 0
			}
			h := &hdrs[s]
			gen := wordGen(atomic.LoadUint64(&h.Word))
			if atomic.LoadUint64(&h.Minted) != 0 {
				if gen >= abi.ArenaGenMax {
					retireLocked(s)
					continue
				}
				gen++ // refs from the freed arena must not resolve again
			}
			return s, gen, true
		}
		if reg.fresh < abi.ArenaSlots {
			reg.fresh++
			return reg.fresh - 1, 1, true
		}
		return 0, 0, false
	}
}

// publishLocked fills slot s for arena a and makes it LIVE at gen. The
// word is stored last: C reads base, limit and used only after an acquire
// load of a LIVE word.
func publishLocked(s, gen uint32, a *Arena, committed uint64) {
	h := &hdrs[s]
	atomic.StoreUint64(&h.Base, uint64(uintptr(a.base)))
	h.Limit = a.limit
	h.Grow = a.grow
	h.Flags = 0
	if a.debug {
		h.Flags = abi.ArenaFDebug
	}
	atomic.StoreUint64(&h.Used, abi.ArenaPrefix)
	atomic.StoreUint64(&h.Committed, committed)
	atomic.StoreUint64(&h.Minted, 0)
	atomic.StorePointer(&bases[s], a.base)
	atomic.StoreUint64(&h.Word, slotWord(gen, abi.ArenaLive))
	a.hdr, a.slot = h, s
}

// releaseLocked marks slot s FREE at its current generation (refs minted in
// it now report ECLOSED) and queues it for reuse. Minted is kept: it tells
// claimLocked whether reuse must bump the generation.
func releaseLocked(s uint32) {
	h := &hdrs[s]
	gen := wordGen(atomic.LoadUint64(&h.Word))
	atomic.StoreUint64(&h.Word, slotWord(gen, abi.ArenaFree))
	clearLocked(s)
	reg.free = append(reg.free, s)
}

// retireLocked retires slot s forever at ArenaGenMax.
func retireLocked(s uint32) {
	atomic.StoreUint64(&hdrs[s].Word, slotWord(abi.ArenaGenMax, abi.ArenaRetired))
	clearLocked(s)
}

func clearLocked(s uint32) {
	h := &hdrs[s]
	atomic.StoreUint64(&h.Used, 0)
	atomic.StoreUint64(&h.Committed, 0)
	atomic.StorePointer(&bases[s], nil)
}
