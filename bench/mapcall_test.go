// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/values"
)

// The cgo-only peers (mapcall_cgo_test.go): JSON + C.CBytes + C.free to C,
// JSON from C + json.Unmarshal back, and a tree built by C with hffi's
// builders. nil without cgo.
var (
	mapPeerToC       func(m map[string]any) error
	mapPeerFromC     func() (map[string]any, error)
	mapPeerFromCInto func(dst any) error
	mapBuildInC      func(a *arena.Arena) (arena.Ref, error)
)

// mapBench is the map of story 1 (PROBLEM.md): 10 entries of strings,
// ints, floats, a bool, a nested map and a []any.
func mapBench() map[string]any {
	return map[string]any{
		"name":    "Ada Lovelace",
		"email":   "ada@example.com",
		"note":    "first programmer",
		"id":      1815,
		"age":     36,
		"score":   99.5,
		"ratio":   0.125,
		"active":  true,
		"address": map[string]any{"city": "London", "zip": "W1", "floor": 2},
		"tags":    []any{"math", "poetry", 1843, 3.14},
	}
}

var mapSinkRef arena.Ref

// BenchmarkMapToC makes mapBench readable by C. hffi: Encode into a reused
// arena (Reset each iteration), 0 allocations. json+CBytes: json.Marshal,
// C.CBytes, C.free.
func BenchmarkMapToC(b *testing.B) {
	b.Run("hffi", mapToCHffi)
	b.Run("json+CBytes", mapToCJSON)
}

// BenchmarkMapFromC reads back into Go a map that C produced. hffi: Decode
// of a tree C built with hffi_val_* (built once). json: C.GoBytes of JSON
// text C holds, then json.Unmarshal into map[string]any. The -struct
// variants decode into a Go struct instead (DecodeInto, json.Unmarshal).
// hffi-view reads five fields in place (values.Open, Find, Path), without
// decoding the rest; json-fields unmarshals into a struct of those five
// fields only.
func BenchmarkMapFromC(b *testing.B) {
	b.Run("hffi", mapFromCHffi)
	b.Run("json", mapFromCJSON)
	b.Run("hffi-struct", mapFromCHffiStruct)
	b.Run("json-struct", mapFromCJSONStruct)
	b.Run("hffi-reuse", mapFromCHffiReuse)
	b.Run("json-reuse", mapFromCJSONReuse)
	b.Run("hffi-view", mapFromCHffiView)
	b.Run("json-fields", mapFromCJSONFields)
}

// mapFields is the five fields of mapRecord that a caller of the C
// function wants, of four kinds, one of them nested.
type mapFields struct {
	Name    string  `json:"name"`
	ID      int     `json:"id"`
	Score   float64 `json:"score"`
	Active  bool    `json:"active"`
	Address struct {
		City string `json:"city"`
	} `json:"address"`
}

var mapSinkFields mapFields

// mapViewFields reads the five fields of mapFields from the tree r names,
// in place: the strings alias the arena (UnsafeStr), valid until it is
// reset, so nothing is allocated.
func mapViewFields(r arena.Ref, f *mapFields) error {
	v, err := values.Open(r)
	if err != nil {
		return err
	}
	x, err := v.Find("name")
	if err == nil {
		f.Name, err = x.UnsafeStr()
	}
	if err == nil {
		x, err = v.Find("id")
	}
	var i int64
	if err == nil {
		i, err = x.Int()
		f.ID = int(i)
	}
	if err == nil {
		x, err = v.Find("score")
	}
	if err == nil {
		f.Score, err = x.Float()
	}
	if err == nil {
		x, err = v.Find("active")
	}
	if err == nil {
		f.Active, err = x.Bool()
	}
	if err == nil {
		x, err = v.Path("address.city")
	}
	if err == nil {
		f.Address.City, err = x.UnsafeStr()
	}
	return err
}

func mapFromCHffiView(b *testing.B) {
	r := mapTreeFromC(b)
	b.ReportAllocs()
	for b.Loop() {
		var f mapFields
		if err := mapViewFields(r, &f); err != nil {
			b.Fatal(err)
		}
		mapSinkFields = f
	}
}

func mapFromCJSONFields(b *testing.B) {
	if mapPeerFromCInto == nil {
		b.Skip("needs cgo")
	}
	b.ReportAllocs()
	for b.Loop() {
		var f mapFields
		if err := mapPeerFromCInto(&f); err != nil {
			b.Fatal(err)
		}
		mapSinkFields = f
	}
}

