// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import (
	"math"

	"github.com/ebitengine/purego"
)

// The word paths call purego.SyscallN directly: it puts argument i in
// integer register i, which is all a function of integer and pointer
// parameters needs. It cannot call a function that mixes integer and
// float parameters (it puts argument i in float register i as well) and
// cannot read a float result, so those go through purego.RegisterFunc of
// a register-file signature, bound once per function; that path reflects
// and allocates inside purego on every call.

func callW0(fn uintptr) uintptr { r, _, _ := purego.SyscallN(fn); return r }
func callW1(fn, a uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a)
	return r
}
func callW2(fn, a, b uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b)
	return r
}
func callW3(fn, a, b, c uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c)
	return r
}
func callW4(fn, a, b, c, d uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d)
	return r
}
func callW5(fn, a, b, c, d, e uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e)
	return r
}
func callW6(fn, a, b, c, d, e, f uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, a, b, c, d, e, f)
	return r
}

type (
	rfFunc  func(a0, a1, a2, a3, a4, a5 uintptr, f0, f1, f2, f3, f4, f5, f6, f7 float64) uintptr
	rfdFunc func(a0, a1, a2, a3, a4, a5 uintptr, f0, f1, f2, f3, f4, f5, f6, f7 float64) float64
)

func fb(u uint64) float64 { return math.Float64frombits(u) }

// prepareRegs returns the general-path caller of p.
func prepareRegs(p *plan) (regsCaller, error) {
	fn := p.fn
	if p.nfloat == 0 && !p.out.isFloat() {
		return func(f regs) (uintptr, uint64) {
			i := &f.ints
			return callW6(fn, i[0], i[1], i[2], i[3], i[4], i[5]), 0
		}, nil
	}
	if p.out.isFloat() {
		var c rfdFunc
		purego.RegisterFunc(&c, fn)
		return func(f regs) (uintptr, uint64) {
			i, d := &f.ints, &f.floats
			r := c(i[0], i[1], i[2], i[3], i[4], i[5], fb(d[0]), fb(d[1]), fb(d[2]), fb(d[3]), fb(d[4]), fb(d[5]), fb(d[6]), fb(d[7]))
			return 0, math.Float64bits(r)
		}, nil
	}
	var c rfFunc
	purego.RegisterFunc(&c, fn)
	return func(f regs) (uintptr, uint64) {
		i, d := &f.ints, &f.floats
		return c(i[0], i[1], i[2], i[3], i[4], i[5], fb(d[0]), fb(d[1]), fb(d[2]), fb(d[3]), fb(d[4]), fb(d[5]), fb(d[6]), fb(d[7])), 0
	}, nil
}
