// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package bench

/*
#include <stdint.h>

static int32_t bench_call_out(uintptr_t fn, uint8_t *dst, uint64_t *n, const uint8_t *src, uint64_t len,
	int32_t level) {
	return ((int32_t (*)(uint8_t *, uint64_t *, const uint8_t *, uint64_t, int32_t))fn)(dst, n, src, len, level);
}
*/
import "C"

import "testing"

func init() {
	cgoOutPeer = func(b *testing.B, fn uintptr, dst, src []byte) {
		f := C.uintptr_t(fn)
		b.ReportAllocs()
		i := int32(0)
		for b.Loop() {
			n := C.uint64_t(len(dst))
			C.bench_call_out(f, (*C.uint8_t)(&dst[0]), &n, (*C.uint8_t)(&src[0]), C.uint64_t(len(src)), C.int32_t(i))
			if n != 64 || dst[0] != byte(i) {
				b.Fatal("wrong result")
			}
			i++
		}
	}
}
