// SPDX-License-Identifier: Apache-2.0

//go:build linux && (amd64 || arm64)

package pgentry

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/require"
)

// The test handler records what C passed and returns a value computed
// from all of it, so a register saved in the wrong word shows.
var (
	lastIndex atomic.Int64
	lastInts  [6]uint64
	lastFlts  [8]float64
)

func testHandler(f *Frame) {
	lastIndex.Store(int64(f.Index))
	var sum uint64
	for i := range 6 {
		lastInts[i] = f.Words[i]
		sum = sum*31 + f.Words[i]
	}
	fs := 0.0
	for i := range 8 {
		lastFlts[i] = math.Float64frombits(f.Words[6+i])
		fs = fs*3 + lastFlts[i]
	}
	if f.Words[0] == 0xF1 { // float result requested
		f.Words[14] = math.Float64bits(fs)
		return
	}
	f.Words[14] = sum + uint64(f.Index)
}

func TestMain(m *testing.M) {
	SetHandler(testHandler)
	m.Run()
}

func TestEveryEntryPointIntegers(t *testing.T) {
	for i := range N {
		r, _, _ := purego.SyscallN(Addr(i), 1, 2, 3, 4, 5, uintptr(i))
		want := uint64(0)
		for _, w := range []uint64{1, 2, 3, 4, 5, uint64(i)} {
			want = want*31 + w
		}
		require.Equal(t, int64(i), lastIndex.Load())
		require.Equal(t, [6]uint64{1, 2, 3, 4, 5, uint64(i)}, lastInts)
		require.Equal(t, uintptr(want+uint64(i)), r, "entry %d", i)
	}
}

func TestFloatsInAndOut(t *testing.T) {
	var fn func(a, b, c, d, e, f uintptr, x0, x1, x2, x3, x4, x5, x6, x7 float64) float64
	purego.RegisterFunc(&fn, Addr(7))
	got := fn(0xF1, 2, 3, 4, 5, 6, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5)
	require.Equal(t, [8]float64{0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5}, lastFlts)
	want := 0.0
	for _, x := range lastFlts {
		want = want*3 + x
	}
	require.Equal(t, want, got)
	require.Equal(t, int64(7), lastIndex.Load())
}

func TestAddrRange(t *testing.T) {
	require.Panics(t, func() { Addr(-1) })
	require.Panics(t, func() { Addr(N) })
	require.Equal(t, Addr(0)+entrySize*(N-1), Addr(N-1))
}

// TestForeignThreads has C threads that Go did not create (pthread_create
// through purego) enter Go through an entry point: the path of a C
// library's worker thread calling a callback.
func TestForeignThreads(t *testing.T) {
	libc, err := purego.Dlopen("libc.so.6", purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		t.Skipf("libc.so.6 not found: %v", err)
	}
	create, err := purego.Dlsym(libc, "pthread_create")
	require.NoError(t, err)
	join, err := purego.Dlsym(libc, "pthread_join")
	require.NoError(t, err)

	var mu sync.Mutex
	seen := map[uint64]int{}
	SetHandler(func(f *Frame) {
		mu.Lock()
		seen[f.Words[0]]++
		mu.Unlock()
		f.Words[14] = f.Words[0] * 2
	})
	defer SetHandler(testHandler)

	const threads, rounds = 8, 20
	deadline := time.Now().Add(5 * time.Second)
	for r := 0; r < rounds && time.Now().Before(deadline); r++ {
		tids := make([]uint64, threads)
		for i := range threads {
			arg := uintptr(r*threads + i + 1)
			rc, _, _ := purego.SyscallN(create, uintptr(unsafe.Pointer(&tids[i])), 0, Addr(300+i), arg)
			require.Zero(t, rc, "pthread_create")
		}
		for i := range threads {
			var ret uintptr
			rc, _, _ := purego.SyscallN(join, uintptr(tids[i]), uintptr(unsafe.Pointer(&ret)))
			require.Zero(t, rc, "pthread_join")
			require.Equal(t, uintptr(2*(r*threads+i+1)), ret, "thread result")
		}
		runtime.KeepAlive(tids)
	}
	mu.Lock()
	defer mu.Unlock()
	for k, n := range seen {
		require.Equal(t, 1, n, "argument %d seen %d times", k, n)
	}
	require.NotEmpty(t, seen)
}
