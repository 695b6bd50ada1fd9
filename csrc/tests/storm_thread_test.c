/* SPDX-License-Identifier: Apache-2.0 */
/* storm_thread_test.c - the C-only twin of Go's storm (internal/storm),
 * for the sanitizers Go cannot host: built under ASan+UBSan and under
 * TSan. Two threads play Go on the protocol of hffi.h: one creates,
 * deletes and reaps handles, one creates arenas of random sizes, mints a
 * reference in each, publishes it with its address, then frees the arena
 * and creates the next one in the same registry slot. C threads meanwhile
 * retain, check and release the handles and resolve the references:
 *
 *   - a handle a C thread holds a retain on checks live, and its release
 *     succeeds;
 *   - a handle Go deleted, which no C thread ever retained, never checks
 *     live nor can be retained again;
 *   - a reference resolves only to the address Go published with it, and
 *     one into a freed arena never resolves.
 *
 * Go's side writes base and limit with relaxed atomic stores (the Go
 * twin's plain stores are atomic for the Go memory model), so TSan
 * reports C reading them while Go rewrites them for a newer arena, as
 * hffi_ref_resolve does when it reads the header after validating the
 * generation without checking it again. Runs for a fixed time. */
#include "handles_util.h"

#include <pthread.h>
#include <time.h>

#define NTHREADS 4
#define TABLE 2
#define NR 32      /* handles C retains */
#define NK 32      /* handles C only checks */
#define NA 4       /* published references, one arena slot each */
#define RUN_NS (UINT64_C(1500) * 1000 * 1000)

static hffi_rt *rt;
static uint64_t stop;
static uint64_t r_live[NR], k_live[NK], k_dead[NK];
static struct {
    uint64_t seq, ref, addr;
} a_ent[NA];
static uint64_t a_dead[NA];
static uint64_t fails, c_ops, c_resolved;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t next_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void fail(const char *what, uint64_t v, int32_t rc) {
    if (__atomic_add_fetch(&fails, 1, __ATOMIC_RELAXED) <= 10)
        fprintf(stderr, "storm_thread: %s: %#llx (%s)\n", what, (unsigned long long)v, hffi_err_name(rc));
}

/* ---- Go's side: arenas. Slot s+1 holds entry s's arena. ---- */
static void *go_mem[NA];
static uint64_t go_len[NA];

