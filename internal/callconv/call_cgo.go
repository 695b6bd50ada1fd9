// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego && (linux || darwin) && (amd64 || arm64)

package callconv

/*
#cgo noescape hffi_cc_call
#include <stdint.h>

// The trampoline is a C function of one pointer; the frame is memory of
// the calling goroutine that holds no Go pointer, valid for the call.
static void hffi_cc_call(uintptr_t tramp, uint64_t *frame) {
	((void (*)(uint64_t *))tramp)(frame);
}
*/
import "C"

import (
	"unsafe"

	"github.com/hffi-go/hffi/internal/callconv/tramp"
)

// Backend names the call mechanism of this build.
const Backend = "cgo"

func callFrame(h *header) {
	C.hffi_cc_call(C.uintptr_t(tramp.ABI0), (*C.uint64_t)(unsafe.Pointer(h)))
}
