// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"slices"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
)

func TestRefRoundTrip(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	p, err := a.CopyString("hello")
	require.NoError(t, err)
	r, err := a.Ref(p)
	require.NoError(t, err)
	assert.NotZero(t, uint64(r)&abi.RefTag)
	assert.Equal(t, slotOf(a), abi.RefSlot(uint64(r)))
	assert.Equal(t, genOf(a), abi.RefGen(uint64(r)))

	for _, size := range []uintptr{0, 1, 6} {
		q, err := Resolve(r, size)
		require.NoError(t, err)
		assert.Equal(t, p, q)
	}
	_, err = Resolve(r, 7) // past the bump offset
	require.ErrorIs(t, err, hffi.EBOUNDS)

	// The end of the used range names a zero-size allocation.
	end, err := a.Alloc(0, 8)
	require.NoError(t, err)
	re, err := a.Ref(end)
	require.NoError(t, err)
	q, err := Resolve(re, 0)
	require.NoError(t, err)
	assert.Equal(t, end, q)
	_, err = Resolve(re, 1)
	require.ErrorIs(t, err, hffi.EBOUNDS)
}

func TestRefErrors(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	p, err := a.Alloc(64, 8)
	require.NoError(t, err)
	tests := []struct {
		name string
		p    unsafe.Pointer
		want error
	}{
		{"nil", nil, hffi.EINVAL},
		{"misaligned", unsafe.Add(p, 1), hffi.EALIGN},
		{"prefix", startOf(a), hffi.EBOUNDS},
		{"past used", unsafe.Add(p, 72), hffi.EBOUNDS},
		{"below base", unsafe.Add(baseOf(a), -8), hffi.EBOUNDS},
		{"other memory", unsafe.Pointer(&tests8[0]), hffi.EBOUNDS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Ref(tt.p)
			require.ErrorIs(t, err, tt.want)
			require.ErrorContains(t, err, "arena: ref: ")
		})
	}
}

var tests8 [8]uint64

func TestResolveCodes(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	p, err := a.Alloc(16, 8)
	require.NoError(t, err)
	r, err := a.Ref(p)
	require.NoError(t, err)
	slot, gen := slotOf(a), genOf(a)
	off := abi.RefOffset(uint64(r))
	mk := func(s, g uint32, o uint64) Ref { return Ref(abi.MakeRef(s, g, o)) }

	tests := []struct {
		name string
		r    Ref
		size uintptr
		want error
	}{
		{"zero", 0, 0, hffi.EZERO},
		{"handle (no tag)", Ref(uint64(r) &^ abi.RefTag), 0, hffi.EKIND},
		{"slot 0", mk(0, gen, off), 0, hffi.ERANGE},
		{"gen 0", mk(slot, 0, off), 0, hffi.EFORGED},
		{"future gen", mk(slot, gen+1, off), 0, hffi.EFORGED},
		{"max gen", mk(slot, abi.ArenaGenMax, off), 0, hffi.EFORGED},
		{"arena id", a.CArena(), 0, hffi.EBOUNDS},
		{"inside prefix", mk(slot, gen, floorOf(a)+56), 0, hffi.EBOUNDS},
		{"offset past used", mk(slot, gen, off+24), 0, hffi.EBOUNDS},
		{"size past used", r, 17, hffi.EBOUNDS},
		{"huge size", r, ^uintptr(0), hffi.EBOUNDS},
		{"all ones", Ref(^uint64(0)), 0, hffi.EFORGED},
		{"ok", r, 16, nil},
	}
	if f := floorOf(a); f > 0 { // a recycled slot
		tests = append(tests, struct {
			name string
			r    Ref
			size uintptr
			want error
		}{"below the floor", mk(slot, gen, f-8), 0, hffi.ESTALE})
	}
	if s, ok := neverUsedSlot(); ok {
		tests = append(tests, struct {
			name string
			r    Ref
			size uintptr
			want error
		}{"never used slot", mk(s, 1, off), 0, hffi.EFORGED})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Resolve(tt.r, tt.size)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, p, q)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorContains(t, err, "arena: resolve: ")
			assert.Nil(t, q)
		})
	}
}

