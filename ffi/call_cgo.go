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
