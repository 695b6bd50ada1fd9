/* SPDX-License-Identifier: Apache-2.0 */

/* The C fixture of package ffi's general-path tests (call_frame_test.go):
 * many parameters, structs by value, out-parameters, variadics, errno and
 * owned results. Weights catch arguments that arrive in the wrong place. */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int64_t fr_sum9(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g, int64_t h,
		int64_t i) {
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i;
}

double fr_mix15(int8_t a, double b, uint16_t c, float d, int32_t e, double f, int64_t g, float h, uint8_t i,
		double j, int16_t k, double l, int64_t m, double n, int32_t o) {
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j + 11 * k + 12 * l +
	       13 * m + 14 * n + 15 * o;
}

void fr_void15(int64_t *out, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g, int64_t h,
	       int64_t i, int64_t j, int64_t k, int64_t l, int64_t m, int64_t n, int64_t o) {
	*out = b + c + d + e + f + g + h + i + j + k + l + m + n + o;
}

/* Every integer width in registers and in stack slots: a callee reads
 * only the bits its type defines, wherever the caller put the rest. */
int64_t fr_ints15(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int64_t g, _Bool h,
		  int8_t i, uint16_t j, int32_t k, uint32_t l, const void *m, int16_t n, int8_t o) {
	return a + 2 * b + 3 * c + 4 * d + 5 * (int64_t)e + 6 * (int64_t)f + 7 * g + 8 * h + 9 * i +
	       10 * j + 11 * (int64_t)k + 12 * (int64_t)l + 13 * (int64_t)(uintptr_t)m + 14 * n + 15 * o;
}

typedef struct {
	double x, y;
	int32_t n;
} fr_s24;

typedef struct {
	double s;
	int64_t n;
} fr_s16;

fr_s16 fr_struct24(fr_s24 v) {
	fr_s16 r = {v.x + 2 * v.y, 3 * (int64_t)v.n};
	return r;
}

typedef struct {
	uint8_t tag;
	float f[3];
	int64_t w[4];
} fr_s56;

/* A large struct in, a large struct out, after the registers are used up. */
fr_s56 fr_big(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g, fr_s56 v,
	      double k) {
	fr_s56 r = v;
	r.tag = (uint8_t)(v.tag + 1);
	for (int i = 0; i < 3; i++) r.f[i] = v.f[i] * 2;
	for (int i = 0; i < 4; i++) r.w[i] = v.w[i] + a + b + c + d + e + f + g + (int64_t)k;
	return r;
}

/* Out-parameters: a scalar, a double, a buffer, a pointer. */
static int fr_object;
int32_t fr_out(int64_t *n, double *d, uint8_t *buf, size_t len, void **obj) {
	if (n) *n = *n * 2 + 1;
	if (d) *d = 0.5;
	for (size_t i = 0; buf && i < len; i++) buf[i] = (uint8_t)(buf[i] + i + 1);
	if (obj) *obj = &fr_object;
	return 7;
}

int32_t fr_is_object(void *p) { return p == &fr_object; }

/* Fills a struct through a pointer and sums an int32 array. */
void fr_fill(fr_s24 *s, const int32_t *xs, size_t n) {
	int64_t t = 0;
	for (size_t i = 0; i < n; i++) t += xs[i];
	s->x = (double)t;
	s->y = -1;
	s->n = (int32_t)n;
}

/* Variadics: the format says the type of each extra: i int, l int64_t,
 * d double, s string. */
double fr_vsum(const char *fmt, ...) {
	va_list ap;
	double t = 0;
	int w = 1;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++, w++) {
		switch (*p) {
		case 'i': t += w * va_arg(ap, int); break;
		case 'l': t += w * (double)va_arg(ap, int64_t); break;
		case 'd': t += w * va_arg(ap, double); break;
		case 's': t += w * (double)strlen(va_arg(ap, const char *)); break;
		}
	}
	va_end(ap);
	return t;
}

int32_t fr_fail(int32_t e) {
	errno = e;
	return -1;
}

void fr_void_errno(int32_t e) { errno = e; }

static int64_t fr_frees;
char *fr_strdup(const char *s) {
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	memcpy(p, s, n);
	return p;
}
char *fr_null(void) { return NULL; }
void fr_free(void *p) {
	fr_frees++;
	free(p);
}
int64_t fr_free_count(void) { return fr_frees; }

/* argv-style arrays for the C memory helpers. */
static const char *fr_argv_data[] = {"prog", "-v", "", "last", NULL};
const char **fr_argv(void) { return fr_argv_data; }

/* compress2-shaped: an output buffer, its length in and out, an input
 * buffer and a level; copies instead of compressing (bench/: the cost of
 * the call, not of zlib). */
int32_t fr_copy2(uint8_t *dst, uint64_t *dst_len, const uint8_t *src, uint64_t src_len, int32_t level) {
	uint64_t n = src_len < *dst_len ? src_len : *dst_len;
	memcpy(dst, src, n);
	if (n > 0) dst[0] = (uint8_t)level;
	*dst_len = n;
	return 0;
}

