// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"

	"github.com/hffi-go/hffi/handles"
)

// Destroy notifies: C APIs that take a user data often take a function
// that they call once when they are done with it (GLib's GDestroyNotify,
// SQLite's xDestroy). Both functions below are C function pointers of
// type void (*)(void *data), each of its own: neither runs a Go function
// of the program, and neither can be mistaken for a callback.

// CloseNotify returns a C function pointer void (*)(void *data) that
// closes the callback whose [Callback.Handle] it is given, as
// [Callback.Close] does (a second call, or a data that is not a live
// callback, is counted and reported to the hook, and does nothing). Pass
// it with a callback to APIs such as
//
//	g_timeout_add_full(prio, ms, cb.Fn(), uintptr(cb.Handle()), closeNotify)
//
// so that the callback is released exactly once, when GLib drops the
// source.
func CloseNotify() (uintptr, error) {
	p, err := closeNotifyFn()
	if err != nil {
		return 0, fmt.Errorf("ffi: close notify: %w", err)
	}
	return p, nil
}

// ReleaseNotify returns a C function pointer void (*)(void *data) that
// drops the reference that [HandOver] gave C to a handle: the handle's
// last reference, so the value is gone once it ran. On the cgo backend it
// is C (hffi_handle_release on the shared root) and never calls Go; on the
// purego backend it is its Go twin. Use it for a pApp-style user data,
//
//	h := handles.NewHandle(state)
//	ffi.HandOver(h)
//	sqlite3_create_function_v2(db, "f", 1, flags, h, xFunc, nil, nil, ffi.ReleaseNotify())
func ReleaseNotify() (uintptr, error) {
	p, err := releaseNotifyFn()
	if err != nil {
		return 0, fmt.Errorf("ffi: release notify: %w", err)
	}
	return p, nil
}

// HandOver gives the ownership of h, a handle of the default table, to C:
// C holds a reference (as hffi_handle_retain does) and Go's is dropped
// (as [handles.Table.Delete] does). Go code may still look h up until C calls
// [ReleaseNotify]'s function (or hffi_handle_release) with it; then the
// value is gone.
func HandOver(h handles.Handle) error {
	if err := handles.Retain(h); err != nil {
		return fmt.Errorf("ffi: hand over %#x: %w", uintptr(h), err)
	}
	if err := handles.Default().Delete(h); err != nil {
		_ = handles.Release(h)
		return fmt.Errorf("ffi: hand over %#x: %w", uintptr(h), err)
	}
	return nil
}

// closeNotify is the Go side of CloseNotify.
func closeNotify(ud uintptr) {
	c, err := cbLookupSlow(handles.Handle(ud))
	if err == nil {
		err = c.Close()
		if err == nil {
			return
		}
	}
	failures.Add(1)
	if h := hook.Load(); h != nil {
		callHook(*h, &CallbackError{UserData: ud, Code: codeOf(err)})
	}
}
