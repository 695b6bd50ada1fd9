// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"sync/atomic"

	"github.com/hffi-go/hffi/handles"
)

//go:generate go run gen.go

// A Callback is a Go function that C can call: a C function pointer
// ([Callback.Fn]), shared by every callback of the same shape, and a
// handle ([Callback.UserData]) that C passes back as its void *user_data
// and that tells the callbacks apart. Make one with [NewCallback2] and its
// siblings; release it with [Callback.Close]. Its methods are safe for
// concurrent use.
type Callback struct {
	h      handles.Handle
	fn     uintptr
	shape  uint32
	invoke func(f *cbFrame)
	last   atomic.Pointer[CallbackError]
	closed atomic.Bool

	catchesGoexit bool // made with CatchGoexit
}

// Fn returns the C function pointer to give to C together with
// [Callback.Handle]. It stays valid for the life of the process.
func (c *Callback) Fn() uintptr { return c.fn }

// Handle returns the handle to give to C as the void *user_data of the
// call (C may check it with hffi_handle_check). After [Callback.Close] it
// is stale: C calls with it get an error value (see [NewCallback2]) and
// never reach Go code.
func (c *Callback) Handle() handles.Handle { return c.h }

// Err returns the last failed call of this callback from C (a panic in
// the Go function, as a [*CallbackError] matching [hffi.EPANIC]), or nil.
func (c *Callback) Err() error {
	if e := c.last.Load(); e != nil {
		return e
	}
	return nil
}

// Close releases the callback's handle: a call from C that begins after
// Close has returned gets the error value of [NewCallback2]
// (HFFI_EDELETED for an integer result) without running Go code, whether
// or not C retained the handle (hffi_handle_retain keeps the slot, not the
// callback). Close does not wait for calls that are already running, so a
// callback may close itself; such a call finishes normally and C gets its
// result. Close a callback when C is done with it or copes with the error
// value. Close is idempotent.
func (c *Callback) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	cbUnpublish(c)
	if err := callbacks().Delete(c.h); err != nil {
		return fmt.Errorf("ffi: close callback %#x: %w", uintptr(c.h), err)
	}
	return nil
}

// A CallbackOption configures [NewCallback2] and its siblings.
type CallbackOption func(*cbConfig)

type cbConfig struct {
	udLast      bool
	catchGoexit bool
}

// UserDataFirst makes C pass the user data as the first argument of the
// callback (the default).
func UserDataFirst() CallbackOption { return func(c *cbConfig) { c.udLast = false } }

// UserDataLast makes C pass the user data as the last integer or pointer
// argument of the callback, after the others (float arguments travel in
// their own registers and may come anywhere).
func UserDataLast() CallbackOption { return func(c *cbConfig) { c.udLast = true } }

// CatchGoexit runs each call of the callback's Go function on a goroutine
// of its own (a coroutine, as iter.Pull makes, on the thread of the call),
// so that runtime.Goexit in it (t.FailNow, testify's require in a test)
// ends that goroutine only: C gets the error value of a panic
// (HFFI_EPANIC, NULL or NaN) and Go a [*CallbackError] matching
// [ErrGoexit]. A call costs a goroutine switch each way and 7 allocations
// more (about 2 µs on the cgo backend): meant for tests and for code that
// cannot rule Goexit out.
//
// Without it a Go function must not call runtime.Goexit: the goroutine of
// a call from C is the one that returns to C, and nothing can stop a
// Goexit once it started. The error is still recorded ([Callback.Err],
// the hook), then, on a thread C created, the runtime aborts the process
// ("runtime.Goexit called in a thread that was not created by the Go
// runtime"), and on a call from C that Go made, the goroutine ends
// without returning to the C frames in between.
func CatchGoexit() CallbackOption { return func(c *cbConfig) { c.catchGoexit = true } }

var errNilFunc = fmt.Errorf("ffi: new callback: %w", invalidf("nil function"))

func newCallback(s *cbSig, invoke func(f *cbFrame)) (*Callback, error) {
	fn, err := trampoline(s.shape)
	if err != nil {
		return nil, fmt.Errorf("ffi: new callback: %w", err)
	}
	c := &Callback{fn: fn, shape: s.shape, invoke: invoke}
	if s.catchGoexit {
		c.catchesGoexit = true
		c.invoke = c.catchGoexit(invoke)
	}
	h, err := callbacks().New(c)
	if err != nil {
		return nil, fmt.Errorf("ffi: new callback: %w", err)
	}
	c.h = h
	cbPublish(c)
	return c, nil
}

var (
	hook     atomic.Pointer[func(*CallbackError)]
	failures atomic.Uint64
)

// SetCallbackErrorHook installs h, called with every [*CallbackError]
// (a call from C with a user data that is not a live callback, or a
// panicking callback), and returns the previous hook. h runs on the
// thread of the failed call, before C gets its error value: it must be
// quick and safe for concurrent use; a panic in h is dropped. nil removes
// the hook.
func SetCallbackErrorHook(h func(*CallbackError)) func(*CallbackError) {
	var old *func(*CallbackError)
	if h == nil {
		old = hook.Swap(nil)
	} else {
		old = hook.Swap(&h)
	}
	if old == nil {
		return nil
	}
	return *old
}

// CallbackFailures returns how many calls from C failed since the process
// started (see [SetCallbackErrorHook]).
func CallbackFailures() uint64 { return failures.Load() }

// LiveCallbacks returns the number of callbacks made and not yet closed.
// Tests use it to check that they closed every callback.
func LiveCallbacks() int {
	if t := cbTable.Load(); t != nil {
		return t.Len()
	}
	return 0
}

// CallbackLeakReport lists the callbacks that are still open, grouped by
// the place that made them when debug mode was on at the time (see
// hffi.SetDebug), or "" if there are none.
func CallbackLeakReport() string {
	if t := cbTable.Load(); t != nil && t.Len() > 0 {
		return t.Table().LeakReport()
	}
	return ""
}
