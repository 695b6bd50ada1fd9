// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"errors"
	"fmt"

	"github.com/hffi-go/hffi/internal/abi"
)

// Sentinel errors, usable with errors.Is. They are the HFFI_E* codes of
// hffi.h, so an error that C returned as a code matches them too.
var (
	ErrInvalid  error = abi.EINVAL    // bad argument, unsupported signature
	ErrNotFound error = abi.ENOTFOUND // library or symbol not found
	ErrClosed   error = abi.ECLOSED   // library closed
	ErrZero     error = abi.EZERO     // zero handle given as user data
	ErrStale    error = abi.ESTALE    // stale handle: its slot was reused
	ErrDeleted  error = abi.EDELETED  // handle already deleted (callback closed)
	ErrForged   error = abi.EFORGED   // handle that was never issued
	ErrTable    error = abi.ETABLE    // handle of another table (not a callback)
	ErrType     error = abi.ETYPE     // handle of the wrong type or shape
	ErrPanic    error = abi.EPANIC    // a Go callback panicked
	ErrCallback error = abi.ECALLBACK // a Go callback returned a non-HFFI error
	ErrNoMem    error = abi.ENOMEM    // scratch memory for an argument exhausted
	ErrCorrupt  error = abi.ECORRUPT  // a value tree with malformed nodes (Decode)
	ErrBounds   error = abi.EBOUNDS   // a value tree link outside its arena (Decode)
	ErrRange    error = abi.ERANGE    // a number that does not fit the target type (Decode)
)

// ErrGoexit is the Panic of a [CallbackError] whose Go function called
// runtime.Goexit (t.FailNow, testify's require in a test, ...) instead of
// returning: C got HFFI_EPANIC, as for a panic. errors.Is(err, ErrGoexit)
// tells it from a panic. See [CatchGoexit].
var ErrGoexit = errors.New("runtime.Goexit called in the Go function")

// A CallbackError describes one call from C that did not reach, or did not
// return normally from, the Go function of a [Callback]: the handle C gave
// as user data was not a live callback, or the function panicked or
// called runtime.Goexit. C got the code of Err (see [Callback]); Go gets
// the CallbackError through [Callback.Err] and the hook set with
// [SetCallbackErrorHook].
type CallbackError struct {
	UserData uintptr // the handle C passed as user data
	Err      error   // ErrPanic, or why the handle was rejected (ErrDeleted, ErrStale, ErrForged, ...)
	Panic    any     // the recovered value when Err is ErrPanic, or ErrGoexit
	Stack    []byte  // the goroutine's stack at the panic or Goexit, when Err is ErrPanic
}

// Error returns "ffi: callback 0x...: ...".
func (e *CallbackError) Error() string {
	switch {
	case e.Err == ErrPanic && e.Panic == ErrGoexit:
		return fmt.Sprintf("ffi: callback %#x: %v", e.UserData, ErrGoexit)
	case e.Err == ErrPanic:
		return fmt.Sprintf("ffi: callback %#x: panic: %v", e.UserData, e.Panic)
	}
	if notCallbackHandle(e.UserData, e.Err) {
		return fmt.Sprintf("ffi: callback %#x: %v: this user data is not an hffi callback handle; "+
			"does the C API pass the user data to this function? If not, make the callback with "+
			"ffi.NoUserData(), or find the user data with ffi.UserDataAt or ffi.UserDataVia", e.UserData, e.Err)
	}
	return fmt.Sprintf("ffi: callback %#x: %v", e.UserData, e.Err)
}

// Unwrap returns Err.
func (e *CallbackError) Unwrap() error { return e.Err }

// Is reports whether target is ErrGoexit and the Go function called
// runtime.Goexit (errors.Is uses it; Err is matched through Unwrap).
func (e *CallbackError) Is(target error) bool {
	return target == ErrGoexit && e.Panic == ErrGoexit
}

// notCallbackHandle reports whether ud, refused with err, was never a
// callback's handle: zero, forged, or of another table (a C pointer given
// where C was expected to pass the user data).
func notCallbackHandle(ud uintptr, err error) bool {
	switch err {
	case ErrZero, ErrForged, ErrTable:
		return true
	case ErrType, ErrRange, ErrInvalid:
		t := cbTable.Load()
		return t == nil || abi.HandleTable(uint64(ud)) != t.Table().ID()
	}
	return false
}
