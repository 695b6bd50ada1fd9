// SPDX-License-Identifier: Apache-2.0

//go:build race || !amd64

package handles

import (
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi/internal/atomicx"
)

// storePtr writes a value word of a Go-side slot atomically: under the
// race detector, so that it sees the seqlock's racing reads as the
// synchronized accesses they are; and on architectures without total
// store order (arm64), where plain stores could become visible out of
// order. There the atomic store is a cheap release store (STLR), not a
// full barrier.
func storePtr(p *unsafe.Pointer, v unsafe.Pointer) { atomic.StorePointer(p, v) }

// storeMeta writes the meta word of a Go-side slot, like storePtr.
func storeMeta(p *uint64, v uint64) { atomic.StoreUint64(p, v) }

// storeWord publishes a slot word with release semantics (STLR on arm64;
// seen by the race detector under -race).
func storeWord(p *uint64, v uint64) { atomicx.StoreRelease(p, v) }

// storeHot parks a slot on a shard (parkHot), with release semantics.
func storeHot(p *atomic.Uint32, v uint32) { p.Store(v) }
