// SPDX-License-Identifier: Apache-2.0

package values

import (
	"encoding/binary"
	"runtime"
	"strings"
	"unsafe"
)

// decBoxes is where Decode puts the strings it copies and the values it
// boxes, so that a tree costs a few allocations instead of one per string
// and per number.
//
// Converting an int64, float64, string or slice to `any` allocates a copy
// of it (except for small integers), which made boxing most of the cost
// of decoding a typical map. Instead, values are stored in slabs, and each
// interface's data word points at its element: an interface value is a
// (type, data pointer) pair, and an element of a slab is a valid value of
// its type for as long as the slab is reachable, which the interface
// itself guarantees (interior pointers keep their allocation alive). The
// slabs are typed for the garbage collector: raw ([]byte, no pointers)
// holds numbers and string headers from its front and string bytes from
// its back, strs and lists hold the headers of longer strings and of list
// arrays. A header in raw points into raw itself: the garbage collector
// does not see that pointer, and need not, since whatever keeps the
// header reachable keeps its slab, and so the bytes, alive. (It is stored
// as two words of integers, so that no write barrier reads the slab's old
// bytes as a pointer.)
//
// The price: one value kept alive keeps its slab (at most decSlabMax
// bytes) alive. Slabs are never shared between Decode calls.
type decBoxes struct {
	raw   []byte // the raw slab: raw[lo:hi] is free
	lo    int
	hi    int
	strs  []string // strs[ns:] is free
	ns    int
	lists [][]any
	nraw  int // sizes of the next slabs
	nstrs int
	nlist int
}

const (
	decSlabMax = 4096 // bytes; slabs double up to this size
	decSlabStr = 128  // longer strings get their own allocation
)

// plan sizes the first slabs for a tree whose root has n elements: most
// trees are one map or list of scalars, strings and small containers.
// boxed says whether values go into interfaces (Decode) or mostly into
// typed Go values (DecodeInto), which box only what lands in an `any`.
func (b *decBoxes) plan(n int, boxed bool) {
	n = min(max(n, 4), 256)
	if !boxed {
		b.nraw, b.nstrs, b.nlist = 16*n, 4, 1
		return
	}
	b.nraw = 32 * n // an 8-byte number or a 16-byte string header, and ~16 bytes of string per element
	b.nstrs = 4     // only strings longer than decSlabStr
	b.nlist = max(n/8, 1)
}

var (
	decTypeInt64   = decTypeWord(int64(0))
	decTypeUint64  = decTypeWord(uint64(0))
	decTypeFloat64 = decTypeWord(float64(0))
	decTypeString  = decTypeWord("")
	decTypeList    = decTypeWord([]any(nil))
)

// decEface is the layout of an interface{} value.
type decEface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func decTypeWord(v any) unsafe.Pointer { return (*decEface)(unsafe.Pointer(&v)).typ }

// decMake returns the interface value of dynamic type typ whose value is
// at data; data must point to a value of that type that never changes.
func decMake(typ, data unsafe.Pointer) (v any) {
	e := (*decEface)(unsafe.Pointer(&v))
	e.typ = typ
	e.data = data
	return v
}

// decNext returns the size of the next slab and doubles *next, up to max.
func decNext(next *int, limit int) int {
	n := *next
	*next = min(2*n, limit)
	return n
}

// refill replaces the raw slab by one with at least need free bytes.
// It and the other refills are out of line, so that the hot paths inline.
//
//go:noinline
func (b *decBoxes) refill(need int) {
	if b.nraw == 0 {
		b.plan(0, true)
	}
	b.raw = make([]byte, max(decNext(&b.nraw, decSlabMax), need))
	b.lo, b.hi = 0, len(b.raw)
}

// at returns the address of byte i of the raw slab.
func (b *decBoxes) at(i int) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(b.raw)), i)
}

// bytes copies s into the back of the raw slab and returns the copy.
func (b *decBoxes) bytes(s string) string {
	n := len(s)
	if n == 0 {
		return ""
	}
	if n > decSlabStr {
		return strings.Clone(s)
	}
	if n > b.hi-b.lo {
		b.refill(n)
	}
	b.hi -= n
	d := unsafe.Slice((*byte)(b.at(b.hi)), n)
	copy(d, s)
	return unsafe.String(&d[0], n)
}

// short copies a string of at most abi.ValInlineMax bytes, held
// little-endian in data as in a node, into the back of the raw slab: one
// 8-byte store, whose bytes before the string's land in free space.
func (b *decBoxes) short(data uint64, n int) string {
	if n == 0 {
		return ""
	}
	if b.hi-b.lo < 8 {
		b.refill(8)
	}
	return b.shortIn(data, n)
}

