// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import (
	"testing"

	"github.com/ebitengine/purego"
)

const wantBackend = "purego"

// peerCallAllocs is the allocation budget of a call: what purego.SyscallN
// itself makes for a call of fn (a C function of two integers) with two
// integers.
func peerCallAllocs(fn uintptr) float64 {
	return testing.AllocsPerRun(1000, func() { purego.SyscallN(fn, 1, 2) })
}
