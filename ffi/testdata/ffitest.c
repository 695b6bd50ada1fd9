/* SPDX-License-Identifier: Apache-2.0 */

/* The C library of package ffi's tests and of bench/: every call and
 * callback shape, a C event loop that stores callbacks and fires them
 * later from its own threads, and drivers that send stale and forged
 * handles back to Go. Compiled at test time with csrc/hffi.c. */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hffi.h"

/* ---------------------------------------------------------------------
 * Calls
 * ------------------------------------------------------------------- */

int64_t ft_counter = 7; /* a data symbol */

int64_t ft_answer(void) { return 42; }
int64_t ft_add(int64_t a, int64_t b) { return a + b; }
int32_t ft_add_i32(int32_t a, int32_t b) { return a + b; }
uint32_t ft_add_u32(uint32_t a, uint32_t b) { return a + b; }
int16_t ft_neg_i16(int16_t a) { return (int16_t)-a; }
int8_t ft_neg_i8(int8_t a) { return (int8_t)-a; }
uint8_t ft_add_u8(uint8_t a, uint8_t b) { return (uint8_t)(a + b); }
uint16_t ft_add_u16(uint16_t a, uint16_t b) { return (uint16_t)(a + b); }
bool ft_not(bool b) { return !b; }
int64_t ft_sum6(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f) {
    return a + 10 * b + 100 * c + 1000 * d + 10000 * e + 100000 * f;
}
/* Returns -1 for a negative int32 argument that C sees sign-extended. */
int64_t ft_widen_i32(int32_t a) { return (int64_t)a; }

static int64_t ft_last_void;
void ft_set(int64_t v) { ft_last_void = v; }
int64_t ft_get(void) { return ft_last_void; }
void ft_set_sum3(int32_t a, int8_t b, uint16_t c) { ft_last_void = (int64_t)a + b + c; }

double ft_addd(double a, double b) { return a + b; }
float ft_addf(float a, float b) { return a + b; }
double ft_half(double a) { return a / 2; }
/* Mixed integer and float parameters, in both orders. */
double ft_mix(int32_t a, double b, int64_t c, float d) { return (double)a + b + (double)c + (double)d; }
int64_t ft_mix_int(float a, int64_t b, double c) { return (int64_t)a * 100 + b * 10 + (int64_t)c; }
double ft_poly8(double a, double b, double c, double d, double e, double f, double g, double h) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}
float ft_f32_of_i(int32_t a) { return (float)a / 2.0f; }

size_t ft_strlen(const char *s) { return s == NULL ? (size_t)-1 : strlen(s); }
int32_t ft_strcmp(const char *a, const char *b) {
    int r = strcmp(a, b);
    return r < 0 ? -1 : r > 0;
}
uint64_t ft_sum_bytes(const uint8_t *p, size_t n) {
    uint64_t s = 0;
    if (p == NULL) return UINT64_MAX;
    for (size_t i = 0; i < n; i++) s += p[i];
    return s;
}
const char *ft_greeting(void) { return "hello from C"; }
const char *ft_null_string(void) { return NULL; }
void *ft_ptr_add(void *p, intptr_t n) { return (char *)p + n; }
int64_t ft_load(const int64_t *p) { return *p; }
void ft_store(int64_t *p, int64_t v) { *p = v; }
int32_t ft_code(int32_t c) { return c; }

/* Handles and references checked in C with no call into Go. */
int32_t ft_handle_check(const hffi_rt *rt, hffi_handle h) { return hffi_handle_check(rt, h); }
int64_t ft_ref_sum(const hffi_rt *rt, hffi_ref r, uint64_t n) {
    const uint8_t *p;
    int64_t s = 0;
    int32_t rc = hffi_ref_resolve(rt, r, n, (void **)&p);
    if (rc < 0) return rc;
    for (uint64_t i = 0; i < n; i++) s += p[i];
    return s;
}

/* ---------------------------------------------------------------------
 * Callbacks: one driver per C signature. The Go side makes the callback;
 * C calls it like any C function pointer with a void *user_data.
 * ------------------------------------------------------------------- */

