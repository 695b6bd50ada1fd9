// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hffi-go/hffi"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// states builds handles in every state a table can put one in, in tab.
func states(t *testing.T, tab *handles.Table) map[string]handles.Handle {
	t.Helper()
	hs := map[string]handles.Handle{}
	live, _ := tab.New("live")
	hs["live"] = live
	hs["forged"] = forge(live, genOf(live)+1)
	del, _ := tab.New("deleted")
	stale, _ := tab.New("stale")
	ret, _ := tab.New("retained")
	cobj, err := handles.RegisterCObject(tab, 0x1000, 0)
	require.NoError(t, err)
	require.NoError(t, handles.Retain(ret))
	require.NoError(t, tab.Delete(ret))
	require.NoError(t, tab.Delete(stale))
	// Reuse stale's slot: New until it comes up (the others stay live
	// meanwhile, so that they are not handed out again).
	var reuser handles.Handle
	var extra []handles.Handle
	for reuser == 0 {
		h, err := tab.New("reuser")
		require.NoError(t, err)
		if uint32(h)&abi.HandleIndexMax == uint32(stale)&abi.HandleIndexMax {
			reuser = h
		} else {
			extra = append(extra, h)
		}
	}
	for _, h := range extra {
		require.NoError(t, tab.Delete(h))
	}
	require.NoError(t, tab.Delete(del)) // last: its slot is not reused before the checks
	hs["deleted"], hs["stale"], hs["reuser"] = del, stale, reuser
	hs["released"], hs["cobj"] = ret, cobj
	hs["zero"] = 0
	hs["reference"] = handles.Handle(abi.RefTag | 5)
	hs["range"] = handles.Handle(abi.MakeHandle(tab.ID(), 1, abi.HandleIndexMax))
	hs["unused table"] = handles.Handle(abi.MakeHandle(abi.TableSlots-1, 1, 0))
	hs["table 0"] = handles.Handle(abi.MakeHandle(0, 1, 0))
	hs["gen 0"] = forge(live, 0)
	t.Cleanup(func() {
		_ = tab.Delete(hs["live"])
		_ = tab.Delete(hs["reuser"])
		_ = handles.Release(hs["released"])
		_, _, _ = handles.TakeCObject(hs["cobj"])
	})
	return hs
}

// Go's Check and C's hffi_handle_check agree on handles in every state.
func TestCChecksWhatGoMade(t *testing.T) {
	d := loadDriver(t)
	tab := newTable(t, handles.WithDebug(false))
	want := map[string]hffi.Code{
		"live": hffi.OK, "forged": hffi.EFORGED, "deleted": hffi.EDELETED, "stale": hffi.ESTALE,
		"released": hffi.OK, "cobj": hffi.OK, "zero": hffi.EZERO, "reference": hffi.EKIND,
		"range": hffi.ERANGE, "unused table": hffi.ERANGE, "table 0": hffi.ERANGE, "gen 0": hffi.EFORGED,
	}
	hs := states(t, tab)
	for name, code := range want {
		h := hs[name]
		assert.Equal(t, code, d.cCheck(h), "C: %s", name)
		assert.Equal(t, code, handles.CheckCode(h), "Go: %s", name)
		want := code
		if h != 0 && uint64(h)&abi.RefTag == 0 {
			want = hffi.ETABLE
		}
		assert.Equal(t, want, hffi.Code(d.checkIn(d.rt, tab.ID()+1, uint64(h))), "check_in other table: %s", name)
		if h.TableID() == tab.ID() {
			assert.Equal(t, code, hffi.Code(d.checkIn(d.rt, tab.ID(), uint64(h))), "check_in own table: %s", name)
		}
	}
}

