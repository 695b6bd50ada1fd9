// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/values"
)

// valLib is values/testdata/value_lib.c with csrc/hffi*.c, loaded with purego
// (so the same test runs with and without cgo).
type valLib struct {
	copy, pathKind, pathInt, pathFloat, pathStr, walk uintptr
	rt                                                uintptr
	out                                               *arena.Arena // off-heap out-parameters and strings for C
}

var (
	valLibOnce sync.Once
	valLibVal  *valLib
	valLibErr  string
)

func valLoad(t testing.TB) *valLib {
	t.Helper()
	l := valTryLoad(t)
	if l == nil {
		t.Skip(valLibErr)
	}
	return l
}

// valTryLoad builds and loads the library once, or returns nil.
func valTryLoad(t testing.TB) *valLib {
	t.Helper()
	valLibOnce.Do(func() {
		if cbuild.CC() == nil {
			valLibErr = "no C compiler found (go env CC): skipping a test that builds values/testdata/value_lib.c"
			return
		}
		// The library stays mapped after tb's temporary directory is gone.
		valLibErr = "building or loading values/testdata/value_lib.c failed (see the first test that tried)"
		path := cbuild.SharedLib(t, "libvalue.so",
			[]string{"csrc/hffi.c", "csrc/hffi_value.c", "values/testdata/value_lib.c"})
		h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
		require.NoError(t, err)
		l := &valLib{rt: uintptr(hffi.Runtime())}
		for name, fp := range map[string]*uintptr{
			"value_copy": &l.copy, "value_path_kind": &l.pathKind, "value_path_int": &l.pathInt,
			"value_path_float": &l.pathFloat, "value_path_str": &l.pathStr, "value_walk": &l.walk,
		} {
			*fp, err = purego.Dlsym(h, name)
			require.NoError(t, err)
		}
		l.out, err = arena.New(arena.WithMaxSize(16 << 20))
		require.NoError(t, err)
		valLibVal = l
	})
	return valLibVal
}

func (l *valLib) call(fn uintptr, args ...uintptr) hffi.Code {
	r, _, _ := purego.SyscallN(fn, args...)
	return hffi.Code(int32(r))
}

// outWord allocates an 8-byte out-parameter in off-heap memory.
func (l *valLib) outWord(t testing.TB) unsafe.Pointer {
	p, err := l.out.Alloc(8, 8)
	require.NoError(t, err)
	return p
}

func (l *valLib) cstr(t testing.TB, s string) uintptr {
	p, err := l.out.CopyString(s)
	require.NoError(t, err)
	return uintptr(p)
}

// copyTree has C read every field of src and rebuild it in dst.
func (l *valLib) copyTree(t testing.TB, src arena.Ref, dst *arena.Arena) (arena.Ref, hffi.Code) {
	out := l.outWord(t)
	rc := l.call(l.copy, l.rt, uintptr(src), uintptr(dst.CArena()), uintptr(out))
	return arena.Ref(*(*uint64)(out)), rc
}

func (l *valLib) walkTree(t testing.TB, r arena.Ref) hffi.Code {
	out := l.outWord(t)
	return l.call(l.walk, l.rt, uintptr(r), uintptr(out))
}

