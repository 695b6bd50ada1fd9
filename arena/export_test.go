// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi/internal/abi"
)

// Test hooks: white-box access to an arena's registry entry.

// setGen jumps a's slot to generation gen (as if that many minting resets
// had happened), so tests reach generation exhaustion quickly.
func setGen(a *Arena, gen uint32) {
	atomic.StoreUint64(&a.hdr.Word, slotWord(gen, abi.ArenaLive))
}

func genOf(a *Arena) uint32 { return wordGen(atomic.LoadUint64(&a.hdr.Word)) }

func slotOf(a *Arena) uint32 { return a.slot }

func baseOf(a *Arena) unsafe.Pointer { return a.base }

func committedOf(a *Arena) uint64 { return atomic.LoadUint64(&a.hdr.Committed) }

func hdrOf(a *Arena) *abi.ArenaHdr { return a.hdr }

// slotWordOf returns the raw registry word of slot s.
func slotWordOf(s uint32) uint64 { return atomic.LoadUint64(&hdrs[s].Word) }
