// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/hffi-go/hffi/internal/abi"
)

var (
	poolSize = flag.Int("oracle.n", 1<<18, "integers thrown at each C entry point")
	seedFlag = flag.Uint64("oracle.seed", 0, "seed of the integer pool (0: from the clock, printed)")
)

// What hffi.h documents each entry point may return.
var (
	docCheck    = codes(hffi.EZERO, hffi.EKIND, hffi.ERANGE, hffi.ECLOSED, hffi.EFORGED, hffi.ESTALE, hffi.EDELETED, hffi.ERETIRED)
	docCheckIn  = union(docCheck, codes(hffi.ETABLE))
	docRetain   = union(docCheck, codes(hffi.ETYPE, hffi.EEXHAUSTED))
	docRelease  = union(docRetain, codes(hffi.EINVAL))
	docCobj     = union(docCheck, codes(hffi.ETYPE))
	docLookup   = codes(hffi.EZERO, hffi.EKIND, hffi.ERANGE, hffi.EFORGED, hffi.ESTALE, hffi.ECLOSED, hffi.ERETIRED)
	docResolve  = union(docLookup, codes(hffi.EBOUNDS))
	docAlloc    = union(docLookup, codes(hffi.EALIGN, hffi.ENOMEM, hffi.EINVAL))
	docRefOf    = union(docAlloc, codes(hffi.EBOUNDS))
	docVal      = union(docResolve, codes(hffi.ECORRUPT, hffi.ETYPE, hffi.ENOTFOUND, hffi.EINVAL))
	docRegister = codes(hffi.EINVAL, hffi.ERANGE, hffi.ECLOSED, hffi.ENOMEM)
)

type codeSet map[hffi.Code]bool

func codes(cs ...hffi.Code) codeSet {
	s := codeSet{}
	for _, c := range cs {
		s[c] = true
	}
	return s
}

func union(a, b codeSet) codeSet {
	s := codeSet{}
	for c := range a {
		s[c] = true
	}
	for c := range b {
		s[c] = true
	}
	return s
}

// name prints a code of oracle.c: an HFFI code or one of its own.
func name(c int32) string {
	switch c {
	case cSkipped:
		return "skipped"
	case cNotZeroed:
		return "C: allocation not zeroed"
	case cRefMismatch:
		return "C: minted ref does not resolve to the allocation"
	case cNoNUL:
		return "C: string without NUL"
	case cCopyMismatch:
		return "C: copy differs"
	}
	return hffi.Code(c).Name()
}

// failures collects what the oracle found, by entry point, for a short
// report: the number of failures and the first few examples of each.
type failures struct {
	n     map[string]int
	first map[string][]string
	ok    map[string]int // successful calls, to show the pool reached them
}

func (f *failures) okay(fn string, c int32) {
	if c == 0 {
		if f.ok == nil {
			f.ok = map[string]int{}
		}
		f.ok[fn]++
	}
}

func (f *failures) add(fn string, x uint64, format string, args ...any) {
	if f.n == nil {
		f.n, f.first = map[string]int{}, map[string][]string{}
	}
	f.n[fn]++
	if len(f.first[fn]) < 5 {
		f.first[fn] = append(f.first[fn], fmt.Sprintf("0x%016x: ", x)+fmt.Sprintf(format, args...))
	}
}

func (f *failures) report(t *testing.T) {
	t.Helper()
	oks := make([]string, 0, len(f.ok))
	for fn, n := range f.ok {
		oks = append(oks, fmt.Sprintf("%s %d", fn, n))
	}
	sort.Strings(oks)
	t.Logf("successful calls: %s", strings.Join(oks, ", "))
	fns := make([]string, 0, len(f.n))
	for fn := range f.n {
		fns = append(fns, fn)
	}
	sort.Strings(fns)
	for _, fn := range fns {
		t.Errorf("%s: %d wrong answers, first:\n\t%s", fn, f.n[fn], strings.Join(f.first[fn], "\n\t"))
	}
}

// goCode extracts the HFFI code of an error of hffi's Go packages.
func goCode(err error) hffi.Code {
	if err == nil {
		return hffi.OK
	}
	var e hffi.Code
	if errors.As(err, &e) {
		return e
	}
	return hffi.Code(math.MinInt32)
}

