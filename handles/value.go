// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
)

// New stores v and returns a new handle for it. The table keeps v
// reachable until the handle is deleted and every C retain of it is
// released. It makes no allocation of its own (converting a non-pointer
// value to an interface may allocate at the call site) except when the
// table grows or in debug mode. It fails with hffi.ENOMEM at the table's
// limit and hffi.ECLOSED after Close.
func (t *Table) New(v any) (Handle, error) {
	h, code := t.insert(v, 2, "")
	if code != hffi.OK {
		return 0, &Error{Op: "new", Code: code, Detail: t.String()}
	}
	return h, nil
}

// insert issues a handle for v; skip is the number of frames between the
// user's call and insert, for the debug creation site. If op is not "",
// it panics (with panicMisuse(op)) instead of returning a failure, and a
// nil t stands for the default table: that is NewHandle.
func (t *Table) insert(v any, skip int, op string) (Handle, hffi.Code) {
	if t == nil && op != "" { // a nil *Table of a caller still panics below
		t = def()
	}
	if t.closed() {
		return 0, t.insertFailed(op, hffi.ECLOSED)
	}
	// alloc's hot path: one try at the calling P's shard (shardTryPop
	// inlines), unless C released slots that alloc must reap first.
	var idx uint32
	popped := false
	if shs := t.shards; len(shs) != 0 && atomic.LoadUint64(&t.hdr.ReapHead)&listMask == 0 {
		p := procPin() // the P id is a hint (see pid)
		procUnpin()
		if p < len(shs) {
			if i1 := takeHot(&shs[p]); i1 != 0 {
				// compact may have given up the slot's run while it was
				// parked (a run with live slots); then the slot goes
				// where a Delete would send it now.
				if o := t.owner(i1 - 1); o != nil && o.Load() == uint32(p)+1 {
					idx, popped = i1-1, true
				} else {
					t.recycleGo(i1 - 1)
				}
			}
		}
		if !popped {
			var i1 uint64
			i1, popped = t.shardTryPop(&shs[p&(len(shs)-1)])
			idx = uint32(i1 - 1)
		}
	}
	if !popped {
		var code hffi.Code
		if idx, code = t.alloc(); code != hffi.OK {
			return 0, t.insertFailed(op, code)
		}
		if t.dbg != nil { // a debug table has no shards: only here
			t.dbg.record(idx, skip+1)
		}
	}
	g := t.gslot(idx)
	if g == nil {
		g = t.gslotMake(idx)
	}
	e := (*eface)(unsafe.Pointer(&v))
	te := typeCached(e.typ) // typeIndex's hit, inlined: one load of the entry
	ti := te.idx
	if te.typ != e.typ {
		ti = typeIndex(e.typ)
	}
	storePtr(&g.data, e.data)
	s := t.slot(idx)
	gen := wordGen(atomic.LoadUint64(&s.Word))
	storeMeta(&g.meta, uint64(gen|wordLive)|uint64(ti)<<32) // publishes g to Go
	storeWord(&s.Word, uint64(gen|wordLive))                // and to C
	return makeHandle(t.id, gen, idx), hffi.OK
}

// insertFailed returns code, or panics with it for NewHandle (op != "").
func (t *Table) insertFailed(op string, code hffi.Code) hffi.Code {
	if op != "" {
		panicMisuse(op, 0, code)
	}
	return code
}

// alloc pops a free slot, reaping first if C released slots. Before it
// reports a full table it reaps again, takes back the slots of a debug
// table's quarantine, and waits for the Reap walks of other goroutines,
// which hold the slots they are recycling (in a debug table C leaves the
// slot of every C object it destroys on the reap list, so that list can
// be long): it fails only after an attempt during which no slot was in
// transit and none came back.
func (t *Table) alloc() (uint32, hffi.Code) {
	if atomic.LoadUint64(&t.hdr.ReapHead)&listMask != 0 {
		t.reap()
	}
	var idx uint32
	code := hffi.ENOMEM
	if t.shards != nil {
		me := t.myShard()
		if i, ok := t.shardPop(&t.shards[me]); ok {
			return i, hffi.OK
		}
		if i, ok := t.refill(me); ok {
			return i, hffi.OK
		}
		if i, ok := t.popAnyShard(); ok {
			return i, hffi.OK
		}
	} else {
		idx, code = slotAlloc(t.hdr, t.base)
	}
	for code == hffi.ENOMEM {
		returned, busy := t.returned.Load(), t.reaping.Load()
		t.reap()
		t.unquarantine()
		if idx, code = slotAlloc(t.hdr, t.base); code != hffi.ENOMEM {
			break
		}
		if i, ok := t.popAnyShard(); ok { // where reaped slots went
			return i, hffi.OK
		}
		if busy == 0 && t.reaping.Load() == 0 && t.returned.Load() == returned {
			break // a genuinely full table
		}
		// Slots are in transit: a reaper never waits for us, so this ends.
		runtime.Gosched()
	}
	return idx, code
}

