// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/hffi-go/hffi/internal/abi"
)

// A pool of one slot cycled 100000 times keeps rejecting every earlier
// handle: the newest deleted one as deleted, all the others as stale.
func TestOneSlotCycled(t *testing.T) {
	tab := newTable(t, handles.WithLimit(1), handles.WithDebug(false))
	const n = 100000
	hs := make([]handles.Handle, 0, n)
	for i := range n {
		h, err := tab.New(i)
		require.NoError(t, err)
		if i > 0 {
			require.Equal(t, uint32(h)&abi.HandleIndexMax, uint32(hs[0])&abi.HandleIndexMax, "one slot")
		}
		_, err = tab.New(i)
		require.ErrorIs(t, err, hffi.ENOMEM, "the pool has one slot")
		v, err := tab.Value(h)
		require.NoError(t, err)
		require.Equal(t, i, v)
		require.NoError(t, tab.Delete(h))
		hs = append(hs, h)
	}
	for i, h := range hs {
		want := hffi.ESTALE
		if i == n-1 {
			want = hffi.EDELETED
		}
		_, err := tab.Value(h)
		require.ErrorIs(t, err, want, "handle %d", i)
		require.ErrorIs(t, tab.Delete(h), want, "handle %d", i)
	}
	assert.Equal(t, 0, tab.Len())
}

// Holes left by deletes are refilled before the table grows.
func TestHolesRefilled(t *testing.T) {
	tab := newTable(t, handles.WithDebug(false))
	hs := make([]handles.Handle, 1000)
	for i := range hs {
		hs[i], _ = tab.New(i)
	}
	capBefore := tab.Cap()
	holes := map[uint32]bool{}
	for i := 0; i < len(hs); i += 3 {
		holes[uint32(hs[i])&abi.HandleIndexMax] = true
		require.NoError(t, tab.Delete(hs[i]))
		hs[i] = 0
	}
	spare := capBefore - len(hs) // never used, but initialised
	var refill []handles.Handle
	reused := 0
	for range holes {
		h, err := tab.New("refill")
		require.NoError(t, err)
		if holes[uint32(h)&abi.HandleIndexMax] {
			reused++
		}
		refill = append(refill, h)
	}
	assert.Equal(t, capBefore, tab.Cap(), "holes were refilled before growing")
	assert.GreaterOrEqual(t, reused, len(holes)-spare)
	for _, h := range append(refill, hs...) {
		if h != 0 {
			require.NoError(t, tab.Delete(h))
		}
	}
}

// A handle deleted and re-issued for the very same value is still stale.
func TestStaleAfterReuseSameValue(t *testing.T) {
	tab := newTable(t, handles.WithLimit(1), handles.WithDebug(false))
	v := &struct{ x int }{7}
	h1, err := tab.New(v)
	require.NoError(t, err)
	require.NoError(t, tab.Delete(h1))
	h2, err := tab.New(v)
	require.NoError(t, err)
	require.NotEqual(t, h1, h2)
	_, err = tab.Value(h1)
	assert.ErrorIs(t, err, hffi.ESTALE)
	assert.ErrorIs(t, tab.Delete(h1), hffi.ESTALE, "a stale delete must not free the new handle")
	got, err := tab.Value(h2)
	require.NoError(t, err)
	assert.Same(t, v, got)
	require.NoError(t, tab.Delete(h2))
}

func TestTablesAreSeparate(t *testing.T) {
	a, b := newTable(t), newTable(t)
	require.NotEqual(t, a.ID(), b.ID())
	ha, err := a.New("a")
	require.NoError(t, err)
	_, err = b.Value(ha)
	assert.ErrorIs(t, err, hffi.ETABLE)
	assert.ErrorIs(t, b.Delete(ha), hffi.ETABLE)
	_, err = handles.Default().Value(ha)
	assert.ErrorIs(t, err, hffi.ETABLE, "the default table rejects it too")
	assert.Contains(t, err.Error(), "given to table 1")
	require.NoError(t, handles.Check(ha), "it is a live handle of its own table")
	assert.Equal(t, a.ID(), ha.TableID())
	require.NoError(t, a.Delete(ha))
}

func TestLimitAndGrowth(t *testing.T) {
	tab := newTable(t, handles.WithLimit(1000), handles.WithDebug(false))
	assert.Equal(t, 1000, tab.Limit())
	hs := make([]handles.Handle, 1000)
	for i := range hs {
		var err error
		hs[i], err = tab.New(i)
		require.NoError(t, err)
	}
	_, err := tab.New(0)
	require.ErrorIs(t, err, hffi.ENOMEM)
	assert.Equal(t, 1000, tab.Len())
	assert.Equal(t, 1000, tab.Cap())
	for i, h := range hs {
		v, err := tab.Value(h)
		require.NoError(t, err)
		require.Equal(t, i, v, "growth never moved a value")
		require.NoError(t, tab.Delete(h))
	}
	for _, bad := range []int{0, -1, handles.MaxLimit + 1} {
		_, err := handles.NewTable(handles.WithLimit(bad))
		assert.ErrorIs(t, err, hffi.EINVAL)
	}
}

