// SPDX-License-Identifier: Apache-2.0

package callconv_test

import (
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cc "github.com/hffi-go/hffi/internal/callconv"
)

// TestFramePoolConcurrent gets and puts frames of both sizes from several
// goroutines for a bounded time (growing the pools on the way), and checks
// that no frame is ever handed to two holders at once: each holder fills
// its frames with its own pattern and finds it intact after yielding.
func TestFramePoolConcurrent(t *testing.T) {
	small := prep(t, -1, int64(0), int64(0))
	large := prep(t, -1, nil, struct{ W [1000]int64 }{})
	require.False(t, small.Large())
	require.True(t, large.Large())
	inUse := cc.FramesInUse()

	const words = 376 / 8 // a small frame
	fill := func(f *cc.Frame, v uint64) {
		for i, w := 0, unsafe.Slice((*uint64)(unsafe.Pointer(f)), words); i < words; i++ {
			w[i] = v
		}
	}
	check := func(f *cc.Frame, v uint64) bool {
		for _, x := range unsafe.Slice((*uint64)(unsafe.Pointer(f)), words) {
			if x != v {
				return false
			}
		}
		return true
	}

	const minRounds = 2000
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad int
	var rounds [8]int
	for g := range 8 {
		wg.Go(func() {
			held := make([]*cc.Frame, 0, 200)
			n := 0
			// At least minRounds each, however late the goroutine starts:
			// the deadline alone let a stalled process end the test
			// without a frame.
			for r := 0; r < minRounds || time.Now().Before(deadline); r++ {
				k := 1 + r%3
				if r == 0 {
					k = 150 // more than the first chunk
				}
				for j := range k {
					p := small
					if (r+j)%4 == 0 {
						p = large
					}
					f := p.GetFrame()
					fill(f, uint64(g)<<32|uint64(r)<<8|uint64(j))
					held = append(held, f)
				}
				runtime.Gosched()
				for j, f := range held {
					if !check(f, uint64(g)<<32|uint64(r)<<8|uint64(j)) {
						mu.Lock()
						bad++
						mu.Unlock()
					}
					cc.PutFrame(f)
				}
				held = held[:0]
				n++
			}
			rounds[g] = n
		})
	}
	wg.Wait()
	t.Logf("rounds of each goroutine: %v", rounds)
	for g, n := range rounds {
		assert.GreaterOrEqual(t, n, minRounds, "rounds of goroutine %d", g)
	}
	assert.Zero(t, bad, "frames held by two goroutines at once")
	assert.Equal(t, inUse, cc.FramesInUse(), "frames not given back")
}

// TestFrameNoAlloc checks that a call through a pooled frame allocates
// nothing.
func TestFrameNoAlloc(t *testing.T) {
	fn := sym(t, "cc_sum9")
	p := prep(t, -1, int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0))
	var r int64
	allocs := testing.AllocsPerRun(1000, func() {
		f := p.GetFrame()
		defer cc.PutFrame(f)
		for i := range 9 {
			p.Word(f, i, uint64(i+1))
		}
		p.Call(f, fn)
		p.Result(f, unsafe.Pointer(&r))
	})
	assert.Zero(t, allocs)
	assert.Equal(t, int64(1+4+9+16+25+36+49+64+81), r)
}

// TestFrameMisuse checks that a frame given back twice, or not from
// GetFrame, is refused before C sees it.
func TestFrameMisuse(t *testing.T) {
	fn := sym(t, "cc_sum9")
	p := prep(t, -1, int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0))
	inUse := cc.FramesInUse()
	f := p.GetFrame()
	cc.PutFrame(f)
	assert.Panics(t, func() { cc.PutFrame(f) })
	assert.Panics(t, func() { p.Call(f, fn) })

	// A frame in the middle of a large one: in off-heap memory, but not
	// the start of a frame.
	lf := prep(t, -1, nil, struct{ W [1000]int64 }{}).GetFrame()
	fake := (*cc.Frame)(unsafe.Add(unsafe.Pointer(lf), 4096))
	assert.Panics(t, func() { p.Call(fake, fn) })
	assert.Panics(t, func() { cc.PutFrame(fake) })
	cc.PutFrame(lf)
	assert.Equal(t, inUse, cc.FramesInUse())
}

// BenchmarkFramePool measures what pooling adds to a call: GetFrame and
// a deferred PutFrame, from one goroutine and from GOMAXPROCS at once
// (all on one pool head).
func BenchmarkFramePool(b *testing.B) {
	p := prep(b, -1, int64(0), int64(0))
	getPut := func() {
		f := p.GetFrame()
		defer cc.PutFrame(f)
		p.Word(f, 0, 1)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			getPut()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				getPut()
			}
		})
	})
}

// TestFrameCached checks, for both sizes, that a frame waiting in a P's
// cache (the first one given back goes there) is still refused a second
// PutFrame and a call, and counts as given back; and that the frames of
// the two sizes do not share a cache entry.
func TestFrameCached(t *testing.T) {
	fn := sym(t, "cc_sum9")
	small := prep(t, -1, int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0))
	large := prep(t, -1, nil, struct{ W [1000]int64 }{})
	inUse := cc.FramesInUse()
	for range 10 {
		fs, fl := small.GetFrame(), large.GetFrame()
		assert.NotSame(t, fs, fl, "a small and a large frame are two frames")
		cc.PutFrame(fs)
		cc.PutFrame(fl)
		assert.Equal(t, inUse, cc.FramesInUse())
		assert.Panics(t, func() { cc.PutFrame(fs) })
		assert.Panics(t, func() { cc.PutFrame(fl) })
		assert.Panics(t, func() { small.Call(fs, fn) })
		assert.Equal(t, inUse, cc.FramesInUse())
	}
}
