// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"runtime"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
)

// A table's free slots are on the shared free list of hffi.h, where C
// finds them too. Goroutines that create and delete handles on several
// cores would all CAS that one head word, and two cores that recycle
// slots of one cache line would write that line back and forth. So Go
// keeps one shard of free slots per P (processor) in front of the shared
// list, and a shard owns whole runs of slots (runSlots aligned slots: see
// runShift): it hands out only slots of its runs, and a freed slot goes
// back to the shard that owns its run, whichever P frees it. Two shards
// never own one run, so two cores never hand out slots whose Go-side
// slots or slot words share a cache line.
//
// A shard takes a run from the shared list (listPopRun: the list keeps a
// run's free slots together) or from growth, and gives whole runs back
// when it holds more than its limit of free slots (compact), so that C and
// the other shards can have them. A run whose slots are not all free stays
// with its shard: a shard may hold up to runSlots-1 free slots per such
// run, up to shardCap slots in all; beyond that it gives up such runs
// too.
//
// A shard's head packs the index + 1 of its first slot (linked through
// hffi_slot.next, as the shared lists are), a count and an ABA tag.
const (
	shardCountShift = abi.ListTagShift
	shardCountBits  = 11
	shardCountMax   = 1<<shardCountBits - 1
	shardCountMask  = uint64(shardCountMax) << shardCountShift
	shardTagShift   = shardCountShift + shardCountBits
	shardTag1       = uint64(1) << shardTagShift
	shardMax        = 64   // free slots a shard keeps before it gives whole runs back
	shardCap        = 1024 // free slots beyond which a shard overflows to the shared list
	maxShards       = 256
	// A pop or push of one slot in one addition to the head's count and
	// tag (h&^listMask): the count is at least 1 on a non-empty shard and
	// below shardCountMax where a push adds 1, so it never carries into
	// the tag, and the tag wraps off the top of the word.
	shardPopOne  = shardTag1 - 1<<shardCountShift
	shardPushOne = shardTag1 + 1<<shardCountShift
)

type shard struct {
	head  atomic.Uint64
	limit atomic.Uint32 // compact when the count reaches it
	hot   atomic.Uint32 // a slot parked by its P (see takeHot), index + 1; 0 for none
	_     [48]byte      // one cache line each
}

// Every pop and push of a shard is a locked instruction (about 10 ns on
// a virtual machine of 2019), and a New+Delete pair of one goroutine made
// two of them beside the slot word's CAS. So each shard has a "hot" slot
// too, which only the P of the shard's index fills: a Delete on that P
// of a slot of a run the shard owns parks the slot there with a plain
// store while it is empty (pinned to the P, so no other goroutine can
// fill it meanwhile), and New takes it back first with a CAS, the only
// locked instruction between them. Anyone may take a parked slot (the
// CAS decides), so a table at its limit still reaches it (popAnyShard),
// and a closed table's flushShards puts it back on the list. A parked
// slot's word is FREE, on no list, so C never allocates it, and its run
// stays the shard's: compact gives a run back whole only with all its
// slots on the shard. compact's second pass gives up runs that have slots
// elsewhere, a parked one included: New checks the owner of the slot it
// takes and sends a slot whose run changed hands where a Delete would.

// takeHot takes the slot parked on sh, if any: its index + 1, or 0.
func takeHot(sh *shard) uint32 {
	if x := sh.hot.Load(); x != 0 && sh.hot.CompareAndSwap(x, 0) {
		return x
	}
	return 0
}

// parkHot parks slot idx on the shard of P p if that shard owns the slot's
// run (o) and its hot slot is empty; the caller pinned the goroutine to p.
func parkHot(shs []shard, p int, o, idx uint32) bool {
	if uint32(p) != o || p >= len(shs) {
		return false
	}
	sh := &shs[p]
	if sh.hot.Load() != 0 {
		return false
	}
	storeHot(&sh.hot, idx+1)
	return true
}

// newShards makes one shard per P, for as many Ps as the program may use:
// a power of two so that a P id maps to a shard with a mask. The slice
// size is a power of two times 64 bytes, a size class whose objects are
// aligned to their size: each shard has a cache line to itself.
func newShards() []shard {
	n := 1
	for n < maxShards && (n < procs()) {
		n *= 2
	}
	s := make([]shard, n)
	for i := range s {
		s[i].limit.Store(shardMax)
	}
	return s
}

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// pid returns the id of the P the goroutine runs on. The goroutine may
// move to another P right after: the shard is a hint for the cache, and
// correctness never depends on it.
func pid() uint32 {
	p := procPin()
	procUnpin()
	return uint32(p)
}