func TestResetGenerations(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	gen := genOf(a)

	// No Ref minted: Reset spends no generation.
	_, err := a.CopyString("scratch")
	require.NoError(t, err)
	a.Reset()
	assert.Equal(t, gen, genOf(a))

	// A Ref minted: Reset bumps the generation and the Ref goes stale.
	p, err := a.CopyString("kept")
	require.NoError(t, err)
	r, err := a.Ref(p)
	require.NoError(t, err)
	a.Reset()
	assert.Equal(t, gen+1, genOf(a))
	_, err = Resolve(r, 1)
	require.ErrorIs(t, err, hffi.ESTALE)

	// The memory is reused, but the old Ref still does not resolve.
	q, err := a.CopyString("new!")
	require.NoError(t, err)
	assert.Equal(t, p, q)
	_, err = Resolve(r, 1)
	require.ErrorIs(t, err, hffi.ESTALE)

	// Handing out the id counts as minting.
	id := a.CArena()
	require.NoError(t, Check(id))
	a.Reset()
	assert.Equal(t, gen+2, genOf(a))
	require.ErrorIs(t, Check(id), hffi.ESTALE)
	require.NotEqual(t, id, a.CArena())
}

func TestRetireMovesArena(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20))
	setGen(a, abi.ArenaGenMax-1)
	oldSlot := slotOf(a)

	p, err := a.CopyString("one")
	require.NoError(t, err)
	r1, err := a.Ref(p)
	require.NoError(t, err)
	a.Reset() // gen -> ArenaGenMax, same slot
	require.Equal(t, uint32(abi.ArenaGenMax), genOf(a))
	require.Equal(t, oldSlot, slotOf(a))

	p, err = a.CopyString("two")
	require.NoError(t, err)
	r2, err := a.Ref(p)
	require.NoError(t, err)
	_, err = Resolve(r2, 4)
	require.NoError(t, err)
	a.Reset() // generations exhausted: the slot retires, the arena moves

	require.NotEqual(t, oldSlot, slotOf(a))
	w := slotWordOf(oldSlot)
	assert.Equal(t, uint32(abi.ArenaGenMax), wordGen(w))
	assert.Equal(t, uint64(abi.ArenaRetired), wordState(w))
	_, err = Resolve(r1, 1)
	require.ErrorIs(t, err, hffi.ESTALE)
	_, err = Resolve(r2, 1)
	require.ErrorIs(t, err, hffi.ERETIRED)

	// The arena works as before in its new slot.
	p, err = a.CopyString("three")
	require.NoError(t, err)
	r3, err := a.Ref(p)
	require.NoError(t, err)
	q, err := Resolve(r3, 6)
	require.NoError(t, err)
	assert.Equal(t, p, q)
	assert.Equal(t, slotOf(a), abi.RefSlot(uint64(r3)))
	assert.Equal(t, "three\x00", string(bytesAt(q, 6)))
}

func TestFreedSlotReuse(t *testing.T) {
	a, err := New(WithMaxSize(page), WithDebug(false))
	require.NoError(t, err)
	p, err := a.Alloc(8, 8)
	require.NoError(t, err)
	r, err := a.Ref(p)
	require.NoError(t, err)
	require.NoError(t, a.Free())
	_, err = Resolve(r, 8)
	require.ErrorIs(t, err, hffi.ECLOSED)

	// Claim slots until r's comes back: its generation must have moved on.
	var held []*Arena
	defer func() {
		for _, b := range held {
			require.NoError(t, b.Free())
		}
	}()
	for {
		b, err := New(WithMaxSize(page), WithDebug(false))
		require.NoError(t, err)
		held = append(held, b)
		if slotOf(b) == abi.RefSlot(uint64(r)) {
			assert.Equal(t, abi.RefGen(uint64(r))+1, genOf(b))
			_, err := b.Alloc(64, 8)
			require.NoError(t, err)
			_, err = Resolve(r, 8)
			require.ErrorIs(t, err, hffi.ESTALE)
			return
		}
		require.Less(t, len(held), abi.ArenaSlots, "freed slot never reused")
	}
}

