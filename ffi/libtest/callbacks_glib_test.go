// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"slices"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
)

type glibAPI struct {
	loopNew      func(ctx unsafe.Pointer, running int32) unsafe.Pointer
	loopRun      func(loop unsafe.Pointer)
	loopQuit     func(loop unsafe.Pointer)
	loopUnref    func(loop unsafe.Pointer)
	timeoutAdd   func(ms uint32, fn, data uintptr) uint32
	timeoutFull  func(prio int32, ms uint32, fn, data, notify uintptr) uint32
	hashNew      func(hash, equal uintptr) unsafe.Pointer
	hashInsert   func(t unsafe.Pointer, k, v uintptr) int32
	hashForeach  func(t unsafe.Pointer, fn, data uintptr)
	hashDestroy  func(t unsafe.Pointer)
	directHash   uintptr
	directEquals uintptr
}

func bindGLib(t *testing.T) *glibAPI {
	lib := cbLib(t, "libglib-2.0.so.0", "libglib2.0-0")
	var g glibAPI
	cbBind(t, lib, &g.loopNew, "g_main_loop_new", ffi.Bind2)
	cbBind(t, lib, &g.loopRun, "g_main_loop_run", ffi.BindVoid1)
	cbBind(t, lib, &g.loopQuit, "g_main_loop_quit", ffi.BindVoid1)
	cbBind(t, lib, &g.loopUnref, "g_main_loop_unref", ffi.BindVoid1)
	cbBind(t, lib, &g.timeoutAdd, "g_timeout_add", ffi.Bind3)
	cbBind(t, lib, &g.timeoutFull, "g_timeout_add_full", ffi.Bind5)
	cbBind(t, lib, &g.hashNew, "g_hash_table_new", ffi.Bind2)
	cbBind(t, lib, &g.hashInsert, "g_hash_table_insert", ffi.Bind3)
	cbBind(t, lib, &g.hashForeach, "g_hash_table_foreach", ffi.BindVoid3)
	cbBind(t, lib, &g.hashDestroy, "g_hash_table_destroy", ffi.BindVoid1)
	g.directHash = lib.Sym("g_direct_hash").Addr()
	g.directEquals = lib.Sym("g_direct_equal").Addr()
	return &g
}

// TestCallbackGLibTimeout runs three timeout sources under a GMainLoop:
// gboolean fn(gpointer data) returns TRUE twice, then FALSE, so each
// fires exactly 3 times. One is added with g_timeout_add; one with
// g_timeout_add_full and ffi.CloseNotify, which closes the source's
// callback when GLib drops it; one with g_timeout_add_full and a destroy
// notify written in Go, which runs exactly once. (A notify made with user
// data first used to share the source's trampoline, so GLib's call of it
// with the source's handle ran the source a 4th time; ffi's
// TestNotifyWrongShape checks that it is refused now.)
func TestCallbackGLibTimeout(t *testing.T) {
	cbNeedLibffi(t)
	cbNoLeaks(t)
	g := bindGLib(t)
	loop := g.loopNew(nil, 0)
	defer g.loopUnref(loop)

	done := 0
	source := func(fired *int) func() int32 {
		return func() int32 {
			*fired++
			if *fired < 3 {
				return 1
			}
			if done++; done == 3 {
				g.loopQuit(loop)
			}
			return 0
		}
	}
	var firedA, firedB, firedC, notified int
	a, err := ffi.NewCallback0(source(&firedA), ffi.FailureValue(0))
	require.NoError(t, err)
	defer a.Close()
	b, err := ffi.NewCallback0(source(&firedB), ffi.FailureValue(0))
	require.NoError(t, err)
	c, err := ffi.NewCallback0(source(&firedC), ffi.FailureValue(0))
	require.NoError(t, err)
	defer c.Close()
	var notifiedWith uintptr
	notify, err := ffi.NewCallbackVoid1(func(data uintptr) { notified++; notifiedWith = data }, ffi.NoUserData())
	require.NoError(t, err)
	defer notify.Close()
	closeNotify, err := ffi.CloseNotify()
	require.NoError(t, err)

	failures := ffi.CallbackFailures()
	live := ffi.LiveCallbacks()
	// d is closed before it fires: its FailureValue, FALSE, makes GLib
	// drop the source after one refused call (the default, -6, is TRUE to
	// GLib, and the source would fire for ever).
	d, err := ffi.NewCallback0(func() int32 { return 1 }, ffi.FailureValue(0))
	require.NoError(t, err)
	require.NotZero(t, g.timeoutAdd(1, d.Fn(), uintptr(d.Handle())))
	require.NoError(t, d.Close())
	require.NotZero(t, g.timeoutAdd(1, a.Fn(), uintptr(a.Handle())))
	require.NotZero(t, g.timeoutFull(0, 1, b.Fn(), uintptr(b.Handle()), closeNotify))
	// GLib gives the notify the source's data, c's handle: a notify of
	// its own function pointer (NoUserData) gets it as an argument.
	require.NotZero(t, g.timeoutFull(0, 1, c.Fn(), uintptr(c.Handle()), notify.Fn()))
	g.loopRun(loop)

	require.Equal(t, 3, firedA)
	require.Equal(t, 3, firedB)
	require.Equal(t, 3, firedC, "the source function ran only as the source")
	require.Equal(t, live-1, ffi.LiveCallbacks(), "CloseNotify closed b's callback")
	require.Equal(t, 1, notified, "the Go notify ran once")
	require.Equal(t, uintptr(c.Handle()), notifiedWith)
	require.Equal(t, failures+1, ffi.CallbackFailures(), "d's source was called once after Close, then dropped")
}

