/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storm.c - the C threads of the storm (package internal/storm). They run
 * in the Go process, linked with the C implementation of hffi, and work
 * on integers that goroutines publish in an off-heap control block while
 * those goroutines create, delete, reset and free what the integers name:
 *
 *   - r[]: handles of table R. C retains them, checks them while it holds
 *     a retain (must be live), releases them (must succeed).
 *   - klive[] / kdead[]: handles of table K, which C never retains. A
 *     handle Go deleted (kdead, published after Delete returned) must
 *     never check or retain as live again.
 *   - a[]: references published under a sequence lock with the address
 *     Go got for them. A successful hffi_ref_resolve must give exactly
 *     that address, whatever Go frees and creates meanwhile; adead[] are
 *     references into arenas Go has freed: never live again.
 *
 * Every thread counts its operations (progress[], which the Go watchdog
 * reads) and records the first failures in fail[]. It never calls Go and
 * never dereferences a resolved address (Go may unmap it at any time).
 */
#include "hffi.h"

#include <pthread.h>

#define ST_MAX_THREADS 16
#define ST_MAX_FAILS 32
#define ST_NR 1024
#define ST_NK 32
#define ST_NA 8
#define ST_ND 4  /* goroutines that Delete handles C must release */
#define ST_NREL 32 /* ... in buffers of this many handles */
#define ST_NBUF 4
#define ST_HELD 4

/* Kinds of failure; the Go side has the same numbers and names. */
enum {
    ST_F_HELD_NOT_LIVE = 1, /* check of a handle C holds a retain on */
    ST_F_RELEASE,           /* release of a handle C retained */
    ST_F_DEAD_CHECK,        /* a deleted, never retained handle checks live */
    ST_F_DEAD_RETAIN,       /* ... or can be retained */
    ST_F_OTHER_ARENA,       /* resolve succeeds at another address */
    ST_F_DEAD_REF,          /* a reference into a freed arena resolves */
    ST_F_CODE               /* a code that cannot happen here */
};

typedef struct st_fail {
    uint64_t kind, value, want, got, code;
} st_fail;

typedef struct st_aent {
    uint64_t seq; /* odd while Go rewrites ref and addr */
    uint64_t ref;
    uint64_t addr;
    uint64_t pad;
} st_aent;

/* The control block: all words, so Go mirrors it field for field. */
#define ST_HANDLES 1u /* st_ctl.parts: goroutines publish handles */
#define ST_ARENAS 2u  /* ... and references */

typedef struct st_ctl {
    uint64_t stop;
    uint64_t nthreads;
    uint64_t seed;
    uint64_t parts;
    uint64_t nfails;
    uint64_t progress[ST_MAX_THREADS];
    uint64_t retained[ST_MAX_THREADS];  /* successful retains */
    uint64_t resolved[ST_MAX_THREADS];  /* successful resolves of a[] */
    uint64_t deadseen[ST_MAX_THREADS];  /* checks of dead handles and refs */
    st_fail fail[ST_MAX_FAILS];
    uint64_t r[ST_NR];
    uint64_t klive[ST_NK];
    uint64_t kdead[ST_NK];
    st_aent a[ST_NA];
    uint64_t adead[ST_NA];
    uint64_t relphase[ST_ND][ST_NBUF];     /* nonzero: goroutine d deletes rel[d][b] */
    uint64_t rel[ST_ND][ST_NBUF][ST_NREL]; /* handles Go retained for C, and deletes */
} st_ctl;

uint64_t st_ctl_size(void) { return sizeof(st_ctl); }

typedef struct st_thread {
    const hffi_rt *rt;
    st_ctl *ctl;
    int id;
    pthread_t th;
} st_thread;

static st_thread st_threads[ST_MAX_THREADS];
static int st_nthreads;

static void st_failed(st_ctl *c, uint64_t kind, uint64_t value, uint64_t want, uint64_t got,
                      int32_t code) {
    uint64_t i = __atomic_fetch_add(&c->nfails, 1, __ATOMIC_ACQ_REL);
    if (i < ST_MAX_FAILS) {
        st_fail *f = &c->fail[i];
        __atomic_store_n(&f->value, value, __ATOMIC_RELAXED);
        __atomic_store_n(&f->want, want, __ATOMIC_RELAXED);
        __atomic_store_n(&f->got, got, __ATOMIC_RELAXED);
        __atomic_store_n(&f->code, (uint64_t)(int64_t)code, __ATOMIC_RELAXED);
        __atomic_store_n(&f->kind, kind, __ATOMIC_RELEASE); /* last: the record is complete */
    }
}

