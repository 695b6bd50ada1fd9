// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"fmt"
	"math"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/values"
)

// The world is what Go issued, through the public API, and what became
// of it: the only thing the oracle judges C's answers by.
type world struct {
	tabA, tabB, tabC *handles.Table // tabC is closed
	def              *handles.Table
	liveTables       map[uint32]bool
	closedTables     map[uint32]bool

	live   map[uint64]*hLive
	dead   map[uint64]bool
	maxGen map[uint64]uint32 // table<<32|index: the newest generation issued

	arenas    map[uint64]*aLive // slot<<32|gen of the live arenas
	deadGens  map[uint64]bool   // slot<<32|gen of reset and freed arenas
	slotGen   map[uint32]uint32 // the newest generation issued per slot
	slotFreed map[uint32]bool   // the slot's newest arena was freed
	refs      []uint64          // every Ref and arena id issued, live or not

	nodes  map[uint64]*node // roots of the trees values.Encode made
	allocs []goAlloc        // Go's allocations, with a pattern to check later

	inside    unsafe.Pointer // inside an allocation of insideKey's arena, for hffi_ref_of
	insideKey uint64
	toFree    []*arena.Arena
}

type hKind int

const (
	hGo       hKind = iota
	hReleased       // deleted by Go, still retained (by Go's Retain, on C's behalf)
	hCObj
)

type hLive struct {
	kind    hKind
	tab     *handles.Table
	val     string
	ptr     uintptr // hCObj
	retains int
}

type aLive struct {
	a    *arena.Arena
	base uintptr
	ptr  unsafe.Pointer // base, as a pointer
}

type node struct {
	v    any
	kind uint32
}

type goAlloc struct {
	p    unsafe.Pointer
	n    int
	seed byte
}

func key(hi, lo uint32) uint64 { return uint64(hi)<<32 | uint64(lo) }

func refKey(r uint64) uint64 { return key(abi.RefSlot(r), abi.RefGen(r)) }

// arenaOf returns the live arena that reference x names, or nil.
func (w *world) arenaOf(x uint64) *aLive {
	if x&abi.RefTag == 0 {
		return nil
	}
	return w.arenas[refKey(x)]
}

// issue records the handle h, now live.
func (w *world) issue(h handles.Handle, l *hLive) {
	v := uint64(h)
	w.live[v] = l
	k := key(abi.HandleTable(v), abi.HandleIndex(v))
	w.maxGen[k] = max(w.maxGen[k], abi.HandleGen(v))
}

func (w *world) kill(h handles.Handle) {
	delete(w.live, uint64(h))
	w.dead[uint64(h)] = true
}

// deadCode is what C must say for a handle Go issued and that is gone:
// closed table, slot reused since, or deleted.
func (w *world) deadCode(v uint64) hffi.Code {
	switch {
	case w.closedTables[abi.HandleTable(v)]:
		return hffi.ECLOSED
	case w.maxGen[key(abi.HandleTable(v), abi.HandleIndex(v))] > abi.HandleGen(v):
		return hffi.ESTALE
	}
	return hffi.EDELETED
}

// deadArenaCode is what C must say for a Ref into a reset or freed arena.
func (w *world) deadArenaCode(slot, gen uint32) hffi.Code {
	if w.slotGen[slot] > gen {
		return hffi.ESTALE
	}
	return hffi.ECLOSED
}

// fillTable issues handles in every state in tab: live, deleted, retained
// and deleted (live until released), retained twice, released again
// (dead), C objects live and taken, and a second round that reuses freed
// slots, so that the first round's dead handles become stale.
func (w *world) fillTable(t *testing.T, tab *handles.Table, n int) {
	t.Helper()
	newGo := func(i int) handles.Handle {
		val := fmt.Sprintf("t%d-v%d", tab.ID(), i)
		h, err := tab.New(val)
		require.NoError(t, err)
		w.issue(h, &hLive{kind: hGo, tab: tab, val: val})
		return h
	}
	for round := range 2 {
		for i := range n {
			i += round * n
			switch i % 8 {
			case 0, 1:
				newGo(i)
			case 2:
				h := newGo(i)
				require.NoError(t, tab.Delete(h))
				w.kill(h)
			case 3: // deleted while retained: live until the retain goes
				h := newGo(i)
				require.NoError(t, handles.Retain(h))
				require.NoError(t, tab.Delete(h))
				w.live[uint64(h)].kind, w.live[uint64(h)].retains = hReleased, 1
			case 4: // retained, deleted, released: dead
				h := newGo(i)
				require.NoError(t, handles.Retain(h))
				require.NoError(t, tab.Delete(h))
				require.NoError(t, handles.Release(h))
				w.kill(h)
			case 5: // retained twice, still owned by Go
				h := newGo(i)
				require.NoError(t, handles.Retain(h))
				require.NoError(t, handles.Retain(h))
				w.live[uint64(h)].retains = 2
			case 6:
				ptr := uintptr(0x7000_0000 + i*16)
				h, err := handles.RegisterCObject(tab, ptr, 0)
				require.NoError(t, err)
				w.issue(h, &hLive{kind: hCObj, tab: tab, ptr: ptr})
			case 7:
				h, err := handles.RegisterCObject(tab, uintptr(0x7100_0000+i*16), 0)
				require.NoError(t, err)
				w.issue(h, &hLive{kind: hCObj, tab: tab})
				_, _, err = handles.TakeCObject(h)
				require.NoError(t, err)
				w.kill(h)
			}
		}
	}
}

