// SPDX-License-Identifier: Apache-2.0

package values

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"strings"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// Decoder decodes value trees, typically built by C with the hffi_val_*
// builders, into Go values (see [Kind] for the mapping). The zero Decoder
// is ready to use; a Decoder holds no state between calls and is safe for
// concurrent use.
//
// Decoding trusts nothing in the arena: every offset and length is checked
// against what the arena has allocated, every node's shape against hffi.h,
// map keys must be strictly sorted, and the work and the Go memory it
// allocates are bounded by a constant times the arena's size, whatever
// shared or cyclic links say (a destination type with big elements
// multiplies the memory by their size). So bytes that C corrupted give a
// [*Error] wrapping HFFI_ECORRUPT or HFFI_EBOUNDS, never a crash, a
// read outside the arena or an allocation storm. The tree must not change
// while it is decoded, and the arena must not be reset meanwhile.
type Decoder struct {
	// Handles, if not nil, turns KindHandle values into the Go values they
	// name in this table (Table.Get); a handle that is not live there is
	// an error. If nil, they decode to [handles.Handle].
	Handles *handles.Table

	// Name is the root of the paths in error messages ("value" if empty).
	Name string
}

// Decode decodes the tree whose root r names (a reference from
// [Encode], or one C built) into nil, bool, int64, uint64, float64,
// string, []byte, []any, map[string]any or handles.Handle. Everything it
// returns is copied to the Go heap: the arena may be reset afterwards. It
// allocates what it returns. Safe for concurrent use.
func Decode(r arena.Ref) (any, error) {
	return decDefault.Decode(r)
}

var decDefault Decoder // read-only: safe to share

// DecodeInto decodes the tree r names into the value dst points to, with
// encoding/json's rules: maps into structs by `json` tags (exact name
// first, then case-insensitive; unknown keys are ignored), into
// map[string]T, slices, arrays and pointers (allocated as needed); null
// sets pointers, maps, slices and interfaces to nil and leaves other
// values alone. Integers must fit the destination (no silent truncation);
// integers may go into floats when exact, floats never into integers.
func DecodeInto(r arena.Ref, dst any) error {
	return decDefault.DecodeInto(r, dst)
}

// Decode is the package-level [Decode] with d's settings.
func (d *Decoder) Decode(r arena.Ref) (any, error) {
	var st decState
	off, err := st.open(d, r)
	if err == nil {
		// The commonest root, a map, without the calls of node and
		// anyNode (open checked the offset: references are aligned).
		if n := *(*abi.Val)(unsafe.Add(st.base, off)); n.Kind == abi.ValMap && st.container(n, abi.ValEntrySize, 2) {
			st.box.plan(int(n.Len), true)
			m := make(map[string]any, n.Len)
			if err = st.fillMap(m, decNode{n, off}, 0); err == nil {
				return m, nil
			}
		} else {
			var n decNode
			if n, err = st.node(off, 0); err == nil {
				st.box.plan(int(n.Len), true)
				var v any
				if v, err = st.anyNode(n, 0); err == nil {
					return v, nil
				}
			}
		}
	}
	return nil, finish("decode", d.Name, err)
}

// DecodeInto is the package-level [DecodeInto] with d's settings.
func (d *Decoder) DecodeInto(r arena.Ref, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("values: decode: destination must be a non-nil pointer, not %T: %w", dst, hffi.EINVAL)
	}
	var st decState
	off, err := st.open(d, r)
	if err == nil {
		var n decNode
		if n, err = st.node(off, 0); err == nil {
			if m, ok := dst.(*map[string]any); ok && n.Kind == abi.ValMap {
				// The commonest destination, without reflection: as fast
				// as Decode, and a map that is already there is filled
				// (entries with other keys stay, as in encoding/json), so
				// a caller who clears and reuses one saves its allocation.
				st.box.plan(int(n.Len), true)
				if *m == nil {
					*m = make(map[string]any, n.Len)
				}
				err = st.fillMap(*m, n, 0)
			} else {
				st.box.plan(int(n.Len), false)
				err = st.into(n, rv.Elem(), 0)
			}
		}
	}
	return finish("decode", d.Name, err)
}

var (
	decListType = reflect.TypeFor[[]any]()
	decMapType  = reflect.TypeFor[map[string]any]()
)