// TestCallbackGLibHashForeach: GHFunc void (*)(gpointer key, gpointer
// value, gpointer user_data), the user data last.
func TestCallbackGLibHashForeach(t *testing.T) {
	cbNoLeaks(t)
	g := bindGLib(t)
	table := g.hashNew(g.directHash, g.directEquals)
	defer g.hashDestroy(table)
	const n = 1000
	for i := uintptr(1); i <= n; i++ {
		g.hashInsert(table, i, 2*i)
	}
	var keys, values uintptr
	calls := 0
	fn, err := ffi.NewCallbackVoid2(func(k, v uintptr) {
		calls++
		keys += k
		values += v
	}, ffi.UserDataLast())
	require.NoError(t, err)
	defer fn.Close()
	g.hashForeach(table, fn.Fn(), uintptr(fn.Handle()))
	require.Equal(t, n, calls)
	require.Equal(t, uintptr(n*(n+1)/2), keys)
	require.Equal(t, uintptr(n*(n+1)), values)
	require.NoError(t, fn.Err())
}

// TestCallbackGLibThreads: GLib threads (created by C) call a Go
// callback concurrently: GThreadFunc gpointer (*)(gpointer data), the data
// being the callback's handle, and each thread sorts with qsort and a
// comparator without user data, the same for every thread.
func TestCallbackGLibThreads(t *testing.T) {
	cbNeedLibffi(t)
	cbNoLeaks(t)
	lib := cbLib(t, "libglib-2.0.so.0", "libglib2.0-0")
	var threadNew func(name string, fn, data uintptr) unsafe.Pointer
	var threadJoin func(th unsafe.Pointer) uintptr
	cbBind(t, lib, &threadNew, "g_thread_new", ffi.Bind3)
	cbBind(t, lib, &threadJoin, "g_thread_join", ffi.Bind1)
	libc := cbLib(t, "libc.so.6", "libc6")
	var qsort func(base unsafe.Pointer, n, size, cmp uintptr)
	cbBind(t, libc, &qsort, "qsort", ffi.BindVoid4)

	cmp, err := ffi.NewCallback2(cbCmpInt64, ffi.NoUserData())
	require.NoError(t, err)
	defer cmp.Close()
	const threads = 8
	n := 10_000
	if cbRace {
		n = 1_000
	}
	mem := cbMem(t)
	bufs := make([]unsafe.Pointer, threads)
	for i := range bufs {
		p, err := mem.Alloc(uintptr(8*n), 8)
		require.NoError(t, err)
		bufs[i] = p
	}
	var next atomic.Int32
	work, err := ffi.NewCallback0(func() uintptr {
		i := next.Add(1) - 1
		xs := unsafe.Slice((*int64)(bufs[i]), n)
		for j := range xs {
			xs[j] = int64((j*7919 + int(i)) % n)
		}
		qsort(bufs[i], uintptr(n), 8, cmp.Fn())
		if !slices.IsSorted(xs) {
			return 0
		}
		return uintptr(i) + 1
	})
	require.NoError(t, err)
	defer work.Close()
	ths := make([]unsafe.Pointer, threads)
	for i := range ths {
		ths[i] = threadNew("hffi-test", work.Fn(), uintptr(work.Handle()))
		require.NotNil(t, ths[i])
	}
	sum := uintptr(0)
	for _, th := range ths {
		sum += threadJoin(th)
	}
	require.Equal(t, uintptr(threads*(threads+1)/2), sum, "every thread sorted its array")
	require.NoError(t, work.Err())
	require.NoError(t, cmp.Err())
}
