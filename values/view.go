// SPDX-License-Identifier: Apache-2.0

package values

import (
	"fmt"
	"iter"
	"math"
	"math/bits"
	"strings"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// View is a read-only view of one node of a value tree, read in place in
// its arena: the Go twin of the hffi_val_* accessors of hffi.h. Where
// [Decode] copies a whole tree into Go maps, a View reads only what is
// asked for, with no Go heap allocation (except the copies [View.Str] and
// [View.Bytes] make).
//
// Every read checks the arena as C's accessors do: first its generation
// (one load of the arena's registry slot word, [arena.Check]), so that a
// View of an arena that was reset or freed since gives [hffi.ESTALE] or
// [hffi.ECLOSED]; then every offset and length it follows against what
// the arena had allocated, and the node's shape, so that corrupt bytes
// give [hffi.ECORRUPT] or [hffi.EBOUNDS]. No read crashes or reads outside
// the arena, whatever the bytes say. A kind mismatch is [hffi.ETYPE];
// numbers are never converted, except between int and uint when the value
// fits ([hffi.ERANGE] otherwise), as in C.
//
// A View is a small value (the reference of its node and the arena's
// extent as of [Open]); copy it freely. Reads are safe for concurrent use,
// but, as in C, not concurrently with a Reset or Free of the arena, nor
// with C building the tree. The zero View is not valid: its reads give
// [hffi.EZERO].
type View struct {
	r    arena.Ref
	base unsafe.Pointer // the arena's base address
	w    uint64         // the arena's slot word r passed Check with (see node)
	used uint64         // what the arena had allocated when the view was opened
}

// Open opens a view of the node r names: a root from [Encode], one C built
// with hffi_val_new, or any node a [View] or C's accessors gave. It
// checks r like hffi_val_kind does. No Go heap allocation.
func Open(r arena.Ref) (View, error) {
	ext, w, err := arena.ResolveExtentWord(r)
	if err != nil {
		return View{}, err
	}
	v := View{r: r, base: ext.Base, w: w, used: ext.Used}
	if _, err := v.load(abi.RefOffset(uint64(r))); err != nil { // the snapshot checked the generation
		return View{}, err
	}
	return v, nil
}

// viewErrs holds one error per code, made once, so that a read that fails
// (a key not found is a normal outcome) allocates nothing.
var viewErrs = func() (t []error) {
	for c := hffi.OK; c.Name() != "HFFI_UNKNOWN"; c-- {
		t = append(t, fmt.Errorf("values: view: %w", c))
	}
	return t
}()

func viewErr(c hffi.Code) error { return viewErrs[-c] }

const viewOffMask = 1<<abi.RefOffBits - 1

// Ref returns the reference of v's node, which C can read with the
// hffi_val_* accessors.
func (v View) Ref() arena.Ref { return v.r }

// child returns the view of the node at off, which a span check passed.
func (v View) child(off uint64) View {
	v.r = arena.Ref(uint64(v.r)&^viewOffMask | off/abi.RefOffScale)
	return v
}

// node checks v's arena, then reads and validates v's node: the twin of
// _hffi_val_open. The generation check is arena.Check alone, not a new
// snapshot of the arena: while the slot word passes for v's reference,
// the arena is the incarnation and generation v was opened in, so its
// base and floor are the ones v holds and what it has allocated has only
// grown (span looks again before it reports EBOUNDS). And while the word
// is the one v's reference passed with at Open, Check would pass again
// (it is a function of the reference and the word): one load and a
// compare, Check's tests only when the word changed. v's own offset
// needs no check: a View is made only by Open, which checks it, or for an
// element of an array that a span check passed.
func (v *View) node() (abi.Val, error) {
	if arena.Word(v.r) != v.w || v.w == 0 {
		return v.nodeChecked()
	}
	return v.at(abi.RefOffset(uint64(v.r)))
}

// nodeChecked is node when the word changed: Check decides.
func (v *View) nodeChecked() (abi.Val, error) {
	if err := arena.Check(v.r); err != nil {
		return abi.Val{}, err
	}
	return v.at(abi.RefOffset(uint64(v.r)))
}

// check is arena.Check(v.r), skipped while the arena's slot word is the
// one v was opened with. A live slot's word is never 0 (its state is
// LIVE): the zero View, whose w is 0, always goes to Check (EZERO).
func (v *View) check() error {
	if arena.Word(v.r) == v.w && v.w != 0 {
		return nil
	}
	return arena.Check(v.r)
}

// at reads and validates the node at off, which lies in v's extent and is
// aligned: v's own, or an element of a validated array.
func (v *View) at(off uint64) (abi.Val, error) {
	n := *(*abi.Val)(unsafe.Add(v.base, off))
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
		} else if v.in(n.Data, uint64(n.Len)+1) && *(*byte)(unsafe.Add(v.base, n.Data+uint64(n.Len))) == 0 {
			return n, nil
		}
	case abi.ValMap:
		if n.Len != 0 && n.Data%abi.RefOffScale == 0 && v.in(n.Data, uint64(n.Len)*abi.ValEntrySize) {
			return n, nil
		}
	}
	return n, v.shape(&n) // the other kinds, and the errors
}

