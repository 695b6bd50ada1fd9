// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
)

func TestLocalBasics(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	l := a.Local()
	assert.Same(t, a, l.Arena())
	assert.Zero(t, a.Used(), "nothing reserved before the first allocation")

	p, err := l.CopyString("hello")
	require.NoError(t, err)
	assert.Equal(t, "hello\x00", string(bytesAt(p, 6)))
	assert.Equal(t, uintptr(localChunk), a.Used(), "one chunk reserved")
	q, err := l.CopyBytes([]byte("bytes"))
	require.NoError(t, err)
	assert.Equal(t, unsafe.Add(p, 8), q, "carved from the same chunk, 8-aligned")
	assert.Equal(t, "bytes", string(bytesAt(q, 5)))

	for align := uintptr(1); align <= page; align <<= 1 {
		z, err := l.Alloc(24, align)
		require.NoError(t, err)
		assert.Zero(t, uintptr(z)%align)
		assert.Equal(t, make([]byte, 24), bytesAt(z, 24))
	}
	_, err = l.Alloc(8, 3)
	require.ErrorIs(t, err, hffi.EALIGN)
	_, err = l.Alloc(8, 2*page)
	require.ErrorIs(t, err, hffi.EALIGN)

	// Large allocations go to the arena directly.
	used := a.Used()
	big, err := l.CopyString(strings.Repeat("b", 5000))
	require.NoError(t, err)
	assert.Equal(t, "bbb", string(bytesAt(big, 3)))
	assert.LessOrEqual(t, a.Used(), used+5008)

	// Refs work on what a Local hands out.
	r, err := a.Ref(p)
	require.NoError(t, err)
	got, err := Resolve(r, 6)
	require.NoError(t, err)
	assert.Equal(t, p, got)
}

func TestLocalSeesResetAndFree(t *testing.T) {
	a, err := New(WithMaxSize(1 << 20))
	require.NoError(t, err)
	l := a.Local()
	p, err := l.CopyString("first")
	require.NoError(t, err)
	a.Reset()
	assert.Zero(t, a.Used())
	q, err := l.CopyString("second")
	require.NoError(t, err)
	assert.Equal(t, p, q, "after Reset the Local reserves anew from the start")
	assert.Equal(t, uintptr(localChunk), a.Used())

	require.NoError(t, a.Free())
	_, err = l.CopyString("x")
	require.ErrorIs(t, err, hffi.ECLOSED)
	_, err = l.Alloc(0, 1)
	require.ErrorIs(t, err, hffi.ECLOSED)

	var zero Local
	_, err = zero.CopyString("x")
	require.ErrorIs(t, err, hffi.EINVAL)
	dead := (&Arena{}).Local()
	_, err = dead.AllocUninit(0, 1)
	require.ErrorIs(t, err, hffi.ECLOSED)
}

// TestLocalFillsArena fills arenas with a Local to their end: chunks are
// abandoned with less than 1000 bytes left, a large chunk that does not
// fit near the end falls back to 16 KiB, then the Local allocates from
// the arena directly.
func TestLocalFillsArena(t *testing.T) {
	for _, c := range []struct {
		limit  int
		chunks int // at most this many chunks, each wasting < 1000 bytes
	}{
		{64 << 10, 4},
		// 16, 32, 64, then 128 KiB chunks (an eighth of the arena),
		// then 16 KiB ones near the end.
		{1 << 20, 24},
	} {
		a := mustNew(t, WithMaxSize(uintptr(c.limit)))
		l := a.Local()
		var n int
		for {
			p, err := l.Alloc(1000, 8)
			if err != nil {
				require.ErrorIs(t, err, hffi.ENOMEM)
				break
			}
			bytesAt(p, 1000)[999] = 1
			n++
		}
		assert.GreaterOrEqual(t, n, (c.limit-abi.ArenaPrefix)/1000-c.chunks, "limit %d", c.limit)
		assert.Greater(t, a.Used(), uintptr(c.limit-2000), "limit %d", c.limit)
	}
}

func TestLocalNoHeapAllocs(t *testing.T) {
	a := mustNew(t, WithMaxSize(64<<20), WithDebug(false))
	l := a.Local()
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_, _ = l.CopyString("hello, world")
		_, _ = l.Alloc(40, 8)
		_, _ = l.CopyBytes([]byte{1, 2, 3})
	}))
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		m := a.Local()
		_, _ = m.CopyString("on the stack")
	}))
}

