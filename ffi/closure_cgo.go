// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package ffi

/*
#include "callback_cgo.h"
*/
import "C"

import "unsafe"

//export hffiGoClosure
func hffiGoClosure(f *C.hffi_cb_frame) {
	clDispatch((*cbFrame)(unsafe.Pointer(f)))
}

var clHandlerAddr = uintptr(C.hffi_cl_handler())

// clHandler returns the C function every closure runs.
func clHandler() uintptr { return clHandlerAddr }
