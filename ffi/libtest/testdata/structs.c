/* SPDX-License-Identifier: Apache-2.0 */

/* Structs by value of sizes 1 to 64 bytes with mixed integer and float
 * fields (structs_test.go mirrors them). Each function adds k to every
 * field and returns the struct; ls_sN_sum takes it after 6 integers and
 * 8 doubles, which pushes it to the stack on amd64. Kept in sync by
 * hand with structs_test.go. */

#include <stdint.h>

typedef struct {
	int8_t a;
} s1_t;

s1_t ls_s1(int32_t k, s1_t v) {
	v.a = (int8_t)(v.a + k);
	return v;
}

double ls_s1_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s1_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	return t;
}

typedef struct {
	uint8_t a;
	int8_t b;
} s2_t;

s2_t ls_s2(int32_t k, s2_t v) {
	v.a = (uint8_t)(v.a + k);
	v.b = (int8_t)(v.b + k);
	return v;
}

double ls_s2_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s2_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	t += (double)v.b;
	return t;
}

typedef struct {
	uint8_t a[3];
} s3_t;

s3_t ls_s3(int32_t k, s3_t v) {
	for (int i = 0; i < 3; i++) v.a[i] = (uint8_t)(v.a[i] + k);
	return v;
}

double ls_s3_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s3_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	for (int i = 0; i < 3; i++) t += (double)v.a[i];
	return t;
}

typedef struct {
	float a;
} s4_t;

s4_t ls_s4(int32_t k, s4_t v) {
	v.a = (float)(v.a + k);
	return v;
}

double ls_s4_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s4_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	return t;
}

typedef struct {
	uint8_t a[5];
} s5_t;

s5_t ls_s5(int32_t k, s5_t v) {
	for (int i = 0; i < 5; i++) v.a[i] = (uint8_t)(v.a[i] + k);
	return v;
}

double ls_s5_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s5_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	for (int i = 0; i < 5; i++) t += (double)v.a[i];
	return t;
}

typedef struct {
	int16_t a;
	uint8_t b;
	int8_t c;
	int16_t d;
} s6_t;

s6_t ls_s6(int32_t k, s6_t v) {
	v.a = (int16_t)(v.a + k);
	v.b = (uint8_t)(v.b + k);
	v.c = (int8_t)(v.c + k);
	v.d = (int16_t)(v.d + k);
	return v;
}

double ls_s6_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s6_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	t += (double)v.b;
	t += (double)v.c;
	t += (double)v.d;
	return t;
}

typedef struct {
	uint8_t a[7];
} s7_t;

s7_t ls_s7(int32_t k, s7_t v) {
	for (int i = 0; i < 7; i++) v.a[i] = (uint8_t)(v.a[i] + k);
	return v;
}

double ls_s7_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s7_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	for (int i = 0; i < 7; i++) t += (double)v.a[i];
	return t;
}

typedef struct {
	int32_t a;
	float b;
} s8_t;

s8_t ls_s8(int32_t k, s8_t v) {
	v.a = (int32_t)(v.a + k);
	v.b = (float)(v.b + k);
	return v;
}

double ls_s8_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s8_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	t += (double)v.b;
	return t;
}

typedef struct {
	float a;
	int32_t b;
	float c;
} s12_t;

s12_t ls_s12(int32_t k, s12_t v) {
	v.a = (float)(v.a + k);
	v.b = (int32_t)(v.b + k);
	v.c = (float)(v.c + k);
	return v;
}

double ls_s12_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s12_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	t += (double)v.b;
	t += (double)v.c;
	return t;
}

typedef struct {
	double a;
	int64_t b;
} s16_t;

s16_t ls_s16(int32_t k, s16_t v) {
	v.a = (double)(v.a + k);
	v.b = (int64_t)(v.b + k);
	return v;
}

double ls_s16_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s16_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	t += (double)v.b;
	return t;
}

typedef struct {
	float a[4];
} s16f_t;

s16f_t ls_s16f(int32_t k, s16f_t v) {
	for (int i = 0; i < 4; i++) v.a[i] = (float)(v.a[i] + k);
	return v;
}

double ls_s16f_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s16f_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	for (int i = 0; i < 4; i++) t += (double)v.a[i];
	return t;
}

typedef struct {
	int32_t a;
	float b[4];
} s20_t;

s20_t ls_s20(int32_t k, s20_t v) {
	v.a = (int32_t)(v.a + k);
	for (int i = 0; i < 4; i++) v.b[i] = (float)(v.b[i] + k);
	return v;
}

double ls_s20_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s20_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	for (int i = 0; i < 4; i++) t += (double)v.b[i];
	return t;
}

typedef struct {
	double a[2];
	int32_t b;
} s24_t;

s24_t ls_s24(int32_t k, s24_t v) {
	for (int i = 0; i < 2; i++) v.a[i] = (double)(v.a[i] + k);
	v.b = (int32_t)(v.b + k);
	return v;
}

double ls_s24_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s24_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	for (int i = 0; i < 2; i++) t += (double)v.a[i];
	t += (double)v.b;
	return t;
}

typedef struct {
	double a[4];
} s32_t;

s32_t ls_s32(int32_t k, s32_t v) {
	for (int i = 0; i < 4; i++) v.a[i] = (double)(v.a[i] + k);
	return v;
}

double ls_s32_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s32_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	for (int i = 0; i < 4; i++) t += (double)v.a[i];
	return t;
}

typedef struct {
	int64_t a;
	double b;
	int32_t c;
	float d;
	int64_t e;
	double f;
} s40_t;

s40_t ls_s40(int32_t k, s40_t v) {
	v.a = (int64_t)(v.a + k);
	v.b = (double)(v.b + k);
	v.c = (int32_t)(v.c + k);
	v.d = (float)(v.d + k);
	v.e = (int64_t)(v.e + k);
	v.f = (double)(v.f + k);
	return v;
}

double ls_s40_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s40_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	t += (double)v.b;
	t += (double)v.c;
	t += (double)v.d;
	t += (double)v.e;
	t += (double)v.f;
	return t;
}

typedef struct {
	float a;
	double b;
	uint8_t c;
	int64_t d[3];
} s48_t;

s48_t ls_s48(int32_t k, s48_t v) {
	v.a = (float)(v.a + k);
	v.b = (double)(v.b + k);
	v.c = (uint8_t)(v.c + k);
	for (int i = 0; i < 3; i++) v.d[i] = (int64_t)(v.d[i] + k);
	return v;
}

double ls_s48_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s48_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	t += (double)v.a;
	t += (double)v.b;
	t += (double)v.c;
	for (int i = 0; i < 3; i++) t += (double)v.d[i];
	return t;
}

typedef struct {
	double a[3];
	int64_t b[4];
	int32_t c;
	float d;
} s64_t;

s64_t ls_s64(int32_t k, s64_t v) {
	for (int i = 0; i < 3; i++) v.a[i] = (double)(v.a[i] + k);
	for (int i = 0; i < 4; i++) v.b[i] = (int64_t)(v.b[i] + k);
	v.c = (int32_t)(v.c + k);
	v.d = (float)(v.d + k);
	return v;
}

double ls_s64_sum(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f,
		double x0, double x1, double x2, double x3, double x4, double x5, double x6, double x7, s64_t v) {
	double t = (double)(a + b + c + d + e + f) + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
	for (int i = 0; i < 3; i++) t += (double)v.a[i];
	for (int i = 0; i < 4; i++) t += (double)v.b[i];
	t += (double)v.c;
	t += (double)v.d;
	return t;
}
