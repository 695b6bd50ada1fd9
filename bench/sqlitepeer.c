/* SPDX-License-Identifier: Apache-2.0 */

//go:build cgo

/* The cgo peer of BenchmarkSQLiteFunc: SQLite's xFunc in C finds its Go
 * function through a runtime/cgo.Handle in sqlite3_user_data and calls an
 * //export Go function, which reads the argument and sets the result
 * through cgo calls. SQLite is opened with dlopen, so no -lsqlite3 or
 * sqlite3.h is needed. */

#include <dlfcn.h>
#include <stdint.h>

#include "_cgo_export.h"

static int64_t (*bench_value_int64)(void *);
static void (*bench_result_int64)(void *, int64_t);
static void *(*bench_user_data)(void *);

static void bench_sqlite_xfunc(void *ctx, int argc, void **argv) {
	(void)argc;
	benchSQLiteGoFn((uintptr_t)bench_user_data(ctx), ctx, argv[0]);
}

uintptr_t bench_sqlite_init(uintptr_t value_int64, uintptr_t result_int64, uintptr_t user_data) {
	bench_value_int64 = (int64_t (*)(void *))value_int64;
	bench_result_int64 = (void (*)(void *, int64_t))result_int64;
	bench_user_data = (void *(*)(void *))user_data;
	return (uintptr_t)bench_sqlite_xfunc;
}

int64_t bench_sqlite_value_int64(void *v) { return bench_value_int64(v); }
void bench_sqlite_result_int64(void *ctx, int64_t x) { bench_result_int64(ctx, x); }