static void go_arena_open(int e, uint64_t *seed) {
    uint32_t slot = (uint32_t)e + 1;
    hffi_arena_hdr *h = tu_arena_hdr(rt, slot);
    uint64_t len = tu_page() * (1 + next_rand(seed) % 16);
    uint32_t gen = (uint32_t)(_hffi_load(&h->word) & HFFI_ARENA_GEN_MASK);
    void *p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    if (p == MAP_FAILED) tu_die("mmap");
    if (gen == 0)
        gen = 1;
    else if (_hffi_load(&h->minted))
        gen++;
    __atomic_store_n(&h->base, (uint64_t)(uintptr_t)p, __ATOMIC_RELAXED);
    __atomic_store_n(&h->limit, len, __ATOMIC_RELAXED);
    __atomic_store_n(&h->grow, len, __ATOMIC_RELAXED);
    _hffi_store(&h->used, (uint64_t)HFFI_ARENA_PREFIX + 16);
    _hffi_store(&h->committed, len);
    _hffi_store(&h->minted, UINT64_C(1)); /* the reference below */
    _hffi_store(&h->word, (uint64_t)gen | ((uint64_t)HFFI_ARENA_LIVE << HFFI_ARENA_STATE_SHIFT));
    go_mem[e] = p;
    go_len[e] = len;
    /* Publish the reference and its address under the sequence lock. */
    __atomic_add_fetch(&a_ent[e].seq, 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(&a_ent[e].ref, hffi_ref_make(slot, gen, HFFI_ARENA_PREFIX), __ATOMIC_RELEASE);
    __atomic_store_n(&a_ent[e].addr, (uint64_t)(uintptr_t)p + HFFI_ARENA_PREFIX, __ATOMIC_RELEASE);
    __atomic_add_fetch(&a_ent[e].seq, 1, __ATOMIC_ACQ_REL);
}

static void go_arena_free(int e) {
    hffi_arena_hdr *h = tu_arena_hdr(rt, (uint32_t)e + 1);
    uint64_t gen = _hffi_load(&h->word) & HFFI_ARENA_GEN_MASK;
    uint64_t ref = __atomic_load_n(&a_ent[e].ref, __ATOMIC_ACQUIRE);
    __atomic_add_fetch(&a_ent[e].seq, 1, __ATOMIC_ACQ_REL); /* odd: being rewritten */
    _hffi_store(&h->word, gen | ((uint64_t)HFFI_ARENA_FREE << HFFI_ARENA_STATE_SHIFT));
    _hffi_store(&h->used, UINT64_C(0));
    _hffi_store(&h->committed, UINT64_C(0));
    munmap(go_mem[e], (size_t)go_len[e]);
    __atomic_store_n(&a_dead[e], ref, __ATOMIC_RELEASE);
    __atomic_add_fetch(&a_ent[e].seq, 1, __ATOMIC_ACQ_REL);
}

static void *go_arenas(void *arg) {
    uint64_t seed = 0x243f6a8885a308d3u;
    (void)arg;
    for (int e = 0; e < NA; e++) go_arena_open(e, &seed);
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
        for (int e = 0; e < NA; e++) {
            go_arena_free(e);
            go_arena_open(e, &seed);
        }
    for (int e = 0; e < NA; e++) go_arena_free(e);
    return NULL;
}

/* ---- Go's side: handles. ---- */
static void *go_handles(void *arg) {
    hffi_table *t = tu_table_hdr(rt, TABLE);
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        for (int j = 0; j < NR; j++) {
            hffi_handle h = hu_go_new(rt, TABLE);
            hffi_handle old = __atomic_exchange_n(&r_live[j], h, __ATOMIC_ACQ_REL);
            if (h == 0) fail("Go: new handle", 0, 0);
            if (old != 0 && hu_go_delete(rt, old) < 0) fail("Go: delete of a live handle", old, 0);
        }
        for (int j = 0; j < NK; j++) {
            hffi_handle h = hu_go_new(rt, TABLE);
            hffi_handle old = __atomic_exchange_n(&k_live[j], h, __ATOMIC_ACQ_REL);
            if (old != 0) {
                if (hu_go_delete(rt, old) != 0) fail("Go: delete of a never retained handle", old, 0);
                __atomic_store_n(&k_dead[j], old, __ATOMIC_RELEASE);
            }
        }
        hu_go_reap(t);
    }
    for (int j = 0; j < NR; j++) {
        hffi_handle h = __atomic_exchange_n(&r_live[j], 0, __ATOMIC_ACQ_REL);
        if (h != 0) hu_go_delete(rt, h);
    }
    for (int j = 0; j < NK; j++) {
        hffi_handle h = __atomic_exchange_n(&k_live[j], 0, __ATOMIC_ACQ_REL);
        if (h != 0) hu_go_delete(rt, h);
    }
    return NULL;
}

/* ---- C's side. ---- */
static void c_drop(hffi_handle h) {
    int32_t rc = hffi_handle_check(rt, h);
    if (rc != HFFI_OK) fail("C: a handle C holds a retain on does not check live", h, rc);
    rc = hffi_handle_release(rt, h);
    if (rc != HFFI_OK) fail("C: release of a handle C retained", h, rc);
}

