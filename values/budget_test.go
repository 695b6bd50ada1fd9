// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"fmt"
	"runtime"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/values"
)

// budgetNode returns the node at arena offset off of the tree r lives in.
func budgetNode(t *testing.T, r arena.Ref, off uint64) *abi.Val {
	t.Helper()
	p, err := arena.Resolve(r, abi.ValSize)
	require.NoError(t, err)
	return (*abi.Val)(unsafe.Add(p, int(off)-int(abi.RefOffset(uint64(r)))))
}

// budgetRoot returns the root node of r.
func budgetRoot(t *testing.T, r arena.Ref) *abi.Val {
	return budgetNode(t, r, abi.RefOffset(uint64(r)))
}

// budgetSelfMap encodes a map of n entries and makes every value a copy
// of the map's own node: a map that contains itself n times.
func budgetSelfMap(t *testing.T, a *arena.Arena, n int) arena.Ref {
	m := make(map[string]any, n)
	for i := range n {
		m[fmt.Sprintf("k%05d", i)] = nil
	}
	r, err := values.Encode(a, m)
	require.NoError(t, err)
	root := budgetRoot(t, r)
	for i := range n {
		*budgetNode(t, r, root.Data+uint64(i)*abi.ValEntrySize+abi.ValSize) = *root
	}
	return r
}

// budgetSelfList encodes a list of n elements and makes every element a
// copy of the list's own node.
func budgetSelfList(t *testing.T, a *arena.Arena, n int) arena.Ref {
	r, err := values.Encode(a, make([]any, n))
	require.NoError(t, err)
	root := budgetRoot(t, r)
	for i := range n {
		*budgetNode(t, r, root.Data+uint64(i)*abi.ValSize) = *root
	}
	return r
}

// budgetStructCycle encodes {"k": [n elements]} and makes every element a
// copy of the root map's node: a struct with a slice of itself.
func budgetStructCycle(t *testing.T, a *arena.Arena, n int) arena.Ref {
	r, err := values.Encode(a, map[string]any{"k": make([]any, n)})
	require.NoError(t, err)
	root := budgetRoot(t, r)
	list := budgetNode(t, r, root.Data+abi.ValSize)
	require.Equal(t, uint32(abi.ValList), list.Kind)
	for i := range n {
		*budgetNode(t, r, list.Data+uint64(i)*abi.ValSize) = *root
	}
	return r
}

// budgetDAG encodes {"a": [n nulls], "b": [n nulls]} and makes every
// element of b a copy of a's node: no cycle, but n*n elements to decode
// from 2n in the arena.
func budgetDAG(t *testing.T, a *arena.Arena, n int) arena.Ref {
	r, err := values.Encode(a, map[string]any{"a": make([]any, n), "b": make([]any, n)})
	require.NoError(t, err)
	root := budgetRoot(t, r)
	la := budgetNode(t, r, root.Data+abi.ValSize)
	lb := budgetNode(t, r, root.Data+abi.ValEntrySize+abi.ValSize)
	for i := range n {
		*budgetNode(t, r, lb.Data+uint64(i)*abi.ValSize) = *la
	}
	return r
}

type (
	budgetS struct {
		K []budgetS `json:"k"`
	}
	budgetM map[string]budgetM
	budgetL []budgetL
	budgetP struct {
		K []*budgetP `json:"k"`
	}
)

