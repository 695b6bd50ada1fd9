// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package bench

/*
#include <stdint.h>
#include <stdlib.h>

extern int benchQsortCmp(void *a, void *b);

static void bench_qsort_export(void *base, size_t n) {
	qsort(base, n, 8, (int (*)(const void *, const void *))benchQsortCmp);
}
*/
import "C"

import "unsafe"

// benchQsortCmp is the plain cgo comparator: an //export Go function that
// qsort calls through its address.
//
//export benchQsortCmp
func benchQsortCmp(a, b unsafe.Pointer) C.int {
	qsortCalls++
	x, y := *(*int64)(a), *(*int64)(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func init() {
	cgoQsortPeer = func(base unsafe.Pointer, n int) { C.bench_qsort_export(base, C.size_t(n)) }
}
