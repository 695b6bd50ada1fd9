// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/internal/shm"
)

// Codes of oracle.c that are not HFFI codes.
const (
	cSkipped        = 1
	cNotZeroed      = 100
	cRefMismatch    = 101
	cNoNUL          = 102
	cCopyMismatch   = 103
	flagSkipRelease = 1
	flagSkipDestroy = 2
)

// Record layouts of oracle.c: one code and one output per call.
const (
	rCheck = iota
	rCheckA
	rCheckB
	rCobjGet
	rResolve0
	rResolve16
	rACheck
	rVKind
	rVLen
	rVBool
	rVInt
	rVUint
	rVFloat
	rVStr
	rVBytes
	rVHandle
	rVListAt
	rVMapFind
	rVMapAt
	rVPath
	rN
)

const (
	mRetain = iota
	mReleaseAfter
	mRelease
	mDestroy
	mAlloc
	mStrdup
	mMemdup
	mRefOf
	mValNew
	mN
)

var readNames = [rN]string{"hffi_handle_check", "hffi_handle_check_in(A)", "hffi_handle_check_in(B)",
	"hffi_cobj_get", "hffi_ref_resolve(0)", "hffi_ref_resolve(16)", "hffi_arena_check",
	"hffi_val_kind", "hffi_val_len", "hffi_val_get_bool", "hffi_val_get_int", "hffi_val_get_uint",
	"hffi_val_get_float", "hffi_val_get_str", "hffi_val_get_bytes", "hffi_val_get_handle",
	"hffi_val_list_at", "hffi_val_map_find", "hffi_val_map_at", "hffi_val_path"}

var mutNames = [mN]string{"hffi_handle_retain", "hffi_handle_release (after retain)",
	"hffi_handle_release", "hffi_cobj_destroy", "hffi_arena_alloc", "hffi_arena_strdup",
	"hffi_arena_memdup", "hffi_ref_of", "hffi_val_new"}

// lib is the C side. Pointer arguments are addresses of off-heap memory.
type lib struct {
	readWidth func() int32
	mutWidth  func() int32
	read      func(rt, xs uintptr, n uint64, tabA, tabB uint32, codes, outs uintptr) int32
	mut       func(rt, xs, flags uintptr, n uint64, inside, codes, outs uintptr) int32
	register  func(rt, tables uintptr, n uint64, codes, outs, destroyed, bad uintptr) int32
	rt        uintptr
	sanitize  []string
}

// sanitizers returns the -fsanitize flags the C compiler accepts here:
// undefined always, address too under -asan. A compiler without the
// sanitizer runtimes gets none, and the test says so.
func sanitizers(t *testing.T) []string {
	t.Helper()
	want := []string{"-fsanitize=undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"}
	if asanEnabled {
		want[0] = "-fsanitize=address,undefined"
	}
	if !cbuild.Accepts(want...) {
		t.Logf("the C compiler cannot build with %v: the oracle runs without sanitizers", want)
		return nil
	}
	return want
}

func loadLib(t *testing.T) *lib {
	t.Helper()
	if cbuild.CC() == nil {
		t.Skip("no C compiler found (go env CC): the oracle builds its C side at run time")
	}
	srcs, err := filepath.Glob(filepath.Join(cbuild.CSrcDir(), "*.c"))
	require.NoError(t, err)
	require.NotEmpty(t, srcs)
	l := &lib{rt: uintptr(hffi.Runtime()), sanitize: sanitizers(t)}
	path := cbuild.SharedLib(t, "liboracle.so", append(srcs, "internal/oracle/testdata/oracle.c"), l.sanitize...)
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	require.NoError(t, err)
	for name, fn := range map[string]any{
		"orc_read_width": &l.readWidth, "orc_mut_width": &l.mutWidth, "orc_read": &l.read,
		"orc_mut": &l.mut, "orc_register": &l.register,
	} {
		purego.RegisterLibFunc(fn, h, name)
	}
	require.Equal(t, int32(rN), l.readWidth(), "oracle.c and driver_test.go disagree on the read record")
	require.Equal(t, int32(mN), l.mutWidth(), "oracle.c and driver_test.go disagree on the mut record")
	return l
}

// offheap is memory C writes its answers into: C never writes Go memory.
type offheap struct {
	p unsafe.Pointer
	n uintptr
}

func newOffheap(t *testing.T, n uintptr) *offheap {
	t.Helper()
	n = shm.RoundUp(n, shm.PageSize())
	p, err := shm.Reserve(n)
	require.NoError(t, err)
	require.NoError(t, shm.Commit(p, n))
	t.Cleanup(func() { _ = shm.Release(p, n) })
	return &offheap{p, n}
}

// carve hands out consecutive 8-aligned pieces of an offheap.
type carve struct {
	m   *offheap
	off uintptr
}

func (c *carve) next(n uintptr) unsafe.Pointer {
	p := unsafe.Add(c.m.p, c.off)
	c.off += shm.RoundUp(n, 8)
	if c.off > c.m.n {
		panic("oracle: off-heap scratch too small")
	}
	return p
}

func u64s(p unsafe.Pointer, n int) []uint64 { return unsafe.Slice((*uint64)(p), n) }
func i32s(p unsafe.Pointer, n int) []int32  { return unsafe.Slice((*int32)(p), n) }
func u32s(p unsafe.Pointer, n int) []uint32 { return unsafe.Slice((*uint32)(p), n) }
