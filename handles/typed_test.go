// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"io"
	"strings"
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
)

func newOf[T any](t *testing.T, opts ...handles.TableOption) *handles.Of[T] {
	t.Helper()
	o, err := handles.NewOf[T](opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		handlestest.VerifyNone(t, o.Table())
		require.NoError(t, o.Close())
	})
	return o
}

func TestOf(t *testing.T) {
	type point struct{ X, Y int }
	pts := newOf[point](t)
	h, err := pts.New(point{1, 2})
	require.NoError(t, err)
	p, err := pts.Value(h)
	require.NoError(t, err)
	assert.Equal(t, point{1, 2}, p, "no type assertion needed")
	require.NoError(t, pts.Delete(h))
	_, err = pts.Value(h)
	assert.ErrorIs(t, err, hffi.EDELETED)
	assert.Equal(t, 0, pts.Len())
}

// A handle of one typed table given to another is a run-time error that
// names both, and wraps hffi.ETYPE and hffi.ETABLE.
func TestOfWrongType(t *testing.T) {
	ints := newOf[int](t)
	strs := newOf[string](t)
	h, err := strs.New("s")
	require.NoError(t, err)
	_, err = ints.Value(h)
	assert.ErrorIs(t, err, hffi.ETYPE)
	assert.ErrorIs(t, err, hffi.ETABLE)
	assert.Contains(t, err.Error(), "Of[string]")
	assert.Contains(t, err.Error(), "Of[int]")
	assert.ErrorIs(t, ints.Delete(h), hffi.ETYPE)
	_, err = handles.Default().Value(h)
	assert.ErrorIs(t, err, hffi.ETYPE, "the untyped default table says so too")

	// A value of another type smuggled in through the untyped Table.
	hb, err := ints.Table().New("not an int")
	require.NoError(t, err)
	_, err = ints.Value(hb)
	assert.ErrorIs(t, err, hffi.ETYPE)
	require.NoError(t, ints.Delete(hb))
	require.NoError(t, strs.Delete(h))
}

func TestOfInterface(t *testing.T) {
	rs := newOf[io.Reader](t)
	h, err := rs.New(strings.NewReader("x"))
	require.NoError(t, err)
	r, err := rs.Value(h)
	require.NoError(t, err)
	b, _ := io.ReadAll(r)
	assert.Equal(t, "x", string(b))
	hn, err := rs.New(nil)
	require.NoError(t, err)
	r, err = rs.Value(hn)
	require.NoError(t, err)
	assert.Nil(t, r)
	require.NoError(t, rs.Delete(h))
	require.NoError(t, rs.Delete(hn))
}

// The allocation budget of the issue: 0 in Value and Delete, at most 1 in
// NewHandle, 0 in the typed API for pointer types.
func TestAllocations(t *testing.T) {
	if testing.CoverMode() != "" || asanEnabled {
		t.Skip("coverage counters and -asan allocate on their own")
	}
	handlestest.Track(t)
	v := new(int)
	warm := handles.NewHandle(v) // the table exists and has grown
	defer warm.Delete()
	ptrs := newOf[*int](t)
	ints := newOf[int](t)
	hp, _ := ptrs.New(v)
	defer func() { _ = ptrs.Delete(hp) }()
	hi, _ := ints.New(1000)
	defer func() { _ = ints.Delete(hi) }()

	tests := []struct {
		name string
		max  float64
		f    func()
	}{
		{"NewHandle+Delete (pointer)", 0, func() { handles.NewHandle(v).Delete() }},
		{"NewHandle+Delete (int)", 1, func() { handles.NewHandle(123456).Delete() }},
		{"Value", 0, func() { _ = warm.Value() }},
		{"Lookup", 0, func() { _, _ = handles.Default().Value(warm) }},
		{"Of[*int].New+Delete", 0, func() { h, _ := ptrs.New(v); _ = ptrs.Delete(h) }},
		{"Of[*int].Value", 0, func() { _, _ = ptrs.Value(hp) }},
		{"Of[int].Value", 0, func() { _, _ = ints.Value(hi) }},
		{"Of[int].New+Delete", 1, func() { h, _ := ints.New(123456); _ = ints.Delete(h) }},
		{"Check", 0, func() { _ = handles.Check(warm) }},
		{"Retain+Release", 0, func() { _ = handles.Retain(warm); _ = handles.Release(warm) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if handles.Default().Debug() || hffi.Debug() {
				t.Skip("debug mode records creation sites")
			}
			assert.LessOrEqual(t, testing.AllocsPerRun(1000, tt.f), tt.max)
		})
	}
}
