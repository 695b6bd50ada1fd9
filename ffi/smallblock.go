// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
)

// Small blocks hold the scratch copies of calls whose copied arguments
// (strings, out-parameters, buffers) take at most smallBlock bytes, the
// common case: a pooled arena costs a mutex on Get and Put and a Reset on
// Put, more than the call itself (BenchmarkCallOut). Each P keeps one
// block in its own cache line, taken and given back with one atomic swap;
// the rest wait in a mutex-guarded list. Blocks live off the Go heap in an
// arena that is never reset, and are never freed: there are at most as
// many as calls in flight at once. In debug mode a block given back is
// poisoned like reset arena memory.
const smallBlock = 4 << 10

const maxCachedP = 256

var small struct {
	per [maxCachedP]struct {
		b atomic.Uintptr // a uintptr: an atomic pointer store would cost a write barrier
		_ [56]byte
	}
	mu   sync.Mutex
	free []unsafe.Pointer
	mem  *arena.Arena
}

// runtime.procPin returns the id of the P the goroutine runs on and keeps
// it there until procUnpin; the runtime keeps the name for outside
// packages ("hall of shame"). Only the id is used: the slot is then
// accessed atomically, so migrating afterwards is harmless.
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

func pid() int {
	id := procPin()
	procUnpin()
	return id
}

func getSmallBlock() unsafe.Pointer {
	if id := pid(); id < maxCachedP {
		if b := small.per[id].b.Swap(0); b != 0 {
			return ptrFromAddr(b)
		}
	}
	small.mu.Lock()
	defer small.mu.Unlock()
	if n := len(small.free); n > 0 {
		b := small.free[n-1]
		small.free = small.free[:n-1]
		return b
	}
	if small.mem == nil {
		a, err := arena.New()
		if err != nil {
			panic("ffi: scratch memory for arguments: " + err.Error())
		}
		small.mem = a
	}
	b, err := small.mem.AllocUninit(smallBlock, 64)
	if err != nil {
		// The arena is full (about 1 GiB of blocks in flight): start another.
		a, err2 := arena.New()
		if err2 != nil {
			panic("ffi: scratch memory for arguments: " + err.Error())
		}
		small.mem = a
		if b, err = a.AllocUninit(smallBlock, 64); err != nil {
			panic("ffi: scratch memory for arguments: " + err.Error())
		}
	}
	return b
}

func putSmallBlock(b unsafe.Pointer) {
	if hffi.Debug() {
		bs := unsafe.Slice((*byte)(b), smallBlock)
		for i := range bs {
			bs[i] = arena.Poison
		}
	}
	if id := pid(); id < maxCachedP && small.per[id].b.CompareAndSwap(0, uintptr(b)) {
		return
	}
	small.mu.Lock()
	small.free = append(small.free, b)
	small.mu.Unlock()
}