// TestOracle throws the pool at every entry point and judges every answer.
func TestOracle(t *testing.T) {
	l := loadLib(t)
	handlestest.Track(t)
	w := build(t)
	defer w.teardown(t)

	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	pool := w.pool(*poolSize, rand.New(rand.NewPCG(seed, seed^0x5eed)))
	t.Logf("%d integers, seed %d (rerun with -oracle.seed=%d), sanitizers %v", len(pool), seed, seed, l.sanitize)

	const chunk = 4096
	mem := newOffheap(t, chunk*(8+4+rN*12+mN*12+8)+1<<16)
	c := carve{m: mem}
	xs := u64s(c.next(chunk*8), chunk)
	flags := u32s(c.next(chunk*4), chunk)
	tabs := u32s(c.next(chunk*4), chunk)
	rc := i32s(c.next(chunk*rN*4), chunk*rN)
	ro := u64s(c.next(chunk*rN*8), chunk*rN)
	mc := i32s(c.next(chunk*mN*4), chunk*mN)
	mo := u64s(c.next(chunk*mN*8), chunk*mN)
	counters := u64s(c.next(16), 2)

	var f failures
	checks := make([]int32, len(pool)) // C's hffi_handle_check of each, for the later passes
	achecks := make([]int32, len(pool))
	start := time.Now()
	for lo := 0; lo < len(pool); lo += chunk {
		n := min(chunk, len(pool)-lo)
		copy(xs, pool[lo:lo+n])
		l.read(l.rt, uintptr(unsafe.Pointer(&xs[0])), uint64(n), w.tabA.ID(), w.tabB.ID(),
			uintptr(unsafe.Pointer(&rc[0])), uintptr(unsafe.Pointer(&ro[0])))
		for i := range n {
			x := pool[lo+i]
			w.judgeRead(&f, x, rc[i*rN:(i+1)*rN], ro[i*rN:(i+1)*rN])
			checks[lo+i], achecks[lo+i] = rc[i*rN+rCheck], rc[i*rN+rACheck]
		}
	}
	readTime := time.Since(start)

	start = time.Now()
	for lo := 0; lo < len(pool); lo += chunk {
		n := min(chunk, len(pool)-lo)
		copy(xs, pool[lo:lo+n])
		for i := range n {
			flags[i] = w.flags(pool[lo+i])
		}
		l.mut(l.rt, uintptr(unsafe.Pointer(&xs[0])), uintptr(unsafe.Pointer(&flags[0])), uint64(n),
			uintptr(w.inside), uintptr(unsafe.Pointer(&mc[0])), uintptr(unsafe.Pointer(&mo[0])))
		for i := range n {
			w.judgeMut(&f, pool[lo+i], checks[lo+i], achecks[lo+i], mc[i*mN:(i+1)*mN], mo[i*mN:(i+1)*mN])
		}
	}
	mutTime := time.Since(start)
	w.judgeWorld(t, &f, "after the read and state-changing passes")

	// Last, as it reuses slots: register a C object in the table that
	// each integer's table bits name (and in random ones), destroy it.
	start = time.Now()
	rng := rand.New(rand.NewPCG(seed, 7))
	var registered uint64
	for lo := 0; lo < len(pool); lo += chunk {
		n := min(chunk, len(pool)-lo)
		for i := range n {
			x := pool[lo+i]
			tabs[i] = uint32(x>>abi.HandleTableShift) & 0xfff
			if i%4 == 3 {
				tabs[i] = rng.Uint32() >> rng.IntN(32)
			}
		}
		l.register(l.rt, uintptr(unsafe.Pointer(&tabs[0])), uint64(n), uintptr(unsafe.Pointer(&mc[0])),
			uintptr(unsafe.Pointer(&mo[0])), uintptr(unsafe.Pointer(&counters[0])), uintptr(unsafe.Pointer(&counters[1])))
		for i := range n {
			registered += w.judgeRegister(&f, tabs[i], mc[2*i], mc[2*i+1], mo[i])
		}
	}
	regTime := time.Since(start)
	if counters[0] != registered || counters[1] != 0 {
		f.add("hffi_cobj_destroy", 0, "%d objects registered, %d destructor calls, %d with the wrong object",
			registered, counters[0], counters[1])
	}
	w.judgeWorld(t, &f, "after the register pass")
	f.report(t)
	t.Logf("read pass %v, state-changing pass %v, register pass %v (%d registered)",
		readTime.Round(time.Millisecond), mutTime.Round(time.Millisecond), regTime.Round(time.Millisecond), registered)
}

