// SPDX-License-Identifier: Apache-2.0

package hffi

import (
	"errors"
	"strconv"
)

// Code is an HFFI_E* code of csrc/hffi.h: the int32 a C function of hffi
// returns. It implements error, like syscall.Errno: the constants below are
// the sentinels of every hffi package, so errors.Is(err, hffi.ESTALE)
// matches an error made in Go and a code that came back from C alike.
// Convert a C result with Code(rc); OK (0) is success, every error is
// negative.
type Code int32

// The codes of HFFI_ERRORS in hffi.h, in order. Codes are never
// renumbered; new ones are appended.
const (
	OK         Code = 0   // success; not an error
	EINVAL     Code = -1  // invalid argument, or an unsupported signature
	EZERO      Code = -2  // the zero handle or reference
	EKIND      Code = -3  // a handle where a reference was expected, or the other way round
	ERANGE     Code = -4  // slot, table or arena index out of range; a number that does not fit its target type
	ESTALE     Code = -5  // the slot was reused or the arena reset since the identifier was made
	EDELETED   Code = -6  // the handle was deleted (or the callback closed)
	EFORGED    Code = -7  // a generation never issued: the identifier was forged
	ETABLE     Code = -8  // a handle of another table
	ETYPE      Code = -9  // wrong type: a C object where a Go value was expected, a value of another shape
	EBOUNDS    Code = -10 // offset, length or index outside what was allocated
	ENOMEM     Code = -11 // out of memory, or a table's or arena's size limit reached
	EEXHAUSTED Code = -12 // no table or arena slot left, or a retain count would overflow
	EALIGN     Code = -13 // misaligned address or bad alignment
	ECLOSED    Code = -14 // the table, arena or library is closed or freed
	EPANIC     Code = -15 // a Go callback panicked (or called runtime.Goexit)
	ECORRUPT   Code = -16 // corrupt data, such as a malformed value tree
	ENOTFOUND  Code = -17 // library or symbol not found
	EVERSION   Code = -18 // the C side was built for another ABI version
	ERETIRED   Code = -19 // the slot's generations are exhausted; it is never reused
	EBUSY      Code = -20 // still in use, such as Close of a table that holds handles
	ECALLBACK  Code = -21 // a Go callback returned an error that is not a Code
)

type codeInfo struct{ name, msg string }

// codes is indexed by -code; the messages are hffi_strerror's, word for
// word (the root package's test compares them with hffi.h).
var codes = [...]codeInfo{
	{"HFFI_OK", "success"},
	{"HFFI_EINVAL", "invalid argument"},
	{"HFFI_EZERO", "zero handle or reference"},
	{"HFFI_EKIND", "wrong kind of identifier (handle given as reference or the other way round)"},
	{"HFFI_ERANGE", "slot, table or arena index out of range"},
	{"HFFI_ESTALE", "stale generation: the slot was reused or the arena reset"},
	{"HFFI_EDELETED", "handle already deleted"},
	{"HFFI_EFORGED", "generation from the future: identifier was never issued"},
	{"HFFI_ETABLE", "handle belongs to another table"},
	{"HFFI_ETYPE", "wrong type"},
	{"HFFI_EBOUNDS", "offset, length or index out of bounds"},
	{"HFFI_ENOMEM", "out of memory or size limit reached"},
	{"HFFI_EEXHAUSTED", "generations or slots exhausted"},
	{"HFFI_EALIGN", "misaligned address or bad alignment"},
	{"HFFI_ECLOSED", "table or arena is closed or freed"},
	{"HFFI_EPANIC", "Go callback panicked"},
	{"HFFI_ECORRUPT", "corrupt data"},
	{"HFFI_ENOTFOUND", "not found"},
	{"HFFI_EVERSION", "ABI version mismatch"},
	{"HFFI_ERETIRED", "slot retired: its generations are exhausted"},
	{"HFFI_EBUSY", "resource busy"},
	{"HFFI_ECALLBACK", "callback failed in Go"},
}

func (c Code) info() (codeInfo, bool) {
	if c > 0 || int(-c) >= len(codes) {
		return codeInfo{}, false
	}
	return codes[-c], true
}

// Error returns the message hffi_strerror gives for c, with the number
// added for a code this version does not know.
func (c Code) Error() string {
	if i, ok := c.info(); ok {
		return i.msg
	}
	return "unknown error " + strconv.Itoa(int(c))
}

// Name returns the name hffi_err_name gives for c, such as "HFFI_ESTALE",
// or "HFFI_UNKNOWN".
func (c Code) Name() string {
	if i, ok := c.info(); ok {
		return i.name
	}
	return "HFFI_UNKNOWN"
}

// ErrCode returns the code to give C for err: OK if and only if err is
// nil; the Code err wraps (found with errors.As); EINVAL for an error that
// wraps no Code, or that wraps OK, since neither is a success.
func ErrCode(err error) Code {
	if err == nil {
		return OK
	}
	var c Code
	if errors.As(err, &c) && c != OK {
		return c
	}
	return EINVAL
}
