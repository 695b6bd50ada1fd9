// SPDX-License-Identifier: Apache-2.0

package values

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// Encoder encodes Go values into value trees in arenas (see [Kind] for the
// mapping and the "Values" section of hffi.h for the layout C reads). It
// keeps scratch buffers between calls, so that encoding a map[string]any
// of scalars, strings, []any and nested maps makes no Go heap allocation
// once the buffers have grown. The zero Encoder is ready to use.
//
// An Encoder is not safe for concurrent use; use one per goroutine, or the
// package-level [Encode], which takes one from a pool.
type Encoder struct {
	// Handles, if not nil, turns values that have no value encoding
	// (funcs, channels, unsafe pointers, complex numbers, maps with
	// non-string keys) into handles in this table, encoded as KindHandle,
	// instead of failing. The handles belong to the caller: [Encoder.Created]
	// lists the ones the last Encode made, and the caller deletes them when
	// C no longer needs them. A failed Encode deletes what it made.
	Handles *handles.Table

	// Name is the root of the paths in error messages ("value" if empty),
	// as in `values: encode payload.user.tags[3]: unsupported type chan int`.
	Name string

	// The tree is written at bp, bn bytes so far, room for bcap (a byte
	// slice would cost more: its bounds are checked on every write, and
	// its three words updated on every allocation). Encode writes it
	// straight into a reservation in the arena (see encodeDirect): then
	// bp is in the reservation, at arena offset base, and links are
	// written rebased. If that fails, it builds the tree in scratch, a Go
	// buffer, with base 0, and copies it into the arena at the end,
	// rebasing the links listed in relocs.
	bp       unsafe.Pointer
	bn, bcap int
	base     uint64
	relocs   []uint32 // positions of links to rebase (base 0 only)
	scratch  []byte
	win      unsafe.Pointer // the reservation (base != 0 only): bp, after up to 7 bytes of alignment
	winCap   int            // its size: bp's offset in it plus bcap
	a        *arena.Arena
	retry    bool // the reservation could not grow: encode again into scratch
	hint     int  // how much to reserve: the last tree's size

	blits []encBlit // long strings, copied straight into the arena
	kvs   []encKV   // map entries being sorted, a stack shared by nesting levels
	ord   []encOrd  // their order, the same stack
	rkvs  []encRKV  // the same for maps and structs encoded by reflection
	seen  map[encSeen]struct{}
	made  []handles.Handle

	kvsHigh int // how much of kvs the last Encode used
}

type encKV struct {
	k string
	v any
}

// encOrd is what sorting moves: a pointer-free pair of the key's prefix
// (see encPrefix) and the entry's index in kvs.
type encOrd struct {
	pfx uint64
	i   int
}

type encRKV struct {
	k string
	v reflect.Value
}

// encBlit is a string of at least encBlitMin bytes: it is not copied into
// buf but straight from Go memory into the arena, after the tree.
type encBlit struct {
	pos int // the node that links to it
	s   string
}

type encSeen struct {
	p unsafe.Pointer
	n int
}

const (
	encBlitMin    = 256 // strings this long skip the scratch buffer
	encCycleDepth = 100 // deeper than this, containers are checked for cycles
	encCycleBig   = 64  // and so are containers this long, at any depth
	encPoolMax    = 256 << 10
	encReserveMin = 512     // the smallest reservation
	encReserveMax = 1 << 20 // the largest first reservation; it grows beyond
)

var encPool = sync.Pool{New: func() any { return new(Encoder) }}

// Encode encodes v into a, in one pass, and returns the reference of the
// root node, which C reads with the hffi_val_* accessors and Go with
// [Decode]. The tree stays valid until a is reset or freed; then the
// reference, and every reference C derived from it, resolves to
// [hffi.ESTALE]. The same v always encodes to the same bytes (map keys
// and struct fields are sorted), so two encodings into fresh arenas are
// byte for byte equal.
//
// Values that have no encoding give a [*Error] naming their path.
// Encode uses a pooled [Encoder] without handles; see [Encoder.Handles] to
// turn such values into handles. Safe for concurrent use (a is safe for
// concurrent allocation); no Go heap allocation in steady state for
// maps, slices and scalars of the common types.
//
// The tree is written in place: Encode reserves room in a sized to the
// last tree it encoded (at most 1 MiB at first), grows the reservation as
// needed and gives back what it did not use. If another goroutine or C
// allocates from a meanwhile, the unused part cannot be given back and
// stays allocated until a is reset. A failed Encode leaves a's allocated
// size as it was, but counts as having handed out a reference: a's next
// Reset starts a new generation.
func Encode(a *arena.Arena, v any) (arena.Ref, error) {
	e := encPool.Get().(*Encoder)
	r, err := e.Encode(a, v)
	if cap(e.scratch) > encPoolMax {
		*e = Encoder{}
	}
	encPool.Put(e)
	return r, err
}

