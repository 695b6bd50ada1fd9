// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/values"
)

// viewDecode rebuilds the Go value of v's subtree through the View API
// alone, checking on the way that each way of reaching a node (Index and
// Elems, Entry, Entries, Find and Path) reaches the same one.
func viewDecode(t *testing.T, v values.View) any {
	t.Helper()
	k, err := v.Kind()
	require.NoError(t, err)
	switch k {
	case values.KindNull:
		return nil
	case values.KindBool:
		b, err := v.Bool()
		require.NoError(t, err)
		return b
	case values.KindInt:
		i, err := v.Int()
		require.NoError(t, err)
		if i >= 0 {
			u, err := v.Uint()
			require.NoError(t, err)
			require.Equal(t, uint64(i), u)
		} else {
			_, err := v.Uint()
			require.ErrorIs(t, err, hffi.ERANGE)
		}
		return i
	case values.KindUint:
		u, err := v.Uint()
		require.NoError(t, err)
		_, err = v.Int()
		require.ErrorIs(t, err, hffi.ERANGE)
		return u
	case values.KindFloat:
		f, err := v.Float()
		require.NoError(t, err)
		return f
	case values.KindString:
		s, err := v.Str()
		require.NoError(t, err)
		u, err := v.UnsafeStr()
		require.NoError(t, err)
		require.Equal(t, s, u)
		n, err := v.Len()
		require.NoError(t, err)
		require.Equal(t, len(s), n)
		return s
	case values.KindBytes:
		b, err := v.Bytes()
		require.NoError(t, err)
		u, err := v.UnsafeBytes()
		require.NoError(t, err)
		require.Equal(t, b, u)
		require.Equal(t, len(u), cap(u), "appending must not write into the arena")
		return b
	case values.KindHandle:
		h, err := v.Handle()
		require.NoError(t, err)
		return h
	case values.KindList:
		n, err := v.Len()
		require.NoError(t, err)
		l := make([]any, 0, n)
		for e, err := range v.Elems() {
			require.NoError(t, err)
			at, err := v.Index(len(l))
			require.NoError(t, err)
			require.Equal(t, e.Ref(), at.Ref())
			p, err := v.Path("[" + strconv.Itoa(len(l)) + "]")
			require.NoError(t, err)
			require.Equal(t, e.Ref(), p.Ref())
			l = append(l, viewDecode(t, e))
		}
		require.Len(t, l, n)
		_, err = v.Index(n)
		require.ErrorIs(t, err, hffi.EBOUNDS)
		_, err = v.Index(-1)
		require.ErrorIs(t, err, hffi.EBOUNDS)
		return l
	case values.KindMap:
		n, err := v.Len()
		require.NoError(t, err)
		m := make(map[string]any, n)
		i := 0
		for e, err := range v.Entries() {
			require.NoError(t, err)
			kv, val, err := v.Entry(i)
			require.NoError(t, err)
			require.Equal(t, val.Ref(), e.Value.Ref())
			ks, err := kv.UnsafeStr()
			require.NoError(t, err)
			require.Equal(t, e.Key, ks)
			f, err := v.Find(e.Key)
			require.NoError(t, err)
			require.Equal(t, e.Value.Ref(), f.Ref())
			if !strings.ContainsAny(e.Key, ".[\x00") && e.Key != "" {
				p, err := v.Path(e.Key)
				require.NoError(t, err)
				require.Equal(t, e.Value.Ref(), p.Ref())
			}
			m[strings.Clone(e.Key)] = viewDecode(t, e.Value)
			i++
		}
		require.Len(t, m, n)
		_, _, err = v.Entry(n)
		require.ErrorIs(t, err, hffi.EBOUNDS)
		return m
	}
	t.Fatalf("kind %v", k)
	return nil
}

