/* SPDX-License-Identifier: Apache-2.0 */
/* handles_thread_test.c - C threads on one handle table at once, the C
 * twin of Go's TestHammer: workers register, resolve and destroy C objects
 * (racing on the free list and on growth, with a small first page so that
 * growth happens under contention) and retain and release Go values
 * while the main thread, playing Go, deletes those values. Every C object
 * must be destroyed exactly once, every retained value must stay valid
 * until released, and every slot must come back. Built under ASan+UBSan
 * and under TSan. */
#include "handles_util.h"

#include <pthread.h>

#define NTHREADS 4
#define ITERS 3000
#define NGO 256
#define TABLE 2

static hffi_rt *rt;
static hffi_handle go_handles[NGO]; /* atomic: 0 once Go deleted it */
static uint64_t destroyed, bad;

static void dtor(void *p) {
    uint64_t *tag = (uint64_t *)p;
    if (*tag == 0) __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
    *tag = 0;
    __atomic_add_fetch(&destroyed, 1, __ATOMIC_RELAXED);
}

static uint64_t next_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void *worker(void *arg) {
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)((intptr_t)arg + 1);
    uint64_t tags[16];
    hffi_handle held[8];
    unsigned nheld = 0;
    long fails = 0;
    for (int i = 0; i < ITERS; i++) {
        uint64_t r = next_rand(&seed);
        if (r % 2) {
            /* C objects: up to 16 alive per thread at once. */
            hffi_handle hs[16];
            unsigned n = 1 + (unsigned)(r >> 8) % 16;
            for (unsigned k = 0; k < n; k++) {
                tags[k] = r + k + 1;
                if (hffi_cobj_register(rt, TABLE, &tags[k], dtor, &hs[k]) != HFFI_OK) fails++;
            }
            for (unsigned k = 0; k < n; k++) {
                void *p = NULL;
                if (hffi_cobj_get(rt, hs[k], &p) != HFFI_OK || p != (void *)&tags[k]) fails++;
                if (hffi_cobj_destroy(rt, hs[k]) != HFFI_OK) fails++;
                if (hffi_cobj_destroy(rt, hs[k]) == HFFI_OK) fails++;
            }
        } else {
            hffi_handle h = __atomic_load_n(&go_handles[(r >> 8) % NGO], __ATOMIC_ACQUIRE);
            int32_t rc;
            if (h == 0) continue;
            rc = hffi_handle_retain(rt, h);
            if (rc == HFFI_OK) {
                if (hffi_handle_check(rt, h) != HFFI_OK) fails++;
                if (nheld == 8) {
                    if (hffi_handle_release(rt, held[--nheld]) != HFFI_OK) fails++;
                }
                held[nheld++] = h;
            } else if (rc != HFFI_EDELETED && rc != HFFI_ESTALE) {
                fails++;
            }
            if ((r >> 20) % 3 == 0 && nheld > 0) {
                h = held[--nheld];
                if (hffi_handle_check(rt, h) != HFFI_OK) fails++;
                if (hffi_handle_release(rt, h) != HFFI_OK) fails++;
            }
        }
    }
    while (nheld > 0)
        if (hffi_handle_release(rt, held[--nheld]) != HFFI_OK) fails++;
    __atomic_add_fetch(&bad, (uint64_t)fails, __ATOMIC_RELAXED);
    return NULL;
}

int main(void) {
    pthread_t th[NTHREADS];
    hffi_table *t;
    int freed = 0, released = 0, reaped = 0;
    rt = tu_root_new();
    t = tu_table_open(rt, TABLE, 4096, 0);
    for (int i = 0; i < NGO; i++) {
        go_handles[i] = hu_go_new(rt, TABLE);
        TU_CHECK(go_handles[i] != 0);
    }
    for (intptr_t i = 0; i < NTHREADS; i++)
        if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) tu_die("pthread_create");
    /* Go deletes its values while C threads retain and release them. */
    for (int i = 0; i < NGO; i++) {
        hffi_handle h = __atomic_exchange_n(&go_handles[i], 0, __ATOMIC_ACQ_REL);
        int rc = hu_go_delete(rt, h);
        TU_CHECK(rc >= 0);
        if (rc == 0) freed++;
        if (rc == 1) released++;
        if (i % 16 == 0) reaped += hu_go_reap(t);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    reaped += hu_go_reap(t);
    TU_EQ(freed + released, NGO);
    TU_EQ(reaped, released); /* every released value came back through C's last release */
    TU_EQ(__atomic_load_n(&bad, __ATOMIC_RELAXED), 0);
    TU_EQ(hu_count(t, HFFI_SLOT_LIVE) + hu_count(t, HFFI_SLOT_RELEASED), 0);
    TU_CHECK(__atomic_load_n(&destroyed, __ATOMIC_RELAXED) > 0);
    printf("handles_thread: %d freed by Go, %d released by C's last release, %llu C objects\n",
           freed, released, (unsigned long long)__atomic_load_n(&destroyed, __ATOMIC_RELAXED));
    tu_table_close(t);
    tu_root_free(rt);
    return TU_DONE("handles_thread");
}