// C retains a Go value; Go deletes it; it stays readable from both sides
// until C's last release, which never calls Go; Go reaps it later.
func TestCRetainsGoDeletes(t *testing.T) {
	d := loadDriver(t)
	tab := newTable(t, handles.WithDebug(false))
	h, err := tab.New("kept by C")
	require.NoError(t, err)
	require.Equal(t, int32(0), d.retain(d.rt, uint64(h)))
	require.NoError(t, tab.Delete(h))
	assert.Equal(t, hffi.OK, d.cCheck(h))
	v, err := tab.Value(h)
	require.NoError(t, err)
	assert.Equal(t, "kept by C", v)
	require.Equal(t, int32(0), d.release(d.rt, uint64(h)))
	assert.Equal(t, hffi.EDELETED, d.cCheck(h))
	assert.Equal(t, hffi.EDELETED, hffi.Code(d.release(d.rt, uint64(h))))
	assert.Equal(t, hffi.EDELETED, hffi.Code(d.retain(d.rt, uint64(h))))
	assert.Equal(t, 0, tab.Len())

	// Without a retain: C's release is invalid, Go's delete frees at once.
	h2, _ := tab.New(2)
	assert.Equal(t, hffi.EINVAL, hffi.Code(d.release(d.rt, uint64(h2))))
	require.NoError(t, tab.Delete(h2))
	assert.Equal(t, hffi.EDELETED, d.cCheck(h2))
}

// C registers C objects; Go resolves them, takes one and runs its
// destructor; C destroys another; every later use fails on both sides.
func TestCObjectsFromC(t *testing.T) {
	d := loadDriver(t)
	s := newScratch(t, 4)
	for _, debug := range []bool{false, true} {
		tab := newTable(t, handles.WithDebug(debug))
		before := d.destroyed()
		h, rc := d.cobjNewH(t, s, tab.ID(), 77)
		require.Equal(t, hffi.OK, rc)
		ptr, dtor, err := handles.CObject(h)
		require.NoError(t, err)
		assert.Equal(t, uint64(77), d.objTag(ptr))
		assert.Equal(t, d.dtor(), dtor)
		ptr, dtor, err = handles.TakeCObject(h)
		require.NoError(t, err)
		purego.SyscallN(dtor, ptr) // what ffi's wrapper does
		assert.Equal(t, before+1, d.destroyed())
		_, rc = d.cobjTagOf(s, h)
		assert.Equal(t, hffi.EDELETED, rc)
		assert.Equal(t, hffi.EDELETED, hffi.Code(d.cobjDestroy(d.rt, uint64(h))), "no double free")

		h2, rc := d.cobjNewH(t, s, tab.ID(), 78)
		require.Equal(t, hffi.OK, rc)
		require.Equal(t, int32(0), d.cobjDestroy(d.rt, uint64(h2)))
		assert.Equal(t, before+2, d.destroyed())
		_, _, err = handles.CObject(h2)
		assert.ErrorIs(t, err, hffi.EDELETED, "Go sees C's destroy as an error, not a dangling pointer")
		_, _, err = handles.TakeCObject(h2)
		assert.ErrorIs(t, err, hffi.EDELETED)

		// Go registers a C object; C resolves and destroys it.
		h3, err := handles.RegisterCObject(tab, d.objNew(79), d.dtor())
		require.NoError(t, err)
		tag, rc := d.cobjTagOf(s, h3)
		require.Equal(t, hffi.OK, rc)
		assert.Equal(t, uint64(79), tag)
		require.Equal(t, int32(0), d.cobjDestroy(d.rt, uint64(h3)))
		assert.Equal(t, before+3, d.destroyed())

		// Go values are not C objects, in C either.
		g, _ := tab.New(1)
		_, rc = d.cobjTagOf(s, g)
		assert.Equal(t, hffi.ETYPE, rc)
		assert.Equal(t, hffi.ETYPE, hffi.Code(d.cobjDestroy(d.rt, uint64(g))))
		require.NoError(t, tab.Delete(g))
		assert.Equal(t, uint64(0), d.badDestroy())
	}
}