// myShard returns the index of the calling P's shard.
func (t *Table) myShard() uint32 { return pid() & uint32(len(t.shards)-1) }

// owners: the shard + 1 that owns each run, 0 for none, in segments
// parallel to the Go-side slots (segment k holds 256<<k slots, so
// 32<<k runs). A run changes hands only while all its slots are free and
// held by whoever changes it, so a Delete that reads the owner of its
// slot's run reads a stable value.
func (t *Table) owner(idx uint32) *atomic.Uint32 {
	k, off := segOf(idx)
	seg := atomic.LoadPointer(&t.osegs[k&31])
	if seg == nil {
		return nil
	}
	return (*atomic.Uint32)(unsafe.Add(seg, off>>runShift*4))
}

// shardPop pops a slot from the shard, if it has one.
func (t *Table) shardPop(sh *shard) (uint32, bool) {
	for {
		i1, ok := t.shardTryPop(sh)
		if i1 == 0 {
			return 0, false
		}
		if ok {
			return uint32(i1 - 1), true
		}
	}
}

// shardTryPop makes one attempt at popping a slot from the shard: it
// returns the slot's index + 1, 0 if the shard is empty, and whether the
// pop won (it lost to another pop or push otherwise). Small enough to
// inline into New's hot path.
func (t *Table) shardTryPop(sh *shard) (uint64, bool) {
	h := sh.head.Load()
	i1 := h & listMask
	if i1 == 0 {
		return 0, false
	}
	next := atomic.LoadUint64(&slotAt(t.base, uint32(i1-1)).Next) & listMask
	return i1, sh.head.CompareAndSwap(h, next|(h&^listMask+shardPopOne))
}

// shardTryPush makes one attempt at pushing slot idx (p is its slot) on
// the shard if its count c is below lim-1: it returns c and whether the
// push won. It does not compact. Small enough to inline into Delete's hot
// path.
func shardTryPush(sh *shard, p *abi.Slot, idx, lim uint32) (uint32, bool) {
	h := sh.head.Load()
	c := uint32((h & shardCountMask) >> shardCountShift)
	if c+1 >= lim {
		return c, false
	}
	p.Next = h & listMask // published by the CAS, like listPush
	return c, sh.head.CompareAndSwap(h, uint64(idx)+1|(h&^listMask+shardPushOne))
}

// shardPush pushes the chain first..last of n slots, linked through Next,
// on the shard, and compacts the shard when its count reaches its limit.
// It reports false, pushing nothing, if the shard is full (shardCap for a
// single slot); the caller then pushes the slots on the shared list.
func (t *Table) shardPush(sh *shard, first, last, n uint32) bool {
	c, ok := t.shardPushChain(sh, first, last, n)
	if ok && c >= sh.limit.Load() {
		t.compact(uint32((uintptr(unsafe.Pointer(sh)) - uintptr(unsafe.Pointer(&t.shards[0]))) / unsafe.Sizeof(shard{})))
	}
	return ok
}

// shardPushChain is shardPush without compaction; it returns the new count.
func (t *Table) shardPushChain(sh *shard, first, last, n uint32) (uint32, bool) {
	s := slotAt(t.base, last)
	for {
		h := sh.head.Load()
		c := uint32((h & shardCountMask) >> shardCountShift)
		if c+n > shardCountMax || (c >= shardCap && n == 1) {
			return c, false
		}
		s.Next = h & listMask // published by the CAS, like listPush
		nh := uint64(first) + 1 | (h&shardCountMask + uint64(n)<<shardCountShift) | (h&^(shardTag1-1) + shardTag1)
		if sh.head.CompareAndSwap(h, nh) {
			return c + n, true
		}
	}
}

// shardTakeAll empties the shard and returns its first slot + 1 (0 if it
// was empty); the chain is then the caller's.
func shardTakeAll(sh *shard) uint64 {
	for {
		h := sh.head.Load()
		if h&listMask == 0 {
			return 0
		}
		if sh.head.CompareAndSwap(h, h&^(shardTag1-1)+shardTag1) {
			return h & listMask
		}
	}
}

