// SPDX-License-Identifier: Apache-2.0

package conformance

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

// sizes covers zero, small, odd, a grow step (64 KiB) and more.
var sizes = []struct{ size, align uint64 }{
	{0, 8}, {1, 8}, {7, 8}, {8, 8}, {13, 16}, {100, 64}, {4096, 4096},
	{65536, 8}, {70000, 32}, {300000, 8}, {0, 4096}, {3, 8},
}

func TestGoAllocCResolves(t *testing.T) {
	d := loadDriver(t)
	s := newScratch(t, 64)
	modes(t, func(t *testing.T, debug bool) {
		a := newArena(t, arena.WithMaxSize(16<<20), arena.WithDebug(debug))
		for i, c := range sizes {
			seed := uint64(i + 1)
			p, err := a.Alloc(uintptr(c.size), uintptr(c.align))
			require.NoError(t, err)
			fill(p, c.size, seed)
			r, err := a.Ref(p)
			require.NoError(t, err)

			cp, rc := d.cResolve(s, r, c.size)
			require.Equal(t, hffi.OK, rc, "size %d", c.size)
			assert.Equal(t, uintptr(p), cp, "C resolves to Go's address")
			assert.Equal(t, hffi.OK, hffi.Code(d.verify(d.rt, uint64(r), c.size, seed)), "C reads Go's bytes")
			gp, err := arena.Resolve(r, uintptr(c.size))
			require.NoError(t, err)
			assert.Equal(t, p, gp)
		}

		for i := range 50 {
			p, err := a.CopyString(fmt.Sprintf("go-string-%d", i))
			require.NoError(t, err)
			r, err := a.Ref(p)
			require.NoError(t, err)
			assert.Equal(t, int32(0), d.strcmp(d.rt, uint64(r), uint64(i)), "string %d", i)
		}

		b, err := a.CopyBytes([]byte{pattern(9, 0), pattern(9, 1), pattern(9, 2)})
		require.NoError(t, err)
		r, err := a.Ref(b)
		require.NoError(t, err)
		assert.Equal(t, hffi.OK, hffi.Code(d.verify(d.rt, uint64(r), 3, 9)))
		assert.Equal(t, hffi.EBOUNDS, hffi.Code(d.verify(d.rt, uint64(r), 4, 9)), "past the last allocation")
	})
}

func TestCAllocGoResolves(t *testing.T) {
	d := loadDriver(t)
	s := newScratch(t, 64)
	modes(t, func(t *testing.T, debug bool) {
		a := newArena(t, arena.WithMaxSize(16<<20), arena.WithDebug(debug))
		id := a.CArena()
		for i, c := range sizes {
			seed := uint64(100 + i)
			cp, r, rc := d.cAllocFill(s, id, c.size, c.align, seed)
			require.Equal(t, hffi.OK, rc, "size %d", c.size)
			assert.Zero(t, cp%uintptr(c.align))

			p, err := arena.Resolve(r, uintptr(c.size))
			require.NoError(t, err, "Go resolves C's ref")
			assert.Equal(t, cp, uintptr(p))
			assert.True(t, intact(p, c.size, seed), "Go reads C's bytes")
			gr, err := a.Ref(p)
			require.NoError(t, err)
			assert.Equal(t, r, gr, "Go mints the ref C minted")
		}

		// C allocations, then Go ones, come from one bump pointer.
		cp, _, rc := d.cAlloc(s, id, 24, 8, false)
		require.Equal(t, hffi.OK, rc)
		gp, err := a.Alloc(8, 8)
		require.NoError(t, err)
		assert.Equal(t, cp+24, uintptr(gp))
		*s.word(2) = 0
		require.Equal(t, int32(0), d.refOf(d.rt, uint64(id), uintptr(gp), s.addr(2)))
		gr, err := a.Ref(gp)
		require.NoError(t, err)
		assert.Equal(t, gr, s.ref(2), "hffi_ref_of and Arena.Ref agree")

		for i := range 50 {
			*s.word(0) = 0
			require.Equal(t, int32(0), d.strdupNum(d.rt, uint64(id), uint64(i), s.addr(0)))
			want := fmt.Sprintf("c-string-%d", i)
			p, err := arena.Resolve(s.ref(0), uintptr(len(want)+1))
			require.NoError(t, err)
			assert.Equal(t, want, string(unsafe.Slice((*byte)(p), len(want))))
			assert.Zero(t, *(*byte)(unsafe.Add(p, len(want))), "NUL-terminated")
		}
	})
}

