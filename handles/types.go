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
var types = newTypes()

type typeTable struct {
	base  unsafe.Pointer // atomic: *[cap]unsafe.Pointer, entries immutable once set
	mu    sync.Mutex     // guards the rest
	n     uint32
	cap   uint32
	index map[unsafe.Pointer]uint32
	cache [256]atomic.Pointer[typeEntry] // direct-mapped by type address
}

func newTypes() *typeTable {
	arr := make([]unsafe.Pointer, 64) // index 0 stays nil: the nil interface
	t := &typeTable{n: 1, cap: 64, index: make(map[unsafe.Pointer]uint32)}
	t.base = unsafe.Pointer(&arr[0])
	return t
}

type typeEntry struct {
	typ unsafe.Pointer
	idx uint32
}

// typeIndex returns the index of the dynamic type typ. It allocates only
// the first time it sees a type.
func typeIndex(typ unsafe.Pointer) uint32 {
	if typ == nil {
		return 0
	}
	h := uintptr(typ) >> 5 & 255
	if e := types.cache[h].Load(); e != nil && e.typ == typ {
		return e.idx
	}
	return typeIndexSlow(typ, h)
}

func typeIndexSlow(typ unsafe.Pointer, h uintptr) uint32 {
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
	types.cache[h].Store(&typeEntry{typ, idx})
	return idx
}

// typeOf returns the type of index idx, which came from a meta word that
// was published after the index was (index 0, the nil interface, holds nil).
func typeOf(idx uint32) unsafe.Pointer {
	return atomic.LoadPointer((*unsafe.Pointer)(unsafe.Add(atomic.LoadPointer(&types.base), uintptr(idx)*8)))
}