// Encode is the package-level [Encode] with e's settings and buffers.
func (e *Encoder) Encode(a *arena.Arena, v any) (arena.Ref, error) {
	if a == nil {
		return 0, fmt.Errorf("values: encode: nil arena: %w", hffi.EINVAL)
	}
	e.made = e.made[:0]
	if len(e.seen) > 0 {
		clear(e.seen)
	}
	r, err := e.encodeDirect(a, v)
	if e.retry {
		// Undo the first attempt (handles included: they are made
		// again) and encode into scratch.
		e.retry = false
		e.dropMade()
		if len(e.seen) > 0 {
			clear(e.seen)
		}
		e.blits = e.blits[:0]
		r, err = e.encodeBuffered(a, v)
	}
	e.bp, e.win, e.a = nil, nil, nil
	clear(e.blits)
	e.blits = e.blits[:0]
	clear(e.kvs[:e.kvsHigh])
	e.kvs = e.kvs[:0]
	e.ord = e.ord[:0]
	e.kvsHigh = 0
	if err != nil {
		e.dropMade()
		return 0, finish("encode", e.Name, err)
	}
	return r, nil
}

// encodeDirect encodes v straight into a reservation of hint bytes in a,
// grown in place as needed (see [arena.Arena.ResizeLast]), and gives back
// what the tree did not use: the tree lands where flush would have put it,
// without building it elsewhere and copying it. If the reservation cannot
// be made or grown (the arena is nearly full, or another goroutine or C
// thread allocated from it meanwhile), it sets e.retry, and Encode starts
// over with encodeBuffered, which needs the tree's exact size only and
// fails as the encoder always did. The tail of a reservation that another
// allocation followed cannot be given back: it stays unused until a's
// Reset.
func (e *Encoder) encodeDirect(a *arena.Arena, v any) (arena.Ref, error) {
	// The reservation is not aligned, so that giving all of it back
	// leaves a's use as it was; the tree starts at the next multiple of
	// 8, where flush's allocation would. It is as large as the last tree
	// (and its alignment), so that a tree like the last one needs no
	// call to give back a tail.
	want := max(e.hint, encReserveMin)
	p0, err := a.AllocUninit(uintptr(want), 1)
	if err != nil {
		e.retry = true
		return 0, nil
	}
	skip := int(-uintptr(p0) & (abi.RefOffScale - 1))
	p := unsafe.Add(p0, skip)
	e.a, e.win, e.winCap = a, p0, want
	r, err := a.Ref(p)
	if err != nil {
		a.ResizeLast(p0, uintptr(e.winCap), 0)
		e.retry = true
		return 0, nil
	}
	e.base = abi.RefOffset(uint64(r))
	// The root node: e.alloc(abi.ValSize) without the call, as the
	// reservation holds at least encReserveMin bytes.
	e.bp, e.bn, e.bcap = p, abi.ValSize, e.winCap-skip
	if m, ok := v.(map[string]any); ok && m != nil && len(m) <= encSmallMap && len(m) > 4 {
		err = encSmallMapN[[encSmallMap]encKV](e, 0, m, len(m), 0) // encAny and encMapAny inlined
	} else {
		err = e.encAny(0, v, 0)
	}
	if err == nil && !e.retry && len(e.blits) != 0 {
		e.blit()
	}
	if err != nil || e.retry {
		a.ResizeLast(p0, uintptr(e.winCap), 0)
		return 0, err
	}
	size := skip + e.bn
	if size != e.winCap {
		a.ResizeLast(p0, uintptr(e.winCap), uintptr(size))
	}
	e.hint = min(size, encReserveMax)
	return r, nil
}

// blit appends the long strings to the tree, in direct mode.
func (e *Encoder) blit() {
	if len(e.blits) == 0 {
		return
	}
	size := e.bn
	for _, b := range e.blits {
		size += encPad(len(b.s) + 1)
	}
	off := e.alloc(size - e.bn)
	if e.retry {
		return
	}
	dst := e.bytes()
	for _, b := range e.blits {
		n := len(b.s)
		copy(dst[off:], b.s)
		clear(dst[off+n : off+encPad(n+1)])
		*(*uint64)(unsafe.Pointer(&dst[b.pos+8])) = e.base + uint64(off)
		off += encPad(n + 1)
	}
}

// encodeBuffered encodes v into scratch and copies it into a.
func (e *Encoder) encodeBuffered(a *arena.Arena, v any) (arena.Ref, error) {
	e.base = 0
	e.bp, e.bn, e.bcap = unsafe.Pointer(unsafe.SliceData(e.scratch)), 0, cap(e.scratch)
	e.relocs = e.relocs[:0]
	e.alloc(abi.ValSize)
	err := e.encAny(0, v, 0)
	if err != nil {
		return 0, err
	}
	e.hint = min(e.bn, encReserveMax)
	return e.flush(a)
}

// Created returns the handles that the last [Encoder.Encode] stored in
// [Encoder.Handles], in encoding order. The slice is reused by the next
// Encode.
func (e *Encoder) Created() []handles.Handle { return e.made }

func (e *Encoder) dropMade() {
	for _, h := range e.made {
		_ = e.Handles.Delete(h)
	}
	e.made = e.made[:0]
}

// flush copies the tree into one allocation of a and rebases its links.
func (e *Encoder) flush(a *arena.Arena) (arena.Ref, error) {
	size := e.bn
	for _, b := range e.blits {
		size += encPad(len(b.s) + 1)
	}
	if uint64(size) >= abi.ArenaMaxSize {
		return 0, fail(hffi.ENOMEM, fmt.Sprintf("tree of %d bytes exceeds the maximum arena size", size))
	}
	p, err := a.AllocUninit(uintptr(size), abi.RefOffScale)
	if err != nil {
		return 0, fmt.Errorf("values: encode: %w", err)
	}
	r, err := a.Ref(p)
	if err != nil {
		return 0, fmt.Errorf("values: encode: %w", err)
	}
	base := abi.RefOffset(uint64(r))
	dst := unsafe.Slice((*byte)(p), size)
	copy(dst, e.bytes())
	for _, at := range e.relocs {
		*(*uint64)(unsafe.Pointer(&dst[at])) += base
	}
	off := e.bn
	for _, b := range e.blits {
		n := len(b.s)
		copy(dst[off:], b.s)
		clear(dst[off+n : off+encPad(n+1)])
		*(*uint64)(unsafe.Pointer(&dst[b.pos+8])) = base + uint64(off)
		off += encPad(n + 1)
	}
	return r, nil
}