typedef intptr_t (*ft_cb0)(void *ud);
typedef intptr_t (*ft_cb1)(void *ud, intptr_t a);
typedef intptr_t (*ft_cb2)(void *ud, intptr_t a, intptr_t b);
typedef intptr_t (*ft_cb5)(void *ud, intptr_t a, intptr_t b, intptr_t c, intptr_t d, intptr_t e);
typedef intptr_t (*ft_cb2_last)(intptr_t a, intptr_t b, void *ud);
typedef intptr_t (*ft_cb5_last)(intptr_t a, intptr_t b, intptr_t c, intptr_t d, intptr_t e, void *ud);
typedef int32_t (*ft_cb_i32)(void *ud, int32_t a, int8_t b, uint16_t c);
typedef void (*ft_cb_void)(void *ud, intptr_t a);
typedef void *(*ft_cb_ptr)(void *ud, void *p);
typedef double (*ft_cb_dd)(void *ud, double a, double b);
typedef float (*ft_cb_ff_last)(float a, float b, void *ud);
typedef int64_t (*ft_cb_mix)(int32_t a, double b, void *ud, float c);
typedef double (*ft_cb_mix_d)(void *ud, double a, int64_t b, float c, intptr_t d);
typedef intptr_t (*ft_cb_str)(void *ud, const char *s, size_t n);
typedef int32_t (*ft_cb_err)(void *ud, int32_t want);
typedef bool (*ft_cb_bool)(void *ud, bool b);

intptr_t ft_call_cb0(ft_cb0 cb, void *ud) { return cb(ud); }
intptr_t ft_call_cb1(ft_cb1 cb, void *ud, intptr_t a) { return cb(ud, a); }
intptr_t ft_call_cb2(ft_cb2 cb, void *ud, intptr_t a, intptr_t b) { return cb(ud, a, b); }
intptr_t ft_call_cb5(ft_cb5 cb, void *ud, intptr_t a) { return cb(ud, a, a + 1, a + 2, a + 3, a + 4); }
intptr_t ft_call_cb2_last(ft_cb2_last cb, void *ud, intptr_t a, intptr_t b) { return cb(a, b, ud); }
intptr_t ft_call_cb5_last(ft_cb5_last cb, void *ud, intptr_t a) { return cb(a, a + 1, a + 2, a + 3, a + 4, ud); }
int32_t ft_call_cb_i32(ft_cb_i32 cb, void *ud, int32_t a, int8_t b, uint16_t c) { return cb(ud, a, b, c); }
void ft_call_cb_void(ft_cb_void cb, void *ud, intptr_t a) { cb(ud, a); }
void *ft_call_cb_ptr(ft_cb_ptr cb, void *ud, void *p) { return cb(ud, p); }
double ft_call_cb_dd(ft_cb_dd cb, void *ud, double a, double b) { return cb(ud, a, b); }
float ft_call_cb_ff_last(ft_cb_ff_last cb, void *ud, float a, float b) { return cb(a, b, ud); }
int64_t ft_call_cb_mix(ft_cb_mix cb, void *ud, int32_t a, double b, float c) { return cb(a, b, ud, c); }
double ft_call_cb_mix_d(ft_cb_mix_d cb, void *ud, double a, int64_t b, float c, intptr_t d) {
    return cb(ud, a, b, c, d);
}
intptr_t ft_call_cb_str(ft_cb_str cb, void *ud) {
    static const char msg[] = "hello from C";
    intptr_t r = cb(ud, msg, sizeof msg - 1);
    r += cb(ud, NULL, 0) * 1000;
    return r;
}
int32_t ft_call_cb_err(ft_cb_err cb, void *ud, int32_t want) { return cb(ud, want); }
bool ft_call_cb_bool(ft_cb_bool cb, void *ud, bool b) { return cb(ud, b); }

/* ft_cb_loop calls cb(ud, i, 1) n times: the callback benchmark's driver. */
intptr_t ft_cb_loop(ft_cb2 cb, void *ud, intptr_t n) {
    intptr_t s = 0;
    for (intptr_t i = 0; i < n; i++) s += cb(ud, i, 1);
    return s;
}

/* ft_call_many calls cbs[i](uds[i], i) for every i and stores the results:
 * thousands of distinct callbacks alive at once. The arrays live in an
 * arena. */
