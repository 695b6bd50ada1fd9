// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package ffi

/*
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

// dlerror is per thread and a goroutine may change threads between two cgo
// calls, so each helper copies the message out in the same call.
static void hffi_dl_msg(char *buf, size_t n) {
	const char *m = dlerror();
	if (m == NULL) m = "";
	strncpy(buf, m, n - 1);
	buf[n - 1] = 0;
}

static uintptr_t hffi_dlopen(const char *path, char *buf, size_t n) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) hffi_dl_msg(buf, n);
	return (uintptr_t)h;
}

static uintptr_t hffi_dlsym(uintptr_t h, const char *name, char *buf, size_t n) {
	void *p;
	dlerror();
	p = dlsym((void *)h, name);
	if (p == NULL) hffi_dl_msg(buf, n);
	return (uintptr_t)p;
}

static int hffi_dlclose(uintptr_t h, char *buf, size_t n) {
	int rc = dlclose((void *)h);
	if (rc != 0) hffi_dl_msg(buf, n);
	return rc;
}
*/
import "C"

import (
	"unsafe"

	"github.com/hffi-go/hffi"
)

const backendName = "cgo"

// withCString calls f with s as a NUL-terminated C string, copied into a
// 512-byte buffer on the stack; a longer s (rare: a deep path) is copied
// with C.CString instead.
func withCString(s string, f func(p *C.char)) {
	var buf [512]byte
	if len(s) < len(buf) {
		copy(buf[:], s)
		f((*C.char)(unsafe.Pointer(&buf[0])))
		return
	}
	p := C.CString(s)
	defer C.free(unsafe.Pointer(p))
	f(p)
}

func dlopen(path string) (uintptr, error) {
	var msg [1024]byte
	var h C.uintptr_t
	withCString(path, func(p *C.char) {
		h = C.hffi_dlopen(p, (*C.char)(unsafe.Pointer(&msg[0])), C.size_t(len(msg)))
	})
	if h == 0 {
		return 0, newDLError(cMsg(msg[:]), hffi.ENOTFOUND)
	}
	return uintptr(h), nil
}

func dlsym(h uintptr, name string) (uintptr, error) {
	var msg [1024]byte
	var a C.uintptr_t
	withCString(name, func(p *C.char) {
		a = C.hffi_dlsym(C.uintptr_t(h), p, (*C.char)(unsafe.Pointer(&msg[0])), C.size_t(len(msg)))
	})
	if a == 0 {
		return 0, newDLError(cMsg(msg[:]), hffi.ENOTFOUND)
	}
	return uintptr(a), nil
}

func dlclose(h uintptr) error {
	var msg [1024]byte
	if C.hffi_dlclose(C.uintptr_t(h), (*C.char)(unsafe.Pointer(&msg[0])), C.size_t(len(msg))) != 0 {
		return newDLError(cMsg(msg[:]), hffi.EINVAL)
	}
	return nil
}

func cMsg(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
