// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package bench

/*
#include <stdint.h>

typedef struct { double a, b; int32_t n; } bench_in24;
typedef struct { double s; int64_t n; } bench_out16;

static int64_t bench_call_sum9(uintptr_t fn, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e,
	int64_t f, int64_t g, int64_t h, int64_t i) {
	return ((int64_t (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t))fn)(
		a, b, c, d, e, f, g, h, i);
}

static bench_out16 bench_call_struct24(uintptr_t fn, bench_in24 v) {
	return ((bench_out16 (*)(bench_in24))fn)(v);
}

static uintptr_t bench_call4(uintptr_t fn, uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d) {
	return ((uintptr_t (*)(uintptr_t, uintptr_t, uintptr_t, uintptr_t))fn)(a, b, c, d);
}
*/
import "C"

import "testing"

func init() {
	cgoSum9Peer = func(b *testing.B, fn uintptr) {
		f := C.uintptr_t(fn)
		b.ReportAllocs()
		i := C.int64_t(0)
		for b.Loop() {
			callconvSink = int64(C.bench_call_sum9(f, i, 2, 3, 4, 5, 6, 7, 8, 9))
			i++
		}
	}
	cgoStruct24Peer = func(b *testing.B, fn uintptr) {
		f := C.uintptr_t(fn)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r := C.bench_call_struct24(f, C.bench_in24{a: C.double(i), b: 2, n: 3})
			callconvSink = int64(r.n)
			i++
		}
	}
	cgoCall4 = func(fn, a, b, c, d uintptr) uintptr {
		return uintptr(C.bench_call4(C.uintptr_t(fn), C.uintptr_t(a), C.uintptr_t(b), C.uintptr_t(c), C.uintptr_t(d)))
	}
}