void ft_call_many(const uintptr_t *cbs, const uintptr_t *uds, intptr_t *out, intptr_t n) {
    for (intptr_t i = 0; i < n; i++) out[i] = ((ft_cb1)cbs[i])((void *)uds[i], i);
}

/* ft_forge calls cb with user data that C made up from a real handle:
 * the next generation (never issued), another table, the zero handle, a
 * reference instead of a handle; the 4 results go to out[0..3]. */
void ft_forge(ft_cb1 cb, hffi_handle real, intptr_t *out) {
    uint32_t t = hffi_handle_table(real), g = hffi_handle_gen(real), i = hffi_handle_index(real);
    out[0] = cb((void *)(uintptr_t)hffi_handle_make(t, g + 1, i), 1);
    out[1] = cb((void *)(uintptr_t)hffi_handle_make(t == 1 ? 2 : t - 1, g, i), 2);
    out[2] = cb((void *)(uintptr_t)0, 3);
    out[3] = cb((void *)(uintptr_t)(HFFI_REF_TAG | real), 4);
}

/* ---------------------------------------------------------------------
 * Threads: a callback from a thread that C created.
 * ------------------------------------------------------------------- */

struct ft_thread_arg {
    ft_cb2 cb;
    void *ud;
    intptr_t a, b, r;
};

static void *ft_thread_main(void *p) {
    struct ft_thread_arg *t = (struct ft_thread_arg *)p;
    t->r = t->cb(t->ud, t->a, t->b);
    return NULL;
}

/* ft_call_cb2_thread calls cb(ud, a, b) on a new pthread and returns its
 * result, or INTPTR_MIN if the thread could not be made. */
intptr_t ft_call_cb2_thread(ft_cb2 cb, void *ud, intptr_t a, intptr_t b) {
    pthread_t th;
    struct ft_thread_arg t = {cb, ud, a, b, 0};
    if (pthread_create(&th, NULL, ft_thread_main, &t) != 0) return INTPTR_MIN;
    pthread_join(th, NULL);
    return t.r;
}

/* ---------------------------------------------------------------------
 * An event loop: C stores callbacks now and fires them later, from its
 * own threads, after Go may have closed some of them.
 * ------------------------------------------------------------------- */

struct ft_event {
    ft_cb1 cb;
    void *ud;
    intptr_t arg;
    intptr_t result;
};

typedef struct ft_loop {
    struct ft_event *ev;
    intptr_t n, cap;
    intptr_t next; /* next event to fire, shared by the threads */
} ft_loop;

ft_loop *ft_loop_new(intptr_t cap) {
    ft_loop *l = (ft_loop *)calloc(1, sizeof *l);
    if (l == NULL) return NULL;
    l->ev = (struct ft_event *)calloc((size_t)cap, sizeof *l->ev);
    if (l->ev == NULL) {
        free(l);
        return NULL;
    }
    l->cap = cap;
    return l;
}

int32_t ft_loop_add(ft_loop *l, ft_cb1 cb, void *ud, intptr_t arg) {
    if (l->n == l->cap) return HFFI_ENOMEM;
    l->ev[l->n].cb = cb;
    l->ev[l->n].ud = ud;
    l->ev[l->n].arg = arg;
    l->n++;
    return 0;
}

static void *ft_loop_worker(void *p) {
    ft_loop *l = (ft_loop *)p;
    for (;;) {
        intptr_t i = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQ_REL);
        if (i >= l->n) return NULL;
        l->ev[i].result = l->ev[i].cb(l->ev[i].ud, l->ev[i].arg);
    }
}

/* ft_loop_run fires every stored event once from nthreads new threads and
 * returns 0, or HFFI_EINVAL if a thread could not be made. */
int32_t ft_loop_run(ft_loop *l, int32_t nthreads) {
    pthread_t th[16];
    int32_t started = 0;
    if (nthreads < 1 || nthreads > 16) return HFFI_EINVAL;
    l->next = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&th[started], NULL, ft_loop_worker, l) != 0) break;
    for (int32_t i = 0; i < started; i++) pthread_join(th[i], NULL);
    return started == nthreads ? 0 : HFFI_EINVAL;
}

intptr_t ft_loop_result(const ft_loop *l, intptr_t i) { return l->ev[i].result; }

