// SPDX-License-Identifier: Apache-2.0

//go:build (linux || darwin) && (amd64 || arm64)

package callconv

import (
	"unsafe"

	"github.com/hffi-go/hffi/internal/callconv/tramp"
)

// runtime.cgocall switches to the system stack, marks the goroutine as in
// a syscall (so its stack cannot move or shrink) and calls fn(arg) with
// the C convention: exactly what a frame on the goroutine's stack needs,
// and exactly what a cgo call and purego.SyscallN end in. Both backends
// enter the trampoline here, directly:
//   - a cgo call through a C wrapper taking the frame's address makes the
//     frame escape to the heap (cgo's "#cgo noescape" takes effect only
//     together with "#cgo nocallback", which would forbid the C function
//     to call back into Go): one 512-byte allocation per call;
//   - purego.SyscallN is go:uintptrescapes, which moves the frame to the
//     heap too, and copies 64 argument words on every call.
//
// The runtime keeps this linkname working for purego ("hall of shame" in
// runtime/cgocall.go); the pointer does not escape: the trampoline keeps
// no reference to the frame after it returns.
//
//go:linkname runtime_cgocall runtime.cgocall
//go:noescape
func runtime_cgocall(fn uintptr, arg unsafe.Pointer) int32

func callFrame(h *header) { runtime_cgocall(tramp.ABI0, unsafe.Pointer(h)) }
