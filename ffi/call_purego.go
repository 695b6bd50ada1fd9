// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import "github.com/ebitengine/purego"

// The fast path calls purego.SyscallN directly: it puts argument i in
// integer register i, which is all a function of integer and pointer
// parameters needs. Every other signature goes through internal/callconv
// (call_frame.go), the same in both backends.

func callW0(fn uintptr) uintptr { r, _, _ := purego.SyscallN(fn); return r }
func callW1(fn, a uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a)
	return r
}
func callW2(fn, a, b uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b)
	return r
}
func callW3(fn, a, b, c uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c)
	return r
}
func callW4(fn, a, b, c, d uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d)
	return r
}
func callW5(fn, a, b, c, d, e uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e)
	return r
}
func callW6(fn, a, b, c, d, e, f uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f)
	return r
}