// Invalid allocations and minting fail with the same code on both sides,
// and leave the arena in the same state.
func TestAllocErrorsAgree(t *testing.T) {
	d := loadDriver(t)
	s := newScratch(t, 64)
	page := uint64(shm.PageSize())
	const max = 1 << 20
	for _, c := range []struct {
		name             string
		pre, size, align uint64 // pre: bytes allocated first, at align 1
	}{
		{"align 0", 0, 8, 0}, {"align 3", 0, 8, 3}, {"align 24", 0, 8, 24},
		{"align 2 pages", 0, 8, 2 * page}, {"align 1<<63", 0, 8, 1 << 63},
		{"too big", 0, max, 8}, {"huge", 0, ^uint64(0), 1}, {"huge aligned", 0, ^uint64(0) - 7, 8},
		{"fits exactly", 0, max - 64, 1}, {"one byte too many", 1, max - 64, 1},
		{"full", max - 64, 1, 1}, {"zero when full", max - 64, 0, 1},
		{"page align when nearly full", max - page - 64 + 1, 1, page},
		{"page align at the end", max - page - 64, 1, page},
	} {
		t.Run(c.name, func(t *testing.T) {
			ga := newArena(t, arena.WithMaxSize(max))
			ca := newArena(t, arena.WithMaxSize(max))
			for _, a := range []*arena.Arena{ga, ca} {
				if c.pre > 0 {
					_, err := a.Alloc(uintptr(c.pre), 1)
					require.NoError(t, err)
				}
			}
			_, _, crc := d.cAlloc(s, ca.CArena(), c.size, c.align, false)
			_, err := ga.Alloc(uintptr(c.size), uintptr(c.align))
			assert.Equal(t, crc, code(err), "hffi_arena_alloc vs Arena.Alloc")
			assert.Equal(t, ga.Used(), ca.Used())
		})
	}

	// Minting a reference to a bad pointer.
	a := newArena(t, arena.WithMaxSize(max))
	id := a.CArena()
	p, err := a.Alloc(64, 8)
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		p    unsafe.Pointer
	}{
		{"misaligned", unsafe.Add(p, 4)}, {"past used", unsafe.Add(p, 72)}, {"prefix", unsafe.Add(p, -8)},
		{"end of allocation", unsafe.Add(p, 64)}, {"nil", nil}, {"inside", unsafe.Add(p, 8)},
	} {
		t.Run("ref "+c.name, func(t *testing.T) {
			*s.word(0) = 0
			rc := hffi.Code(d.refOf(d.rt, uint64(id), uintptr(c.p), s.addr(0)))
			r, err := a.Ref(c.p)
			assert.Equal(t, rc, code(err))
			assert.Equal(t, s.ref(0), r)
		})
	}
	require.NoError(t, a.Free())
	for _, c := range []struct {
		name string
		p    unsafe.Pointer
	}{{"freed", p}, {"freed nil", nil}} {
		t.Run("ref "+c.name, func(t *testing.T) {
			rc := hffi.Code(d.refOf(d.rt, uint64(id), uintptr(c.p), s.addr(0)))
			_, err := a.Ref(c.p)
			assert.Equal(t, hffi.ECLOSED, rc)
			assert.Equal(t, rc, code(err))
		})
	}
}

