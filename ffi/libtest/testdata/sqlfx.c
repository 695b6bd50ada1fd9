/* SPDX-License-Identifier: Apache-2.0 */

/* A SQLite scalar function in C, for sqlite3_create_function_v2. It does
 * not link against SQLite: Go hands it the two API functions it needs. */

#include <stdint.h>

static void (*result_int64)(void *ctx, int64_t v);
static int64_t (*value_int64)(void *v);

void sqlfx_init(void *r, void *v) {
	result_int64 = (void (*)(void *, int64_t))r;
	value_int64 = (int64_t (*)(void *))v;
}

void sqlfx_twice(void *ctx, int argc, void **argv) {
	(void)argc;
	result_int64(ctx, 2 * value_int64(argv[0]));
}
