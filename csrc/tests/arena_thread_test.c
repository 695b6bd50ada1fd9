/* SPDX-License-Identifier: Apache-2.0 */
/* arena_thread_test.c - several threads allocate from one arena at once,
 * with a one-page grow so that commits race too; every allocation must be
 * disjoint from every other, zeroed when handed out, and intact at the end.
 * Built under ASan+UBSan and under TSan. */
#include "testutil.h"

#include <pthread.h>

#define NTHREADS 4
#define NALLOCS 4000

typedef struct {
    unsigned char *p;
    uint64_t size;
    hffi_ref ref;
    int32_t rc;
} alloc_rec;

static hffi_rt *rt;
static hffi_arena arena;
static alloc_rec recs[NTHREADS][NALLOCS];
static int zero_failures[NTHREADS];

static uint64_t next_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static unsigned char tag(int t, int i) { return (unsigned char)(t * 61 + i * 7 + 1); }

static void *worker(void *arg) {
    int t = (int)(intptr_t)arg;
    uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)(t + 1);
    for (int i = 0; i < NALLOCS; i++) {
        alloc_rec *r = &recs[t][i];
        uint64_t x = next_rand(&seed);
        uint64_t size = x % 300;
        uint64_t align = UINT64_C(8) << (x >> 20) % 4;
        void *p = NULL;
        switch ((x >> 8) % 3) {
        case 0:
            r->rc = hffi_arena_alloc(rt, arena, size, align, &p, &r->ref);
            break;
        case 1:
            r->rc = hffi_arena_alloc(rt, arena, size, 1, &p, NULL);
            break;
        default: {
            unsigned char buf[300];
            memset(buf, 0, sizeof buf);
            r->rc = hffi_arena_memdup(rt, arena, buf, size, &p, &r->ref);
        }
        }
        if (r->rc != HFFI_OK) continue;
        r->p = (unsigned char *)p;
        r->size = size;
        for (uint64_t k = 0; k < size; k++)
            if (r->p[k] != 0) {
                zero_failures[t]++;
                break;
            }
        memset(r->p, tag(t, i), size);
    }
    return NULL;
}

static int cmp_rec(const void *a, const void *b) {
    const alloc_rec *x = *(const alloc_rec *const *)a, *y = *(const alloc_rec *const *)b;
    if (x->p != y->p) return x->p < y->p ? -1 : 1;
    return x->size < y->size ? -1 : x->size > y->size;
}

int main(void) {
    static alloc_rec *sorted[NTHREADS * NALLOCS];
    pthread_t th[NTHREADS];
    hffi_arena_hdr *h;
    size_t n = 0;
    int ok_all = 1, intact = 1, disjoint = 1, refs_ok = 1;

    rt = tu_root_new();
    arena = tu_arena_open(rt, 1, 64 << 20, rt->page_size);
    h = tu_arena_hdr(rt, 1);
    for (int t = 0; t < NTHREADS; t++)
        if (pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t) != 0) tu_die("pthread_create");
    for (int t = 0; t < NTHREADS; t++) pthread_join(th[t], NULL);

    for (int t = 0; t < NTHREADS; t++) {
        TU_EQ(zero_failures[t], 0);
        for (int i = 0; i < NALLOCS; i++) {
            alloc_rec *r = &recs[t][i];
            if (r->rc != HFFI_OK) {
                ok_all = 0;
                continue;
            }
            sorted[n++] = r;
            for (uint64_t k = 0; k < r->size; k++)
                if (r->p[k] != tag(t, i)) {
                    intact = 0;
                    break;
                }
            if (r->ref != 0) {
                void *q = NULL;
                if (hffi_ref_resolve(rt, r->ref, r->size, &q) != HFFI_OK || q != r->p) refs_ok = 0;
            }
        }
    }
    TU_CHECK(ok_all);
    TU_CHECK(intact);
    TU_CHECK(refs_ok);

    qsort(sorted, n, sizeof sorted[0], cmp_rec);
    for (size_t i = 1; i < n; i++)
        if (sorted[i]->size > 0 && sorted[i - 1]->p + sorted[i - 1]->size > sorted[i]->p)
            disjoint = 0;
    TU_CHECK(disjoint);
    TU_CHECK(h->used <= h->committed);
    TU_CHECK(h->committed <= h->limit);
    TU_EQ(h->committed % rt->page_size, 0);
    TU_CHECK((uintptr_t)sorted[n - 1]->p + sorted[n - 1]->size <= h->base + h->used);
    TU_CHECK((uintptr_t)sorted[0]->p >= h->base + HFFI_ARENA_PREFIX);

    tu_arena_free(rt, arena);
    tu_root_free(rt);
    return TU_DONE("arena_thread");
}
