// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"slices"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

// Test hooks: white-box access to an arena's registry entry.

// setGen jumps a's slot to generation gen (as if that many minting resets
// had happened), so tests reach generation exhaustion quickly.
func setGen(a *Arena, gen uint32) {
	atomic.StoreUint64(&a.hdr.Word, slotWord(gen, abi.ArenaLive, a.floor))
}

func genOf(a *Arena) uint32 { return wordGen(atomic.LoadUint64(&a.hdr.Word)) }

func slotOf(a *Arena) uint32 { return a.slot }

func floorOf(a *Arena) uint64 { return a.floor }

// baseOf is where Ref offsets count from; startOf is where the arena
// proper starts (the same unless its slot was recycled: see floorOf).
func baseOf(a *Arena) unsafe.Pointer { return a.base }

func startOf(a *Arena) unsafe.Pointer { return unsafe.Add(a.base, a.floor) }

// committedOf is how much of the arena proper is read-write.
func committedOf(a *Arena) uint64 { return atomic.LoadUint64(&a.hdr.Committed) - a.floor }

func hdrOf(a *Arena) *abi.ArenaHdr { return a.hdr }

// slotWordOf returns the raw registry word of slot s.
func slotWordOf(s uint32) uint64 { return atomic.LoadUint64(&hdrs[s].Word) }

// isolateRegistry gives the calling test a registry of its own: n slots
// that no arena holds (fresh ones first, else freed ones) and nothing else
// (other freed and retired slots are set aside, fresh ones are off
// limits), each retiring at generation genMax (0: the ABI's). Everything
// is put back at cleanup, slots the test retired included.
func isolateRegistry(t testing.TB, n int, genMax uint32) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	var mine []uint32
	for len(mine) < n && reg.fresh < abi.ArenaSlots {
		s := reg.fresh
		reg.fresh++
		atomic.StoreUint64(&hdrs[s].Word, slotWord(1, abi.ArenaFree, 0))
		mine = append(mine, s)
	}
	free := slices.Clone(reg.free[reg.head:])
	for len(mine) < n && len(free) > 0 {
		mine, free = append(mine, free[0]), free[1:]
	}
	if len(mine) < n {
		t.Skip("not enough unused registry slots left by earlier tests")
	}
	retired := reg.retired
	reg.free, reg.head, reg.retired = mine, 0, nil
	restore := shm.SetArenaLimits(reg.fresh, genMax)
	t.Cleanup(func() {
		reg.mu.Lock()
		defer reg.mu.Unlock()
		restore()
		reg.free = append(free, reg.free[reg.head:]...)
		reg.head = 0
		reg.retired = append(retired, reg.retired...)
	})
}

// incarnation is a slot and the floor of its current incarnation.
type incarnation struct {
	slot  uint32
	floor uint64
}

func incarnationOf(a *Arena) incarnation { return incarnation{a.slot, a.floor} }
