// SPDX-License-Identifier: Apache-2.0

package bench

import "testing"

// cstringPeer is the C.CString side of BenchmarkCString, set by the
// cgo-only cpeer_cgo.go; nil in builds without cgo. It copies s with
// C.CString and frees the copy with C.free, b.N times.
var cstringPeer func(b *testing.B, s string)

// cstringRoundTrip copies s with C.CString and back with C.GoString, so a
// test checks the peer does what it claims; nil without cgo.
var cstringRoundTrip func(s string) string
