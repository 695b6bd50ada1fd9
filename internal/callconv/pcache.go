// SPDX-License-Identifier: Apache-2.0

//go:build (linux || darwin) && (amd64 || arm64)

package callconv

import "unsafe"

// Each P (the runtime's processor, at most GOMAXPROCS running goroutines)
// keeps one free frame of each size in front of the shared pools: a call
// that gives its frame back and a later call on the same P that takes one
// meet there, with no compare-and-swap on a word every thread writes
// (BenchmarkCallMany spent a fifth to a third of its time in the pool's
// two CASes). The cache is read and written only while the goroutine is
// pinned to its P (runtime.procPin: no preemption, no other goroutine on
// that P until procUnpin), so plain loads and stores suffice; builds with
// the race detector use atomic ones, which it understands (pcache_race.go).
// A goroutine blocked in C has its frame to itself and has let go of the
// P; another goroutine running on that P meanwhile misses the cache and
// uses the pool. A frame in the cache is free (slotFree): PutFrame's
// double-put check does not depend on where the frame waits.
const maxCachedP = 256

var perP [maxCachedP]struct {
	s [2]unsafe.Pointer // a free slot of pools[0] and of pools[1], or nil
	_ [64 - 2*unsafe.Sizeof(unsafe.Pointer(nil))]byte
}

// runtime.procPin returns the id of the P the goroutine runs on and keeps
// it there until procUnpin; the runtime keeps the names for outside
// packages ("hall of shame" in runtime/proc.go; sync.Pool uses them).
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// getCached takes the free slot of pools[c] cached for the current P, or
// returns nil.
func getCached(c uint32) *slotPrefix {
	var s unsafe.Pointer
	if id := procPin(); id < maxCachedP {
		e := &perP[id].s[c&1]
		if s = cacheLoad(e); s != nil {
			cacheStore(e, nil)
		}
	}
	procUnpin()
	return (*slotPrefix)(s)
}

// putCached caches s, a free slot of pools[c], for the current P if its
// place is empty, and reports whether it did.
func putCached(c uint32, s *slotPrefix) bool {
	ok := false
	if id := procPin(); id < maxCachedP {
		e := &perP[id].s[c&1]
		if cacheLoad(e) == nil {
			cacheStore(e, unsafe.Pointer(s))
			ok = true
		}
	}
	procUnpin()
	return ok
}