// mapFromCHffiReuse decodes into one map[string]any, cleared before each
// decode (DecodeInto fills a map that is there); mapFromCJSONReuse does
// the same with json.Unmarshal, which also fills a map that is there.
func mapFromCHffiReuse(b *testing.B) {
	r := mapTreeFromC(b)
	m := map[string]any{}
	b.ReportAllocs()
	for b.Loop() {
		clear(m)
		if err := values.DecodeInto(r, &m); err != nil {
			b.Fatal(err)
		}
	}
	sink = m
}

func mapFromCJSONReuse(b *testing.B) {
	if mapPeerFromCInto == nil {
		b.Skip("needs cgo")
	}
	m := map[string]any{}
	b.ReportAllocs()
	for b.Loop() {
		clear(m)
		if err := mapPeerFromCInto(&m); err != nil {
			b.Fatal(err)
		}
	}
	sink = m
}

// mapRecord is mapBench as a Go struct.
type mapRecord struct {
	Name    string  `json:"name"`
	Email   string  `json:"email"`
	Note    string  `json:"note"`
	ID      int     `json:"id"`
	Age     int     `json:"age"`
	Score   float64 `json:"score"`
	Ratio   float64 `json:"ratio"`
	Active  bool    `json:"active"`
	Address struct {
		City  string `json:"city"`
		Zip   string `json:"zip"`
		Floor int    `json:"floor"`
	} `json:"address"`
	Tags []any `json:"tags"`
}

var mapSinkRecord mapRecord

func mapToCHffi(b *testing.B) {
	m := mapBench()
	a, err := arena.New()
	require.NoError(b, err)
	defer a.Free()
	var enc values.Encoder
	b.ReportAllocs()
	for b.Loop() {
		a.Reset()
		r, err := enc.Encode(a, m)
		if err != nil {
			b.Fatal(err)
		}
		mapSinkRef = r
	}
}

func mapToCJSON(b *testing.B) {
	if mapPeerToC == nil {
		b.Skip("needs cgo")
	}
	m := mapBench()
	b.ReportAllocs()
	for b.Loop() {
		if err := mapPeerToC(m); err != nil {
			b.Fatal(err)
		}
	}
}

// mapTreeFromC has C build the benchmark map in a new arena, freed when b
// ends, and returns its root; it skips b without cgo.
func mapTreeFromC(b *testing.B) arena.Ref {
	if mapBuildInC == nil {
		b.Skip("needs cgo")
	}
	a, err := arena.New()
	require.NoError(b, err)
	b.Cleanup(func() { _ = a.Free() })
	r, err := mapBuildInC(a)
	require.NoError(b, err)
	return r
}

func mapFromCHffi(b *testing.B) {
	r := mapTreeFromC(b)
	b.ReportAllocs()
	for b.Loop() {
		v, err := values.Decode(r)
		if err != nil {
			b.Fatal(err)
		}
		sink = v
	}
}

func mapFromCJSON(b *testing.B) {
	if mapPeerFromC == nil {
		b.Skip("needs cgo")
	}
	b.ReportAllocs()
	for b.Loop() {
		v, err := mapPeerFromC()
		if err != nil {
			b.Fatal(err)
		}
		sink = v
	}
}

func mapFromCHffiStruct(b *testing.B) {
	r := mapTreeFromC(b)
	b.ReportAllocs()
	for b.Loop() {
		var rec mapRecord
		if err := values.DecodeInto(r, &rec); err != nil {
			b.Fatal(err)
		}
		mapSinkRecord = rec
	}
}

func mapFromCJSONStruct(b *testing.B) {
	if mapPeerFromCInto == nil {
		b.Skip("needs cgo")
	}
	b.ReportAllocs()
	for b.Loop() {
		var rec mapRecord
		if err := mapPeerFromCInto(&rec); err != nil {
			b.Fatal(err)
		}
		mapSinkRecord = rec
	}
}

