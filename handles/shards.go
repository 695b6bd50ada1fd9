// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"sync/atomic"

	"github.com/hffi-go/hffi/internal/abi"
)

// A table's free slots are on the shared free list of hffi.h, where C
// finds them too. Goroutines that create and delete handles on several
// cores at once would all CAS that one head word, so Go keeps a few
// small Go-side stacks of free slots in front of it: Delete pushes on one,
// New pops from the same one, and only when it is empty (or full) does Go
// touch the shared list. A shard holds at most shardMax slots, so C may
// grow a table by at most numShards*shardMax slots that Go holds free.
//
// A shard's head packs the index + 1 of its first slot (linked through
// hffi_slot.next, as the shared lists are), a count and an ABA tag.
const (
	numShards        = 8
	shardMax         = 64
	shardCountShift  = abi.ListTagShift
	shardCountMask   = uint64(127) << shardCountShift
	shardTagShift    = 32
	shardTag1        = uint64(1) << shardTagShift
	shardOfHintShift = 13
)

type shard struct {
	head atomic.Uint64
	_    [56]byte // one cache line each
}

func (t *Table) shard(hint uint32) *shard { return &t.shards[hint&(numShards-1)] }

// shardPop pops a slot from the shard, if it has one.
func (t *Table) shardPop(sh *shard) (uint32, bool) {
	for {
		h := sh.head.Load()
		i1 := h & listMask
		if i1 == 0 {
			return 0, false
		}
		next := atomic.LoadUint64(&slotAt(t.base, uint32(i1-1)).Next) & listMask
		nh := next | (h&shardCountMask - 1<<shardCountShift) | (h&^(shardTag1-1) + shardTag1)
		if sh.head.CompareAndSwap(h, nh) {
			return uint32(i1 - 1), true
		}
	}
}

// shardPush pushes slot idx on the shard unless it is full.
func (t *Table) shardPush(sh *shard, idx uint32) bool {
	s := slotAt(t.base, idx)
	for {
		h := sh.head.Load()
		if h&shardCountMask == shardMax<<shardCountShift {
			return false
		}
		s.Next = h & listMask // published by the CAS, like listPush
		nh := uint64(idx) + 1 | (h&shardCountMask + 1<<shardCountShift) | (h&^(shardTag1-1) + shardTag1)
		if sh.head.CompareAndSwap(h, nh) {
			return true
		}
	}
}

// popAnyShard pops a slot from any shard, for a New that found its own
// shard and the shared list empty.
func (t *Table) popAnyShard() (uint32, bool) {
	if t.shards == nil {
		return 0, false
	}
	for i := range t.shards {
		if idx, ok := t.shardPop(&t.shards[i]); ok {
			return idx, true
		}
	}
	return 0, false
}

// flushShards moves every slot of the shards to the shared free list (so
// that a closed table's id is reused with all its free slots on the list
// C and the next Table see).
func (t *Table) flushShards() {
	for i := range t.shards {
		for {
			idx, ok := t.shardPop(&t.shards[i])
			if !ok {
				break
			}
			listPush(&t.hdr.FreeHead, t.base, idx, idx)
		}
	}
}
