// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
)

func TestResizeLastGrowAndShrink(t *testing.T) {
	for _, debug := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "debug"}[debug], func(t *testing.T) {
			a := mustNew(t, WithDebug(debug), WithMaxSize(1<<20))
			for round := range 3 { // a fresh arena, then reset ones (decommitted in debug mode)
				if round > 0 {
					a.Reset()
				}
				_, err := a.AllocUninit(24, 1)
				require.NoError(t, err)
				p, err := a.AllocUninit(40, 8)
				require.NoError(t, err)
				used := a.Used()
				// Grown across the committed end: the new bytes are writable.
				n := uintptr(3*growStep + 100)
				require.True(t, a.ResizeLast(p, 40, n))
				assert.Equal(t, used-40+n, a.Used())
				b := bytesAt(p, n)
				for i := range b {
					b[i] = byte(i)
				}
				// Shrunk: the next allocation starts right after.
				require.True(t, a.ResizeLast(p, n, 24))
				assert.Equal(t, used-40+24, a.Used())
				q, err := a.AllocUninit(8, 8)
				require.NoError(t, err)
				assert.Equal(t, uintptr(p)+24, uintptr(q))
				// No longer the last allocation.
				assert.False(t, a.ResizeLast(p, 24, 100))
				assert.False(t, a.ResizeLast(p, 24, 0))
				assert.Equal(t, used-40+24+8, a.Used())
				// The last one again, given back whole.
				require.True(t, a.ResizeLast(q, 8, 0))
				assert.False(t, a.ResizeLast(p, 17, 0), "the end of the allocation is 24")
				require.True(t, a.ResizeLast(p, 24, 0))
				assert.Equal(t, used-40, a.Used())
				// Its bytes are what was written.
				assert.Equal(t, byte(16), bytesAt(p, 17)[16])
				r, err := a.Ref(p)
				require.NoError(t, err)
				require.NoError(t, Check(r))
			}
		})
	}
}

func TestResizeLastBounds(t *testing.T) {
	a := mustNew(t, WithMaxSize(uintptr(2*growStep)))
	p, err := a.AllocUninit(8, 8)
	require.NoError(t, err)
	room := a.MaxSize() - abi.ArenaPrefix
	assert.False(t, a.ResizeLast(p, 8, room+1), "past the maximum size")
	assert.False(t, a.ResizeLast(p, 8, ^uintptr(0)), "wraps")
	assert.Equal(t, uintptr(8), a.Used())
	require.True(t, a.ResizeLast(p, 8, room), "up to the maximum size")
	assert.Equal(t, room, a.Used())
	bytesAt(p, room)[room-1] = 1
	_, err = a.AllocUninit(1, 1)
	require.Error(t, err, "full")
	require.True(t, a.ResizeLast(p, room, 8))

	// Not an allocation of a: below its base, in its prefix, past its end.
	assert.False(t, a.ResizeLast(nil, 0, 8))
	assert.False(t, a.ResizeLast(unsafe.Add(p, -abi.ArenaPrefix), abi.ArenaPrefix+8, 8))
	assert.False(t, a.ResizeLast(unsafe.Add(p, -8), 16, 8))
	assert.False(t, a.ResizeLast(unsafe.Add(p, a.MaxSize()), 0, 8))
	assert.False(t, a.ResizeLast(p, 16, 8), "wrong size")
	var x [16]byte
	assert.False(t, a.ResizeLast(unsafe.Pointer(&x), 16, 8), "Go memory")
	assert.Equal(t, uintptr(8), a.Used())

	// A reset arena: the allocation from before is gone, a new one may be
	// resized.
	a.Reset()
	assert.False(t, a.ResizeLast(p, 8, 16))
	assert.Zero(t, a.Used())
	q, err := a.AllocUninit(8, 8)
	require.NoError(t, err)
	require.True(t, a.ResizeLast(q, 8, 64))
	assert.Equal(t, uintptr(64), a.Used())

	// A freed arena.
	require.NoError(t, a.Free())
	assert.False(t, a.ResizeLast(q, 64, 8))
}

// TestResizeLastConcurrent: goroutines allocate while others grow and
// shrink their last allocations; every allocation keeps the bytes its
// owner wrote, so none overlapped.
func TestResizeLastConcurrent(t *testing.T) {
	a := mustNew(t, WithMaxSize(64<<20))
	deadline := time.Now().Add(300 * time.Millisecond)
	var wg sync.WaitGroup
	var resized, failed atomic.Int64
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			type alloc struct {
				p unsafe.Pointer
				n uintptr
			}
			var mine []alloc
			fill := func(x alloc) {
				b := bytesAt(x.p, x.n)
				for i := range b {
					b[i] = byte(g)
				}
			}
			// At least 64 rounds each, however late the goroutine starts:
			// the deadline alone let a stall of 300 ms (a loaded CI
			// machine) leave the resizers without a round, and resized
			// at 0.
			for i := 0; i < 64 || time.Now().Before(deadline) && a.Used() < 32<<20; i++ {
				n := uintptr(8 + i%200)
				p, err := a.AllocUninit(n, 8)
				require.NoError(t, err)
				if g%2 == 0 { // a resizer: grow, then give some back
					if a.ResizeLast(p, n, 4*n) {
						n *= 4
						resized.Add(1)
					} else {
						failed.Add(1)
					}
					if a.ResizeLast(p, n, n/2) {
						n /= 2
					}
				}
				x := alloc{p, n}
				fill(x)
				mine = append(mine, x)
			}
			for _, x := range mine {
				for _, c := range bytesAt(x.p, x.n) {
					if c != byte(g) {
						t.Errorf("goroutine %d: allocation at %p overwritten", g, x.p)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("resized %d, failed %d", resized.Load(), failed.Load())
	assert.NotZero(t, resized.Load())
}