// flags tells orc_mut what it must not touch for x.
func (w *world) flags(x uint64) uint32 {
	l := w.live[x]
	switch {
	case l == nil:
		return 0
	case l.kind == hCObj:
		return flagSkipDestroy
	case l.retains > 0:
		return flagSkipRelease
	}
	return 0
}

// handleWant is what hffi_handle_check must say for x, if the world knows
// (known false: x is neither issued nor shaped so that the answer is
// fixed, and then it must only be an error).
func (w *world) handleWant(x uint64) (hffi.Code, bool) {
	switch {
	case x == 0:
		return hffi.EZERO, true
	case x&abi.RefTag != 0:
		return hffi.EKIND, true
	case w.live[x] != nil:
		return hffi.OK, true
	case w.dead[x]:
		return w.deadCode(x), true
	}
	return 0, false
}

// lookupWant is the same for the arena a reference names.
func (w *world) lookupWant(x uint64) (hffi.Code, bool) {
	switch {
	case x == 0:
		return hffi.EZERO, true
	case x&abi.RefTag == 0:
		return hffi.EKIND, true
	case w.arenas[refKey(x)] != nil:
		return hffi.OK, true
	case w.deadGens[refKey(x)]:
		return w.deadArenaCode(abi.RefSlot(x), abi.RefGen(x)), true
	}
	return 0, false
}

// judge checks one code: exactly want if known, otherwise an error from
// doc; and from doc in any case.
func judge(f *failures, fn string, x uint64, got int32, want hffi.Code, known bool, doc codeSet) {
	f.okay(fn, got)
	g := hffi.Code(got)
	switch {
	case known && g != want:
		f.add(fn, x, "got %s, want %s", name(got), want.Name())
	case !known && g == hffi.OK:
		f.add(fn, x, "accepted an integer Go never issued (or no longer holds)")
	case g != hffi.OK && !doc[g]:
		f.add(fn, x, "undocumented code %s", name(got))
	}
}

