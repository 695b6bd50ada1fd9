// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

var page = shm.PageSize()

func mustNew(t testing.TB, opts ...Option) *Arena {
	t.Helper()
	a, err := New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Free() })
	return a
}

func bytesAt(p unsafe.Pointer, n uintptr) []byte { return unsafe.Slice((*byte)(p), n) }

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		limit   uintptr
		wantErr error
	}{
		{"default", nil, DefaultMaxSize, nil},
		{"one byte rounds to a page", []Option{WithMaxSize(1)}, page, nil},
		{"page plus one", []Option{WithMaxSize(page + 1)}, 2 * page, nil},
		{"largest", []Option{WithMaxSize(MaxSize)}, MaxSize, nil},
		{"zero", []Option{WithMaxSize(0)}, 0, hffi.ERANGE},
		{"too large", []Option{WithMaxSize(MaxSize + 1)}, 0, hffi.ERANGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.opts...)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, a)
				return
			}
			require.NoError(t, err)
			defer a.Free()
			assert.Equal(t, tt.limit, a.MaxSize())
			assert.Zero(t, a.Used())
			require.NoError(t, Check(a.CArena()))
		})
	}
}

func TestAllocAlignment(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	for align := uintptr(1); align <= page; align <<= 1 {
		for _, size := range []uintptr{0, 1, 7, 8, 9, 100, page} {
			t.Run(fmt.Sprintf("align=%d/size=%d", align, size), func(t *testing.T) {
				_, err := a.Alloc(1, 1) // misalign the bump offset
				require.NoError(t, err)
				p, err := a.Alloc(size, align)
				require.NoError(t, err)
				require.NotNil(t, p)
				assert.Zero(t, uintptr(p)%align)
				assert.Equal(t, make([]byte, size), bytesAt(p, size))
			})
		}
		a.Reset()
	}
}

func TestAllocBadAlign(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	for _, align := range []uintptr{0, 3, 6, 24, page + 1, 2 * page, ^uintptr(0), 1 << 63} {
		_, err := a.Alloc(8, align)
		require.ErrorIs(t, err, hffi.EALIGN, "align %d", align)
		_, err = a.AllocUninit(8, align)
		require.ErrorIs(t, err, hffi.EALIGN, "align %d", align)
	}
	assert.Zero(t, a.Used())
}

func TestAllocZeroSize(t *testing.T) {
	a := mustNew(t, WithMaxSize(page))
	p, err := a.Alloc(0, 8)
	require.NoError(t, err)
	require.NotNil(t, p)
	assert.Zero(t, a.Used(), "a zero-size allocation reserves nothing")
	q, err := a.Alloc(8, 8)
	require.NoError(t, err)
	assert.Equal(t, p, q, "the next allocation may share the address")
	// A zero-size allocation fits even when the arena is full.
	_, err = a.AllocUninit(page-abi.ArenaPrefix-8, 1)
	require.NoError(t, err)
	p, err = a.Alloc(0, 1)
	require.NoError(t, err)
	assert.Equal(t, unsafe.Add(startOf(a), page), p)
	_, err = a.Alloc(1, 1)
	require.ErrorIs(t, err, hffi.ENOMEM)
}

func TestAllocHuge(t *testing.T) {
	a := mustNew(t) // 1 GiB reserved, nothing committed yet
	for _, size := range []uintptr{DefaultMaxSize, DefaultMaxSize - abi.ArenaPrefix + 1, ^uintptr(0), ^uintptr(0) - 4096, 1 << 63} {
		_, err := a.Alloc(size, 8)
		require.ErrorIs(t, err, hffi.ENOMEM, "size %d", size)
	}
	// Half the address space of the arena in one allocation: committed,
	// never touched, so it costs no memory.
	p, err := a.AllocUninit(DefaultMaxSize/2, page)
	require.NoError(t, err)
	last := unsafe.Add(p, DefaultMaxSize/2-1)
	*(*byte)(last) = 1
	assert.Equal(t, uintptr(DefaultMaxSize/2), a.Used()-(page-abi.ArenaPrefix))
	// Exactly what is left.
	rest := DefaultMaxSize - abi.ArenaPrefix - a.Used()
	_, err = a.AllocUninit(rest+1, 1)
	require.ErrorIs(t, err, hffi.ENOMEM)
	_, err = a.AllocUninit(rest, 1)
	require.NoError(t, err)
	assert.Equal(t, uintptr(DefaultMaxSize-abi.ArenaPrefix), a.Used())
}