func TestStaleAfterResetAndFree(t *testing.T) {
	d := loadDriver(t)
	s := newScratch(t, 64)
	modes(t, func(t *testing.T, debug bool) {
		a := newArena(t, arena.WithMaxSize(4<<20), arena.WithDebug(debug))
		id := a.CArena()
		var refs []arena.Ref
		for i := range 10 {
			p, err := a.Alloc(16, 8)
			require.NoError(t, err)
			r, err := a.Ref(p)
			require.NoError(t, err)
			_, cr, rc := d.cAllocFill(s, id, 16, 8, uint64(i))
			require.Equal(t, hffi.OK, rc)
			refs = append(refs, r, cr)
		}

		expect := func(want hffi.Code, what string) {
			t.Helper()
			for _, r := range append(refs, id) {
				wantResolve := want
				if r == id && want == hffi.OK {
					wantResolve = hffi.EBOUNDS // an id names the arena, not memory
				}
				_, err := arena.Resolve(r, 0)
				_, crc := d.cResolve(s, r, 0)
				assert.Equal(t, wantResolve, code(err), "Go, %s", what)
				assert.Equal(t, wantResolve, crc, "C, %s", what)
				assert.Equal(t, want, code(arena.Check(r)), "Go check, %s", what)
				assert.Equal(t, want, hffi.Code(d.check(d.rt, uint64(r))), "C check, %s", what)
			}
		}
		expect(hffi.OK, "live")

		a.Reset()
		expect(hffi.ESTALE, "after Reset")
		_, _, rc := d.cAlloc(s, id, 8, 8, true)
		assert.Equal(t, hffi.ESTALE, rc, "C allocates with a stale id")

		// The new generation works from both sides, then Free closes it.
		id = a.CArena()
		refs = refs[:0]
		_, cr, rc := d.cAllocFill(s, id, 32, 8, 7)
		require.Equal(t, hffi.OK, rc)
		p, err := arena.Resolve(cr, 32)
		require.NoError(t, err)
		assert.True(t, intact(p, 32, 7))
		gr, err := a.Ref(p)
		require.NoError(t, err)
		refs = append(refs, cr, gr)
		expect(hffi.OK, "new generation")

		require.NoError(t, a.Free())
		expect(hffi.ECLOSED, "after Free")
		_, _, rc = d.cAlloc(s, id, 8, 8, false)
		assert.Equal(t, hffi.ECLOSED, rc, "C allocates in a freed arena")
		_, err = a.Alloc(8, 8)
		assert.Equal(t, hffi.ECLOSED, code(err))
	})
}

