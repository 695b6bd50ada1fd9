// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"sync/atomic"

	"github.com/hffi-go/hffi/internal/abi"
)

// Stats is a snapshot of every arena of the process.
type Stats struct {
	Mapped     uint64 // bytes committed (read-write, backed by memory) in live arenas
	InUse      uint64 // bytes allocated in live arenas, alignment padding included
	Resets     uint64 // Reset calls since start-up, of live and freed arenas
	LiveArenas uint64 // arenas created and not yet freed (idle pooled ones included)
	Reserved   uint64 // address space reserved by live and quarantined arenas
}

var stats struct {
	resets atomic.Uint64 // Reset calls of arenas no longer live
}

// ReadStats returns the current [Stats]. It scans the registry under the
// registry lock, so it costs time proportional to the number of slots ever
// used (at most 16,383); it is meant for monitoring, not hot paths.
// Allocation counters are not kept on the allocation path, which stays
// free of shared writes; InUse and Mapped are read from the registry.
func ReadStats() Stats {
	var st Stats
	reg.mu.Lock()
	st.Resets = stats.resets.Load()
	for a := range reg.live {
		st.Resets += atomic.LoadUint64(&a.resets)
	}
	for s := uint32(1); s < reg.fresh; s++ {
		h := &hdrs[s]
		w := atomic.LoadUint64(&h.Word)
		if wordState(w) != abi.ArenaLive {
			continue
		}
		floor := wordFloor(w)
		st.LiveArenas++
		st.Reserved += h.Limit
		if c := atomic.LoadUint64(&h.Committed); c > floor {
			st.Mapped += c - floor
		}
		if used := atomic.LoadUint64(&h.Used); used > floor+abi.ArenaPrefix {
			st.InUse += used - floor - abi.ArenaPrefix
		}
	}
	reg.mu.Unlock()
	quarantined.Lock()
	st.Reserved += quarantined.bytes
	quarantined.Unlock()
	return st
}