// samples are encoded into every live arena; their roots are the nodes C
// reads with the hffi_val_* accessors.
var samples = []any{
	nil, true, false, 0, 1, -1, int64(math.MaxInt64), int64(math.MinInt64), uint64(math.MaxUint64),
	uint64(1) << 63, 2.5, math.Inf(-1), "", "short", "a string longer than seven bytes",
	[]byte{}, []byte("bytes"), []byte("more than seven bytes"), []any{}, []any{1, "x", nil},
	map[string]any{}, map[string]any{"a": []any{7}}, map[string]any{"b": 1, "a": "not a list"},
	map[string]any{"user": map[string]any{"name": "Ada", "tags": []any{"math", "poetry"}},
		"a": []any{map[string]any{"deep": []any{1.5, true}}}},
}

func kindOf(v any) uint32 {
	switch v := v.(type) {
	case nil:
		return abi.ValNull
	case bool:
		return abi.ValBool
	case int, int64:
		return abi.ValInt
	case uint64:
		if v > math.MaxInt64 {
			return abi.ValUint
		}
		return abi.ValInt
	case float64:
		return abi.ValFloat
	case string:
		return abi.ValStr
	case []byte:
		return abi.ValBytes
	case []any:
		return abi.ValList
	case map[string]any:
		return abi.ValMap
	}
	panic(fmt.Sprintf("oracle: no kind for %T", v))
}

// newArena makes an arena and records it.
func (w *world) newArena(t *testing.T, debug bool) *arena.Arena {
	t.Helper()
	a, err := arena.New(arena.WithMaxSize(32<<20), arena.WithDebug(debug))
	require.NoError(t, err)
	w.toFree = append(w.toFree, a)
	w.mark(t, a)
	return a
}

// mark records a's current slot and generation as live.
func (w *world) mark(t *testing.T, a *arena.Arena) {
	t.Helper()
	id := uint64(a.CArena())
	w.refs = append(w.refs, id)
	slot, gen := abi.RefSlot(id), abi.RefGen(id)
	require.GreaterOrEqual(t, gen, w.slotGen[slot], "a slot's generation went down")
	p, err := arena.Resolve(arena.Ref(abi.MakeRef(slot, gen, abi.ArenaPrefix)), 0)
	require.NoError(t, err)
	w.arenas[key(slot, gen)] = &aLive{a: a, base: uintptr(p) - abi.ArenaPrefix, ptr: unsafe.Add(p, -abi.ArenaPrefix)}
	w.slotGen[slot] = gen
	w.slotFreed[slot] = false
}

// retire records that a's current generation is gone (before a Reset or
// Free); freed says it was a Free.
func (w *world) retire(a *arena.Arena, freed bool) {
	id := uint64(a.CArena())
	k := refKey(id)
	delete(w.arenas, k)
	w.deadGens[k] = true
	if freed {
		w.slotFreed[abi.RefSlot(id)] = true
	}
}

// populate allocates in a, mints Refs, and encodes every value.
func (w *world) populate(t *testing.T, a *arena.Arena, seed byte) {
	t.Helper()
	for i := range 40 {
		n := 1 + (i*37)%300
		p, err := a.Alloc(uintptr(n), 8)
		require.NoError(t, err)
		b := unsafe.Slice((*byte)(p), n)
		for k := range b {
			b[k] = seed + byte(k*7+i)
		}
		w.allocs = append(w.allocs, goAlloc{p, n, seed + byte(i)})
		r, err := a.Ref(p)
		require.NoError(t, err)
		w.refs = append(w.refs, uint64(r))
		if w.inside == nil {
			w.inside, w.insideKey = p, refKey(uint64(r))
		}
	}
	s, err := a.CopyString("a Go string in an arena")
	require.NoError(t, err)
	r, err := a.Ref(s)
	require.NoError(t, err)
	w.refs = append(w.refs, uint64(r))
	for _, v := range samples {
		r, err := values.Encode(a, v)
		require.NoError(t, err)
		w.refs = append(w.refs, uint64(r))
		w.nodes[uint64(r)] = &node{v: v, kind: kindOf(v)}
	}
}