// Any 64-bit integer gets the same answer from Go and C: random words,
// and words near the ids of live, reset and freed arenas.
func TestSameCodesForAnyInteger(t *testing.T) {
	d := loadDriver(t)
	s := newScratch(t, 64)
	live := newArena(t, arena.WithMaxSize(1<<20))
	reset := newArena(t, arena.WithMaxSize(1<<20))
	freed := newArena(t, arena.WithMaxSize(1<<20))
	var ids []arena.Ref
	for _, a := range []*arena.Arena{live, reset, freed} {
		_, err := a.Alloc(1000, 8)
		require.NoError(t, err)
		ids = append(ids, a.CArena())
	}
	reset.Reset()
	_, err := reset.Alloc(100, 8)
	require.NoError(t, err)
	require.NoError(t, freed.Free())

	rng := rand.New(rand.NewPCG(1, 2))
	var words []uint64
	for range 3000 {
		words = append(words, rng.Uint64(), rng.Uint64()|abi.RefTag, rng.Uint64()&^abi.RefTag)
	}
	for _, id := range ids {
		slot, gen := abi.RefSlot(uint64(id)), abi.RefGen(uint64(id))
		for _, g := range []uint32{0, gen - 1, gen, gen + 1, abi.ArenaGenMax} {
			for _, off := range []uint64{0, 56, 64, 72, 512, 1056, 1064, 1 << 20, abi.ArenaMaxSize - 8} {
				words = append(words, abi.MakeRef(slot, g, off), abi.MakeRef(0, g, off))
			}
		}
	}
	words = append(words, 0, 1, abi.RefTag, ^uint64(0))

	mismatches := 0
	for _, w := range words {
		for _, size := range []uint64{0, 1, 8, 936, 1 << 40, ^uint64(0)} {
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

// allocRec is one allocation of the hammer, from either side.
type allocRec struct {
	p, size, seed uint64
	ref           arena.Ref
	fromC         bool
}

// Goroutines and C threads allocate from one arena at the same time; every
// allocation is disjoint from the others and intact at the end, and each
// side resolves the other's references.
func TestInterleaved(t *testing.T) {
	d := loadDriver(t)
	const (
		cThreads   = 3
		goroutines = 3
		perWorker  = 1500
		cSeed      = 1 << 20
	)
	modes(t, func(t *testing.T, debug bool) {
		a := newArena(t, arena.WithMaxSize(128<<20), arena.WithDebug(debug))
		id := a.CArena()
		s := newScratch(t, (1+4*cThreads*perWorker)*8)
		start := s.word(0)
		recs := unsafe.Slice(s.word(1), 4*cThreads*perWorker)
		require.Equal(t, int32(0), d.hStart(d.rt, uint64(id), cThreads, perWorker, cSeed, s.addr(1), s.addr(0)))

		goRecs := make([][]allocRec, goroutines)
		errs := make([]error, goroutines)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(g), 99))
				<-gate
				for i := range perWorker {
					size := rng.Uint64N(200)
					if rng.IntN(4) == 0 {
						size += 5000
					}
					align := uint64(8) << rng.IntN(4)
					seed := uint64(g*perWorker + i)
					p, err := a.Alloc(uintptr(size), uintptr(align))
					if err != nil {
						errs[g] = err
						return
					}
					fill(p, size, seed)
					r, err := a.Ref(p)
					if err != nil {
						errs[g] = err
						return
					}
					goRecs[g] = append(goRecs[g], allocRec{uint64(uintptr(p)), size, seed, r, false})
				}
			}()
		}
		close(gate)
		atomic.StoreUint64(start, 1)
		wg.Wait()
		d.hJoin()

		all := make([]allocRec, 0, (cThreads+goroutines)*perWorker)
		for g := range goroutines {
			require.NoError(t, errs[g])
			all = append(all, goRecs[g]...)
		}
		for i := range cThreads * perWorker {
			rc := hffi.Code(int32(recs[4*i+3]))
			require.Equal(t, hffi.OK, rc, "C allocation %d", i)
			all = append(all, allocRec{recs[4*i], recs[4*i+1], cSeed + uint64(i), arena.Ref(recs[4*i+2]), true})
		}

		sort.Slice(all, func(i, j int) bool {
			if all[i].p != all[j].p {
				return all[i].p < all[j].p
			}
			return all[i].size < all[j].size
		})
		var overlaps, broken, cRefBad, goRefBad int
		for i, r := range all {
			if i > 0 && r.size > 0 && all[i-1].p+all[i-1].size > r.p {
				overlaps++
			}
			p, err := arena.Resolve(r.ref, uintptr(r.size))
			if err != nil || uint64(uintptr(p)) != r.p {
				goRefBad++
				continue
			}
			if !intact(p, r.size, r.seed) {
				broken++
			}
			if hffi.Code(d.verify(d.rt, uint64(r.ref), r.size, r.seed)) != hffi.OK {
				cRefBad++
			}
		}
		switches := 0
		for i := 1; i < len(all); i++ {
			if all[i].fromC != all[i-1].fromC {
				switches++
			}
		}
		t.Logf("%d allocations; C and Go alternate %d times in address order", len(all), switches)
		assert.Zero(t, overlaps, "overlapping allocations")
		assert.Zero(t, broken, "allocations overwritten")
		assert.Zero(t, goRefBad, "refs Go cannot resolve")
		assert.Zero(t, cRefBad, "refs C cannot resolve or read")
		h := shm.ArenaHdr(abi.RefSlot(uint64(id)))
		assert.LessOrEqual(t, atomic.LoadUint64(&h.Used), atomic.LoadUint64(&h.Committed))
		assert.LessOrEqual(t, all[len(all)-1].p+all[len(all)-1].size, h.Base+atomic.LoadUint64(&h.Used))
	})
}
