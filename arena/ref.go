// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
)

// Ref is a generation-checked reference into an arena, the hffi_ref of
// hffi.h: bit 63 set, then the arena's registry slot, the arena's
// generation when the Ref was minted, and the byte offset / 8. A Ref is a
// plain integer: C may keep it (in a uint64_t or a void *) for as long as it
// likes and resolve it with hffi_ref_resolve; once the arena is reset or
// freed it resolves to an error instead of to memory. The zero Ref is never
// valid.
//
// The hffi_arena that names a whole arena for C (see [Arena.CArena]) is a
// Ref to the arena's start (offset 0 until its registry slot is
// recycled), below the first allocation.
type Ref uint64

// CArena mints the hffi_arena that names this arena in C (a Ref to its
// start), which C passes to hffi_arena_alloc, hffi_arena_strdup and
// friends to allocate from this arena. Like every Ref, it is valid until
// the next [Arena.Reset] or [Arena.Free], and minting it makes the next
// Reset spend a generation. It returns 0 once the arena is freed. Safe for
// concurrent use; no Go heap allocation.
func (a *Arena) CArena() Ref {
	h := a.hdr
	if h == nil {
		return 0
	}
	mint(h)
	return Ref(abi.MakeRef(a.slot, wordGen(atomic.LoadUint64(&h.Word)), a.floor))
}

// Ref mints a reference to p, which must be 8-aligned and lie inside what
// the arena has allocated (an allocation's end, where a zero-size
// allocation lies, included). The Ref stays valid until the next
// [Arena.Reset] or [Arena.Free], which make it resolve to [hffi.ESTALE] or
// [hffi.ECLOSED]. It fails with [hffi.EINVAL] (nil p), [hffi.EALIGN], [hffi.EBOUNDS]
// or [hffi.ECLOSED], exactly like hffi_ref_of. Safe for concurrent use; no Go
// heap allocation.
func (a *Arena) Ref(p unsafe.Pointer) (Ref, error) {
	h := a.hdr
	if h == nil {
		return 0, refErrs.of(hffi.ECLOSED)
	}
	if p == nil {
		return 0, refErrs.of(hffi.EINVAL)
	}
	addr, base := uint64(uintptr(p)), uint64(uintptr(a.base))
	if addr%abi.RefOffScale != 0 {
		return 0, refErrs.of(hffi.EALIGN)
	}
	if addr < base {
		return 0, refErrs.of(hffi.EBOUNDS)
	}
	off := addr - base
	if off < a.floor+abi.ArenaPrefix || off > atomic.LoadUint64(&h.Used) {
		return 0, refErrs.of(hffi.EBOUNDS)
	}
	if off >= abi.ArenaMaxSize {
		return 0, refErrs.of(hffi.ERANGE)
	}
	mint(h)
	return Ref(abi.MakeRef(a.slot, wordGen(atomic.LoadUint64(&h.Word)), off)), nil
}

// mint records that a Ref exists in the current generation, so that the
// next Reset bumps it. The load first keeps the cache line shared when many
// threads mint.
func mint(h *abi.ArenaHdr) {
	if atomic.LoadUint64(&h.Minted) == 0 {
		storeRelease(&h.Minted, 1)
	}
}

// lookup is the twin of _hffi_arena_lookup in hffi.h: the same checks in
// the same order, so Go and C give the same code for every 64-bit input.
// It also returns the slot word it validated.
func lookup(r uint64) (*abi.ArenaHdr, uint64, hffi.Code) {
	if r == 0 {
		return nil, 0, hffi.EZERO
	}
	if r&abi.RefTag == 0 {
		return nil, 0, hffi.EKIND
	}
	slot, gen := abi.RefSlot(r), abi.RefGen(r)
	if slot == 0 {
		return nil, 0, hffi.ERANGE
	}
	if gen == 0 {
		return nil, 0, hffi.EFORGED
	}
	// The checks of _hffi_arena_word_check, written out here: a call
	// would cost the hot path of Resolve. A Ref below the floor is from
	// an earlier incarnation of the slot, whatever its generation.
	h := &hdrs[slot]
	w := atomic.LoadUint64(&h.Word)
	sgen, state := wordGen(w), wordState(w)
	switch {
	case abi.RefOffset(r) < wordFloor(w):
		return nil, w, hffi.ESTALE
	case gen > sgen:
		return nil, w, hffi.EFORGED
	case gen < sgen:
		return nil, w, hffi.ESTALE
	case state == abi.ArenaRetired:
		return nil, w, hffi.ERETIRED
	case state != abi.ArenaLive:
		return nil, w, hffi.ECLOSED
	}
	return h, w, hffi.OK
}