void ft_loop_free(ft_loop *l) {
    if (l == NULL) return;
    free(l->ev);
    free(l);
}

/* ---------------------------------------------------------------------
 * A storm: C threads call one callback in a loop while Go closes it. Go
 * sets `closed` once Close has returned; a call that a thread began after
 * it saw `closed` and that still got the Go function's result is "late".
 * ------------------------------------------------------------------- */

typedef struct ft_storm {
    const hffi_rt *rt;
    ft_cb1 cb;
    void *ud;
    intptr_t want; /* what the Go function returns */
    int32_t retained;
    int32_t closed, stop;
    int32_t nthreads;
    pthread_t th[16];
    int64_t count[4]; /* ran, refused (HFFI_EDELETED or HFFI_ESTALE), late, other */
} ft_storm;

static void *ft_storm_worker(void *p) {
    ft_storm *s = (ft_storm *)p;
    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        int32_t closed = __atomic_load_n(&s->closed, __ATOMIC_ACQUIRE);
        intptr_t r = s->cb(s->ud, 1);
        int which = 3;
        if (r == s->want) {
            which = 0;
            if (closed) __atomic_add_fetch(&s->count[2], 1, __ATOMIC_ACQ_REL);
        } else if (r == HFFI_EDELETED || r == HFFI_ESTALE) {
            which = 1;
        }
        __atomic_add_fetch(&s->count[which], 1, __ATOMIC_ACQ_REL);
    }
    return NULL;
}

/* ft_storm_start retains ud with hffi_handle_retain if `retain` (the C
 * library keeps the user data, as an event loop would), then starts
 * nthreads threads calling cb(ud, 1). NULL if it could not. */
ft_storm *ft_storm_start(const hffi_rt *rt, ft_cb1 cb, void *ud, intptr_t want, int32_t nthreads, int32_t retain) {
    if (nthreads < 1 || nthreads > 16) return NULL;
    ft_storm *s = (ft_storm *)calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->rt = rt;
    s->cb = cb;
    s->ud = ud;
    s->want = want;
    if (retain) {
        if (hffi_handle_retain(rt, (hffi_handle)(uintptr_t)ud) < 0) {
            free(s);
            return NULL;
        }
        s->retained = 1;
    }
    for (; s->nthreads < nthreads; s->nthreads++)
        if (pthread_create(&s->th[s->nthreads], NULL, ft_storm_worker, s) != 0) break;
    return s;
}

void ft_storm_closed(ft_storm *s) { __atomic_store_n(&s->closed, 1, __ATOMIC_RELEASE); }

int64_t ft_storm_count(const ft_storm *s, int32_t which) {
    return __atomic_load_n(&s->count[which], __ATOMIC_ACQUIRE);
}

/* ft_storm_stop joins the threads and drops the retain; it returns the
 * number of threads that ran. */
int32_t ft_storm_stop(ft_storm *s) {
    __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
    for (int32_t i = 0; i < s->nthreads; i++) pthread_join(s->th[i], NULL);
    if (s->retained) hffi_handle_release(s->rt, (hffi_handle)(uintptr_t)s->ud);
    s->retained = 0;
    return s->nthreads;
}

void ft_storm_free(ft_storm *s) { free(s); }

/* ---------------------------------------------------------------------
 * C objects held by Go as handles.
 * ------------------------------------------------------------------- */

static int64_t ft_obj_freed;

typedef struct ft_obj {
    int64_t value;
} ft_obj;

static void ft_obj_free(void *p) {
    __atomic_add_fetch(&ft_obj_freed, 1, __ATOMIC_ACQ_REL);
    free(p);
}

void *ft_obj_new(int64_t value) {
    ft_obj *o = (ft_obj *)malloc(sizeof *o);
    if (o != NULL) o->value = value;
    return o;
}
uintptr_t ft_obj_dtor(void) { return (uintptr_t)ft_obj_free; }
int64_t ft_obj_value(const void *p) { return ((const ft_obj *)p)->value; }
int64_t ft_obj_freed_count(void) { return __atomic_load_n(&ft_obj_freed, __ATOMIC_ACQUIRE); }

