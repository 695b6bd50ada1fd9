// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package ffi

/*
#include "callback_cgo.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/hffi-go/hffi"
)

// The trampolines are C functions (zcallback_cgo.c) that call
// hffiGoCallback, an exported Go function; cgo switches to Go, on an extra
// M if the thread was created by C.

//export hffiGoCallback
func hffiGoCallback(f *C.hffi_cb_frame) {
	dispatch((*cbFrame)(unsafe.Pointer(f)))
}

// The Go and C frames must agree.
var (
	_ [unsafe.Sizeof(cbFrame{}) - unsafe.Sizeof(C.hffi_cb_frame{})]byte
	_ [unsafe.Sizeof(C.hffi_cb_frame{}) - unsafe.Sizeof(cbFrame{})]byte
	_ [unsafe.Offsetof(cbFrame{}.ret) - unsafe.Offsetof(C.hffi_cb_frame{}.ret)]byte
	_ [unsafe.Offsetof(C.hffi_cb_frame{}.ret) - unsafe.Offsetof(cbFrame{}.ret)]byte
	_ [unsafe.Offsetof(cbFrame{}.shape) - unsafe.Offsetof(C.hffi_cb_frame{}.shape)]byte
	_ [unsafe.Offsetof(C.hffi_cb_frame{}.shape) - unsafe.Offsetof(cbFrame{}.shape)]byte
)

func trampoline(shape uint32) (uintptr, error) {
	p := uintptr(C.hffi_cb_trampoline(C.uint32_t(shape)))
	if p == 0 {
		return 0, fmt.Errorf("no trampoline %d: %w", shape, hffi.EINVAL)
	}
	return p, nil
}
