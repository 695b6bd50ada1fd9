// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/values"
)

func valArena(tb testing.TB) *arena.Arena {
	tb.Helper()
	a, err := arena.New(arena.WithMaxSize(64 << 20))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = a.Free() })
	return a
}

// valRoundTrip encodes v, checks the root's kind and decodes it again.
func valRoundTrip(t *testing.T, a *arena.Arena, v any) any {
	t.Helper()
	r, err := values.Encode(a, v)
	require.NoError(t, err)
	got, err := values.Decode(r)
	require.NoError(t, err)
	return got
}

type valInner struct {
	Tags []string `json:"tags"`
	Note string   `json:"note,omitempty"`
}

type valEmbedded struct {
	ID    int `json:"id"`
	Shown string
}

type valOuter struct {
	valEmbedded
	Name    string            `json:"name"`
	Age     uint8             `json:"age"`
	Skip    string            `json:"-"`
	Empty   []int             `json:"empty,omitempty"`
	Zero    valInner          `json:"zero,omitzero"`
	Inner   *valInner         `json:"inner"`
	NilPtr  *valInner         `json:"nil_ptr"`
	Attrs   map[string]string `json:"attrs"`
	Raw     [4]byte           `json:"raw"`
	Score   float32           `json:"score"`
	private int
}

type valColor string

func TestValueRoundTrip(t *testing.T) {
	a := valArena(t)
	long := strings.Repeat("x", 1000)
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"true", true, true},
		{"false", false, false},
		{"int", 42, int64(42)},
		{"negative", -7, int64(-7)},
		{"int8", int8(-128), int64(-128)},
		{"int64 min", int64(math.MinInt64), int64(math.MinInt64)},
		{"uint8", uint8(200), int64(200)},
		{"uint64 fits", uint64(math.MaxInt64), int64(math.MaxInt64)},
		{"uint64 big", uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{"uintptr", uintptr(9), int64(9)},
		{"float64", 3.25, 3.25},
		{"float32", float32(1.5), 1.5},
		{"inf", math.Inf(-1), math.Inf(-1)},
		{"empty string", "", ""},
		{"string", "héllo\x00world", "héllo\x00world"},
		{"long string", long, long},
		{"named string", valColor("red"), "red"},
		{"nil bytes", []byte(nil), nil},
		{"empty bytes", []byte{}, []byte{}},
		{"bytes", []byte{0, 1, 255}, []byte{0, 1, 255}},
		{"long bytes", []byte(long), []byte(long)},
		{"byte array", [3]byte{1, 2, 3}, []byte{1, 2, 3}},
		{"nil list", []any(nil), nil},
		{"empty list", []any{}, []any{}},
		{"list", []any{1, "a", nil, []any{true}}, []any{int64(1), "a", nil, []any{true}}},
		{"strings", []string{"a", "", long}, []any{"a", "", long}},
		{"ints", []int{1, 2}, []any{int64(1), int64(2)}},
		{"int array", [2]int16{-1, 1}, []any{int64(-1), int64(1)}},
		{"nil map", map[string]any(nil), nil},
		{"empty map", map[string]any{}, map[string]any{}},
		{"map", map[string]any{"b": 1, "a": map[string]any{"": "empty key"}},
			map[string]any{"b": int64(1), "a": map[string]any{"": "empty key"}}},
		{"map of strings", map[string]string{"k": "v", "long": long}, map[string]any{"k": "v", "long": long}},
		{"typed map", map[valColor][]float64{"red": {1}}, map[string]any{"red": []any{1.0}}},
		{"pointer", &[]any{1}, []any{int64(1)}},
		{"nil pointer", (*int)(nil), nil},
		{"handle", handles.Handle(77), handles.Handle(77)},
		{"struct", valOuter{
			valEmbedded: valEmbedded{ID: 5, Shown: "yes"},
			Name:        "bob", Age: 30, Skip: "no", Inner: &valInner{Tags: []string{"x"}},
			Attrs: map[string]string{"k": "v"}, Raw: [4]byte{9}, Score: 0.5, private: 1,
		}, map[string]any{
			"id": int64(5), "Shown": "yes", "name": "bob", "age": int64(30),
			"inner": map[string]any{"tags": []any{"x"}}, "nil_ptr": nil,
			"attrs": map[string]any{"k": "v"}, "raw": []byte{9, 0, 0, 0}, "score": 0.5,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, valRoundTrip(t, a, tt.in))
		})
	}
	t.Run("nan", func(t *testing.T) {
		got := valRoundTrip(t, a, math.NaN())
		assert.True(t, math.IsNaN(got.(float64)))
	})
	t.Run("negative zero", func(t *testing.T) {
		got := valRoundTrip(t, a, math.Copysign(0, -1))
		assert.Equal(t, math.Float64bits(math.Copysign(0, -1)), math.Float64bits(got.(float64)))
	})
}