// TestLocalCopyStringEdges copies strings (with CopyString, then with
// MustCopyString) that end exactly at a chunk's end (the NUL in its last
// byte), one byte short of it and one byte past it, and checks that every copy is still intact afterwards: no string or
// NUL overlaps another, and none is written past the chunk.
func TestLocalCopyStringEdges(t *testing.T) {
	a := mustNew(t, WithMaxSize(4<<20))
	for i := range 10 {
		over, must := i%5-2, i >= 5
		a.Reset()
		l := a.Local()
		type copied struct {
			p unsafe.Pointer
			s string
		}
		var all []copied
		add := func(s string) {
			var p unsafe.Pointer
			if must {
				p = l.MustCopyString(s)
			} else {
				var err error
				p, err = l.CopyString(s)
				require.NoError(t, err)
			}
			require.Zero(t, uintptr(p)%8, "8-aligned")
			all = append(all, copied{p, s})
		}
		add("x")
		// Leave 1000 to 1007 bytes, then a string whose NUL lands on
		// the chunk's last byte plus over.
		for l.end-((l.cur+7)&^7) > 2000 {
			add(strings.Repeat(string(rune('a'+len(all)%26)), 999))
		}
		room := int(l.end - (l.cur+7)&^7)
		end := l.end
		add(strings.Repeat("E", room-1+over))
		if over <= 0 {
			require.Equal(t, end, l.end, "fits in the chunk")
		} else {
			require.NotEqual(t, end, l.end, "a new chunk")
		}
		add("after")
		for i, c := range all {
			require.Equal(t, c.s+"\x00", string(bytesAt(c.p, uintptr(len(c.s)+1))), "copy %d", i)
		}
	}
}

// TestLocalChunkSizes checks how a Local sizes its chunks: 16 KiB first,
// doubling up to localChunkMax; after a Reset, one chunk for what it used
// before the Reset; never more than an eighth of the arena.
func TestLocalChunkSizes(t *testing.T) {
	a := mustNew(t, WithMaxSize(64<<20), WithDebug(false))
	l := a.Local()
	var chunks []uintptr
	fill := func(n int) {
		for range n {
			before := a.Used()
			_, err := l.Alloc(1000, 8)
			require.NoError(t, err)
			if d := a.Used() - before; d != 0 {
				chunks = append(chunks, d)
			}
		}
	}
	fill(1500) // 1.5 MB
	assert.Equal(t, []uintptr{16 << 10, 32 << 10, 64 << 10, 128 << 10, 256 << 10, 256 << 10,
		256 << 10, 256 << 10, 256 << 10}, chunks, "doubling up to the cap")

	// A batch of 70 allocations (about 70 KB), then Reset, then the same
	// batch again: from the second batch on, one chunk per batch.
	for round := range 4 {
		a.Reset()
		chunks = chunks[:0]
		fill(70)
		if round == 0 {
			// sized by the 1.5 MB before the Reset, capped
			assert.Equal(t, []uintptr{256 << 10}, chunks)
			continue
		}
		require.Len(t, chunks, 1, "round %d: one chunk for the batch", round)
		assert.GreaterOrEqual(t, chunks[0], uintptr(70*1000), "round %d", round)
		assert.LessOrEqual(t, chunks[0], uintptr(70*1000*9/8+8<<10), "round %d", round)
	}

	// Little use makes the next epoch's chunk small again.
	a.Reset()
	chunks = chunks[:0]
	fill(1)
	a.Reset()
	chunks = chunks[:0]
	fill(1)
	assert.Equal(t, []uintptr{localChunk}, chunks)

	// An eighth of the arena at most.
	small := mustNew(t, WithMaxSize(256<<10), WithDebug(false))
	ls := small.Local()
	prev := small.Used()
	for range 200 {
		if _, err := ls.Alloc(1000, 8); err != nil {
			require.ErrorIs(t, err, hffi.ENOMEM)
			break
		}
		if d := small.Used() - prev; d > 1000 {
			assert.LessOrEqual(t, d, uintptr(32<<10))
		}
		prev = small.Used()
	}
}

