// SPDX-License-Identifier: Apache-2.0

//go:build amd64 && !race

package arena

// storeRelease is the release store of Reset, the lock and mint (C's
// _hffi_store): on amd64 a plain MOV, inlined, where
// internal/atomicx.StoreRelease is a call to assembly. The compiler keeps
// stores in program order, and TSO keeps them so in memory. See
// RATIONALE.md, "Why is Reset a handful of plain stores?".
func storeRelease(p *uint64, v uint64) { *p = v }
