// SPDX-License-Identifier: Apache-2.0

package shm

import (
	"sync/atomic"

	"github.com/hffi-go/hffi/internal/abi"
)

// The arena registry's limits: slots from ArenaSlotLimit up are never
// handed out, and a slot retires once its generation reaches ArenaGenMax.
// They are the ABI's (abi.ArenaSlots, abi.ArenaGenMax) in every program;
// tests lower them with SetArenaLimits so that the registry runs out of
// slots and generations, and recycles retired slots, in well under a
// second instead of after 1.7e10 Resets. C needs neither: it reads the
// slot words, which carry the state.
var arenaSlotLimit, arenaGenMax atomic.Uint32

func init() {
	arenaSlotLimit.Store(abi.ArenaSlots)
	arenaGenMax.Store(abi.ArenaGenMax)
}

// ArenaLimits returns the registry's limits.
func ArenaLimits() (slots, genMax uint32) { return arenaSlotLimit.Load(), arenaGenMax.Load() }

// SetArenaLimits lowers the registry's limits (0 keeps one) and returns a
// function that restores the previous ones. Arenas take genMax when they
// get a slot. For tests only; it panics on a value above the ABI's.
func SetArenaLimits(slots, genMax uint32) (restore func()) {
	if slots > abi.ArenaSlots || genMax > abi.ArenaGenMax {
		panic("shm: arena limits above the ABI's")
	}
	oldSlots, oldGen := ArenaLimits()
	if slots != 0 {
		arenaSlotLimit.Store(slots)
	}
	if genMax != 0 {
		arenaGenMax.Store(genMax)
	}
	return func() {
		arenaSlotLimit.Store(oldSlots)
		arenaGenMax.Store(oldGen)
	}
}
