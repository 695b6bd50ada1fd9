// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
)

// staleNow checks that r no longer resolves: ESTALE, or ERETIRED while its
// slot waits retired at r's generation, never success and never a code
// that blames the Ref itself (EFORGED, EBOUNDS).
func staleNow(t *testing.T, r Ref, what string) {
	t.Helper()
	_, err := Resolve(r, 1)
	if !assert.Error(t, err, what) {
		return
	}
	if !isAny(err, hffi.ESTALE, hffi.ERETIRED) {
		t.Errorf("%s: %v, want hffi.ESTALE or hffi.ERETIRED", what, err)
	}
	var want, got hffi.Code
	require.ErrorAs(t, err, &want)
	require.ErrorAs(t, Check(r), &got, "%s: Check fails too", what)
	assert.Equal(t, want, got, "%s: Check agrees", what)
}

// TestSlotsNeverRunOut drives the registry through its real mechanism, with
// limits small enough to get there in a fraction of a second: three slots
// that retire after 16 generations. A Reset per use, each minting a Ref as
// values.Encode does, retires slot after slot; once none is fresh or free,
// retired slots start over behind floors, again and again. Before
// recycling, this arena died after 48 Resets (hffi.EEXHAUSTED). Every Ref
// kept along the way stays stale (even when its generation is current
// again in a later incarnation), the floors grow by what the arena used,
// and New keeps working.
func TestSlotsNeverRunOut(t *testing.T) {
	const slots, genMax, resets = 3, 16, 20000
	isolateRegistry(t, slots, genMax)
	a := mustNew(t, WithMaxSize(1<<20))

	var kept []Ref
	seen := map[incarnation]bool{incarnationOf(a): true}
	// Floors are checked step by step, from the second one seen on each
	// slot: a slot an earlier test used (the registry's free list) starts
	// with the floor that use left (-shuffle 1796059899819626179 ran
	// TestHammerRegistry first and failed an absolute bound), and its
	// first recycling here also steps over the highest offset that use
	// handed out (-shuffle 1796073573940688399 under -race: floor 2 pages,
	// earlier use up to page 739, next floor 740).
	lastFloor, steps := map[uint32]uint64{}, map[uint32]int{}
	for i := range resets {
		p, err := a.CopyString(fmt.Sprintf("request %d", i))
		require.NoError(t, err, "reset %d", i)
		r, err := a.Ref(p)
		require.NoError(t, err)
		got, err := Resolve(r, 8)
		require.NoError(t, err)
		require.Equal(t, p, got)
		if i%37 == 0 {
			kept = append(kept, r)
		}
		a.Reset()
		staleNow(t, r, "just reset")
		in := incarnationOf(a)
		if !seen[in] {
			seen[in] = true
			require.GreaterOrEqual(t, in.floor, lastFloor[in.slot], "a slot's floor never goes down")
			if last, ok := lastFloor[in.slot]; ok && steps[in.slot] > 0 {
				// Each incarnation's arena used less than a page
				// above its floor, so the next floor is one page
				// higher: floors grow by what was used, not faster.
				require.Equal(t, last+uint64(page), in.floor, "slot %d, step %d", in.slot, steps[in.slot])
			}
			if _, ok := lastFloor[in.slot]; ok {
				steps[in.slot]++
			}
			lastFloor[in.slot] = in.floor
		}
	}
	// 20000 / 16 generations: about 1250 incarnations over 3 slots.
	assert.Greater(t, len(seen), 1000, "slots were recycled")
	for s, n := range steps {
		// About 1250 / 3 incarnations per slot, each checked above.
		assert.Greater(t, n, 300, "slot %d was recycled again and again", s)
	}
	assert.GreaterOrEqual(t, len(steps), slots, "every slot was recycled")
	for i, r := range kept {
		staleNow(t, r, fmt.Sprintf("kept Ref %d (%#x)", i, uint64(r)))
	}

	// New works while a slot is left, recycled or not; then the registry
	// is full (all three slots live), and freeing one makes room again.
	b := mustNew(t, WithMaxSize(1<<20))
	c := mustNew(t, WithMaxSize(1<<20))
	_, err := New(WithMaxSize(1 << 20))
	require.ErrorIs(t, err, hffi.EEXHAUSTED)
	for _, x := range []*Arena{b, c} {
		p, err := x.CopyString("fresh")
		require.NoError(t, err)
		r, err := x.Ref(p)
		require.NoError(t, err)
		got, err := Resolve(r, 6)
		require.NoError(t, err)
		assert.Equal(t, "fresh\x00", string(bytesAt(got, 6)))
	}
	require.NoError(t, b.Free())
	d := mustNew(t, WithMaxSize(1<<20))
	for i, r := range kept {
		staleNow(t, r, fmt.Sprintf("kept Ref %d after New", i))
	}
	require.NoError(t, d.Free())
	require.NoError(t, c.Free())
}

