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
// called runtime.Goexit. C got Code as an integer result (NULL or NaN
// for other results, see [Callback]); Go gets
// the CallbackError through [Callback.Err] and the hook set with
// [SetCallbackErrorHook].
type CallbackError struct {
	UserData uintptr   // the handle C passed as user data
	Code     hffi.Code // the code C got: EPANIC, or why the handle was rejected (EDELETED, ESTALE, EFORGED, ...)
	Panic    any       // when Code is EPANIC: the value given to panic, or ErrGoexit
	Stack    []byte    // when Code is EPANIC: the goroutine's stack at the panic or Goexit
}

// Error returns "ffi: callback 0x...: ...".
func (e *CallbackError) Error() string {
	switch {
	case e.Code == hffi.EPANIC && e.Panic == ErrGoexit:
		return fmt.Sprintf("ffi: callback %#x: %v", e.UserData, ErrGoexit)
	case e.Code == hffi.EPANIC:
		return fmt.Sprintf("ffi: callback %#x: panic: %v", e.UserData, e.Panic)
	}
	return fmt.Sprintf("ffi: callback %#x: %v", e.UserData, e.Code)
}

// Unwrap returns Code.
func (e *CallbackError) Unwrap() error { return e.Code }

// Is reports whether target is ErrGoexit and the Go function called
// runtime.Goexit (errors.Is uses it; Code is matched through Unwrap).
func (e *CallbackError) Is(target error) bool {
	return target == ErrGoexit && e.Panic == ErrGoexit
}

// codeError is an error whose text says what happened in ffi's words and
// that matches its code with errors.Is, without repeating the code's
// generic message (hffi.ECLOSED's text speaks of tables and arenas, not
// libraries).
type codeError struct {
	msg  string
	code hffi.Code
}

func (e *codeError) Error() string { return e.msg }
func (e *codeError) Unwrap() error { return e.code }
