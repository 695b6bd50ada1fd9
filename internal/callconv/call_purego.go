// SPDX-License-Identifier: Apache-2.0

//go:build (!cgo || hffi_purego) && (linux || darwin) && (amd64 || arm64)

package callconv

import (
	"unsafe"

	"github.com/hffi-go/hffi/internal/callconv/tramp"

	// purego makes runtime.cgocall usable in CGO_ENABLED=0 builds (its
	// fakecgo sets up the runtime's cgo hooks).
	_ "github.com/ebitengine/purego"
)

// Backend names the call mechanism of this build.
const Backend = "purego"

// runtime.cgocall switches to the system stack, marks the goroutine as in
// a syscall (so its stack cannot move) and calls fn(arg) with the C
// convention: exactly what a frame on the goroutine's stack needs. It is
// what purego.SyscallN ends in; calling it directly avoids SyscallN's
// argument copies and its go:uintptrescapes, which would move the frame to
// the heap on every call. The runtime keeps this linkname for purego.
//
//go:linkname runtime_cgocall runtime.cgocall
//go:noescape
func runtime_cgocall(fn uintptr, arg unsafe.Pointer) int32

func callFrame(h *header) { runtime_cgocall(tramp.ABI0, unsafe.Pointer(h)) }