// TestValueThroughC: Go encodes, C reads every field and rebuilds the
// tree with the builders, Go decodes C's tree: nothing is lost.
func TestValueThroughC(t *testing.T) {
	l := valLoad(t)
	src, dst := valArena(t), valArena(t)
	tbl, err := handles.NewTable()
	require.NoError(t, err)
	h, err := tbl.New("callback")
	require.NoError(t, err)
	defer func() { require.NoError(t, tbl.Delete(h)) }()

	check := func(t *testing.T, v any) {
		src.Reset()
		dst.Reset()
		r, err := values.Encode(src, v)
		require.NoError(t, err)
		want, err := values.Decode(r)
		require.NoError(t, err)
		c, rc := l.copyTree(t, r, dst)
		require.Equal(t, hffi.OK, rc, "value_copy: %v", rc)
		got, err := values.Decode(c)
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.Equal(t, hffi.OK, l.walkTree(t, c))
	}
	t.Run("bench map", func(t *testing.T) { check(t, valBench()) })
	t.Run("key lengths", func(t *testing.T) { check(t, valKeyLengths()) })
	t.Run("handle", func(t *testing.T) { check(t, map[string]any{"cb": h, "x": []any{h}}) })
	t.Run("struct", func(t *testing.T) {
		check(t, valOuter{Name: "n", Inner: &valInner{Tags: []string{"a"}}, Raw: [4]byte{1}})
	})
	t.Run("random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		n := 200
		if testing.Short() {
			n = 50
		}
		for range n {
			check(t, valStripHandles(valRandom(r, 0)))
		}
	})
}