// decState is one decoding walk over one arena.
type decState struct {
	d     *Decoder
	base  unsafe.Pointer // the arena's base address
	lo    uint64         // the lowest offset of the arena's current incarnation
	used  uint64         // what the arena had allocated when the walk began
	nodes int64          // nodes left in the budget
	bytes int64          // string bytes left in the budget
	box   decBoxes       // where decoded strings and boxed values go
}

// str copies an arena string to the Go heap (see decBoxes.bytes).
func (st *decState) str(s string) string { return st.box.bytes(s) }

// open resolves r (generation, bounds) and returns the offset of its node.
// The arena's extent comes from one consistent snapshot
// ([arena.ResolveExtent]): reading Used apart from the check could give
// the next generation's, or another arena's, and offsets below the slot's
// floor belong to an earlier incarnation of the slot.
func (st *decState) open(d *Decoder, r arena.Ref) (uint64, error) {
	ext, err := arena.ResolveExtent(r)
	if err != nil {
		return 0, fail(err, err.Error())
	}
	off := abi.RefOffset(uint64(r))
	if off < ext.Lo || off > ext.Used || abi.ValSize > ext.Used-off {
		return 0, fail(hffi.EBOUNDS, fmt.Sprintf("arena: resolve: reference offset %#x outside the arena's allocated bytes [%#x, %#x): %v",
			off, ext.Lo, ext.Used, hffi.EBOUNDS))
	}
	st.d = d
	st.base = ext.Base
	st.lo = ext.Lo
	st.used = ext.Used
	// A tree without shared links has at most one node per 16 bytes and
	// at most as many string bytes as the arena holds. The root is the
	// first node; the others are paid for by their container (see node).
	st.nodes = int64(st.used-st.lo)/abi.ValSize - 1
	st.bytes = int64(st.used - st.lo)
	return off, nil
}

func decCorrupt(format string, args ...any) error {
	return fail(hffi.ECORRUPT, "corrupt value: "+fmt.Sprintf(format, args...))
}

func decBounds(what string, off, size, used uint64) error {
	return fail(hffi.EBOUNDS, fmt.Sprintf("corrupt value: %s at offset %#x (%d bytes) outside the arena's %#x allocated bytes",
		what, off, size, used))
}

// span checks that [off, off+size) lies in the allocated part of the
// arena, like _hffi_val_span; size is below 2^37, so nothing overflows.
func (st *decState) span(what string, off, size uint64) error {
	if !st.in(off, size) {
		return decBounds(what, off, size, st.used)
	}
	return nil
}

// in is the test of span, without the error.
func (st *decState) in(off, size uint64) bool {
	return off >= st.lo && off <= st.used && size <= st.used-off
}

// node reads and validates the node at off, the twin of _hffi_val_node.
// A list or map pays the budget for all its element nodes here, before
// the walk allocates anything for them (a slice, a map, a struct field of
// each), and its elements are then read for free: so the nodes a walk
// visits, and what it allocates for them, stay within a constant times
// the arena's size even when links are shared or cyclic. (Charging each
// node when it is read would let every level of a cycle allocate a
// container as big as the arena before the next level is charged.)
func (st *decState) node(off uint64, depth int) (decNode, error) {
	if off%abi.RefOffScale != 0 {
		return decNode{}, decCorrupt("node at misaligned offset %#x", off)
	}
	if err := st.span("node", off, abi.ValSize); err != nil {
		return decNode{}, err
	}
	return st.elem(off, depth)
}

// elem is node for an offset already known to be aligned and in the
// arena: an element of a list or map whose array shape checked.
func (st *decState) elem(off uint64, depth int) (decNode, error) {
	if depth > abi.ValMaxDepth {
		return decNode{}, decCorrupt("nested deeper than %d levels", abi.ValMaxDepth)
	}
	n := decNode{*(*abi.Val)(unsafe.Add(st.base, off)), off}
	// The commonest nodes are checked here, the rest (and every error)
	// by shape.
	switch n.Kind {
	case abi.ValInt, abi.ValFloat:
		if n.Len == 0 {
			return n, nil
		}
	case abi.ValStr:
		if n.Len <= abi.ValInlineMax {
			if n.Data>>(8*n.Len) == 0 {
				return n, nil
			}
		} else if st.in(n.Data, uint64(n.Len)+1) && *(*byte)(unsafe.Add(st.base, n.Data+uint64(n.Len))) == 0 {
			return n, nil
		}
	}
	if err := st.shape(n); err != nil {
		return decNode{}, err
	}
	switch n.Kind {
	case abi.ValList:
		st.nodes -= int64(n.Len)
	case abi.ValMap:
		st.nodes -= 2 * int64(n.Len) // a key and a value per entry
	}
	if st.nodes < 0 {
		return decNode{}, decCorrupt("more nodes than the arena holds: links are shared or cyclic")
	}
	return n, nil
}

