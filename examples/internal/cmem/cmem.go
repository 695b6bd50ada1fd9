// SPDX-License-Identifier: Apache-2.0

// Package cmem holds the small helpers the examples share for showing what
// C did: reading a string C wrote into arena memory, and naming an error
// code C returned.
package cmem

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/hffi-go/hffi"
)

// String copies the NUL-terminated string at p, memory that is not Go's
// (an arena, C memory), into a Go string.
func String(p unsafe.Pointer) string {
	n := 0
	for *(*byte)(unsafe.Add(p, n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(p), n))
}

// ErrName gives the HFFI_E* name of an error that came from C, with its
// message, such as "HFFI_ESTALE (stale generation: ...)".
func ErrName(err error) string {
	var code hffi.Code
	if errors.As(err, &code) {
		return fmt.Sprintf("%s (%v)", code.Name(), err)
	}
	return err.Error()
}
