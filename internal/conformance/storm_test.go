// SPDX-License-Identifier: Apache-2.0

package conformance

import (
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/abi"
)

// Counters of drv_storm_worker, in driver.c's order.
const (
	stResolves = iota
	stOK
	stStale
	stWrong
	stRetired
	stBounds
	stOther
	stValBad
	stValOK
	stCounters
)

var stormNames = [stCounters]string{"resolves", "ok", "stale", "wrong arena", "ok after retire",
	"EBOUNDS", "other code", "value EBOUNDS/ECORRUPT/other", "value ok"}

// stormDuration is how long each phase of TestResolveStorm runs:
// HFFI_STORM_SECONDS, or one second.
func stormDuration() time.Duration {
	if s, err := strconv.ParseFloat(os.Getenv("HFFI_STORM_SECONDS"), 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return time.Second
}

// stormBlock is the block Go publishes references in (see driver.c).
type stormBlock struct {
	s   *scratch
	seq uint64
}

func (b *stormBlock) publish(r arena.Ref, p unsafe.Pointer, size uint64) {
	b.seq++
	atomic.StoreUint64(b.s.word(0), b.seq<<2|1)
	atomic.StoreUint64(b.s.word(1), uint64(r))
	atomic.StoreUint64(b.s.word(2), uint64(uintptr(p)))
	atomic.StoreUint64(b.s.word(3), size)
	atomic.StoreUint64(b.s.word(0), b.seq<<2)
}

// retired says that the Reset or Free that made the last reference stale
// has returned: no resolve that starts now may succeed.
func (b *stormBlock) retired() { atomic.StoreUint64(b.s.word(0), b.seq<<2|2) }

// TestResolveStorm races C threads that resolve references (with
// hffi_ref_resolve and hffi_val_kind) against Go resetting, freeing and
// re-creating the arenas they point into, in the same registry slots. A C
// answer must be the reference's own address or ESTALE/ECLOSED: never an
// address in the arena that took over the slot, never EBOUNDS for a
// reference that was in bounds in its generation. Before the C lookup
// re-checked the slot word, both happened within a second.
func TestResolveStorm(t *testing.T) {
	d := loadDriver(t)
	const threads = 2
	blk := &stormBlock{s: newScratch(t, 64)}
	cnt := newScratch(t, threads*stCounters*8)
	rng := rand.New(rand.NewPCG(1, 2))
	spin := func() {
		for range rng.IntN(64) {
			atomic.AddUint64(cnt.word(threads*stCounters), 1) // out of the threads' range
		}
	}
	phases := []struct {
		name string
		mode uint64
		run  func(deadline time.Time)
	}{
		{"free and reuse the slot", 0, func(deadline time.Time) {
			for i := 0; time.Now().Before(deadline); i++ {
				// Alternating sizes give the next arena another address.
				a, err := arena.New(arena.WithMaxSize(uintptr(1+i%2*2) << 20))
				require.NoError(t, err)
				for k := range 8 {
					size := uint64(16 + rng.IntN(4096))
					p, err := a.Alloc(uintptr(size), 8)
					require.NoError(t, err)
					r, err := a.Ref(p)
					require.NoError(t, err)
					blk.publish(r, p, size)
					spin()
					if k == 7 {
						require.NoError(t, a.Free())
					} else {
						a.Reset()
					}
					blk.retired()
				}
			}
		}},
		{"reset with values", 1, func(deadline time.Time) {
			a := newArena(t, arena.WithMaxSize(1<<20), arena.WithDebug(false))
			for n := uint64(1); time.Now().Before(deadline); n++ {
				// The node is the first allocation of every generation and
				// is written with the same kind and length each time, so a
				// reader racing with a Reset never sees a torn node.
				p, err := a.AllocUninit(abi.ValSize, 8)
				require.NoError(t, err)
				v := (*abi.Val)(p)
				v.Kind, v.Len = abi.ValInt, 0
				atomic.StoreUint64(&v.Data, n)
				_, err = a.Alloc(uintptr(rng.IntN(4096)), 8)
				require.NoError(t, err)
				r, err := a.Ref(p)
				require.NoError(t, err)
				blk.publish(r, p, abi.ValSize)
				spin()
				a.Reset()
				blk.retired()
			}
		}},
	}
	for _, ph := range phases {
		t.Run(ph.name, func(t *testing.T) {
			for i := range 6 {
				*blk.s.word(i) = 0
			}
			for i := range threads * stCounters {
				*cnt.word(i) = 0
			}
			*blk.s.word(4) = ph.mode
			require.Equal(t, int32(0), d.sStart(d.rt, threads, blk.s.addr(0), cnt.addr(0)))
			func() {
				defer func() {
					atomic.StoreUint64(blk.s.word(5), 1)
					d.sJoin()
				}()
				ph.run(time.Now().Add(stormDuration()))
			}()
			var sum [stCounters]uint64
			for th := range threads {
				for k := range stCounters {
					sum[k] += *cnt.word(th*stCounters + k)
				}
			}
			report := map[string]uint64{}
			for k, n := range sum {
				report[stormNames[k]] = n
			}
			t.Logf("%v", report)
			for _, k := range []int{stWrong, stRetired, stBounds, stOther, stValBad} {
				assert.Zero(t, sum[k], "%s: %v", stormNames[k], report)
			}
			assert.NotZero(t, sum[stOK], "the storm never resolved a live reference")
			assert.NotZero(t, sum[stStale], "the storm never raced a Reset or Free")
		})
	}
}
