// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi/values"
	"github.com/stretchr/testify/require"
)

// FuzzDecode copies arbitrary bytes into a fresh arena (at offset 64, where
// the seeds were encoded, so their links stay meaningful) and decodes them
// with Decode, DecodeInto and C's accessors: each must return an error or
// a value, never crash or read outside the arena. What decodes must
// re-encode and decode to the same bytes.
func FuzzDecode(f *testing.F) {
	a := valArena(f)
	b := valArena(f)
	lib := valTryLoad(f) // nil without a C compiler: the Go half still runs
	r := rand.New(rand.NewPCG(5, 6))
	seeds := []any{nil, true, 1, -1, uint64(math.MaxUint64), 2.5, "s", []byte("b"), []any{}, map[string]any{},
		valBench(), []any{[]any{[]any{"deep"}}}, map[string]any{"a": map[string]any{"b": []any{1, "x", nil}}}}
	for range 20 {
		seeds = append(seeds, valStripHandles(valRandom(r, 0)))
	}
	for _, v := range seeds {
		a.Reset()
		ref, err := values.Encode(a, v)
		require.NoError(f, err)
		f.Add(valBytes(a, ref))
	}
	f.Add(make([]byte, 16))
	f.Add([]byte{8, 0, 0, 0, 1, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0}) // a map whose entry is itself
	f.Add([]byte{7, 0, 0, 0, 255, 255, 255, 255, 64, 0, 0, 0, 0, 0, 0, 0})

	f.Fuzz(func(t *testing.T, data []byte) {
		a.Reset()
		p, err := a.AllocUninit(uintptr(max(len(data), 16)), 8)
		require.NoError(t, err)
		buf := unsafe.Slice((*byte)(p), max(len(data), 16))
		clear(buf)
		copy(buf, data)
		ref, err := a.Ref(p)
		require.NoError(t, err)

		v, err := values.Decode(ref)
		var s struct {
			A []any          `json:"a"`
			N *int           `json:"n"`
			M map[string]any `json:"m"`
		}
		_ = values.DecodeInto(ref, &s)
		if lib != nil {
			_ = lib.walkTree(t, ref)
		}
		if err != nil {
			return
		}
		b.Reset()
		r1, err := values.Encode(b, v)
		require.NoError(t, err)
		img1 := valBytes(b, r1)
		v2, err := values.Decode(r1)
		require.NoError(t, err)
		b.Reset()
		r2, err := values.Encode(b, v2)
		require.NoError(t, err)
		require.Equal(t, img1, valBytes(b, r2))
	})
}