// TestViewProperty: reading a random tree through a View gives what Decode
// gives.
func TestViewProperty(t *testing.T) {
	a := valArena(t)
	r := rand.New(rand.NewPCG(3, 4))
	n := 300
	if testing.Short() {
		n = 60
	}
	for i := range n {
		want := valRandom(r, 0)
		a.Reset()
		ref, err := values.Encode(a, want)
		require.NoError(t, err)
		v, err := values.Open(ref)
		require.NoError(t, err)
		require.Equal(t, want, viewDecode(t, v), "case %d", i)
		got, err := v.Decode()
		require.NoError(t, err)
		require.Equal(t, want, got, "case %d", i)
	}
}

func TestViewAccessors(t *testing.T) {
	a := valArena(t)
	ref, err := values.Encode(a, map[string]any{
		"name": "Ada Lovelace", "short": "Ada", "id": 1815, "neg": -1, "big": uint64(math.MaxUint64),
		"score": 99.5, "active": true, "nil": nil, "raw": []byte("xyz"), "h": handles.Handle(42),
		"address": map[string]any{"city": "London", "a.b": 1, "x[0]": 2},
		"tags":    []any{"math", []any{1843, map[string]any{"deep": "yes"}}},
		"empty":   map[string]any{}, "none": []any{},
	})
	require.NoError(t, err)
	v, err := values.Open(ref)
	require.NoError(t, err)
	require.Equal(t, ref, v.Ref())

	get := func(path string) values.View {
		t.Helper()
		x, err := v.Path(path)
		require.NoError(t, err, path)
		return x
	}
	s, err := get("name").Str()
	require.NoError(t, err)
	assert.Equal(t, "Ada Lovelace", s)
	s, err = get("short").UnsafeStr()
	require.NoError(t, err)
	assert.Equal(t, "Ada", s)
	i, err := get("id").Int()
	require.NoError(t, err)
	assert.EqualValues(t, 1815, i)
	f, err := get("score").Float()
	require.NoError(t, err)
	assert.Equal(t, 99.5, f)
	b, err := get("active").Bool()
	require.NoError(t, err)
	assert.True(t, b)
	h, err := get("h").Handle()
	require.NoError(t, err)
	assert.Equal(t, handles.Handle(42), h)
	raw, err := get("raw").Bytes()
	require.NoError(t, err)
	assert.Equal(t, []byte("xyz"), raw)
	s, err = get("tags[1][1].deep").Str()
	require.NoError(t, err)
	assert.Equal(t, "yes", s)
	i, err = get("tags[1][0]").Int()
	require.NoError(t, err)
	assert.EqualValues(t, 1843, i)
	assert.Equal(t, ref, get("").Ref(), "the empty path is the node itself")
	addr := get("address")
	x, err := addr.Find("a.b")
	require.NoError(t, err)
	i, err = x.Int()
	require.NoError(t, err)
	assert.EqualValues(t, 1, i)
	k, err := get("nil").Kind()
	require.NoError(t, err)
	assert.Equal(t, values.KindNull, k)

	// Codes, as C gives them.
	for path, want := range map[string]hffi.Code{
		"nope": hffi.ENOTFOUND, "tags[9]": hffi.EBOUNDS, "tags.x": hffi.ETYPE, "address[0]": hffi.ETYPE,
		"a..b": hffi.EINVAL, ".a": hffi.EINVAL, "a.": hffi.EINVAL, "[": hffi.EINVAL, "[x]": hffi.EINVAL,
		"[1": hffi.EINVAL, "tags[0]x": hffi.EINVAL, "tags[99999999999999999999]": hffi.EBOUNDS,
		"empty.a": hffi.ENOTFOUND, "none[0]": hffi.EBOUNDS, "name.x": hffi.ETYPE,
	} {
		_, err := v.Path(path)
		assert.ErrorIs(t, err, want, path)
	}
	for name, err := range map[string]error{
		"str as int":     second(get("name").Int()),
		"float as int":   second(get("score").Int()),
		"int as float":   second(get("id").Float()),
		"int as str":     second(get("id").Str()),
		"str as bytes":   second(get("name").UnsafeBytes()),
		"bytes as str":   second(get("raw").UnsafeStr()),
		"null as bool":   second(get("nil").Bool()),
		"int as handle":  second(get("id").Handle()),
		"int len":        second(get("id").Len()),
		"map index":      second(get("address").Index(0)),
		"list find":      second(get("tags").Find("a")),
		"list entry":     third(get("tags").Entry(0)),
		"uint as int":    second(get("big").Int()),
		"neg as uint":    second(get("neg").Uint()),
		"missing key":    second(addr.Find("zzz")),
		"missing key lo": second(addr.Find("")),
	} {
		switch name {
		case "uint as int", "neg as uint":
			assert.ErrorIs(t, err, hffi.ERANGE, name)
		case "missing key", "missing key lo":
			assert.ErrorIs(t, err, hffi.ENOTFOUND, name)
		default:
			assert.ErrorIs(t, err, hffi.ETYPE, name)
		}
	}
	for _, err := range get("id").Elems() {
		assert.ErrorIs(t, err, hffi.ETYPE)
	}
	for _, err := range get("tags").Entries() {
		assert.ErrorIs(t, err, hffi.ETYPE)
	}

	var zero values.View
	_, err = zero.Kind()
	assert.ErrorIs(t, err, hffi.EZERO)
	_, err = values.Open(0)
	assert.ErrorIs(t, err, hffi.EZERO)
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }

