// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/ffi"
)

func qsortCmp(a, b unsafe.Pointer) int32 {
	qsortCalls++
	x, y := *(*int64)(a), *(*int64)(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// BenchmarkQsort sorts 100,000 int64 with libc's qsort, which gives its
// comparator no user data; ns/cmp is the time per comparison. hffi's
// comparator is a callback made with ffi.NoUserData (a libffi closure).
func BenchmarkQsort(b *testing.B) {
	const n = 100_000
	lib, err := ffi.Open("libc.so.6")
	if err != nil {
		b.Skipf("libc.so.6: %v", err)
	}
	var qsort func(base unsafe.Pointer, n, size, cmp uintptr)
	if err := ffi.BindVoid4(&qsort, lib.Sym("qsort")); err != nil {
		b.Fatal(err)
	}
	mem, err := arena.New()
	if err != nil {
		b.Fatal(err)
	}
	defer mem.Free()
	p, err := mem.Alloc(8*n, 8)
	if err != nil {
		b.Fatal(err)
	}
	xs := unsafe.Slice((*int64)(p), n)
	src := make([]int64, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range src {
		src[i] = r.Int64()
	}
	run := func(b *testing.B, sort func()) {
		b.ReportAllocs()
		qsortCalls = 0
		var d time.Duration
		for b.Loop() {
			b.StopTimer()
			copy(xs, src)
			b.StartTimer()
			t0 := time.Now()
			sort()
			d += time.Since(t0)
		}
		b.ReportMetric(float64(d.Nanoseconds())/float64(qsortCalls), "ns/cmp")
	}
	b.Run("hffi", func(b *testing.B) {
		cb, err := ffi.NewCallback2(qsortCmp, ffi.NoUserData())
		if err != nil {
			b.Skip(err)
		}
		defer cb.Close()
		run(b, func() { qsort(p, n, 8, cb.Fn()) })
	})
	if cgoQsortPeer != nil {
		b.Run("cgo", func(b *testing.B) { run(b, func() { cgoQsortPeer(p, n) }) })
	}
	b.Run("purego.NewCallback", func(b *testing.B) {
		fn := puregoQsortCmp()
		run(b, func() { qsort(p, n, 8, fn) })
	})
}

// purego makes at most 2000 callbacks per process: the peer makes one.
var puregoQsortCmp = sync.OnceValue(func() uintptr {
	return purego.NewCallback(func(a, b unsafe.Pointer) int32 { return qsortCmp(a, b) })
})
