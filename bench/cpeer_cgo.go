// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package bench

/*
#include <stdlib.h>
*/
import "C"

import (
	"testing"
	"unsafe"
)

func init() {
	cstringPeer = benchCString
	cstringRoundTrip = func(s string) string {
		p := C.CString(s)
		defer C.free(unsafe.Pointer(p))
		return C.GoString(p)
	}
}

// benchCString is the idiomatic cgo way to hand a Go string to C: one
// malloc (C.CString) and one free per string.
func benchCString(b *testing.B, s string) {
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		p := C.CString(s)
		C.free(unsafe.Pointer(p))
	}
}