// C grows a table too, up to its limit.
func TestCGrowsTable(t *testing.T) {
	d := loadDriver(t)
	s := newScratch(t, 4)
	tab := newTable(t, handles.WithLimit(300), handles.WithDebug(false))
	var hs []handles.Handle
	for i := range 300 {
		h, rc := d.cobjNewH(t, s, tab.ID(), uint64(i))
		require.Equal(t, hffi.OK, rc, "object %d", i)
		hs = append(hs, h)
	}
	_, rc := d.cobjNewH(t, s, tab.ID(), 0)
	assert.Equal(t, hffi.ENOMEM, rc)
	assert.Equal(t, 300, tab.Len())
	for i, h := range hs {
		tag, rc := d.cobjTagOf(s, h)
		require.Equal(t, hffi.OK, rc)
		require.Equal(t, uint64(i), tag)
		require.Equal(t, int32(0), d.cobjDestroy(d.rt, uint64(h)))
	}
	_, rc = d.cobjNewH(t, s, 0, 0)
	assert.Equal(t, hffi.ERANGE, rc)
}

type hammerItem struct{ h atomic.Uint64 }

// The hammer: goroutines create, look up, retain, release and delete
// handles, and register and take C objects, while C threads check,
// retain, release, register and destroy in the same table. Run it with
// -race; csrc/tests/handles_thread_test.c is its TSan twin in C.
func TestHammer(t *testing.T) {
	d := loadDriver(t)
	for _, debug := range []bool{false, true} {
		name := map[bool]string{false: "normal", true: "debug"}[debug]
		t.Run(name, func(t *testing.T) { hammer(t, d, debug) })
	}
}

func hammer(t *testing.T, d *driver, debug bool) {
	const nShared, goroutines, cThreads = 64, 4, 3
	iters := 4000
	if testing.Short() || raceEnabled {
		iters = 1500
	}
	tab := newTable(t, handles.WithDebug(debug), handles.WithLimit(4096))
	require.NoError(t, tab.CheckLists(), "a reused table id starts sound")
	shared := newScratch(t, nShared)
	out := newScratch(t, 4)
	destroyedBefore := d.destroyed()
	require.Equal(t, int32(0), d.hStart(d.rt, tab.ID(), shared.addr(0), nShared, cThreads, uint64(iters*3)))

	var bad atomic.Int64
	var goObjs atomic.Int64
	fail := func(format string, args ...any) {
		if bad.Add(1) < 10 {
			t.Errorf(format, args...)
		}
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			seed := uint64(g*7919 + 1)
			for i := range iters {
				seed = seed*6364136223846793005 + 1442695040888963407
				slot := shared.word(int(seed>>33) % nShared)
				switch (seed >> 20) % 5 {
				case 0, 1: // create, publish, and delete what was there
					it := &hammerItem{}
					h, err := tab.New(it)
					if err != nil {
						fail("New: %v (%s)", err, tab.Diag())
						continue
					}
					it.h.Store(uint64(h))
					old := handles.Handle(atomic.SwapUint64(slot, uint64(h)))
					if old == 0 {
						continue
					}
					v, err := tab.Value(old)
					if err != nil || v.(*hammerItem).h.Load() != uint64(old) {
						fail("Get of an owned handle %#x: %v", old, err)
					}
					if err := tab.Delete(old); err != nil {
						fail("Delete of an owned handle %#x: %v", old, err)
					}
				case 2: // look up a handle someone else owns
					h := handles.Handle(atomic.LoadUint64(slot))
					if h == 0 {
						continue
					}
					v, err := tab.Value(h)
					switch {
					case err == nil:
						if got := v.(*hammerItem).h.Load(); got != uint64(h) {
							fail("Get(%#x) returned the value of %#x", h, got)
						}
					case !plausible(err):
						fail("Get(%#x): %v", h, err)
					}
				case 3: // retain on behalf of C, the Go twin
					h := handles.Handle(atomic.LoadUint64(slot))
					if h == 0 {
						continue
					}
					if err := handles.Retain(h); err == nil {
						if v, err := tab.Value(h); err != nil || v.(*hammerItem).h.Load() != uint64(h) {
							fail("Get of a retained handle %#x: %v", h, err)
						}
						if err := handles.Release(h); err != nil {
							fail("Release(%#x): %v", h, err)
						}
					} else if !plausible(err) {
						fail("Retain(%#x): %v", h, err)
					}
				default: // a C object registered and taken by Go
					p := d.objNew(uint64(i))
					h, err := handles.RegisterCObject(tab, p, d.dtor())
					if err != nil {
						fail("RegisterCObject: %v", err)
						continue
					}
					ptr, dtor, err := handles.TakeCObject(h)
					if err != nil || ptr != p || d.objTag(ptr) != uint64(i) {
						fail("TakeCObject: %v", err)
						continue
					}
					purego.SyscallN(dtor, ptr)
					goObjs.Add(1)
				}
			}
		})
	}
	wg.Wait()
	require.Equal(t, int32(0), d.hJoin(out.addr(0)))
	assert.Zero(t, *out.word(0), "C threads saw impossible results")
	t.Logf("C: %d retains, %d C objects; Go: %d C objects", *out.word(1), *out.word(2), goObjs.Load())
	for i := range nShared {
		if h := handles.Handle(atomic.SwapUint64(shared.word(i), 0)); h != 0 {
			require.NoError(t, tab.Delete(h))
		}
	}
	assert.Zero(t, bad.Load())
	assert.Equal(t, 0, tab.Len(), "every slot came back")
	assert.NoError(t, tab.CheckLists(), "every free slot is on exactly one list")
	assert.NoError(t, tab.CheckRuns(), "every shard holds only slots of its runs")
	assert.Equal(t, destroyedBefore+*out.word(2)+uint64(goObjs.Load()), d.destroyed(), "every C object destroyed once")
	assert.Equal(t, uint64(0), d.badDestroy())
	_ = time.Second
}

