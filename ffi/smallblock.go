// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"sync"
	"unsafe"

	"github.com/hffi-go/hffi/arena"
)

// Small blocks hold the scratch copies of calls whose copied arguments
// (strings, out-parameters, buffers) take at most smallBlock bytes, the
// common case: a pooled arena costs a mutex on Get and Put and a Reset on
// Put, more than the call itself (BenchmarkCallOut). Each P keeps one
// block in its own cache line, read and written only while the goroutine
// is pinned to that P, so with plain loads and stores, as
// internal/callconv caches frames (builds with the race detector use
// atomic ones, which it understands: smallblock_race.go); the rest wait
// in a mutex-guarded list. Blocks live off the Go heap in an
// arena that is never reset, and are never freed: there are at most as
// many as calls in flight at once. A block given back with poison set
// (debug mode, as the bound function saw it when bound) is poisoned like
// reset arena memory.
const smallBlock = 4 << 10

const maxCachedP = 256

var small struct {
	per [maxCachedP]struct {
		b uintptr // off-heap: a uintptr needs no write barrier
		_ [56]byte
	}
	mu   sync.Mutex
	free []unsafe.Pointer
	mem  *arena.Arena
}

// runtime.procPin returns the id of the P the goroutine runs on and keeps
// it there until procUnpin, with no other goroutine running on that P;
// the runtime keeps the names for outside packages ("hall of shame").
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

func getSmallBlock() unsafe.Pointer {
	var cb uintptr
	if id := procPin(); id < maxCachedP {
		e := &small.per[id].b
		cb = blockLoad(e)
		blockStore(e, 0)
	}
	procUnpin()
	if cb == 0 {
		return newSmallBlock()
	}
	return ptrFromAddr(cb)
}

// newSmallBlock is getSmallBlock when the P's cache is empty.
func newSmallBlock() unsafe.Pointer {
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

func putSmallBlock(b unsafe.Pointer, poison bool) {
	if poison {
		bs := unsafe.Slice((*byte)(b), smallBlock)
		for i := range bs {
			bs[i] = arena.Poison
		}
	}
	cached := false
	if id := procPin(); id < maxCachedP {
		if e := &small.per[id].b; blockLoad(e) == 0 {
			blockStore(e, uintptr(b))
			cached = true
		}
	}
	procUnpin()
	if !cached {
		freeSmallBlock(b)
	}
}

// freeSmallBlock is putSmallBlock when the P's cache is full.
func freeSmallBlock(b unsafe.Pointer) {
	small.mu.Lock()
	small.free = append(small.free, b)
	small.mu.Unlock()
}
