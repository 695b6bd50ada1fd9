// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
)

// TestHammerAlloc runs P goroutines that allocate concurrently from one
// arena (through several commit steps; directly and through a Local), fill each allocation with their
// own tag, and mint and resolve Refs. Afterwards no two allocations may
// overlap and every tag must be intact.
func TestHammerAlloc(t *testing.T) {
	const P, N = 4, 1500
	a := mustNew(t, WithMaxSize(64<<20))
	type span struct {
		off, n uintptr
		tag    byte
	}
	spans := make([][]span, P)
	var wg sync.WaitGroup
	for g := range P {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			tag := byte(g + 1)
			l := a.Local() // half the allocations go through a Local
			for range N {
				size := uintptr(rng.IntN(600))
				if rng.IntN(16) == 0 {
					size *= 10 // past what a Local carves from a chunk
				}
				align := uintptr(1) << rng.IntN(8)
				var p unsafe.Pointer
				var err error
				if rng.IntN(2) == 0 {
					p, err = l.Alloc(size, align)
				} else {
					p, err = a.Alloc(size, align)
				}
				if !assert.NoError(t, err) {
					return
				}
				b := bytesAt(p, size)
				if !assert.Zero(t, uintptr(p)%align) || !assert.Equal(t, make([]byte, size), b) {
					return
				}
				for i := range b {
					b[i] = tag
				}
				spans[g] = append(spans[g], span{uintptr(p) - uintptr(startOf(a)), size, tag})
				if align >= 8 {
					r, err := a.Ref(p)
					if !assert.NoError(t, err) {
						return
					}
					q, err := Resolve(r, size)
					if !assert.NoError(t, err) || !assert.Equal(t, p, q) {
						return
					}
				}
			}
		})
	}
	wg.Wait()
	var all []span
	for _, s := range spans {
		all = append(all, s...)
	}
	slices.SortFunc(all, func(x, y span) int { return int(x.off) - int(y.off) })
	end := uintptr(abi.ArenaPrefix)
	for _, s := range all {
		if s.n == 0 {
			continue // may share its address with a neighbour
		}
		require.GreaterOrEqual(t, s.off, end, "allocations overlap")
		end = s.off + s.n
		for _, c := range bytesAt(unsafe.Add(startOf(a), s.off), s.n) {
			if c != s.tag {
				require.Equal(t, s.tag, c, "allocation at %d overwritten", s.off)
			}
		}
	}
	assert.LessOrEqual(t, end, a.Used()+abi.ArenaPrefix)
}

// TestHammerExhaust: goroutines race to fill an arena; together they get
// exactly as many allocations as fit, and every one is distinct.
func TestHammerExhaust(t *testing.T) {
	const P, limit, size = 4, 1 << 20, 1000
	a := mustNew(t, WithMaxSize(limit))
	var count atomic.Int64
	var wg sync.WaitGroup
	seen := make([]map[uintptr]bool, P)
	for g := range P {
		seen[g] = map[uintptr]bool{}
		wg.Go(func() {
			for {
				p, err := a.AllocUninit(size, 8)
				if err != nil {
					assert.ErrorIs(t, err, hffi.ENOMEM)
					return
				}
				bytesAt(p, size)[size-1] = 1
				seen[g][uintptr(p)] = true
				count.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64((limit-abi.ArenaPrefix)/size), count.Load())
	union := map[uintptr]bool{}
	for _, m := range seen {
		for p := range m {
			require.False(t, union[p], "address handed out twice")
			union[p] = true
		}
	}
}

// TestHammerRegistry creates, resets and frees arenas from several
// goroutines while others resolve Refs of arenas that come and go: every
// result must be an address of the right arena or one of the errors a
// reset or freed arena gives.
func TestHammerRegistry(t *testing.T) {
	const P, N = 3, 300
	var refs [64]atomic.Uint64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range P {
		wg.Go(func() {
			for i := range N {
				a, err := New(WithMaxSize(page), WithDebug(false))
				if !assert.NoError(t, err) {
					return
				}
				p, err := a.CopyString("x")
				assert.NoError(t, err)
				r, err := a.Ref(p)
				assert.NoError(t, err)
				refs[(g*N+i)%len(refs)].Store(uint64(r))
				if i%2 == 0 {
					a.Reset()
				}
				assert.NoError(t, a.Free())
			}
		})
	}
	var resolvers sync.WaitGroup
	for range 2 {
		resolvers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := range refs {
					_, err := Resolve(Ref(refs[i].Load()), 2)
					if err != nil && !isAny(err, hffi.EZERO, hffi.ESTALE, hffi.ECLOSED) {
						assert.Fail(t, "unexpected error", "%v", err)
					}
					_ = ReadStats()
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	resolvers.Wait()
}
