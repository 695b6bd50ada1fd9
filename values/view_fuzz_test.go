// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/values"
)

// FuzzView copies arbitrary bytes into a fresh arena (at the offset where
// the seeds were encoded, so their links stay meaningful), opens a View
// at a node chosen by the input, follows an arbitrary path and reads the
// result every way there is: each read must return a value or an error,
// never crash or read outside the arena, and Path and Kind must give the
// code and kind that C's hffi_val_path and hffi_val_kind give.
func FuzzView(f *testing.F) {
	a := valArena(f)
	lib := valTryLoad(f) // nil without a C compiler: the Go half still runs
	r := rand.New(rand.NewPCG(7, 8))
	seeds := []any{nil, 1, "s", valBench(), []any{[]any{"deep"}}, map[string]any{"a": map[string]any{"b": []any{1, "x", nil}}}}
	for range 10 {
		seeds = append(seeds, valStripHandles(viewRandomTree(r, 0)))
	}
	for i, v := range seeds {
		a.Reset()
		ref, err := values.Encode(a, v)
		require.NoError(f, err)
		f.Add(valBytes(a, ref), uint16(0), viewRandomPath(r))
		f.Add(valBytes(a, ref), uint16(i), "address.city")
	}
	f.Add(make([]byte, 16), uint16(0), "")
	f.Add([]byte{8, 0, 0, 0, 1, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0}, uint16(0), "a.a.a") // a map whose entry is itself
	f.Add([]byte{7, 0, 0, 0, 255, 255, 255, 255, 64, 0, 0, 0, 0, 0, 0, 0}, uint16(0), "[4294967294]")

	var kind unsafe.Pointer
	pa := valArena(f) // the path as a C string, in an arena of its own
	if lib != nil {
		kind = lib.outWord(f)
	}
	f.Fuzz(func(t *testing.T, data []byte, at uint16, path string) {
		a.Reset()
		n := max(len(data), 16)
		p, err := a.AllocUninit(uintptr(n), 8)
		require.NoError(t, err)
		buf := unsafe.Slice((*byte)(p), n)
		clear(buf)
		copy(buf, data)
		ref, err := a.Ref(p)
		require.NoError(t, err)
		ref += arena.Ref(int(at) % (n/8 + 1)) // any 8-aligned offset, the end included

		k, code := viewPathKind(ref, path)
		if lib != nil && !strings.ContainsRune(path, 0) {
			pa.Reset()
			cpath, err := pa.CopyString(path)
			require.NoError(t, err)
			crc := lib.call(lib.pathKind, lib.rt, uintptr(ref), uintptr(cpath), uintptr(kind))
			require.Equal(t, crc, code, "path %q", path)
			if crc == hffi.OK {
				require.Equal(t, values.Kind(*(*uint32)(kind)), k)
			}
		}
		v, err := values.Open(ref)
		if err != nil {
			return
		}
		if x, err := v.Path(path); err == nil {
			v = x
		}
		viewReadAll(v, 3)
	})
}

// viewReadAll calls every read of v, and of its children down to depth,
// ignoring what they return: they must not crash.
func viewReadAll(v values.View, depth int) {
	_, _ = v.Kind()
	_, _ = v.Len()
	_, _ = v.Bool()
	_, _ = v.Int()
	_, _ = v.Uint()
	_, _ = v.Float()
	_, _ = v.Handle()
	_, _ = v.Str()
	_, _ = v.Bytes()
	if s, err := v.UnsafeStr(); err == nil {
		_ = strings.Count(s, "\x00")
	}
	if b, err := v.UnsafeBytes(); err == nil {
		_ = strings.Count(string(b), "\x00")
	}
	_, _ = v.Find("a")
	_, _ = v.Index(0)
	_, _, _ = v.Entry(0)
	_, _ = v.Decode()
	if depth == 0 {
		return
	}
	steps := 0
	for e, err := range v.Elems() {
		if err != nil || steps > 8 {
			break
		}
		steps++
		viewReadAll(e, depth-1)
	}
	for e, err := range v.Entries() {
		if err != nil || steps > 16 {
			break
		}
		steps++
		_ = strings.Count(e.Key, "\x00")
		viewReadAll(e.Value, depth-1)
	}
}
