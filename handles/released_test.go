// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
)

// within runs f and fails the test if it has not returned after d. A
// lookup that spins forever is the symptom of a Go side that disagrees
// with the slot word; the spinning goroutine is left behind, so the
// caller must not touch the table again after a failure.
func within[T any](t *testing.T, d time.Duration, what string, f func() T) (T, bool) {
	t.Helper()
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(d):
		// A process stalled past d finds both ready and select picks
		// either: the result, if there is one, wins.
		select {
		case v := <-ch:
			return v, true
		default:
		}
		t.Errorf("%s did not return within %v", what, d)
		var zero T
		return zero, false
	}
}

// ownTable is newTable without the cleanup: a test that may leave a
// spinning lookup behind checks and closes the table itself on success.
func ownTable(t *testing.T, opts ...handles.TableOption) *handles.Table {
	t.Helper()
	tab, err := handles.NewTable(opts...)
	require.NoError(t, err)
	return tab
}

func closeEmpty(t *testing.T, tab *handles.Table) {
	t.Helper()
	assert.Equal(t, 0, tab.Len())
	assert.NoError(t, tab.CheckLists())
	assert.NoError(t, tab.Close())
}

type getResult struct {
	v   any
	err error
}

// Issue 14, bug 1: Delete of a retained handle marks it RELEASED; if the
// last retain is dropped and the slot reaped and reissued before Delete
// returns, nothing Delete still does may touch the new handle. The hook
// holds Delete right after its CAS while that happens; the only slot of
// the table guarantees the reuse.
func TestDeleteRetainedRacesReuse(t *testing.T) {
	for _, debug := range []bool{false, true} {
		t.Run(map[bool]string{false: "normal", true: "debug"}[debug], func(t *testing.T) {
			opts := []handles.TableOption{handles.WithDebug(debug), handles.WithLimit(1)}
			if debug {
				opts = append(opts, handles.WithQuarantine(0))
			}
			tab := ownTable(t, opts...)
			h, err := tab.New("old")
			require.NoError(t, err)
			require.NoError(t, handles.Retain(h))

			paused, resume := make(chan struct{}), make(chan struct{})
			defer handles.SetReleasedHook(func(in *handles.Table, d handles.Handle) {
				if in == tab && d == h {
					close(paused)
					<-resume
				}
			})()
			deleted := make(chan error, 1)
			go func() { deleted <- tab.Delete(h) }()
			<-paused
			require.NoError(t, handles.Release(h), "the last retain: the slot goes to the reap list")
			h2, err := tab.New("new") // reaps the slot and reissues it
			require.NoError(t, err)
			require.Equal(t, uint32(h)&0xffffff, uint32(h2)&0xffffff, "the only slot")
			require.Equal(t, genOf(h)+1, genOf(h2))
			close(resume)
			require.NoError(t, <-deleted)

			r, ok := within(t, 10*time.Second, "Get of the reissued handle", func() getResult {
				v, err := tab.Value(h2)
				return getResult{v, err}
			})
			if !ok {
				return
			}
			require.NoError(t, r.err)
			assert.Equal(t, "new", r.v)
			assert.NoError(t, handles.Check(h2))
			_, err = tab.Value(h)
			assert.ErrorIs(t, err, hffi.ESTALE)
			require.NoError(t, tab.Delete(h2), "the new owner can delete it")
			closeEmpty(t, tab)
		})
	}
}

// A Go side that disagrees with the slot word (which only a bug can
// cause) makes a lookup fail with ECORRUPT instead of spinning.
func TestLookupOfInconsistentSlotEnds(t *testing.T) {
	tab := ownTable(t, handles.WithDebug(false))
	h, err := tab.New("x")
	require.NoError(t, err)
	restore := tab.SetMetaGen(h, genOf(h)-1)
	r, ok := within(t, 10*time.Second, "Get of an inconsistent slot", func() getResult {
		v, err := tab.Value(h)
		return getResult{v, err}
	})
	if !ok {
		return
	}
	assert.Equal(t, hffi.ECORRUPT, hffi.ErrCode(r.err))
	infos, ok := within(t, 10*time.Second, "Snapshot", tab.Snapshot)
	if !ok {
		return
	}
	require.Len(t, infos, 1)
	assert.Equal(t, "", infos[0].Type, "the type is unknown")
	restore()
	v, err := tab.Value(h)
	require.NoError(t, err)
	assert.Equal(t, "x", v)
	require.NoError(t, tab.Delete(h))
	closeEmpty(t, tab)
}

