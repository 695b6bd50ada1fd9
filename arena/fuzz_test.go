// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
)

// resolveFixture is a set of arenas in every state a Ref can meet: live
// with allocations, reset after minting, freed, and moved off a retired
// slot. It lives for the whole test binary.
var resolveFixture struct {
	once   sync.Once
	live   *Arena
	allocs map[uint64][]byte // offset in live -> contents
	seeds  []uint64
}

func fixture(tb testing.TB) {
	f := &resolveFixture
	f.once.Do(func() {
		f.allocs = map[uint64][]byte{}
		mint := func(a *Arena, p unsafe.Pointer) uint64 {
			r, err := a.Ref(p)
			require.NoError(tb, err)
			f.seeds = append(f.seeds, uint64(r))
			return uint64(r)
		}
		live, err := New(WithMaxSize(1 << 20))
		require.NoError(tb, err)
		f.live = live
		for i, s := range []string{"alpha", "", "a longer string of bytes", string(make([]byte, 300))} {
			p, err := live.CopyString(s)
			require.NoError(tb, err)
			r := mint(live, p)
			f.allocs[abi.RefOffset(r)] = append([]byte(s), 0)
			f.seeds = append(f.seeds, r+uint64(i+1), r^abi.RefTag, r+1<<abi.RefGenShift, r-1<<abi.RefGenShift)
		}
		f.seeds = append(f.seeds, uint64(live.CArena()))

		reset, err := New(WithMaxSize(1 << 20))
		require.NoError(tb, err)
		p, err := reset.CopyString("gone")
		require.NoError(tb, err)
		mint(reset, p)
		reset.Reset()
		p, err = reset.CopyString("here")
		require.NoError(tb, err)
		mint(reset, p)

		freed, err := New(WithMaxSize(1 << 20))
		require.NoError(tb, err)
		p, err = freed.CopyString("freed")
		require.NoError(tb, err)
		mint(freed, p)
		require.NoError(tb, freed.Free())

		moved, err := New(WithMaxSize(1 << 20))
		require.NoError(tb, err)
		setGen(moved, abi.ArenaGenMax)
		p, err = moved.CopyString("retired")
		require.NoError(tb, err)
		mint(moved, p)
		moved.Reset()
		p, err = moved.CopyString("moved")
		require.NoError(tb, err)
		mint(moved, p)

		f.seeds = append(f.seeds, 0, 1, abi.RefTag, ^uint64(0), abi.RefTag|1<<abi.RefSlotShift|1<<abi.RefGenShift|8)
	})
}

// specResolve computes hffi_ref_resolve's result from the text of hffi.h,
// reading the raw registry: a second implementation to check Resolve by.
func specResolve(r, size uint64) (off uint64, code hffi.Code) {
	if r == 0 {
		return 0, hffi.EZERO
	}
	if r>>63 == 0 {
		return 0, hffi.EKIND
	}
	slot := (r >> 49) & (1<<14 - 1)
	gen := (r >> 29) & (1<<20 - 1)
	if slot == 0 {
		return 0, hffi.ERANGE
	}
	if gen == 0 {
		return 0, hffi.EFORGED
	}
	w := slotWordOf(uint32(slot))
	sgen, state, floor := w&(1<<20-1), (w>>20)&3, (w>>22)&(1<<29-1)*8
	off = (r & (1<<29 - 1)) * 8
	switch {
	case off < floor:
		return 0, hffi.ESTALE
	case gen > sgen:
		return 0, hffi.EFORGED
	case gen < sgen:
		return 0, hffi.ESTALE
	case state == 2:
		return 0, hffi.ERETIRED
	case state != 1:
		return 0, hffi.ECLOSED
	}
	used := atomic.LoadUint64(&hdrs[slot].Used)
	if off < floor+64 || off > used || size > used-off {
		return 0, hffi.EBOUNDS
	}
	return off, hffi.OK
}