// decNode is a node copied out of the arena, and where it was.
type decNode struct {
	abi.Val
	off uint64
}

// shape is the twin of _hffi_val_shape.
func (st *decState) shape(n decNode) error {
	switch n.Kind {
	case abi.ValNull:
		if n.Len != 0 || n.Data != 0 {
			return decCorrupt("null with length %d, data %#x", n.Len, n.Data)
		}
	case abi.ValBool:
		if n.Len != 0 || n.Data > 1 {
			return decCorrupt("bool with length %d, data %#x", n.Len, n.Data)
		}
	case abi.ValInt, abi.ValUint, abi.ValFloat, abi.ValHandle:
		if n.Len != 0 {
			return decCorrupt("%s with length %d", Kind(n.Kind), n.Len)
		}
	case abi.ValStr, abi.ValBytes:
		if n.Len <= abi.ValInlineMax {
			if n.Data>>(8*n.Len) != 0 { // little-endian: the bytes after the string
				return decCorrupt("%s of %d bytes with garbage after them: %#x", Kind(n.Kind), n.Len, n.Data)
			}
			return nil
		}
		if err := st.span(Kind(n.Kind).String(), n.Data, uint64(n.Len)+1); err != nil {
			return err
		}
		if *(*byte)(unsafe.Add(st.base, n.Data+uint64(n.Len))) != 0 {
			return decCorrupt("%s at %#x is not NUL-terminated", Kind(n.Kind), n.Data)
		}
	case abi.ValList, abi.ValMap:
		if n.Len == 0 {
			if n.Data != 0 {
				return decCorrupt("empty %s with data %#x", Kind(n.Kind), n.Data)
			}
			return nil
		}
		if n.Data%abi.RefOffScale != 0 {
			return decCorrupt("%s array at misaligned offset %#x", Kind(n.Kind), n.Data)
		}
		size := uint64(abi.ValSize)
		if n.Kind == abi.ValMap {
			size = abi.ValEntrySize
		}
		return st.span(Kind(n.Kind).String(), n.Data, uint64(n.Len)*size)
	default:
		return decCorrupt("unknown kind %#x", n.Kind)
	}
	return nil
}

// view returns the bytes of a validated STR or BYTES node, in the arena
// (in the node itself when short): they must be copied before the walk
// ends.
func (st *decState) view(n decNode) (string, error) {
	if n.Len == 0 {
		return "", nil
	}
	if n.Len <= abi.ValInlineMax {
		return unsafe.String((*byte)(unsafe.Add(st.base, n.off+8)), n.Len), nil
	}
	if st.bytes -= int64(n.Len); st.bytes < 0 {
		return "", decCorrupt("more string bytes than the arena holds: links are shared")
	}
	return unsafe.String((*byte)(unsafe.Add(st.base, n.Data)), n.Len), nil
}

