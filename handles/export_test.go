// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"fmt"
	"sync/atomic"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
)

// Test hooks.

// CheckCode is checkCode for tests in package handles_test.
func CheckCode(h Handle) hffi.Code { return checkCode(uint64(h)) }

// SetFreeGen sets the generation of the FREE slot idx, so that tests reach
// the end of a slot's generations without 1<<28 reuses.
func (t *Table) SetFreeGen(idx, gen uint32) bool {
	s := t.slot(idx)
	w := atomic.LoadUint64(&s.Word)
	if wordState(w) != abi.SlotFree {
		return false
	}
	return atomic.CompareAndSwapUint64(&s.Word, w, mkWord(gen, abi.SlotFree, 0))
}

// Cap returns the number of initialised slots.
func (t *Table) Cap() int { return int(atomic.LoadUint64(&t.hdr.Cap)) }

// Quarantined returns the number of slots in the debug quarantine.
func (t *Table) Quarantined() int {
	if t.dbg == nil {
		return 0
	}
	t.dbg.mu.Lock()
	defer t.dbg.mu.Unlock()
	return len(t.dbg.quar)
}

// Word returns the raw slot word of h.
func (t *Table) Word(h Handle) uint64 {
	return atomic.LoadUint64(&t.slot(uint32(h) & indexMask).Word)
}

// Diag describes where the slots of t are, for a failing test.
func (t *Table) Diag() string {
	c := uint32(atomic.LoadUint64(&t.hdr.Cap))
	var st [4]int
	for i := uint32(0); i < c; i++ {
		st[wordState(atomic.LoadUint64(&t.slot(i).Word))]++
	}
	n := func(head *uint64) int {
		k := 0
		for i1 := atomic.LoadUint64(head) & listMask; i1 != 0 && k <= int(c); k++ {
			i1 = atomic.LoadUint64(&t.slot(uint32(i1-1)).Next) & listMask
		}
		return k
	}
	sh := 0
	if t.shards != nil {
		for i := range t.shards {
			h := t.shards[i].head.Load()
			sh += n(&h)
			if t.shards[i].hot.Load() != 0 {
				sh++
			}
		}
	}
	return fmt.Sprintf("cap %d: free %d live %d released %d retired %d; free list %d, reap list %d, quarantine %d, shards %d",
		c, st[0], st[1], st[2], st[3], n(&t.hdr.FreeHead), n(&t.hdr.ReapHead), t.Quarantined(), sh)
}

// CheckLists reports slots that are FREE but on no list (lost) or on two
// (corrupt), or not FREE but on a list. t must be quiescent.
func (t *Table) CheckLists() error {
	c := uint32(atomic.LoadUint64(&t.hdr.Cap))
	seen := make([]int, c)
	walk := func(head *uint64, tag int) {
		k := uint32(0)
		for i1 := atomic.LoadUint64(head) & listMask; i1 != 0 && k <= c; k++ {
			seen[i1-1] += tag
			i1 = atomic.LoadUint64(&t.slot(uint32(i1-1)).Next) & listMask
		}
	}
	walk(&t.hdr.FreeHead, 1)
	walk(&t.hdr.ReapHead, 100)
	if t.shards != nil {
		for i := range t.shards {
			h := t.shards[i].head.Load()
			walk(&h, 1)
			if x := t.shards[i].hot.Load(); x != 0 { // a parked slot (parkHot)
				seen[x-1]++
			}
		}
	}
	if t.dbg != nil {
		t.dbg.mu.Lock()
		for _, i := range t.dbg.quar {
			seen[i] += 10000
		}
		t.dbg.mu.Unlock()
	}
	var lost, dup, wrong int
	for i := uint32(0); i < c; i++ {
		w := atomic.LoadUint64(&t.slot(i).Word)
		switch {
		case seen[i] == 0 && wordState(w) == abi.SlotFree:
			lost++
		case seen[i] != 0 && seen[i] != 1 && seen[i] != 100 && seen[i] != 10000:
			dup++
		case seen[i] != 0 && wordState(w) != abi.SlotFree && !(seen[i] == 100 && wordState(w) == abi.SlotReleased):
			wrong++
		}
	}
	if lost+dup+wrong != 0 {
		return fmt.Errorf("cap %d: %d free slots on no list, %d on several, %d listed but not free", c, lost, dup, wrong)
	}
	return nil
}

// SetReleasedHook makes f run in Delete right after a retained handle of
// any table was marked RELEASED, and returns a function that removes it.
func SetReleasedHook(f func(*Table, Handle)) (restore func()) {
	testHookReleased.Store(&f)
	return func() { testHookReleased.Store(nil) }
}

// SetMetaGen makes the Go side of h's slot claim generation gen, as no
// correct code path does, and returns a function that undoes it.
func (t *Table) SetMetaGen(h Handle, gen uint32) (restore func()) {
	g := t.gslot(uint32(h) & indexMask)
	m := atomic.LoadUint64(&g.meta)
	atomic.StoreUint64(&g.meta, m&^uint64(genMask32)|uint64(gen))
	return func() { atomic.StoreUint64(&g.meta, m) }
}

// SetEnterHook makes f run when Len, Reap or Snapshot of any table has
// been admitted past its closed check, and returns a function that removes
// it.
func SetEnterHook(f func(*Table)) (restore func()) {
	testHookEnter.Store(&f)
	return func() { testHookEnter.Store(nil) }
}

// CheckRuns reports a free slot that a shard holds although another shard
// (or none) owns its run, and a run owned by a shard while the shared
// list holds a whole run's worth of it. t must be quiescent.
func (t *Table) CheckRuns() error {
	for s := range t.shards {
		h := t.shards[s].head.Load()
		k := 0
		for i1 := h & listMask; i1 != 0 && k <= t.Cap(); k++ {
			idx := uint32(i1 - 1)
			if o := t.owner(idx); o == nil || o.Load() != uint32(s)+1 {
				return fmt.Errorf("slot %d in shard %d, run owned by %v", idx, s, o)
			}
			i1 = atomic.LoadUint64(&t.slot(idx).Next) & listMask
		}
	}
	return nil
}

// Shards returns the number of shards (0 in debug mode).
func (t *Table) Shards() int { return len(t.shards) }

// RunSlots is the number of slots of a run.
const RunSlots = runSlots

// DefaultExists reports whether the default table was created.
func DefaultExists() bool { return defTable.Load() != nil }