func encPad(n int) int { return (n + 7) &^ 7 }

// bytes returns the tree so far.
func (e *Encoder) bytes() []byte { return unsafe.Slice((*byte)(e.bp), e.bn) }

// alloc appends n bytes (rounded up to 8) to the tree and returns their
// position. They are not cleared (the memory is reused): every caller
// writes all of them, padding included, so that the bytes are
// deterministic.
func (e *Encoder) alloc(n int) int {
	at := e.bn
	end := at + encPad(n)
	if end > e.bcap {
		e.grow(end)
	}
	e.bn = end
	return at
}

// grow makes room for end bytes: in direct mode by growing the
// reservation in place, or else by setting e.retry and carrying on in
// scratch (the result is thrown away).
func (e *Encoder) grow(end int) {
	if e.base != 0 && !e.retry {
		for _, want := range [2]int{max(end, 2*e.bcap), end} {
			if uint64(want) < abi.ArenaMaxSize && e.a.ResizeLast(e.win, uintptr(e.winCap), uintptr(e.winCap-e.bcap+want)) {
				e.winCap += want - e.bcap
				e.bcap = want
				return
			}
		}
		e.retry = true
	}
	// The bytes so far are kept in buffered mode (they are in scratch);
	// after a failed reservation they do not matter.
	if end > cap(e.scratch) {
		e.scratch = append(e.scratch[:cap(e.scratch)], make([]byte, end-cap(e.scratch))...)[:0]
	}
	e.bp, e.bcap = unsafe.Pointer(unsafe.SliceData(e.scratch)), cap(e.scratch)
}

// put writes the node at pos.
// pos must come from alloc (or array), which keeps it in buf and aligned:
// put does not check it again.
func (e *Encoder) put(pos int, k Kind, n uint32, data uint64) {
	*(*abi.Val)(unsafe.Add(e.bp, pos)) = abi.Val{Kind: uint32(k), Len: n, Data: data}
}

// link writes a node whose payload is at position at of the tree.
func (e *Encoder) link(pos int, k Kind, n int, at int) {
	e.put(pos, k, uint32(n), e.base+uint64(at))
	if e.base == 0 {
		e.relocs = append(e.relocs, uint32(pos+8))
	}
}

func (e *Encoder) encInt(pos int, i int64) { e.put(pos, KindInt, 0, uint64(i)) }

func (e *Encoder) encUint(pos int, u uint64) {
	if u > math.MaxInt64 {
		e.put(pos, KindUint, 0, u)
		return
	}
	e.put(pos, KindInt, 0, u)
}

func (e *Encoder) encFloat(pos int, f float64) { e.put(pos, KindFloat, 0, math.Float64bits(f)) }

func (e *Encoder) encBool(pos int, b bool) {
	var d uint64
	if b {
		d = 1
	}
	e.put(pos, KindBool, 0, d)
}

// encStr writes a string or bytes node; s may alias a []byte.
func (e *Encoder) encStr(pos int, k Kind, s string) error {
	n := len(s)
	switch {
	case n <= abi.ValInlineMax: // in the node, zero-padded (little-endian)
		e.put(pos, k, uint32(n), encWord(s))
	case n > abi.ValLenMax:
		return fail(hffi.EINVAL, fmt.Sprintf("%s of %d bytes is too long", k, n))
	case n >= encBlitMin:
		e.put(pos, k, uint32(n), 0)
		e.blits = append(e.blits, encBlit{pos: pos, s: s})
	default:
		e.strMid(pos, k, s)
	}
	return nil
}

// strMid writes a string node for s, of more than abi.ValInlineMax and
// fewer than encBlitMin bytes, and its text: encStr's commonest case in
// one call.
func (e *Encoder) strMid(pos int, k Kind, s string) {
	at := e.bn
	end := at + encPad(len(s)+1)
	if end > e.bcap {
		e.grow(end)
	}
	e.bn = end
	d := unsafe.Add(e.bp, at)
	if n := len(s); encLE && n < 24 {
		// Whole words, the last one zero-padded (so the NUL and the
		// padding come with it), without a call to memmove.
		p := unsafe.Pointer(unsafe.StringData(s))
		*(*uint64)(d) = *(*uint64)(p)
		if n < 16 {
			*(*uint64)(unsafe.Add(d, 8)) = encWord(s[8:])
		} else {
			*(*uint64)(unsafe.Add(d, 8)) = *(*uint64)(unsafe.Add(p, 8))
			*(*uint64)(unsafe.Add(d, 16)) = encWord(s[16:])
		}
	} else {
		// The last word holds the NUL and the padding: zero it, then
		// copy s over its front (a store instead of a call to clear).
		*(*uint64)(unsafe.Add(e.bp, end-8)) = 0
		copy(unsafe.Slice((*byte)(d), len(s)), s)
	}
	e.link(pos, k, len(s), at)
}

