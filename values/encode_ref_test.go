// SPDX-License-Identifier: Apache-2.0

// This file is the encoder as it was before it wrote trees straight into
// the arena (commit b95beec), kept as the reference that the differential
// tests (encode_diff_test.go) compare the encoder's output with, byte for
// byte. Do not optimise it.

package values

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// refEncoder encodes Go values into value trees in arenas (see [Kind] for the
// mapping and the "Values" section of hffi.h for the layout C reads). It
// keeps scratch buffers between calls, so that encoding a map[string]any
// of scalars, strings, []any and nested maps makes no Go heap allocation
// once the buffers have grown. The zero refEncoder is ready to use.
//
// An refEncoder is not safe for concurrent use; use one per goroutine, or the
// package-level [Encode], which takes one from a pool.
type refEncoder struct {
	// Handles, if not nil, turns values that have no value encoding
	// (funcs, channels, unsafe pointers, complex numbers, maps with
	// non-string keys) into handles in this table, encoded as KindHandle,
	// instead of failing. The handles belong to the caller: [refEncoder.Created]
	// lists the ones the last Encode made, and the caller deletes them when
	// C no longer needs them. A failed Encode deletes what it made.
	Handles *handles.Table

	// Name is the root of the paths in error messages ("value" if empty),
	// as in `values: encode payload.user.tags[3]: unsupported type chan int`.
	Name string

	buf    []byte    // the tree, offsets relative to its start
	relocs []uint32  // positions in buf of links to rebase
	blits  []refBlit // long strings, copied straight into the arena
	kvs    []refKV   // map entries being sorted, a stack shared by nesting levels
	ord    []refOrd  // their order, the same stack
	rkvs   []refRKV  // the same for maps and structs encoded by reflection
	seen   map[refSeen]struct{}
	made   []handles.Handle

	kvsHigh int // how much of kvs the last Encode used
}

type refKV struct {
	k string
	v any
}

// refOrd is what sorting moves: a pointer-free pair of the key's prefix
// (see refPrefix) and the entry's index in kvs.
type refOrd struct {
	pfx uint64
	i   int
}

type refRKV struct {
	k string
	v reflect.Value
}

// refBlit is a string of at least refBlitMin bytes: it is not copied into
// buf but straight from Go memory into the arena, after the tree.
type refBlit struct {
	pos int // the node that links to it
	s   string
}

type refSeen struct {
	p unsafe.Pointer
	n int
}

const (
	refBlitMin    = 256 // strings this long skip the scratch buffer
	refCycleDepth = 100 // deeper than this, containers are checked for cycles
	refCycleBig   = 64  // and so are containers this long, at any depth
	refPoolMax    = 256 << 10
)

var refPool = sync.Pool{New: func() any { return new(refEncoder) }}

// Encode encodes v into a, in one pass, and returns the reference of the
// root node, which C reads with the hffi_val_* accessors and Go with
// [Decode]. The tree stays valid until a is reset or freed; then the
// reference, and every reference C derived from it, resolves to
// [hffi.ESTALE]. The same v always encodes to the same bytes (map keys
// and struct fields are sorted), so two encodings into fresh arenas are
// byte for byte equal.
//
// Values that have no encoding give a [*Error] naming their path.
// Encode uses a pooled [refEncoder] without handles; see [refEncoder.Handles] to
// turn such values into handles. Safe for concurrent use (a is safe for
// concurrent allocation); no Go heap allocation in steady state for
// maps, slices and scalars of the common types.
func refEncode(a *arena.Arena, v any) (arena.Ref, error) {
	e := refPool.Get().(*refEncoder)
	r, err := e.Encode(a, v)
	if cap(e.buf) > refPoolMax {
		*e = refEncoder{}
	}
	refPool.Put(e)
	return r, err
}