// valBytes returns the bytes of the allocation that starts at r.
func valBytes(a *arena.Arena, r arena.Ref) []byte {
	p, err := arena.Resolve(r, 1)
	if err != nil {
		panic(err)
	}
	off := abi.RefOffset(uint64(r))
	return append([]byte(nil), unsafe.Slice((*byte)(p), uintptr(a.Used())+abi.ArenaPrefix-uintptr(off))...)
}

func TestValueDeterministic(t *testing.T) {
	a := valArena(t)
	build := func(order []int) map[string]any {
		m := map[string]any{}
		for _, i := range order {
			m[strings.Repeat("k", i+1)] = []any{i, float64(i) / 3, strings.Repeat("v", i*40)}
		}
		return m
	}
	var first []byte
	var enc values.Encoder // reused: its buffers hold the last tree's bytes
	junk := valArena(t)
	rnd := rand.New(rand.NewPCG(7, 8))
	for round := range 20 {
		order := rand.Perm(12)
		_, err := enc.Encode(junk, valStripHandles(valRandom(rnd, 0)))
		require.NoError(t, err)
		a.Reset()
		r, err := enc.Encode(a, build(order))
		require.NoError(t, err)
		b := valBytes(a, r)
		if round == 0 {
			first = b
			continue
		}
		require.Equal(t, first, b, "round %d", round)
	}
}

func TestValueKind(t *testing.T) {
	for k := values.KindNull; k <= values.KindHandle; k++ {
		assert.NotEqual(t, "invalid", k.String())
	}
	assert.Equal(t, "map", values.KindMap.String())
	assert.Equal(t, "invalid", values.Kind(10).String())
}

func TestValueEncodeErrors(t *testing.T) {
	a := valArena(t)
	self := map[string]any{}
	self["self"] = self
	list := []any{nil}
	list[0] = list
	type node struct {
		Next *node `json:"next"`
	}
	ring := &node{}
	ring.Next = ring
	deep := any("leaf")
	for range abi.ValMaxDepth + 1 {
		deep = []any{deep}
	}
	tests := []struct {
		name string
		in   any
		err  error
		msg  string
	}{
		{"chan", map[string]any{"user": map[string]any{"tags": []any{1, 2, 3, make(chan int)}}},
			hffi.ETYPE, "values: encode payload.user.tags[3]: unsupported type chan int"},
		{"func", []any{func() {}}, hffi.ETYPE, "values: encode payload[0]: unsupported type func()"},
		{"complex", map[string]any{"a b": complex(1, 2)}, hffi.ETYPE,
			`values: encode payload["a b"]: unsupported type complex128`},
		{"unsafe pointer", unsafe.Pointer(nil), hffi.ETYPE, "values: encode payload: unsupported type unsafe.Pointer"},
		{"int keys", map[int]string{1: "a"}, hffi.ETYPE,
			"values: encode payload: unsupported type map[int]string (map keys must be strings)"},
		{"struct field", struct {
			F func() `json:"f"`
		}{}, hffi.ETYPE, "values: encode payload.f: unsupported type func()"},
		{"map cycle", self, hffi.EINVAL, "cycle detected"},
		{"list cycle", list, hffi.EINVAL, "cycle detected"},
		{"pointer cycle", ring, hffi.EINVAL, "cycle detected"},
		{"too deep", deep, hffi.EINVAL, "nested deeper than 10000 levels"},
	}
	enc := values.Encoder{Name: "payload"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			used := a.Used()
			_, err := enc.Encode(a, tt.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.err)
			assert.Contains(t, err.Error(), tt.msg)
			var ve *values.Error
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "encode", ve.Op)
			assert.Equal(t, used, a.Used(), "a failed encode allocates nothing")
		})
	}
	_, err := values.Encode(nil, 1)
	assert.ErrorIs(t, err, hffi.EINVAL)
	_, err = values.Encode(a, make(chan int))
	assert.EqualError(t, err, "values: encode value: unsupported type chan int")
}

