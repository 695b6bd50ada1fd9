// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/hffi-go/hffi/internal/abi"
)

// fakeT records what VerifyNone and Track report.
type fakeT struct {
	errors   []string
	cleanups []func()
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, a ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, a...))
}
func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) runCleanups() {
	for _, fn := range f.cleanups {
		fn()
	}
}
func leakHere(tab *handles.Table, v any) handles.Handle { h, _ := tab.New(v); return h }

func TestLeakReportBySite(t *testing.T) {
	tab := newTable(t, handles.WithDebug(true))
	require.True(t, tab.Debug())
	var hs []handles.Handle
	for i := range 3 {
		hs = append(hs, leakHere(tab, i))
	}
	other, err := tab.New("other site")
	require.NoError(t, err)
	hs = append(hs, other)

	rep := tab.LeakReport()
	t.Log(rep)
	assert.Contains(t, rep, "4 live handle(s)")
	assert.Contains(t, rep, "3 x int created at:")
	assert.Contains(t, rep, "handles_test.leakHere")
	assert.Contains(t, rep, "debug_test.go:")
	assert.Contains(t, rep, "1 x string created at:")
	assert.Contains(t, rep, "handles_test.TestLeakReportBySite")
	assert.NotContains(t, rep, "handles.(*Table)", "frames of the package itself are left out")
	for _, in := range tab.Snapshot() {
		assert.NotEmpty(t, in.Site)
	}

	f := &fakeT{}
	handlestest.VerifyNone(f, tab)
	require.Len(t, f.errors, 1)
	assert.Contains(t, f.errors[0], "leaked handles")
	assert.Contains(t, f.errors[0], "handles_test.leakHere")

	for _, h := range hs {
		require.NoError(t, tab.Delete(h))
	}
	assert.Empty(t, tab.LeakReport())
	f = &fakeT{}
	handlestest.VerifyNone(f, tab)
	assert.Empty(t, f.errors)
}

func TestLeakReportWithoutDebug(t *testing.T) {
	tab := newTable(t, handles.WithDebug(false))
	h, _ := tab.New(1.5)
	rep := tab.LeakReport()
	assert.Contains(t, rep, "1 x float64")
	assert.Contains(t, rep, "turn debug mode on")
	require.NoError(t, tab.Delete(h))
}

// In debug mode a freed slot waits in quarantine, so a deleted handle
// keeps reporting "deleted" (not "stale") for a while.
func TestQuarantine(t *testing.T) {
	tab := newTable(t, handles.WithDebug(true), handles.WithQuarantine(16))
	first, _ := tab.New(0)
	require.NoError(t, tab.Delete(first))
	for i := range 16 {
		h, err := tab.New(i)
		require.NoError(t, err)
		require.NotEqual(t, uint32(first)&abi.HandleIndexMax, uint32(h)&abi.HandleIndexMax, "quarantined slot reused after %d", i)
		require.NoError(t, tab.Delete(h))
		_, err = tab.Value(first)
		require.ErrorIs(t, err, hffi.EDELETED)
	}
	assert.Equal(t, 16, tab.Quarantined())

	// A full table takes its slots back from the quarantine.
	small := newTable(t, handles.WithLimit(2), handles.WithDebug(true))
	for i := range 10 {
		h, err := small.New(i)
		require.NoError(t, err, "round %d", i)
		require.NoError(t, small.Delete(h))
	}
}

func TestDebugSwitch(t *testing.T) {
	handles.Default() // created now, in the process-wide mode of the run
	old := hffi.SetDebug(true)
	defer hffi.SetDebug(old)
	assert.True(t, hffi.Debug())
	tab := newTable(t)
	assert.True(t, tab.Debug(), "tables created from now on")
	hffi.SetDebug(false)
	tab2 := newTable(t)
	assert.False(t, tab2.Debug())
	h, _ := tab.New(strings.Repeat("x", 3))
	assert.NotEmpty(t, tab.Snapshot()[0].Site)
	require.NoError(t, tab.Delete(h))
}
