// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package ffi

/*
#include <stdint.h>
uintptr_t hffi_close_notify(void);
*/
import "C"

//export hffiGoCloseNotify
func hffiGoCloseNotify(ud C.uintptr_t) { closeNotify(uintptr(ud)) }

func closeNotifyFn() (uintptr, error) { return uintptr(C.hffi_close_notify()), nil }
