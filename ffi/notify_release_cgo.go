// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package ffi

/*
#cgo CFLAGS: -I${SRCDIR}/../csrc
#define HFFI_IMPLEMENTATION
#include "hffi.h"

// The root is set once, before the function's address is handed out.
static const hffi_rt *hffi_ffi_notify_rt;

static void hffi_ffi_release_notify(void *h) {
	(void)hffi_handle_release(hffi_ffi_notify_rt, (hffi_handle)(uintptr_t)h);
}

static uintptr_t hffi_ffi_release_notify_init(const void *rt) {
	hffi_ffi_notify_rt = (const hffi_rt *)rt;
	return (uintptr_t)hffi_ffi_release_notify;
}
*/
import "C"

import (
	"sync"

	"github.com/hffi-go/hffi"
)

var (
	relNotifyOnce sync.Once
	relNotifyAddr uintptr
)

// releaseNotifyFn returns the C notify: hffi_handle_release of this
// package's private copy of the C implementation (hffi.h's
// HFFI_IMPLEMENTATION), on the shared root. It never calls Go.
func releaseNotifyFn() (uintptr, error) {
	relNotifyOnce.Do(func() {
		relNotifyAddr = uintptr(C.hffi_ffi_release_notify_init(hffi.Runtime()))
	})
	return relNotifyAddr, nil
}