// TestSlotGenerationsRunOutForReal spends every generation of a real slot
// (2^20 - 1 minting Resets, no lowered limit) with no other slot to move
// to: the slot starts over at generation 1 behind a floor, and Refs from
// its first and last generations stay stale.
func TestSlotGenerationsRunOutForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("a million Resets")
	}
	isolateRegistry(t, 1, 0)
	a := mustNew(t, WithMaxSize(1<<20))
	slot, floor := slotOf(a), floorOf(a) // floor > 0 if earlier tests recycled it
	first, err := a.Ref(mustCopy(t, a, "first"))
	require.NoError(t, err)
	var last Ref
	for genOf(a) < abi.ArenaGenMax {
		a.Reset()
		last = Ref(uint64(a.CArena()))
	}
	require.Equal(t, slot, slotOf(a))
	require.Equal(t, floor, floorOf(a))
	a.Reset() // the last generation minted (the id): the slot must start over
	require.Equal(t, slot, slotOf(a), "no other slot: this one is recycled")
	assert.Equal(t, uint32(1), genOf(a))
	assert.Greater(t, floorOf(a), floor)
	staleNow(t, first, "first generation")
	staleNow(t, last, "last generation")
	assert.Equal(t, uint32(abi.ArenaGenMax), abi.RefGen(uint64(last)))
	r, err := a.Ref(mustCopy(t, a, "again"))
	require.NoError(t, err)
	assert.Equal(t, uint32(1), abi.RefGen(uint64(r)), "generation 1 again...")
	assert.Greater(t, abi.RefOffset(uint64(r)), abi.RefOffset(uint64(last)), "...above every earlier offset")
	p, err := Resolve(r, 6)
	require.NoError(t, err)
	assert.Equal(t, "again\x00", string(bytesAt(p, 6)))
}

func mustCopy(t *testing.T, a *Arena, s string) unsafe.Pointer {
	t.Helper()
	p, err := a.CopyString(s)
	require.NoError(t, err)
	return p
}

// ResolveExtent gives what a reader of offsets stored in the arena needs,
// floor included, or the same error as Resolve.
func TestResolveExtent(t *testing.T) {
	isolateRegistry(t, 1, 2)
	a := mustNew(t, WithMaxSize(1<<20))
	for round := range 4 { // generations 1, 2, then a recycled slot
		p := mustCopy(t, a, "extent")
		r, err := a.Ref(p)
		require.NoError(t, err)
		for _, x := range []Ref{r, a.CArena()} {
			e, err := ResolveExtent(x)
			require.NoError(t, err)
			assert.Equal(t, baseOf(a), e.Base)
			assert.Equal(t, floorOf(a)+abi.ArenaPrefix, e.Lo, "round %d", round)
			assert.Equal(t, e.Lo+uint64(a.Used()), e.Used)
			assert.Equal(t, p, unsafe.Add(e.Base, abi.RefOffset(uint64(r))))
		}
		a.Reset()
		_, err = ResolveExtent(r)
		require.ErrorIs(t, err, hffi.ESTALE)
	}
	assert.NotZero(t, floorOf(a), "the slot was recycled")
	_, err := ResolveExtent(0)
	require.ErrorIs(t, err, hffi.EZERO)
	id := a.CArena()
	require.NoError(t, a.Free())
	_, err = ResolveExtent(id)
	require.ErrorIs(t, err, hffi.ECLOSED)
}

// Word and ResolveExtentWord give the slot word a Ref was checked against:
// unchanged while the Ref passes Check, changed by every Reset and Free
// that makes it fail, and WordLo of it is the extent's Lo. (A reader that
// skips Check while the word is unchanged relies on all three.)
func TestWord(t *testing.T) {
	isolateRegistry(t, 1, 2)
	a := mustNew(t, WithMaxSize(1<<20))
	for round := range 4 { // generations 1, 2, then a recycled slot
		r, err := a.Ref(mustCopy(t, a, "word"))
		require.NoError(t, err)
		var words []uint64
		for _, x := range []Ref{r, a.CArena()} {
			e, w, err := ResolveExtentWord(x)
			require.NoError(t, err)
			e2, err := ResolveExtent(x)
			require.NoError(t, err)
			assert.Equal(t, e2, e)
			assert.Equal(t, w, Word(x), "round %d", round)
			assert.Equal(t, e.Lo, WordLo(w), "round %d", round)
			words = append(words, w)
		}
		assert.Equal(t, words[0], words[1], "one arena, one word")
		_, err = a.Alloc(64, 8) // allocating leaves the word alone
		require.NoError(t, err)
		assert.Equal(t, words[0], Word(r))
		a.Reset()
		require.Error(t, Check(r))
		assert.NotEqual(t, words[0], Word(r), "round %d: Reset changed the word", round)
		_, _, err = ResolveExtentWord(r)
		require.ErrorIs(t, err, hffi.ESTALE)
	}
	id := a.CArena()
	w := Word(id)
	require.NoError(t, a.Free())
	require.ErrorIs(t, Check(id), hffi.ECLOSED)
	assert.NotEqual(t, w, Word(id), "Free changed the word")
	_, _, err := ResolveExtentWord(0)
	require.ErrorIs(t, err, hffi.EZERO)
}
