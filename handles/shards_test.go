// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
)

// freshLimit gives each table below a limit of its own, and so a fresh
// id whose slots were never used (a closed id goes only to a table of the
// same limit), also with -count.
var freshLimit atomic.Int32

func newFresh(t *testing.T) *Table {
	t.Helper()
	tab, err := NewTable(WithLimit(200003+int(freshLimit.Add(1))), WithDebug(false))
	require.NoError(t, err)
	return tab
}

// withShards gives a fresh table n shards, as if the program had n Ps.
func withShards(t *testing.T, n int) *Table {
	t.Helper()
	tab := newFresh(t)
	t.Cleanup(func() { require.NoError(t, tab.Close()) })
	tab.shards = make([]shard, n)
	for i := range tab.shards {
		tab.shards[i].limit.Store(shardMax)
	}
	return tab
}

// take allocates a slot on shard s, as New on that shard's P does.
func (t *Table) take(s uint32) (uint32, bool) {
	if idx, ok := t.shardPop(&t.shards[s]); ok {
		return idx, true
	}
	return t.refill(s)
}

func runOf(idx uint32) uint32 { return idx >> runShift }

// Shards take whole runs; a slot freed on any P goes back to the shard
// that owns its run, so two shards never hand out slots of one run; and a
// shard with too many free slots gives its whole runs back, together and
// in order.
func TestShardsOwnWholeRuns(t *testing.T) {
	const shards, per = 4, 100
	tab := withShards(t, shards)
	owner := map[uint32]uint32{} // run -> shard + 1
	var taken [shards][]uint32
	for round := range per {
		for s := range uint32(shards) {
			idx, ok := tab.take(s)
			require.True(t, ok)
			if o, seen := owner[runOf(idx)]; seen {
				require.Equal(t, s+1, o, "run %d handed out by shards %d and %d (round %d)", runOf(idx), o-1, s, round)
			}
			owner[runOf(idx)] = s + 1
			taken[s] = append(taken[s], idx)
		}
	}
	// Free every slot "on another P": it still goes to its run's shard.
	for s := range shards {
		for _, idx := range taken[s] {
			w := atomic.LoadUint64(&tab.slot(idx).Word)
			require.Equal(t, uint64(abi.SlotFree), wordState(w))
			tab.recycleGo(idx)
		}
	}
	require.NoError(t, tab.CheckRuns())
	require.NoError(t, tab.CheckLists())
	// Each shard kept at most shardMax slots; the whole runs beyond went
	// back to the shared list, each run's slots together and in order.
	for s := range shards {
		h := tab.shards[s].head.Load()
		assert.LessOrEqual(t, (h&shardCountMask)>>shardCountShift, uint64(shardMax), "shard %d", s)
	}
	n, prev := 0, uint32(0)
	for i1 := atomic.LoadUint64(&tab.hdr.FreeHead) & listMask; i1 != 0; n++ {
		idx := uint32(i1 - 1)
		if n%runSlots != 0 {
			require.Equal(t, prev+1, idx, "a released run is together and in order")
		}
		if o := tab.owner(idx); o != nil {
			require.Zero(t, o.Load(), "a run on the shared list has no owner")
		}
		prev = idx
		i1 = atomic.LoadUint64(&tab.slot(idx).Next) & listMask
		if n >= tab.Cap() {
			t.Fatal("cycle in the free list")
		}
	}
}

