// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

const wantBackend = "purego"

// peerCallAllocs is the allocation budget of a call: none, as on cgo
// (the fast path enters hffi's call frames; purego.SyscallN, used before,
// allocated once per call).
func peerCallAllocs(uintptr) float64 { return 0 }
