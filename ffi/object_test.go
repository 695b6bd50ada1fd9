// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
)

// ftObjects binds the C object functions of the test library.
type ftObjects struct {
	newObj   func(int64) unsafe.Pointer
	dtor     func() uintptr
	value    func(unsafe.Pointer) int64
	freed    func() int64
	register func(unsafe.Pointer, uint32, int64) handles.Handle
	get      func(unsafe.Pointer, handles.Handle) int64
	destroy  func(unsafe.Pointer, handles.Handle) error
}

func ftObjectFuncs(t *testing.T) *ftObjects {
	handlestest.Track(t) // every test that uses them ends with no object left
	o := &ftObjects{}
	ftBind(t, &o.newObj, "ft_obj_new", Bind1)
	ftBind(t, &o.dtor, "ft_obj_dtor", Bind0)
	ftBind(t, &o.value, "ft_obj_value", Bind1)
	ftBind(t, &o.freed, "ft_obj_freed_count", Bind0)
	ftBind(t, &o.register, "ft_obj_register", Bind3)
	ftBind(t, &o.get, "ft_obj_get", Bind2)
	ftBind(t, &o.destroy, "ft_obj_destroy", Bind2)
	return o
}

func TestObjectClose(t *testing.T) {
	f := ftObjectFuncs(t)
	rt := hffi.Runtime()
	freed := f.freed()
	o, err := NewObject(f.newObj(5), f.dtor())
	require.NoError(t, err)
	assert.Equal(t, int64(5), f.get(rt, o.Handle()), "C resolves the handle")
	var got int64
	require.NoError(t, o.Use(func(p unsafe.Pointer) { got = f.value(p) }))
	assert.Equal(t, int64(5), got)

	require.NoError(t, o.Close())
	assert.Equal(t, freed+1, f.freed(), "the destructor ran")
	require.NoError(t, o.Close(), "Close is idempotent")
	assert.Equal(t, freed+1, f.freed(), "the destructor ran once")

	err = o.Use(func(unsafe.Pointer) { t.Error("Use ran after Close") })
	assert.ErrorIs(t, err, hffi.EDELETED)
	assert.Equal(t, int64(hffi.EDELETED), f.get(rt, o.Handle()), "C sees the handle deleted")
}

func TestObjectDestroyedByC(t *testing.T) {
	f := ftObjectFuncs(t)
	rt := hffi.Runtime()
	freed := f.freed()
	h := f.register(rt, handles.Default().ID(), 9)
	require.NotZero(t, h)
	o, err := AdoptObject(h)
	require.NoError(t, err)
	var got int64
	require.NoError(t, o.Use(func(p unsafe.Pointer) { got = f.value(p) }))
	assert.Equal(t, int64(9), got)

	require.NoError(t, f.destroy(rt, h), "C destroys the object first")
	assert.Equal(t, freed+1, f.freed())
	assert.ErrorIs(t, o.Use(func(unsafe.Pointer) {}), hffi.EDELETED, "stale handle, no use after free")
	err = o.Close()
	assert.ErrorIs(t, err, hffi.EDELETED)
	assert.Contains(t, err.Error(), "ffi: close object: ")
	assert.Equal(t, freed+1, f.freed(), "the destructor is not run twice")
	assert.NoError(t, o.Close())

	_, err = AdoptObject(h)
	assert.ErrorIs(t, err, hffi.EDELETED)
	gh := handles.NewHandle("a Go value")
	defer gh.Delete()
	_, err = AdoptObject(gh)
	assert.ErrorIs(t, err, hffi.ETYPE)
	_, err = NewObject(nil, 0)
	assert.ErrorIs(t, err, hffi.EINVAL)
}

// TestObjectRace lets Go's Close race with C's destroy: each object's
// destructor runs exactly once.
func TestObjectRace(t *testing.T) {
	f := ftObjectFuncs(t)
	rt := hffi.Runtime()
	const n = 500
	freed := f.freed()
	objs := make([]*Object, n)
	for i := range objs {
		o, err := NewObject(f.newObj(int64(i)), f.dtor())
		require.NoError(t, err)
		objs[i] = o
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for _, o := range objs {
			_ = o.Close()
		}
	}()
	go func() {
		defer wg.Done()
		for i := len(objs) - 1; i >= 0; i-- {
			_ = f.destroy(rt, objs[i].Handle())
		}
	}()
	wg.Wait()
	assert.Equal(t, freed+n, f.freed())
}

// TestObjectCleanup drops an Object without Close: the cleanup destroys
// the C object.
func TestObjectCleanup(t *testing.T) {
	f := ftObjectFuncs(t)
	freed := f.freed()
	func() {
		o, err := NewObject(f.newObj(1), f.dtor())
		require.NoError(t, err)
		_ = o.Handle()
	}()
	deadline := time.Now().Add(10 * time.Second)
	for f.freed() == freed && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	assert.Equal(t, freed+1, f.freed(), "the cleanup ran the destructor")
}
