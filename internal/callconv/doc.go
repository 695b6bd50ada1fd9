// SPDX-License-Identifier: Apache-2.0

// Package callconv calls C functions of any signature real libraries use:
// many parameters (stack arguments included), structs by value as
// parameters and results, and variadic functions. It classifies a
// signature once, with Go code, under the C calling convention of the
// target (SysV amd64, AAPCS64, Apple's arm64 variant), into a Plan; each
// call fills a Frame and enters a small assembly trampoline (package
// tramp) through runtime.cgocall, which loads the registers and stack
// words, calls the function and stores the result registers back. The
// frame holds no Go pointer and no absolute address computed in Go.
//
// Frames come from a lock-free pool of off-heap memory (pool.go), never
// from the goroutine's stack: C may call back into Go during the call,
// and the callback may grow the goroutine's stack, which moves it, while
// C and the trampoline still hold the frame's address. Each P caches one
// free frame of each size (pcache.go), so a call usually gets and gives
// back its frame with a few plain loads and stores on a cache line of its
// own; a miss costs one compare-and-swap on the pool. No allocation.
//
// # Use
//
//	p, err := callconv.Prepare(callconv.Native, -1, resultType, paramTypes...)
//	...
//	f := p.GetFrame()                // sized for p (p.Large() or not)
//	defer callconv.PutFrame(f)       // runs if a callback panics or Goexits
//	p.Word(f, 0, uint64(x))          // scalar parameters (p.IsWord(i))
//	p.Arg(f, 1, unsafe.Pointer(&s))  // anything, structs included
//	p.Call(f, fn)
//	p.Result(f, unsafe.Pointer(&r))
//
// Invoke does the same from a slice of argument pointers.
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
