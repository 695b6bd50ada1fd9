// SPDX-License-Identifier: Apache-2.0

package conformance

import (
	"errors"
	"sync"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/internal/shm"
)

// driver is the C side: hffi.c and testdata/driver.c in one shared
// library. Pointer arguments are uintptr addresses of off-heap memory.
type driver struct {
	alloc     func(rt uintptr, a, size, align uint64, ptrOut, refOut uintptr) int32
	refOf     func(rt uintptr, a uint64, ptr, refOut uintptr) int32
	resolve   func(rt uintptr, r, size uint64, ptrOut uintptr) int32
	check     func(rt uintptr, a uint64) int32
	verify    func(rt uintptr, r, n, seed uint64) int32
	allocFill func(rt uintptr, a, n, align, seed uint64, refOut, ptrOut uintptr) int32
	strdupNum func(rt uintptr, a, n uint64, refOut uintptr) int32
	strcmp    func(rt uintptr, r, n uint64) int32
	hStart    func(rt uintptr, a uint64, nthreads int32, n, seed uint64, recs, start uintptr) int32
	hJoin     func() int32
	sStart    func(rt uintptr, nthreads int32, blk, counts uintptr) int32
	sJoin     func() int32

	rt uintptr
}

var (
	drvOnce sync.Once
	drv     *driver
)

// loadDriver builds and loads the library once per test binary. The first
// caller's temporary directory goes away when that test ends; the loaded
// library stays mapped.
func loadDriver(t *testing.T) *driver {
	t.Helper()
	if cbuild.CC() == nil {
		t.Skip("no C compiler found (go env CC): the conformance suite builds its C driver at run time")
	}
	drvOnce.Do(func() {
		path := cbuild.SharedLib(t, "libhffi_conformance.so",
			[]string{"csrc/hffi.c", "csrc/hffi_value.c", "internal/conformance/testdata/driver.c"})
		lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
		require.NoError(t, err)
		d := &driver{rt: uintptr(hffi.Runtime())}
		for name, fn := range map[string]any{
			"hffi_arena_alloc": &d.alloc, "hffi_ref_of": &d.refOf,
			"drv_resolve": &d.resolve, "drv_check": &d.check, "drv_verify": &d.verify,
			"drv_alloc_fill": &d.allocFill, "drv_strdup_num": &d.strdupNum,
			"drv_strcmp": &d.strcmp, "drv_hammer_start": &d.hStart, "drv_hammer_join": &d.hJoin,
			"drv_storm_start": &d.sStart, "drv_storm_join": &d.sJoin,
		} {
			purego.RegisterLibFunc(fn, lib, name)
		}
		drv = d
	})
	if drv == nil {
		t.Fatal("the C driver failed to build or load in an earlier test")
	}
	return drv
}

// scratch is off-heap memory for C's outputs: C never writes Go memory.
type scratch struct{ p unsafe.Pointer }

func newScratch(t *testing.T, n uintptr) *scratch {
	t.Helper()
	n = shm.RoundUp(n, shm.PageSize())
	p, err := shm.Reserve(n)
	require.NoError(t, err)
	require.NoError(t, shm.Commit(p, n))
	t.Cleanup(func() { _ = shm.Release(p, n) })
	return &scratch{p}
}

// word returns the address of the i-th uint64 of s, for C, and a pointer
// to it, for Go.
func (s *scratch) addr(i int) uintptr  { return uintptr(s.p) + uintptr(i)*8 }
func (s *scratch) word(i int) *uint64  { return (*uint64)(unsafe.Add(s.p, i*8)) }
func (s *scratch) ptr(i int) uintptr   { return uintptr(*s.word(i)) }
func (s *scratch) ref(i int) arena.Ref { return arena.Ref(*s.word(i)) }

// Convenience wrappers returning (result, code).
func (d *driver) cResolve(s *scratch, r arena.Ref, size uint64) (uintptr, hffi.Code) {
	*s.word(0) = 0
	rc := hffi.Code(d.resolve(d.rt, uint64(r), size, s.addr(0)))
	return s.ptr(0), rc
}

func (d *driver) cAlloc(s *scratch, a arena.Ref, size, align uint64, wantRef bool) (uintptr, arena.Ref, hffi.Code) {
	*s.word(0), *s.word(1) = 0, 0
	refOut := uintptr(0)
	if wantRef {
		refOut = s.addr(1)
	}
	rc := hffi.Code(d.alloc(d.rt, uint64(a), size, align, s.addr(0), refOut))
	return s.ptr(0), s.ref(1), rc
}

func (d *driver) cAllocFill(s *scratch, a arena.Ref, n, align, seed uint64) (uintptr, arena.Ref, hffi.Code) {
	*s.word(0), *s.word(1) = 0, 0
	rc := hffi.Code(d.allocFill(d.rt, uint64(a), n, align, seed, s.addr(1), s.addr(0)))
	return s.ptr(0), s.ref(1), rc
}

// code extracts the HFFI_E* code of a Go error (OK for nil).
func code(err error) hffi.Code {
	if err == nil {
		return hffi.OK
	}
	var e hffi.Code
	if errors.As(err, &e) {
		return e
	}
	return 1 // not a Code: never equal to a C code
}

// pattern is the byte at index k of an allocation tagged seed; driver.c
// has the same function.
func pattern(seed, k uint64) byte { return byte(seed*131 + k*31 + k>>8) }

func fill(p unsafe.Pointer, n, seed uint64) {
	b := unsafe.Slice((*byte)(p), n)
	for k := range b {
		b[k] = pattern(seed, uint64(k))
	}
}

// intact reports whether the n bytes at p hold the pattern tagged seed.
func intact(p unsafe.Pointer, n, seed uint64) bool {
	b := unsafe.Slice((*byte)(p), n)
	for k := range b {
		if b[k] != pattern(seed, uint64(k)) {
			return false
		}
	}
	return true
}

func newArena(t *testing.T, opts ...arena.Option) *arena.Arena {
	t.Helper()
	a, err := arena.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Free() })
	return a
}

// modes runs f for a normal and a debug-mode arena configuration.
func modes(t *testing.T, f func(t *testing.T, debug bool)) {
	for _, debug := range []bool{false, true} {
		name := "normal"
		if debug {
			name = "debug"
		}
		t.Run(name, func(t *testing.T) { f(t, debug) })
	}
}
