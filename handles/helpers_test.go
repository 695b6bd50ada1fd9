// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"sync"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/internal/shm"
)

// newTable makes a table for one test; at the end the test fails if the
// table still holds handles, and the table is closed.
func newTable(t testing.TB, opts ...handles.TableOption) *handles.Table {
	t.Helper()
	tab, err := handles.NewTable(opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		handlestest.VerifyNone(t, tab)
		require.NoError(t, tab.Close())
	})
	return tab
}

// driver is testdata/driver.c with csrc/hffi.c and csrc/hffi_handles.c,
// built at test time and loaded with purego (cgo and CGO_ENABLED=0 alike).
// Pointer arguments are addresses of off-heap memory.
type driver struct {
	rt          uintptr
	check       func(rt uintptr, h uint64) int32
	checkIn     func(rt uintptr, table uint32, h uint64) int32
	retain      func(rt uintptr, h uint64) int32
	release     func(rt uintptr, h uint64) int32
	destroyed   func() uint64
	badDestroy  func() uint64
	dtor        func() uintptr
	objNew      func(tag uint64) uintptr
	objTag      func(p uintptr) uint64
	cobjNew     func(rt uintptr, table uint32, tag uint64, hOut uintptr) int32
	cobjTag     func(rt uintptr, h uint64, tagOut uintptr) int32
	cobjDestroy func(rt uintptr, h uint64) int32
	hStart      func(rt uintptr, table uint32, shared uintptr, n uint64, threads uint32, iters uint64) int32
	hJoin       func(out uintptr) int32
}

var (
	drvOnce sync.Once
	drv     *driver
)

func loadDriver(t testing.TB) *driver {
	t.Helper()
	drvOnce.Do(func() {
		so := cbuild.SharedLib(t, "libhandles_driver.so",
			[]string{"csrc/hffi.c", "csrc/hffi_handles.c", "handles/testdata/driver.c"})
		lib, err := purego.Dlopen(so, purego.RTLD_NOW|purego.RTLD_LOCAL)
		require.NoError(t, err)
		d := &driver{rt: uintptr(shm.RootPtr())}
		for name, fn := range map[string]any{
			"drv_check": &d.check, "drv_check_in": &d.checkIn, "drv_retain": &d.retain,
			"drv_release": &d.release, "drv_destroyed": &d.destroyed, "drv_bad_destroy": &d.badDestroy,
			"drv_dtor": &d.dtor, "drv_obj_new": &d.objNew, "drv_obj_tag": &d.objTag,
			"drv_cobj_new": &d.cobjNew, "drv_cobj_tag": &d.cobjTag, "drv_cobj_destroy": &d.cobjDestroy,
			"drv_hammer_start": &d.hStart, "drv_hammer_join": &d.hJoin,
		} {
			purego.RegisterLibFunc(fn, lib, name)
		}
		drv = d
	})
	if drv == nil {
		t.Skip("the C driver did not build or load in an earlier test")
	}
	return drv
}

// scratch is off-heap memory for C's outputs: C never writes Go memory.
type scratch struct {
	p unsafe.Pointer
	n uintptr
}

func newScratch(t testing.TB, words int) *scratch {
	t.Helper()
	n := shm.RoundUp(uintptr(words)*8, shm.PageSize())
	p, err := shm.Reserve(n)
	require.NoError(t, err)
	require.NoError(t, shm.Commit(p, n))
	t.Cleanup(func() { _ = shm.Release(p, n) })
	return &scratch{p, n}
}

func (s *scratch) addr(i int) uintptr { return uintptr(s.p) + uintptr(i)*8 }
func (s *scratch) word(i int) *uint64 { return (*uint64)(unsafe.Add(s.p, i*8)) }

func (d *driver) cCheck(h handles.Handle) hffi.Code { return hffi.Code(d.check(d.rt, uint64(h))) }

// cobjNew registers a C object from C and returns its handle.
func (d *driver) cobjNewH(t testing.TB, s *scratch, table uint32, tag uint64) (handles.Handle, hffi.Code) {
	*s.word(0) = 0
	rc := hffi.Code(d.cobjNew(d.rt, table, tag, s.addr(0)))
	return handles.Handle(*s.word(0)), rc
}

// cobjTagOf resolves a C object's handle from C and returns its tag.
func (d *driver) cobjTagOf(s *scratch, h handles.Handle) (uint64, hffi.Code) {
	*s.word(1) = 0
	rc := hffi.Code(d.cobjTag(d.rt, uint64(h), s.addr(1)))
	return *s.word(1), rc
}

// forge returns h with its generation replaced by gen.
func forge(h handles.Handle, gen uint32) handles.Handle {
	v := uint64(h)
	v &^= abi.SlotGenMask << abi.HandleGenShift
	return handles.Handle(v | uint64(gen)<<abi.HandleGenShift)
}

func genOf(h handles.Handle) uint32 { return abi.HandleGen(uint64(h)) }
