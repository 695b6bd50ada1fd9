// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/values"
)

// TestDecodeKeyOrderTies: the decoder's map loop carries only the previous
// key's 8-byte prefix and reads that key again from its node when the
// prefixes tie. Keys whose prefixes tie (short and long, zero bytes at the
// end) must decode in order and be rejected when two entries are swapped,
// in a root map and a nested one, through Decode and DecodeInto.
func TestDecodeKeyOrderTies(t *testing.T) {
	a := valArena(t)
	pairs := [][2]string{
		{"a", "a\x00"}, // short keys
		{"ab\x00", "ab\x00\x00"},
		{"abcdefg", "abcdefg\x00x"},        // a short key, then a long one
		{"abcdefg\x00", "abcdefg\x00\x00"}, // long keys
		{"abcdefgh", "abcdefgh\x00"},
	}
	for _, p := range pairs {
		for _, nested := range []bool{false, true} {
			for _, swap := range []bool{false, true} {
				for _, into := range []bool{false, true} {
					a.Reset()
					inner := map[string]any{p[0]: int64(1), p[1]: "x", "z": 2.5}
					var want any = inner
					if nested {
						want = map[string]any{"m": inner}
					}
					r, err := values.Encode(a, want)
					require.NoError(t, err)
					base := abi.RefOffset(uint64(r))
					q, err := arena.Resolve(r, uintptr(len(valBytes(a, r))))
					require.NoError(t, err)
					at := func(off uint64) *abi.Val { return (*abi.Val)(unsafe.Add(q, off-base)) }
					m := at(base)
					if nested {
						m = at(m.Data + abi.ValSize) // the value of the root's one entry
					}
					require.Equal(t, uint32(abi.ValMap), m.Kind)
					k0, k1 := at(m.Data), at(m.Data+abi.ValEntrySize)
					if swap {
						*k0, *k1 = *k1, *k0
					}
					var got any
					if into {
						var g map[string]any
						err = values.DecodeInto(r, &g)
						got = g
					} else {
						got, err = values.Decode(r)
					}
					if swap {
						require.ErrorIs(t, err, hffi.ECORRUPT, "%q nested=%v into=%v", p, nested, into)
						require.ErrorContains(t, err, "not in strictly increasing order")
					} else {
						require.NoError(t, err, "%q nested=%v into=%v", p, nested, into)
						require.Equal(t, want, got)
					}
				}
			}
		}
	}
}

// TestDecodeFastPathChecks: the nodes that the map and list loops decode
// without elem and shape (nulls, bools, long strings, containers) get the
// same checks: a null with data or a length is corrupt, and long strings
// that share their bytes are charged to the string budget each time.
func TestDecodeFastPathChecks(t *testing.T) {
	a := valArena(t)
	decode := func(r arena.Ref, into bool) error {
		if into {
			var g map[string]any
			return values.DecodeInto(r, &g)
		}
		_, err := values.Decode(r)
		return err
	}
	for _, into := range []bool{false, true} {
		for _, bad := range []abi.Val{{Kind: abi.ValNull, Data: 5}, {Kind: abi.ValNull, Len: 1}} {
			// A map value, and a list element.
			a.Reset()
			r, err := values.Encode(a, map[string]any{"a": nil, "l": []any{nil, 1}})
			require.NoError(t, err)
			base := abi.RefOffset(uint64(r))
			q, err := arena.Resolve(r, uintptr(len(valBytes(a, r))))
			require.NoError(t, err)
			at := func(off uint64) *abi.Val { return (*abi.Val)(unsafe.Add(q, off-base)) }
			ents := at(base).Data
			v := at(ents + abi.ValSize)
			require.Equal(t, uint32(abi.ValNull), v.Kind)
			*v = bad
			require.ErrorIs(t, decode(r, into), hffi.ECORRUPT, "map value %+v", bad)

			a.Reset()
			r, err = values.Encode(a, map[string]any{"a": nil, "l": []any{nil, 1}})
			require.NoError(t, err)
			l := at(at(base).Data + abi.ValEntrySize + abi.ValSize)
			require.Equal(t, uint32(abi.ValList), l.Kind)
			*at(l.Data) = bad
			require.ErrorIs(t, decode(r, into), hffi.ECORRUPT, "list element %+v", bad)
		}

		// Twenty values that all name the bytes of the one long string:
		// twenty times its bytes, more than the arena holds.
		for _, size := range []int{16, 100, 4000} {
			a.Reset()
			m := map[string]any{"big": strings.Repeat("b", size*20)}
			for i := range 20 {
				m[fmt.Sprintf("k%02d", i)] = strings.Repeat("s", size)
			}
			r, err := values.Encode(a, m)
			require.NoError(t, err)
			base := abi.RefOffset(uint64(r))
			q, err := arena.Resolve(r, uintptr(len(valBytes(a, r))))
			require.NoError(t, err)
			at := func(off uint64) *abi.Val { return (*abi.Val)(unsafe.Add(q, off-base)) }
			ents := at(base).Data
			big := *at(ents + abi.ValSize) // "big" sorts first
			require.Equal(t, uint32(size*20), big.Len)
			for i := 1; i <= 20; i++ {
				*at(ents + uint64(i)*abi.ValEntrySize + abi.ValSize) = big
			}
			err = decode(r, into)
			require.ErrorIs(t, err, hffi.ECORRUPT, "size %d", size)
			require.ErrorContains(t, err, "more string bytes than the arena holds")
		}
	}
}