// recycleGo returns a slot Go freed to the shard that owns its run, or to
// the shared list if no shard does (or the shard is full).
func (t *Table) recycleGo(idx uint32) {
	if o := t.owner(idx); o != nil {
		if s := o.Load(); s != 0 && int(s) <= len(t.shards) {
			sh, p := &t.shards[s-1], slotAt(t.base, idx)
			for {
				c, ok := shardTryPush(sh, p, idx, shardCap+1)
				if ok {
					if c+1 >= sh.limit.Load() {
						t.compact(s - 1)
					}
					return
				}
				if c >= shardCap {
					break
				}
			}
		}
	}
	listPush(&t.hdr.FreeHead, t.base, idx, idx)
}

// refill takes a run for shard me and returns one of its slots; the others
// go on the shard. A run the shared list holds may already belong to
// another shard (a slot that overflowed, or that a C object held when its
// shard took the run): such slots go back to their shard. Part of a run
// that holds a live C object is where C's next allocations go (C pops
// the top of the list, which continues its run): refill skips a few of
// those and puts them back on top, so that Go and C do not share the run.
func (t *Table) refill(me uint32) (uint32, bool) {
	var skipFirst, skipLast, skipped uint32
	idx, ok := t.refillRun(me, &skipFirst, &skipLast, &skipped)
	if skipped != 0 && skipped <= maxSkip { // not if refillRun put them back
		listPush(&t.hdr.FreeHead, t.base, skipFirst, skipLast)
	}
	return idx, ok
}

// maxSkip is how many C runs a refill passes over before it takes one.
const maxSkip = 4

func (t *Table) refillRun(me uint32, skipFirst, skipLast, skipped *uint32) (uint32, bool) {
	for {
		first, n := listPopRun(&t.hdr.FreeHead, t.base)
		if n == 0 && *skipped != 0 {
			// Only C's runs are left: take one rather than grow.
			listPush(&t.hdr.FreeHead, t.base, *skipFirst, *skipLast)
			*skipped = maxSkip + 1
			continue
		}
		if n == 0 {
			// Before the table grows, the free slots other shards hold:
			// one at a time, their runs stay where they are. Growth
			// refills the shared list, so this happens once per growth.
			if i, ok := t.popAnyShard(); ok {
				return i, true
			}
			var code hffi.Code
			first, n, code = growRun(t.hdr, t.base)
			if code == again {
				continue // someone pushed slots meanwhile
			}
			if code != hffi.OK {
				return 0, false
			}
		}
		last := first
		for range n - 1 {
			last = uint32(atomic.LoadUint64(&slotAt(t.base, last).Next)&listMask) - 1
		}
		t.segMake(first)
		o := t.owner(first)
		if s := o.Load(); s == 0 && *skipped < maxSkip && n < runLen(first, t.hdr.Limit) && t.holdsCObject(first) {
			if *skipped == 0 {
				*skipFirst = first
			} else {
				slotAt(t.base, *skipLast).Next = uint64(first) + 1
			}
			*skipLast = last
			*skipped++
			continue
		}
		if !o.CompareAndSwap(0, me+1) {
			if s := o.Load(); s != me+1 {
				if !t.shardPush(&t.shards[s-1], first, last, n) {
					listPush(&t.hdr.FreeHead, t.base, first, last)
					return 0, false // overflowing shards: let alloc's slow path decide
				}
				continue
			}
		}
		if n > 1 {
			second := uint32(atomic.LoadUint64(&slotAt(t.base, first).Next)&listMask) - 1
			if !t.shardPush(&t.shards[me], second, last, n-1) {
				listPush(&t.hdr.FreeHead, t.base, second, last)
			}
		}
		return first, true
	}
}

// holdsCObject reports whether the run of idx holds a live C object.
func (t *Table) holdsCObject(idx uint32) bool {
	start := idx &^ (runSlots - 1)
	for i := start; i < start+runLen(idx, t.hdr.Limit); i++ {
		w := atomic.LoadUint64(&slotAt(t.base, i).Word)
		if wordKind(w) == abi.KindCObj && wordState(w) == abi.SlotLive {
			return true
		}
	}
	return false
}