// plausible: a handle someone issued may since have been deleted or its
// slot reused, but never forged or out of range.
func plausible(err error) bool {
	c := hffi.ErrCode(err)
	return c == hffi.EDELETED || c == hffi.ESTALE
}

var freshLimit atomic.Int32

// Go and C grow a table the same way, and keep to their own runs: C's
// allocations continue the run C started, Go's shards take whole runs
// and leave C's alone, whichever side grew the table.
func TestRunsApartFromC(t *testing.T) {
	d := loadDriver(t)
	s := newScratch(t, 4)
	run := func(h handles.Handle) uint32 { return uint32(h) & abi.HandleIndexMax / handles.RunSlots }
	for _, cFirst := range []bool{true, false} {
		name := map[bool]string{true: "C grows", false: "Go grows"}[cFirst]
		t.Run(name, func(t *testing.T) {
			// A limit of its own: a fresh table id, whose slots were never
			// used (a closed id goes only to a table of the same limit).
			tab := newTable(t, handles.WithLimit(100043+int(freshLimit.Add(1))), handles.WithDebug(false))
			require.Zero(t, tab.Cap())
			var cs, gs []handles.Handle
			newC := func() {
				h, rc := d.cobjNewH(t, s, tab.ID(), 1)
				require.Equal(t, hffi.OK, rc)
				cs = append(cs, h)
			}
			newGo := func() {
				h, err := tab.New(1)
				require.NoError(t, err)
				gs = append(gs, h)
			}
			if cFirst {
				newC()
				newC()
				newGo()
			} else {
				newGo()
				newC()
				newC()
			}
			for range 6 {
				newGo()
				newC()
			}
			cRuns := map[uint32]bool{}
			for i, h := range cs {
				cRuns[run(h)] = true
				if i > 0 {
					assert.Equal(t, uint32(cs[i-1])&abi.HandleIndexMax+1, uint32(h)&abi.HandleIndexMax,
						"C's allocations continue its run")
				}
			}
			for _, h := range gs {
				assert.False(t, cRuns[run(h)], "Go handle %#x in a run of C's", h)
			}
			require.NoError(t, tab.CheckRuns())
			for _, h := range gs {
				require.NoError(t, tab.Delete(h))
			}
			for _, h := range cs {
				require.Equal(t, int32(0), d.cobjDestroy(d.rt, uint64(h)))
			}
			assert.Equal(t, 0, tab.Len())
			require.NoError(t, tab.CheckLists())
		})
	}
}
