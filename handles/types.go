// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// Dynamic types are numbered so that a Go-side slot holds a 32-bit type
// index next to its generation instead of a type pointer: 16-byte slots,
// four to a cache line, half the memory a lookup touches at a million
// live handles. Index 0 is the nil interface. Types are never forgotten
// (a program has finitely many), and an index never changes meaning.
//
// types is a value, not a pointer, and its cache never holds nil (every
// entry starts as nilEntry), so that typeIndex and typeOf, which every New
// and every lookup run, are a few instructions inlined into their callers.
var types typeTable

type typeTable struct {
	base  unsafe.Pointer // atomic: *[cap]unsafe.Pointer, entries immutable once set
	mu    sync.Mutex     // guards the rest
	n     uint32
	cap   uint32
	index map[unsafe.Pointer]uint32
	cache [256]unsafe.Pointer // atomic *typeEntry, direct-mapped by type address; never nil
}

// nilEntry fills the cache at first: it maps the nil type to index 0,
// which is right, so it needs no check of its own.
var nilEntry = &typeEntry{}

func init() {
	arr := make([]unsafe.Pointer, 64) // index 0 stays nil: the nil interface
	types.n, types.cap, types.index = 1, 64, make(map[unsafe.Pointer]uint32)
	atomic.StorePointer(&types.base, unsafe.Pointer(&arr[0]))
	for i := range types.cache {
		atomic.StorePointer(&types.cache[i], unsafe.Pointer(nilEntry))
	}
}

type typeEntry struct {
	typ unsafe.Pointer
	idx uint32
}

// typeIndex returns the index of the dynamic type typ. It allocates only
// the first time it sees a type. Hot paths inline the cache hit, reading
// the entry once (another type may replace it meanwhile):
//
//	e := typeCached(typ)
//	ti := e.idx
//	if e.typ != typ { ti = typeIndex(typ) }
func typeIndex(typ unsafe.Pointer) uint32 {
	if e := typeCached(typ); e.typ == typ {
		return e.idx
	}
	if typ == nil { // its cache entry holds another type now
		return 0
	}
	types.mu.Lock()
	idx, ok := types.index[typ]
	if !ok {
		if types.n >= types.cap {
			ncap := max(64, 2*types.cap)
			arr := make([]unsafe.Pointer, ncap)
			copy(arr, unsafe.Slice((*unsafe.Pointer)(atomic.LoadPointer(&types.base)), types.cap))
			atomic.StorePointer(&types.base, unsafe.Pointer(&arr[0]))
			types.cap = ncap
		}
		idx = types.n
		atomic.StorePointer((*unsafe.Pointer)(unsafe.Add(atomic.LoadPointer(&types.base), uintptr(idx)*8)), typ)
		types.n++
		types.index[typ] = idx
	}
	types.mu.Unlock()
	atomic.StorePointer(&types.cache[uint8(uintptr(typ)>>5)], unsafe.Pointer(&typeEntry{typ, idx}))
	return idx
}

// typeCached returns the cache entry where typ's would be: typ's own
// entry or another type's (never nil).
func typeCached(typ unsafe.Pointer) *typeEntry {
	return (*typeEntry)(atomic.LoadPointer(&types.cache[uint8(uintptr(typ)>>5)]))
}

// typeOf returns the type of index idx, which came from a meta word that
// was published after the index was (index 0, the nil interface, holds nil).
func typeOf(idx uint32) unsafe.Pointer {
	return atomic.LoadPointer((*unsafe.Pointer)(unsafe.Add(atomic.LoadPointer(&types.base), uintptr(idx)*8)))
}