// key reads the key node of entry i of the entry array at offset
// entries (a map node's data) and checks that it
// sorts after the previous key, prev, whose prefix (see encPrefix) is pp:
// strictly increasing keys are what C's binary search relies on. The key
// is a view into the arena; key returns its prefix too, and the node.
func (st *decState) key(entries uint64, i int, prev string, pp uint64, depth int) (string, uint64, decNode, error) {
	k, err := st.elem(entries+uint64(i)*abi.ValEntrySize, depth)
	if err != nil {
		return "", 0, k, err
	}
	if k.Kind != abi.ValStr {
		return "", 0, k, decCorrupt("map key of kind %s", Kind(k.Kind))
	}
	var s string
	var sp uint64
	if k.Len <= abi.ValInlineMax { // the node holds it, zero-padded: its prefix byte swapped
		s = unsafe.String((*byte)(unsafe.Add(st.base, k.off+8)), k.Len)
		sp = bits.ReverseBytes64(k.Data)
	} else {
		if s, err = st.view(k); err != nil {
			return "", 0, k, err
		}
		sp = binary.BigEndian.Uint64(unsafe.Slice(unsafe.StringData(s), 8))
	}
	// Compared by their prefixes as integers first, which settles most
	// pairs of keys without a call.
	if i > 0 && (pp > sp || pp == sp && prev >= s) {
		return "", 0, k, decCorrupt("map keys not in strictly increasing order at %q (did C call hffi_val_map_sort?)", s)
	}
	return s, sp, k, nil
}

// keyStr copies the key s of node k (from key) to the Go heap.
func (st *decState) keyStr(k decNode, s string) string {
	if k.Len <= abi.ValInlineMax {
		return st.box.short(k.Data, int(k.Len))
	}
	return st.str(s)
}

// any decodes the node at off, an element of a list or map, into the
// generic Go types.
func (st *decState) any(off uint64, depth int) (any, error) {
	n, err := st.elem(off, depth)
	if err != nil {
		return nil, err
	}
	return st.anyNode(n, depth)
}

func (st *decState) anyNode(n decNode, depth int) (any, error) {
	switch n.Kind {
	case abi.ValNull:
		return nil, nil
	case abi.ValBool:
		return n.Data == 1, nil
	case abi.ValInt:
		return st.box.num(decTypeInt64, n.Data), nil
	case abi.ValUint:
		return st.box.num(decTypeUint64, n.Data), nil
	case abi.ValFloat:
		return st.box.num(decTypeFloat64, n.Data), nil
	case abi.ValStr:
		if n.Len <= abi.ValInlineMax {
			if n.Len == 0 {
				return decEmpty, nil
			}
			st.box.room(24)
			return st.box.hdrIn(st.box.shortIn(n.Data, int(n.Len))), nil
		}
		s, err := st.view(n)
		if err != nil {
			return nil, err
		}
		return st.box.strCopy(s), nil
	case abi.ValBytes:
		s, err := st.view(n)
		if err != nil {
			return nil, err
		}
		return []byte(s), nil
	case abi.ValList:
		return st.anyList(n, depth)
	case abi.ValMap:
		return st.anyMap(n, depth)
	case abi.ValHandle:
		return st.handle(n)
	}
	return nil, decCorrupt("unknown kind %#x", n.Kind)
}

// anyList decodes the elements of the list node n into a fresh []any.
// Numbers and short strings are checked and decoded in the loop, the rest
// by value.
func (st *decState) anyList(n decNode, depth int) (any, error) {
	l, box := st.box.newList(int(n.Len))
	for i := range l {
		off := n.Data + uint64(i)*abi.ValSize
		vn := *(*abi.Val)(unsafe.Add(st.base, off))
		st.box.room(24)
		var v any
		switch {
		case depth >= abi.ValMaxDepth:
			goto slow
		case vn.Kind == abi.ValInt && vn.Len == 0:
			v = st.box.numIn(decTypeInt64, vn.Data)
		case vn.Kind == abi.ValFloat && vn.Len == 0:
			v = st.box.numIn(decTypeFloat64, vn.Data)
		case vn.Kind == abi.ValStr && vn.Len-1 < abi.ValInlineMax && vn.Data>>(8*vn.Len&63) == 0:
			v = st.box.hdrIn(st.box.shortIn(vn.Data, int(vn.Len)))
		default:
			goto slow
		}
		l[i] = v
		continue
	slow:
		if v, err := st.value(vn, off, depth+1); err != nil {
			return nil, atIndex(err, i)
		} else {
			l[i] = v
		}
	}
	return box, nil
}

func (st *decState) anyMap(n decNode, depth int) (any, error) {
	m := make(map[string]any, n.Len)
	if err := st.fillMap(m, n, depth); err != nil {
		return nil, err
	}
	return m, nil
}

