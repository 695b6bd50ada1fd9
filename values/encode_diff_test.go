// SPDX-License-Identifier: Apache-2.0

package values

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// diffGen builds a value from a stream of bytes, so that the fuzzer and a
// seeded generator share it. It favours what the encoder treats apart:
// keys and strings around 8 bytes (inline or not), 256 bytes (copied at
// the end) and sharing their first 7 bytes (sort ties), maps around 16
// entries (sorted on the stack or not), nesting, and values of the slow
// paths, unsupported ones included.
type diffGen struct {
	b []byte
	n int // values made, to bound the tree
}

func (g *diffGen) byte() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

var diffLens = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 23, 24, 100, 255, 256, 257, 600}

func (g *diffGen) str() string {
	c := g.byte()
	b := make([]byte, diffLens[int(c&0x1f)%len(diffLens)])
	for i := range b {
		b[i] = 'a' + byte(i)%3
	}
	if len(b) > 0 {
		b[len(b)-1] = 'a' + g.byte()%26
	}
	if c&0x20 != 0 { // a common prefix: ties after 7 or 8 bytes
		copy(b, "sharedprefix"[:7+int(c>>6&1)])
	}
	return string(b)
}

type diffStruct struct {
	Name  string         `json:"name"`
	N     int            `json:"n,omitempty"`
	Inner map[string]any `json:"inner"`
	Tags  []string
}

func (g *diffGen) value(depth int) any {
	g.n++
	c := g.byte()
	if depth > 6 || g.n > 400 {
		c %= 8
	}
	switch c % 24 {
	case 0:
		return nil
	case 1, 2:
		return g.str()
	case 3:
		return int(int8(g.byte())) * 1000003
	case 4:
		return float64(g.byte()) / 7
	case 5:
		return g.byte()&1 == 1
	case 6:
		return int64(-1) << (g.byte() % 64)
	case 7:
		return uint64(1) << (g.byte() % 64)
	case 8, 9, 10:
		return g.mapAny(depth)
	case 11, 12:
		n := int(g.byte() % 20)
		l := make([]any, n)
		for i := range l {
			l[i] = g.value(depth + 1)
		}
		return l
	case 13:
		return []byte(g.str())
	case 14:
		return []string{g.str(), g.str()}
	case 15:
		n := int(g.byte() % 20)
		m := make(map[string]string, n)
		for range n {
			m[g.str()] = g.str()
		}
		return m
	case 16:
		return diffStruct{Name: g.str(), N: int(g.byte() % 3), Inner: g.mapAny(depth)}
	case 17:
		v := g.value(depth + 1)
		return &v
	case 18:
		return map[string]int{g.str(): 1, g.str(): 2}
	case 19:
		return [3]byte{g.byte(), 1, 2}
	case 20:
		return make(chan int) // unsupported, or a handle
	case 21:
		return float32(g.byte())
	case 22:
		return map[int]any{1: nil} // non-string keys
	case 23:
		return handles.Handle(g.byte())
	}
	panic("unreachable")
}

func (g *diffGen) mapAny(depth int) map[string]any {
	c := g.byte()
	var n int
	switch c % 4 {
	case 0:
		n = int(c>>2) % 4
	case 1:
		n = 8 + int(c>>2)%12 // around encSmallMap
	default:
		n = int(c>>2) % 40
	}
	m := make(map[string]any, n)
	for range n {
		m[g.str()] = g.value(depth + 1)
	}
	return m
}

// diffOpts are the circumstances of a diffEncode.
type diffOpts struct {
	skip        uintptr  // bytes allocated before the encoding
	withHandles bool     // unsupported values become handles
	maxSize     uintptr  // of the arenas (4 MiB if 0)
	enc         *Encoder // the Encoder to use (a new one if nil), with what it learned before
}

// diffEncode encodes v with the reference encoder and with Encoder into
// two fresh arenas and requires the same outcome: the same error text, or
// the same root offset and the same bytes; and the same arena use. With
// handles both encode unsupported values as handles (which differ between
// the two: the test compares their count only).
func diffEncode(t testing.TB, v any, o diffOpts) {
	t.Helper()
	var outs [2]struct {
		r    arena.Ref
		err  error
		used uintptr
		b    []byte
		made int
	}
	for i := range outs {
		a, err := arena.New(arena.WithMaxSize(cmp.Or(o.maxSize, 4<<20)))
		require.NoError(t, err)
		if o.skip > 0 {
			_, err = a.AllocUninit(o.skip, 1)
			require.NoError(t, err)
		}
		var tab *handles.Table
		if o.withHandles {
			tab, err = handles.NewTable()
			require.NoError(t, err)
		}
		out := &outs[i]
		if i == 0 {
			e := refEncoder{Handles: tab, Name: "v"}
			out.r, out.err = e.Encode(a, v)
			out.made = len(e.made)
			e.dropMade()
		} else {
			e := o.enc
			if e == nil {
				e = new(Encoder)
			}
			e.Handles, e.Name = tab, "v"
			out.r, out.err = e.Encode(a, v)
			out.made = len(e.made)
			e.dropMade()
			e.Handles = nil
		}
		if tab != nil {
			require.Zero(t, tab.Len(), "handles left in the table")
			require.NoError(t, tab.Close())
		}
		out.used = a.Used()
		if out.err == nil {
			p, err := arena.Resolve(out.r, 1)
			require.NoError(t, err)
			n := out.used + abi.ArenaPrefix - uintptr(abi.RefOffset(uint64(out.r)))
			out.b = append([]byte(nil), unsafe.Slice((*byte)(p), n)...)
			if o.withHandles {
				diffMaskHandles(out.b)
			}
		}
		require.NoError(t, a.Free())
	}
	ref, got := outs[0], outs[1]
	if ref.err != nil {
		require.Error(t, got.err)
		require.Equal(t, ref.err.Error(), got.err.Error())
		var re, ge *Error
		require.Equal(t, errors.As(ref.err, &re), errors.As(got.err, &ge))
		require.Equal(t, ref.used, got.used, "arena use after a failed encode")
		return
	}
	require.NoError(t, got.err)
	require.Equal(t, abi.RefOffset(uint64(ref.r)), abi.RefOffset(uint64(got.r)))
	require.Equal(t, ref.used, got.used)
	require.Equal(t, ref.made, got.made)
	require.Equal(t, ref.b, got.b)
}

