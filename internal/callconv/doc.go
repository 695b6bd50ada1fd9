// SPDX-License-Identifier: Apache-2.0

// Package callconv calls C functions of any signature real libraries use:
// many parameters (stack arguments included), structs by value as
// parameters and results, and variadic functions. It classifies a
// signature once, with Go code, under the C calling convention of the
// target (SysV amd64, AAPCS64, Apple's arm64 variant), into a Plan; each
// call fills a Frame on the caller's goroutine stack and enters a small
// assembly trampoline (package tramp) through runtime.cgocall, which loads
// the registers and stack words, calls the function and stores the result
// registers back. The frame holds no Go pointer and no absolute address
// computed in Go; C can touch it only for the duration of the call.
//
// # Use
//
//	p, err := callconv.Prepare(callconv.Native, -1, resultType, paramTypes...)
//	...
//	var f callconv.Frame // p.Large(): var lf callconv.LargeFrame; f := lf.Frame()
//	p.Word(&f, 0, uint64(x))          // scalar parameters (p.IsWord(i))
//	p.Arg(&f, 1, unsafe.Pointer(&s))  // anything, structs included
//	p.Call(&f, fn)
//	p.Result(&f, unsafe.Pointer(&r))
//
// Both backends (cgo, and purego with CGO_ENABLED=0 or -tags hffi_purego)
// use the same path; see RATIONALE_callconv.md for why and for the
// measurements against libffi, purego and plain cgo.
//
// # Targets
//
// linux and darwin on amd64 and arm64. Any other target fails to build
// with an error naming this limitation (unsupported.go).
package callconv