// compact gives the whole runs of shard me back to the shared list, each
// run's slots together and in index order, keeping about shardMax/2
// slots, and sets the shard's next limit: twice what it kept if no whole
// run could go (its runs all have live slots), so that a shard of
// fragmented runs does not compact on every push. If it still holds more
// than shardCap/2 slots, it gives up runs that have live slots too: it
// pushes their free slots on the shared list and owns them no more (their
// live slots go there too when they are freed). A slot whose run the shard
// does not own (a Delete that read the owner just before that) goes to
// the shared list as well. One compact at a time per table (they share a
// buffer); a push that finds one running leaves it to the next push.
func (t *Table) compact(me uint32) {
	if !t.cmu.TryLock() {
		return
	}
	defer t.cmu.Unlock()
	sh := &t.shards[me]
	i1 := shardTakeAll(sh)
	buf := t.cbuf
	n := 0
	for ; i1 != 0 && n < len(buf); n++ {
		buf[n] = uint32(i1 - 1)
		i1 = atomic.LoadUint64(&slotAt(t.base, buf[n]).Next) & listMask
	}
	rest := i1 // beyond buf: kept as they are
	idx := buf[:n]
	slices.Sort(idx)
	limit := t.hdr.Limit
	// give pushes idx[j:k], one run's slots, on the shared list; disown
	// gives up the run first.
	give := func(j, k int, disown bool) {
		if disown {
			t.owner(idx[j]).Store(0)
		}
		for i := j; i < k-1; i++ {
			slotAt(t.base, idx[i]).Next = uint64(idx[i+1]) + 1
		}
		listPush(&t.hdr.FreeHead, t.base, idx[j], idx[k-1])
	}
	kept, left := 0, n
	for pass := 0; pass < 2; pass++ {
		// Pass 0 gives back whole runs and strays, pass 1 fragmented
		// runs, while the shard holds more than it should.
		keep := shardMax / 2
		if pass == 1 {
			keep, n, idx, kept, left = shardCap/2, kept, idx[:kept], 0, kept
		}
		for j := 0; j < n; {
			k := j + 1
			for k < n && idx[k]>>runShift == idx[j]>>runShift {
				k++
			}
			switch {
			case pass == 0 && t.owner(idx[j]).Load() != me+1:
				give(j, k, false)
				left -= k - j
			case left > keep && (pass == 1 || uint32(k-j) == runLen(idx[j], limit)):
				give(j, k, true) // all its free slots are here: nobody else writes the owner
				left -= k - j
			default:
				copy(idx[kept:], idx[j:k])
				kept += k - j
			}
			j = k
		}
		if kept <= shardCap/2 {
			break
		}
	}
	// The kept slots, then the rest, back on the shard as one chain.
	cnt, last := uint32(kept), uint32(0)
	for j := rest; j != 0; j = atomic.LoadUint64(&slotAt(t.base, last).Next) & listMask {
		last = uint32(j - 1)
		cnt++
	}
	sh.limit.Store(min(max(shardMax, 2*cnt), shardCap))
	if cnt == 0 {
		return
	}
	first := uint32(rest - 1)
	if kept > 0 {
		first = idx[0]
		for i := 0; i < kept-1; i++ {
			slotAt(t.base, idx[i]).Next = uint64(idx[i+1]) + 1
		}
		slotAt(t.base, idx[kept-1]).Next = rest
		if rest == 0 {
			last = idx[kept-1]
		}
	}
	if _, ok := t.shardPushChain(sh, first, last, cnt); !ok {
		listPush(&t.hdr.FreeHead, t.base, first, last)
	}
}

// popAnyShard pops a slot from any shard, for a New that found its own
// shard and the shared list empty, before the table grows. The slot's run
// stays with its shard, which gets the slot back when it is freed: two
// cores share a run only until then, and only when the table would
// otherwise grow.
func (t *Table) popAnyShard() (uint32, bool) {
	for i := range t.shards {
		if i1 := takeHot(&t.shards[i]); i1 != 0 {
			return i1 - 1, true
		}
		if idx, ok := t.shardPop(&t.shards[i]); ok {
			return idx, true
		}
	}
	return 0, false
}

// flushShards moves every slot of the shards to the shared free list in
// index order, runs together (so that a closed table's id is reused with
// all its free slots on the list C and the next Table see). It allocates.
func (t *Table) flushShards() {
	var all []uint32
	for i := range t.shards {
		if i1 := takeHot(&t.shards[i]); i1 != 0 {
			all = append(all, i1-1)
		}
		for i1 := shardTakeAll(&t.shards[i]); i1 != 0; {
			all = append(all, uint32(i1-1))
			i1 = atomic.LoadUint64(&slotAt(t.base, uint32(i1-1)).Next) & listMask
		}
	}
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	for i := 0; i < len(all)-1; i++ {
		slotAt(t.base, all[i]).Next = uint64(all[i+1]) + 1
	}
	listPush(&t.hdr.FreeHead, t.base, all[0], all[len(all)-1])
}

// procs is the number of Ps the program may use, as far as we can tell.
func procs() int { return max(runtime.GOMAXPROCS(0), runtime.NumCPU()) }
