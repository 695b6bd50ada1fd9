// SPDX-License-Identifier: Apache-2.0

//go:build !race && !asan && !msan

package ffi

import "unsafe"

// memcopy copies n bytes from src to dst, pointer-free memory on at least
// one side: the copy path's copies in and back, with none of the checks
// that building slices for copy costs. (Go 1.26's compiler crashes on a
// call with a constant n between pointers made from integers, in
// isInlinableMemmove: the copy path's sizes are never constants.)
func memcopy(dst, src unsafe.Pointer, n uintptr) { memmove(dst, src, n) }

// smallCopy says whether copySmall takes a copy of n bytes: 8 to 64, the
// usual sizes of out-parameters and small buffers.
func smallCopy(n uintptr) bool { return n-8 <= 56 }

// copySmall copies n bytes, smallCopy(n), from src to dst, which do not
// overlap. It is inlined and calls nothing: a call in the copy path's
// loops costs more than the copy, as Go keeps no register across it. It
// copies the first and the last 8, 16 or 32 bytes, which overlap in the
// middle, like memmove but without its ladder of size tests.
func copySmall(dst, src unsafe.Pointer, n uintptr) {
	if n <= 16 {
		*(*uint64)(dst) = *(*uint64)(src)
		*(*uint64)(unsafe.Add(dst, n-8)) = *(*uint64)(unsafe.Add(src, n-8))
		return
	}
	// The last 16 bytes.
	de, se := unsafe.Add(dst, n-16), unsafe.Add(src, n-16)
	*(*[16]byte)(dst) = *(*[16]byte)(src)
	if n > 32 {
		*(*[16]byte)(unsafe.Add(dst, 16)) = *(*[16]byte)(unsafe.Add(src, 16))
		*(*[16]byte)(unsafe.Add(de, -16)) = *(*[16]byte)(unsafe.Add(se, -16))
	}
	*(*[16]byte)(de) = *(*[16]byte)(se)
}

// runtime.memmove is kept for outside packages ("hall of shame").
//
//go:linkname memmove runtime.memmove
//go:noescape
func memmove(to, from unsafe.Pointer, n uintptr)
