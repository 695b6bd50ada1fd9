// SPDX-License-Identifier: Apache-2.0

package bench

import "testing"

// The cgo peers of the benchmarks live in cgo-only non-test files (import
// "C" cannot appear in a _test.go file) and plug themselves in here; the
// variables stay nil in builds without cgo, and the benchmarks skip the
// peer then.

var callSink int

// cgoCallPeer is set by callpeer_cgo.go: a plain cgo call of a C function
// pointer through a one-line C helper, the way cgo code calls a function
// it got from dlsym.
var cgoCallPeer func(b *testing.B, fn uintptr)

// cgoExportPeer is set by callbackpeer_cgo.go: the address of a plain
// //export Go function of the same C signature as the hffi callback.
var cgoExportPeer func() uintptr
