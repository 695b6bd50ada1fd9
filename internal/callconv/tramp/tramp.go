// SPDX-License-Identifier: Apache-2.0

//go:build (linux || darwin) && (amd64 || arm64)

// Package tramp holds the trampoline that makes a C call from a frame of
// package callconv. It is a package of its own because the go command
// does not accept Go assembly in a package that uses cgo.
package tramp

// ABI0 is the address of the trampoline, a C function
// void tramp(struct frame *f): it loads the argument registers and stack
// words from f, calls f->fn, and stores the result registers back into f.
// Call it on the system stack only (runtime.cgocall, or from C).
var ABI0 uintptr
