// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"fmt"

	"github.com/hffi-go/hffi/internal/abi"
)

// Sentinel errors. They are the HFFI_E* codes of hffi.h, so an error this
// package returns and a code that came back from C compare equal under
// [errors.Is]. Errors returned by this package wrap them with an "arena: "
// prefix and say what failed.
var (
	ErrInvalid   error = abi.EINVAL     // invalid argument (nil pointer, bad option)
	ErrZero      error = abi.EZERO      // the zero Ref
	ErrKind      error = abi.EKIND      // a handle given where a Ref was expected
	ErrRange     error = abi.ERANGE     // arena slot 0 or an option out of range
	ErrStale     error = abi.ESTALE     // the arena was reset (or its slot reused) since the Ref was minted
	ErrForged    error = abi.EFORGED    // a generation that was never issued
	ErrBounds    error = abi.EBOUNDS    // offset or size outside what the arena has allocated
	ErrNoMem     error = abi.ENOMEM     // the arena's maximum size is reached, or the OS refused memory
	ErrExhausted error = abi.EEXHAUSTED // no arena slot is left in the registry
	ErrAlign     error = abi.EALIGN     // bad alignment, or a Ref to a pointer that is not 8-aligned
	ErrClosed    error = abi.ECLOSED    // the arena was freed
	ErrRetired   error = abi.ERETIRED   // the arena's slot ran out of generations and was retired
)

// opErrs holds, per operation, one wrapped error for every code, made once
// so that returning an error on a hot path (a stale Ref from C, a full
// scratch arena) allocates nothing.
type opErrs [abi.NumErrors]error

func makeOpErrs(op string) *opErrs {
	var t opErrs
	for i := range t {
		t[i] = fmt.Errorf("arena: %s: %w", op, abi.Errno(-i))
	}
	return &t
}

func (t *opErrs) of(code abi.Errno) error { return t[-code] }

var (
	resolveErrs = makeOpErrs("resolve")
	checkErrs   = makeOpErrs("check")
	allocErrs   = makeOpErrs("alloc")
	refErrs     = makeOpErrs("ref")
)

// Why an arena can no longer be used.
var (
	errFreed    = fmt.Errorf("arena: arena was freed: %w", abi.ECLOSED)
	errNoSlot   = fmt.Errorf("arena: no registry slot left for a new arena: %w", abi.EEXHAUSTED)
	errNoArena  = fmt.Errorf("arena: Local not made by Arena.Local: %w", abi.EINVAL)
	errLostSlot = fmt.Errorf("arena: slot retired on reset and no registry slot left to move to: %w", abi.EEXHAUSTED)
)