// Encode is the package-level [Encode] with e's settings and buffers.
func (e *refEncoder) Encode(a *arena.Arena, v any) (arena.Ref, error) {
	if a == nil {
		return 0, fmt.Errorf("values: encode: nil arena: %w", hffi.EINVAL)
	}
	e.buf = e.buf[:0]
	e.relocs = e.relocs[:0]
	e.made = e.made[:0]
	if len(e.seen) > 0 {
		clear(e.seen)
	}
	e.alloc(abi.ValSize)
	err := e.refAny(0, v, 0)
	var r arena.Ref
	if err == nil {
		r, err = e.flush(a)
	}
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

// Created returns the handles that the last [refEncoder.Encode] stored in
// [refEncoder.Handles], in encoding order. The slice is reused by the next
// Encode.
func (e *refEncoder) Created() []handles.Handle { return e.made }

func (e *refEncoder) dropMade() {
	for _, h := range e.made {
		_ = e.Handles.Delete(h)
	}
	e.made = e.made[:0]
}

// flush copies the tree into one allocation of a and rebases its links.
func (e *refEncoder) flush(a *arena.Arena) (arena.Ref, error) {
	size := len(e.buf)
	for _, b := range e.blits {
		size += refPad(len(b.s) + 1)
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
	copy(dst, e.buf)
	for _, at := range e.relocs {
		*(*uint64)(unsafe.Pointer(&dst[at])) += base
	}
	off := len(e.buf)
	for _, b := range e.blits {
		n := len(b.s)
		copy(dst[off:], b.s)
		clear(dst[off+n : off+refPad(n+1)])
		*(*uint64)(unsafe.Pointer(&dst[b.pos+8])) = base + uint64(off)
		off += refPad(n + 1)
	}
	return r, nil
}

func refPad(n int) int { return (n + 7) &^ 7 }

// alloc appends n bytes (rounded up to 8) to the tree and returns their
// position. They are not cleared (buf is reused): every caller writes all
// of them, padding included, so that the bytes are deterministic.
func (e *refEncoder) alloc(n int) int {
	at := len(e.buf)
	end := at + refPad(n)
	if end > cap(e.buf) {
		e.buf = append(e.buf[:cap(e.buf)], make([]byte, end-cap(e.buf))...)
	}
	e.buf = e.buf[:end]
	return at
}

// text writes s, its NUL and zero padding at a new position.
func (e *refEncoder) text(s string) int {
	at := e.alloc(len(s) + 1)
	end := at + refPad(len(s)+1)
	// The last word holds the NUL and the padding: zero it, then copy s
	// over its front (a store instead of a call to clear).
	binary.LittleEndian.PutUint64(e.buf[end-8:end], 0)
	copy(e.buf[at:], s)
	return at
}

// put writes the node at pos.
// pos must come from alloc (or array), which keeps it in buf and aligned:
// put does not check it again.
func (e *refEncoder) put(pos int, k Kind, n uint32, data uint64) {
	*(*abi.Val)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(e.buf)), pos)) = abi.Val{Kind: uint32(k), Len: n, Data: data}
}

// link writes a node whose payload is at position at of the tree.
func (e *refEncoder) link(pos int, k Kind, n int, at int) {
	e.put(pos, k, uint32(n), uint64(at))
	e.relocs = append(e.relocs, uint32(pos+8))
}

func (e *refEncoder) refInt(pos int, i int64) { e.put(pos, KindInt, 0, uint64(i)) }

func (e *refEncoder) refUint(pos int, u uint64) {
	if u > math.MaxInt64 {
		e.put(pos, KindUint, 0, u)
		return
	}
	e.put(pos, KindInt, 0, u)
}

func (e *refEncoder) refFloat(pos int, f float64) { e.put(pos, KindFloat, 0, math.Float64bits(f)) }

func (e *refEncoder) refBool(pos int, b bool) {
	var d uint64
	if b {
		d = 1
	}
	e.put(pos, KindBool, 0, d)
}

// refStr writes a string or bytes node; s may alias a []byte.
func (e *refEncoder) refStr(pos int, k Kind, s string) error {
	n := len(s)
	switch {
	case n <= abi.ValInlineMax: // in the node, zero-padded (little-endian)
		e.put(pos, k, uint32(n), refPack(s))
	case n > abi.ValLenMax:
		return fail(hffi.EINVAL, fmt.Sprintf("%s of %d bytes is too long", k, n))
	case n >= refBlitMin:
		e.put(pos, k, uint32(n), 0)
		e.blits = append(e.blits, refBlit{pos: pos, s: s})
	default:
		e.link(pos, k, n, e.text(s))
	}
	return nil
}

