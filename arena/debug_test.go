// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"bytes"
	"runtime/debug"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
)

var sink byte

// requireFault requires that reading p faults (and turns the fault into a
// panic instead of a crash).
func requireFault(t *testing.T, p unsafe.Pointer) {
	t.Helper()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	faulted := func() (faulted bool) {
		defer func() { faulted = recover() != nil }()
		sink = *(*byte)(p)
		return false
	}()
	require.True(t, faulted, "reading %p did not fault", p)
}

func TestDebugSwitch(t *testing.T) {
	old := hffi.SetDebug(true)
	defer hffi.SetDebug(old)
	assert.True(t, hffi.Debug())
	a := mustNew(t, WithMaxSize(page))
	assert.Equal(t, uint64(abi.ArenaFDebug), hdrOf(a).Flags)
	assert.True(t, hffi.SetDebug(false))
	assert.False(t, hffi.Debug())
	b := mustNew(t, WithMaxSize(page))
	assert.Zero(t, hdrOf(b).Flags)
	c := mustNew(t, WithMaxSize(page), WithDebug(true))
	assert.Equal(t, uint64(abi.ArenaFDebug), hdrOf(c).Flags)
}

func TestDebugResetPoisonsAndProtects(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20), WithDebug(true))
	p, err := a.CopyString("secret")
	require.NoError(t, err)
	far, err := a.Alloc(200<<10, 8) // spans several commit steps
	require.NoError(t, err)
	a.Reset()
	assert.Zero(t, committedOf(a), "debug Reset decommits everything")
	requireFault(t, p)
	requireFault(t, unsafe.Add(far, 150<<10))

	// The next allocation recommits; uninitialised memory shows the poison.
	q, err := a.AllocUninit(7, 8)
	require.NoError(t, err)
	assert.Equal(t, p, q)
	assert.Equal(t, bytes.Repeat([]byte{Poison}, 7), bytesAt(q, 7))
	z, err := a.Alloc(16, 8)
	require.NoError(t, err)
	assert.Equal(t, make([]byte, 16), bytesAt(z, 16), "Alloc still zeroes")
}

func TestDebugFreeQuarantines(t *testing.T) {
	a, err := New(WithMaxSize(1<<20), WithDebug(true))
	require.NoError(t, err)
	p, err := a.CopyString("secret")
	require.NoError(t, err)
	base, floor := baseOf(a), floorOf(a)
	require.NoError(t, a.Free())
	requireFault(t, p)
	quarantined.Lock()
	defer quarantined.Unlock()
	assert.Contains(t, quarantined.ring, reservation{base, uintptr(floor) + 1<<20}, "the range stays reserved")
}

func TestNonDebugResetKeepsMemory(t *testing.T) {
	a := mustNew(t, WithMaxSize(1<<20), WithDebug(false))
	p, err := a.CopyString("data")
	require.NoError(t, err)
	c := committedOf(a)
	a.Reset()
	assert.Equal(t, c, committedOf(a))
	sink = *(*byte)(p) // still mapped: no fault
	assert.Equal(t, byte('d'), sink)
}