static uint64_t st_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void st_add(uint64_t *p) { __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED); }

/* st_drop checks and releases a handle this thread retained. */
static void st_drop(const hffi_rt *rt, st_ctl *c, uint64_t h) {
    int32_t rc = hffi_handle_check(rt, h);
    if (rc != HFFI_OK) st_failed(c, ST_F_HELD_NOT_LIVE, h, 0, 0, rc);
    rc = hffi_handle_release(rt, h);
    if (rc != HFFI_OK) st_failed(c, ST_F_RELEASE, h, 0, 0, rc);
}

static void st_op_retain(const hffi_rt *rt, st_ctl *c, int id, uint64_t r, uint64_t *held,
                         int *nheld) {
    uint64_t h = __atomic_load_n(&c->r[r % ST_NR], __ATOMIC_ACQUIRE);
    int32_t rc;
    if (h == 0) return;
    rc = hffi_handle_retain(rt, h);
    if (rc == HFFI_OK) {
        st_add(&c->retained[id]);
        rc = hffi_handle_check(rt, h);
        if (rc != HFFI_OK) st_failed(c, ST_F_HELD_NOT_LIVE, h, 0, 0, rc);
        if (*nheld == ST_HELD) {
            st_drop(rt, c, held[0]);
            for (int k = 1; k < ST_HELD; k++) held[k - 1] = held[k];
            (*nheld)--;
        }
        held[(*nheld)++] = h;
    } else if (rc != HFFI_EDELETED && rc != HFFI_ESTALE) {
        st_failed(c, ST_F_CODE, h, 0, 0, rc);
    }
    if ((r >> 20) % 3 == 0 && *nheld > 0) st_drop(rt, c, held[--(*nheld)]);
}

static void st_op_kdead(const hffi_rt *rt, st_ctl *c, int id, uint64_t r) {
    uint64_t h = __atomic_load_n(&c->kdead[r % ST_NK], __ATOMIC_ACQUIRE);
    int32_t rc;
    if (h == 0) return;
    st_add(&c->deadseen[id]);
    rc = hffi_handle_check(rt, h);
    if (rc == HFFI_OK) st_failed(c, ST_F_DEAD_CHECK, h, 0, 0, rc);
    else if (rc != HFFI_EDELETED && rc != HFFI_ESTALE) st_failed(c, ST_F_CODE, h, 0, 0, rc);
    rc = hffi_handle_retain(rt, h);
    if (rc == HFFI_OK) {
        st_failed(c, ST_F_DEAD_RETAIN, h, 0, 0, rc);
        (void)hffi_handle_release(rt, h);
    }
}

static void st_op_klive(const hffi_rt *rt, st_ctl *c, uint64_t r) {
    uint64_t h = __atomic_load_n(&c->klive[r % ST_NK], __ATOMIC_ACQUIRE);
    int32_t rc;
    if (h == 0) return;
    rc = hffi_handle_check(rt, h);
    if (rc != HFFI_OK && rc != HFFI_EDELETED && rc != HFFI_ESTALE) st_failed(c, ST_F_CODE, h, 0, 0, rc);
}

/* st_op_release releases a handle that Go retained on C's behalf and is
 * deleting right now: Delete finds the retain and leaves the slot to C's
 * last release, which hands it to Go's reaper while Delete may still be
 * finishing. */
static void st_op_release(const hffi_rt *rt, st_ctl *c, uint64_t r) {
    unsigned d = (unsigned)(r % ST_ND), half = (unsigned)((r >> 4) % ST_NBUF), k = (unsigned)((r >> 8) % ST_NREL);
    uint64_t h;
    int32_t rc;
    if (!__atomic_load_n(&c->relphase[d][half], __ATOMIC_ACQUIRE)) return;
    for (unsigned i = 0; i < ST_NREL; i++) {
        h = __atomic_exchange_n(&c->rel[d][half][(k + i) % ST_NREL], 0, __ATOMIC_ACQ_REL);
        if (h == 0) continue;
        rc = hffi_handle_release(rt, h);
        if (rc != HFFI_OK) st_failed(c, ST_F_RELEASE, h, 0, 0, rc);
        return;
    }
}

static int st_ref_code_ok(int32_t rc) {
    return rc == HFFI_OK || rc == HFFI_ESTALE || rc == HFFI_ECLOSED || rc == HFFI_EBOUNDS ||
           rc == HFFI_ERETIRED;
}