// A shard whose runs all hold live slots keeps its free slots (it cannot
// give part of a run away) without compacting on every push, and another
// shard takes them only when the table would otherwise grow.
func TestFragmentedShard(t *testing.T) {
	tab := withShards(t, 2)
	var all []uint32
	for range 400 {
		idx, ok := tab.take(0)
		require.True(t, ok)
		all = append(all, idx)
	}
	for i, idx := range all {
		if i%runSlots != 0 { // every run keeps one slot in use
			tab.recycleGo(idx)
		}
	}
	h := tab.shards[0].head.Load()
	assert.Equal(t, uint64(400-400/runSlots), (h&shardCountMask)>>shardCountShift)
	assert.Greater(t, tab.shards[0].limit.Load(), uint32(shardMax), "the limit moved up")
	require.NoError(t, tab.CheckRuns())
	capBefore := tab.Cap()
	var other []uint32
	for range 400 - 400/runSlots {
		idx, ok := tab.take(1)
		require.True(t, ok)
		other = append(other, idx)
	}
	// Shard 1 first used the shared list's runs, then shard 0's slots.
	assert.Equal(t, capBefore, tab.Cap(), "no growth while shard 0 held free slots")
	for _, idx := range other {
		tab.recycleGo(idx)
	}
	for i := 0; i < len(all); i += runSlots {
		tab.recycleGo(all[i])
	}
	require.NoError(t, tab.CheckRuns())
	require.NoError(t, tab.CheckLists())
}

// Goroutines that create and delete handles on several Ps at once, each
// also deleting handles the others made, get only slots of runs that
// their P's shard owns when they get them: since a run has one owner, two
// Ps never hand out slots of one run (and so of one cache line) at once.
func TestNoRunOnTwoPs(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	tab := newFresh(t)
	var err error
	t.Cleanup(func() { require.NoError(t, tab.Close()) })
	// Grow the table and scatter its free slots first, so that no New
	// below grows it (growth may yield, which a pinned goroutine must not).
	hs := make([]Handle, 4000)
	for i := range hs {
		hs[i], err = tab.New(i)
		require.NoError(t, err)
	}
	for _, i := range rand.Perm(len(hs)) {
		require.NoError(t, tab.Delete(hs[i]))
	}
	const workers, minRounds = 4, 2000
	var bad, news atomic.Int64
	var rounds [workers]int
	pass := make(chan Handle, 64)
	deadline := time.Now().Add(300 * time.Millisecond)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			// At least minRounds each, however late the goroutine starts:
			// the deadline alone let a stalled process end the test
			// without a New.
			n := 0
			defer func() { rounds[w] = n }()
			for ; n < minRounds || time.Now().Before(deadline); n++ {
				p := procPin() // New and the check stay on this P
				h, err := tab.New(p)
				owner := uint32(0)
				if err == nil {
					owner = tab.owner(uint32(h) & indexMask).Load()
				}
				procUnpin()
				if err != nil {
					t.Error(err)
					return
				}
				news.Add(1)
				if owner != uint32(p)&uint32(len(tab.shards)-1)+1 {
					bad.Add(1)
				}
				select {
				case pass <- h: // someone else deletes it
				default:
					assert.NoError(t, tab.Delete(h))
				}
				select {
				case o := <-pass:
					assert.NoError(t, tab.Delete(o))
				default:
				}
			}
		})
	}
	wg.Wait()
	close(pass)
	for h := range pass {
		require.NoError(t, tab.Delete(h))
	}
	for w, n := range rounds {
		assert.GreaterOrEqual(t, n, minRounds, "rounds of worker %d", w)
	}
	assert.Zero(t, bad.Load(), "of %d slots, handed out on a P whose shard does not own their run", news.Load())
	assert.Equal(t, 0, tab.Len())
	require.NoError(t, tab.CheckRuns())
}

// parkOnMyShard deletes a fresh handle of tab on the calling goroutine's
// P, which parks its slot on that P's shard (parkHot). It returns the P,
// the slot and what the shard's hot slot held after the Delete.
func parkOnMyShard(tab *Table) (p int, idx, hot uint32, err error) {
	p = procPin() // New, Delete and the reads stay on this P
	defer procUnpin()
	if p >= len(tab.shards) {
		return p, 0, 0, nil
	}
	if x := takeHot(&tab.shards[p]); x != 0 { // make room
		tab.recycleGo(x - 1)
	}
	h, err := tab.New(p)
	if err != nil {
		return p, 0, 0, err
	}
	idx = uint32(h) & indexMask
	if err = tab.Delete(h); err != nil {
		return p, idx, 0, err
	}
	return p, idx, tab.shards[p].hot.Load(), nil
}