func (e *Encoder) encBytes(pos int, b []byte) error {
	return e.encStr(pos, KindBytes, unsafe.String(unsafe.SliceData(b), len(b)))
}

// array allocates n nodes of size each for a list or map at pos.
func (e *Encoder) array(pos int, k Kind, n, size int) (int, error) {
	if n == 0 {
		e.put(pos, k, 0, 0)
		return 0, nil
	}
	if n > abi.ValLenMax {
		return 0, fail(hffi.EINVAL, fmt.Sprintf("%s of %d elements is too long", k, n))
	}
	at := e.bn
	end := at + n*size // a multiple of 8
	if end > e.bcap {
		e.grow(end)
	}
	e.bn = end
	e.link(pos, k, n, at)
	return at, nil
}

// enter checks the nesting depth and, deep down or for a container of at
// least encCycleBig elements (size), whether the container at p (with
// length n for slices) is already being encoded higher up. Checking only
// deep down would let a cycle through a big container encode it
// encCycleDepth times before it is caught (a 1 MiB []any that contains
// itself cost 565 MB); checking every container would cost a map
// operation per small one.
func (e *Encoder) enter(depth int, p unsafe.Pointer, n, size int) error {
	if depth < encCycleDepth && size < encCycleBig {
		return nil
	}
	return e.enterCheck(depth, p, n)
}

func (e *Encoder) enterCheck(depth int, p unsafe.Pointer, n int) error {
	if depth >= abi.ValMaxDepth {
		return fail(hffi.EINVAL, fmt.Sprintf("nested deeper than %d levels", abi.ValMaxDepth))
	}
	if e.seen == nil {
		e.seen = make(map[encSeen]struct{})
	}
	k := encSeen{p, n}
	if _, ok := e.seen[k]; ok {
		return fail(hffi.EINVAL, "cycle detected")
	}
	e.seen[k] = struct{}{}
	return nil
}

func (e *Encoder) leave(depth int, p unsafe.Pointer, n, size int) {
	if depth >= encCycleDepth || size >= encCycleBig {
		delete(e.seen, encSeen{p, n})
	}
}

// encAny encodes v into the node at pos: the common types without
// reflection, the rest by reflection.
func (e *Encoder) encAny(pos int, v any, depth int) error {
	switch x := v.(type) {
	case nil:
		e.put(pos, KindNull, 0, 0)
	case string:
		return e.encStr(pos, KindString, x)
	case bool:
		e.encBool(pos, x)
	case int:
		e.encInt(pos, int64(x))
	case int64:
		e.encInt(pos, x)
	case float64:
		e.encFloat(pos, x)
	case map[string]any:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		return e.encMapAny(pos, x, depth)
	case []any:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		return e.encListAny(pos, x, depth)
	case int32:
		e.encInt(pos, int64(x))
	case int16:
		e.encInt(pos, int64(x))
	case int8:
		e.encInt(pos, int64(x))
	case uint:
		e.encUint(pos, uint64(x))
	case uint64:
		e.encUint(pos, x)
	case uint32:
		e.encUint(pos, uint64(x))
	case uint16:
		e.encUint(pos, uint64(x))
	case uint8:
		e.encUint(pos, uint64(x))
	case float32:
		e.encFloat(pos, float64(x))
	case []byte:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		return e.encBytes(pos, x)
	case []string:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		at, err := e.array(pos, KindList, len(x), abi.ValSize)
		for i := 0; err == nil && i < len(x); i++ {
			err = e.encStr(at+i*abi.ValSize, KindString, x[i])
		}
		return err
	case map[string]string:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		return e.encMapString(pos, x)
	case handles.Handle:
		e.put(pos, KindHandle, 0, uint64(x))
	default:
		return e.encReflect(pos, reflect.ValueOf(v), depth)
	}
	return nil
}

// encPack returns the first min(len(s), 8) bytes of s as a little-endian
// word, zero-padded: the data field of a short string node, and (byte
// swapped) its sort prefix. It loads words, not bytes; the loads overlap
// for lengths that are not powers of two.
func encPack(s string) uint64 {
	n := len(s)
	if n == 0 {
		return 0
	}
	b := unsafe.Slice(unsafe.StringData(s), n)
	switch {
	case n >= 8:
		return binary.LittleEndian.Uint64(b)
	case n >= 4:
		lo, hi := uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[n-4:]))
		return lo | hi<<(8*(n-4))
	case n >= 2:
		lo, hi := uint64(binary.LittleEndian.Uint16(b)), uint64(binary.LittleEndian.Uint16(b[n-2:]))
		return lo | hi<<(8*(n-2))
	}
	return uint64(b[0])
}

// encWord is encPack small enough to inline, for the encoder (encPack and
// encPrefix, which decode and view use, stay as they are): the first
// min(len(s), 8) bytes of s as a little-endian word, zero-padded. It
// loads words where the architecture allows (see encLE); the loads
// overlap for lengths that are not powers of two, and never go past s.
func encWord(s string) uint64 {
	if !encLE {
		return encPackBytes(s)
	}
	p, n := unsafe.Pointer(unsafe.StringData(s)), uint(len(s))
	if n >= 4 {
		if n >= 8 {
			return *(*uint64)(p)
		}
		return uint64(*(*uint32)(p)) | uint64(*(*uint32)(unsafe.Add(p, n-4)))<<(8*(n-4))
	}
	if n == 0 {
		return 0
	}
	// Bytes 0, n/2 and n-1: all of them for n of 1 to 3.
	return uint64(*(*byte)(p)) | uint64(*(*byte)(unsafe.Add(p, n/2)))<<(8*(n/2)) |
		uint64(*(*byte)(unsafe.Add(p, n-1)))<<(8*(n-1))
}

