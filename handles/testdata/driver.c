/* SPDX-License-Identifier: Apache-2.0 */
/*
 * driver.c - the C side of the handles tests: thin exports of the handle
 * API for purego, C objects with a counting destructor, and a hammer of C
 * threads that check, retain, release, register and destroy handles while
 * goroutines create, look up and delete them. It never calls into Go.
 */
#include "hffi.h"

#include <pthread.h>
#include <stdlib.h>

int32_t drv_check(const hffi_rt *rt, uint64_t h) { return hffi_handle_check(rt, h); }
int32_t drv_check_in(const hffi_rt *rt, uint32_t table, uint64_t h) {
    return hffi_handle_check_in(rt, table, h);
}
int32_t drv_retain(const hffi_rt *rt, uint64_t h) { return hffi_handle_retain(rt, h); }
int32_t drv_release(const hffi_rt *rt, uint64_t h) { return hffi_handle_release(rt, h); }

/* C objects: a tagged record whose destructor checks and counts. */
#define OBJ_MAGIC UINT64_C(0x6f626a6563742121)
typedef struct {
    uint64_t magic;
    uint64_t tag;
} obj;

static uint64_t destroyed, bad_destroy;

static void obj_free(void *p) {
    obj *o = (obj *)p;
    if (o->magic != OBJ_MAGIC) __atomic_add_fetch(&bad_destroy, 1, __ATOMIC_RELAXED);
    o->magic = 0;
    free(o);
    __atomic_add_fetch(&destroyed, 1, __ATOMIC_RELAXED);
}

uint64_t drv_destroyed(void) { return __atomic_load_n(&destroyed, __ATOMIC_RELAXED); }
uint64_t drv_bad_destroy(void) { return __atomic_load_n(&bad_destroy, __ATOMIC_RELAXED); }
uintptr_t drv_dtor(void) { return (uintptr_t)obj_free; }

uintptr_t drv_obj_new(uint64_t tag) {
    obj *o = (obj *)malloc(sizeof *o);
    if (o == NULL) return 0;
    o->magic = OBJ_MAGIC;
    o->tag = tag;
    return (uintptr_t)o;
}
uint64_t drv_obj_tag(uintptr_t p) { return ((const obj *)p)->tag; }

int32_t drv_cobj_new(const hffi_rt *rt, uint32_t table, uint64_t tag, uint64_t *h_out) {
    obj *o = (obj *)drv_obj_new(tag);
    int32_t rc;
    if (o == NULL) return HFFI_ENOMEM;
    rc = hffi_cobj_register(rt, table, o, obj_free, h_out);
    if (rc < 0) free(o);
    return rc;
}

int32_t drv_cobj_tag(const hffi_rt *rt, uint64_t h, uint64_t *tag_out) {
    void *p = NULL;
    int32_t rc = hffi_cobj_get(rt, h, &p);
    if (rc == 0) *tag_out = ((const obj *)p)->tag;
    return rc;
}

int32_t drv_cobj_destroy(const hffi_rt *rt, uint64_t h) { return hffi_cobj_destroy(rt, h); }

/* ------------------------------------------------------------------ *
 * The hammer: each thread loops over random slots of a shared array of
 * handles that goroutines keep replacing (and deleting), and counts
 * anything a correct table never does in `bad`.
 * ------------------------------------------------------------------ */
#define MAX_THREADS 16
#define HELD 8

typedef struct {
    const hffi_rt *rt;
    uint32_t table;
    uint64_t *shared;
    uint64_t n, iters, seed;
    uint64_t bad, retained, cobjs;
} hammer_arg;

static pthread_t threads[MAX_THREADS];
static hammer_arg args[MAX_THREADS];
static uint32_t nthreads;

static uint64_t next_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A handle some goroutine issued: it may have been deleted (and its slot
 * reused) since, but it is never forged or out of range. */