// nodeKind is node that also wants a kind, like _hffi_val_open_kind.
func (v *View) nodeKind(k uint32) (abi.Val, error) {
	n, err := v.node()
	if err == nil && n.Kind != k {
		return n, viewErr(hffi.ETYPE)
	}
	return n, err
}

// in reports whether [off, off+size) lies in the extent v holds; size is
// below 2^37, so nothing overflows.
func (v *View) in(off, size uint64) bool {
	return off >= arena.WordLo(v.w) && off <= v.used && size <= v.used-off
}

// span checks that [off, off+size) lies in the allocated part of the
// arena, like _hffi_val_span. What v holds is the arena's extent when it
// was opened; before it reports EBOUNDS, span takes a fresh snapshot (C
// may have allocated since), as C's accessors do on every call.
func (v *View) span(off, size uint64) error {
	if v.in(off, size) {
		return nil
	}
	return v.respan(off, size)
}

func (v *View) respan(off, size uint64) error {
	ext, err := arena.ResolveExtent(v.r)
	if err != nil {
		return err
	}
	if ext.Used == v.used {
		return viewErr(hffi.EBOUNDS)
	}
	v.used = ext.Used
	if v.in(off, size) {
		return nil
	}
	return viewErr(hffi.EBOUNDS)
}

// load reads and validates the node at off, the twin of _hffi_val_node:
// the node is copied out of the arena in one read and validated as a
// whole.
func (v *View) load(off uint64) (abi.Val, error) {
	if off%abi.RefOffScale != 0 {
		return abi.Val{}, viewErr(hffi.ECORRUPT)
	}
	if err := v.span(off, abi.ValSize); err != nil {
		return abi.Val{}, err
	}
	return v.at(off)
}

// shape is the twin of _hffi_val_shape (and of decState.shape, which
// explains what it finds).
func (v *View) shape(n *abi.Val) error {
	switch n.Kind {
	case abi.ValNull:
		if n.Len != 0 || n.Data != 0 {
			return viewErr(hffi.ECORRUPT)
		}
	case abi.ValBool:
		if n.Len != 0 || n.Data > 1 {
			return viewErr(hffi.ECORRUPT)
		}
	case abi.ValInt, abi.ValUint, abi.ValFloat, abi.ValHandle:
		if n.Len != 0 {
			return viewErr(hffi.ECORRUPT)
		}
	case abi.ValStr, abi.ValBytes:
		if n.Len <= abi.ValInlineMax {
			if n.Data>>(8*n.Len) != 0 {
				return viewErr(hffi.ECORRUPT)
			}
			return nil
		}
		if err := v.span(n.Data, uint64(n.Len)+1); err != nil {
			return err
		}
		if *(*byte)(unsafe.Add(v.base, n.Data+uint64(n.Len))) != 0 {
			return viewErr(hffi.ECORRUPT)
		}
	case abi.ValList, abi.ValMap:
		if n.Len == 0 {
			if n.Data != 0 {
				return viewErr(hffi.ECORRUPT)
			}
			return nil
		}
		if n.Data%abi.RefOffScale != 0 {
			return viewErr(hffi.ECORRUPT)
		}
		size := uint64(abi.ValSize)
		if n.Kind == abi.ValMap {
			size = abi.ValEntrySize
		}
		return v.span(n.Data, uint64(n.Len)*size)
	default:
		return viewErr(hffi.ECORRUPT)
	}
	return nil
}