// fillMap decodes the entries of the map node n into m. The keys and
// values that most maps hold (short keys, numbers, short strings) are
// checked and decoded here, in the node as read, without the calls of
// key and value; the rest, and every error, go through them. Only the
// previous key's prefix is carried from one entry to the next: its string,
// needed when two prefixes tie (rare), is read again from its node, which
// has been checked.
func (st *decState) fillMap(m map[string]any, n decNode, depth int) error {
	if depth >= abi.ValMaxDepth && n.Len > 0 {
		// Every key would be too deep: the error key gives for the first.
		return atIndex(decCorrupt("nested deeper than %d levels", abi.ValMaxDepth), 0)
	}
	// Only what the loop needs is kept (the node itself is not), so that
	// fewer values are reloaded after each map assignment.
	start, end := n.Data, n.Data+uint64(n.Len)*abi.ValEntrySize
	pp := uint64(0)
	for off := start; off < end; off += abi.ValEntrySize {
		e := (*abi.ValEntry)(unsafe.Add(st.base, off))
		b := &st.box
		if b.hi-b.lo < 32 {
			b.refill(32)
		}
		var key string
		var kp uint64
		if kl, kd := e.Key.Len, e.Key.Data; e.Key.Kind == abi.ValStr && kl <= abi.ValInlineMax && kd>>(8*kl&63) == 0 {
			// The node holds the key, zero-padded: its prefix is the
			// node's data byte swapped.
			kp = bits.ReverseBytes64(kd)
			if pp >= kp && off != start && (pp > kp || !st.keyAfter(off)) {
				return st.keyOrderErr(start, off)
			}
			if kl > 0 {
				key = b.shortIn(kd, int(kl))
			}
		} else {
			i := int((off - start) / abi.ValEntrySize)
			var prev string
			if i > 0 {
				prev = st.keyView(off - abi.ValEntrySize)
			}
			k, p, kn, err := st.key(start, i, prev, pp, depth+1)
			if err != nil {
				return atIndex(err, i)
			}
			key, kp = st.keyStr(kn, k), p
			b.room(24) // a long key may have taken the room
		}
		vn := e.Val
		var v any
		switch {
		case vn.Kind == abi.ValInt && vn.Len == 0:
			v = b.numIn(decTypeInt64, vn.Data)
		case vn.Kind == abi.ValFloat && vn.Len == 0:
			v = b.numIn(decTypeFloat64, vn.Data)
		case vn.Kind == abi.ValStr && vn.Len-1 < abi.ValInlineMax && vn.Data>>(8*vn.Len&63) == 0:
			v = b.hdrIn(b.shortIn(vn.Data, int(vn.Len)))
		case vn.Kind == abi.ValStr && vn.Len > abi.ValInlineMax:
			var ok bool
			if v, ok = st.longStr(vn); ok {
				break
			}
			fallthrough
		default:
			var err error
			if v, err = st.value(vn, off+abi.ValSize, depth+1); err != nil {
				return atKey(err, strings.Clone(st.keyView(off)))
			}
		}
		m[key] = v
		pp = kp
	}
	return nil
}

// keyView returns the key of the map entry at off, which has been
// checked (by fillMap or key): a view into the arena, not charged to the
// string budget again.
func (st *decState) keyView(off uint64) string {
	k := (*abi.Val)(unsafe.Add(st.base, off))
	if k.Len <= abi.ValInlineMax {
		return unsafe.String((*byte)(unsafe.Pointer(&k.Data)), k.Len)
	}
	return unsafe.String((*byte)(unsafe.Add(st.base, k.Data)), k.Len)
}

// keyAfter reports whether the key of the entry at off, a short one,
// sorts after the key of the entry before it, whose prefix is the same.
//
//go:noinline
func (st *decState) keyAfter(off uint64) bool {
	return st.keyView(off) > st.keyView(off-abi.ValEntrySize)
}

//go:noinline
func (st *decState) keyOrderErr(start, off uint64) error {
	return atIndex(decCorrupt("map keys not in strictly increasing order at %q (did C call hffi_val_map_sort?)", st.keyView(off)),
		int((off-start)/abi.ValEntrySize))
}

