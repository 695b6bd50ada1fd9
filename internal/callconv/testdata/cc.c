/* SPDX-License-Identifier: Apache-2.0 */

/* Fixed C fixtures of callconv's tests and benchmarks. The struct tests
 * of every size are generated at test time (struct_test.go). */

#include <stdint.h>

/* Weights catch arguments that arrive in the wrong order. */
int64_t cc_sum9(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g, int64_t h,
		int64_t i) {
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i;
}

double cc_mix12(int8_t a, double b, uint16_t c, float d, int32_t e, double f, int64_t g, float h,
		uint8_t i, double j, int16_t k, double l) {
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j + 11 * k + 12 * l;
}

double cc_mix15(double a, double b, double c, double d, double e, double f, double g, double h,
		double i, float j, int64_t k, int32_t l, int8_t m, uint32_t n, double o) {
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j + 11 * k + 12 * l +
	       13 * m + 14 * n + 15 * o;
}

/* Small integers on the stack: Apple packs them, others use 8-byte slots. */
int64_t cc_small16(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g, int64_t h,
		   int8_t i, int16_t j, uint8_t k, int32_t l, int8_t m, uint16_t n, float o, int8_t p) {
	return a + b + c + d + e + f + g + h + 2 * i + 3 * j + 4 * k + 5 * l + 6 * m + 7 * n + (int64_t)(8 * o) +
	       9 * p;
}

typedef struct {
	double a, b;
	int32_t n;
} cc_in24;

typedef struct {
	double s;
	int64_t n;
} cc_out16;

cc_out16 cc_struct24(cc_in24 v) {
	cc_out16 r = {v.a + 2 * v.b, 3 * (int64_t)v.n};
	return r;
}

typedef struct {
	int64_t w[5];
} cc_big40;

/* A struct result in memory after a struct argument in memory. */
cc_big40 cc_big(int32_t k, cc_big40 v, double d) {
	cc_big40 r;
	for (int i = 0; i < 5; i++) r.w[i] = v.w[i] * k + (int64_t)d + i;
	return r;
}

int8_t cc_neg8(int8_t v) { return (int8_t)-v; }
uint16_t cc_u16(uint16_t v) { return (uint16_t)(v + 1); }
float cc_f32(float a, float b) { return a * b; }

/* Calls back into Go (cb) in the middle of the call, before it uses its
 * other arguments: the callback may grow, and so move, the calling
 * goroutine's stack. */
typedef int64_t (*cc_cb)(int64_t);

int64_t cc_cb9(cc_cb cb, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g,
	       int64_t h) {
	int64_t r = cb(a);
	return r + 2 * a + 3 * b + 4 * c + 5 * d + 6 * e + 7 * f + 8 * g + 9 * h;
}

/* The same with a struct result in memory (SysV hidden pointer, arm64 x8)
 * and a struct argument in memory (arm64: a pointer to a caller copy). */
cc_big40 cc_cb_big(cc_cb cb, int64_t k, cc_big40 v, double d) {
	int64_t r = cb(k);
	cc_big40 out;
	for (int i = 0; i < 5; i++) out.w[i] = v.w[i] * k + r + (int64_t)d + i;
	return out;
}