// FuzzResolve: any 64-bit integer (and size) resolves to exactly the code
// the C definition gives, and a success names committed memory of a live
// arena at the Ref's generation: for the fixture's live arena, exactly the
// bytes that were copied there.
func FuzzResolve(f *testing.F) {
	fixture(f)
	for _, s := range resolveFixture.seeds {
		f.Add(s, uint64(0))
		f.Add(s, uint64(6))
	}
	f.Fuzz(func(t *testing.T, r, size uint64) {
		p, err := Resolve(Ref(r), uintptr(size))
		off, code := specResolve(r, size)
		if code != hffi.OK {
			require.Nil(t, p)
			require.ErrorIs(t, err, error(code))
			var e hffi.Code
			require.True(t, errors.As(err, &e))
			require.Equal(t, code, e)
			require.Equal(t, code == hffi.EBOUNDS, Check(Ref(r)) == nil)
			return
		}
		require.NoError(t, err)
		slot := abi.RefSlot(r)
		require.Equal(t, unsafe.Add(atomic.LoadPointer(&bases[slot]), off), p)
		if size > 0 { // must be readable: used <= committed
			b := bytesAt(p, uintptr(size))
			sink = b[0] ^ b[size-1]
		}
		live := resolveFixture.live
		if slot == slotOf(live) {
			if want, ok := resolveFixture.allocs[off]; ok && size <= uint64(len(want)) {
				require.Equal(t, want[:size], bytesAt(p, uintptr(size)))
			}
		}
	})
}

// The model of FuzzOps.
type (
	mArena struct {
		a      *Arena
		freed  bool
		floor  uint64 // the slot's floor: 0 unless it was recycled
		used   uint64 // bump offset
		limit  uint64 // the maximum size
		epoch  int    // generation bumps since creation
		minted bool
		allocs []mAlloc
		local  *Local
	}
	mAlloc struct {
		off  uint64
		data []byte
	}
	mRef struct {
		r     Ref
		arena int
		off   uint64
		epoch int
	}
)