// value decodes vn, a copy of the element node at off, at depth: what
// the loops of fillMap and anyList do not decode in place. Long strings,
// bools, nulls and non-empty containers are checked here as elem and
// shape would check them; anything else, and every error, goes through
// any.
func (st *decState) value(vn abi.Val, off uint64, depth int) (any, error) {
	if depth <= abi.ValMaxDepth {
		switch vn.Kind {
		case abi.ValStr:
			if vn.Len == 0 {
				if vn.Data == 0 {
					return decEmpty, nil
				}
			} else if vn.Len > abi.ValInlineMax {
				if v, ok := st.longStr(vn); ok {
					return v, nil
				}
			}
		case abi.ValBool:
			if vn.Len == 0 && vn.Data <= 1 {
				return vn.Data == 1, nil
			}
		case abi.ValNull:
			if vn.Len == 0 && vn.Data == 0 {
				return nil, nil
			}
		case abi.ValMap:
			if st.container(vn, abi.ValEntrySize, 2) {
				m := make(map[string]any, vn.Len)
				if err := st.fillMap(m, decNode{vn, off}, depth); err != nil {
					return nil, err
				}
				return m, nil
			}
		case abi.ValList:
			if st.container(vn, abi.ValSize, 1) {
				return st.anyList(decNode{vn, off}, depth)
			}
		}
	}
	return st.any(off, depth)
}

// container reports whether the LIST or MAP node n is non-empty and valid
// (what shape checks), with elements of size bytes, and if so charges the
// budget for its cost nodes per element as elem does.
func (st *decState) container(n abi.Val, size uint64, cost int64) bool {
	if n.Len == 0 || n.Data%abi.RefOffScale != 0 || !st.in(n.Data, uint64(n.Len)*size) {
		return false
	}
	c := cost * int64(n.Len)
	if st.nodes < c {
		return false
	}
	st.nodes -= c
	return true
}

// longStr decodes a STR node of more than abi.ValInlineMax bytes if it is
// valid and within the string budget, and reports whether it did: bytes
// and header in the raw slab (see strCopy), in one call. Up to 16 bytes
// are copied as two overlapping words, without memmove's call.
func (st *decState) longStr(n abi.Val) (any, bool) {
	l := int(n.Len)
	if !st.in(n.Data, uint64(l)+1) || *(*byte)(unsafe.Add(st.base, n.Data+uint64(l))) != 0 || st.bytes < int64(l) {
		return nil, false
	}
	st.bytes -= int64(l)
	p := unsafe.Add(st.base, n.Data)
	b := &st.box
	if l > decSlabStr {
		return b.str(strings.Clone(unsafe.String((*byte)(p), l))), true
	}
	if l+16 > b.hi-b.lo {
		b.refill(l + 16)
	}
	raw := unsafe.Pointer(unsafe.SliceData(b.raw))
	hi := b.hi - l
	d := unsafe.Add(raw, hi)
	if l <= 16 { // and more than 7
		w0, w1 := decLoad64(p), decLoad64(unsafe.Add(p, l-8))
		decStore64(d, w0)
		decStore64(unsafe.Add(d, l-8), w1)
	} else {
		copy(unsafe.Slice((*byte)(d), l), unsafe.Slice((*byte)(p), l))
	}
	b.hi = hi
	h := unsafe.Add(raw, b.lo)
	*(*[2]uintptr)(h) = [2]uintptr{uintptr(d), uintptr(l)}
	b.lo += 16
	return decMake(decTypeString, h), true
}

func (st *decState) handle(n decNode) (any, error) {
	h := handles.Handle(n.Data)
	if st.d.Handles == nil {
		return h, nil
	}
	v, err := st.d.Handles.Value(h)
	if err != nil {
		return nil, fail(err, fmt.Sprintf("handle %#x: %v", n.Data, err))
	}
	return v, nil
}

func decMismatch(n decNode, t reflect.Type) error {
	return fail(hffi.ETYPE, fmt.Sprintf("cannot decode %s into %s", Kind(n.Kind), t))
}

