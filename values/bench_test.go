// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"testing"

	"github.com/hffi-go/hffi/values"
)

// The comparative benchmarks (hffi against JSON through cgo) are in bench/;
// these measure the pieces alone.

var valSink any

func BenchmarkEncode(b *testing.B) {
	a := valArena(b)
	m := valBench()
	b.Run("Encoder", func(b *testing.B) {
		var enc values.Encoder
		b.ReportAllocs()
		for b.Loop() {
			a.Reset()
			if _, err := enc.Encode(a, m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pooled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a.Reset()
			if _, err := values.Encode(a, m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("struct", func(b *testing.B) {
		v := valOuter{Name: "bob", Age: 3, Inner: &valInner{Tags: []string{"a", "b"}}, Attrs: map[string]string{"k": "v"}}
		var enc values.Encoder
		b.ReportAllocs()
		for b.Loop() {
			a.Reset()
			if _, err := enc.Encode(a, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			a := valArena(b)
			for pb.Next() {
				a.Reset()
				if _, err := values.Encode(a, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkDecode(b *testing.B) {
	a := valArena(b)
	r, err := values.Encode(a, valBench())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("any", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v, err := values.Decode(r)
			if err != nil {
				b.Fatal(err)
			}
			valSink = v
		}
	})
	b.Run("struct", func(b *testing.B) {
		type addr struct {
			City  string `json:"city"`
			Zip   string `json:"zip"`
			Floor int    `json:"floor"`
		}
		type person struct {
			Name    string  `json:"name"`
			Email   string  `json:"email"`
			Note    string  `json:"note"`
			ID      int     `json:"id"`
			Age     int     `json:"age"`
			Score   float64 `json:"score"`
			Ratio   float64 `json:"ratio"`
			Active  bool    `json:"active"`
			Address addr    `json:"address"`
			Tags    []any   `json:"tags"`
		}
		b.ReportAllocs()
		for b.Loop() {
			var p person
			if err := values.DecodeInto(r, &p); err != nil {
				b.Fatal(err)
			}
			valSink = p
		}
	})
}

// BenchmarkView reads five fields of valBench in place, as
// BenchmarkMapFromC/hffi-view does with C's tree.
func BenchmarkView(b *testing.B) {
	a := valArena(b)
	r, err := values.Encode(a, valBench())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		v, err := values.Open(r)
		if err != nil {
			b.Fatal(err)
		}
		x, _ := v.Find("name")
		s, _ := x.UnsafeStr()
		x, _ = v.Find("id")
		i, _ := x.Int()
		x, _ = v.Find("score")
		f, _ := x.Float()
		x, _ = v.Find("active")
		t, _ := x.Bool()
		x, _ = v.Path("address.city")
		c, _ := x.UnsafeStr()
		if t {
			n += len(s) + int(i) + int(f) + len(c)
		}
	}
	valSink = n
}