/* C registers its own object in table `table` and returns the handle. */
hffi_handle ft_obj_register(const hffi_rt *rt, uint32_t table, int64_t value) {
    hffi_handle h = 0;
    void *o = ft_obj_new(value);
    if (o == NULL) return 0;
    if (hffi_cobj_register(rt, table, o, ft_obj_free, &h) < 0) {
        free(o);
        return 0;
    }
    return h;
}
int64_t ft_obj_get(const hffi_rt *rt, hffi_handle h) {
    void *p = NULL;
    int32_t rc = hffi_cobj_get(rt, h, &p);
    if (rc < 0) return rc;
    return ((ft_obj *)p)->value;
}
int32_t ft_obj_destroy(const hffi_rt *rt, hffi_handle h) { return hffi_cobj_destroy(rt, h); }

/* ---------------------------------------------------------------------
 * Callbacks whose user data C does not pass as an argument of its own.
 * ------------------------------------------------------------------- */

/* ft_ctx_data is an accessor, as sqlite3_user_data(ctx): the user data is
 * the first word of the context. */
void *ft_ctx_data(void *ctx) { return *(void **)ctx; }

/* ft_call_ctx calls cb(ctx, x) as SQLite calls xFunc. */
int64_t ft_call_ctx(int64_t (*cb)(void *, int64_t), void *ctx, int64_t x) { return cb(ctx, x); }

/* ft_call_mid calls cb(a, ud, b): the user data in the middle. */
int64_t ft_call_mid(int64_t (*cb)(int64_t, void *, int64_t), int64_t a, void *ud, int64_t b) {
    return cb(a, ud, b);
}

struct ft_noud_arg {
    int64_t (*cb)(int64_t);
    int64_t n, sum;
};

static void *ft_noud_main(void *p) {
    struct ft_noud_arg *t = (struct ft_noud_arg *)p;
    for (int64_t i = 0; i < t->n; i++) t->sum += t->cb(i);
    return NULL;
}

/* ft_noud_threads calls cb(i) for i < n on each of nthreads (at most 16)
 * new pthreads and returns the sum of the results, or INT64_MIN if a
 * thread could not be made. */
int64_t ft_noud_threads(int64_t (*cb)(int64_t), int32_t nthreads, int64_t n) {
    pthread_t th[16];
    struct ft_noud_arg a[16];
    int64_t sum = 0;
    if (nthreads > 16) nthreads = 16;
    for (int32_t i = 0; i < nthreads; i++) {
        a[i].cb = cb;
        a[i].n = n;
        a[i].sum = 0;
        if (pthread_create(&th[i], NULL, ft_noud_main, &a[i]) != 0) return INT64_MIN;
    }
    for (int32_t i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        sum += a[i].sum;
    }
    return sum;
}

/* Callbacks of 8 parameters besides the user data: stack arguments. */
int64_t ft_call_cb9(int64_t (*cb)(void *, int64_t, int64_t, int32_t, int64_t, int64_t, int64_t, int64_t, int64_t),
                    void *ud) {
    return cb(ud, 1, 2, 3, 4, 5, 6, 7, 8);
}
double ft_call_cb8_mix(double (*cb)(int64_t, double, int64_t, double, int64_t, double, int64_t, float)) {
    return cb(1, 2.5, 3, 4.5, 5, 6.5, 7, 8.5f);
}

/* Callbacks with structs by value. */
typedef struct { int32_t x, y; } ft_pt;
typedef struct { double a, b, c; } ft_v3;
typedef struct { float f; int64_t n; } ft_fn;

int64_t ft_cb_pt(ft_pt (*cb)(ft_pt, int64_t), int32_t x, int32_t y, int64_t k) {
    ft_pt p = {x, y};
    ft_pt r = cb(p, k);
    return (int64_t)r.x * 1000 + r.y;
}
double ft_cb_v3(double (*cb)(void *, ft_v3, int32_t), void *ud, double a, double b, double c) {
    ft_v3 v = {a, b, c};
    return cb(ud, v, 4);
}
double ft_cb_v3r(ft_v3 (*cb)(double, ft_fn), double s) {
    ft_fn m = {1.5f, 7};
    ft_v3 v = cb(s, m);
    return v.a + 10 * v.b + 100 * v.c;
}