static int plausible(int32_t rc) {
    return rc == HFFI_OK || rc == HFFI_EDELETED || rc == HFFI_ESTALE;
}

static void *hammer(void *p) {
    hammer_arg *a = (hammer_arg *)p;
    uint64_t held[HELD];
    unsigned nheld = 0;
    for (uint64_t it = 0; it < a->iters; it++) {
        uint64_t r = next_rand(&a->seed);
        uint64_t h = __atomic_load_n(&a->shared[r % a->n], __ATOMIC_ACQUIRE);
        int32_t rc;
        switch ((r >> 40) % 4) {
        case 0:
            if (h != 0 && !plausible(hffi_handle_check(a->rt, h))) a->bad++;
            break;
        case 1:
            if (h == 0) break;
            rc = hffi_handle_retain(a->rt, h);
            if (!plausible(rc)) a->bad++;
            if (rc != HFFI_OK) break;
            a->retained++;
            /* Retained: live until released, whatever Go does meanwhile. */
            if (hffi_handle_check(a->rt, h) != HFFI_OK) a->bad++;
            if (nheld == HELD) {
                if (hffi_handle_release(a->rt, held[0]) != HFFI_OK) a->bad++;
                for (unsigned k = 1; k < HELD; k++) held[k - 1] = held[k];
                nheld--;
            }
            held[nheld++] = h;
            break;
        case 2:
            if (nheld > 0) {
                nheld--;
                if (hffi_handle_check(a->rt, held[nheld]) != HFFI_OK) a->bad++;
                if (hffi_handle_release(a->rt, held[nheld]) != HFFI_OK) a->bad++;
            }
            break;
        default: {
            uint64_t ch = 0, tag = 0;
            void *ptr = NULL;
            rc = drv_cobj_new(a->rt, a->table, r, &ch);
            if (rc == HFFI_ENOMEM) break;
            if (rc != HFFI_OK) {
                a->bad++;
                break;
            }
            a->cobjs++;
            if (drv_cobj_tag(a->rt, ch, &tag) != HFFI_OK || tag != r) a->bad++;
            if (h != 0 && hffi_cobj_get(a->rt, h, &ptr) == HFFI_OK) a->bad++; /* a Go value */
            if (hffi_cobj_destroy(a->rt, ch) != HFFI_OK) a->bad++;
            rc = hffi_cobj_destroy(a->rt, ch);
            if (rc != HFFI_EDELETED && rc != HFFI_ESTALE) a->bad++;
        }
        }
    }
    while (nheld > 0)
        if (hffi_handle_release(a->rt, held[--nheld]) != HFFI_OK) a->bad++;
    return NULL;
}

int32_t drv_hammer_start(const hffi_rt *rt, uint32_t table, uint64_t *shared, uint64_t n,
                         uint32_t nthr, uint64_t iters) {
    if (nthr > MAX_THREADS || n == 0) return HFFI_EINVAL;
    nthreads = 0;
    for (uint32_t i = 0; i < nthr; i++) {
        hammer_arg *a = &args[i];
        a->rt = rt;
        a->table = table;
        a->shared = shared;
        a->n = n;
        a->iters = iters;
        a->seed = UINT64_C(0x9e3779b97f4a7c15) * (i + 1);
        a->bad = a->retained = a->cobjs = 0;
        if (pthread_create(&threads[i], NULL, hammer, a) != 0) return HFFI_ENOMEM;
        nthreads++;
    }
    return HFFI_OK;
}

/* drv_hammer_join waits for the threads and writes bad, retained and
 * cobjs totals to out[0..2]. */
int32_t drv_hammer_join(uint64_t *out) {
    out[0] = out[1] = out[2] = 0;
    for (uint32_t i = 0; i < nthreads; i++) {
        pthread_join(threads[i], NULL);
        out[0] += args[i].bad;
        out[1] += args[i].retained;
        out[2] += args[i].cobjs;
    }
    nthreads = 0;
    return HFFI_OK;
}