// TestViewStale: after Reset, every read of every view of the tree is
// ESTALE, also once the arena holds a new tree at the same offsets, and
// ECLOSED after Free; nothing is read from the arena.
func TestViewStale(t *testing.T) {
	a, err := arena.New()
	require.NoError(t, err)
	ref, err := values.Encode(a, valBench())
	require.NoError(t, err)
	open := func(ref arena.Ref) (v, name, tags values.View) {
		v, err := values.Open(ref)
		require.NoError(t, err)
		name, err = v.Path("name")
		require.NoError(t, err)
		tags, err = v.Find("tags")
		require.NoError(t, err)
		s, err := name.UnsafeStr()
		require.NoError(t, err)
		require.Equal(t, "Ada Lovelace", s)
		return v, name, tags
	}
	v, name, tags := open(ref)
	reads := func() map[string]error {
		ref := v.Ref()
		return map[string]error{
			"Kind":   second(v.Kind()),
			"Len":    second(v.Len()),
			"Find":   second(v.Find("name")),
			"Path":   second(v.Path("address.city")),
			"Entry":  third(v.Entry(0)),
			"Str":    second(name.Str()),
			"Unsafe": second(name.UnsafeStr()),
			"Index":  second(tags.Index(0)),
			"Decode": second(v.Decode()),
			"Int":    second(name.Int()),
			"Float":  second(name.Float()),
			"Bool":   second(name.Bool()),
			"Handle": second(name.Handle()),
			"Bytes":  second(name.Bytes()),
			"UBytes": second(name.UnsafeBytes()),
			"Uint":   second(name.Uint()),
			"Reopen": second(values.Open(ref)),
			"Entries": func() error {
				for _, err := range v.Entries() {
					return err
				}
				return nil
			}(),
		}
	}
	a.Reset()
	for name, err := range reads() {
		assert.ErrorIs(t, err, hffi.ESTALE, name)
	}
	// The same bytes at the same offsets in the next generation: still
	// stale, since the generation is checked first.
	ref2, err := values.Encode(a, valBench())
	require.NoError(t, err)
	require.Equal(t, abi.RefOffset(uint64(ref)), abi.RefOffset(uint64(ref2)))
	for name, err := range reads() {
		assert.ErrorIs(t, err, hffi.ESTALE, name)
	}
	v, name, tags = open(ref2)
	require.NoError(t, a.Free())
	for name, err := range reads() {
		assert.ErrorIs(t, err, hffi.ECLOSED, name)
	}
}