/* A nested struct with an array inside, by value both ways. */
typedef struct {
	struct {
		float x, y;
	} p;
	int16_t v[3];
	uint8_t tag;
} fr_nested;

fr_nested fr_nest(fr_nested a, double k) {
	fr_nested r = a;
	r.p.x = a.p.y + (float)k;
	r.p.y = a.p.x;
	for (int i = 0; i < 3; i++) r.v[i] = (int16_t)(a.v[2 - i] * 2);
	r.tag = (uint8_t)(a.tag + 1);
	return r;
}

/* The copy path (ffi/call_copy.go). */

/* Writes every byte of both buffers, then the total length. */
void fr_fill2(uint8_t *a, size_t alen, uint8_t *b, size_t blen, int64_t *n) {
	memset(a, 0xaa, alen);
	memset(b, 0xbb, blen);
	*n = (int64_t)(alen + blen);
}

/* Which of its pointers are not NULL, one bit each. */
int32_t fr_nonnull(const void *a, const void *b, const void *c, const char *s) {
	return (a != NULL) | (b != NULL) << 1 | (c != NULL) << 2 | (s != NULL) << 3;
}

/* Concatenates two strings into out (at most n bytes with the NUL). */
int32_t fr_cat(const char *a, const char *b, char *out, size_t n) {
	size_t la = strlen(a), lb = strlen(b);
	for (size_t i = 0; i < n; i++) out[i] = i < la ? a[i] : i < la + lb ? b[i - la] : 0;
	return (int32_t)(la + lb);
}

/* Reads buf, calls cb(ud, depth) (which may call this function again,
 * and grow or move the Go stack), then writes buf and *n. */
typedef intptr_t (*fr_cb1)(void *ud, intptr_t a);
int32_t fr_out_cb(fr_cb1 cb, void *ud, intptr_t depth, uint8_t *buf, size_t len, int64_t *n) {
	uint8_t first = len ? buf[0] : 0;
	intptr_t r = cb(ud, depth);
	for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(first + depth + i);
	*n += r;
	return (int32_t)depth;
}

/* Narrow integers and bool as words (cmd/hffi-gen's direct methods,
 * ffi/gentest): each is read at its own width. */
int64_t fr_narrow6(int8_t a, uint8_t b, int16_t c, uint16_t d, _Bool e, int32_t f) {
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * (int64_t)f;
}
int8_t fr_neg8(int8_t a) { return (int8_t)-a; }
_Bool fr_not(_Bool a) { return !a; }
uint16_t fr_inc16(uint16_t a) { return (uint16_t)(a + 1); }

/* cmd/hffi-gen's differential test (TestGeneratedMatchesBound): fr_any6
 * takes each of its words as fr_any_set last described that position (a
 * value, a buffer of n bytes, a string, a void ** or nothing) and returns
 * a hash of all it read; it changes each buffer, so that what is copied
 * back can be compared too. */
enum { FR_VALUE, FR_BUF, FR_BOOLS, FR_STR, FR_PTRP, FR_NONE };
static int64_t fr_any_kind[6], fr_any_len[6];
static char fr_any_mem[64];
void fr_any_set(int64_t i, int64_t kind, int64_t len) {
	fr_any_kind[i] = kind;
	fr_any_len[i] = len;
}
uint64_t fr_any6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f) {
	const uint64_t prime = 1099511628211ull;
	uint64_t w[6] = {a, b, c, d, e, f}, h = 1469598103934665603ull;
	for (int i = 0; i < 6; i++) {
		unsigned char *p = (unsigned char *)(uintptr_t)w[i];
		h = (h ^ (uint64_t)(i + 1)) * prime;
		switch (fr_any_kind[i]) {
		case FR_VALUE:
			h = (h ^ w[i]) * prime;
			break;
		case FR_BUF:
		case FR_BOOLS:
			if (!p) {
				h = (h ^ 0xdead) * prime;
				break;
			}
			for (int64_t j = 0; j < fr_any_len[i]; j++) {
				h = (h ^ p[j]) * prime;
				p[j] = fr_any_kind[i] == FR_BOOLS ? !p[j] : (unsigned char)(p[j] * 3 + i + j + 1);
			}
			break;
		case FR_STR:
			for (; p && *p; p++) h = (h ^ *p) * prime;
			break;
		case FR_PTRP:
			if (!p) {
				h = (h ^ 0xbeef) * prime;
				break;
			}
			h = (h ^ (uint64_t)(*(char **)p ? *(char **)p - fr_any_mem : 99)) * prime;
			*(char **)p = fr_any_mem + (h & 63);
			break;
		}
	}
	return h;
}

/* An int result that a Go bool reads (its low byte): 0x102 has low byte 2. */
int32_t fr_truthy(double x, int32_t v) { return x > 0 ? v : 0; }
