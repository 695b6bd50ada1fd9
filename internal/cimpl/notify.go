// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package cimpl

/*
#include "hffi.h"

// The root is set once, before the function's address is handed out.
static const hffi_rt *hffi_cimpl_notify_rt;

static void hffi_cimpl_release_notify(void *h) {
	(void)hffi_handle_release(hffi_cimpl_notify_rt, (hffi_handle)(uintptr_t)h);
}

static uintptr_t hffi_cimpl_release_notify_init(const void *rt) {
	hffi_cimpl_notify_rt = (const hffi_rt *)rt;
	return (uintptr_t)hffi_cimpl_release_notify;
}
*/
import "C"

import (
	"sync"
	"unsafe"
)

var (
	notifyOnce sync.Once
	notifyAddr uintptr
)

// ReleaseNotify returns the address of a C function void f(void *h) that
// calls hffi_handle_release(rt, h): a destroy notify for C APIs that take
// one (GLib's GDestroyNotify, SQLite's xDestroy), pure C, no call into Go.
// rt is the shared root; the first call fixes it.
func ReleaseNotify(rt unsafe.Pointer) uintptr {
	notifyOnce.Do(func() { notifyAddr = uintptr(C.hffi_cimpl_release_notify_init(rt)) })
	return notifyAddr
}