func (e *refEncoder) refBytes(pos int, b []byte) error {
	return e.refStr(pos, KindBytes, unsafe.String(unsafe.SliceData(b), len(b)))
}

// array allocates n nodes of size each for a list or map at pos.
func (e *refEncoder) array(pos int, k Kind, n, size int) (int, error) {
	if n == 0 {
		e.put(pos, k, 0, 0)
		return 0, nil
	}
	if n > abi.ValLenMax {
		return 0, fail(hffi.EINVAL, fmt.Sprintf("%s of %d elements is too long", k, n))
	}
	at := e.alloc(n * size)
	e.link(pos, k, n, at)
	return at, nil
}

// enter checks the nesting depth and, deep down or for a container of at
// least refCycleBig elements (size), whether the container at p (with
// length n for slices) is already being encoded higher up. Checking only
// deep down would let a cycle through a big container encode it
// refCycleDepth times before it is caught (a 1 MiB []any that contains
// itself cost 565 MB); checking every container would cost a map
// operation per small one.
func (e *refEncoder) enter(depth int, p unsafe.Pointer, n, size int) error {
	if depth < refCycleDepth && size < refCycleBig {
		return nil
	}
	return e.enterCheck(depth, p, n)
}

func (e *refEncoder) enterCheck(depth int, p unsafe.Pointer, n int) error {
	if depth >= abi.ValMaxDepth {
		return fail(hffi.EINVAL, fmt.Sprintf("nested deeper than %d levels", abi.ValMaxDepth))
	}
	if e.seen == nil {
		e.seen = make(map[refSeen]struct{})
	}
	k := refSeen{p, n}
	if _, ok := e.seen[k]; ok {
		return fail(hffi.EINVAL, "cycle detected")
	}
	e.seen[k] = struct{}{}
	return nil
}

func (e *refEncoder) leave(depth int, p unsafe.Pointer, n, size int) {
	if depth >= refCycleDepth || size >= refCycleBig {
		delete(e.seen, refSeen{p, n})
	}
}

