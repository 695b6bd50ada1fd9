// SPDX-License-Identifier: Apache-2.0

package abi

import "strconv"

// Errno is an HFFI_E* code from hffi.h. It implements error; the public
// packages re-export its values as sentinels, so errors.Is works with an
// Errno that came from C as well as with one made in Go.
type Errno int32

// The codes of HFFI_ERRORS in hffi.h, in order.
const (
	OK         Errno = 0
	EINVAL     Errno = -1
	EZERO      Errno = -2
	EKIND      Errno = -3
	ERANGE     Errno = -4
	ESTALE     Errno = -5
	EDELETED   Errno = -6
	EFORGED    Errno = -7
	ETABLE     Errno = -8
	ETYPE      Errno = -9
	EBOUNDS    Errno = -10
	ENOMEM     Errno = -11
	EEXHAUSTED Errno = -12
	EALIGN     Errno = -13
	ECLOSED    Errno = -14
	EPANIC     Errno = -15
	ECORRUPT   Errno = -16
	ENOTFOUND  Errno = -17
	EVERSION   Errno = -18
	ERETIRED   Errno = -19
	EBUSY      Errno = -20
	ECALLBACK  Errno = -21
)

type errInfo struct{ name, msg string }

// errTable is indexed by -code.
var errTable = [...]errInfo{
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

// NumErrors is the number of codes, OK included.
const NumErrors = len(errTable)

func (e Errno) info() (errInfo, bool) {
	if e > 0 || int(-e) >= len(errTable) {
		return errInfo{}, false
	}
	return errTable[-e], true
}

// Error returns the message hffi_strerror gives for e.
func (e Errno) Error() string {
	if i, ok := e.info(); ok {
		return i.msg
	}
	return "unknown error " + strconv.Itoa(int(e))
}

// Name returns the name hffi_err_name gives for e, such as "HFFI_ESTALE".
func (e Errno) Name() string {
	if i, ok := e.info(); ok {
		return i.name
	}
	return "HFFI_UNKNOWN"
}

// ToError returns nil for OK and e otherwise.
func (e Errno) ToError() error {
	if e == OK {
		return nil
	}
	return e
}