// unquarantine makes every slot of a debug table's quarantine available.
func (t *Table) unquarantine() {
	if t.dbg == nil {
		return
	}
	t.reaping.Add(1) // the drained slots are in transit: alloc waits for us
	q := t.dbg.drain()
	for _, i := range q {
		listPush(&t.hdr.FreeHead, t.base, i, i)
	}
	if len(q) > 0 {
		t.returned.Add(1)
	}
	t.reaping.Add(-1)
}

// Value returns the value of h: [Handle.Value] with an error instead of a
// panic. It never panics and makes no allocation unless it fails. Errors:
// [hffi.EZERO], [hffi.ETABLE] (a handle of another table), [hffi.ESTALE],
// [hffi.EDELETED], [hffi.EFORGED], [hffi.ERANGE], [hffi.ERETIRED],
// [hffi.ECLOSED], [hffi.EKIND], and [hffi.ETYPE] for a C object.
func (t *Table) Value(h Handle) (any, error) {
	e, code := t.lookup(h)
	if code != hffi.OK {
		return nil, t.fail("get", h, code)
	}
	return *(*any)(unsafe.Pointer(&e)), nil
}

// lookup is the lock-free read: fast, or lookupSlow for everything else.
func (t *Table) lookup(h Handle) (eface, hffi.Code) {
	if e, ok := t.fast(h); ok {
		return e, hffi.OK
	}
	return t.lookupSlow(h)
}

// fast reads a LIVE Go value undisturbed: meta, data, meta again, on the
// Go side only. It is a leaf, so it needs no stack frame.
func (t *Table) fast(h Handle) (eface, bool) {
	v := uint64(h)
	if uint32(v>>tableShift) == t.key.Load() {
		k, off := segOf(uint32(v) & indexMask) // t.gslot, written out
		if seg := atomic.LoadPointer(&t.segs[k&31]); seg != nil {
			g := (*gslot)(unsafe.Add(seg, off*gslotSz))
			m := atomic.LoadUint64(&g.meta)
			if uint32(m) == uint32(v>>abi.HandleGenShift)&genMask32|wordLive {
				data := atomic.LoadPointer(&g.data)
				if atomic.LoadUint64(&g.meta) == m {
					return eface{typeOf(uint32(m >> 32)), data}, true
				}
			}
		}
	}
	return eface{}, false
}

// lookupSlow handles everything but a LIVE Go value read without
// interference: errors, values deleted by Go but retained by C, and
// retries after a concurrent change of the slot.
func (t *Table) lookupSlow(h Handle) (eface, hffi.Code) {
	for try := 0; ; try++ {
		// Every legitimate change of the slot ends in an answer after a
		// retry or two (generations only grow, and a RELEASED slot whose
		// count reached 0 fails check). Only a Go side that disagrees with
		// a word that stays put could keep us here: say so instead of
		// spinning.
		if try > lookupRetries {
			return eface{}, hffi.ECORRUPT
		}
		code := t.check(h)
		if code != hffi.OK {
			return eface{}, code
		}
		idx := uint32(h) & indexMask
		s := t.slot(idx)
		w := atomic.LoadUint64(&s.Word)
		if wordGen(w) != abi.HandleGen(uint64(h)) {
			continue // changed since check
		}
		if wordKind(w) != abi.KindGo {
			return eface{}, hffi.ETYPE
		}
		g := t.gslot(idx)
		if g == nil { // a LIVE Go value that this Table never stored
			return eface{}, hffi.ECORRUPT
		}
		m := atomic.LoadUint64(&g.meta)
		data := atomic.LoadPointer(&g.data)
		w2 := atomic.LoadUint64(&s.Word)
		// A RELEASED value is cleared only after its count reached 0, so
		// a count still positive after the reads proves data is its value;
		// meta, set before the word was published, names its type.
		if uint32(w2) == uint32(w) && (wordState(w2) == abi.SlotLive || wordCount(w2) > 0) &&
			wordGen(m) == wordGen(w) && wordState(m) != abi.SlotFree {
			return eface{typeOf(uint32(m >> 32)), data}, hffi.OK
		}
		runtime.Gosched()
	}
}

