// SPDX-License-Identifier: Apache-2.0

//go:build (linux || darwin) && (amd64 || arm64)

package callconv

import (
	"unsafe"

	"github.com/hffi-go/hffi/internal/callconv/tramp"
)

// runtime.cgocall switches to the system stack, marks the goroutine as in
// a syscall and calls fn(arg) with the C convention: exactly what a cgo
// call and purego.SyscallN end in. Both backends enter the trampoline
// here, directly, with the off-heap frame's address (pool.go):
//   - a cgo call through a C wrapper costs cgo's argument checks and
//     wrapper on top of this, for nothing the frame needs;
//   - purego.SyscallN copies its argument words on every call, and
//     allocates.
//
// The runtime keeps this linkname working for purego ("hall of shame" in
// runtime/cgocall.go). The frame is not Go memory, so escape analysis has
// nothing to keep; the trampoline keeps no reference to it after it
// returns.
//
//go:linkname runtime_cgocall runtime.cgocall
//go:noescape
func runtime_cgocall(fn uintptr, arg unsafe.Pointer) int32

func callFrame(h *header) { runtime_cgocall(tramp.ABI0, unsafe.Pointer(h)) }