// encLE says that the architecture is little-endian and loads words at
// any alignment.
const encLE = runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" || runtime.GOARCH == "386" ||
	runtime.GOARCH == "ppc64le" || runtime.GOARCH == "loong64"

// encPackBytes is encWord for the other architectures.
func encPackBytes(s string) uint64 {
	var w uint64
	for i := range min(len(s), 8) {
		w |= uint64(s[i]) << (8 * i)
	}
	return w
}

// encPrefix returns the first 8 bytes of s as a big-endian number, padded
// with zeros. If encPrefix(a) < encPrefix(b) then a < b; if they are
// equal the strings must be compared, so sorting compares integers first.
func encPrefix(s string) uint64 { return bits.ReverseBytes64(encPack(s)) }

// encSortKeys sorts ord by the keys of kvs: insertion sort on the integer
// prefixes for the small maps that dominate, then by whole keys among
// equal prefixes (rare: they are next to each other); pdqsort beyond.
func encSortKeys(ord []encOrd, kvs []encKV) {
	if len(ord) > 16 {
		slices.SortFunc(ord, func(a, b encOrd) int {
			if a.pfx != b.pfx {
				if a.pfx < b.pfx {
					return -1
				}
				return 1
			}
			return strings.Compare(kvs[a.i].k, kvs[b.i].k)
		})
		return
	}
	tie := false
	for i := 1; i < len(ord); i++ {
		x := ord[i]
		j := i
		for ; j > 0 && ord[j-1].pfx >= x.pfx; j-- {
			tie = tie || ord[j-1].pfx == x.pfx
			ord[j] = ord[j-1]
		}
		ord[j] = x
	}
	if !tie {
		return
	}
	for i := 1; i < len(ord); i++ {
		x := ord[i]
		j := i
		for ; j > 0 && ord[j-1].pfx == x.pfx && kvs[ord[j-1].i].k > kvs[x.i].k; j-- {
			ord[j] = ord[j-1]
		}
		ord[j] = x
	}
}

// encEntry writes the entry of kv at ent: its key node (pfx is the key's
// prefix, see encPrefix, or 0 in its last byte) and its value.
func (e *Encoder) encEntry(ent int, kv *encKV, pfx uint64, depth int) error {
	k := kv.k
	if len(k) <= abi.ValInlineMax { // the prefix is the packed key, byte swapped (its last byte is 0)
		e.put(ent, KindString, uint32(len(k)), bits.ReverseBytes64(pfx))
	} else if err := e.encStr(ent, KindString, k); err != nil {
		return atKey(err, k)
	}
	// The commonest scalars without the call to encAny.
	val := ent + abi.ValSize
	var err error
	switch x := kv.v.(type) {
	case string:
		if len(x) <= abi.ValInlineMax {
			e.put(val, KindString, uint32(len(x)), encWord(x))
			return nil
		}
		err = e.encStr(val, KindString, x)
	case int:
		e.put(val, KindInt, 0, uint64(x))
		return nil
	case float64:
		e.put(val, KindFloat, 0, math.Float64bits(x))
		return nil
	case int64:
		e.put(val, KindInt, 0, uint64(x))
		return nil
	default:
		err = e.encAny(val, kv.v, depth+1)
	}
	if err != nil {
		return atKey(err, k)
	}
	return nil
}

// encSortTies sorts the runs of words in ws (sorted, see encMapAny) whose
// keys share their first 7 bytes by the whole keys.
func encSortTies(ws []uint64, kvs []encKV) {
	for i := 1; i < len(ws); i++ {
		x := ws[i]
		j := i
		for ; j > 0 && ws[j-1]>>8 == x>>8 && kvs[ws[j-1]&0xff].k > kvs[x&0xff].k; j-- {
			ws[j] = ws[j-1]
		}
		ws[j] = x
	}
}

// encSmallMap is the size up to which encMapAny sorts a map's keys as
// words (at most 256: the index takes a byte).
const encSmallMap = 16

// pushMap reserves n entries on the kvs and ord stacks from base.
func (e *Encoder) pushMap(n int) (base int, kvs []encKV, ord []encOrd) {
	base = len(e.kvs)
	if n > cap(e.kvs)-base || n > cap(e.ord)-base {
		e.growKeys(n)
	}
	e.kvs = e.kvs[:base+n]
	e.ord = e.ord[:base+n]
	e.kvsHigh = max(e.kvsHigh, base+n)
	return base, e.kvs[base:], e.ord[base:]
}

// growKeys makes room for n more entries on the kvs and ord stacks.
func (e *Encoder) growKeys(n int) {
	e.kvs = slices.Grow(e.kvs, n)
	e.ord = slices.Grow(e.ord, n)
}

// popKeys drops what pushMap pushed from base on. The entries are cleared
// (so that the Encoder does not keep the caller's values alive) once, at
// the end of Encode.
func (e *Encoder) popKeys(base int) {
	e.kvs = e.kvs[:base]
	e.ord = e.ord[:base]
}

