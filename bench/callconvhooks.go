// SPDX-License-Identifier: Apache-2.0

package bench

import "testing"

// The cgo peers of the callconv benchmarks (callconvpeer_cgo.go); nil in
// builds without cgo.
var (
	// cgoSum9Peer calls int64_t f(int64_t x9) through a one-line C helper.
	cgoSum9Peer func(b *testing.B, fn uintptr)
	// cgoStruct24Peer calls cc_out16 f(cc_in24) through a C helper.
	cgoStruct24Peer func(b *testing.B, fn uintptr)
	// cgoCall4 calls a C function of 4 words (ffi_call) with a plain cgo
	// call; the libffi prototype uses it in cgo builds.
	cgoCall4 func(fn, a, b, c, d uintptr) uintptr
)

// callconvSink keeps results alive.
var callconvSink int64

// cgoOutPeer calls the compress2-shaped int32_t f(uint8_t *, uint64_t *,
// const uint8_t *, uint64_t, int32_t) with Go pointers, as plain cgo
// allows; nil in builds without cgo.
var cgoOutPeer func(b *testing.B, fn uintptr, dst, src []byte)