// TestViewEntriesReset: a loop body that resets the arena ends the
// iteration with ESTALE at the next step, without reading the arena.
func TestViewEntriesReset(t *testing.T) {
	a := valArena(t)
	ref, err := values.Encode(a, valBench())
	require.NoError(t, err)
	v, err := values.Open(ref)
	require.NoError(t, err)
	steps := 0
	var last error
	for _, err := range v.Entries() {
		steps++
		last = err
		a.Reset()
	}
	assert.Equal(t, 2, steps)
	assert.ErrorIs(t, last, hffi.ESTALE)
}

// TestViewGrownArena: a view opened before C (here Go) allocated more of
// the arena still reads nodes linked into the new part, as C's accessors
// do: the extent a View holds is refreshed before it says EBOUNDS.
func TestViewGrownArena(t *testing.T) {
	a := valArena(t)
	p, err := a.Alloc(abi.ValSize, 8)
	require.NoError(t, err)
	root, err := a.Ref(p)
	require.NoError(t, err)
	*(*abi.Val)(p) = abi.Val{Kind: abi.ValNull}
	v, err := values.Open(root)
	require.NoError(t, err)
	// Make the root a one-element list whose array lies beyond what the
	// arena had allocated when v was opened.
	q, err := a.Alloc(abi.ValSize, 8)
	require.NoError(t, err)
	qr, err := a.Ref(q)
	require.NoError(t, err)
	*(*abi.Val)(q) = abi.Val{Kind: abi.ValInt, Data: 7}
	*(*abi.Val)(p) = abi.Val{Kind: abi.ValList, Len: 1, Data: abi.RefOffset(uint64(qr))}
	e, err := v.Index(0)
	require.NoError(t, err)
	i, err := e.Int()
	require.NoError(t, err)
	assert.EqualValues(t, 7, i)
	// Past what is allocated now: EBOUNDS.
	*(*abi.Val)(p) = abi.Val{Kind: abi.ValList, Len: 1, Data: abi.RefOffset(uint64(qr)) + 64}
	_, err = v.Index(0)
	assert.ErrorIs(t, err, hffi.EBOUNDS)
}

// TestViewAllocs: no read allocates, failed ones included.
func TestViewAllocs(t *testing.T) {
	if valInstrumented {
		t.Skip("allocation counts are meaningless under -race and -asan")
	}
	a := valArena(t)
	ref, err := values.Encode(a, valBench())
	require.NoError(t, err)
	v, err := values.Open(ref)
	require.NoError(t, err)
	var sink int
	for name, f := range map[string]func(){
		"Open": func() { _, _ = values.Open(ref) },
		"Path": func() {
			x, _ := v.Path("address.city")
			s, _ := x.UnsafeStr()
			sink += len(s)
		},
		"Find": func() {
			x, _ := v.Find("score")
			f, _ := x.Float()
			sink += int(f)
		},
		"Scalars": func() {
			x, _ := v.Find("id")
			i, _ := x.Int()
			u, _ := x.Uint()
			k, _ := x.Kind()
			y, _ := v.Find("active")
			b, _ := y.Bool()
			if b {
				sink += int(i) + int(u) + int(k)
			}
		},
		"Index": func() {
			x, _ := v.Find("tags")
			e, _ := x.Index(2)
			n, _ := x.Len()
			i, _ := e.Int()
			sink += int(i) + n
		},
		"Elems": func() {
			x, _ := v.Find("tags")
			for e := range x.Elems() {
				k, _ := e.Kind()
				sink += int(k)
			}
		},
		"Entries": func() {
			for e := range v.Entries() {
				sink += len(e.Key)
			}
		},
		"Entry": func() {
			k, _, _ := v.Entry(3)
			s, _ := k.UnsafeStr()
			sink += len(s)
		},
		"NotFound": func() { _, _ = v.Find("missing") },
		"BadPath":  func() { _, _ = v.Path("a..b") },
		"Type":     func() { _, _ = v.Int() },
		"Zero":     func() { _, _ = values.View{}.Kind() },
	} {
		assert.Zero(t, testing.AllocsPerRun(100, f), name)
	}
	a.Reset()
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = v.Find("name") }), "stale")
	_ = sink
}

