// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"fmt"

	"github.com/hffi-go/hffi"
)

// opErrs holds, per operation, one wrapped error for every code, made once
// so that returning an error on a hot path (a stale Ref from C, a full
// scratch arena) allocates nothing.
type opErrs []error

func makeOpErrs(op string) opErrs {
	var t opErrs
	for c := hffi.OK; c.Name() != "HFFI_UNKNOWN"; c-- {
		t = append(t, fmt.Errorf("arena: %s: %w", op, c))
	}
	return t
}

func (t opErrs) of(code hffi.Code) error { return t[-code] }

var (
	resolveErrs = makeOpErrs("resolve")
	checkErrs   = makeOpErrs("check")
	allocErrs   = makeOpErrs("alloc")
	refErrs     = makeOpErrs("ref")
)

// Why an arena can no longer be used.
var (
	errFreed    = fmt.Errorf("arena: arena was freed: %w", hffi.ECLOSED)
	errNoSlot   = fmt.Errorf("arena: no registry slot left for a new arena: %w", hffi.EEXHAUSTED)
	errNoArena  = fmt.Errorf("arena: Local not made by Arena.Local: %w", hffi.EINVAL)
	errLostSlot = fmt.Errorf("arena: slot retired on reset and no registry slot left to move to: %w", hffi.EEXHAUSTED)
)