func TestExhaustLimit(t *testing.T) {
	const limit = 256 << 10
	a := mustNew(t, WithMaxSize(limit))
	var n int
	for {
		p, err := a.Alloc(1000, 8)
		if err != nil {
			require.ErrorIs(t, err, hffi.ENOMEM)
			require.ErrorContains(t, err, "arena: alloc: ")
			break
		}
		bytesAt(p, 1000)[999] = 1
		n++
	}
	assert.Equal(t, (limit-abi.ArenaPrefix)/1000, n)
	// The arena stays usable: smaller allocations still fit, Reset
	// gives everything back.
	_, err := a.Alloc(8, 8)
	require.NoError(t, err)
	a.Reset()
	assert.Zero(t, a.Used())
	p, err := a.Alloc(limit-abi.ArenaPrefix, 8)
	require.NoError(t, err)
	assert.Equal(t, make([]byte, limit-abi.ArenaPrefix), bytesAt(p, limit-abi.ArenaPrefix), "reused memory is zeroed")
}

func TestCopy(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	for _, s := range []string{"", "x", "hello, world", strings.Repeat("ab", 5000), "nul\x00inside"} {
		p, err := a.CopyString(s)
		require.NoError(t, err)
		assert.Zero(t, uintptr(p)%8)
		assert.Equal(t, s+"\x00", string(bytesAt(p, uintptr(len(s))+1)))

		q, err := a.CopyBytes([]byte(s))
		require.NoError(t, err)
		require.NotNil(t, q)
		assert.Zero(t, uintptr(q)%8)
		assert.Equal(t, s, string(bytesAt(q, uintptr(len(s)))))
	}
	q, err := a.CopyBytes(nil)
	require.NoError(t, err)
	require.NotNil(t, q)
}

func TestUseAfterFree(t *testing.T) {
	a, err := New(WithMaxSize(page))
	require.NoError(t, err)
	p, err := a.CopyString("x")
	require.NoError(t, err)
	r, err := a.Ref(p)
	require.NoError(t, err)
	id := a.CArena()

	require.NoError(t, a.Free())
	require.NoError(t, a.Free(), "double Free is a no-op")
	a.Reset() // no-op

	_, err = a.Alloc(1, 1)
	require.ErrorIs(t, err, hffi.ECLOSED)
	_, err = a.AllocUninit(1, 1)
	require.ErrorIs(t, err, hffi.ECLOSED)
	_, err = a.CopyString("x")
	require.ErrorIs(t, err, hffi.ECLOSED)
	_, err = a.CopyBytes([]byte("x"))
	require.ErrorIs(t, err, hffi.ECLOSED)
	_, err = a.Ref(p)
	require.ErrorIs(t, err, hffi.ECLOSED)
	assert.Zero(t, a.CArena())
	assert.Zero(t, a.Used())
	assert.Zero(t, a.MaxSize())

	// Until the slot is reused, Refs say "closed"; after, "stale".
	_, err = Resolve(r, 1)
	require.True(t, isAny(err, hffi.ECLOSED, hffi.ESTALE), "%v", err)
	require.True(t, isAny(Check(id), hffi.ECLOSED, hffi.ESTALE))
}

func TestStats(t *testing.T) {
	before := ReadStats()
	a, err := New(WithMaxSize(1 << 20))
	require.NoError(t, err)
	st := ReadStats()
	assert.Equal(t, before.LiveArenas+1, st.LiveArenas)
	// A recycled slot's arena also reserves the address space below its
	// floor.
	assert.Equal(t, before.Reserved+1<<20+floorOf(a), st.Reserved)

	_, err = a.Alloc(1000, 8)
	require.NoError(t, err)
	st = ReadStats()
	assert.Equal(t, before.InUse+1000, st.InUse)
	// One grow step, counted from the floor up to a multiple of it.
	assert.Equal(t, before.Mapped+uint64(growStep)-floorOf(a)%uint64(growStep), st.Mapped)

	a.Reset()
	st = ReadStats()
	assert.Equal(t, before.InUse, st.InUse)
	assert.Equal(t, before.Resets+1, st.Resets)

	require.NoError(t, a.Free())
	st = ReadStats()
	assert.Equal(t, before.LiveArenas, st.LiveArenas)
	assert.Equal(t, before.Mapped, st.Mapped)
	assert.Equal(t, before.Resets+1, st.Resets, "a freed arena's Resets still count")
}

// TestResetOverlap: Reset and Free must not overlap, but if they do they
// take turns (as under a mutex): no Reset is lost, and Free wins cleanly.
func TestResetOverlap(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	before := ReadStats().Resets
	const goroutines, each = 4, 2000
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				a.Reset()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, before+goroutines*each, ReadStats().Resets)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.Reset()
			assert.NoError(t, a.Free())
		}()
	}
	wg.Wait()
	_, err := a.Alloc(8, 8)
	assert.ErrorIs(t, err, hffi.ECLOSED)
}

func TestRetain(t *testing.T) {
	a := mustNew(t, WithMaxSize(8<<20), WithRetain(128<<10), WithDebug(false))
	_, err := a.AllocUninit(1<<20, 8)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, committedOf(a), uint64(1<<20))
	a.Reset()
	assert.Equal(t, uint64(128<<10), committedOf(a))
	p, err := a.Alloc(2<<20, 8) // recommits
	require.NoError(t, err)
	assert.Equal(t, make([]byte, 2<<20), bytesAt(p, 2<<20))
}

func isAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
