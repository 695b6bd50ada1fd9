// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"sync"
	"unsafe"

	"github.com/hffi-go/hffi/internal/shm"
)

// Poison is the byte that debug mode writes over reset memory before
// making it inaccessible. AllocUninit in a debug arena returns it where
// memory was used before the last Reset, so a read of uninitialised arena
// memory shows up as 0xDBDBDBDB...
const Poison = 0xDB

func poison(p unsafe.Pointer, n uintptr) {
	b := unsafe.Slice((*byte)(p), n)
	for i := range b {
		b[i] = Poison
	}
}

// quarantineMax is how many freed debug arenas stay reserved and
// inaccessible before the oldest is unmapped: long enough for a stale C
// pointer to fault instead of landing in a new mapping, bounded so a
// program that churns debug arenas does not run out of address space.
const quarantineMax = 64

type reservation struct {
	p unsafe.Pointer
	n uintptr
}

var quarantined struct {
	sync.Mutex
	ring  [quarantineMax]reservation
	next  int
	bytes uint64 // reserved by quarantined arenas
}

// quarantine drops the pages of [p, p+n), makes the range inaccessible and
// keeps it reserved, unmapping the oldest quarantined range when full.
func quarantine(p unsafe.Pointer, n uintptr) {
	_ = shm.Decommit(p, n, true)
	q := &quarantined
	q.Lock()
	defer q.Unlock()
	old := q.ring[q.next]
	q.ring[q.next] = reservation{p, n}
	q.next = (q.next + 1) % quarantineMax
	q.bytes += uint64(n)
	if old.p != nil {
		q.bytes -= uint64(old.n)
		_ = shm.Release(old.p, old.n)
	}
}