// refAny encodes v into the node at pos: the common types without
// reflection, the rest by reflection.
func (e *refEncoder) refAny(pos int, v any, depth int) error {
	switch x := v.(type) {
	case nil:
		e.put(pos, KindNull, 0, 0)
	case string:
		return e.refStr(pos, KindString, x)
	case bool:
		e.refBool(pos, x)
	case int:
		e.refInt(pos, int64(x))
	case int64:
		e.refInt(pos, x)
	case float64:
		e.refFloat(pos, x)
	case map[string]any:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		return e.refMapAny(pos, x, depth)
	case []any:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		return e.refListAny(pos, x, depth)
	case int32:
		e.refInt(pos, int64(x))
	case int16:
		e.refInt(pos, int64(x))
	case int8:
		e.refInt(pos, int64(x))
	case uint:
		e.refUint(pos, uint64(x))
	case uint64:
		e.refUint(pos, x)
	case uint32:
		e.refUint(pos, uint64(x))
	case uint16:
		e.refUint(pos, uint64(x))
	case uint8:
		e.refUint(pos, uint64(x))
	case float32:
		e.refFloat(pos, float64(x))
	case []byte:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		return e.refBytes(pos, x)
	case []string:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		at, err := e.array(pos, KindList, len(x), abi.ValSize)
		for i := 0; err == nil && i < len(x); i++ {
			err = e.refStr(at+i*abi.ValSize, KindString, x[i])
		}
		return err
	case map[string]string:
		if x == nil {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		return e.refMapString(pos, x)
	case handles.Handle:
		e.put(pos, KindHandle, 0, uint64(x))
	default:
		return e.refReflect(pos, reflect.ValueOf(v), depth)
	}
	return nil
}

// refPack returns the first min(len(s), 8) bytes of s as a little-endian
// word, zero-padded: the data field of a short string node, and (byte
// swapped) its sort prefix. It loads words, not bytes; the loads overlap
// for lengths that are not powers of two.
func refPack(s string) uint64 {
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

// refPrefix returns the first 8 bytes of s as a big-endian number, padded
// with zeros. If refPrefix(a) < refPrefix(b) then a < b; if they are
// equal the strings must be compared, so sorting compares integers first.
func refPrefix(s string) uint64 { return bits.ReverseBytes64(refPack(s)) }

// refSortKeys sorts ord by the keys of kvs: insertion sort on the integer
// prefixes for the small maps that dominate, then by whole keys among
// equal prefixes (rare: they are next to each other); pdqsort beyond.
func refSortKeys(ord []refOrd, kvs []refKV) {
	if len(ord) > 16 {
		slices.SortFunc(ord, func(a, b refOrd) int {
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

// refEntry writes the entry of kv at ent: its key node (pfx is the key's
// prefix, see refPrefix, or 0 in its last byte) and its value.
func (e *refEncoder) refEntry(ent int, kv *refKV, pfx uint64, depth int) error {
	k := kv.k
	if len(k) <= abi.ValInlineMax { // the prefix is the packed key, byte swapped (its last byte is 0)
		e.put(ent, KindString, uint32(len(k)), bits.ReverseBytes64(pfx))
	} else if err := e.refStr(ent, KindString, k); err != nil {
		return atKey(err, k)
	}
	// The commonest scalars without the call to refAny.
	val := ent + abi.ValSize
	var err error
	switch x := kv.v.(type) {
	case string:
		if len(x) <= abi.ValInlineMax {
			e.put(val, KindString, uint32(len(x)), refPack(x))
			return nil
		}
		err = e.refStr(val, KindString, x)
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
		err = e.refAny(val, kv.v, depth+1)
	}
	if err != nil {
		return atKey(err, k)
	}
	return nil
}

// refSortTies sorts the runs of words in ws (sorted, see refMapAny) whose
// keys share their first 7 bytes by the whole keys.
func refSortTies(ws []uint64, kvs []refKV) {
	for i := 1; i < len(ws); i++ {
		x := ws[i]
		j := i
		for ; j > 0 && ws[j-1]>>8 == x>>8 && kvs[ws[j-1]&0xff].k > kvs[x&0xff].k; j-- {
			ws[j] = ws[j-1]
		}
		ws[j] = x
	}
}

// refSmallMap is the size up to which refMapAny sorts a map's keys as
// words (at most 256: the index takes a byte).
const refSmallMap = 16

// pushMap reserves n entries on the kvs and ord stacks from base.
func (e *refEncoder) pushMap(n int) (base int, kvs []refKV, ord []refOrd) {
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
func (e *refEncoder) growKeys(n int) {
	e.kvs = slices.Grow(e.kvs, n)
	e.ord = slices.Grow(e.ord, n)
}

// popKeys drops what pushMap pushed from base on. The entries are cleared
// (so that the refEncoder does not keep the caller's values alive) once, at
// the end of Encode.
func (e *refEncoder) popKeys(base int) {
	e.kvs = e.kvs[:base]
	e.ord = e.ord[:base]
}

func (e *refEncoder) refMapAny(pos int, m map[string]any, depth int) error {
	p := *(*unsafe.Pointer)(unsafe.Pointer(&m))
	size := len(m)
	if err := e.enter(depth, p, 0, size); err != nil {
		return err
	}
	n := 0
	if size <= refSmallMap {
		// The entries are gathered on the stack (no write barriers,
		// nothing to clear afterwards) and sorted as one word per key:
		// the prefix (see refPrefix) with its last byte replaced by the
		// entry's index. Keys of at most 7 bytes have a zero there, so
		// the words sort as the keys do; if two keys share their first 7
		// bytes, their order is settled by the whole keys below.
		var w [refSmallMap]uint64
		var kva [refSmallMap]refKV
		kvs := kva[:size]
		for k, v := range m {
			if n == len(kvs) || n == len(w) { // m grew under us: a data race in the caller
				break
			}
			kvs[n] = refKV{k, v}
			w[n] = refPrefix(k)&^0xff | uint64(n)
			n++
		}
		ws := w[:n]
		for i := 1; i < len(ws); i++ {
			x := ws[i]
			j := i
			for ; j > 0 && ws[j-1] > x; j-- {
				ws[j] = ws[j-1]
			}
			ws[j] = x
		}
		// Runs of words whose keys share their first 7 bytes (almost
		// never) are sorted by the whole keys.
		for i := 1; i < len(ws); i++ {
			if ws[i-1]>>8 == ws[i]>>8 {
				refSortTies(ws, kvs)
				break
			}
		}
		at, err := e.array(pos, KindMap, n, abi.ValEntrySize)
		for i := 0; err == nil && i < len(ws); i++ {
			x := ws[i]
			err = e.refEntry(at+i*abi.ValEntrySize, &kvs[x&0xff], x&^0xff, depth)
		}
		e.leave(depth, p, 0, size)
		return err
	}
	base, kvs, ord := e.pushMap(size)
	for k, v := range m {
		if n == len(kvs) { // m grew under us: a data race in the caller
			break
		}
		kvs[n] = refKV{k, v}
		ord[n] = refOrd{refPrefix(k), n}
		n++
	}
	ord = ord[:n]
	refSortKeys(ord, kvs)
	at, err := e.array(pos, KindMap, n, abi.ValEntrySize)
	// Nested maps push above base+n and may move the stacks; kvs and ord
	// keep pointing at this level's entries, which do not change.
	for i := 0; err == nil && i < len(ord); i++ {
		o := ord[i]
		err = e.refEntry(at+i*abi.ValEntrySize, &kvs[o.i], o.pfx, depth)
	}
	e.popKeys(base)
	e.leave(depth, p, 0, size)
	return err
}

func (e *refEncoder) refMapString(pos int, m map[string]string) error {
	base, kvs, ord := e.pushMap(len(m))
	n := 0
	for k := range m {
		if n == len(kvs) {
			break
		}
		kvs[n] = refKV{k: k}
		ord[n] = refOrd{refPrefix(k), n}
		n++
	}
	ord = ord[:n]
	refSortKeys(ord, kvs)
	at, err := e.array(pos, KindMap, n, abi.ValEntrySize)
	for i := 0; err == nil && i < len(ord); i++ {
		k := kvs[ord[i].i].k
		ent := at + i*abi.ValEntrySize
		if err = e.refStr(ent, KindString, k); err == nil {
			err = e.refStr(ent+abi.ValSize, KindString, m[k]) // a lookup: boxing the value would allocate
		}
	}
	e.popKeys(base)
	return err
}

func (e *refEncoder) refListAny(pos int, s []any, depth int) error {
	p := unsafe.Pointer(unsafe.SliceData(s))
	if err := e.enter(depth, p, len(s), len(s)); err != nil {
		return err
	}
	at, err := e.array(pos, KindList, len(s), abi.ValSize)
	for i := 0; err == nil && i < len(s); i++ {
		// The commonest scalars without the call to refAny.
		val := at + i*abi.ValSize
		switch x := s[i].(type) {
		case string:
			if len(x) <= abi.ValInlineMax {
				e.put(val, KindString, uint32(len(x)), refPack(x))
			} else {
				err = e.refStr(val, KindString, x)
			}
		case int:
			e.put(val, KindInt, 0, uint64(x))
		case float64:
			e.put(val, KindFloat, 0, math.Float64bits(x))
		case int64:
			e.put(val, KindInt, 0, uint64(x))
		default:
			err = e.refAny(val, s[i], depth+1)
		}
		if err != nil {
			err = atIndex(err, i)
		}
	}
	e.leave(depth, p, len(s), len(s))
	return err
}

// refReflect encodes the types the fast path does not know.
func (e *refEncoder) refReflect(pos int, v reflect.Value, depth int) error {
	if k := v.Kind(); (k == reflect.Struct || k == reflect.Pointer) && isText(v.Type()) {
		return e.refText(pos, v)
	}
	switch v.Kind() {
	case reflect.Invalid:
		e.put(pos, KindNull, 0, 0)
	case reflect.Bool:
		e.refBool(pos, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.refInt(pos, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.refUint(pos, v.Uint())
	case reflect.Uintptr:
		if v.Type() == handleType {
			e.put(pos, KindHandle, 0, v.Uint())
			return nil
		}
		e.refUint(pos, v.Uint())
	case reflect.Float32, reflect.Float64:
		e.refFloat(pos, v.Float())
	case reflect.String:
		return e.refStr(pos, KindString, v.String())
	case reflect.Interface:
		if v.IsNil() {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		if v.CanInterface() {
			return e.refAny(pos, v.Elem().Interface(), depth)
		}
		return e.refReflect(pos, v.Elem(), depth)
	case reflect.Pointer:
		if v.IsNil() {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		p := v.UnsafePointer()
		if err := e.enter(depth, p, -1, 1); err != nil {
			return err
		}
		err := e.refReflect(pos, v.Elem(), depth+1)
		e.leave(depth, p, -1, 1)
		return err
	case reflect.Slice:
		if v.IsNil() {
			e.put(pos, KindNull, 0, 0)
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return e.refBytes(pos, v.Bytes())
		}
		p := v.UnsafePointer()
		n := v.Len()
		if err := e.enter(depth, p, n, n); err != nil {
			return err
		}
		err := e.refList(pos, v, depth)
		e.leave(depth, p, n, n)
		return err
	case reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return e.refByteArray(pos, v)
		}
		return e.refList(pos, v, depth)
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
		err := e.refMap(pos, v, depth)
		e.leave(depth, p, 0, size)
		return err
	case reflect.Struct:
		return e.refStruct(pos, v, depth)
	default:
		return e.unsupported(pos, v, "")
	}
	return nil
}

// refText encodes a struct or pointer that implements
// encoding.TextMarshaler (time.Time, netip.Addr, *big.Int, ...) as the
// string it marshals to, as encoding/json does. It allocates.
func (e *refEncoder) refText(pos int, v reflect.Value) error {
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
	return e.refStr(pos, KindString, string(b))
}

// unsupported stores v as a handle if the refEncoder has a table, and fails
// otherwise.
func (e *refEncoder) unsupported(pos int, v reflect.Value, why string) error {
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

func (e *refEncoder) refByteArray(pos int, v reflect.Value) error {
	if v.CanAddr() {
		return e.refBytes(pos, v.Bytes())
	}
	b := make([]byte, v.Len()) // a copy: long ones are read at flush time
	for i := range b {
		b[i] = byte(v.Index(i).Uint())
	}
	return e.refBytes(pos, b)
}

func (e *refEncoder) refList(pos int, v reflect.Value, depth int) error {
	n := v.Len()
	at, err := e.array(pos, KindList, n, abi.ValSize)
	for i := 0; err == nil && i < n; i++ {
		if err = e.refReflect(at+i*abi.ValSize, v.Index(i), depth+1); err != nil {
			err = atIndex(err, i)
		}
	}
	return err
}

func (e *refEncoder) refMap(pos int, v reflect.Value, depth int) error {
	base := len(e.rkvs)
	it := v.MapRange()
	for it.Next() {
		e.rkvs = append(e.rkvs, refRKV{it.Key().String(), it.Value()})
	}
	slices.SortFunc(e.rkvs[base:], func(a, b refRKV) int { return strings.Compare(a.k, b.k) })
	return e.refEntries(pos, base, depth)
}

// refEntries writes the sorted entries e.rkvs[base:] as a map node at pos
// and pops them off the stack.
func (e *refEncoder) refEntries(pos, base, depth int) error {
	n := len(e.rkvs) - base
	at, err := e.array(pos, KindMap, n, abi.ValEntrySize)
	for i := 0; err == nil && i < n; i++ {
		kv := e.rkvs[base+i]
		ent := at + i*abi.ValEntrySize
		if err = e.refStr(ent, KindString, kv.k); err == nil {
			err = e.refReflect(ent+abi.ValSize, kv.v, depth+1)
		}
		if err != nil {
			err = atKey(err, kv.k)
		}
	}
	clear(e.rkvs[base:])
	e.rkvs = e.rkvs[:base]
	return err
}

func (e *refEncoder) refStruct(pos int, v reflect.Value, depth int) error {
	st := structInfoOf(v.Type())
	base := len(e.rkvs)
	for i := range st.fields {
		f := &st.fields[i]
		fv, ok := fieldGet(v, f.index)
		if !ok || f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
			continue
		}
		e.rkvs = append(e.rkvs, refRKV{f.name, fv}) // structInfoOf sorted them
	}
	return e.refEntries(pos, base, depth)
}