// TestViewAgreesWithC: on random bytes and random paths, a View gives the
// code C's hffi_val_path then hffi_val_kind give, and the same kind.
func TestViewAgreesWithC(t *testing.T) {
	l := valLoad(t)
	a := valArena(t)
	rnd := rand.New(rand.NewPCG(11, 12))
	kind := l.outWord(t)
	counts := map[hffi.Code]int{}
	n := 300
	if testing.Short() {
		n = 60
	}
	for range n {
		a.Reset()
		var ref arena.Ref
		if rnd.IntN(3) == 0 {
			ref = viewRandomBytes(t, a, rnd)
		} else {
			var err error
			ref, err = values.Encode(a, valStripHandles(viewRandomTree(rnd, 0)))
			require.NoError(t, err)
			if rnd.IntN(2) == 0 {
				viewCorrupt(t, a, ref, rnd)
			}
		}
		for range 20 {
			path := viewRandomPath(rnd)
			crc := l.call(l.pathKind, l.rt, uintptr(ref), l.cstr(t, path), uintptr(kind))
			k, code := viewPathKind(ref, path)
			counts[crc]++
			require.Equal(t, crc, code, "path %q", path)
			if crc == hffi.OK {
				require.Equal(t, values.Kind(*(*uint32)(kind)), k, "path %q", path)
			}
		}
	}
	for _, c := range []hffi.Code{hffi.OK, hffi.ENOTFOUND, hffi.ETYPE, hffi.EINVAL, hffi.EBOUNDS, hffi.ECORRUPT} {
		assert.NotZero(t, counts[c], "no case gave %v", c.Name())
	}
}

// viewPathKind is value_path_kind of values/testdata/value_lib.c through a
// View: C checks the path's syntax before the tree.
func viewPathKind(ref arena.Ref, path string) (values.Kind, hffi.Code) {
	v, err := values.Open(ref)
	if err == nil {
		v, err = v.Path(path)
	} else if _, perr := (values.View{}).Path(path); errorsIsCode(perr, hffi.EINVAL) || errorsIsCode(perr, hffi.EBOUNDS) {
		err = perr
	}
	var k values.Kind
	if err == nil {
		k, err = v.Kind()
	}
	return k, hffi.ErrCode(err)
}

func errorsIsCode(err error, c hffi.Code) bool { return err != nil && hffi.ErrCode(err) == c }

// viewRandomTree is valRandom with keys a path can name, so that random
// paths find something.
func viewRandomTree(r *rand.Rand, depth int) any {
	switch k := r.IntN(10); {
	case depth < 4 && k < 3:
		l := make([]any, r.IntN(4))
		for i := range l {
			l[i] = viewRandomTree(r, depth+1)
		}
		return l
	case depth < 4 && k < 7:
		m := map[string]any{}
		for range r.IntN(6) {
			m[viewKeys[r.IntN(len(viewKeys))]] = viewRandomTree(r, depth+1)
		}
		return m
	default:
		return valRandom(r, 5)
	}
}

var viewKeys = []string{"a", "b", "c", "ab", "abcdefgh", "abcdefghi", "k.x", "z[1]"}

func viewRandomPath(r *rand.Rand) string {
	var b strings.Builder
	for i := range r.IntN(5) {
		switch r.IntN(8) {
		case 0, 1, 2:
			b.WriteString("[" + strconv.Itoa(r.IntN(5)) + "]")
		case 3:
			b.WriteString([]string{"[", "]", ".", "..", "[x]", "[99999999999999999999]", "[18446744073709551615]", "[01]"}[r.IntN(8)])
		default:
			if i > 0 || r.IntN(4) == 0 {
				b.WriteByte('.')
			}
			b.WriteString(viewKeys[r.IntN(len(viewKeys))])
		}
	}
	return b.String()
}