// Resolve is the Go twin of hffi_ref_resolve: it returns the address of
// the size bytes that r names if they lie inside what r's arena has
// allocated in r's generation, and otherwise the same error C gets:
// [hffi.EZERO], [hffi.EKIND], [hffi.ERANGE], [hffi.EFORGED], [hffi.ESTALE], [hffi.ECLOSED],
// [hffi.ERETIRED] or [hffi.EBOUNDS]. It reads only the shared registry, never
// arena memory, takes no lock and makes no Go heap allocation. The
// address is valid until the arena is reset or freed.
//
// Resolve racing with a Reset or Free of the arena returns either the
// address (as of before) or the error (as of after), never a mix.
func Resolve(r Ref, size uintptr) (unsafe.Pointer, error) {
	slot := abi.RefSlot(uint64(r))
	for {
		h, w, code := lookup(uint64(r))
		if code != hffi.OK {
			return nil, resolveErrs.of(code)
		}
		off, used := abi.RefOffset(uint64(r)), atomic.LoadUint64(&h.Used)
		inside := off >= wordFloor(w)+abi.ArenaPrefix && off <= used && uint64(size) <= used-off
		base := atomic.LoadPointer(&bases[slot])
		// The word is stored LIVE after base is set and leaves LIVE (or
		// changes generation or floor) before base and used are
		// cleared: an unchanged word means base and used belong to it.
		if base == nil || atomic.LoadUint64(&h.Word) != w {
			continue
		}
		if !inside {
			return nil, resolveErrs.of(hffi.EBOUNDS)
		}
		return unsafe.Add(base, off), nil
	}
}

// Extent is the allocated part of an arena as of one generation, for
// readers that follow offsets stored in the arena (a tree of values) rather
// than one Ref: offsets in [Lo, Used] are allocated, and offset o is at
// unsafe.Add(Base, o). Base is off-heap memory, never moved; it is the
// arena's start unless its registry slot was recycled, in which case Lo
// lies above the slot's floor and the bytes below it are not the arena's.
type Extent struct {
	Base unsafe.Pointer
	Lo   uint64
	Used uint64
}

// ResolveExtent checks r like [Resolve] (a C arena from [Arena.CArena] is fine) and returns
// the extent of r's arena in r's generation. Base, Lo and Used are read in
// one consistent snapshot, as _hffi_arena_snapshot reads them for the C
// accessors: racing with a Reset or Free of the arena, it returns the
// extent as of before or the error as of after, never a mix (reading Used
// apart from the check could give the next generation's, or another
// arena's). It makes no Go heap allocation.
func ResolveExtent(r Ref) (Extent, error) {
	e, _, err := ResolveExtentWord(r)
	return e, err
}

// ResolveExtentWord is [ResolveExtent] that also returns the registry
// slot word its snapshot validated r against (see [Word]).
func ResolveExtentWord(r Ref) (Extent, uint64, error) {
	slot := abi.RefSlot(uint64(r))
	for {
		h, w, code := lookup(uint64(r))
		if code != hffi.OK {
			return Extent{}, 0, resolveErrs.of(code)
		}
		used := atomic.LoadUint64(&h.Used)
		base := atomic.LoadPointer(&bases[slot])
		if base == nil || atomic.LoadUint64(&h.Word) != w {
			continue
		}
		return Extent{Base: base, Lo: wordFloor(w) + abi.ArenaPrefix, Used: used}, w, nil
	}
}

// Word returns the word that the registry slot r names holds now: the
// arena's generation, state and floor. [Check] of r is a function of r and
// this word alone, so a reader that saw r pass with word w (from
// [ResolveExtentWord]) knows that it still passes, with the same answer
// as Check, while Word(r) == w: one load instead of Check's tests. When
// the word differs, Check gives the answer. Lo of an Extent is
// [WordLo] of the word it was validated with.
func Word(r Ref) uint64 {
	return atomic.LoadUint64(&hdrs[abi.RefSlot(uint64(r))].Word)
}

// WordLo returns the lowest offset of the incarnation that the slot word
// w describes: [Extent.Lo] of an extent validated with w.
func WordLo(w uint64) uint64 { return wordFloor(w) + abi.ArenaPrefix }

// Check is the Go twin of hffi_arena_check: nil if the arena that r (an
// [Arena.CArena] or any Ref into it) names is live at r's generation, and
// otherwise the error [Resolve] would give for it.
func Check(r Ref) error {
	if _, _, code := lookup(uint64(r)); code != hffi.OK {
		return checkErrs.of(code)
	}
	return nil
}
