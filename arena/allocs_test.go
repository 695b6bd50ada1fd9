// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
)

// TestNoHeapAllocs checks the steady-state paths make no Go heap
// allocation, errors included.
func TestNoHeapAllocs(t *testing.T) {
	a := mustNew(t, WithMaxSize(64<<20), WithDebug(false))
	p, err := a.Alloc(64, 8)
	require.NoError(t, err)
	r, err := a.Ref(p)
	require.NoError(t, err)
	forged := Ref(abi.MakeRef(slotOf(a), abi.ArenaGenMax, 64))
	pool := NewPool(WithMaxSize(1<<20), WithDebug(false))
	defer pool.Close()
	pool.Put(pool.Get())
	str, buf := "hello, world", []byte("some bytes")
	scratch := mustNew(t, WithMaxSize(1<<20), WithDebug(false))

	tests := []struct {
		name string
		f    func()
	}{
		{"Alloc", func() { _, _ = a.Alloc(24, 8) }},
		{"AllocUninit", func() { _, _ = a.AllocUninit(24, 16) }},
		{"CopyString", func() { _, _ = a.CopyString(str) }},
		{"CopyBytes", func() { _, _ = a.CopyBytes(buf) }},
		{"Alloc error", func() { _, _ = a.Alloc(8, 3) }},
		{"Ref", func() { _, _ = a.Ref(p) }},
		{"CArena", func() { _ = a.CArena() }},
		{"Resolve", func() { _, _ = Resolve(r, 64) }},
		{"Resolve error", func() { _, _ = Resolve(forged, 8) }},
		{"Check", func() { _ = Check(r) }},
		{"Reset", func() { _, _ = scratch.CopyString(str); scratch.Reset() }},
		{"Reset after mint", func() { _ = scratch.CArena(); scratch.Reset() }},
		{"Pool", func() { b := pool.Get(); _, _ = b.CopyString(str); pool.Put(b) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Zero(t, testing.AllocsPerRun(100, tt.f))
		})
	}
}
