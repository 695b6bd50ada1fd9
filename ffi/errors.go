// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"errors"
	"fmt"

	"github.com/hffi-go/hffi"
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
	Err      error   // hffi.EPANIC, or why the handle was rejected (hffi.EDELETED, hffi.ESTALE, hffi.EFORGED, ...)
	Panic    any     // the recovered value when Err is hffi.EPANIC, or ErrGoexit
	Stack    []byte  // the goroutine's stack at the panic or Goexit, when Err is hffi.EPANIC
}

// Error returns "ffi: callback 0x...: ...".
func (e *CallbackError) Error() string {
	switch {
	case e.Err == hffi.EPANIC && e.Panic == ErrGoexit:
		return fmt.Sprintf("ffi: callback %#x: %v", e.UserData, ErrGoexit)
	case e.Err == hffi.EPANIC:
		return fmt.Sprintf("ffi: callback %#x: panic: %v", e.UserData, e.Panic)
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
