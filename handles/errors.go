// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"errors"
	"fmt"

	"github.com/hffi-go/hffi/internal/abi"
)

// Errno is an HFFI_E* code of csrc/hffi.h: the same number C gets from
// hffi_handle_check. Every error of this package wraps one, so
// errors.Is(err, ErrStale) works and [ErrCode] recovers the code.
type Errno = abi.Errno

// Sentinel errors, usable with errors.Is. They are the codes C sees.
var (
	ErrZero      error = abi.EZERO      // the zero handle
	ErrKind      error = abi.EKIND      // an arena reference, not a handle
	ErrRange     error = abi.ERANGE     // slot index or table id out of range
	ErrStale     error = abi.ESTALE     // the slot was reused since
	ErrDeleted   error = abi.EDELETED   // the handle was deleted
	ErrForged    error = abi.EFORGED    // a generation never issued
	ErrTable     error = abi.ETABLE     // a handle of another table
	ErrType      error = abi.ETYPE      // wrong type, or a C object where a Go value was expected
	ErrNoMem     error = abi.ENOMEM     // the table is at its limit
	ErrExhausted error = abi.EEXHAUSTED // no table id left, or a retain count would overflow
	ErrClosed    error = abi.ECLOSED    // the table is closed
	ErrRetired   error = abi.ERETIRED   // the slot's generations are exhausted
	ErrBusy      error = abi.EBUSY      // Close of a table that still holds handles
	ErrInvalid   error = abi.EINVAL     // a bad argument
)

// ErrCode returns the HFFI_E* code that err wraps: abi OK (0) for nil and
// EINVAL for an error of another origin.
func ErrCode(err error) Errno {
	if err == nil {
		return abi.OK
	}
	var e abi.Errno
	if errors.As(err, &e) {
		return e
	}
	return abi.EINVAL
}

// Error is the error of a failed operation on a handle. It wraps Code (and,
// for a handle of another typed table, both ErrType and ErrTable).
type Error struct {
	Op     string // "get", "delete", "new", "retain", ...
	Handle Handle
	Code   Errno
	Detail string // optional, such as which tables were involved

	alsoTable bool // Code is ETYPE because the handle is of another table
}

func (e *Error) Error() string {
	msg := "handles: " + e.Op
	if e.Handle != 0 || e.Code == abi.EZERO {
		msg += fmt.Sprintf(" %#x", uint64(e.Handle))
	}
	msg += ": " + e.Code.Error()
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Unwrap gives the code, and ErrTable too when Code is ErrType because
// the handle belongs to another typed table.
func (e *Error) Unwrap() []error {
	if e.alsoTable {
		return []error{e.Code, abi.ETABLE}
	}
	return []error{e.Code}
}

// misuse is the panic value of the drop-in API: an *Error whose message
// says what was wrong with the handle, like
// "handles: Value of deleted handle 0x1000001 (HFFI_EDELETED)".
type misuse struct{ err *Error }

func (m misuse) Error() string {
	e := m.err
	what := "invalid handle"
	switch e.Code {
	case abi.EZERO:
		what = "zero handle"
	case abi.ESTALE:
		what = "stale handle (slot reused since)"
	case abi.EDELETED:
		what = "deleted handle"
	case abi.EFORGED:
		what = "forged handle (generation never issued)"
	case abi.ETABLE:
		what = "handle of another table"
	case abi.ERANGE:
		what = "out-of-range handle"
	case abi.ERETIRED:
		what = "handle of a retired slot"
	case abi.EKIND:
		what = "arena reference (not a handle)"
	case abi.ETYPE:
		what = "handle of a C object"
	case abi.ECLOSED:
		what = "handle of a closed table"
	}
	msg := fmt.Sprintf("handles: %s of %s %#x (%s)", e.Op, what, uint64(e.Handle), e.Code.Name())
	if e.Code == abi.ENOMEM || e.Code == abi.EEXHAUSTED {
		msg = fmt.Sprintf("handles: %s: %s (%s)", e.Op, e.Code.Error(), e.Code.Name())
	}
	return msg
}

func (m misuse) Unwrap() error { return m.err }

func panicMisuse(op string, h Handle, code Errno) {
	panic(misuse{&Error{Op: op, Handle: h, Code: code}})
}
