// SPDX-License-Identifier: Apache-2.0

//go:build linux

package ffi_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/ffi"
)

// TestClosedFailureValueOtherShape: C calls a closed callback's handle
// through a trampoline of another shape. Its FailureValue is a value of
// its own result type, so C gets the calling shape's default. Before, the
// closed callback's index entry gave C the bits of -1.5 as an int64.
func TestClosedFailureValueOtherShape(t *testing.T) {
	live := ffi.LiveCallbacks()
	fl, err := ffi.NewCallback0(func() float64 { return 1 }, ffi.FailureValue(-1.5))
	require.NoError(t, err)
	in, err := ffi.NewCallback0(func() int64 { return 2 }, ffi.FailureValue(int64(-7)))
	require.NoError(t, err)
	var callFl func(uintptr) float64
	require.NoError(t, ffi.Bind1(&callFl, ffi.SymbolAt("fl", fl.Fn())))
	var callIn func(uintptr) int64
	require.NoError(t, ffi.Bind1(&callIn, ffi.SymbolAt("in", in.Fn())))
	require.Equal(t, 1.0, callFl(uintptr(fl.Handle())))
	require.Equal(t, int64(2), callIn(uintptr(in.Handle())))

	require.NoError(t, fl.Close())
	require.NoError(t, in.Close())
	require.Equal(t, -1.5, callFl(uintptr(fl.Handle())), "own shape: its FailureValue")
	require.Equal(t, int64(-7), callIn(uintptr(in.Handle())), "own shape: its FailureValue")
	require.Equal(t, int64(hffi.EDELETED), callIn(uintptr(fl.Handle())), "another shape: that shape's default, not -1.5's bits")
	require.True(t, math.IsNaN(callFl(uintptr(in.Handle()))), "another shape: NaN, not -7's bits")
	require.Equal(t, live, ffi.LiveCallbacks())
}
