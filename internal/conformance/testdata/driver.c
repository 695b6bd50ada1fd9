/* SPDX-License-Identifier: Apache-2.0 */
/*
 * driver.c - the C half of the conformance suite. It is linked with
 * csrc/hffi.c into a shared library that the Go tests load with purego, so
 * C and Go operate on the same arenas in the same process. Every function
 * takes integers and pointers only; outputs go through pointers into
 * off-heap memory the test owns.
 */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1
#endif

#include "hffi.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

/* pattern is the byte both sides write at index k of an allocation tagged
 * seed; the Go test has the same function. */
static uint8_t pattern(uint64_t seed, uint64_t k) {
    return (uint8_t)(seed * 131 + k * 31 + (k >> 8));
}

/* The inline part of the header, exported for Go. */
int32_t drv_resolve(const hffi_rt *rt, hffi_ref r, uint64_t size, void **ptr_out) {
    return hffi_ref_resolve(rt, r, size, ptr_out);
}

int32_t drv_check(const hffi_rt *rt, hffi_arena a) { return hffi_arena_check(rt, a); }

/* drv_verify resolves r for n bytes and checks that they hold the pattern
 * tagged seed: HFFI_ECORRUPT if one does not. */
int32_t drv_verify(const hffi_rt *rt, hffi_ref r, uint64_t n, uint64_t seed) {
    uint8_t *p = NULL;
    int32_t rc = hffi_ref_resolve(rt, r, n, (void **)&p);
    if (rc < 0) return rc;
    for (uint64_t k = 0; k < n; k++)
        if (p[k] != pattern(seed, k)) return HFFI_ECORRUPT;
    return HFFI_OK;
}

/* drv_alloc_fill allocates n bytes aligned to align from arena a, checks
 * they are zeroed, writes the pattern tagged seed into them and returns
 * their reference (align >= 8) and address. */
int32_t drv_alloc_fill(const hffi_rt *rt, hffi_arena a, uint64_t n, uint64_t align, uint64_t seed,
                       hffi_ref *ref_out, void **ptr_out) {
    uint8_t *p = NULL;
    int32_t rc = hffi_arena_alloc(rt, a, n, align, (void **)&p, ref_out);
    if (rc < 0) return rc;
    for (uint64_t k = 0; k < n; k++)
        if (p[k] != 0) return HFFI_ECORRUPT;
    for (uint64_t k = 0; k < n; k++) p[k] = pattern(seed, k);
    if (ptr_out != NULL) *ptr_out = p;
    return HFFI_OK;
}

/* drv_strdup_num copies the string "c-string-<n>" into arena a. */
int32_t drv_strdup_num(const hffi_rt *rt, hffi_arena a, uint64_t n, hffi_ref *ref_out) {
    char buf[64];
    snprintf(buf, sizeof buf, "c-string-%llu", (unsigned long long)n);
    return hffi_arena_strdup(rt, a, buf, NULL, ref_out);
}

/* drv_strcmp resolves r and compares the C string there with
 * "go-string-<n>", which the Go side copied in: 0 if equal, 1 if not. */
int32_t drv_strcmp(const hffi_rt *rt, hffi_ref r, uint64_t n) {
    char want[64];
    const char *s = NULL;
    int32_t rc;
    int len = snprintf(want, sizeof want, "go-string-%llu", (unsigned long long)n);
    rc = hffi_ref_resolve(rt, r, (uint64_t)len + 1, (void **)&s);
    if (rc < 0) return rc;
    return strcmp(s, want) == 0 ? 0 : 1;
}

/* ---------------------------------------------------------------------
 * The hammer: threads that allocate from one arena while Go does too.
 * Each record is four words: address, size, reference, return code.
 * ------------------------------------------------------------------- */
#define DRV_MAX_THREADS 16

typedef struct {
    const hffi_rt *rt;
    hffi_arena a;
    uint64_t *recs;  /* n records of 4 words */
    uint64_t n;
    uint64_t seed;   /* first seed; record i is tagged seed + i */
    uint64_t *start; /* spin until nonzero, so C and Go start together */
} drv_job;

