// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/values"
)

// TestViewFindTies: Find's first loop decides short keys by their 8-byte
// prefixes alone and hands the search on at the first key it cannot
// decide; keys whose prefixes tie (zero bytes at the end, short and long)
// must be found, and absent keys that tie with present ones must not.
// (Fails if the first loop takes a prefix tie for a match whatever the
// lengths.)
func TestViewFindTies(t *testing.T) {
	a := valArena(t)
	present := []string{"", "a", "a\x00", "ab", "abcdefg", "abcdefg\x00", "abcdefgh", "abcdefgh\x00", "abcdefgi", "b", "b\x00\x00\x00\x00\x00\x00\x00x"}
	absent := []string{"\x00", "a\x00\x00", "abc", "abcdefg\x00\x00", "abcdefgh\x00\x00", "abcdefgg", "b\x00", "b\x00\x00\x00\x00\x00\x00\x00", "c"}
	for n := 1; n <= len(present); n++ { // every size, so that each key is at each step of the search
		for first := 0; first+n <= len(present); first++ {
			keys := present[first : first+n]
			m := map[string]any{}
			for i, k := range keys {
				m[k] = int64(i)
			}
			a.Reset()
			ref, err := values.Encode(a, m)
			require.NoError(t, err)
			v, err := values.Open(ref)
			require.NoError(t, err)
			for _, k := range append(append([]string{}, present...), absent...) {
				x, err := v.Find(k)
				want, ok := m[k]
				if !ok {
					require.ErrorIs(t, err, hffi.ENOTFOUND, "keys %q, find %q", keys, k)
					continue
				}
				require.NoError(t, err, "keys %q, find %q", keys, k)
				got, err := x.Int()
				require.NoError(t, err)
				require.Equal(t, want, got, "keys %q, find %q", keys, k)
			}
		}
	}
}

// TestDecodeMapDepth: fillMap rejects a non-empty map whose keys would be
// too deep before its loop (which no longer tests the depth per entry),
// with the error its first key gave; an empty map that deep is fine. The
// tree is a map {"a": {}, "b": the map itself}, with room in the arena's
// budget for the cycle to reach the depth limit: the error must be the
// first key of the map at the limit under "b", not the empty map under
// "a" (the path ends .b[0], not .a[0]). (Fails if the early rejection also takes empty maps.)
func TestDecodeMapDepth(t *testing.T) {
	a := valArena(t)
	_, err := a.Alloc(64*abi.ValMaxDepth, 8) // budget: 2 nodes an entry, 2 entries a level
	require.NoError(t, err)
	ref, err := values.Encode(a, map[string]any{"a": map[string]any{}, "b": int64(0)})
	require.NoError(t, err)
	p, err := arena.Resolve(ref, abi.ValSize)
	require.NoError(t, err)
	root := (*abi.Val)(p)
	require.Equal(t, uint32(abi.ValMap), root.Kind)
	base := unsafe.Add(p, -int(abi.RefOffset(uint64(ref))))
	b := (*abi.Val)(unsafe.Add(base, root.Data+abi.ValEntrySize+abi.ValSize)) // the value of "b"
	*b = *root
	_, err = values.Decode(ref)
	require.ErrorIs(t, err, hffi.ECORRUPT)
	require.ErrorContains(t, err, fmt.Sprintf(".b[0]: corrupt value: nested deeper than %d levels", abi.ValMaxDepth))
	require.NotContains(t, err.Error(), ".a")
	var x any
	err = values.DecodeInto(ref, &x)
	require.ErrorIs(t, err, hffi.ECORRUPT)
	require.ErrorContains(t, err, ".b[0]: corrupt value: nested deeper")
}
