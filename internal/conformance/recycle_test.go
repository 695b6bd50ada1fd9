// SPDX-License-Identifier: Apache-2.0

package conformance

import (
	"sync/atomic"
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

// TestRecycledSlotsAgree runs the registry out of slots and generations
// (limits lowered to 24 slots of 4 generations) with Refs minted by both
// sides, so that retired slots start over behind floors many times. Every
// kept Ref and id must be stale on both sides, and for every word near
// them (other generations, offsets around the floors) Go and C must give
// the same code; C's allocations in recycled slots must work.
func TestRecycledSlotsAgree(t *testing.T) {
	d := loadDriver(t)
	s := newScratch(t, 64)
	defer shm.SetArenaLimits(24, 4)()
	a := newArena(t, arena.WithMaxSize(1<<20))
	b := newArena(t, arena.WithMaxSize(1<<20))

	var kept []arena.Ref
	floors := map[uint64]bool{}
	// Slots freed by earlier tests (the order is shuffled) are taken before
	// retired ones are recycled, so run until enough floors were seen.
	for i := 0; i < 600 || (len(floors) <= 20 && i < 20000); i++ {
		for _, x := range []*arena.Arena{a, b} {
			id := x.CArena()
			slot := abi.RefSlot(uint64(id))
			floors[abi.ArenaWordFloor(atomic.LoadUint64(&shm.ArenaHdr(slot).Word))] = true
			require.Equal(t, hffi.OK, hffi.Code(d.check(d.rt, uint64(id))))
			cp, cr, rc := d.cAllocFill(s, id, 24, 8, uint64(i))
			require.Equal(t, hffi.OK, rc, "C allocates in slot %d at round %d", slot, i)
			gp, err := arena.Resolve(cr, 24)
			require.NoError(t, err)
			require.Equal(t, cp, uintptr(gp))
			p, err := x.CopyString("go")
			require.NoError(t, err)
			gr, err := x.Ref(p)
			require.NoError(t, err)
			if i%7 == 0 && len(kept) < 300 {
				kept = append(kept, id, cr, gr)
			}
			x.Reset()
		}
	}
	assert.Greater(t, len(floors), 20, "slots were recycled behind many floors")

	var words []uint64
	for _, r := range kept {
		_, err := arena.Resolve(r, 1)
		if !assert.True(t, code(err) == hffi.ESTALE || code(err) == hffi.ERETIRED, "kept %#x: %v", uint64(r), err) {
			continue
		}
		slot, gen, off := abi.RefSlot(uint64(r)), abi.RefGen(uint64(r)), abi.RefOffset(uint64(r))
		floor := abi.ArenaWordFloor(atomic.LoadUint64(&shm.ArenaHdr(slot).Word))
		for _, g := range []uint32{1, gen - 1, gen, gen + 1, 4, 5} {
			for _, o := range []uint64{0, off, off + 8, floor - 8, floor, floor + 56, floor + 64, floor + 72} {
				words = append(words, abi.MakeRef(slot, g, o))
			}
		}
	}
	for _, x := range []*arena.Arena{a, b} {
		id := uint64(x.CArena())
		slot, gen, floor := abi.RefSlot(id), abi.RefGen(id), abi.RefOffset(id)
		for _, o := range []uint64{0, floor - 8, floor, floor + 56, floor + 64, floor + 72, floor + 4096} {
			words = append(words, abi.MakeRef(slot, gen, o), abi.MakeRef(slot, gen+1, o))
		}
	}
	mismatches := 0
	for _, w := range words {
		for _, size := range []uint64{0, 1, 8, 24} {
			_, err := arena.Resolve(arena.Ref(w), uintptr(size))
			_, crc := d.cResolve(s, arena.Ref(w), size)
			if code(err) != crc && mismatches < 10 {
				mismatches++
				t.Errorf("resolve(%#x, %d): Go %v, C %v", w, size, code(err).Name(), crc.Name())
			}
		}
		if g, c := code(arena.Check(arena.Ref(w))), hffi.Code(d.check(d.rt, w)); g != c && mismatches < 10 {
			mismatches++
			t.Errorf("check(%#x): Go %v, C %v", w, g.Name(), c.Name())
		}
	}
}