func (w *world) judgeRead(f *failures, x uint64, c []int32, o []uint64) {
	// Handles.
	hw, hk := w.handleWant(x)
	judge(f, readNames[rCheck], x, c[rCheck], hw, hk, docCheck)
	if g := goCode(handles.Check(handles.Handle(x))); hffi.Code(c[rCheck]) != g {
		f.add(readNames[rCheck], x, "C says %s, Go's handles.Check says %s", name(c[rCheck]), g.Name())
	}
	for i, tab := range []uint32{w.tabA.ID(), w.tabB.ID()} {
		want, known := hffi.Code(c[rCheck]), true
		if x != 0 && x&abi.RefTag == 0 && abi.HandleTable(x) != tab {
			want = hffi.ETABLE
		}
		judge(f, readNames[rCheckA+i], x, c[rCheckA+i], want, known, docCheckIn)
	}
	l := w.live[x]
	switch {
	case l != nil && l.kind == hCObj:
		judge(f, readNames[rCobjGet], x, c[rCobjGet], hffi.OK, true, docCobj)
		if c[rCobjGet] == 0 && uintptr(o[rCobjGet]) != l.ptr {
			f.add(readNames[rCobjGet], x, "pointer %#x, Go registered %#x", o[rCobjGet], l.ptr)
		}
	case l != nil:
		judge(f, readNames[rCobjGet], x, c[rCobjGet], hffi.ETYPE, true, docCobj)
	default:
		judge(f, readNames[rCobjGet], x, c[rCobjGet], hffi.Code(c[rCheck]), hk, docCobj)
	}

	// Arenas.
	lw, lk := w.lookupWant(x)
	judge(f, readNames[rACheck], x, c[rACheck], lw, lk, docLookup)
	if g := goCode(arena.Check(arena.Ref(x))); hffi.Code(c[rACheck]) != g {
		f.add(readNames[rACheck], x, "C says %s, Go's arena.Check says %s", name(c[rACheck]), g.Name())
	}
	a := w.arenaOf(x)
	for i, size := range []uint64{0, 16} {
		fn := readNames[rResolve0+i]
		got := c[rResolve0+i]
		want, known := lw, lk
		if a != nil {
			used, off := uint64(a.a.Used())+abi.ArenaPrefix, abi.RefOffset(x)
			if off < abi.ArenaPrefix || off > used || size > used-off {
				want = hffi.EBOUNDS
			}
		}
		judge(f, fn, x, got, want, known, docResolve)
		p, err := arena.Resolve(arena.Ref(x), uintptr(size))
		if g := goCode(err); hffi.Code(got) != g || (g == hffi.OK && uintptr(p) != uintptr(o[rResolve0+i])) {
			f.add(fn, x, "C says %s at %#x, Go's arena.Resolve says %s at %p", name(got), o[rResolve0+i], g.Name(), p)
		}
		if got == 0 && a != nil && uintptr(o[rResolve0+i]) != a.base+uintptr(abi.RefOffset(x)) {
			f.add(fn, x, "address %#x, not in the arena Go issued the slot and generation to", o[rResolve0+i])
		}
	}

	// Values: the lookup code decides unless the arena is live; then any
	// documented code, exact answers for the roots Go encoded, and only
	// addresses and references inside the arena.
	nd := w.nodes[x]
	for k := rVKind; k <= rVPath; k++ {
		fn := readNames[k]
		if !lk || lw != hffi.OK {
			judge(f, fn, x, c[k], lw, lk, docVal)
			continue
		}
		if nd != nil {
			want, known := nd.want(k)
			judge(f, fn, x, c[k], want, known, docVal)
		} else {
			f.okay(fn, c[k])
			if g := hffi.Code(c[k]); g != hffi.OK && !docVal[g] {
				f.add(fn, x, "undocumented code %s", name(c[k]))
			}
		}
		if c[k] != 0 {
			continue
		}
		if c[rResolve16] != 0 {
			f.add(fn, x, "read a node that hffi_ref_resolve(16) refuses (%s)", name(c[rResolve16]))
		}
		switch k {
		case rVStr, rVBytes:
			lo, hi := a.base+abi.ArenaPrefix, a.base+abi.ArenaPrefix+uintptr(a.a.Used())
			if p := uintptr(o[k]); p < lo || p >= hi {
				f.add(fn, x, "pointer %#x outside the arena's allocations [%#x, %#x)", p, lo, hi)
			}
		case rVListAt, rVMapFind, rVMapAt, rVPath:
			if refKey(o[k]) != refKey(x) || o[k]&abi.RefTag == 0 {
				f.add(fn, x, "gave %#x, not a reference into the same arena generation", o[k])
			}
		}
		if nd != nil {
			var at unsafe.Pointer
			if k == rVStr || k == rVBytes { // an address: a pointer derived from the arena's, for Go to read
				at = unsafe.Add(a.ptr, uintptr(o[k])-a.base)
			}
			nd.judgeValue(f, fn, x, k, o[k], at)
		}
	}
}

