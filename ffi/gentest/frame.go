// SPDX-License-Identifier: Apache-2.0

// Package gentest is cmd/hffi-gen's output at work: Frame lists functions
// of ffi's C test fixture (ffi/testdata/ffiframe.c), frame_hffi.go is what
// hffi-gen writes for it, and the tests call both it and functions bound
// with ffi.Bind0 ... Bind15, which must agree.
package gentest

import (
	"unsafe"

	"github.com/hffi-go/hffi/ffi"
)

//go:generate go run ../../cmd/hffi-gen -type Frame

// Frame is the fixture's functions: the first ones fill their words
// directly, the last ones go through bound functions (floats, more than 6
// parameters).
type Frame interface {
	//hffi:sym fr_copy2
	Copy2(dst []byte, n *uint64, src ffi.In[byte], srcLen uint64, level int32) int32
	//hffi:sym fr_fill2
	Fill2(a []byte, alen uintptr, b []byte, blen uintptr, n *int64)
	//hffi:sym fr_nonnull
	NonNull(a unsafe.Pointer, b []byte, c *int64, s string) int32
	//hffi:sym fr_cat
	Cat(a, b string, out []byte, n uintptr) int32
	//hffi:sym fr_narrow6
	Narrow6(a int8, b uint8, c int16, d uint16, e bool, f int32) int64
	//hffi:sym fr_neg8
	Neg8(a int8) int8
	//hffi:sym fr_not
	Not(a bool) bool
	//hffi:sym fr_inc16
	Inc16(a uint16) uint16
	//hffi:sym fr_out
	Out(n *int64, d *float64, buf []byte, size uintptr, obj *unsafe.Pointer) int32
	//hffi:sym fr_is_object
	IsObject(p unsafe.Pointer) int32
	//hffi:sym fr_strdup
	Strdup(s string) unsafe.Pointer
	//hffi:sym fr_free
	Free(p unsafe.Pointer)
	//hffi:sym fr_free_count
	FreeCount() int64
	//hffi:sym fr_sum9
	Sum9(a, b, c, d, e, f, g, h, i int64) int64
	//hffi:sym fr_mix15
	Mix15(a int8, b float64, c uint16, d float32, e int32, f float64, g int64, h float32, i uint8, j float64, k int16, l float64, m int64, n float64, o int32) float64
}