func (e *Encoder) encMapAny(pos int, m map[string]any, depth int) error {
	p := *(*unsafe.Pointer)(unsafe.Pointer(&m))
	size := len(m)
	if err := e.enter(depth, p, 0, size); err != nil {
		return err
	}
	if size <= encSmallMap {
		err := e.encSmallMapAny(pos, m, size, depth)
		if err == nil {
			e.leave(depth, p, 0, size)
		}
		return err
	}
	n := 0
	base, kvs, ord := e.pushMap(size)
	for k, v := range m {
		if n == len(kvs) { // m grew under us: a data race in the caller
			break
		}
		kvs[n] = encKV{k, v}
		ord[n] = encOrd{bits.ReverseBytes64(encWord(k)), n}
		n++
	}
	ord = ord[:n]
	encSortKeys(ord, kvs)
	at, err := e.array(pos, KindMap, n, abi.ValEntrySize)
	// Nested maps push above base+n and may move the stacks; kvs and ord
	// keep pointing at this level's entries, which do not change.
	for i := 0; err == nil && i < len(ord); i++ {
		o := ord[i]
		err = e.encEntry(at+i*abi.ValEntrySize, &kvs[o.i], o.pfx, depth)
	}
	e.popKeys(base)
	e.leave(depth, p, 0, size)
	return err
}

// encSmallMapAny encodes a map of size entries, at most encSmallMap (a
// power of two), into the node at pos. The entries are gathered on the
// stack (no write barriers, nothing to clear afterwards) and sorted as one
// word per key: the prefix (see encPrefix) with its last byte replaced by
// the entry's index. Keys of at most 7 bytes have a zero there, so the
// words sort as the keys do; if two keys share their first 7 bytes, their
// order is settled by the whole keys.
func (e *Encoder) encSmallMapAny(pos int, m map[string]any, size, depth int) error {
	if size <= 4 {
		return encSmallMapN[[4]encKV](e, pos, m, size, depth)
	}
	return encSmallMapN[[encSmallMap]encKV](e, pos, m, size, depth)
}

// encSmallMapN is encSmallMapAny with room for len(A) entries, a power
// of two: the stack array that gathers them is cleared on every call.
func encSmallMapN[A [4]encKV | [encSmallMap]encKV](e *Encoder, pos int, m map[string]any, size, depth int) error {
	// The words are sorted as they are gathered (insertion sort, one
	// loop instead of two), in w[1:n+1]: w[0] stays 0, a sentinel that
	// stops the insertion (no word is below it). They are addressed
	// through wp without bounds checks: n < size <= encSmallMap.
	var w [encSmallMap + 1]uint64
	var kva A
	mask := uint64(len(kva) - 1)
	wp := unsafe.Pointer(&w)
	n := 0
	// tie says that two words may share their first 7 bytes (see
	// below); a word of 7 zero bytes (an empty key) sets it falsely
	// against the sentinel, which costs a needless encSortTies only.
	tie := false
	if size > 0 {
		for k, v := range m {
			// Indexes masked, not checked: n < size <= len(kva).
			kva[uint64(n)&mask] = encKV{k, v}
			x := bits.ReverseBytes64(encWord(k))&^0xff | uint64(n)
			n++
			j := uintptr(n)
			y := *(*uint64)(unsafe.Add(wp, (j-1)*8))
			for y > x {
				*(*uint64)(unsafe.Add(wp, j*8)) = y
				j--
				y = *(*uint64)(unsafe.Add(wp, (j-1)*8))
			}
			*(*uint64)(unsafe.Add(wp, j*8)) = x
			// Of two words that share their first 7 bytes, the later
			// is the greater (its index is), so it lands to the right
			// of the earlier, with nothing but such words between
			// them: its left neighbour y shares them too.
			if x^y < 0x100 {
				tie = true
			}
			// Stopping at the last entry saves the call that would find
			// no more; if m grows meanwhile (a data race in the caller),
			// the entries beyond size are not encoded.
			if n == size {
				break
			}
		}
	}
	if n == 0 {
		e.put(pos, KindMap, 0, 0)
		return nil
	}
	ws := w[1 : n+1]
	// Runs of words whose keys share their first 7 bytes (almost never)
	// are sorted by the whole keys.
	if tie {
		encSortTies(ws, unsafe.Slice((*encKV)(unsafe.Pointer(&kva)), n))
	}
	// e.array inlined: n is small.
	at := e.bn
	if end := at + n*abi.ValEntrySize; end <= e.bcap {
		e.bn = end
	} else {
		e.grow(end)
		e.bn = end
	}
	e.link(pos, KindMap, n, at)
	// The entries in two passes. The first, without calls, writes the
	// keys of at most 7 bytes and the values that fit in their nodes,
	// and marks the others in more; the second encodes those, in order
	// (their payloads follow the entries in that order). The nodes are
	// written through d, which a call (growing the tree) may move.
	var more uint32 // bit 2i: entry i's key, 2i+1: its value
	d := unsafe.Add(e.bp, at)
	for i, x := range ws {
		kv := &kva[x&mask] // x&0xff, known to be in range
		ent := (*[2]abi.Val)(unsafe.Add(d, i*abi.ValEntrySize))
		if k := kv.k; len(k) <= abi.ValInlineMax { // the word's prefix is the packed key, byte swapped
			ent[0] = abi.Val{Kind: uint32(KindString), Len: uint32(len(k)), Data: bits.ReverseBytes64(x &^ 0xff)}
		} else {
			more |= 1 << (2 * i)
		}
		v := kv.v
		if s, ok := v.(string); ok && len(s) <= abi.ValInlineMax {
			ent[1] = abi.Val{Kind: uint32(KindString), Len: uint32(len(s)), Data: encWord(s)}
		} else if x, ok := v.(int); ok {
			ent[1] = abi.Val{Kind: uint32(KindInt), Data: uint64(x)}
		} else if x, ok := v.(float64); ok {
			ent[1] = abi.Val{Kind: uint32(KindFloat), Data: math.Float64bits(x)}
		} else if x, ok := v.(bool); ok {
			var b uint64
			if x {
				b = 1
			}
			ent[1] = abi.Val{Kind: uint32(KindBool), Data: b}
		} else {
			more |= 2 << (2 * i)
		}
	}
	for more != 0 {
		b := bits.TrailingZeros32(more)
		more &= more - 1
		i := b >> 1
		kv := &kva[ws[i]&mask]
		ent := at + i*abi.ValEntrySize
		var err error
		if b&1 == 0 {
			if k := kv.k; len(k) < encBlitMin {
				e.strMid(ent, KindString, k)
			} else {
				err = e.encStr(ent, KindString, k)
			}
		} else {
			val := ent + abi.ValSize
			v := kv.v
			if s, ok := v.(string); ok {
				if len(s) < encBlitMin {
					e.strMid(val, KindString, s)
				} else {
					err = e.encStr(val, KindString, s)
				}
			} else if x, ok := v.(map[string]any); ok && x != nil {
				if len(x) <= 4 && depth+1 < encCycleDepth {
					// encMapAny's enter and leave do nothing here.
					err = encSmallMapN[[4]encKV](e, val, x, len(x), depth+1)
				} else if len(x) <= encSmallMap && depth+1 < encCycleDepth {
					err = encSmallMapN[[encSmallMap]encKV](e, val, x, len(x), depth+1)
				} else {
					err = e.encMapAny(val, x, depth+1)
				}
			} else if x, ok := v.([]any); ok && x != nil {
				err = e.encListAny(val, x, depth+1)
			} else {
				err = e.encAny(val, v, depth+1)
			}
		}
		if err != nil {
			return atKey(err, kv.k)
		}
	}
	return nil
}

