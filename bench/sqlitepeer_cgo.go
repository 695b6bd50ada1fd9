// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package bench

/*
#include <stdint.h>

uintptr_t bench_sqlite_init(uintptr_t value_int64, uintptr_t result_int64, uintptr_t user_data);
int64_t bench_sqlite_value_int64(void *v);
void bench_sqlite_result_int64(void *ctx, int64_t x);
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

//export benchSQLiteGoFn
func benchSQLiteGoFn(h C.uintptr_t, ctx, v unsafe.Pointer) {
	fn := cgo.Handle(h).Value().(func(int64) int64)
	C.bench_sqlite_result_int64(ctx, C.int64_t(fn(int64(C.bench_sqlite_value_int64(v)))))
}

func init() {
	cgoSQLitePeer = func(valueInt64, resultInt64, userData uintptr, fn func(int64) int64) (xFunc, app uintptr, free func()) {
		h := cgo.NewHandle(fn)
		return uintptr(C.bench_sqlite_init(C.uintptr_t(valueInt64), C.uintptr_t(resultInt64), C.uintptr_t(userData))),
			uintptr(h), h.Delete
	}
}