// A Delete parks the slot on its P's shard and the next New there takes
// it back; a slot parked on a shard whose P never runs is still reached
// when the table is at its limit (popAnyShard), and a table's Close puts
// a parked slot back on the list the next table of its id starts from.
func TestHotSlotReachedAtLimit(t *testing.T) {
	const limit = 512 // two runs per shard at most: the limit is reached quickly
	tab, err := NewTable(WithLimit(limit), WithDebug(false))
	require.NoError(t, err)
	// 8 shards, more than this test's Ps (shards >= 2 go unused by them).
	if runtime.GOMAXPROCS(0) > 4 {
		t.Skip("needs GOMAXPROCS <= 4 to have a shard no P uses")
	}
	tab.shards = make([]shard, 8)
	for i := range tab.shards {
		tab.shards[i].limit.Store(shardMax)
	}
	hs := make([]Handle, limit)
	for i := range hs {
		hs[i], err = tab.New(i)
		require.NoError(t, err, "handle %d of %d", i, limit)
	}
	_, err = tab.New(-1)
	require.ErrorIs(t, err, hffi.ENOMEM, "the table is full")

	// Free one slot, take it out of wherever it went, and park it on
	// shard 7, which no P of this test fills or takes from first.
	require.NoError(t, tab.Delete(hs[0]))
	idx, code := tab.alloc()
	require.Equal(t, hffi.OK, code)
	require.Equal(t, uint32(hs[0])&indexMask, idx)
	tab.shards[7].hot.Store(idx + 1)
	require.NoError(t, tab.CheckLists(), "a parked slot counts as listed")

	h, err := tab.New(0)
	require.NoError(t, err, "the parked slot is reached at the limit")
	assert.Equal(t, idx, uint32(h)&indexMask)
	assert.Zero(t, tab.shards[7].hot.Load())
	_, err = tab.New(-1)
	require.ErrorIs(t, err, hffi.ENOMEM)
	hs[0] = h
	for _, h := range hs {
		require.NoError(t, tab.Delete(h))
	}
	require.NoError(t, tab.CheckLists())
	require.NoError(t, tab.Close())
}

func TestHotSlotFlushedOnClose(t *testing.T) {
	lim := 9000 + int(freshLimit.Add(1))
	tab, err := NewTable(WithLimit(lim), WithDebug(false))
	require.NoError(t, err)
	for range 10 {
		p, idx, hot, err := parkOnMyShard(tab)
		require.NoError(t, err)
		if p >= len(tab.shards) {
			t.Skipf("P %d has no shard of its own", p)
		}
		require.Equal(t, idx+1, hot, "the Delete parked its slot")
	}
	id := tab.ID()
	require.NoError(t, tab.Close())
	again, err := NewTable(WithLimit(lim), WithDebug(false))
	require.NoError(t, err)
	defer func() { require.NoError(t, again.Close()) }()
	require.Equal(t, id, again.ID(), "the closed id and its slots are reused")
	require.NoError(t, again.CheckLists(), "no free slot left off the lists")
}

// handRun gives the run of idx from shard from to shard to, as compact
// and a later Delete would: the run's free slots on from's list move to
// to's, and to owns the run. A parked slot stays where it is. (Setting the
// owner alone left the run's other free slots on from's list, a state the
// protocol never makes: New on from's P then handed one out, and the test
// saw a slot of another shard's run, once in 30 runs under -race.)
func handRun(tab *Table, from, to, idx uint32) {
	var keep, moved []uint32
	for i1 := shardTakeAll(&tab.shards[from]); i1 != 0; {
		x := uint32(i1 - 1)
		i1 = atomic.LoadUint64(&slotAt(tab.base, x).Next) & listMask
		if x>>runShift == idx>>runShift {
			moved = append(moved, x)
		} else {
			keep = append(keep, x)
		}
	}
	push := func(s uint32, xs []uint32) {
		if len(xs) == 0 {
			return
		}
		for i := 0; i < len(xs)-1; i++ {
			slotAt(tab.base, xs[i]).Next = uint64(xs[i+1]) + 1
		}
		if _, ok := tab.shardPushChain(&tab.shards[s], xs[0], xs[len(xs)-1], uint32(len(xs))); !ok {
			listPush(&tab.hdr.FreeHead, tab.base, xs[0], xs[len(xs)-1])
		}
	}
	push(from, keep)
	push(to, moved)
	tab.owner(idx).Store(to + 1)
}