// lookupRetries bounds lookupSlow's retries; far more than any sequence of
// concurrent changes needs.
const lookupRetries = 100

// check validates h for this table: hffi.ETABLE for another table's handle,
// then exactly what hffi_handle_check_in says.
func (t *Table) check(h Handle) hffi.Code {
	v := uint64(h)
	if v != 0 && v&abi.RefTag == 0 && abi.HandleTable(v) != t.id {
		return hffi.ETABLE
	}
	if t.closed() && v != 0 && v&abi.RefTag == 0 {
		return hffi.ECLOSED
	}
	return checkCode(v)
}

// Delete deletes h: the table drops its value at once, or, if C retains
// it, when C releases the last retain (C code may use it until then, Go
// code too through Get). Every later use of h, from Go or C, fails with
// hffi.EDELETED or, once the slot is reused, hffi.ESTALE. It never panics and
// makes no allocation unless it fails.
func (t *Table) Delete(h Handle) error {
	if code := t.del(h, ""); code != hffi.OK {
		return t.fail("delete", h, code)
	}
	return nil
}

// del deletes h. If op is not "", it panics (with panicMisuse(op))
// instead of returning a failure, and a nil t stands for the default table
// (which has no handle until it exists): that is Handle.Delete.
func (t *Table) del(h Handle, op string) hffi.Code {
	if t == nil && op != "" {
		return def().delFailed(h, op)
	}
	v := uint64(h)
	idx := uint32(v) & indexMask
	want := uint32(v>>abi.HandleGenShift)&genMask32 | wordLive
	// Go's meta says LIVE at this generation only for a slot this table
	// issued, so the slot is committed: no need to read cap, which shares
	// a cache line with the free list head that every New and Delete
	// writes. (t.gslot, written out: the segment also locates the owner.)
	k, off := segOf(idx)
	seg := atomic.LoadPointer(&t.segs[k&31])
	if uint32(v>>tableShift) != t.key.Load() || seg == nil {
		return t.delFailed(h, op)
	}
	g := (*gslot)(unsafe.Add(seg, off*gslotSz))
	m := atomic.LoadUint64(&g.meta)
	if uint32(m) != want {
		return t.delFailed(h, op)
	}
	s := t.slot(idx)
	// The common case, one compare: LIVE at h's generation, a Go value,
	// no C retain (the count is the high half).
	if w := atomic.LoadUint64(&s.Word); w == uint64(want) {
		// Winning this CAS makes the slot ours until recycle: nobody
		// else writes its Go side meanwhile.
		freed := freedWord(w)
		if atomic.CompareAndSwapUint64(&s.Word, w, freed) {
			// dropValue and recycle, written out
			storeMeta(&g.meta, uint64(uint32(freed)))
			storePtr(&g.data, nil)
			if t.shards == nil || wordState(freed) == abi.SlotRetired {
				t.recycle(idx, freed)
				return hffi.OK
			}
			// recycleGo's hot path: one try at pushing the slot on the
			// shard that owns its run (t.owner: a segment's owners are
			// published before the segment) while the push needs no
			// compaction (limit <= shardCap); shardTryPush inlines.
			if os := atomic.LoadPointer(&t.osegs[k&31]); os != nil {
				shs := t.shards
				if o := (*atomic.Uint32)(unsafe.Add(os, off>>runShift*4)).Load() - 1; int(o) < len(shs) {
					// Parked on our P's shard, New's next slot (parkHot).
					p := procPin()
					parked := parkHot(shs, p, o, idx)
					procUnpin()
					if parked {
						return hffi.OK
					}
					sh := &shs[o]
					if _, ok := shardTryPush(sh, s, idx, sh.limit.Load()); ok {
						return hffi.OK
					}
				}
			}
			t.recycleGo(idx)
			return hffi.OK
		}
	}
	return t.delSlow(h, op, g, s, m)
}