// FuzzOps runs random sequences of operations on a few small arenas and
// checks every result against a model: exact bump offsets, zeroed memory,
// contents never overwritten by another allocation, Refs that resolve
// until their arena is reset or freed and fail with the right error after.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 8, 3, 2, 40, 5, 0, 6, 0, 3, 6, 0, 4, 6, 0, 7})
	f.Add([]byte{0, 0, 2, 200, 5, 1, 1, 255, 9, 1, 255, 12, 6, 1, 7, 3, 6, 1, 4, 0})
	f.Add([]byte{0, 9, 5, 0, 9, 6, 0, 3, 6, 0, 9, 2, 77, 5, 1, 6, 1, 4, 6, 1, 0, 6, 0})
	f.Add(bytes.Repeat([]byte{1, 250, 3, 5, 0}, 40))
	// A 1 MiB arena whose Local copies and allocates 1 KB at a time past
	// several growing chunks, is reset and does it again, then a check.
	batch := bytes.Repeat([]byte{10, 0, 250, 3, 3, 2, 10, 0, 250, 3, 3, 0, 10, 0, 250, 3, 3, 1}, 20)
	f.Add(append(append(append(append([]byte{0, 1}, batch...), 3, 0), batch...), 7))
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 600 {
			ops = ops[:600]
		}
		var (
			arenas []*mArena
			refs   []mRef
		)
		defer func() {
			for _, m := range arenas {
				require.NoError(t, m.a.Free())
			}
		}()
		next := func() int {
			if len(ops) == 0 {
				return 0
			}
			b := ops[0]
			ops = ops[1:]
			return int(b)
		}
		pick := func() *mArena {
			if len(arenas) == 0 {
				return nil
			}
			return arenas[next()%len(arenas)]
		}
		for len(ops) > 0 {
			switch next() % 11 {
			case 0: // new
				if len(arenas) < 4 {
					// Small arenas reach their end; 1 MiB ones let a
					// Local's chunks grow (to an eighth of the arena).
					limit := uint64(32 << 10)
					if next()%2 == 1 {
						limit = 1 << 20
					}
					a, err := New(WithMaxSize(uintptr(limit)))
					require.NoError(t, err)
					f := floorOf(a)
					m := &mArena{a: a, floor: f, used: f + abi.ArenaPrefix, limit: limit, local: new(Local)}
					*m.local = a.Local()
					arenas = append(arenas, m)
				}
			case 1, 2: // alloc (1: zeroed, 2: copy string)
				m := pick()
				if m == nil {
					continue
				}
				size := uint64(next()) * uint64(1+next()%64)
				align := uint64(1) << (next() % 13)
				var data []byte
				var p unsafe.Pointer
				var err error
				if ops := len(ops); ops%2 == 0 {
					p, err = m.a.Alloc(uintptr(size), uintptr(align))
					data = make([]byte, size)
				} else {
					align = 8
					data = append(bytes.Repeat([]byte{byte(size) | 1}, int(size)), 0)
					p, err = m.a.CopyString(string(data[:size]))
					size++
				}
				if m.freed {
					require.ErrorIs(t, err, hffi.ECLOSED)
					continue
				}
				if align > uint64(page) {
					require.ErrorIs(t, err, hffi.EALIGN)
					continue
				}
				off := (m.used + align - 1) &^ (align - 1)
				if off+size > m.floor+m.limit {
					require.ErrorIs(t, err, hffi.ENOMEM)
					continue
				}
				require.NoError(t, err)
				require.Equal(t, unsafe.Add(baseOf(m.a), off), p)
				require.Equal(t, data, bytesAt(p, uintptr(size)))
				// Tag it so an overlapping allocation would be caught.
				for i := range data {
					data[i] = byte(off/8) + byte(i)
				}
				copy(bytesAt(p, uintptr(size)), data)
				m.used = off + size
				m.allocs = append(m.allocs, mAlloc{off, data})
			case 3: // reset
				m := pick()
				if m == nil {
					continue
				}
				m.a.Reset()
				if !m.freed {
					if m.minted {
						m.epoch++
					}
					m.minted, m.used, m.allocs = false, m.floor+abi.ArenaPrefix, nil
				}
			case 4: // free
				if m := pick(); m != nil {
					require.NoError(t, m.a.Free())
					m.freed, m.allocs = true, nil
				}
			case 5: // ref to an 8-aligned allocation, or the id
				m := pick()
				if m == nil {
					continue
				}
				i := next()
				if m.freed {
					_, err := m.a.Ref(baseOf(m.a))
					require.ErrorIs(t, err, hffi.ECLOSED)
					require.Zero(t, m.a.CArena())
					continue
				}
				if i >= len(m.allocs) || m.allocs[i].off%8 != 0 {
					id := m.a.CArena()
					require.Equal(t, m.floor, abi.RefOffset(uint64(id)))
					refs = append(refs, mRef{id, indexOf(arenas, m), m.floor, m.epoch})
				} else {
					r, err := m.a.Ref(unsafe.Add(baseOf(m.a), m.allocs[i].off))
					require.NoError(t, err)
					refs = append(refs, mRef{r, indexOf(arenas, m), m.allocs[i].off, m.epoch})
				}
				m.minted = true
			case 6: // resolve
				if len(refs) == 0 {
					continue
				}
				mr := refs[next()%len(refs)]
				size := uint64(next())
				m := arenas[mr.arena]
				p, err := Resolve(mr.r, uintptr(size))
				switch {
				case m.freed && mr.epoch == m.epoch:
					require.True(t, isAny(err, hffi.ECLOSED, hffi.ESTALE), "%v", err)
				case mr.epoch != m.epoch:
					require.ErrorIs(t, err, hffi.ESTALE)
				case mr.off < m.floor+abi.ArenaPrefix || mr.off+size > m.used:
					require.ErrorIs(t, err, hffi.EBOUNDS)
					require.NoError(t, Check(mr.r))
				default:
					require.NoError(t, err)
					require.Equal(t, unsafe.Add(baseOf(m.a), mr.off), p)
				}
			case 7: // verify every live allocation
				for _, m := range arenas {
					if m.freed {
						continue
					}
					require.Equal(t, uintptr(m.used-m.floor-abi.ArenaPrefix), m.a.Used())
					for _, al := range m.allocs {
						require.Equal(t, al.data, bytesAt(unsafe.Add(baseOf(m.a), al.off), uintptr(len(al.data))))
					}
				}
			case 8: // copy bytes
				m := pick()
				if m == nil {
					continue
				}
				data := bytes.Repeat([]byte{byte(next())}, next())
				p, err := m.a.CopyBytes(data)
				if m.freed {
					require.ErrorIs(t, err, hffi.ECLOSED)
					continue
				}
				off := (m.used + 7) &^ 7
				if off+uint64(len(data)) > m.floor+m.limit {
					require.ErrorIs(t, err, hffi.ENOMEM)
					continue
				}
				require.NoError(t, err)
				require.Equal(t, unsafe.Add(baseOf(m.a), off), p)
				m.used = off + uint64(len(data))
				m.allocs = append(m.allocs, mAlloc{off, data})
			case 10: // allocate through the arena's Local: Alloc, CopyString or MustCopyString
				m := pick()
				if m == nil {
					continue
				}
				size := uint64(next()) * uint64(1+next()%16)
				align := uint64(1) << (next() % 13)
				var (
					p   unsafe.Pointer
					err error
				)
				str := strings.Repeat("s", int(size))
				switch how := next() % 3; how {
				case 0:
					p, err = m.local.Alloc(uintptr(size), uintptr(align))
				default:
					align = 8
					if how == 1 {
						p, err = m.local.CopyString(str)
					} else {
						err = mustCopyLocal(m.local, str, &p)
					}
					if err == nil {
						require.Equal(t, str+"\x00", string(bytesAt(p, uintptr(size+1))))
						// The model holds size zeroed bytes and the NUL.
						clear(bytesAt(p, uintptr(size)))
					}
					size++
				}
				switch {
				case m.freed:
					require.ErrorIs(t, err, hffi.ECLOSED)
					continue
				case align > uint64(page):
					require.ErrorIs(t, err, hffi.EALIGN)
					continue
				case err != nil:
					require.ErrorIs(t, err, hffi.ENOMEM)
					require.Greater(t, size+align, m.floor+m.limit-m.used-1, "a Local failed although the arena had room")
					continue
				}
				off := uint64(uintptr(p) - uintptr(baseOf(m.a)))
				used := uint64(m.a.Used()) + m.floor + abi.ArenaPrefix
				require.Zero(t, off%align)
				require.GreaterOrEqual(t, off, m.floor+abi.ArenaPrefix)
				require.LessOrEqual(t, off+size, used)
				require.Equal(t, make([]byte, size), bytesAt(p, uintptr(size)))
				data := make([]byte, size)
				for i := range data {
					data[i] = byte(off/8) + byte(i) + 1
				}
				copy(bytesAt(p, uintptr(size)), data)
				m.used = used
				m.allocs = append(m.allocs, mAlloc{off, data})
			case 9: // a forged Ref with a future generation never resolves
				m := pick()
				if m == nil || m.freed {
					continue
				}
				r := Ref(abi.MakeRef(slotOf(m.a), genOf(m.a)+1, m.floor+abi.ArenaPrefix))
				_, err := Resolve(r, 0)
				assert.ErrorIs(t, err, hffi.EFORGED)
			}
		}
	})
}

func indexOf(as []*mArena, m *mArena) int {
	for i, x := range as {
		if x == m {
			return i
		}
	}
	panic("not found")
}

// mustCopyLocal calls l.MustCopyString and returns the error it panics with.
func mustCopyLocal(l *Local, s string, p *unsafe.Pointer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = r.(error)
		}
	}()
	*p = l.MustCopyString(s)
	return nil
}