// into decodes the validated node n into v, which is settable.
func (st *decState) into(n decNode, v reflect.Value, depth int) error {
	for v.Kind() == reflect.Pointer { // (handles.Handle is a uintptr, not a pointer)
		if n.Kind == abi.ValNull {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	t := v.Type()
	if v.Kind() == reflect.Interface {
		return st.intoInterface(n, v, depth)
	}
	if n.Kind == abi.ValStr && v.Kind() == reflect.Struct && v.CanAddr() && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		s, err := st.view(n)
		if err != nil {
			return err
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fail(hffi.EINVAL, fmt.Sprintf("%s.UnmarshalText: %v", t, err))
		}
		return nil
	}
	if v.Kind() == reflect.Uintptr && t == handleType {
		switch n.Kind {
		case abi.ValHandle:
			v.SetUint(n.Data)
		case abi.ValNull:
			v.SetUint(0)
		default:
			return decMismatch(n, t)
		}
		return nil
	}
	switch n.Kind {
	case abi.ValNull:
		switch v.Kind() {
		case reflect.Map, reflect.Slice:
			v.SetZero()
		}
		return nil
	case abi.ValBool:
		if v.Kind() != reflect.Bool {
			return decMismatch(n, t)
		}
		v.SetBool(n.Data == 1)
		return nil
	case abi.ValInt, abi.ValUint:
		return decNumber(n, v)
	case abi.ValFloat:
		f := math.Float64frombits(n.Data)
		switch v.Kind() {
		case reflect.Float64:
			v.SetFloat(f)
		case reflect.Float32:
			if v.OverflowFloat(f) {
				return fail(hffi.ERANGE, fmt.Sprintf("%g overflows %s", f, t))
			}
			v.SetFloat(f)
		default:
			return decMismatch(n, t)
		}
		return nil
	case abi.ValStr:
		if v.Kind() != reflect.String {
			return decMismatch(n, t)
		}
		s, err := st.view(n)
		if err != nil {
			return err
		}
		v.SetString(st.str(s))
		return nil
	case abi.ValBytes:
		return st.intoBytes(n, v)
	case abi.ValList:
		return st.intoList(n, v, depth)
	case abi.ValMap:
		switch v.Kind() {
		case reflect.Map:
			if t == decMapType { // map[string]any: no reflection per entry
				x, err := st.anyNode(n, depth)
				if err == nil {
					v.Set(reflect.ValueOf(x))
				}
				return err
			}
			return st.intoMap(n, v, depth)
		case reflect.Struct:
			return st.intoStruct(n, v, depth)
		}
		return decMismatch(n, t)
	case abi.ValHandle:
		x, err := st.handle(n)
		if err != nil {
			return err
		}
		xv := reflect.ValueOf(x)
		if st.d.Handles == nil || !xv.IsValid() || !xv.Type().AssignableTo(t) {
			return decMismatch(n, t)
		}
		v.Set(xv)
		return nil
	}
	return decCorrupt("unknown kind %#x", n.Kind)
}

func (st *decState) intoInterface(n decNode, v reflect.Value, depth int) error {
	if n.Kind == abi.ValNull {
		v.SetZero()
		return nil
	}
	if v.NumMethod() != 0 && n.Kind != abi.ValHandle {
		return decMismatch(n, v.Type())
	}
	x, err := st.anyNode(n, depth)
	if err != nil {
		return err
	}
	xv := reflect.ValueOf(x)
	if !xv.Type().AssignableTo(v.Type()) {
		return decMismatch(n, v.Type())
	}
	v.Set(xv)
	return nil
}

// decNumber stores an INT or UINT node in an integer or float, exactly or
// not at all.
func decNumber(n decNode, v reflect.Value) error {
	neg := n.Kind == abi.ValInt && int64(n.Data) < 0
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Kind == abi.ValUint && n.Data > math.MaxInt64 || v.OverflowInt(int64(n.Data)) {
			return decRange(n, v.Type())
		}
		v.SetInt(int64(n.Data))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if neg || v.OverflowUint(n.Data) {
			return decRange(n, v.Type())
		}
		v.SetUint(n.Data)
	case reflect.Float32, reflect.Float64:
		var f float64
		exact := false
		if neg {
			f = float64(int64(n.Data))
			exact = f >= -(1<<63) && int64(f) == int64(n.Data)
		} else {
			f = float64(n.Data)
			exact = f < 1<<64 && uint64(f) == n.Data
		}
		if exact && v.Kind() == reflect.Float32 {
			exact = float64(float32(f)) == f
		}
		if !exact {
			return fail(hffi.ERANGE, fmt.Sprintf("%s %s is not exact as %s", Kind(n.Kind), decNumString(n), v.Type()))
		}
		v.SetFloat(f)
	default:
		return decMismatch(n, v.Type())
	}
	return nil
}