func TestRegistryExhaustion(t *testing.T) {
	if testing.Short() {
		t.Skip("maps 16k arenas")
	}
	var held []*Arena
	defer func() {
		for _, b := range held {
			require.NoError(t, b.Free())
		}
	}()
	var err error
	for {
		var b *Arena
		b, err = New(WithMaxSize(page))
		if err != nil {
			break
		}
		held = append(held, b)
	}
	require.ErrorIs(t, err, hffi.EEXHAUSTED)
	require.NotEmpty(t, held)

	// An arena whose slot must retire finds no fresh or freed slot: its
	// own slot starts over behind a floor, and its old Refs stay stale.
	a := held[0]
	setGen(a, abi.ArenaGenMax)
	p, err := a.CopyString("old")
	require.NoError(t, err)
	r, err := a.Ref(p)
	require.NoError(t, err)
	id := a.CArena()
	slot, floor := slotOf(a), floorOf(a)
	resets := ReadStats().Resets
	a.Reset()
	assert.Equal(t, resets+1, ReadStats().Resets)
	require.Equal(t, slot, slotOf(a), "recycled in place")
	assert.Equal(t, uint32(1), genOf(a))
	assert.Greater(t, floorOf(a), floor, "the floor lies above what the slot handed out")
	assert.Zero(t, floorOf(a)%uint64(page))
	require.ErrorIs(t, Check(id), hffi.ESTALE)
	_, err = Resolve(r, 1)
	require.ErrorIs(t, err, hffi.ESTALE)
	q, err := a.CopyString("new")
	require.NoError(t, err)
	r2, err := a.Ref(q)
	require.NoError(t, err)
	assert.Equal(t, uint32(1), abi.RefGen(uint64(r2)), "generation 1 again...")
	assert.Greater(t, abi.RefOffset(uint64(r2)), abi.RefOffset(uint64(r)), "...above the floor")
	got, err := Resolve(r2, 4)
	require.NoError(t, err)
	assert.Equal(t, "new\x00", string(bytesAt(got, 4)))

	// An arena as large as a Ref reaches cannot live above any floor:
	// with every other slot taken, it dies cleanly. It needs a slot never
	// recycled (floor 0), which most of them are.
	i := slices.IndexFunc(held[1:], func(b *Arena) bool { return floorOf(b) == 0 }) + 1
	require.Positive(t, i)
	held[1], held[i] = held[i], held[1]
	require.NoError(t, held[1].Free())
	big, err := New(WithMaxSize(MaxSize))
	require.NoError(t, err)
	held[1] = big
	setGen(big, abi.ArenaGenMax)
	id = big.CArena()
	big.Reset()
	_, err = big.Alloc(1, 1)
	require.ErrorIs(t, err, hffi.EEXHAUSTED)
	assert.Zero(t, big.CArena())
	require.ErrorIs(t, Check(id), hffi.ERETIRED)

	// Freeing one arena makes room for one more, and the slot the large
	// arena retired starts over for a small one.
	require.NoError(t, held[2].Free())
	b, err := New(WithMaxSize(page))
	require.NoError(t, err)
	held[2] = b
	c, err := New(WithMaxSize(page))
	require.NoError(t, err)
	held = append(held, c)
	assert.NotZero(t, floorOf(c))
	_, err = New(WithMaxSize(page))
	require.ErrorIs(t, err, hffi.EEXHAUSTED)

	// A pool that cannot make an arena hands out one that says why.
	pool := NewPool(WithMaxSize(page))
	d := pool.Get()
	_, err = d.Alloc(1, 1)
	require.ErrorIs(t, err, hffi.EEXHAUSTED)
	pool.Put(d)
}

// neverUsedSlot returns a registry slot no arena has had yet, if any is
// left after earlier tests.
func neverUsedSlot() (uint32, bool) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return abi.ArenaSlots - 1, reg.fresh < abi.ArenaSlots
}