// delSlow is del for a handle C retains, a race with C or another Delete,
// and failures; g, s and m are h's Go side, word and meta as del read it.
func (t *Table) delSlow(h Handle, op string, g *gslot, s *abi.Slot, m uint64) hffi.Code {
	idx := uint32(h) & indexMask
	want := uint32(uint64(h)>>abi.HandleGenShift)&genMask32 | wordLive
	for {
		w := atomic.LoadUint64(&s.Word)
		if uint32(w) != want {
			return t.delFailed(h, op)
		}
		if wordCount(w) == 0 {
			freed := freedWord(w)
			if atomic.CompareAndSwapUint64(&s.Word, w, freed) {
				storeMeta(&g.meta, uint64(uint32(freed)))
				storePtr(&g.data, nil)
				t.recycle(idx, freed)
				return hffi.OK
			}
			continue
		}
		// C still holds it. Once the word says RELEASED, C's last release
		// hands the slot to Reap, which may free and reissue it before we
		// run again, so the Go side must say RELEASED first: a write after
		// the CAS could land on the next handle of the slot. A CAS, so
		// that of two racing Deletes only one marks it, and none ever
		// marks a later generation (meta never reads LIVE(g) again).
		if uint32(m) == want {
			rm := m&^0xffffffff | uint64(want&^wordLive) | abi.SlotReleased<<abi.SlotStateShift
			if !atomic.CompareAndSwapUint64(&g.meta, m, rm) {
				return t.delFailed(h, op) // a racing Delete of h
			}
			m = rm
		}
		nw := w&^stateMask | abi.SlotReleased<<abi.SlotStateShift
		if atomic.CompareAndSwapUint64(&s.Word, w, nw) {
			if f := testHookReleased.Load(); f != nil {
				(*f)(t, h)
			}
			return hffi.OK
		}
		// The count changed: retry, on the free path if it reached 0
		// (dropValue then overwrites our RELEASED meta, as the owner).
	}
}

// testHookReleased, set only by tests, runs in del right after the CAS
// that marks a retained handle RELEASED: from then on C's last release and
// a reap may free and reissue the slot before del returns.
var testHookReleased atomic.Pointer[func(*Table, Handle)]

// delFailed says why h cannot be deleted, or panics with it for
// Handle.Delete (op != "").
func (t *Table) delFailed(h Handle, op string) hffi.Code {
	code := t.delCode(h)
	if op != "" {
		panicMisuse(op, h, code)
	}
	return code
}

func (t *Table) delCode(h Handle) hffi.Code {
	code := t.check(h)
	if code != hffi.OK {
		return code
	}
	_, w, code := slotOf(uint64(h))
	switch {
	case code != hffi.OK:
		return code
	case wordKind(w) != abi.KindGo:
		return hffi.ETYPE
	case wordState(w) == abi.SlotReleased:
		return hffi.EDELETED // deleted by its owner, still retained by C
	}
	return hffi.EBUSY // changed under us; not reachable without a racing misuse
}

// fail builds the error of op on h. It allocates.
func (t *Table) fail(op string, h Handle, code hffi.Code) error {
	e := &Error{Op: op, Handle: h, Code: code}
	if code == hffi.ETABLE {
		other := abi.HandleTable(uint64(h))
		desc := fmt.Sprintf("table %d", other)
		var o *Table
		if other < abi.TableSlots {
			o = registry.tables[other].Load()
		}
		if o != nil {
			desc = o.String()
		}
		e.Detail = fmt.Sprintf("handle of %s given to %s", desc, t)
		if t.elem != "" || (o != nil && o.elem != "") {
			e.Code, e.alsoTable = hffi.ETYPE, true // a handle of another type
		}
	}
	return e
}
