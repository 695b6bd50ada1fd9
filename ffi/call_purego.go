// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import "github.com/ebitengine/purego"

// The fast path calls purego.SyscallN directly: it puts argument i in
// integer register i, which is all a function of integer and pointer
// parameters needs. Every other signature goes through internal/callconv
// (call_frame.go), the same in both backends.

// fastWords is the parameter count of the fast path.
const fastWords = 6

// copyWords is the parameter count of the copy path (call_copy.go): none,
// since purego.SyscallN allocates where callconv's frames do not.
const copyWords = 0

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

// callW7 to callW15 exist for the generated code; the purego fast path
// stops at fastWords, where callconv's frames beat purego.SyscallN's
// stack arguments (BenchmarkCallMany).
func callW7(fn, a, b, c, d, e, f, g uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f, g)
	return r
}
func callW8(fn, a, b, c, d, e, f, g, h uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f, g, h)
	return r
}
func callW9(fn, a, b, c, d, e, f, g, h, i uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f, g, h, i)
	return r
}
func callW10(fn, a, b, c, d, e, f, g, h, i, j uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f, g, h, i, j)
	return r
}
func callW11(fn, a, b, c, d, e, f, g, h, i, j, k uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f, g, h, i, j, k)
	return r
}
func callW12(fn, a, b, c, d, e, f, g, h, i, j, k, l uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f, g, h, i, j, k, l)
	return r
}
func callW13(fn, a, b, c, d, e, f, g, h, i, j, k, l, m uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f, g, h, i, j, k, l, m)
	return r
}
func callW14(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n)
	return r
}
func callW15(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)
	return r
}