// want is what accessor k must say for a root Go encoded, when it is
// fixed by the value alone.
func (n *node) want(k int) (hffi.Code, bool) {
	is := func(kinds ...uint32) hffi.Code {
		for _, kd := range kinds {
			if n.kind == kd {
				return hffi.OK
			}
		}
		return hffi.ETYPE
	}
	switch k {
	case rVKind:
		return hffi.OK, true
	case rVLen:
		return is(abi.ValStr, abi.ValBytes, abi.ValList, abi.ValMap), true
	case rVBool:
		return is(abi.ValBool), true
	case rVInt:
		if u, ok := n.v.(uint64); ok && u > math.MaxInt64 {
			return hffi.ERANGE, true
		}
		return is(abi.ValInt, abi.ValUint), true
	case rVUint:
		if i, ok := asInt(n.v); ok && i < 0 {
			return hffi.ERANGE, true
		}
		return is(abi.ValInt, abi.ValUint), true
	case rVFloat:
		return is(abi.ValFloat), true
	case rVStr:
		return is(abi.ValStr), true
	case rVBytes:
		return is(abi.ValBytes), true
	case rVHandle:
		return hffi.ETYPE, true
	case rVListAt:
		if l, ok := n.v.([]any); ok && len(l) == 0 {
			return hffi.EBOUNDS, true
		}
		return is(abi.ValList), true
	case rVMapAt:
		if m, ok := n.v.(map[string]any); ok && len(m) == 0 {
			return hffi.EBOUNDS, true
		}
		return is(abi.ValMap), true
	case rVMapFind:
		if m, ok := n.v.(map[string]any); ok {
			if _, ok := m["a"]; !ok {
				return hffi.ENOTFOUND, true
			}
		}
		return is(abi.ValMap), true
	case rVPath:
		if m, ok := n.v.(map[string]any); ok {
			if l, ok := m["a"].([]any); ok && len(l) > 0 {
				return hffi.OK, true
			}
		}
		return 0, false // an error; which one depends on where the path stops
	}
	return 0, false
}

func asInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	}
	return 0, false
}

// judgeValue checks what a successful accessor gave for a root Go encoded.
func (n *node) judgeValue(f *failures, fn string, x uint64, k int, out uint64, at unsafe.Pointer) {
	bad := func(want any) { f.add(fn, x, "gave %#x for %#v (want %v)", out, n.v, want) }
	switch k {
	case rVKind:
		if uint32(out) != n.kind {
			bad(n.kind)
		}
	case rVLen:
		var want int
		switch v := n.v.(type) {
		case string:
			want = len(v)
		case []byte:
			want = len(v)
		case []any:
			want = len(v)
		case map[string]any:
			want = len(v)
		}
		if out != uint64(want) {
			bad(want)
		}
	case rVBool:
		if (out != 0) != n.v.(bool) {
			bad(n.v)
		}
	case rVInt, rVUint:
		var want uint64
		switch v := n.v.(type) {
		case int:
			want = uint64(v)
		case int64:
			want = uint64(v)
		case uint64:
			want = v
		}
		if out != want {
			bad(want)
		}
	case rVFloat:
		if math.Float64frombits(out) != n.v.(float64) {
			bad(n.v)
		}
	case rVStr, rVBytes:
		var want []byte
		switch v := n.v.(type) {
		case string:
			want = []byte(v)
		case []byte:
			want = v
		}
		if got := unsafe.Slice((*byte)(at), len(want)+1); !bytes.Equal(got[:len(want)], want) || got[len(want)] != 0 {
			bad(string(want))
		}
	}
}