// intact reports the first Go allocation whose bytes changed.
func (w *world) intact() error {
	for _, g := range w.allocs {
		b := unsafe.Slice((*byte)(g.p), g.n)
		for k := range b {
			if b[k] != g.seed+byte(k*7) {
				return fmt.Errorf("Go allocation at %p, byte %d: %#x", g.p, k, b[k])
			}
		}
	}
	return nil
}

// build makes the world.
func build(t *testing.T) *world {
	t.Helper()
	w := &world{
		liveTables: map[uint32]bool{}, closedTables: map[uint32]bool{},
		live: map[uint64]*hLive{}, dead: map[uint64]bool{}, maxGen: map[uint64]uint32{},
		arenas: map[uint64]*aLive{}, deadGens: map[uint64]bool{}, slotGen: map[uint32]uint32{},
		slotFreed: map[uint32]bool{}, nodes: map[uint64]*node{},
	}
	var err error
	w.def = handles.Default()
	w.tabA, err = handles.NewTable(handles.WithLimit(1<<16), handles.WithDebug(false))
	require.NoError(t, err)
	w.tabB, err = handles.NewTable(handles.WithDebug(true))
	require.NoError(t, err)
	w.tabC, err = handles.NewTable(handles.WithDebug(false))
	require.NoError(t, err)
	for _, tab := range []*handles.Table{w.def, w.tabA, w.tabB} {
		w.liveTables[tab.ID()] = true
	}
	w.fillTable(t, w.tabA, 4000)
	w.fillTable(t, w.tabB, 2000)
	w.fillTable(t, w.def, 300)

	// A closed table: its handles, whatever their state was, are ECLOSED.
	var closing []handles.Handle
	for i := range 500 {
		h, err := w.tabC.New(i)
		require.NoError(t, err)
		closing = append(closing, h)
	}
	for _, h := range closing {
		require.NoError(t, w.tabC.Delete(h))
		w.dead[uint64(h)] = true
	}
	require.NoError(t, w.tabC.Close())
	w.closedTables[w.tabC.ID()] = true

	// Arenas: live, debug, reset, freed, freed and reused.
	live := w.newArena(t, false)
	w.populate(t, live, 1)
	dbg := w.newArena(t, true)
	w.populate(t, dbg, 2)
	reset := w.newArena(t, false)
	w.populate(t, reset, 3)
	w.dirty(t, reset)
	w.retire(reset, false)
	w.dropAllocs(reset)
	reset.Reset()
	w.mark(t, reset)
	w.populate(t, reset, 4)
	dbgReset := w.newArena(t, true)
	w.populate(t, dbgReset, 5)
	w.retire(dbgReset, false)
	w.dropAllocs(dbgReset)
	dbgReset.Reset()
	w.mark(t, dbgReset)
	w.populate(t, dbgReset, 6)
	for range 3 {
		freed := w.newArena(t, false)
		w.populate(t, freed, 7)
		w.retire(freed, true)
		w.dropAllocs(freed)
		require.NoError(t, freed.Free())
	}
	reuser := w.newArena(t, false) // takes the oldest freed slot
	w.populate(t, reuser, 8)
	return w
}

// dirty fills 48 KiB of a with non-zero bytes before a Reset, so that
// allocations after it get memory that must be zeroed again.
func (w *world) dirty(t *testing.T, a *arena.Arena) {
	t.Helper()
	p, err := a.AllocUninit(48<<10, 8)
	require.NoError(t, err)
	b := unsafe.Slice((*byte)(p), 48<<10)
	for k := range b {
		b[k] = 0xa5
	}
}

// dropAllocs forgets the Go allocations of a, which is about to be reset
// or freed.
func (w *world) dropAllocs(a *arena.Arena) {
	k := refKey(uint64(a.CArena()))
	keep := w.allocs[:0]
	for _, g := range w.allocs {
		r, err := a.Ref(g.p)
		if err == nil && refKey(uint64(r)) == k {
			continue
		}
		keep = append(keep, g)
	}
	w.allocs = keep
	if w.insideKey == k {
		panic("oracle: the arena of inside must stay live")
	}
}

// teardown deletes, releases and frees everything the world made and
// checks that every table is back to its starting size.
func (w *world) teardown(t *testing.T) {
	t.Helper()
	for v, l := range w.live {
		h := handles.Handle(v)
		switch l.kind {
		case hGo:
			for range l.retains {
				require.NoError(t, handles.Release(h))
			}
			require.NoError(t, l.tab.Delete(h))
		case hReleased:
			require.NoError(t, handles.Release(h))
		case hCObj:
			_, _, err := handles.TakeCObject(h)
			require.NoError(t, err)
		}
	}
	for _, a := range w.toFree {
		require.NoError(t, a.Free())
	}
	handlestest.VerifyNone(t, w.tabA, w.tabB)
	require.NoError(t, w.tabA.Close())
	require.NoError(t, w.tabB.Close())
}
