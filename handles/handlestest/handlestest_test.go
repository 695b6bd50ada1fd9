// SPDX-License-Identifier: Apache-2.0

package handlestest_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
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

func newTable(t *testing.T, opts ...handles.TableOption) *handles.Table {
	tab, err := handles.NewTable(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tab.Close()) })
	return tab
}

func TestVerifyNone(t *testing.T) {
	tab := newTable(t, handles.WithDebug(false))
	h, err := tab.New(42)
	require.NoError(t, err)
	f := &fakeT{}
	handlestest.VerifyNone(f, tab)
	require.Len(t, f.errors, 1)
	assert.Contains(t, f.errors[0], "leaked handles")
	assert.Contains(t, f.errors[0], "1 x int")

	require.NoError(t, tab.Delete(h))
	f = &fakeT{}
	handlestest.VerifyNone(f, tab)
	assert.Empty(t, f.errors)
}

func TestTrack(t *testing.T) {
	tab := newTable(t, handles.WithDebug(true))
	before, _ := tab.New("before")
	f := &fakeT{}
	handlestest.Track(f, tab)
	during, _ := tab.New("during")
	f.runCleanups()
	require.Len(t, f.errors, 1, "only the handle created during the test")
	assert.Contains(t, f.errors[0], "1 handle(s) created during the test")
	assert.Contains(t, f.errors[0], fmt.Sprintf("handle %#x: string, created at:", uint64(during)))
	assert.Contains(t, f.errors[0], "handlestest_test.TestTrack")
	assert.NotContains(t, f.errors[0], fmt.Sprintf("%#x", uint64(before)))

	require.NoError(t, tab.Delete(during))
	f = &fakeT{}
	handlestest.Track(f, tab)
	f.runCleanups()
	assert.Empty(t, f.errors)
	require.NoError(t, tab.Delete(before))
}