// text returns the bytes of the validated STR or BYTES node n at off, in
// the arena.
func (v *View) text(off uint64, n *abi.Val) string {
	if n.Len == 0 {
		return ""
	}
	p := unsafe.Add(v.base, n.Data)
	if n.Len <= abi.ValInlineMax {
		p = unsafe.Add(v.base, off+8)
	}
	return unsafe.String((*byte)(p), n.Len)
}

// Kind returns the kind of v's node, like hffi_val_kind.
func (v View) Kind() (Kind, error) {
	n, err := v.node()
	return Kind(n.Kind), err
}

// Len returns the length of a string or bytes node in bytes, or the
// number of elements of a list or entries of a map; [hffi.ETYPE] for
// other kinds. Like hffi_val_len.
func (v View) Len() (int, error) {
	n, err := v.node()
	if err != nil {
		return 0, err
	}
	switch n.Kind {
	case abi.ValStr, abi.ValBytes, abi.ValList, abi.ValMap:
		return int(n.Len), nil
	}
	return 0, viewErr(hffi.ETYPE)
}

// Bool returns a bool node's value, like hffi_val_get_bool.
func (v View) Bool() (bool, error) {
	n, err := v.nodeKind(abi.ValBool)
	return err == nil && n.Data != 0, err
}

// Int returns an int node's value, or a uint node's if it fits an int64
// ([hffi.ERANGE] otherwise), like hffi_val_get_int.
func (v View) Int() (int64, error) {
	n, err := v.node()
	if err != nil {
		return 0, err
	}
	if n.Kind == abi.ValUint && n.Data > math.MaxInt64 {
		return 0, viewErr(hffi.ERANGE)
	}
	if n.Kind != abi.ValInt && n.Kind != abi.ValUint {
		return 0, viewErr(hffi.ETYPE)
	}
	return int64(n.Data), nil
}

// Uint returns a uint node's value, or an int node's if it is not
// negative ([hffi.ERANGE] otherwise), like hffi_val_get_uint.
func (v View) Uint() (uint64, error) {
	n, err := v.node()
	if err != nil {
		return 0, err
	}
	if n.Kind == abi.ValInt && int64(n.Data) < 0 {
		return 0, viewErr(hffi.ERANGE)
	}
	if n.Kind != abi.ValInt && n.Kind != abi.ValUint {
		return 0, viewErr(hffi.ETYPE)
	}
	return n.Data, nil
}

// Float returns a float node's value, like hffi_val_get_float (an int
// node is [hffi.ETYPE]: scalars are not converted).
func (v View) Float() (float64, error) {
	n, err := v.nodeKind(abi.ValFloat)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(n.Data), nil
}

// Handle returns a handle node's handle as stored; the Go value it named
// may be gone, which [handles.Table.Value] reports. Like
// hffi_val_get_handle.
func (v View) Handle() (handles.Handle, error) {
	n, err := v.nodeKind(abi.ValHandle)
	if err != nil {
		return 0, err
	}
	return handles.Handle(n.Data), nil
}

// blob returns the bytes of a STR or BYTES node, in the arena.
func (v View) blob(k uint32) (string, error) {
	n, err := v.nodeKind(k)
	if err != nil {
		return "", err
	}
	return v.text(abi.RefOffset(uint64(v.r)), &n), nil
}

// Str returns a copy of a string node's text on the Go heap: it stays
// valid after the arena is reset. It allocates the copy; see
// [View.UnsafeStr] for a read without one.
func (v View) Str() (string, error) {
	s, err := v.blob(abi.ValStr)
	return strings.Clone(s), err
}