// valStripHandles replaces random (unissued) handles, which C's builder
// rightly refuses, by ints.
func valStripHandles(v any) any {
	switch x := v.(type) {
	case handles.Handle:
		return int64(x)
	case []any:
		for i := range x {
			x[i] = valStripHandles(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = valStripHandles(x[k])
		}
	}
	return v
}

func TestValueCAccess(t *testing.T) {
	l := valLoad(t)
	a := valArena(t)
	r, err := values.Encode(a, valBench())
	require.NoError(t, err)

	i64 := l.outWord(t)
	for path, want := range map[string]int64{"id": 1815, "age": 36, "address.floor": 2, "tags[2]": 1843} {
		require.Equal(t, hffi.OK, l.call(l.pathInt, l.rt, uintptr(r), l.cstr(t, path), uintptr(i64)), path)
		assert.Equal(t, want, *(*int64)(i64), path)
	}
	require.Equal(t, hffi.OK, l.call(l.pathFloat, l.rt, uintptr(r), l.cstr(t, "tags[3]"), uintptr(i64)))
	assert.Equal(t, 3.14, *(*float64)(i64))
	buf, err := l.out.Alloc(64, 8)
	require.NoError(t, err)
	for path, want := range map[string]string{"name": "Ada Lovelace", "address.city": "London", "tags[0]": "math"} {
		require.Equal(t, hffi.OK, l.call(l.pathStr, l.rt, uintptr(r), l.cstr(t, path), uintptr(buf), 64), path)
		assert.Equal(t, want, unsafe.String((*byte)(buf), len(want)), path)
	}
	for path, want := range map[string]hffi.Code{
		"name":       hffi.ETYPE, // string, asked as int
		"score":      hffi.ETYPE, // float, asked as int: never a cast
		"nope":       hffi.ENOTFOUND,
		"tags[9]":    hffi.EBOUNDS,
		"tags.x":     hffi.ETYPE,
		"address[0]": hffi.ETYPE,
		"a..b":       hffi.EINVAL,
	} {
		assert.Equal(t, want, l.call(l.pathInt, l.rt, uintptr(r), l.cstr(t, path), uintptr(i64)), path)
	}
	kind := l.outWord(t)
	require.Equal(t, hffi.OK, l.call(l.pathKind, l.rt, uintptr(r), l.cstr(t, "address"), uintptr(kind)))
	assert.Equal(t, values.KindMap, *(*values.Kind)(kind))

	// After a reset, C's reference to the tree is rejected without a read.
	a.Reset()
	assert.Equal(t, hffi.ESTALE, l.call(l.pathInt, l.rt, uintptr(r), l.cstr(t, "id"), uintptr(i64)))
	assert.Equal(t, hffi.ESTALE, l.walkTree(t, r))
}

func TestValueCLargeMap(t *testing.T) {
	l := valLoad(t)
	a := valArena(t)
	const n = 5000
	m := make(map[string]any, n)
	for i := range n {
		m["k"+strconv.Itoa(i)] = i
	}
	r, err := values.Encode(a, m)
	require.NoError(t, err)
	out := l.outWord(t)
	for i := range n {
		if rc := l.call(l.pathInt, l.rt, uintptr(r), l.cstr(t, "k"+strconv.Itoa(i)), uintptr(out)); rc != hffi.OK || *(*int64)(out) != int64(i) {
			t.Fatalf("k%d: %v %d", i, rc, *(*int64)(out))
		}
	}
	assert.Equal(t, hffi.ENOTFOUND, l.call(l.pathInt, l.rt, uintptr(r), l.cstr(t, "k"), uintptr(out)))
}

// TestValueCorruptOffsets flips each word of an encoded tree, one at a
// time, to hostile values: C and Go must both answer with errors or with
// a consistent tree, never crash.
func TestValueCorruptOffsets(t *testing.T) {
	l := valLoad(t)
	a := valArena(t)
	evil := []uint64{0, 1, 7, 8, 63, 64, 0xffffffff, 1 << 32, ^uint64(0), ^uint64(0) >> 1}
	r, err := values.Encode(a, map[string]any{"a": []any{"x", 1, map[string]any{"b": []byte("yz")}}, "c": "dd"})
	require.NoError(t, err)
	img := valBytes(a, r)
	for w := 0; w < len(img)/8; w++ {
		for _, x := range append(evil, uint64(len(img))+64, uint64(a.Used())+abi.ArenaPrefix) {
			a.Reset()
			r2, err := values.Encode(a, map[string]any{"a": []any{"x", 1, map[string]any{"b": []byte("yz")}}, "c": "dd"})
			require.NoError(t, err)
			p, err := arena.Resolve(r2, uintptr(len(img)))
			require.NoError(t, err)
			*(*uint64)(unsafe.Add(p, w*8)) = x
			_, _ = values.Decode(r2)
			var s struct {
				A []any `json:"a"`
				C string
			}
			_ = values.DecodeInto(r2, &s)
			_ = l.walkTree(t, r2)
		}
	}
}

// TestValueShapeAgreesWithC: on random bytes, Go's decoder and C's
// accessors give the same verdict for every node (Go may fail deeper down
// where C only looked at the node itself).
func TestValueShapeAgreesWithC(t *testing.T) {
	l := valLoad(t)
	a := valArena(t)
	rnd := rand.New(rand.NewPCG(9, 10))
	const region = 2048
	kind := l.outWord(t)
	empty := l.cstr(t, "")
	counts := map[hffi.Code]int{}
	for range 50 {
		a.Reset()
		p, err := a.Alloc(region, 8)
		require.NoError(t, err)
		base, err := a.Ref(p)
		require.NoError(t, err)
		w := unsafe.Slice((*uint64)(p), region/8)
		for i := 0; i < len(w); i += 2 {
			r := rnd.Uint64()
			k, n := r%12, (r>>8)%40
			if (r>>20)%16 == 0 {
				n = r >> 32
			}
			w[i] = k | n<<32
			w[i+1] = abi.ArenaPrefix + rnd.Uint64N(region+64)
			if (r>>40)%3 == 0 {
				w[i+1] = rnd.Uint64()
			}
			if (r>>44)%4 == 0 {
				w[i+1] &^= 7
			}
		}
		for off := uint64(0); off < region+64; off += 8 {
			r := arena.Ref(uint64(base) + off/8)
			crc := l.call(l.pathKind, l.rt, uintptr(r), empty, uintptr(kind))
			_, err := values.Decode(r)
			counts[crc]++
			if crc != hffi.OK {
				var code hffi.Code
				require.ErrorAs(t, err, &code, "offset %d", off)
				require.Equal(t, crc, code, "offset %d: %v", off, err)
				continue
			}
			switch values.Kind(*(*uint32)(kind)) {
			case values.KindList, values.KindMap:
			default:
				require.NoError(t, err, "offset %d", off)
			}
		}
	}
	assert.NotZero(t, counts[hffi.OK])
	assert.NotZero(t, counts[hffi.ECORRUPT])
	assert.NotZero(t, counts[hffi.EBOUNDS])
}