func (w *world) judgeMut(f *failures, x uint64, check, acheck int32, c []int32, o []uint64) {
	l := w.live[x]
	// Handles: retain and release only live Go values; the rest gets the
	// code hffi_handle_check gave (the state has not changed since).
	switch {
	case l != nil && l.kind == hCObj:
		judge(f, mutNames[mRetain], x, c[mRetain], hffi.ETYPE, true, docRetain)
		judge(f, mutNames[mRelease], x, c[mRelease], hffi.ETYPE, true, docRelease)
		if c[mDestroy] != cSkipped {
			f.add(mutNames[mDestroy], x, "destroyed a live C object that the test meant to skip")
		}
	case l != nil:
		judge(f, mutNames[mRetain], x, c[mRetain], hffi.OK, true, docRetain)
		if l.retains == 0 {
			judge(f, mutNames[mRelease], x, c[mRelease], hffi.EINVAL, true, docRelease)
		}
		judge(f, mutNames[mDestroy], x, c[mDestroy], hffi.ETYPE, true, docCobj)
	default:
		judge(f, mutNames[mRetain], x, c[mRetain], hffi.Code(check), true, docRetain)
		judge(f, mutNames[mRelease], x, c[mRelease], hffi.Code(check), true, docRelease)
		judge(f, mutNames[mDestroy], x, c[mDestroy], hffi.Code(check), true, docCobj)
	}
	if c[mRetain] == 0 {
		judge(f, mutNames[mReleaseAfter], x, c[mReleaseAfter], hffi.OK, true, docRelease)
	} else if c[mReleaseAfter] != cSkipped {
		f.add(mutNames[mReleaseAfter], x, "ran without a retain: %s", name(c[mReleaseAfter]))
	}

	// Arenas: allocation succeeds in a live arena only, and what it
	// mints names that arena; otherwise it fails as hffi_arena_check did.
	a := w.arenaOf(x)
	for _, k := range []int{mAlloc, mStrdup, mMemdup, mValNew} {
		if a == nil {
			judge(f, mutNames[k], x, c[k], hffi.Code(acheck), true, docAlloc)
			continue
		}
		judge(f, mutNames[k], x, c[k], hffi.OK, true, docAlloc)
		if c[k] == 0 {
			if refKey(o[k]) != refKey(x) {
				f.add(mutNames[k], x, "minted %#x, not in the arena it was given", o[k])
			} else if _, err := arena.Resolve(arena.Ref(o[k]), 8); err != nil {
				f.add(mutNames[k], x, "minted %#x, which Go cannot resolve: %v", o[k], err)
			}
		}
	}
	switch {
	case a == nil:
		judge(f, mutNames[mRefOf], x, c[mRefOf], hffi.Code(acheck), true, docRefOf)
	case refKey(x) == w.insideKey: // (x is a reference: a != nil)
		judge(f, mutNames[mRefOf], x, c[mRefOf], hffi.OK, true, docRefOf)
		if p, err := arena.Resolve(arena.Ref(o[mRefOf]), 0); c[mRefOf] == 0 && (err != nil || p != w.inside) {
			f.add(mutNames[mRefOf], x, "minted %#x, which Go resolves to %p (%v), want %p", o[mRefOf], p, err, w.inside)
		}
	default: // a pointer into another arena
		judge(f, mutNames[mRefOf], x, c[mRefOf], hffi.EBOUNDS, true, docRefOf)
	}
}

// judgeRegister checks one register+destroy and returns 1 if it registered.
func (w *world) judgeRegister(f *failures, table uint32, reg, destroy int32, h uint64) uint64 {
	const fn = "hffi_cobj_register"
	want, known := hffi.ERANGE, true
	switch {
	case w.liveTables[table]:
		want = hffi.OK
	case w.closedTables[table]:
		want = hffi.ECLOSED
	case table != 0 && table < abi.TableSlots:
		known = false // a table this test did not make: must not be live
	}
	judge(f, fn, uint64(table), reg, want, known, docRegister)
	if reg != 0 {
		return 0
	}
	if abi.HandleTable(h) != table {
		f.add(fn, uint64(table), "handle %#x is not in the table asked for", h)
	}
	judge(f, "hffi_cobj_destroy", h, destroy, hffi.OK, true, docCobj)
	return 1
}

// judgeWorld checks that the calls changed nothing Go holds: every live
// handle gives its value, retains are intact (Go can drop exactly its
// own), table sizes are as issued, Go's allocations are unchanged.
func (w *world) judgeWorld(t *testing.T, f *failures, when string) {
	t.Helper()
	n := map[*handles.Table]int{}
	for v, l := range w.live {
		h := handles.Handle(v)
		n[l.tab]++
		if l.kind == hCObj {
			if p, _, err := handles.CObject(h); err != nil || p != l.ptr {
				f.add("world "+when, v, "C object: %#x, %v; want %#x", p, err, l.ptr)
			}
			continue
		}
		if got, err := l.tab.Value(h); err != nil || got != l.val {
			f.add("world "+when, v, "Get gives %v, %v; want %q", got, err, l.val)
		}
	}
	for _, tab := range []*handles.Table{w.tabA, w.tabB} {
		if tab.Len() != n[tab] {
			f.add("world "+when, uint64(tab.ID()), "table holds %d handles, Go issued %d live ones", tab.Len(), n[tab])
		}
	}
	require.NoError(t, w.intact(), when)
}