static pthread_t drv_threads[DRV_MAX_THREADS];
static drv_job drv_jobs[DRV_MAX_THREADS];
static int drv_nthreads;

static void *drv_worker(void *arg) {
    drv_job *j = (drv_job *)arg;
    uint64_t x = j->seed | 1;
    while (__atomic_load_n(j->start, __ATOMIC_ACQUIRE) == 0) sched_yield();
    for (uint64_t i = 0; i < j->n; i++) {
        uint64_t *rec = j->recs + 4 * i;
        uint64_t size, align;
        void *p = NULL;
        hffi_ref ref = 0;
        int32_t rc;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size = x % 200;
        align = UINT64_C(8) << (x >> 32) % 4;
        if ((x >> 40) % 4 == 0) size += 5000; /* now and then, past a grow step */
        rc = drv_alloc_fill(j->rt, j->a, size, align, j->seed + i, &ref, &p);
        rec[0] = (uint64_t)(uintptr_t)p;
        rec[1] = size;
        rec[2] = ref;
        rec[3] = (uint64_t)(int64_t)rc;
    }
    return NULL;
}

/* drv_hammer_start starts nthreads threads; thread t fills records
 * recs[t*n .. t*n+n) with allocations tagged seed + t*n + i. They wait for
 * *start to become nonzero. drv_hammer_join waits for them. One hammer at a
 * time. */
int32_t drv_hammer_start(const hffi_rt *rt, hffi_arena a, int32_t nthreads, uint64_t n,
                         uint64_t seed, uint64_t *recs, uint64_t *start) {
    if (nthreads < 1 || nthreads > DRV_MAX_THREADS || drv_nthreads != 0) return HFFI_EINVAL;
    for (int t = 0; t < nthreads; t++) {
        drv_job *j = &drv_jobs[t];
        j->rt = rt;
        j->a = a;
        j->recs = recs + 4 * n * (uint64_t)t;
        j->n = n;
        j->seed = seed + n * (uint64_t)t;
        j->start = start;
        if (pthread_create(&drv_threads[t], NULL, drv_worker, j) != 0) {
            __atomic_store_n(start, 1, __ATOMIC_RELEASE);
            drv_nthreads = t;
            return HFFI_ENOMEM;
        }
    }
    drv_nthreads = nthreads;
    return HFFI_OK;
}

int32_t drv_hammer_join(void) {
    for (int t = 0; t < drv_nthreads; t++) pthread_join(drv_threads[t], NULL);
    drv_nthreads = 0;
    return HFFI_OK;
}

/* ---------------------------------------------------------------------
 * The storm: threads that resolve the reference Go last published, while
 * Go resets, frees and re-creates arenas in the same registry slot. Each
 * answer must be the address as of before (the arena's own memory) or an
 * error as of after (ESTALE, ECLOSED, ERETIRED), never an address in
 * another arena and never EBOUNDS (the reference was in bounds in its own
 * generation).
 *
 * The shared block (words, all accessed atomically):
 *   [0] seq: (n << 2) | state, state 0 = current, 1 = being written,
 *       2 = retired (Go's Reset or Free of its arena has returned)
 *   [1] reference  [2] its address  [3] size  [4] mode: bit 0 also reads
 *       the node there with hffi_val_kind (Go keeps the memory mapped)
 *   [5] stop
 * Counters per thread (DRV_STORM_COUNTERS words each, see drv_storm_*).
 * ------------------------------------------------------------------- */
enum {
    DRV_STORM_RESOLVES,  /* resolves done */
    DRV_STORM_OK,        /* resolved to the right address */
    DRV_STORM_STALE,     /* ESTALE, ECLOSED or ERETIRED */
    DRV_STORM_WRONG,     /* OK, but an address outside the reference's arena */
    DRV_STORM_RETIRED,   /* OK for a reference retired before the resolve began */
    DRV_STORM_BOUNDS,    /* EBOUNDS for an in-bounds reference */
    DRV_STORM_OTHER,     /* any other code */
    DRV_STORM_VAL_BAD,   /* hffi_val_kind: EBOUNDS, ECORRUPT or another code */
    DRV_STORM_VAL_OK,    /* hffi_val_kind: OK */
    DRV_STORM_COUNTERS
};

