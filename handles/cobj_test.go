// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
)

// C objects registered from Go (the addresses are never dereferenced
// here; see c_test.go for real C objects).
func TestCObjectGo(t *testing.T) {
	tab := newTable(t, handles.WithDebug(false))
	h, err := handles.RegisterCObject(tab, 0xdead0, 0xbeef0)
	require.NoError(t, err)
	ptr, dtor, err := handles.CObject(h)
	require.NoError(t, err)
	assert.Equal(t, uintptr(0xdead0), ptr)
	assert.Equal(t, uintptr(0xbeef0), dtor)
	require.NoError(t, handles.Check(h))

	_, err = tab.Value(h)
	assert.ErrorIs(t, err, hffi.ETYPE, "a C object is not a Go value")
	assert.ErrorIs(t, tab.Delete(h), hffi.ETYPE)
	assert.ErrorIs(t, handles.Retain(h), hffi.ETYPE)

	ptr, dtor, err = handles.TakeCObject(h)
	require.NoError(t, err)
	assert.Equal(t, uintptr(0xdead0), ptr)
	assert.Equal(t, uintptr(0xbeef0), dtor)
	_, _, err = handles.TakeCObject(h)
	assert.ErrorIs(t, err, hffi.EDELETED, "taken once")
	_, _, err = handles.CObject(h)
	assert.ErrorIs(t, err, hffi.EDELETED)

	g, err := tab.New(1)
	require.NoError(t, err)
	_, _, err = handles.CObject(g)
	assert.ErrorIs(t, err, hffi.ETYPE, "a Go value is not a C object")
	require.NoError(t, tab.Delete(g))

	_, err = handles.RegisterCObject(tab, 0, 0)
	assert.ErrorIs(t, err, hffi.EINVAL)
}

// Of many goroutines taking the same C object, exactly one wins.
func TestTakeCObjectOnce(t *testing.T) {
	tab := newTable(t, handles.WithDebug(false))
	for range 200 {
		h, err := handles.RegisterCObject(tab, 0x1000, 0)
		require.NoError(t, err)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if _, _, err := handles.TakeCObject(h); err == nil {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		require.Equal(t, int32(1), wins.Load())
	}
}