// compact's second pass may give up the run of a parked slot (a run with
// live slots); New must then not hand the slot out on the old owner's P
// (TestNoRunOnTwoPs under -race found it), but send it to its run's new
// owner, as a Delete would.
func TestHotSlotOfRunThatChangedHands(t *testing.T) {
	tab := withShards(t, 8)
	if runtime.GOMAXPROCS(0) > 4 {
		t.Skip("needs GOMAXPROCS <= 4")
	}
	hs := make([]Handle, 600) // grow first: New must not grow while pinned
	var err error
	for i := range hs {
		hs[i], err = tab.New(i)
		require.NoError(t, err)
	}
	for _, h := range hs {
		require.NoError(t, tab.Delete(h))
	}
	var p int
	var idx, hot, got, newOwner uint32
	for range 20 { // until the test stays on one P from park to New
		p, idx, hot, err = parkOnMyShard(tab)
		require.NoError(t, err)
		require.Equal(t, idx+1, hot)
		q := uint32(p+4) % 8 // a shard no P of the test uses
		handRun(tab, uint32(p), q, idx)
		pinned := procPin()
		h, err2 := tab.New(0)
		procUnpin()
		require.NoError(t, err2)
		got = uint32(h) & indexMask
		newOwner = tab.owner(got).Load()
		require.NoError(t, tab.Delete(h))
		handRun(tab, q, uint32(p), idx) // as it was
		if pinned == p {
			assert.NotEqual(t, idx, got, "a slot whose run changed hands was handed out on its old owner's P")
			assert.Equal(t, uint32(p)+1, newOwner)
			break
		}
	}
	require.NoError(t, tab.CheckLists())
}

// Goroutines on all Ps fill a small table to its limit and empty it again,
// over and over, so that New often finds free slots only parked on other
// Ps' shards: New must never report a full table while the goroutines
// hold fewer handles than the limit, never hand out a slot that is live
// (a bitmap of live slots catches a double hand-out), and every value
// must read back.
func TestHotSlotsAtLimitStress(t *testing.T) {
	const limit, workers = 256, 4
	tab, err := NewTable(WithLimit(limit), WithDebug(false))
	require.NoError(t, err)
	var live [limit]atomic.Int32
	const minRounds = 100
	var fails, doubles, wrong atomic.Int64
	var rounds [workers]int
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			hs := make([]Handle, 0, limit/workers)
			// At least minRounds each, however late the goroutine starts:
			// the deadline alone let a stalled process end the test
			// without a New.
			n := 0
			defer func() { rounds[w] = n }()
			for ; n < minRounds || time.Now().Before(deadline); n++ {
				for range cap(hs) {
					h, err := tab.New(w)
					if err != nil {
						fails.Add(1)
						break
					}
					if !live[uint32(h)&indexMask].CompareAndSwap(0, 1) {
						doubles.Add(1)
					}
					hs = append(hs, h)
				}
				for _, h := range hs {
					if v, err := tab.Value(h); err != nil || v != w {
						wrong.Add(1)
					}
					live[uint32(h)&indexMask].Store(0)
					if tab.Delete(h) != nil {
						wrong.Add(1)
					}
				}
				hs = hs[:0]
				runtime.Gosched() // move between Ps
			}
		})
	}
	wg.Wait()
	total := 0
	for w, n := range rounds {
		assert.GreaterOrEqual(t, n, minRounds, "rounds of worker %d", w)
		total += n
	}
	assert.Zero(t, fails.Load(), "New reported a full table with free slots (of %d rounds)", total)
	assert.Zero(t, doubles.Load(), "a live slot was handed out again")
	assert.Zero(t, wrong.Load())
	require.NoError(t, tab.CheckLists())
	require.NoError(t, tab.Close())
}
