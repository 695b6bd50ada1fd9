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

// Up to 15 words: the C compiler puts the ones past the argument
// registers on the stack, one 8-byte slot each (see fastWordOK for Apple
// arm64, which packs them).
static hffi_w hffi_call_w7(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f, hffi_w g) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f, g);
}
static hffi_w hffi_call_w8(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f, hffi_w g, hffi_w h) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f, g, h);
}
static hffi_w hffi_call_w9(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f, hffi_w g, hffi_w h, hffi_w i) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f, g, h, i);
}
static hffi_w hffi_call_w10(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f, hffi_w g, hffi_w h, hffi_w i, hffi_w j) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f, g, h, i, j);
}
static hffi_w hffi_call_w11(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f, hffi_w g, hffi_w h, hffi_w i, hffi_w j, hffi_w k) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f, g, h, i, j, k);
}
static hffi_w hffi_call_w12(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f, hffi_w g, hffi_w h, hffi_w i, hffi_w j, hffi_w k, hffi_w l) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f, g, h, i, j, k, l);
}
static hffi_w hffi_call_w13(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f, hffi_w g, hffi_w h, hffi_w i, hffi_w j, hffi_w k, hffi_w l, hffi_w m) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f, g, h, i, j, k, l, m);
}
static hffi_w hffi_call_w14(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f, hffi_w g, hffi_w h, hffi_w i, hffi_w j, hffi_w k, hffi_w l, hffi_w m, hffi_w n) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f, g, h, i, j, k, l, m, n);
}
static hffi_w hffi_call_w15(hffi_w fn, hffi_w a, hffi_w b, hffi_w c, hffi_w d, hffi_w e, hffi_w f, hffi_w g, hffi_w h, hffi_w i, hffi_w j, hffi_w k, hffi_w l, hffi_w m, hffi_w n, hffi_w o) {
	return ((hffi_w (*)(hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w, hffi_w))fn)(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o);
}
// hffi_call_wv calls fn with the n words at w (off-heap: the copy path's
// small block), one cgo call of three arguments whatever n is.
static hffi_w hffi_call_wv(hffi_w fn, hffi_w wp, hffi_w n) {
	const hffi_w *w = (const hffi_w *)wp;
	switch (n) {
	case 0: return hffi_call_w0(fn);
	case 1: return hffi_call_w1(fn, w[0]);
	case 2: return hffi_call_w2(fn, w[0], w[1]);
	case 3: return hffi_call_w3(fn, w[0], w[1], w[2]);
	case 4: return hffi_call_w4(fn, w[0], w[1], w[2], w[3]);
	case 5: return hffi_call_w5(fn, w[0], w[1], w[2], w[3], w[4]);
	case 6: return hffi_call_w6(fn, w[0], w[1], w[2], w[3], w[4], w[5]);
	case 7: return hffi_call_w7(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6]);
	case 8: return hffi_call_w8(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
	case 9: return hffi_call_w9(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]);
	case 10: return hffi_call_w10(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9]);
	case 11: return hffi_call_w11(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10]);
	case 12: return hffi_call_w12(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11]);
	case 13: return hffi_call_w13(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12]);
	case 14: return hffi_call_w14(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13]);
	}
	return hffi_call_w15(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14]);
}
*/
import "C"

import "unsafe"

type cw = C.uintptr_t

// fastWords is the parameter count of the fast path: a cgo call of up to
// 15 words costs about the same as one of 6, while the general path's
// frame costs about twice a cgo call (BenchmarkCallMany).
const fastWords = 15

// copyWords is the parameter count of the copy path (call_copy.go).
const copyWords = fastWords

// callWV calls fn with the first n words of w, which is not in Go memory.
func callWV(fn uintptr, w *words, n int) uintptr {
	return uintptr(C.hffi_call_wv(cw(fn), cw(uintptr(unsafe.Pointer(w))), cw(n)))
}

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

func callW7(fn, a, b, c, d, e, f, g uintptr) uintptr {
	return uintptr(C.hffi_call_w7(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f), cw(g)))
}
func callW8(fn, a, b, c, d, e, f, g, h uintptr) uintptr {
	return uintptr(C.hffi_call_w8(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f), cw(g), cw(h)))
}
func callW9(fn, a, b, c, d, e, f, g, h, i uintptr) uintptr {
	return uintptr(C.hffi_call_w9(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f), cw(g), cw(h), cw(i)))
}
func callW10(fn, a, b, c, d, e, f, g, h, i, j uintptr) uintptr {
	return uintptr(C.hffi_call_w10(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f), cw(g), cw(h), cw(i), cw(j)))
}
func callW11(fn, a, b, c, d, e, f, g, h, i, j, k uintptr) uintptr {
	return uintptr(C.hffi_call_w11(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f), cw(g), cw(h), cw(i), cw(j), cw(k)))
}
func callW12(fn, a, b, c, d, e, f, g, h, i, j, k, l uintptr) uintptr {
	return uintptr(C.hffi_call_w12(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f), cw(g), cw(h), cw(i), cw(j), cw(k), cw(l)))
}
func callW13(fn, a, b, c, d, e, f, g, h, i, j, k, l, m uintptr) uintptr {
	return uintptr(C.hffi_call_w13(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f), cw(g), cw(h), cw(i), cw(j), cw(k), cw(l), cw(m)))
}
func callW14(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n uintptr) uintptr {
	return uintptr(C.hffi_call_w14(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f), cw(g), cw(h), cw(i), cw(j), cw(k), cw(l), cw(m), cw(n)))
}
func callW15(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o uintptr) uintptr {
	return uintptr(C.hffi_call_w15(cw(fn), cw(a), cw(b), cw(c), cw(d), cw(e), cw(f), cw(g), cw(h), cw(i), cw(j), cw(k), cw(l), cw(m), cw(n), cw(o)))
}
