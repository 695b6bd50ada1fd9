// SPDX-License-Identifier: Apache-2.0

//go:build amd64 && !race

package handles

import (
	"sync/atomic"
	"unsafe"
)

// storePtr writes a value word of a Go-side slot. On amd64 outside the
// race detector it is a plain store (with its write barrier): stores
// become visible in program order (TSO), so the store of meta after it
// publishes it (New) and the stores before it retract it (Delete).
// Readers load these words atomically between two loads of meta, so a
// reader that races with reuse reads some word that was written (the Go
// memory model guarantees that for word-sized locations) and then
// rejects it. An atomic store here would be a full-barrier XCHG on every
// New and Delete; see RATIONALE.md, "Why plain stores to the Go side of a
// slot?".
func storePtr(p *unsafe.Pointer, v unsafe.Pointer) { *p = v }

// storeMeta writes the meta word of a Go-side slot, like storePtr.
func storeMeta(p *uint64, v uint64) { *p = v }

// storeWord publishes a slot word with release semantics, as hffi.h's
// protocol asks (C's _hffi_store): on amd64 a plain MOV, here inlined
// rather than a call to internal/atomicx.StoreRelease's assembly. The
// compiler keeps stores in program order, and TSO keeps them so in
// memory.
func storeWord(p *uint64, v uint64) { *p = v }

// storeHot parks a slot on a shard (parkHot): a plain store, ordered
// after the stores that freed the slot as storeWord's are.
func storeHot(p *atomic.Uint32, v uint32) { *(*uint32)(unsafe.Pointer(p)) = v }
