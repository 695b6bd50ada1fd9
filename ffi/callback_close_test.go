// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
)

// TestCallbackClosedRetained: a retain keeps the handle's slot (Go may
// still look the value up), but it must not keep a closed callback
// callable. The retain comes from C (hffi_handle_retain) or from Go
// (handles.Retain), the call from a Go thread or from a C thread.
func TestCallbackClosedRetained(t *testing.T) {
	ftNoLeaks(t)
	hook := ftSetHook(t)
	var (
		call     func(uintptr, uintptr, int, int) int
		onThread func(uintptr, uintptr, int, int) int
		cRetain  func(unsafe.Pointer, handles.Handle) error
		cRelease func(unsafe.Pointer, handles.Handle) error
	)
	ftBind(t, &call, "ft_call_cb2", Bind4)
	ftBind(t, &onThread, "ft_call_cb2_thread", Bind4)
	ftBind(t, &cRetain, "hffi_handle_retain", Bind2)
	ftBind(t, &cRelease, "hffi_handle_release", Bind2)
	rt := hffi.Runtime()
	retains := []struct {
		name            string
		retain, release func(handles.Handle) error
	}{
		{"C", func(h handles.Handle) error { return cRetain(rt, h) }, func(h handles.Handle) error { return cRelease(rt, h) }},
		{"Go", handles.Retain, handles.Release},
	}
	callers := []struct {
		name string
		call func(uintptr, uintptr, int, int) int
	}{{"Go thread", call}, {"C thread", onThread}}
	for _, r := range retains {
		for _, caller := range callers {
			t.Run("retained by "+r.name+", called on a "+caller.name, func(t *testing.T) {
				var ran atomic.Int32
				c, err := NewCallback2(func(a, b int) int { ran.Add(1); return 7 })
				require.NoError(t, err)
				require.NoError(t, r.retain(c.Handle()))
				released := false
				defer func() {
					if !released {
						_ = r.release(c.Handle())
					}
				}()
				assert.Equal(t, 7, caller.call(c.Fn(), uintptr(c.Handle()), 1, 2), "open: the Go function runs")
				require.NoError(t, c.Close())
				hook.take()

				assert.Equal(t, int(hffi.EDELETED), caller.call(c.Fn(), uintptr(c.Handle()), 1, 2), "closed, still retained")
				assert.Equal(t, int32(1), ran.Load(), "a closed callback must not run")
				errs := hook.take()
				require.Len(t, errs, 1)
				assert.ErrorIs(t, errs[0], hffi.EDELETED)
				assert.NoError(t, c.Err(), "a refused call is not the callback's failure")

				released = true
				require.NoError(t, r.release(c.Handle()))
				assert.Equal(t, int(hffi.EDELETED), caller.call(c.Fn(), uintptr(c.Handle()), 1, 2), "closed and released")
				assert.Equal(t, int32(1), ran.Load())
			})
		}
	}
}

// TestCallbackCloseRace closes callbacks while C threads call them, for
// about 1.5 s, half of the rounds with the user data retained by C. The
// guarantee under test: a call that C begins after Close has returned
// never reaches the Go function (calls already running may finish). A
// watchdog turns a hang into a crash with every goroutine's stack.
func TestCallbackCloseRace(t *testing.T) {
	ftNoLeaks(t)
	ftSetHook(t) // the refused calls are expected: keep them from the default hook
	var (
		start  func(unsafe.Pointer, uintptr, uintptr, int, int32, bool) unsafe.Pointer
		closed func(unsafe.Pointer)
		count  func(unsafe.Pointer, int32) int64
		stop   func(unsafe.Pointer) int32
		free   func(unsafe.Pointer)
	)
	ftBind(t, &start, "ft_storm_start", Bind6)
	ftBind(t, &closed, "ft_storm_closed", BindVoid1)
	ftBind(t, &count, "ft_storm_count", Bind2)
	ftBind(t, &stop, "ft_storm_stop", Bind1)
	ftBind(t, &free, "ft_storm_free", BindVoid1)
	const (
		want     = 7
		nthreads = 3
	)
	const (
		ran = iota // counters of ft_storm
		refused
		late
		other
	)
	watchdog := time.AfterFunc(30*time.Second, func() {
		panic("TestCallbackCloseRace: no progress for 30 s: did Close and the calls from C deadlock?")
	})
	defer watchdog.Stop()
	// waitFor polls a counter of the storm s until it reaches n, for at
	// most limit. The counter is read once more after limit: a process
	// that did not run for limit (a loaded CI machine) must not look like
	// C threads that were never refused.
	waitFor := func(s unsafe.Pointer, which int32, n int64, limit time.Duration) bool {
		for end := time.Now().Add(limit); ; time.Sleep(20 * time.Microsecond) {
			over := !time.Now().Before(end)
			if count(s, which) >= n {
				return true
			}
			if over {
				return false
			}
		}
	}

	var total [4]int64
	rounds := 0
	for deadline := time.Now().Add(1500 * time.Millisecond); rounds < 4 || time.Now().Before(deadline); rounds++ {
		var inGo atomic.Int64
		c, err := NewCallback1(func(int) int { inGo.Add(1); return want })
		require.NoError(t, err)
		retain := rounds%2 == 0
		s := start(hffi.Runtime(), c.Fn(), uintptr(c.Handle()), want, nthreads, retain)
		require.NotNil(t, s, "ft_storm_start")
		// Close at a different moment of the storm in each round.
		waitFor(s, ran, int64(1+rounds%7*40), time.Second)
		require.NoError(t, c.Close())
		closed(s)
		refusedAfter := waitFor(s, refused, 100, 10*time.Second)
		n := stop(s)
		var got [4]int64
		for i := range got {
			got[i] = count(s, int32(i))
			total[i] += got[i]
		}
		free(s)
		require.Equal(t, int32(nthreads), n, "threads started")
		require.Zero(t, got[late], "round %d (retained %v): calls begun after Close returned ran the Go function", rounds, retain)
		require.Zero(t, got[other], "round %d: unexpected results", rounds)
		require.True(t, refusedAfter, "round %d (retained %v): C was not refused after Close", rounds, retain)
		require.Equal(t, got[ran], inGo.Load(), "every run of the Go function returned to C")
	}
	t.Logf("%d rounds: %d calls ran, %d refused", rounds, total[ran], total[refused])
}