// UnsafeStr returns a string node's text in place: a Go string whose bytes
// are arena memory, like the pointer hffi_val_get_str gives C. No copy,
// no allocation; but the string is only valid until the arena is reset or
// freed. After that its bytes change under it (Go's usual guarantee that
// a string never changes does not hold), or reading them faults (debug
// mode protects reset memory). Use it for reads that end before the
// arena's next Reset, such as comparing, parsing or hashing, and
// strings.Clone what must outlive it.
func (v View) UnsafeStr() (string, error) { return v.blob(abi.ValStr) }

// Bytes returns a copy of a bytes node's contents on the Go heap. It
// allocates the copy.
func (v View) Bytes() ([]byte, error) {
	s, err := v.blob(abi.ValBytes)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// UnsafeBytes returns a bytes node's contents in place, in arena memory,
// with the lifetime [View.UnsafeStr] describes. The slice must not be
// written (other readers, C included, share it); its capacity is its
// length, so appending copies.
func (v View) UnsafeBytes() ([]byte, error) {
	s, err := v.blob(abi.ValBytes)
	if err != nil || len(s) == 0 {
		return []byte{}[:0:0], err
	}
	return unsafe.Slice(unsafe.StringData(s), len(s)), nil
}

// Index returns the view of element i of a list node ([hffi.EBOUNDS]
// past its end), like hffi_val_list_at. The element itself is checked
// when it is read.
func (v View) Index(i int) (View, error) {
	n, err := v.nodeKind(abi.ValList)
	if err != nil {
		return View{}, err
	}
	if i < 0 || uint64(i) >= uint64(n.Len) {
		return View{}, viewErr(hffi.EBOUNDS)
	}
	return v.child(n.Data + uint64(i)*abi.ValSize), nil
}

// Entry returns the views of the key (a string node) and the value of
// entry i of a map node, in key order, like hffi_val_map_at.
func (v View) Entry(i int) (key, val View, err error) {
	n, err := v.nodeKind(abi.ValMap)
	if err != nil {
		return View{}, View{}, err
	}
	if i < 0 || uint64(i) >= uint64(n.Len) {
		return View{}, View{}, viewErr(hffi.EBOUNDS)
	}
	off := n.Data + uint64(i)*abi.ValEntrySize
	return v.child(off), v.child(off + abi.ValSize), nil
}

// Find returns the view of the value under key in a map node, found by
// binary search, or [hffi.ENOTFOUND]: like hffi_val_map_find. Each key it
// compares is checked like any node (a key that is not a string is
// [hffi.ECORRUPT]).
func (v View) Find(key string) (View, error) {
	n, err := v.nodeKind(abi.ValMap)
	if err != nil {
		return View{}, err
	}
	return v.find(&n, key)
}

// find is _hffi_val_find: a binary search of the validated map node m.
// Keys are compared by their first 8 bytes as integers first (see
// encPrefix), which decides almost every comparison without a call; the
// rest of the bytes only for keys that share those 8.
func (v *View) find(m *abi.Val, key string) (View, error) {
	kp := encPrefix(key)
	lo, hi := uint64(0), uint64(m.Len)
	// The loop makes no call, so that it keeps its values in registers:
	// it reads short keys (most of them) in the entry array, which shape
	// checked, and leaves the rest of the search to findFrom at the first
	// key it cannot decide from the prefixes alone.
	for lo < hi {
		mid := (lo + hi) / 2 // below 2^32 each: no overflow
		koff := m.Data + mid*abi.ValEntrySize
		k := *(*abi.Val)(unsafe.Add(v.base, koff))
		if k.Kind != abi.ValStr || k.Len > abi.ValInlineMax || k.Data>>(8*k.Len) != 0 {
			break
		}
		p := bits.ReverseBytes64(k.Data) // the bytes, zero-padded
		if kp < p {
			hi = mid
		} else if kp > p {
			lo = mid + 1
		} else if len(key) == int(k.Len) { // then at most 7 bytes: the prefixes are the whole keys
			return v.child(koff + abi.ValSize), nil
		} else {
			break
		}
	}
	return v.findFrom(m, key, kp, lo, hi)
}

// findFrom is find's binary search from [lo, hi), for any keys: those
// that are not short strings are read and checked by keyAt, and keys that
// share a prefix are compared whole.
//
//go:noinline
func (v *View) findFrom(m *abi.Val, key string, kp, lo, hi uint64) (View, error) {
	for lo < hi {
		mid := (lo + hi) / 2
		koff := m.Data + mid*abi.ValEntrySize
		k := *(*abi.Val)(unsafe.Add(v.base, koff))
		var p uint64
		if k.Kind == abi.ValStr && k.Len <= abi.ValInlineMax && k.Data>>(8*k.Len) == 0 {
			p = bits.ReverseBytes64(k.Data)
		} else {
			var err error
			if k, p, err = v.keyAt(koff); err != nil {
				return View{}, err
			}
		}
		if kp < p {
			hi = mid
			continue
		}
		if kp > p {
			lo = mid + 1
			continue
		}
		// The prefixes are the whole keys when both are as long and at
		// most 8 bytes; otherwise the rest of the bytes decide.
		if len(key) != int(k.Len) || len(key) > 8 {
			if d := v.keyCmp(key, koff, k); d < 0 {
				hi = mid
				continue
			} else if d > 0 {
				lo = mid + 1
				continue
			}
		}
		return v.child(koff + abi.ValSize), nil
	}
	return View{}, viewErr(hffi.ENOTFOUND)
}

// keyAt reads and checks the key node at koff, which find could not read
// as a short string, and returns it and its prefix.
//
//go:noinline
func (v *View) keyAt(koff uint64) (abi.Val, uint64, error) {
	k, err := v.at(koff)
	if err != nil {
		return k, 0, err
	}
	if k.Kind != abi.ValStr {
		return k, 0, viewErr(hffi.ECORRUPT)
	}
	if k.Len <= abi.ValInlineMax {
		return k, bits.ReverseBytes64(k.Data), nil
	}
	// At least 8 bytes and a NUL: at checked them.
	return k, bits.ReverseBytes64(*(*uint64)(unsafe.Add(v.base, k.Data))), nil
}

// keyCmp compares key with the checked key node k at koff.
//
//go:noinline
func (v *View) keyCmp(key string, koff uint64, k abi.Val) int {
	return strings.Compare(key, v.text(koff, &k))
}

// Path follows a path of map keys and list indexes from v, such as
// `user.tags[2]` or `[0].name`, like hffi_val_path: a key runs up to the
// next '.' or '[' (keys that contain them need [View.Find]); the empty
// path is v itself. A malformed path is [hffi.EINVAL] whatever the tree
// holds, an index too big for a uint64 [hffi.EBOUNDS]; following it gives
// the codes of [View.Find] and [View.Index], or [hffi.ETYPE] for a step
// into a node that is not a map or a list. No Go heap allocation.
func (v View) Path(path string) (View, error) {
	// C checks the syntax of the whole path first. Here it is checked on
	// the way, and the rest of the path before a tree error is returned:
	// the same answers, one scan of the path.
	n, err := v.node()
	if err != nil {
		return View{}, pathOr(path, 0, err)
	}
	off := abi.RefOffset(uint64(v.r))
	for p := 0; p < len(path); {
		if path[p] == '[' {
			i, end, err := pathIndex(path, p+1)
			if err != nil {
				return View{}, err
			}
			p = end
			if n.Kind != abi.ValList {
				return View{}, pathOr(path, p, viewErr(hffi.ETYPE))
			}
			if i >= uint64(n.Len) {
				return View{}, pathOr(path, p, viewErr(hffi.EBOUNDS))
			}
			off = n.Data + i*abi.ValSize
		} else {
			if p != 0 {
				if path[p] != '.' {
					return View{}, viewErr(hffi.EINVAL)
				}
				p++
			}
			start := p
			for p < len(path) && path[p] != '.' && path[p] != '[' {
				p++
			}
			if p == start {
				return View{}, viewErr(hffi.EINVAL)
			}
			if n.Kind != abi.ValMap {
				return View{}, pathOr(path, p, viewErr(hffi.ETYPE))
			}
			c, err := v.find(&n, path[start:p])
			if err != nil {
				return View{}, pathOr(path, p, err)
			}
			off = abi.RefOffset(uint64(c.r))
		}
		if n, err = v.at(off); err != nil { // an element of an array shape checked
			return View{}, pathOr(path, p, err)
		}
	}
	return v.child(off), nil
}

// pathOr returns the syntax error of the rest of path from p, if any, and
// err otherwise.
func pathOr(path string, p int, err error) error {
	if e := pathCheck(path, p); e != nil {
		return e
	}
	return err
}

// pathIndex parses the digits of "[123]" from p, just after the '[', and
// returns the index and where the path goes on, like _hffi_val_index.
func pathIndex(path string, p int) (uint64, int, error) {
	if p >= len(path) || path[p] < '0' || path[p] > '9' {
		return 0, p, viewErr(hffi.EINVAL)
	}
	var i uint64
	for ; p < len(path) && path[p] >= '0' && path[p] <= '9'; p++ {
		if i > (math.MaxUint64-9)/10 {
			return 0, p, viewErr(hffi.EBOUNDS)
		}
		i = i*10 + uint64(path[p]-'0')
	}
	if p >= len(path) || path[p] != ']' {
		return 0, p, viewErr(hffi.EINVAL)
	}
	return i, p + 1, nil
}

// pathCheck validates the syntax of path from p, which starts a step,
// like _hffi_val_path_check does for a whole path.
func pathCheck(path string, p int) error {
	for p < len(path) {
		if path[p] == '[' {
			_, end, err := pathIndex(path, p+1)
			if err != nil {
				return err
			}
			p = end
			continue
		}
		if p != 0 {
			if path[p] != '.' {
				return viewErr(hffi.EINVAL)
			}
			p++
		}
		if p >= len(path) || path[p] == '.' || path[p] == '[' {
			return viewErr(hffi.EINVAL)
		}
		for p < len(path) && path[p] != '.' && path[p] != '[' {
			p++
		}
	}
	return nil
}

// Elems iterates over the elements of a list node: each yields its view
// and a nil error. If v cannot be read as a list, the one pair yielded is
// a zero View and the error (the code [View.Len] and [View.Index] give).
// The elements are checked when they are read.
func (v View) Elems() iter.Seq2[View, error] {
	return func(yield func(View, error) bool) {
		n, err := v.nodeKind(abi.ValList)
		if err != nil {
			yield(View{}, err)
			return
		}
		for i := uint64(0); i < uint64(n.Len); i++ {
			if !yield(v.child(n.Data+i*abi.ValSize), nil) {
				return
			}
		}
	}
}

// Entry is one entry of a map node, as [View.Entries] yields it. Key is
// the key's text in place, with the lifetime of [View.UnsafeStr].
type Entry struct {
	Key   string
	Value View
}

// Entries iterates over the entries of a map node in key order, each with
// a nil error, reading each key (checked like any read, the arena's
// generation included, so a loop body may Reset the arena safely: the
// next step fails). An error ends the sequence: the last pair yielded is
// a zero Entry and the error.
func (v View) Entries() iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		n, err := v.nodeKind(abi.ValMap)
		if err != nil {
			yield(Entry{}, err)
			return
		}
		for i := uint64(0); i < uint64(n.Len); i++ {
			if err := v.check(); err != nil {
				yield(Entry{}, err)
				return
			}
			koff := n.Data + i*abi.ValEntrySize
			k, err := v.at(koff)
			if err == nil && k.Kind != abi.ValStr {
				err = viewErr(hffi.ECORRUPT)
			}
			if err != nil {
				yield(Entry{}, err)
				return
			}
			if !yield(Entry{v.text(koff, &k), v.child(koff + abi.ValSize)}, nil) {
				return
			}
		}
	}
}

// Decode decodes the subtree v names into Go values, like [Decode].
func (v View) Decode() (any, error) { return Decode(v.r) }

// DecodeInto decodes the subtree v names into dst, like [DecodeInto].
func (v View) DecodeInto(dst any) error { return DecodeInto(v.r, dst) }
