// SPDX-License-Identifier: Apache-2.0

//go:build race || asan || msan

package ffi

import "unsafe"

// memcopy copies n bytes from src to dst with copy, which the race
// detector and the sanitizers see: a Go buffer that another goroutine
// writes during a call is reported.
func memcopy(dst, src unsafe.Pointer, n uintptr) {
	copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(src), n))
}

// smallCopy leaves every copy to memcopy, which the race detector and the
// sanitizers see.
func smallCopy(n uintptr) bool { return false }

func copySmall(dst, src unsafe.Pointer, n uintptr) { panic("ffi: copySmall in a checked build") }
