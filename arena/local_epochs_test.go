// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
)

// TestLocalEpochs keeps two Locals on one arena through many Resets, with
// batches of very different sizes from one epoch to the next (so their
// chunks grow, shrink and hit the cap), while another goroutine allocates
// from the arena directly, as a C thread does. The registry has one slot
// that retires after 4 minting Resets, so every few epochs Reset moves the
// arena to a new incarnation behind a higher floor, at a new address: a
// Local must then not carve from its old base. In debug mode every Reset
// also poisons and decommits the arena. After each epoch: every allocation
// lies in the arena's current mapping, below its used and committed ends,
// none overlaps another and every one kept its contents; what the arena
// used beyond what was asked for stays bounded by a chunk per Local and
// the tails of abandoned chunks.
func TestLocalEpochs(t *testing.T) {
	for _, debug := range []bool{false, true} {
		t.Run(fmt.Sprintf("debug=%v", debug), func(t *testing.T) {
			isolateRegistry(t, 1, 4)
			const limit, P, epochs = 4 << 20, 2, 48
			a := mustNew(t, WithMaxSize(limit), WithDebug(debug))
			maxChunk := uint64(min(localChunkMax, limit/8))
			locals := make([]Local, P)
			for i := range locals {
				locals[i] = a.Local()
			}
			rng := rand.New(rand.NewPCG(1, uint64(len(t.Name()))))
			type span struct {
				p    unsafe.Pointer
				n    uint64
				tag  byte
				what string
			}
			bases := map[unsafe.Pointer]bool{}
			for epoch := range epochs {
				bases[baseOf(a)] = true
				var (
					wg     sync.WaitGroup
					spans  = make([][]span, P+1)
					asked  atomic.Uint64
					counts = make([]int, P+1)
				)
				for g := range P + 1 {
					// 0 to 1500 allocations: a Local's use swings
					// from nothing to past the chunk cap.
					counts[g] = []int{0, 1, 5, 40, 300, 1500}[rng.IntN(6)]
				}
				seed := rng.Uint64()
				for g := range P + 1 {
					wg.Go(func() {
						r := rand.New(rand.NewPCG(seed, uint64(g)))
						tag := byte(epoch*(P+1) + g + 1)
						var l *Local
						if g < P {
							l = &locals[g]
						}
						for range counts[g] {
							n := uint64(r.IntN(200))
							if r.IntN(20) == 0 {
								n = uint64(1800 + r.IntN(600)) // about localDirect
							}
							align := uint64(1) << r.IntN(7)
							var p unsafe.Pointer
							var err error
							what := "Alloc"
							switch k := r.IntN(4); {
							case l == nil:
								p, err = a.Alloc(uintptr(n), uintptr(align))
								what = "Arena.Alloc"
							case k == 0:
								p, err = l.Alloc(uintptr(n), uintptr(align))
							case k == 1:
								p, err = l.CopyString(strings.Repeat("c", int(n)))
								n, align, what = n+1, 8, "CopyString"
							default:
								p = l.MustCopyString(strings.Repeat("m", int(n)))
								n, align, what = n+1, 8, "MustCopyString"
							}
							if err != nil {
								t.Errorf("epoch %d, %s(%d): %v", epoch, what, n, err)
								return
							}
							if uint64(uintptr(p))%align != 0 {
								t.Errorf("epoch %d, %s: %p not %d-aligned", epoch, what, p, align)
								return
							}
							for i, c := range bytesAt(p, uintptr(n)) {
								if what == "Alloc" || what == "Arena.Alloc" || i == int(n)-1 {
									if c != 0 {
										t.Errorf("epoch %d, %s(%d): byte %d is %#x, not 0", epoch, what, n, i, c)
										return
									}
								}
							}
							clear(bytesAt(p, uintptr(n)))
							for i := range bytesAt(p, uintptr(n)) {
								*(*byte)(unsafe.Add(p, i)) = tag
							}
							asked.Add(n + align - 1)
							spans[g] = append(spans[g], span{p, n, tag, what})
						}
					})
				}
				wg.Wait()
				if t.Failed() {
					return
				}
				base, h := uintptr(baseOf(a)), hdrOf(a)
				lo, used, committed := uintptr(floorOf(a)+abi.ArenaPrefix), atomic.LoadUint64(&h.Used), atomic.LoadUint64(&h.Committed)
				var all []span
				for _, s := range spans {
					all = append(all, s...)
				}
				slices.SortFunc(all, func(x, y span) int { return int(uintptr(x.p)) - int(uintptr(y.p)) })
				prev := base + lo
				for _, s := range all {
					off := uintptr(s.p) - base
					require.GreaterOrEqual(t, off, lo, "epoch %d: %s below the arena (stale base?)", epoch, s.what)
					require.LessOrEqual(t, uint64(off)+s.n, used, "epoch %d: %s past used", epoch, s.what)
					require.LessOrEqual(t, uint64(off)+s.n, committed, "epoch %d: %s past committed", epoch, s.what)
					if s.n == 0 {
						continue
					}
					require.GreaterOrEqual(t, uintptr(s.p), prev, "epoch %d: %s overlaps the allocation before it", epoch, s.what)
					prev = uintptr(s.p) + uintptr(s.n)
					for i, c := range bytesAt(s.p, uintptr(s.n)) {
						if c != s.tag {
							require.Equal(t, s.tag, c, "epoch %d: %s, byte %d overwritten", epoch, s.what, i)
						}
					}
				}
				// Each Local holds at most one chunk's unused space, and
				// abandons a chunk with less than localDirect left in it
				// (a chunk is at least localChunk, so at most 1/7 of it).
				waste := int64(a.Used()) - int64(asked.Load())
				require.LessOrEqual(t, waste, int64(P*maxChunk+asked.Load()/7+P*localDirect),
					"epoch %d: reserved but unused space", epoch)

				// A Ref in 3 epochs of 4: the slot's generations run
				// out and Reset moves the arena.
				if epoch%4 != 3 {
					p, err := a.CopyString("ref")
					require.NoError(t, err)
					_, err = a.Ref(p)
					require.NoError(t, err)
				}
				a.Reset()
				require.NotNil(t, hdrOf(a), "the arena lost its slot")
			}
			require.Greater(t, len(bases), 3, "the arena moved to new mappings")
			for i := range locals {
				_, err := locals[i].CopyString("after")
				require.NoError(t, err)
			}
		})
	}
}
