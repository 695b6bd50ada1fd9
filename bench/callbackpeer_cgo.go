// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package bench

/*
#include <stdint.h>

extern intptr_t benchPeerAdd(uintptr_t ud, intptr_t a, intptr_t b);
*/
import "C"

import "unsafe"

// benchPeerAdd is the plain cgo way for C to call Go: an exported
// function, called through its address.
//
//export benchPeerAdd
func benchPeerAdd(ud C.uintptr_t, a, b C.intptr_t) C.intptr_t { return a + b }

func init() {
	cgoExportPeer = func() uintptr { return uintptr(unsafe.Pointer(C.benchPeerAdd)) }
}