// TestLocalMustCopyString: MustCopyString copies as CopyString does, and
// panics with the error CopyString returns where CopyString fails.
func TestLocalMustCopyString(t *testing.T) {
	a := mustNew(t, WithMaxSize(64<<10), WithDebug(false))
	l, m := a.Local(), a.Local()
	for _, n := range []int{0, 1, 7, 8, 100, 3000} {
		s := strings.Repeat("m", n)
		p := m.MustCopyString(s)
		require.Zero(t, uintptr(p)%8, "8-aligned")
		require.Equal(t, s+"\x00", string(bytesAt(p, uintptr(n+1))))
		q, err := l.CopyString(s)
		require.NoError(t, err)
		require.Equal(t, string(bytesAt(q, uintptr(n+1))), string(bytesAt(p, uintptr(n+1))))
	}

	// Full: CopyString's error, as the panic's value.
	mustPanicWith := func(code error, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			require.NotNil(t, r, "no panic")
			err, ok := r.(error)
			require.True(t, ok, "panic value %v is not an error", r)
			require.ErrorIs(t, err, code)
		}()
		f()
	}
	big := strings.Repeat("f", 1000)
	var err error
	for err == nil {
		_, err = l.CopyString(big)
	}
	require.ErrorIs(t, err, hffi.ENOMEM)
	for {
		// m may still have room in its chunk: fill it.
		if _, err := m.CopyString(big); err != nil {
			break
		}
	}
	mustPanicWith(hffi.ENOMEM, func() { m.MustCopyString(big) })

	// Reset: m copies again from the start.
	a.Reset()
	p := m.MustCopyString("again")
	require.Equal(t, "again\x00", string(bytesAt(p, 6)))

	require.NoError(t, a.Free())
	mustPanicWith(hffi.ECLOSED, func() { m.MustCopyString("x") })
	var zero Local
	mustPanicWith(hffi.EINVAL, func() { zero.MustCopyString("x") })
}

// TestLocalHugeSize: a size so large that size+align wraps (a count times
// an element size that overflowed) fails with ENOMEM as Arena.AllocUninit
// does; it must not take the chunk path, which would move the Local's
// cursor below its chunk and hand out memory before it again.
func TestLocalHugeSize(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20), WithDebug(false))
	for _, fresh := range []bool{true, false} {
		for _, align := range []uintptr{1, 8, 64, page} {
			for _, size := range []uintptr{^uintptr(0), ^uintptr(0) - align + 1, ^uintptr(0) - 1000} {
				a.Reset()
				l := a.Local()
				var first unsafe.Pointer
				if !fresh { // with a chunk reserved
					var err error
					first, err = l.Alloc(16, 8)
					require.NoError(t, err)
				}
				p, err := l.AllocUninit(size, align)
				require.ErrorIs(t, err, hffi.ENOMEM, "size %#x align %d: got %p", size, align, p)
				_, err = a.AllocUninit(size, align)
				require.ErrorIs(t, err, hffi.ENOMEM)
				// The Local is intact: its next allocation is new memory.
				q, err := l.Alloc(16, 8)
				require.NoError(t, err)
				if first != nil {
					require.Equal(t, unsafe.Add(first, 16), q)
				}
				assert.LessOrEqual(t, a.Used(), uintptr(localChunk))
			}
		}
	}
}

// TestLocalChunkAfterDirect: a batch whose first allocation after a Reset
// is too large for a chunk (it goes to the arena directly) still gets one
// chunk sized by the last batch, not 16 KiB chunks doubling again.
func TestLocalChunkAfterDirect(t *testing.T) {
	a := mustNew(t, WithMaxSize(64<<20), WithDebug(false))
	l := a.Local()
	for round := range 4 {
		a.Reset()
		if round > 0 {
			_, err := l.Alloc(3000, 8)
			require.NoError(t, err)
		}
		var chunks []uintptr
		for range 100 {
			before := a.Used()
			_, err := l.Alloc(1000, 8)
			require.NoError(t, err)
			if d := a.Used() - before; d != 0 {
				chunks = append(chunks, d)
			}
		}
		if round > 0 {
			require.Len(t, chunks, 1, "round %d: one chunk for the batch, got %v", round, chunks)
			assert.GreaterOrEqual(t, chunks[0], uintptr(100*1000), "round %d", round)
		}
	}
}
