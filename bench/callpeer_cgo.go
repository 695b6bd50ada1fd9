// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package bench

/*
#include <stdint.h>

static int64_t bench_call_ii(uintptr_t fn, int64_t a, int64_t b) {
	return ((int64_t (*)(int64_t, int64_t))fn)(a, b);
}
*/
import "C"

import "testing"

func init() {
	cgoCallPeer = func(b *testing.B, fn uintptr) {
		f := C.uintptr_t(fn)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			callSink = int(C.bench_call_ii(f, C.int64_t(i), 2))
			i++
		}
	}
}
