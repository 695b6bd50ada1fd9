// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"math/rand/v2"
	"slices"

	"github.com/hffi-go/hffi/internal/abi"
)

// pool returns n integers (at least every one Go issued): what Go issued,
// then mutations of it and random ones. Mutations hit the interesting
// places: a bit or three flipped anywhere, one field off by a little, a
// generation from the future or the past, a slot or table next door.
func (w *world) pool(n int, rng *rand.Rand) []uint64 {
	var seeds, slots []uint64
	for v := range w.live {
		seeds = append(seeds, v)
	}
	for v := range w.dead {
		seeds = append(seeds, v)
	}
	seeds = append(seeds, w.refs...)
	for k := range w.arenas {
		slots = append(slots, k>>32)
	}
	for k := range w.deadGens {
		slots = append(slots, k>>32)
	}
	// Map iteration order is random: sort, so that a seed reproduces.
	slices.Sort(seeds)
	slices.Sort(slots)
	tables := []uint32{0, 1, 2, w.tabA.ID(), w.tabB.ID(), w.tabC.ID(), abi.TableSlots - 1}

	out := append([]uint64{0, ^uint64(0), abi.RefTag, abi.RefTag | 1, 1, abi.HandleIndexMax,
		abi.MakeHandle(w.tabA.ID(), abi.HandleGenMax, 0), abi.MakeHandle(w.tabA.ID(), abi.HandleGenMax-1, 0),
		abi.MakeRef(1, abi.ArenaGenMax, abi.ArenaPrefix), abi.MakeRef(abi.ArenaSlots-1, 1, abi.ArenaPrefix)}, seeds...)
	// The edges of every live arena's allocations, where bounds checks
	// are off by one or not.
	for k, a := range w.arenas {
		used := uint64(a.a.Used()) + abi.ArenaPrefix
		for off := uint64(0); off < used+256; off += 8 {
			if off < 256 || off+256 > used {
				out = append(out, abi.MakeRef(uint32(k>>32), uint32(k), off))
			}
		}
	}
	live := make([]uint64, 0, len(w.arenas))
	for k := range w.arenas {
		live = append(live, k)
	}
	slices.Sort(live)
	for len(out) < n {
		v := seeds[rng.IntN(len(seeds))]
		switch r := rng.IntN(100); {
		case r < 35:
			v ^= 1 << rng.IntN(64)
		case r < 50:
			for range 2 + rng.IntN(2) {
				v ^= 1 << rng.IntN(64)
			}
		case r < 70:
			v = tweak(v, rng)
		case r < 78:
			v = rng.Uint64()
		case r < 82: // anywhere in a live arena's allocations, or just past them
			k := live[rng.IntN(len(live))]
			used := uint64(w.arenas[k].a.Used()) + abi.ArenaPrefix
			v = abi.MakeRef(uint32(k>>32), uint32(k), uint64(rng.IntN(int(used/8)+32))*8)
		case r < 90: // a handle of a table in use, near the slots in use
			v = abi.MakeHandle(tables[rng.IntN(len(tables))], genNear(rng, abi.HandleGenMax),
				uint32(rng.IntN(20000)))
		default: // a reference near the arenas in use
			v = abi.MakeRef(uint32(slots[rng.IntN(len(slots))])+uint32(rng.IntN(3))-1,
				genNear(rng, abi.ArenaGenMax), uint64(rng.IntN(1<<16))*8)
		}
		out = append(out, v)
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// genNear picks a generation a lookup has to think about: small ones,
// 0, and the top of the range.
func genNear(rng *rand.Rand, top uint32) uint32 {
	switch rng.IntN(8) {
	case 0:
		return 0
	case 1:
		return top - uint32(rng.IntN(2))
	}
	return uint32(rng.IntN(6))
}

// tweak moves one field of v (a handle or a reference) by a little.
func tweak(v uint64, rng *rand.Rand) uint64 {
	d := []int64{-2, -1, 1, 2, 1000}[rng.IntN(5)]
	if v&abi.RefTag == 0 {
		t, g, i := abi.HandleTable(v), abi.HandleGen(v), abi.HandleIndex(v)
		switch rng.IntN(4) {
		case 0:
			g = uint32(int64(g)+d) & uint32(abi.SlotGenMask)
		case 1:
			i = uint32(int64(i)+d) & abi.HandleIndexMax
		case 2:
			t = uint32(int64(t)+d) & (abi.TableSlots - 1)
		default:
			g = []uint32{0, abi.HandleGenMax, abi.HandleGenMax - 1}[rng.IntN(3)]
		}
		return abi.MakeHandle(t, g, i)
	}
	s, g, off := abi.RefSlot(v), abi.RefGen(v), abi.RefOffset(v)
	switch rng.IntN(4) {
	case 0:
		g = uint32(int64(g)+d) & uint32(abi.ArenaGenMask)
	case 1:
		s = uint32(int64(s)+d) & (abi.ArenaSlots - 1)
	case 2:
		off = uint64(int64(off)+d*8) & (abi.ArenaMaxSize - 8)
	default:
		g = []uint32{0, abi.ArenaGenMax}[rng.IntN(2)]
	}
	return abi.MakeRef(s, g, off)
}