func TestValueHandles(t *testing.T) {
	a := valArena(t)
	tbl, err := handles.NewTable()
	require.NoError(t, err)
	before := tbl.Len()
	called := 0
	fn := func() { called++ }
	ch := make(chan int)
	enc := values.Encoder{Handles: tbl}
	r, err := enc.Encode(a, map[string]any{"cb": fn, "ch": ch, "n": 1})
	require.NoError(t, err)
	require.Len(t, enc.Created(), 2)
	assert.Equal(t, before+2, tbl.Len())

	// Without the table, handles come back as handles...
	plain, err := values.Decode(r)
	require.NoError(t, err)
	m := plain.(map[string]any)
	assert.Equal(t, enc.Created()[0], m["cb"])
	assert.Equal(t, enc.Created()[1], m["ch"])
	// ... with it, as the values they name.
	dec := values.Decoder{Handles: tbl}
	v, err := dec.Decode(r)
	require.NoError(t, err)
	v.(map[string]any)["cb"].(func())()
	assert.Equal(t, 1, called)
	assert.Equal(t, ch, v.(map[string]any)["ch"])
	var into struct {
		CB func()   `json:"cb"`
		Ch chan int `json:"ch"`
		N  int      `json:"n"`
	}
	require.NoError(t, dec.DecodeInto(r, &into))
	into.CB()
	assert.Equal(t, 2, called)
	assert.Equal(t, ch, into.Ch)

	// A failed encode deletes the handles it made.
	_, err = enc.Encode(a, []any{fn, map[int]int{}, map[string]any{"x": make(chan int), "y": func() {}}})
	require.NoError(t, err) // map[int]int becomes a handle too
	require.Len(t, enc.Created(), 4)
	for _, h := range enc.Created() {
		require.NoError(t, tbl.Delete(h))
	}
	self := []any{nil, fn}
	self[0] = self
	n := tbl.Len()
	_, err = enc.Encode(a, []any{fn, self})
	require.Error(t, err)
	assert.Equal(t, n, tbl.Len())

	for _, h := range []handles.Handle{m["cb"].(handles.Handle), m["ch"].(handles.Handle)} {
		require.NoError(t, tbl.Delete(h))
	}
	assert.Equal(t, before, tbl.Len())
	_, err = dec.Decode(r)
	require.Error(t, err, "the handles are gone")
}

func TestValueStale(t *testing.T) {
	a := valArena(t)
	r, err := values.Encode(a, map[string]any{"a": 1})
	require.NoError(t, err)
	_, err = values.Decode(r)
	require.NoError(t, err)
	a.Reset()
	_, err = values.Decode(r)
	assert.ErrorIs(t, err, hffi.ESTALE)
	var x map[string]any
	assert.ErrorIs(t, values.DecodeInto(r, &x), hffi.ESTALE)
	_, err = values.Decode(0)
	assert.ErrorIs(t, err, hffi.EZERO)
}

// valBench is the map of the benchmarks: 10 entries of every common kind.
func valBench() map[string]any {
	return map[string]any{
		"name":    "Ada Lovelace",
		"email":   "ada@example.com",
		"id":      1815,
		"age":     36,
		"score":   99.5,
		"ratio":   0.125,
		"active":  true,
		"address": map[string]any{"city": "London", "zip": "W1", "floor": 2},
		"tags":    []any{"math", "poetry", 1843, 3.14},
		"note":    "first programmer",
	}
}