// diffMaskHandles zeroes the data of every handle node: handles from two
// tables differ. It scans node-aligned words only, which is enough for the
// generator's trees (a false match zeroes the same bytes in both).
func diffMaskHandles(b []byte) {
	for i := 0; i+abi.ValSize <= len(b); i += 8 {
		if binary.LittleEndian.Uint32(b[i:]) == uint32(KindHandle) && binary.LittleEndian.Uint32(b[i+4:]) == 0 {
			clear(b[i+8 : i+16])
		}
	}
}

func TestEncodeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 4096)
	var shared Encoder // learns its reservation from the trees before
	for i := range 3000 {
		for j := range buf {
			buf[j] = byte(rng.Uint32())
		}
		g := diffGen{b: buf}
		v := g.value(0)
		o := diffOpts{skip: uintptr(i%13)*8 + uintptr(i%3), withHandles: i%5 == 0}
		if i%2 == 1 {
			o.enc = &shared
		}
		if i%7 == 0 { // a small arena: the reservation, or the tree, may not fit
			o.maxSize = 1
			o.skip = uintptr(rng.IntN(4000))
		}
		diffEncode(t, v, o)
	}
}

func TestEncodeMatchesReferenceFixed(t *testing.T) {
	long := strings.Repeat("y", 300)
	for _, v := range []any{
		nil, 1, "", "abcdefgh", "abcdefghi", long, []any{}, map[string]any{},
		map[string]any{"abcdefgX": 1, "abcdefgA": 2, "abcdefg": 3, "abcdefgXY": 4, "abcdefgAB": long},
		map[string]any{"name": "Ada Lovelace", "email": "ada@example.com", "note": "first programmer",
			"id": 1815, "age": 36, "score": 99.5, "ratio": 0.125, "active": true,
			"address": map[string]any{"city": "London", "zip": "W1", "floor": 2},
			"tags":    []any{"math", "poetry", 1843, 3.14}},
		map[string]any{long: long, "k": []any{long, long + "z", map[string]any{long: 1}}},
		map[string]any{"bad": make(chan int), "ok": 1},
		[]any{1, []any{2, make(chan int)}},
	} {
		for _, h := range []bool{false, true} {
			diffEncode(t, v, diffOpts{withHandles: h})
			diffEncode(t, v, diffOpts{skip: 13, withHandles: h})
			for skip := uintptr(3500); skip < 4032; skip += 29 { // near the end of a one-page arena
				diffEncode(t, v, diffOpts{skip: skip, withHandles: h, maxSize: 1})
			}
		}
	}
}

// FuzzEncodeMatchesReference: any tree the generator builds from the
// input encodes to the reference encoder's bytes, or fails the same way.
func FuzzEncodeMatchesReference(f *testing.F) {
	f.Add([]byte{8, 1, 5, 1, 2, 3, 3, 4, 9, 11, 4, 1, 1, 8, 5, 6})
	f.Add([]byte("the quick brown fox jumps over the lazy dog, twice over"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		g := diffGen{b: data}
		v := g.value(0)
		o := diffOpts{withHandles: len(data)%2 == 1}
		if len(data) > 0 {
			c := data[len(data)-1]
			o.skip = uintptr(c % 24)
			if c >= 128 {
				o.maxSize, o.skip = 1, uintptr(c-128)*31
			}
		}
		diffEncode(t, v, o)
	})
}

// diffAllocText allocates from an arena while it is being encoded into,
// as another goroutine or a C thread may: the encoder's reservation can
// then not grow in place.
type diffAllocText struct{ a *arena.Arena }

func (d diffAllocText) MarshalText() ([]byte, error) {
	if _, err := d.a.AllocUninit(8, 8); err != nil {
		return nil, err
	}
	return []byte("allocated"), nil
}

// TestEncodeInterleavedAllocation: an allocation from the arena in the
// middle of an encoding makes the encoder start over in a Go buffer; the
// tree is whole, and the handles of the first attempt are not left in the
// table.
func TestEncodeInterleavedAllocation(t *testing.T) {
	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	tab, err := handles.NewTable()
	require.NoError(t, err)
	defer tab.Close()
	list := make([]any, 300)
	for i := range list {
		list[i] = strings.Repeat("z", 20+i%3)
	}
	v := map[string]any{"a": diffAllocText{a}, "b": list, "c": make(chan int)}
	e := Encoder{Handles: tab}
	for range 3 { // the second time the reservation fits at once
		r, err := e.Encode(a, v)
		require.NoError(t, err)
		require.Len(t, e.Created(), 1)
		require.Equal(t, 1, tab.Len())
		got, err := Decode(r)
		require.NoError(t, err)
		m := got.(map[string]any)
		require.Equal(t, "allocated", m["a"])
		require.Equal(t, list, m["b"])
		h := m["c"].(handles.Handle)
		require.NoError(t, tab.Delete(h))
		a.Reset()
	}
}
