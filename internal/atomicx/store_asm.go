// SPDX-License-Identifier: Apache-2.0

//go:build (amd64 || arm64) && !race

package atomicx

// StoreRelease stores v at addr with release semantics: the store of the
// protocols in hffi.h (C's _hffi_store). On amd64 that is a plain MOV,
// where sync/atomic's Store is a full-barrier XCHG (a read-modify-write,
// 6-20 ns on the machines we measure on); on arm64 it is STLR.
//
// It is only for words that are read atomically elsewhere, and only where
// no later load must be ordered after the store. Race builds use
// sync/atomic's Store instead, which the race detector sees. See RATIONALE.md, "Why plain stores to the Go side
// of a slot?".
//
//go:noescape
func StoreRelease(addr *uint64, v uint64)
