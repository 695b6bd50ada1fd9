// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
)

// handlePeer is one implementation of the cgo.Handle shape. The cgo-only
// file adds runtime/cgo.Handle itself.
type handlePeer struct {
	name  string
	new   func(v any) uintptr
	value func(h uintptr) any
	del   func(h uintptr)
	// The serial benchmarks of a peer, with its calls inlined in the loop.
	benchNewDelete func(b *testing.B, v any)
	benchValue     func(b *testing.B, n int)
}

var handlePeers = []handlePeer{{
	name:  "hffi",
	new:   func(v any) uintptr { return uintptr(handles.NewHandle(v)) },
	value: func(h uintptr) any { return handles.Handle(h).Value() },
	del:   func(h uintptr) { handles.Handle(h).Delete() },
}}

var sink any

// The peers are called directly (not through handlePeer) in the timed
// loops so that the benchmark measures them, not an indirect call.

func BenchmarkNewDelete(b *testing.B) {
	v := new(int) // pointer-shaped: converting it to any does not allocate
	b.Run("hffi", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			handles.NewHandle(v).Delete()
		}
	})
	b.Run("hffi.Of", func(b *testing.B) {
		tab, err := handles.NewOf[*int]()
		if err != nil {
			b.Fatal(err)
		}
		defer tab.Close()
		b.ReportAllocs()
		for b.Loop() {
			h, _ := tab.New(v)
			_ = tab.Delete(h)
		}
	})
	for _, p := range handlePeers[1:] {
		b.Run(p.name, func(b *testing.B) { p.benchNewDelete(b, v) })
	}
}

func BenchmarkNewDeleteParallel(b *testing.B) {
	for _, p := range handlePeers {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				v := new(int)
				for pb.Next() {
					p.del(p.new(v))
				}
			})
		})
	}
}

// BenchmarkNewDeleteWindowParallel: each goroutine keeps 64 handles alive
// and replaces the oldest, a steadier load than one handle per goroutine.
func BenchmarkNewDeleteWindowParallel(b *testing.B) {
	for _, p := range handlePeers {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				v := new(int)
				var ring [64]uintptr
				i := 0
				for pb.Next() {
					if ring[i] != 0 {
						p.del(ring[i])
					}
					ring[i] = p.new(v)
					i = (i + 1) & 63
				}
				for _, h := range ring {
					if h != 0 {
						p.del(h)
					}
				}
			})
		})
	}
}

// liveSet creates n handles with p and returns them in random order, and
// a function that deletes them.
func liveSet(p handlePeer, n int) ([]uintptr, func()) {
	hs := make([]uintptr, n)
	for i := range hs {
		hs[i] = p.new(&hs[i])
	}
	order := make([]uintptr, n)
	for i, j := range rand.Perm(n) {
		order[i] = hs[j]
	}
	return order, func() {
		for _, h := range hs {
			p.del(h)
		}
	}
}

var liveSizes = []int{1, 1000, 1000000}

func sizeName(n int) string {
	switch {
	case n >= 1000000 && n%1000000 == 0:
		return strconv.Itoa(n/1000000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

func BenchmarkValue(b *testing.B) {
	for _, n := range liveSizes {
		b.Run("live="+sizeName(n), func(b *testing.B) {
			b.Run("hffi", func(b *testing.B) {
				order, done := liveSet(handlePeers[0], n)
				defer done()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					sink = handles.Handle(order[i]).Value()
					if i++; i == len(order) {
						i = 0
					}
				}
			})
			for _, p := range handlePeers[1:] {
				b.Run(p.name, func(b *testing.B) { p.benchValue(b, n) })
			}
		})
	}
}

func BenchmarkValueParallel(b *testing.B) {
	for _, n := range liveSizes {
		b.Run("live="+sizeName(n), func(b *testing.B) {
			for _, p := range handlePeers {
				b.Run(p.name, func(b *testing.B) {
					order, done := liveSet(p, n)
					defer done()
					b.ReportAllocs()
					b.ResetTimer() // the live set is not measured
					b.RunParallel(func(pb *testing.PB) {
						i := rand.IntN(len(order))
						var s any
						for pb.Next() {
							s = p.value(order[i])
							if i++; i == len(order) {
								i = 0
							}
						}
						_ = s
					})
					b.StopTimer()
				})
			}
		})
	}
}

// TestBenchHandlesClean runs every peer once and proves the default table
// is left as it was.
func TestBenchHandlesClean(t *testing.T) {
	handlestest.Track(t)
	for _, p := range handlePeers {
		order, done := liveSet(p, 100)
		for _, h := range order {
			if got := p.value(h); got == nil {
				t.Fatalf("%s: nil value", p.name)
			}
		}
		done()
	}
}