// A slot is retired before its generation could repeat; the handles of
// its last generations get precise errors.
func TestRetire(t *testing.T) {
	tab := newTable(t, handles.WithLimit(1), handles.WithDebug(false))
	h, err := tab.New(0)
	require.NoError(t, err)
	require.NoError(t, tab.Delete(h))
	idx := uint32(h) & abi.HandleIndexMax
	require.True(t, tab.SetFreeGen(idx, abi.HandleGenMax-2))
	h1, err := tab.New(1)
	require.NoError(t, err)
	assert.Equal(t, uint32(abi.HandleGenMax-2), genOf(h1))
	require.NoError(t, tab.Delete(h1))
	h2, err := tab.New(2)
	require.NoError(t, err)
	assert.Equal(t, uint32(abi.HandleGenMax-1), genOf(h2), "the last generation")
	require.NoError(t, tab.Delete(h2))
	_, err = tab.New(3)
	assert.ErrorIs(t, err, hffi.ENOMEM, "the only slot is retired, never wrapped")
	for _, c := range []struct {
		h    handles.Handle
		want error
	}{
		{h2, hffi.EDELETED},
		{h1, hffi.ESTALE},
		{h, hffi.ESTALE},
		{forge(h2, abi.HandleGenMax), hffi.ERETIRED},
	} {
		_, err := tab.Value(c.h)
		assert.ErrorIs(t, err, c.want, "gen %d", genOf(c.h))
	}
	assert.Equal(t, 0, tab.Len())
}

// A closed table rejects its handles; its id is reused with generations
// that go on, so they stay stale.
func TestCloseAndReuse(t *testing.T) {
	tab, err := handles.NewTable(handles.WithLimit(7), handles.WithDebug(false))
	require.NoError(t, err)
	h, err := tab.New("x")
	require.NoError(t, err)
	assert.ErrorIs(t, tab.Close(), hffi.EBUSY)
	require.NoError(t, tab.Delete(h))
	require.NoError(t, tab.Close())
	require.NoError(t, tab.Close(), "idempotent")
	_, err = tab.Value(h)
	assert.ErrorIs(t, err, hffi.ECLOSED)
	_, err = tab.New(1)
	assert.ErrorIs(t, err, hffi.ECLOSED)
	assert.ErrorIs(t, handles.Check(h), hffi.ECLOSED)

	again := newTable(t, handles.WithLimit(7), handles.WithDebug(false))
	require.Equal(t, tab.ID(), again.ID(), "a closed id is reused")
	h2, err := again.New("y")
	require.NoError(t, err)
	assert.Greater(t, genOf(h2), genOf(h), "generations go on")
	_, err = again.Value(h)
	assert.ErrorIs(t, err, hffi.ESTALE)
	_, err = tab.Value(h2)
	assert.ErrorIs(t, err, hffi.ECLOSED, "the old Table object stays closed")
	require.NoError(t, again.Delete(h2))
	assert.ErrorIs(t, handles.Default().Close(), hffi.EINVAL)
}

// Issue 14, bug 5: a closed Table whose id a new table reused must leave
// that table alone. Len, Reap, Snapshot and LeakReport of the old object
// used to reap the new table's slots into the old object, so the new
// table lost a slot and never dropped a deleted value.
func TestClosedTableLeavesReuserAlone(t *testing.T) {
	const limit = 13 // no other test closes a table of this limit
	for _, debug := range []bool{false, true} {
		t.Run(map[bool]string{false: "normal", true: "debug"}[debug], func(t *testing.T) {
			old, err := handles.NewTable(handles.WithLimit(limit), handles.WithDebug(debug))
			require.NoError(t, err)
			require.NoError(t, old.Close())
			tab := newTable(t, handles.WithLimit(limit), handles.WithDebug(debug), handles.WithQuarantine(0))
			require.Equal(t, old.ID(), tab.ID(), "the closed id is reused")

			v := new([64]byte)
			wp := weak.Make(v)
			dead, err := tab.New(v)
			require.NoError(t, err)
			v = nil
			live, err := tab.New("live")
			require.NoError(t, err)
			require.NoError(t, handles.Retain(dead))
			require.NoError(t, tab.Delete(dead))
			require.NoError(t, handles.Release(dead)) // on tab's reap list now

			assert.Equal(t, 0, old.Len())
			old.Reap()
			assert.Empty(t, old.Snapshot())
			assert.Equal(t, "", old.LeakReport())
			handlestest.VerifyNone(t, old)
			_, err = old.Value(live)
			assert.ErrorIs(t, err, hffi.ECLOSED)
			assert.ErrorIs(t, old.Delete(live), hffi.ECLOSED)
			_, err = old.New(1)
			assert.ErrorIs(t, err, hffi.ECLOSED)
			_, err = handles.RegisterCObject(old, 0x1000, 0)
			assert.ErrorIs(t, err, hffi.ECLOSED)
			assert.NoError(t, old.Close())

			infos := tab.Snapshot() // reaps dead
			require.Len(t, infos, 1)
			assert.Equal(t, live, infos[0].Handle)
			runtime.GC()
			runtime.GC()
			assert.Nil(t, wp.Value(), "the new table dropped the deleted value")
			require.NoError(t, tab.Delete(live))
			assert.NoError(t, tab.CheckLists(), "no slot lost")
			var hs []handles.Handle
			for range limit {
				h, err := tab.New(0)
				require.NoError(t, err, "every slot is usable")
				hs = append(hs, h)
			}
			for _, h := range hs {
				require.NoError(t, tab.Delete(h))
			}
		})
	}
}

