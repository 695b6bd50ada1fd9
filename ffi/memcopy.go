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

// runtime.memmove is kept for outside packages ("hall of shame").
//
//go:linkname memmove runtime.memmove
//go:noescape
func memmove(to, from unsafe.Pointer, n uintptr)