func (e *Encoder) encMapString(pos int, m map[string]string) error {
	base, kvs, ord := e.pushMap(len(m))
	n := 0
	for k := range m {
		if n == len(kvs) {
			break
		}
		kvs[n] = encKV{k: k}
		ord[n] = encOrd{bits.ReverseBytes64(encWord(k)), n}
		n++
	}
	ord = ord[:n]
	encSortKeys(ord, kvs)
	at, err := e.array(pos, KindMap, n, abi.ValEntrySize)
	for i := 0; err == nil && i < len(ord); i++ {
		k := kvs[ord[i].i].k
		ent := at + i*abi.ValEntrySize
		if err = e.encStr(ent, KindString, k); err == nil {
			err = e.encStr(ent+abi.ValSize, KindString, m[k]) // a lookup: boxing the value would allocate
		}
	}
	e.popKeys(base)
	return err
}

func (e *Encoder) encListAny(pos int, s []any, depth int) error {
	p := unsafe.Pointer(unsafe.SliceData(s))
	if err := e.enter(depth, p, len(s), len(s)); err != nil {
		return err
	}
	var at int
	if len(s) <= encSmallMap { // e.array inlined
		if len(s) == 0 {
			e.put(pos, KindList, 0, 0)
			e.leave(depth, p, len(s), len(s))
			return nil
		}
		at = e.bn
		if end := at + len(s)*abi.ValSize; end <= e.bcap {
			e.bn = end
		} else {
			e.grow(end)
			e.bn = end
		}
		e.link(pos, KindList, len(s), at)
	} else {
		var err error
		if at, err = e.array(pos, KindList, len(s), abi.ValSize); err != nil {
			return err
		}
	}
	// The commonest values without the call to encAny.
	var err error
	for i, v := range s {
		val := at + i*abi.ValSize
		if x, ok := v.(string); ok {
			if len(x) <= abi.ValInlineMax {
				e.put(val, KindString, uint32(len(x)), encWord(x))
			} else if len(x) < encBlitMin {
				e.strMid(val, KindString, x)
			} else {
				err = e.encStr(val, KindString, x)
			}
		} else if x, ok := v.(int); ok {
			e.put(val, KindInt, 0, uint64(x))
		} else if x, ok := v.(float64); ok {
			e.put(val, KindFloat, 0, math.Float64bits(x))
		} else {
			err = e.encAny(val, v, depth+1)
		}
		if err != nil {
			return atIndex(err, i)
		}
	}
	e.leave(depth, p, len(s), len(s))
	return nil
}