// viewRandomBytes fills an allocation with random nodes whose links mostly
// point into it, and returns a reference to one of them.
func viewRandomBytes(t *testing.T, a *arena.Arena, rnd *rand.Rand) arena.Ref {
	const region = 1024
	p, err := a.Alloc(region, 8)
	require.NoError(t, err)
	base, err := a.Ref(p)
	require.NoError(t, err)
	w := unsafe.Slice((*uint64)(p), region/8)
	for i := 0; i < len(w); i += 2 {
		r := rnd.Uint64()
		k, n := r%11, (r>>8)%12
		w[i] = k | n<<32
		w[i+1] = abi.RefOffset(uint64(base)) + rnd.Uint64N(region+32)&^7
		if (r>>40)%4 == 0 {
			w[i+1] = rnd.Uint64N(1 << 12)
		}
	}
	return arena.Ref(uint64(base) + uint64(rnd.IntN(region/16))*2)
}

// viewCorrupt overwrites a few words of the tree at ref.
func viewCorrupt(t *testing.T, a *arena.Arena, ref arena.Ref, rnd *rand.Rand) {
	img := valBytes(a, ref)
	p, err := arena.Resolve(ref, uintptr(len(img)))
	require.NoError(t, err)
	for range 1 + rnd.IntN(3) {
		w := rnd.IntN(len(img) / 8)
		x := []uint64{0, 1, 8, 9, ^uint64(0), uint64(len(img)) + 64, rnd.Uint64()}[rnd.IntN(7)]
		*(*uint64)(unsafe.Add(p, w*8)) = x
	}
}

// TestEncodeSortsSevenByteTies: the encoder sorts small maps by words whose
// last byte is the entry's index, not the key's eighth byte; keys that
// share their first seven bytes must still come out in byte order.
func TestEncodeSortsSevenByteTies(t *testing.T) {
	a := valArena(t)
	keys := []string{"abcdefgZ", "abcdefgA9", "abcdefg", "abcdefg\x00", "abcdefg\xff", "abcdefgAA", "abcdefh", "abcdefgB", "x"}
	for range 50 { // Go's map order differs from run to run
		m := map[string]any{}
		for i, k := range keys {
			m[k] = i
		}
		a.Reset()
		ref, err := values.Encode(a, m)
		require.NoError(t, err)
		root, err := values.Open(ref)
		require.NoError(t, err)
		var got []string
		for e, err := range root.Entries() {
			require.NoError(t, err)
			got = append(got, strings.Clone(e.Key))
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		require.Equal(t, want, got)
	}
}

// TestEncodeSortsSharedPrefixes: keys that share their first bytes (which
// the encoder's sort cannot tell apart by prefix alone) come out in byte
// order, in maps small and large, map[string]any and map[string]string.
func TestEncodeSortsSharedPrefixes(t *testing.T) {
	a := valArena(t)
	r := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{2, 3, 15, 16, 17, 40, 300} {
		m, ms := map[string]any{}, map[string]string{}
		for len(m) < n {
			k := strings.Repeat("abcdefgh"[:r.IntN(9)], 1+r.IntN(2)) + string(rune('a'+r.IntN(26))) + strconv.Itoa(r.IntN(50))
			if r.IntN(4) == 0 {
				k = k[:r.IntN(len(k)+1)]
			}
			m[k], ms[k] = len(m), k
		}
		for _, v := range []any{m, ms} {
			a.Reset()
			ref, err := values.Encode(a, v)
			require.NoError(t, err)
			root, err := values.Open(ref)
			require.NoError(t, err)
			prev, seen := "", 0
			for e, err := range root.Entries() {
				require.NoError(t, err)
				if seen > 0 {
					require.Less(t, prev, e.Key, "n=%d", n)
				}
				prev = strings.Clone(e.Key)
				seen++
			}
			require.Equal(t, n, seen)
		}
	}
	if !valInstrumented {
		m := map[string]any{"abcdefgh1": 1, "abcdefgh2": 2, "abcdefgh": 3, "abcdefg": 4}
		var enc values.Encoder
		assert.Zero(t, testing.AllocsPerRun(50, func() {
			a.Reset()
			_, _ = enc.Encode(a, m)
		}))
	}
}
