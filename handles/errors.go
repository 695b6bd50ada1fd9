// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"fmt"

	"github.com/hffi-go/hffi"
)

// Error is the error of a failed operation on a handle. It wraps Code (and,
// for a handle of another typed table, both hffi.ETYPE and hffi.ETABLE).
type Error struct {
	Op     string // "get", "delete", "new", "retain", ...
	Handle Handle
	Code   hffi.Code
	Detail string // optional, such as which tables were involved

	alsoTable bool // Code is ETYPE because the handle is of another table
}

func (e *Error) Error() string {
	msg := "handles: " + e.Op
	if e.Handle != 0 || e.Code == hffi.EZERO {
		msg += fmt.Sprintf(" %#x", uint64(e.Handle))
	}
	msg += ": " + e.Code.Error()
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Unwrap gives the code, and hffi.ETABLE too when Code is hffi.ETYPE because
// the handle belongs to another typed table.
func (e *Error) Unwrap() []error {
	if e.alsoTable {
		return []error{e.Code, hffi.ETABLE}
	}
	return []error{e.Code}
}

// misuse is the panic value of the drop-in API: an *Error whose message
// says what was wrong with the handle, like
// "handles: Value of deleted handle 0x10000001000000 (HFFI_EDELETED)".
type misuse struct{ err *Error }

func (m misuse) Error() string {
	e := m.err
	what := "invalid handle"
	switch e.Code {
	case hffi.EZERO:
		what = "zero handle"
	case hffi.ESTALE:
		what = "stale handle (slot reused since)"
	case hffi.EDELETED:
		what = "deleted handle"
	case hffi.EFORGED:
		what = "forged handle (generation never issued)"
	case hffi.ETABLE:
		what = "handle of another table"
	case hffi.ERANGE:
		what = "out-of-range handle"
	case hffi.ERETIRED:
		what = "handle of a retired slot"
	case hffi.EKIND:
		what = "arena reference (not a handle)"
	case hffi.ETYPE:
		what = "handle of a C object"
	case hffi.ECLOSED:
		what = "handle of a closed table"
	}
	msg := fmt.Sprintf("handles: %s of %s %#x (%s)", e.Op, what, uint64(e.Handle), e.Code.Name())
	if e.Code == hffi.ENOMEM || e.Code == hffi.EEXHAUSTED {
		msg = fmt.Sprintf("handles: %s: %s (%s)", e.Op, e.Code.Error(), e.Code.Name())
	}
	return msg
}

func (m misuse) Unwrap() error { return m.err }

func panicMisuse(op string, h Handle, code hffi.Code) {
	panic(misuse{&Error{Op: op, Handle: h, Code: code}})
}