// encReflect encodes the types the fast path does not know.
func (e *Encoder) encReflect(pos int, v reflect.Value, depth int) error {
	if k := v.Kind(); (k == reflect.Struct || k == reflect.Pointer) && isText(v.Type()) {
		return e.encText(pos, v)
	}
	switch v.Kind() {
	case reflect.Invalid:
		e.put(pos, KindNull, 0, 0)
	case reflect.Bool:
		e.encBool(pos, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.encInt(pos, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.encUint(pos, v.Uint())
	case reflect.Uintptr:
		if v.Type() == handleType {
			e.put(pos, KindHandle, 0, v.Uint())
			return nil
		}
		e.encUint(pos, v.Uint())
	case reflect.Float32, reflect.Float64:
		e.encFloat(pos, v.Float())
	case reflect.String:
		return e.encStr(pos, KindString, v.String())
	case reflect.Interface:
		if v.IsNil() {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		if v.CanInterface() {
			return e.encAny(pos, v.Elem().Interface(), depth)
		}
		return e.encReflect(pos, v.Elem(), depth)
	case reflect.Pointer:
		if v.IsNil() {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		p := v.UnsafePointer()
		if err := e.enter(depth, p, -1, 1); err != nil {
			return err
		}
		err := e.encReflect(pos, v.Elem(), depth+1)
		e.leave(depth, p, -1, 1)
		return err
	case reflect.Slice:
		if v.IsNil() {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return e.encBytes(pos, v.Bytes())
		}
		p := v.UnsafePointer()
		n := v.Len()
		if err := e.enter(depth, p, n, n); err != nil {
			return err
		}
		err := e.encList(pos, v, depth)
		e.leave(depth, p, n, n)
		return err
	case reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return e.encByteArray(pos, v)
		}
		return e.encList(pos, v, depth)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return e.unsupported(pos, v, "map keys must be strings")
		}
		if v.IsNil() {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		p := v.UnsafePointer()
		size := v.Len()
		if err := e.enter(depth, p, 0, size); err != nil {
			return err
		}
		err := e.encMap(pos, v, depth)
		e.leave(depth, p, 0, size)
		return err
	case reflect.Struct:
		return e.encStruct(pos, v, depth)
	default:
		return e.unsupported(pos, v, "")
	}
	return nil
}

// encText encodes a struct or pointer that implements
// encoding.TextMarshaler (time.Time, netip.Addr, *big.Int, ...) as the
// string it marshals to, as encoding/json does. It allocates.
func (e *Encoder) encText(pos int, v reflect.Value) error {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		e.put(pos, KindNull, 0, 0)
		return nil
	}
	if !v.CanInterface() {
		return e.unsupported(pos, v, "unexported")
	}
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok { // pointer receiver
		if !v.CanAddr() {
			c := reflect.New(v.Type()).Elem()
			c.Set(v)
			v = c
		}
		m = v.Addr().Interface().(encoding.TextMarshaler)
	}
	b, err := m.MarshalText()
	if err != nil {
		return fail(hffi.EINVAL, fmt.Sprintf("%s.MarshalText: %v", v.Type(), err))
	}
	return e.encStr(pos, KindString, string(b))
}

// unsupported stores v as a handle if the Encoder has a table, and fails
// otherwise.
func (e *Encoder) unsupported(pos int, v reflect.Value, why string) error {
	if e.Handles != nil && v.CanInterface() {
		h, err := e.Handles.New(v.Interface())
		if err != nil {
			return fail(err, fmt.Sprintf("cannot store %s as a handle: %v", v.Type(), err))
		}
		e.made = append(e.made, h)
		e.put(pos, KindHandle, 0, uint64(h))
		return nil
	}
	msg := "unsupported type " + v.Type().String()
	if why != "" {
		msg += " (" + why + ")"
	}
	return fail(hffi.ETYPE, msg)
}

func (e *Encoder) encByteArray(pos int, v reflect.Value) error {
	if v.CanAddr() {
		return e.encBytes(pos, v.Bytes())
	}
	b := make([]byte, v.Len()) // a copy: long ones are read at flush time
	for i := range b {
		b[i] = byte(v.Index(i).Uint())
	}
	return e.encBytes(pos, b)
}

func (e *Encoder) encList(pos int, v reflect.Value, depth int) error {
	n := v.Len()
	at, err := e.array(pos, KindList, n, abi.ValSize)
	for i := 0; err == nil && i < n; i++ {
		if err = e.encReflect(at+i*abi.ValSize, v.Index(i), depth+1); err != nil {
			err = atIndex(err, i)
		}
	}
	return err
}

func (e *Encoder) encMap(pos int, v reflect.Value, depth int) error {
	base := len(e.rkvs)
	it := v.MapRange()
	for it.Next() {
		e.rkvs = append(e.rkvs, encRKV{it.Key().String(), it.Value()})
	}
	slices.SortFunc(e.rkvs[base:], func(a, b encRKV) int { return strings.Compare(a.k, b.k) })
	return e.encEntries(pos, base, depth)
}

// encEntries writes the sorted entries e.rkvs[base:] as a map node at pos
// and pops them off the stack.
func (e *Encoder) encEntries(pos, base, depth int) error {
	n := len(e.rkvs) - base
	at, err := e.array(pos, KindMap, n, abi.ValEntrySize)
	for i := 0; err == nil && i < n; i++ {
		kv := e.rkvs[base+i]
		ent := at + i*abi.ValEntrySize
		if err = e.encStr(ent, KindString, kv.k); err == nil {
			err = e.encReflect(ent+abi.ValSize, kv.v, depth+1)
		}
		if err != nil {
			err = atKey(err, kv.k)
		}
	}
	clear(e.rkvs[base:])
	e.rkvs = e.rkvs[:base]
	return err
}

func (e *Encoder) encStruct(pos int, v reflect.Value, depth int) error {
	st := structInfoOf(v.Type())
	base := len(e.rkvs)
	for i := range st.fields {
		f := &st.fields[i]
		fv, ok := fieldGet(v, f.index)
		if !ok || f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
			continue
		}
		e.rkvs = append(e.rkvs, encRKV{f.name, fv}) // structInfoOf sorted them
	}
	return e.encEntries(pos, base, depth)
}