static void st_op_resolve(const hffi_rt *rt, st_ctl *c, int id, uint64_t r) {
    st_aent *e = &c->a[r % ST_NA];
    uint64_t s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE), s2, ref, want;
    void *p = NULL;
    int32_t rc;
    if (s1 & 1) return;
    ref = __atomic_load_n(&e->ref, __ATOMIC_ACQUIRE);
    want = __atomic_load_n(&e->addr, __ATOMIC_ACQUIRE);
    s2 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
    if (s1 != s2 || ref == 0) return;
    rc = hffi_ref_resolve(rt, ref, (r >> 32) % 2 ? 16 : 0, &p);
    if (rc == HFFI_OK) {
        st_add(&c->resolved[id]);
        if ((uint64_t)(uintptr_t)p != want) st_failed(c, ST_F_OTHER_ARENA, ref, want, (uint64_t)(uintptr_t)p, rc);
    } else if (!st_ref_code_ok(rc)) {
        st_failed(c, ST_F_CODE, ref, 0, 0, rc);
    }
    rc = hffi_arena_check(rt, ref);
    if (!st_ref_code_ok(rc) || rc == HFFI_EBOUNDS) st_failed(c, ST_F_CODE, ref, 0, 0, rc);
}

static void st_op_adead(const hffi_rt *rt, st_ctl *c, int id, uint64_t r) {
    uint64_t ref = __atomic_load_n(&c->adead[r % ST_NA], __ATOMIC_ACQUIRE);
    void *p = NULL;
    int32_t rc;
    if (ref == 0) return;
    st_add(&c->deadseen[id]);
    rc = hffi_ref_resolve(rt, ref, 0, &p);
    if (rc == HFFI_OK) st_failed(c, ST_F_DEAD_REF, ref, 0, (uint64_t)(uintptr_t)p, rc);
    else if (!st_ref_code_ok(rc)) st_failed(c, ST_F_CODE, ref, 0, 0, rc);
}

static void *st_worker(void *arg) {
    st_thread *t = (st_thread *)arg;
    const hffi_rt *rt = t->rt;
    st_ctl *c = t->ctl;
    uint64_t seed = (c->seed + (uint64_t)t->id * UINT64_C(0x9e3779b97f4a7c15)) | 1;
    uint64_t held[ST_HELD];
    int nheld = 0;
    /* Even threads mostly retain and release, odd ones mostly resolve: a
     * race is won by a thread that the kernel preempts inside a call, so
     * each kind of call gets threads that spend most of their time in
     * it. With one half of the storm only, all threads do that half. */
    int handles = t->id % 2 == 0;
    if (c->parts == ST_HANDLES) handles = 1;
    if (c->parts == ST_ARENAS) handles = 0;
    while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
        uint64_t r = st_rand(&seed);
        unsigned op = (unsigned)(r % 16);
        if (op < 10) op = handles ? (op < 5 ? 0 : 1) : 5;
        switch (op) {
        case 0:
        case 10:
            st_op_retain(rt, c, t->id, r >> 4, held, &nheld);
            break;
        case 1:
            st_op_release(rt, c, r >> 4);
            break;
        case 11:
        case 12:
            st_op_kdead(rt, c, t->id, r >> 4);
            break;
        case 13:
            st_op_klive(rt, c, r >> 4);
            break;
        case 5:
        case 14:
            st_op_resolve(rt, c, t->id, r >> 4);
            break;
        default:
            st_op_adead(rt, c, t->id, r >> 4);
        }
        __atomic_add_fetch(&c->progress[t->id], 1, __ATOMIC_RELEASE);
    }
    while (nheld > 0) st_drop(rt, c, held[--nheld]);
    return NULL;
}

/* st_start starts ctl->nthreads threads; st_join waits for them after Go
 * set ctl->stop. One storm at a time. */
int32_t st_start(const hffi_rt *rt, st_ctl *c) {
    int n = (int)c->nthreads;
    if (n < 1 || n > ST_MAX_THREADS || st_nthreads != 0) return HFFI_EINVAL;
    for (int i = 0; i < n; i++) {
        st_threads[i].rt = rt;
        st_threads[i].ctl = c;
        st_threads[i].id = i;
        if (pthread_create(&st_threads[i].th, NULL, st_worker, &st_threads[i]) != 0) {
            __atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
            for (int k = 0; k < i; k++) pthread_join(st_threads[k].th, NULL);
            return HFFI_ENOMEM;
        }
    }
    st_nthreads = n;
    return HFFI_OK;
}

int32_t st_join(void) {
    for (int i = 0; i < st_nthreads; i++) pthread_join(st_threads[i].th, NULL);
    st_nthreads = 0;
    return HFFI_OK;
}