// TestMapPeersAgree checks that every benchmark side moves the same map.
func TestMapPeersAgree(t *testing.T) {
	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	r, err := values.Encode(a, mapBench())
	require.NoError(t, err)
	want, err := values.Decode(r)
	require.NoError(t, err)
	if mapBuildInC == nil {
		t.Skip("the C peers need cgo")
	}
	r, err = mapBuildInC(a)
	require.NoError(t, err)
	got, err := values.Decode(r)
	require.NoError(t, err)
	require.Equal(t, want, got)
	j, err := mapPeerFromC()
	require.NoError(t, err)
	require.Len(t, j, len(want.(map[string]any)))
	require.NoError(t, mapPeerToC(mapBench()))
	var r1, r2 mapRecord
	require.NoError(t, values.DecodeInto(r, &r1))
	require.NoError(t, mapPeerFromCInto(&r2))
	require.Equal(t, r2.Address, r1.Address)
	require.Equal(t, "Ada Lovelace", r1.Name)
	require.Equal(t, r2.Score, r1.Score)
	var f1, f2 mapFields
	require.NoError(t, mapViewFields(r, &f1))
	require.NoError(t, mapPeerFromCInto(&f2))
	require.Equal(t, f2, f1)
	require.Equal(t, "London", f1.Address.City)
}

// BenchmarkMapBuildGo is the floor for BenchmarkMapFromC: building the same
// map[string]any in Go, from strings and numbers already in Go memory
// (strings copied, numbers boxed), with no decoding or validation at all.
func BenchmarkMapBuildGo(b *testing.B) {
	src := []string{"London", "W1", "ada@example.com", "Ada Lovelace", "first programmer", "math", "poetry",
		"active", "address", "age", "email", "id", "name", "note", "ratio", "score", "tags", "city", "floor", "zip"}
	nums := []int64{2, 36, 1815, 1843}
	fls := []float64{0.125, 99.5, 3.14}
	cp := func(i int) string { return string([]byte(src[i])) }
	b.ReportAllocs()
	for b.Loop() {
		addr := make(map[string]any, 3)
		addr[cp(17)] = cp(0)
		addr[cp(18)] = nums[0]
		addr[cp(19)] = cp(1)
		m := make(map[string]any, 10)
		m[cp(7)] = true
		m[cp(8)] = addr
		m[cp(9)] = nums[1]
		m[cp(10)] = cp(2)
		m[cp(11)] = nums[2]
		m[cp(12)] = cp(3)
		m[cp(13)] = cp(4)
		m[cp(14)] = fls[0]
		m[cp(15)] = fls[1]
		m[cp(16)] = []any{cp(5), cp(6), nums[3], fls[2]}
		sink = m
	}
}

// BenchmarkMapShapeGo is the lower floor for BenchmarkMapFromC: only the
// maps and the list of the result, built from keys and values that already
// exist in Go (no copying, boxing or decoding). It is what any decoder
// that returns a fresh map[string]any pays to Go's map and allocator.
func BenchmarkMapShapeGo(b *testing.B) {
	ks := []string{"active", "address", "age", "email", "id", "name", "note", "ratio", "score", "tags", "city", "floor", "zip"}
	vs := []any{true, int64(36), "ada@example.com", int64(1815), "Ada Lovelace", "first programmer", 0.125, 99.5,
		"London", int64(2), "W1", "math", "poetry", int64(1843), 3.14}
	b.ReportAllocs()
	for b.Loop() {
		addr := make(map[string]any, 3)
		addr[ks[10]] = vs[8]
		addr[ks[11]] = vs[9]
		addr[ks[12]] = vs[10]
		m := make(map[string]any, 10)
		m[ks[0]] = vs[0]
		m[ks[1]] = addr
		m[ks[2]] = vs[1]
		m[ks[3]] = vs[2]
		m[ks[4]] = vs[3]
		m[ks[5]] = vs[4]
		m[ks[6]] = vs[5]
		m[ks[7]] = vs[6]
		m[ks[8]] = vs[7]
		m[ks[9]] = []any{vs[11], vs[12], vs[13], vs[14]}
		sink = m
	}
}

// BenchmarkMapIterGo is the part of BenchmarkMapToC that no encoder of a
// map[string]any avoids: ranging over mapBench's two maps and keeping each
// entry.
func BenchmarkMapIterGo(b *testing.B) {
	m := mapBench()
	addr := m["address"].(map[string]any)
	var kvs [16]struct {
		k string
		v any
	}
	for b.Loop() {
		n := 0
		for k, v := range m {
			kvs[n].k, kvs[n].v = k, v
			n++
		}
		for k, v := range addr {
			kvs[n].k, kvs[n].v = k, v
			n++
		}
		mapSinkN += n
	}
}

var mapSinkN int