func decNumString(n decNode) string {
	if n.Kind == abi.ValInt {
		return fmt.Sprint(int64(n.Data))
	}
	return fmt.Sprint(n.Data)
}

func decRange(n decNode, t reflect.Type) error {
	return fail(hffi.ERANGE, fmt.Sprintf("%s overflows %s", decNumString(n), t))
}

func (st *decState) intoBytes(n decNode, v reflect.Value) error {
	t := v.Type()
	if (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) || t.Elem().Kind() != reflect.Uint8 {
		return decMismatch(n, t)
	}
	s, err := st.view(n)
	if err != nil {
		return err
	}
	if v.Kind() == reflect.Array {
		if v.Len() != len(s) {
			return fail(hffi.ETYPE, fmt.Sprintf("cannot decode %d bytes into %s", len(s), t))
		}
		reflect.Copy(v, reflect.ValueOf([]byte(s)))
		return nil
	}
	b := reflect.MakeSlice(t, len(s), len(s))
	copy(b.Bytes(), s)
	v.Set(b)
	return nil
}

func (st *decState) intoList(n decNode, v reflect.Value, depth int) error {
	if v.Type() == decListType { // []any: no reflection per element
		x, err := st.anyNode(n, depth)
		if err == nil {
			v.Set(reflect.ValueOf(x))
		}
		return err
	}
	switch v.Kind() {
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), int(n.Len), int(n.Len)))
	case reflect.Array:
	default:
		return decMismatch(n, v.Type())
	}
	count := min(int(n.Len), v.Len())
	for i := 0; i < count; i++ {
		c, err := st.elem(n.Data+uint64(i)*abi.ValSize, depth+1)
		if err == nil {
			err = st.into(c, v.Index(i), depth+1)
		}
		if err != nil {
			return atIndex(err, i)
		}
	}
	for i := count; i < v.Len(); i++ { // a shorter list zeroes the rest of an array
		v.Index(i).SetZero()
	}
	return nil
}

func (st *decState) intoMap(n decNode, v reflect.Value, depth int) error {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		return fail(hffi.ETYPE, fmt.Sprintf("cannot decode map into %s: keys must be strings", t))
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(t, int(n.Len)))
	}
	prev, pp := "", uint64(0)
	for i := 0; i < int(n.Len); i++ {
		k, kp, _, err := st.key(n.Data, i, prev, pp, depth+1)
		if err != nil {
			return atIndex(err, i)
		}
		prev, pp = k, kp
		key := st.str(k)
		ev := reflect.New(t.Elem()).Elem()
		c, err := st.elem(n.Data+uint64(i)*abi.ValEntrySize+abi.ValSize, depth+1)
		if err == nil {
			err = st.into(c, ev, depth+1)
		}
		if err != nil {
			return atKey(err, key)
		}
		v.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), ev)
	}
	return nil
}

func (st *decState) intoStruct(n decNode, v reflect.Value, depth int) error {
	s := structInfoOf(v.Type())
	prev, pp := "", uint64(0)
	j := 0 // keys and fields are both sorted: match them like a merge
	for i := 0; i < int(n.Len); i++ {
		k, kp, _, err := st.key(n.Data, i, prev, pp, depth+1)
		if err != nil {
			return atIndex(err, i)
		}
		prev, pp = k, kp
		for j < len(s.fields) && s.fields[j].name < k {
			j++
		}
		var f *fieldInfo
		if j < len(s.fields) && s.fields[j].name == k {
			f = &s.fields[j]
		} else if f = s.fold(k); f == nil {
			continue
		}
		fv, ok := fieldSet(v, f.index)
		if !ok {
			return atKey(fail(hffi.ETYPE, fmt.Sprintf("cannot set field %s of %s (unexported embedded pointer)", f.name, v.Type())), strings.Clone(k))
		}
		c, err := st.elem(n.Data+uint64(i)*abi.ValEntrySize+abi.ValSize, depth+1)
		if err == nil {
			err = st.into(c, fv, depth+1)
		}
		if err != nil {
			return atKey(err, strings.Clone(k))
		}
	}
	return nil
}