// shortIn is short for n > 0 when the raw slab has 8 bytes free (see
// room).
func (b *decBoxes) shortIn(data uint64, n int) string {
	p := unsafe.Pointer(unsafe.SliceData(b.raw))
	hi := b.hi
	decStore64(unsafe.Add(p, hi-8), data<<((64-8*n)&63)) // n is 1 to 7
	hi -= n
	b.hi = hi
	return unsafe.String((*byte)(unsafe.Add(p, hi)), n)
}

// decUnaligned says that the architecture is little-endian and loads and
// stores 8 bytes at any address.
const decUnaligned = runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" || runtime.GOARCH == "386" ||
	runtime.GOARCH == "ppc64le" || runtime.GOARCH == "loong64"

// decLoad64 and decStore64 read and write the 8 bytes at p, of any
// alignment, little-endian: one instruction where the architecture allows
// it.
func decLoad64(p unsafe.Pointer) uint64 {
	if decUnaligned {
		return *(*uint64)(p)
	}
	return binary.LittleEndian.Uint64(unsafe.Slice((*byte)(p), 8))
}

func decStore64(p unsafe.Pointer, v uint64) {
	if decUnaligned {
		*(*uint64)(p) = v
		return
	}
	binary.LittleEndian.PutUint64(unsafe.Slice((*byte)(p), 8), v)
}

// num boxes the 8-byte value bits as typ (int64, uint64 or float64) in
// the front of the raw slab, which stays 8-aligned: slabs start aligned
// and the front only moves by 8.
func (b *decBoxes) num(typ unsafe.Pointer, bits uint64) any {
	if b.hi-b.lo < 8 {
		b.refill(8)
	}
	return b.numIn(typ, bits)
}

// numIn is num when the raw slab has 8 bytes free (see room).
func (b *decBoxes) numIn(typ unsafe.Pointer, bits uint64) any {
	p := b.at(b.lo)
	*(*uint64)(p) = bits
	b.lo += 8
	return decMake(typ, p)
}

// decEmpty is "" boxed.
var decEmpty any = ""

// hdrIn boxes s, whose bytes are in the current raw slab, with its header
// in the front of that slab, which must have 16 bytes free (see room).
func (b *decBoxes) hdrIn(s string) any {
	p := b.at(b.lo)
	*(*[2]uintptr)(p) = [2]uintptr{uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(len(s))}
	b.lo += 16
	return decMake(decTypeString, p)
}

// strCopy boxes a copy of s, bytes and header in one raw slab when it is
// short enough for one.
func (b *decBoxes) strCopy(s string) any {
	n := len(s)
	if n == 0 {
		return decEmpty
	}
	if n > decSlabStr {
		return b.str(strings.Clone(s))
	}
	if n+16 > b.hi-b.lo {
		b.refill(n + 16)
	}
	return b.hdrIn(b.bytes(s))
}

func (b *decBoxes) str(s string) any {
	if b.ns == len(b.strs) {
		b.moreStrs()
	}
	return b.strIn(s)
}

// strIn is str when the string slab has room (see room).
func (b *decBoxes) strIn(s string) any {
	p := (*string)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b.strs)), b.ns*int(unsafe.Sizeof(""))))
	*p = s
	b.ns++
	return decMake(decTypeString, unsafe.Pointer(p))
}

//go:noinline
func (b *decBoxes) moreStrs() {
	if b.nstrs == 0 {
		b.plan(0, true)
	}
	b.strs = make([]string, decNext(&b.nstrs, 256))
	b.ns = 0
}

// room makes sure that the raw slab has n bytes free: what the -In
// methods need. A short string takes at most 7 bytes but writes 8, and its
// header takes 16; a number takes 8. So a map entry of a short key and a
// short string or a number needs 32, a list element 24.
func (b *decBoxes) room(n int) {
	if b.hi-b.lo < n {
		b.refill(n)
	}
}

// newList returns a list of n elements and its boxed value. A short list
// is one allocation, its slice header next to its elements.
func (b *decBoxes) newList(n int) ([]any, any) {
	switch {
	case n == 0:
	case n <= 2:
		p := new(struct {
			h []any
			a [2]any
		})
		p.h = p.a[:n:n]
		return p.h, decMake(decTypeList, unsafe.Pointer(&p.h))
	case n <= 4:
		p := new(struct {
			h []any
			a [4]any
		})
		p.h = p.a[:n:n]
		return p.h, decMake(decTypeList, unsafe.Pointer(&p.h))
	case n <= 8:
		p := new(struct {
			h []any
			a [8]any
		})
		p.h = p.a[:n:n]
		return p.h, decMake(decTypeList, unsafe.Pointer(&p.h))
	}
	l := make([]any, n)
	return l, b.list(l)
}

func (b *decBoxes) list(l []any) any {
	if len(b.lists) == 0 {
		if b.nlist == 0 {
			b.plan(0, true)
		}
		b.lists = make([][]any, decNext(&b.nlist, 256))
	}
	p := &b.lists[0]
	*p = l
	b.lists = b.lists[1:]
	return decMake(decTypeList, unsafe.Pointer(p))
}