// budgetAlloc returns the bytes f allocated on the Go heap.
func budgetAlloc(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeSelfContaining decodes trees that contain themselves, or
// share subtrees, through every path of the decoder: each must fail with
// hffi.ECORRUPT after allocating at most a small multiple of the arena's
// size. Each level of a cycle used to allocate its container before the
// budget was charged, so a 4096-entry map in 128 KiB made Decode allocate
// more than a GiB.
func TestDecodeSelfContaining(t *testing.T) {
	const n = 1024
	trees := []struct {
		name  string
		build func(*testing.T, *arena.Arena, int) arena.Ref
		dst   []func() any // DecodeInto destinations; Decode is always tried
	}{
		{"map", budgetSelfMap, []func() any{
			func() any { return new(map[string]any) },
			func() any { return new(any) },
			func() any { return new(budgetM) },
			func() any { return new(map[string]budgetM) },
		}},
		{"list", budgetSelfList, []func() any{
			func() any { return new([]any) },
			func() any { return new(budgetL) },
			func() any { return new([4]budgetL) },
		}},
		{"struct", budgetStructCycle, []func() any{
			func() any { return new(budgetS) },
			func() any { return new(budgetP) },
			func() any { return new(map[string]any) },
		}},
		{"shared", budgetDAG, []func() any{
			func() any { return new(map[string]any) },
			func() any { return new(map[string][][]any) },
			func() any { return new(struct{ B [][]*int }) },
		}},
	}
	for _, tree := range trees {
		t.Run(tree.name, func(t *testing.T) {
			a := valArena(t)
			r := tree.build(t, a, n)
			used := a.Used()
			// A well-formed tree of this size allocates up to about 3
			// times the arena (Go maps take more room than the entries).
			limit := 8*uint64(used) + 64<<10
			check := func(what string, decode func() error) {
				t.Helper()
				var err error
				got := budgetAlloc(func() { err = decode() })
				require.Error(t, err, what)
				assert.ErrorIs(t, err, hffi.ECORRUPT, what)
				assert.Contains(t, err.Error(), "links are shared or cyclic", what)
				assert.LessOrEqual(t, got, limit, "%s allocated %d bytes for an arena of %d", what, got, used)
			}
			check("Decode", func() error { _, err := values.Decode(r); return err })
			for _, dst := range tree.dst {
				d := dst()
				check(fmt.Sprintf("DecodeInto(%T)", d), func() error { return values.DecodeInto(r, d) })
			}
		})
	}
}

// TestDecodeSelfContainingBig is the case of the report: a 4096-entry map
// that contains itself, in about 128 KiB.
func TestDecodeSelfContainingBig(t *testing.T) {
	a := valArena(t)
	r := budgetSelfMap(t, a, 4096)
	var err error
	got := budgetAlloc(func() { _, err = values.Decode(r) })
	require.ErrorIs(t, err, hffi.ECORRUPT)
	assert.LessOrEqual(t, got, 8*uint64(a.Used()), "allocated %d bytes for an arena of %d", got, a.Used())
	t.Logf("arena %d bytes, Decode allocated %d", a.Used(), got)
}

// TestDecodeBudgetExact: a well-formed tree that fills its arena decodes;
// the budget is not charged twice for any node.
func TestDecodeBudgetExact(t *testing.T) {
	a := valArena(t)
	v := map[string]any{"a": []any{1, "two", []any{}, map[string]any{"x": nil}}, "b": map[string]any{"c": []any{[]any{[]any{true}}}}}
	r, err := values.Encode(a, v)
	require.NoError(t, err)
	got, err := values.Decode(r)
	require.NoError(t, err)
	assert.Equal(t, v["b"], got.(map[string]any)["b"])
	var s struct {
		A []any
		B map[string][][][]bool
	}
	require.NoError(t, values.DecodeInto(r, &s))
	assert.Equal(t, true, s.B["c"][0][0][0])
}

// TestEncodeCycleBig: a Go value that contains itself through a big map
// or slice is caught at once. Cycles used to be looked for only below 100
// levels, so the container was encoded 100 times first: 565 MB for a 1 MiB
// []any that contains itself.
func TestEncodeCycleBig(t *testing.T) {
	a := valArena(t)
	m := make(map[string]any, 4096)
	for i := range 4096 {
		m[fmt.Sprintf("k%05d", i)] = i
	}
	m["k02000"] = m
	l := make([]any, 1<<16)
	l[1000] = l
	type node struct {
		Kids []*node
	}
	n := &node{Kids: make([]*node, 1000)}
	n.Kids[500] = n
	for _, tc := range []struct {
		name string
		v    any
		size uint64 // bytes of the Go value's own memory, about
		path string
	}{
		{"map", m, 4096 * 40, "value.k02000: cycle detected"},
		{"list", l, 16 << 16, "value[1000]: cycle detected"},
		{"struct", n, 8 * 1000, "value.Kids[500].Kids: cycle detected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.Reset()
			var err error
			got := budgetAlloc(func() { _, err = values.Encode(a, tc.v) })
			require.ErrorIs(t, err, hffi.EINVAL)
			assert.Equal(t, "values: encode "+tc.path, err.Error())
			assert.LessOrEqual(t, got, 8*tc.size+64<<10, "allocated %d bytes", got)
			assert.Zero(t, a.Used(), "nothing written to the arena")
		})
	}
}