typedef struct {
    const hffi_rt *rt;
    uint64_t *blk;
    uint64_t *counts;
} drv_storm_job;

static pthread_t drv_storm_threads[DRV_MAX_THREADS];
static drv_storm_job drv_storm_jobs[DRV_MAX_THREADS];
static int drv_storm_n;

static bool drv_storm_fine(int32_t rc) {
    return rc == HFFI_ESTALE || rc == HFFI_ECLOSED || rc == HFFI_ERETIRED;
}

static void *drv_storm_worker(void *arg) {
    drv_storm_job *j = (drv_storm_job *)arg;
    uint64_t *blk = j->blk, *c = j->counts;
    while (__atomic_load_n(&blk[5], __ATOMIC_ACQUIRE) == 0) {
        uint64_t s1 = __atomic_load_n(&blk[0], __ATOMIC_ACQUIRE), s2;
        hffi_ref r = __atomic_load_n(&blk[1], __ATOMIC_ACQUIRE);
        uint64_t addr = __atomic_load_n(&blk[2], __ATOMIC_ACQUIRE);
        uint64_t size = __atomic_load_n(&blk[3], __ATOMIC_ACQUIRE);
        uint64_t mode = __atomic_load_n(&blk[4], __ATOMIC_ACQUIRE);
        void *p = NULL;
        uint32_t kind = 0;
        int32_t rc;
        s2 = __atomic_load_n(&blk[0], __ATOMIC_ACQUIRE);
        if ((s1 & 3) == 1 || s1 >> 2 != s2 >> 2 || r == 0) continue;
        c[DRV_STORM_RESOLVES]++;
        rc = hffi_ref_resolve(j->rt, r, size, &p);
        if (rc == HFFI_OK) {
            if ((uint64_t)(uintptr_t)p != addr)
                c[DRV_STORM_WRONG]++;
            else if ((s1 & 3) == 2)
                c[DRV_STORM_RETIRED]++;
            else
                c[DRV_STORM_OK]++;
        } else if (drv_storm_fine(rc)) {
            c[DRV_STORM_STALE]++;
        } else if (rc == HFFI_EBOUNDS) {
            c[DRV_STORM_BOUNDS]++;
        } else {
            c[DRV_STORM_OTHER]++;
        }
        if (mode & 1) {
            rc = hffi_val_kind(j->rt, r, &kind);
            if (rc == HFFI_OK)
                c[(s1 & 3) == 2 ? DRV_STORM_RETIRED : DRV_STORM_VAL_OK]++;
            else if (!drv_storm_fine(rc))
                c[DRV_STORM_VAL_BAD]++;
        }
    }
    return NULL;
}

/* drv_storm_start starts nthreads resolvers on the shared block blk;
 * thread t counts into counts[t*DRV_STORM_COUNTERS ...]. They run until
 * blk[5] becomes nonzero; drv_storm_join waits for them. */
int32_t drv_storm_start(const hffi_rt *rt, int32_t nthreads, uint64_t *blk, uint64_t *counts) {
    if (nthreads < 1 || nthreads > DRV_MAX_THREADS || drv_storm_n != 0) return HFFI_EINVAL;
    for (int t = 0; t < nthreads; t++) {
        drv_storm_job *j = &drv_storm_jobs[t];
        j->rt = rt;
        j->blk = blk;
        j->counts = counts + (uint64_t)t * DRV_STORM_COUNTERS;
        if (pthread_create(&drv_storm_threads[t], NULL, drv_storm_worker, j) != 0) {
            __atomic_store_n(&blk[5], 1, __ATOMIC_RELEASE);
            drv_storm_n = t;
            return HFFI_ENOMEM;
        }
    }
    drv_storm_n = nthreads;
    return HFFI_OK;
}

int32_t drv_storm_join(void) {
    for (int t = 0; t < drv_storm_n; t++) pthread_join(drv_storm_threads[t], NULL);
    drv_storm_n = 0;
    return HFFI_OK;
}