// The same race without a hook, for a few seconds: owners create, look
// up and delete handles that others retain and release at the same time,
// so that Deletes of retained handles race with the last release, the
// reap and the reuse of the slot. A watchdog fails the test if a lookup or
// Delete hangs; every lookup of an owned handle must return its value and
// every Delete must succeed.
func TestReleasedRaceStress(t *testing.T) {
	dur := 4 * time.Second
	if testing.Short() {
		dur = time.Second
	}
	const owners, retainers, nShared = 4, 4, 8
	// More threads than cores: the kernel then suspends a thread at any
	// instruction, now and then inside Delete's window, for long enough
	// for the others to release, reap and reuse the slot.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), 8)))
	tab := ownTable(t, handles.WithDebug(false), handles.WithLimit(64))
	type item struct{ h atomic.Uint64 }
	var shared [nShared]atomic.Uint64
	var busySince [owners + retainers]atomic.Int64 // UnixNano of the op in progress, 0 when idle
	var bad atomic.Int64
	fail := func(format string, args ...any) {
		if bad.Add(1) <= 10 {
			t.Errorf(format, args...)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for o := range owners {
		wg.Go(func() {
			busy := &busySince[o]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				busy.Store(time.Now().UnixNano())
				it := &item{}
				h, err := tab.New(it)
				if err != nil {
					fail("New: %v (%s)", err, tab.Diag())
					busy.Store(0)
					continue
				}
				it.h.Store(uint64(h))
				if v, err := tab.Value(h); err != nil || v.(*item).h.Load() != uint64(h) {
					fail("Get of a fresh handle %#x: %v", h, err)
				}
				k := (o + i*owners) % nShared
				old := handles.Handle(shared[k].Swap(uint64(h)))
				if old != 0 {
					if v, err := tab.Value(old); err != nil || v.(*item).h.Load() != uint64(old) {
						fail("Get of an owned handle %#x: %v", old, err)
					}
					if err := tab.Delete(old); err != nil {
						fail("Delete of an owned handle %#x: %v", old, err)
					}
				}
				busy.Store(0)
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
		})
	}
	for r := range retainers {
		wg.Go(func() {
			busy := &busySince[owners+r]
			for i := r; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				h := handles.Handle(shared[i%nShared].Load())
				if h == 0 {
					continue
				}
				busy.Store(time.Now().UnixNano())
				if err := handles.Retain(h); err == nil {
					if v, err := tab.Value(h); err != nil || v.(*item).h.Load() != uint64(h) {
						fail("Get of a retained handle %#x: %v", h, err)
					}
					if err := handles.Release(h); err != nil {
						fail("Release(%#x): %v", h, err)
					}
				} else if c := hffi.ErrCode(err); c != hffi.EDELETED && c != hffi.ESTALE {
					fail("Retain(%#x): %v", h, err)
				}
				busy.Store(0)
			}
		})
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	hung := func() bool {
		for i := range busySince {
			if s := busySince[i].Load(); s != 0 && time.Since(time.Unix(0, s)) > 2*time.Second {
				t.Errorf("worker %d: an operation has not returned for %v", i, time.Since(time.Unix(0, s)))
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(dur); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if hung() {
			close(stop)
			return // the hung goroutine never stops: leave the table alone
		}
	}
	close(stop)
	for waited := false; !waited; {
		select {
		case <-done:
			waited = true
		case <-time.After(100 * time.Millisecond):
			if hung() {
				return
			}
		}
	}
	for i := range shared {
		if h := handles.Handle(shared[i].Swap(0)); h != 0 {
			require.NoError(t, tab.Delete(h))
		}
	}
	require.Zero(t, bad.Load())
	closeEmpty(t, tab)
}
