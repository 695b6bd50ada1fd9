// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package ffi

/*
#include <stdint.h>

// Each helper calls fn through a pointer of a fixed prototype. The C
// function behind fn may have narrower integer or pointer parameters: on
// the supported targets (amd64 SysV, arm64 AAPCS) every one of them lands
// in the same register either way, and the callee ignores the bits it
// does not define.
typedef uintptr_t hffi_w;

static hffi_w hffi_call_w0(hffi_w fn) { return ((hffi_w (*)(void))fn)(); }
static hffi_w hffi_call_w1(hffi_w fn, hffi_w a) { return ((hffi_w (*)(hffi_w))fn)(a); }
static hffi_w hffi_call_w2(hffi_w fn, hffi_w a, hffi_w b) {
	return ((hffi_w (*)(hffi_w, hffi_w))fn)(a, b);
}
static hffi_w hffi_call_w3(hffi_w fn, hffi_w a, hffi_w b, hffi_w c) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w))fn)(a, b, c);
}
static hffi_w hffi_call_w4(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d);
}
static hffi_w hffi_call_w5(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e);
}
static hffi_w hffi_call_w6(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f);
}

// The register-file helpers fill all 6 integer and 8 float argument
// registers, so they call any function whose integer arguments fit the
// first and whose float arguments fit the second, in any order. Floats
// travel as raw bits (a float in the low half of its register).
typedef uintptr_t (*hffi_rf_fn)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w,
	double, double, double, double, double, double, double, double);
typedef double (*hffi_rf_d_fn)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w,
	double, double, double, double, double, double, double, double);

static inline double hffi_bits_d(uint64_t u) { union { uint64_t u; double d; } x; x.u = u; return x.d; }
static inline uint64_t hffi_d_bits(double d) { union { uint64_t u; double d; } x; x.d = d; return x.u; }

static hffi_w hffi_call_rf(hffi_w fn, hffi_w a0, hffi_w a1, hffi_w a2, hffi_w a3, hffi_w a4, hffi_w a5,
	uint64_t f0, uint64_t f1, uint64_t f2, uint64_t f3, uint64_t f4, uint64_t f5, uint64_t f6, uint64_t f7) {
	return ((hffi_rf_fn)fn)(a0, a1, a2, a3, a4, a5,
		hffi_bits_d(f0), hffi_bits_d(f1), hffi_bits_d(f2), hffi_bits_d(f3),
		hffi_bits_d(f4), hffi_bits_d(f5), hffi_bits_d(f6), hffi_bits_d(f7));
}

static uint64_t hffi_call_rf_d(hffi_w fn, hffi_w a0, hffi_w a1, hffi_w a2, hffi_w a3, hffi_w a4, hffi_w a5,
	uint64_t f0, uint64_t f1, uint64_t f2, uint64_t f3, uint64_t f4, uint64_t f5, uint64_t f6, uint64_t f7) {
	return hffi_d_bits(((hffi_rf_d_fn)fn)(a0, a1, a2, a3, a4, a5,
		hffi_bits_d(f0), hffi_bits_d(f1), hffi_bits_d(f2), hffi_bits_d(f3),
		hffi_bits_d(f4), hffi_bits_d(f5), hffi_bits_d(f6), hffi_bits_d(f7)));
}
*/
import "C"

type cw = C.uintptr_t

func callW0(fn uintptr) uintptr       { return uintptr(C.hffi_call_w0(cw(fn))) }
func callW1(fn, a uintptr) uintptr    { return uintptr(C.hffi_call_w1(cw(fn), cw(a))) }
func callW2(fn, a, b uintptr) uintptr { return uintptr(C.hffi_call_w2(cw(fn), cw(a), cw(b))) }
func callW3(fn, a, b, c uintptr) uintptr {
	return uintptr(C.hffi_call_w3(cw(fn), cw(a), cw(b), cw(c)))
}
func callW4(fn, a, b, c, d uintptr) uintptr {
	return uintptr(C.hffi_call_w4(cw(fn), cw(a), cw(b), cw(c), cw(d)))
}
func callW5(fn, a, b, c, d, e uintptr) uintptr {
	return uintptr(C.hffi_call_w5(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e)))
}
func callW6(fn, a, b, c, d, e, f uintptr) uintptr {
	return uintptr(C.hffi_call_w6(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f)))
}

// prepareRegs returns the general-path caller of p. The cgo backend needs
// nothing per function: one helper serves every signature.
func prepareRegs(p *plan) (regsCaller, error) {
	fn := cw(p.fn)
	if p.nfloat == 0 && !p.out.isFloat() {
		return func(f regs) (uintptr, uint64) {
			i := &f.ints
			return uintptr(C.hffi_call_w6(fn, cw(i[0]), cw(i[1]), cw(i[2]), cw(i[3]), cw(i[4]), cw(i[5]))), 0
		}, nil
	}
	if p.out.isFloat() {
		return func(f regs) (uintptr, uint64) {
			i, d := &f.ints, &f.floats
			return 0, uint64(C.hffi_call_rf_d(fn, cw(i[0]), cw(i[1]), cw(i[2]), cw(i[3]), cw(i[4]), cw(i[5]),
				cu(d[0]), cu(d[1]), cu(d[2]), cu(d[3]), cu(d[4]), cu(d[5]), cu(d[6]), cu(d[7])))
		}, nil
	}
	return func(f regs) (uintptr, uint64) {
		i, d := &f.ints, &f.floats
		return uintptr(C.hffi_call_rf(fn, cw(i[0]), cw(i[1]), cw(i[2]), cw(i[3]), cw(i[4]), cw(i[5]),
			cu(d[0]), cu(d[1]), cu(d[2]), cu(d[3]), cu(d[4]), cu(d[5]), cu(d[6]), cu(d[7]))), 0
	}, nil
}

type cu = C.uint64_t