static void c_resolve(uint64_t r) {
    int e = (int)(r % NA);
    uint64_t s1 = __atomic_load_n(&a_ent[e].seq, __ATOMIC_ACQUIRE), ref, want, dead;
    void *p = NULL;
    int32_t rc;
    if (!(s1 & 1)) {
        ref = __atomic_load_n(&a_ent[e].ref, __ATOMIC_ACQUIRE);
        want = __atomic_load_n(&a_ent[e].addr, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&a_ent[e].seq, __ATOMIC_ACQUIRE) == s1) {
            rc = hffi_ref_resolve(rt, ref, (r >> 8) % 2 ? 16 : 0, &p);
            if (rc == HFFI_OK) {
                __atomic_add_fetch(&c_resolved, 1, __ATOMIC_RELAXED);
                if ((uint64_t)(uintptr_t)p != want)
                    fail("C: a stale reference resolved into the arena that reuses its slot", ref, rc);
            }
        }
    }
    dead = __atomic_load_n(&a_dead[e], __ATOMIC_ACQUIRE);
    if (dead != 0 && hffi_ref_resolve(rt, dead, 0, &p) == HFFI_OK)
        fail("C: a reference into a freed arena resolves", dead, HFFI_OK);
}

static void *c_worker(void *arg) {
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)((intptr_t)arg + 1);
    hffi_handle held[4];
    int nheld = 0;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        uint64_t r = next_rand(&seed);
        hffi_handle h;
        int32_t rc;
        switch (r % 4) {
        case 0:
            h = __atomic_load_n(&r_live[(r >> 8) % NR], __ATOMIC_ACQUIRE);
            if (h == 0) break;
            rc = hffi_handle_retain(rt, h);
            if (rc == HFFI_OK) {
                if (nheld == 4) c_drop(held[--nheld]);
                held[nheld++] = h;
            } else if (rc != HFFI_EDELETED && rc != HFFI_ESTALE) {
                fail("C: retain", h, rc);
            }
            if ((r >> 20) % 2 && nheld > 0) c_drop(held[--nheld]);
            break;
        case 1:
            h = __atomic_load_n(&k_dead[(r >> 8) % NK], __ATOMIC_ACQUIRE);
            if (h == 0) break;
            if (hffi_handle_check(rt, h) == HFFI_OK) fail("C: a deleted, never retained handle checks live", h, 0);
            if (hffi_handle_retain(rt, h) == HFFI_OK) {
                fail("C: a deleted, never retained handle can be retained", h, 0);
                hffi_handle_release(rt, h);
            }
            break;
        default:
            c_resolve(r >> 2);
        }
        __atomic_add_fetch(&c_ops, 1, __ATOMIC_RELAXED);
    }
    while (nheld > 0) c_drop(held[--nheld]);
    return NULL;
}

int main(void) {
    pthread_t c[NTHREADS], gh, ga;
    hffi_table *t;
    uint64_t start;
    rt = tu_root_new();
    t = tu_table_open(rt, TABLE, 1 << 14, 0);
    if (pthread_create(&gh, NULL, go_handles, NULL) != 0 || pthread_create(&ga, NULL, go_arenas, NULL) != 0)
        tu_die("pthread_create");
    for (intptr_t i = 0; i < NTHREADS; i++)
        if (pthread_create(&c[i], NULL, c_worker, (void *)i) != 0) tu_die("pthread_create");
    start = now_ns();
    while (now_ns() - start < RUN_NS) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < NTHREADS; i++) pthread_join(c[i], NULL);
    pthread_join(gh, NULL);
    pthread_join(ga, NULL);
    hu_go_reap(t);
    TU_EQ(__atomic_load_n(&fails, __ATOMIC_RELAXED), 0);
    TU_EQ(hu_count(t, HFFI_SLOT_LIVE) + hu_count(t, HFFI_SLOT_RELEASED), 0);
    TU_CHECK(__atomic_load_n(&c_resolved, __ATOMIC_RELAXED) > 0);
    printf("storm_thread: %llu C operations, %llu resolves in %.1f s\n",
           (unsigned long long)__atomic_load_n(&c_ops, __ATOMIC_RELAXED),
           (unsigned long long)__atomic_load_n(&c_resolved, __ATOMIC_RELAXED), (double)RUN_NS / 1e9);
    tu_table_close(t);
    tu_root_free(rt);
    return TU_DONE("storm_thread");
}
