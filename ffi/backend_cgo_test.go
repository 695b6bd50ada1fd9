// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package ffi

const wantBackend = "cgo"

// peerCallAllocs is the allocation budget of a call: none on cgo.
func peerCallAllocs(uintptr) float64 { return 0 }