// A Snapshot admitted before Close still walks the table's words, so
// Close waits for it before the id can go to a new table.
func TestCloseWaitsForAdmittedSnapshot(t *testing.T) {
	tab, err := handles.NewTable(handles.WithLimit(14), handles.WithDebug(false))
	require.NoError(t, err)
	paused, resume := make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	defer handles.SetEnterHook(func(in *handles.Table) {
		if in == tab && once.CompareAndSwap(false, true) {
			close(paused)
			<-resume
		}
	})()
	snap := make(chan []handles.Info, 1)
	go func() { snap <- tab.Snapshot() }()
	<-paused
	closed := make(chan error, 1)
	go func() { closed <- tab.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a Snapshot was walking the table", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(resume)
	assert.Empty(t, <-snap)
	require.NoError(t, <-closed)
	again := newTable(t, handles.WithLimit(14), handles.WithDebug(false))
	assert.Equal(t, tab.ID(), again.ID())
	assert.Nil(t, tab.Snapshot(), "admitted no more")
}

// C retains keep a deleted value alive (for Go lookups too) until the last
// release; the slot is then reaped and the value collected.
func TestRetainRelease(t *testing.T) {
	tab := newTable(t, handles.WithDebug(false))
	type big struct{ b [1 << 10]byte }
	v := &big{}
	v.b[0] = 1
	wp := weak.Make(v)
	h, err := tab.New(v)
	require.NoError(t, err)
	v = nil

	assert.ErrorIs(t, handles.Release(h), hffi.EINVAL, "nothing to release")
	require.NoError(t, handles.Retain(h))
	require.NoError(t, handles.Retain(h))
	require.NoError(t, tab.Delete(h))
	assert.ErrorIs(t, tab.Delete(h), hffi.EDELETED, "the owner already deleted it")
	got, err := tab.Value(h)
	require.NoError(t, err, "retained: still readable")
	assert.Equal(t, byte(1), got.(*big).b[0])
	got = nil
	require.NoError(t, handles.Check(h))
	assert.Equal(t, 1, tab.Len())
	require.NoError(t, handles.Release(h))
	require.NoError(t, handles.Check(h))
	require.NoError(t, handles.Release(h))
	assert.ErrorIs(t, handles.Check(h), hffi.EDELETED, "last release: dead")
	assert.ErrorIs(t, handles.Retain(h), hffi.EDELETED)
	assert.ErrorIs(t, handles.Release(h), hffi.EDELETED)
	assert.Equal(t, 0, tab.Len(), "Len reaps")
	runtime.GC()
	runtime.GC()
	assert.Nil(t, wp.Value(), "the value was dropped when reaped")
	_, err = tab.Value(h)
	assert.ErrorIs(t, err, hffi.EDELETED)
}

// Delete drops the value at once when nothing retains it.
func TestDeleteDropsValue(t *testing.T) {
	tab := newTable(t, handles.WithDebug(false))
	v := new([64]byte)
	wp := weak.Make(v)
	h, err := tab.New(v)
	require.NoError(t, err)
	v = nil
	require.NoError(t, tab.Delete(h))
	runtime.GC()
	runtime.GC()
	assert.Nil(t, wp.Value())
}

func TestLenCountsKinds(t *testing.T) {
	tab := newTable(t, handles.WithDebug(false))
	var n atomic.Int32
	h1, _ := tab.New(&n)
	h2, _ := tab.New(2)
	c, err := handles.RegisterCObject(tab, 0x1000, 0)
	require.NoError(t, err)
	assert.Equal(t, 3, tab.Len())
	infos := map[handles.Handle]handles.Info{}
	for _, in := range tab.Snapshot() {
		infos[in.Handle] = in
	}
	require.Len(t, infos, 3)
	assert.Equal(t, "*atomic.Int32", infos[h1].Type)
	assert.Equal(t, "int", infos[h2].Type)
	assert.True(t, infos[c].CObject)
	require.NoError(t, tab.Delete(h1))
	require.NoError(t, tab.Delete(h2))
	_, _, err = handles.TakeCObject(c)
	require.NoError(t, err)
}