func TestValueEncodeAllocs(t *testing.T) {
	if valInstrumented {
		t.Skip("allocation counts are meaningless under -race and -asan")
	}
	a := valArena(t)
	m := valBench()
	var enc values.Encoder
	allocs := testing.AllocsPerRun(200, func() {
		a.Reset()
		if _, err := enc.Encode(a, m); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs, "Encoder.Encode")
	allocs = testing.AllocsPerRun(200, func() {
		a.Reset()
		if _, err := values.Encode(a, m); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs, "Encode")
}

func TestDecodeInto(t *testing.T) {
	a := valArena(t)
	r, err := values.Encode(a, map[string]any{
		"id": 5, "Shown": "s", "NAME": "bob", "age": 30, "unknown": []any{1},
		"inner": map[string]any{"tags": []any{"a", "b"}}, "nil_ptr": nil,
		"attrs": map[string]any{"k": "v"}, "raw": []byte{1, 2, 3, 4}, "score": 2,
		"empty": nil,
	})
	require.NoError(t, err)
	var o valOuter
	o.Empty = []int{1}
	o.NilPtr = &valInner{}
	require.NoError(t, values.DecodeInto(r, &o))
	assert.Equal(t, valOuter{
		valEmbedded: valEmbedded{ID: 5, Shown: "s"},
		Name:        "bob", Age: 30, Inner: &valInner{Tags: []string{"a", "b"}},
		Attrs: map[string]string{"k": "v"}, Raw: [4]byte{1, 2, 3, 4}, Score: 2,
	}, o)

	var anyv any
	require.NoError(t, values.DecodeInto(r, &anyv))
	assert.Equal(t, int64(5), anyv.(map[string]any)["id"])

	var pm *map[string]any
	require.NoError(t, values.DecodeInto(r, &pm))
	assert.Equal(t, "bob", (*pm)["NAME"])

	assert.ErrorIs(t, values.DecodeInto(r, o), hffi.EINVAL)
	assert.ErrorIs(t, values.DecodeInto(r, (*valOuter)(nil)), hffi.EINVAL)
}

// DecodeInto a *map[string]any (its fast path) gives what Decode gives,
// and fills a map that is already there as encoding/json does: other keys
// stay, the tree's keys are overwritten.
func TestDecodeIntoMapAny(t *testing.T) {
	a := valArena(t)
	in := map[string]any{"id": 5, "name": "a string longer than inline", "tags": []any{"x", 1.5},
		"inner": map[string]any{"ok": true, "n": nil}}
	r, err := values.Encode(a, in)
	require.NoError(t, err)
	want, err := values.Decode(r)
	require.NoError(t, err)

	var m map[string]any
	require.NoError(t, values.DecodeInto(r, &m))
	assert.Equal(t, want, m)

	m = map[string]any{"id": "old", "kept": 1}
	require.NoError(t, values.DecodeInto(r, &m))
	assert.Equal(t, int64(5), m["id"])
	assert.Equal(t, 1, m["kept"])
	assert.Len(t, m, len(in)+1)

	null, err := values.Encode(a, nil)
	require.NoError(t, err)
	require.NoError(t, values.DecodeInto(null, &m))
	assert.Nil(t, m, "null sets the map to nil")

	// Reused, the map costs no allocation: what remains is the values'.
	m = map[string]any{}
	reuse := testing.AllocsPerRun(50, func() {
		clear(m)
		_ = values.DecodeInto(r, &m)
	})
	fresh := testing.AllocsPerRun(50, func() {
		var m map[string]any
		_ = values.DecodeInto(r, &m)
	})
	assert.Less(t, reuse, fresh)
}

func TestDecodeIntoErrors(t *testing.T) {
	a := valArena(t)
	enc := func(v any) arena.Ref {
		r, err := values.Encode(a, v)
		require.NoError(t, err)
		return r
	}
	tests := []struct {
		name string
		in   any
		dst  any
		err  error
		msg  string
	}{
		{"int8 overflow", map[string]any{"a": []any{1, 300}}, new(map[string][]int8), hffi.ERANGE,
			"values: decode value.a[1]: 300 overflows int8"},
		{"negative into uint", -1, new(uint), hffi.ERANGE, "-1 overflows uint"},
		{"big uint into int64", uint64(math.MaxUint64), new(int64), hffi.ERANGE, "overflows int64"},
		{"inexact float", 1<<53 + 1, new(float64), hffi.ERANGE, "is not exact as float64"},
		{"inexact float32", 1<<24 + 1, new(float32), hffi.ERANGE, "is not exact as float32"},
		{"float32 overflow", 1e300, new(float32), hffi.ERANGE, "overflows float32"},
		{"float into int", 1.5, new(int), hffi.ETYPE, "cannot decode float into int"},
		{"string into int", map[string]any{"x": "1"}, new(struct{ X int }), hffi.ETYPE,
			"values: decode value.x: cannot decode str into int"},
		{"bytes into string", []byte("x"), new(string), hffi.ETYPE, "cannot decode bytes into string"},
		{"short array", []byte("xy"), new([3]byte), hffi.ETYPE, "cannot decode 2 bytes into [3]uint8"},
		{"map into slice", map[string]any{}, new([]int), hffi.ETYPE, "cannot decode map into []int"},
		{"int keys", map[string]any{}, new(map[int]int), hffi.ETYPE, "keys must be strings"},
		{"list into map", []any{}, new(map[string]any), hffi.ETYPE, "cannot decode list into map[string]interface {}"},
		{"handle without table", handles.Handle(3), new(func()), hffi.ETYPE, "cannot decode handle into func()"},
		{"into error interface", 1, new(error), hffi.ETYPE, "cannot decode int into error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := values.DecodeInto(enc(tt.in), tt.dst)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
	// Exact conversions are fine.
	var f float32
	require.NoError(t, values.DecodeInto(enc(1<<24), &f))
	assert.Equal(t, float32(1<<24), f)
	var arr [3]int
	arr[2] = 9
	require.NoError(t, values.DecodeInto(enc([]any{1, 2}), &arr))
	assert.Equal(t, [3]int{1, 2, 0}, arr)
	var bs []byte
	require.NoError(t, values.DecodeInto(enc([]any{1, 2}), &bs))
	assert.Equal(t, []byte{1, 2}, bs)
	n := 5
	require.NoError(t, values.DecodeInto(enc(nil), &n))
	assert.Equal(t, 5, n, "null leaves scalars alone")
	var h handles.Handle
	require.NoError(t, values.DecodeInto(enc(handles.Handle(4)), &h))
	assert.Equal(t, handles.Handle(4), h)
}

// valRandom makes a random tree of the canonical decoded types, so that
// Decode(Encode(v)) must equal v.
func valRandom(r *rand.Rand, depth int) any {
	k := r.IntN(12)
	if depth > 4 && k >= 9 {
		k = r.IntN(9)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return int64(r.Uint64())
	case 3:
		return uint64(math.MaxInt64) + 1 + r.Uint64N(math.MaxInt64)
	case 4:
		return r.NormFloat64() * 1e6
	case 5:
		return valRandomString(r)
	case 6:
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	case 7:
		return handles.Handle(r.Uint64N(1 << 40))
	case 8:
		return int64(r.IntN(256))
	case 9, 10:
		l := make([]any, r.IntN(6))
		for i := range l {
			l[i] = valRandom(r, depth+1)
		}
		return l
	default:
		m := make(map[string]any)
		for range r.IntN(8) {
			m[valRandomString(r)] = valRandom(r, depth+1)
		}
		return m
	}
}

func valRandomString(r *rand.Rand) string {
	n := r.IntN(20)
	if r.IntN(10) == 0 {
		n = 200 + r.IntN(400)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = "abc\x00é/[]."[r.IntN(10)]
	}
	return string(b)
}

func TestValueProperty(t *testing.T) {
	a := valArena(t)
	r := rand.New(rand.NewPCG(1, 2))
	n := 500
	if testing.Short() {
		n = 100
	}
	for i := range n {
		v := valRandom(r, 0)
		a.Reset()
		got := valRoundTrip(t, a, v)
		if !assert.Equal(t, v, got, "case %d", i) {
			return
		}
	}
}

func TestValueErrorUnwrap(t *testing.T) {
	e := &values.Error{Op: "decode", Path: "v[1]", Err: hffi.ECORRUPT}
	assert.Equal(t, "values: decode v[1]: corrupt data", e.Error())
	assert.True(t, errors.Is(e, hffi.ECORRUPT))
}

func TestValueText(t *testing.T) {
	a := valArena(t)
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	addr := netip.MustParseAddr("192.0.2.1")
	type event struct {
		At   time.Time   `json:"at"`
		From *netip.Addr `json:"from"`
		Big  *big.Int    `json:"big"`
		None *time.Time  `json:"none"`
	}
	in := event{At: when, From: &addr, Big: big.NewInt(12345678901234)}
	got := valRoundTrip(t, a, in)
	assert.Equal(t, map[string]any{"at": "2024-05-06T07:08:09Z", "from": "192.0.2.1", "big": "12345678901234", "none": nil}, got)
	r, err := values.Encode(a, in)
	require.NoError(t, err)
	var out event
	require.NoError(t, values.DecodeInto(r, &out))
	assert.True(t, when.Equal(out.At))
	assert.Equal(t, addr, *out.From)
	assert.Zero(t, in.Big.Cmp(out.Big))
	assert.Nil(t, out.None)
	r, err = values.Encode(a, map[string]any{"at": "yesterday"})
	require.NoError(t, err)
	err = values.DecodeInto(r, &out)
	assert.ErrorIs(t, err, hffi.EINVAL)
	assert.Contains(t, err.Error(), "values: decode value.at: time.Time.UnmarshalText")
	// A value whose pointer implements TextMarshaler, not addressable.
	got = valRoundTrip(t, a, []any{*big.NewInt(7)})
	assert.Equal(t, []any{"7"}, got)
}

// TestValueKeyLengths covers the short-string and sort-prefix paths at
// every length around the 8-byte word, with bytes that sort differently
// signed and unsigned.
func TestValueKeyLengths(t *testing.T) {
	a := valArena(t)
	m := valKeyLengths()
	got := valRoundTrip(t, a, m)
	assert.Equal(t, map[string]any(m), got)
	// Decode checks that keys are strictly increasing, so a prefix that
	// sorted differently from Go's string order would have failed above.
}

func valKeyLengths() map[string]any {
	m := map[string]any{}
	for n := range 20 {
		for _, c := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff} {
			k := []byte(strings.Repeat("k", n))
			if n > 0 {
				k[n-1] = c
			}
			m[string(k)] = string(k) + "|" + string(k)
		}
	}
	return m
}

// TestValueEncoderRetainsNothing: an Encoder keeps its buffers, not the
// caller's values.
func TestValueEncoderRetainsNothing(t *testing.T) {
	a := valArena(t)
	var enc values.Encoder
	done := make(chan struct{}, 3)
	func() {
		type big struct{ b [1 << 10]byte }
		v1, v2, v3 := &big{}, &[]byte{1}, new(string)
		*v3 = strings.Repeat("s", 1000) // a blit
		runtime.AddCleanup(v1, func(chan struct{}) { done <- struct{}{} }, done)
		runtime.AddCleanup(v2, func(chan struct{}) { done <- struct{}{} }, done)
		runtime.AddCleanup(v3, func(chan struct{}) { done <- struct{}{} }, done)
		_, err := enc.Encode(a, map[string]any{"n": map[string]any{"x": v1, "y": []any{v2}}, "s": v3})
		require.NoError(t, err)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for got := 0; got < 3; {
		runtime.GC()
		select {
		case <-done:
			got++
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Encoder keeps %d values alive", 3-got)
		}
	}
	runtime.KeepAlive(&enc)
}

// TestValueCorruptElements: the decoder's map and list loops check and
// decode the commonest elements in place; every malformed element must
// still give the error the accessors give (a short string with bytes after
// its length is corrupt, whatever its data would be as a link), in a map
// value, a map key and a list element, through Decode and DecodeInto.
func TestValueCorruptElements(t *testing.T) {
	a := valArena(t)
	m := map[string]any{"l": []any{"x", 1}}
	for i := range 12 { // enough entries for arena offsets above 255
		m["k"+strconv.Itoa(i+10)] = "v"
	}
	r, err := values.Encode(a, m)
	require.NoError(t, err)
	img := valBytes(a, r)
	base := abi.RefOffset(uint64(r))
	last := base + abi.ValSize + uint64(len(m)-1)*abi.ValEntrySize // the last key node, "l"
	require.Greater(t, last, uint64(0xff))
	type patch struct {
		what string
		word int // which 8-byte word of the tree
		kind uint32
		n    uint32
		data uint64
	}
	var patches []patch
	val0 := (abi.ValSize + abi.ValSize) / 8 // the value node of entry 0 ("k10")
	key0 := abi.ValSize / 8
	for n := uint32(1); n <= abi.ValInlineMax; n++ {
		for _, d := range []uint64{last, 1 << (8 * n), ^uint64(0)} {
			if d>>(8*n) == 0 {
				continue // a valid short string
			}
			patches = append(patches,
				patch{"map value", val0, abi.ValStr, n, d},
				patch{"map key", key0, abi.ValStr, n, d})
		}
	}
	patches = append(patches,
		patch{"int with a length", val0, abi.ValInt, 1, 5},
		patch{"float with a length", val0, abi.ValFloat, 1, 5},
		patch{"bool 2", val0, abi.ValBool, 0, 2},
		patch{"long string out of bounds", val0, abi.ValStr, 9, 1 << 40},
		patch{"long string without its NUL", val0, abi.ValStr, 8, last - abi.ValEntrySize}) // "k21": byte 8 is 'k'

	for _, p := range patches {
		for _, into := range []bool{false, true} {
			a.Reset()
			r, err := values.Encode(a, m)
			require.NoError(t, err)
			q, err := arena.Resolve(r, uintptr(len(img)))
			require.NoError(t, err)
			w := unsafe.Slice((*uint64)(q), len(img)/8)
			w[p.word] = uint64(p.kind) | uint64(p.n)<<32
			w[p.word+1] = p.data
			if into {
				var got map[string]any
				err = values.DecodeInto(r, &got)
			} else {
				_, err = values.Decode(r)
			}
			if !assert.Error(t, err, "%s: %d bytes, data %#x", p.what, p.n, p.data) {
				continue
			}
			assert.True(t, errors.Is(err, hffi.ECORRUPT) || errors.Is(err, hffi.EBOUNDS), "%s: %v", p.what, err)
		}
	}
	// The same in a list: its first element, "x".
	a.Reset()
	r, err = values.Encode(a, map[string]any{"l": []any{"x", 1}})
	require.NoError(t, err)
	lst := abi.RefOffset(uint64(r)) + abi.ValSize + abi.ValEntrySize // the list's array follows the root's one entry
	q, err := arena.Resolve(r, uintptr(lst-abi.RefOffset(uint64(r))+2*abi.ValSize))
	require.NoError(t, err)
	e := (*abi.Val)(unsafe.Add(q, lst-abi.RefOffset(uint64(r))))
	require.Equal(t, uint32(abi.ValStr), e.Kind)
	*e = abi.Val{Kind: abi.ValStr, Len: 1, Data: 1 << 8}
	_, err = values.Decode(r)
	assert.ErrorIs(t, err, hffi.ECORRUPT)
}

// TestDecodeValuesOutliveTheirTree: Decode boxes strings and numbers in
// slabs shared by a tree's values (string headers next to their bytes, in
// memory the garbage collector does not scan); a value kept alone must
// stay intact through collections that free the rest of its tree and
// reuse the memory.
func TestDecodeValuesOutliveTheirTree(t *testing.T) {
	a := valArena(t)
	want := map[string]any{}
	for i := range 300 {
		k := "k" + strconv.Itoa(i)
		switch i % 3 {
		case 0:
			want[k] = strings.Repeat(string(rune('a'+i%26)), i%150) // short, slab-long and own-allocation strings
		case 1:
			want[k] = int64(i) << 20
		default:
			want[k] = []any{strings.Repeat("x", i%9), float64(i)}
		}
	}
	r, err := values.Encode(a, want)
	require.NoError(t, err)
	type kept struct {
		k string
		v any
	}
	var keep []kept
	for i := range 60 {
		v, err := values.Decode(r)
		require.NoError(t, err)
		for k, x := range v.(map[string]any) {
			if len(keep) < (i+1)*5 && (len(k)+i)%7 == 0 {
				keep = append(keep, kept{strings.Clone(k), x}) // the key alone would keep a slab alive
			}
		}
	}
	for range 3 {
		runtime.GC()
		junk := make([][]byte, 0, 3000)
		for i := range 3000 { // every size class the slabs use
			junk = append(junk, bytes.Repeat([]byte{0xa5}, 16+i*7%5000))
		}
		runtime.KeepAlive(junk)
	}
	require.NotEmpty(t, keep)
	for _, x := range keep {
		require.Equal(t, want[x.k], x.v, x.k)
	}
}
