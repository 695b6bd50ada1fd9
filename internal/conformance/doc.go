// SPDX-License-Identifier: Apache-2.0

// Package conformance holds the suite that runs the Go and the C
// implementation of the shared-memory protocol against each other on the
// same memory. It has no API; everything is in its tests.
//
// # How it works
//
// The tests compile csrc/hffi.c and testdata/driver.c into a shared
// library at test time (with `go env CC`; they skip without a compiler)
// and load it with purego, so the suite runs the same way in cgo and
// CGO_ENABLED=0 builds. Go hands C the root ([hffi.Runtime]) and
// integers (arena ids and references); C's outputs land in off-heap
// scratch memory, so no Go pointer ever reaches C.
//
// # What it proves
//
//   - Go allocates and C resolves and reads; C allocates and Go resolves
//     and reads.
//   - For any 64-bit integer, and after Reset and Free, Go's Resolve and
//     Check give the same code as C's hffi_ref_resolve and
//     hffi_arena_check; invalid allocations fail with the same code.
//   - Goroutines and C threads allocating from one arena at the same time
//     get disjoint, intact allocations.
package conformance
