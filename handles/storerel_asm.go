// SPDX-License-Identifier: Apache-2.0

//go:build amd64 || arm64

package handles

// storeRelease stores v at addr with release semantics, the store of the
// protocol in hffi.h (C's _hffi_store). It is used only for off-heap slot
// words, which the race detector does not track, and only where no later
// load must be ordered after the store (publishing a slot issued by New);
// everything else uses sync/atomic. On amd64 it saves a full-barrier XCHG
// on every New; see RATIONALE.md, "Why plain stores to the Go side of a
// slot?".
//
//go:noescape
func storeRelease(addr *uint64, v uint64)
