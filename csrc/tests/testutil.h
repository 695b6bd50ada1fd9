/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testutil.h - helpers for the C tests of hffi: a tiny assertion counter
 * and a hand-built shared root (what Go's internal/shm and arena/ create),
 * so that C tests run without Go.
 *
 *     #include "testutil.h"
 *     int main(void) {
 *         hffi_rt *rt = tu_root_new();
 *         hffi_arena a = tu_arena_open(rt, 1, 1 << 20, 0);
 *         TU_EQ(hffi_arena_check(rt, a), HFFI_OK);
 *         tu_arena_reset(rt, a);          // what Go's Arena.Reset does
 *         return TU_DONE("mytest");       // prints "mytest: N passed, M failed"
 *     }
 *
 * Everything is static inline so a test includes it without unused-function
 * warnings; it compiles as C99 and as C++.
 */
#ifndef HFFI_TESTUTIL_H
#define HFFI_TESTUTIL_H

#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1
#endif

#include "hffi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ------------------------------------------------------------------ *
 * Assertions: each check counts as passed or failed; failures print the
 * location and go on, so one run shows every failure.
 * ------------------------------------------------------------------ */
static int tu_passed, tu_failed;

static inline void tu_check(int ok, const char *file, int line, const char *what) {
    if (ok) {
        tu_passed++;
        return;
    }
    tu_failed++;
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
}

static inline void tu_check_eq(long long got, long long want, const char *file, int line,
                               const char *what) {
    if (got == want) {
        tu_passed++;
        return;
    }
    tu_failed++;
    fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n", file, line, what, got, want);
}

#define TU_CHECK(cond) tu_check(!!(cond), __FILE__, __LINE__, #cond)
#define TU_EQ(got, want) \
    tu_check_eq((long long)(got), (long long)(want), __FILE__, __LINE__, #got " == " #want)

/* TU_DONE prints the summary line and gives main's exit status. */
static inline int tu_done(const char *name) {
    printf("%s: %d passed, %d failed\n", name, tu_passed, tu_failed);
    fflush(stdout);
    return tu_failed == 0 ? 0 : 1;
}
#define TU_DONE(name) tu_done(name)

/* tu_die stops a test whose set-up failed. */
static inline void tu_die(const char *what) {
    perror(what);
    exit(2);
}

/* ------------------------------------------------------------------ *
 * Root: hffi_rt, then the arena registry, then the table registry, in one
 * read-write mapping (the layout internal/shm uses).
 * ------------------------------------------------------------------ */
#define TU_ARENAS_OFF 64

static inline uint64_t tu_page(void) { return (uint64_t)sysconf(_SC_PAGESIZE); }

static inline uint64_t tu_round_up(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }

static inline size_t tu_root_size(void) {
    uint64_t n = TU_ARENAS_OFF + (uint64_t)HFFI_ARENA_SLOTS * sizeof(hffi_arena_hdr) +
                 (uint64_t)HFFI_TABLE_SLOTS * sizeof(hffi_table);
    return (size_t)tu_round_up(n, tu_page());
}

static inline hffi_rt *tu_root_new(void) {
    void *p = mmap(NULL, tu_root_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    hffi_rt *rt;
    if (p == MAP_FAILED) tu_die("tu_root_new: mmap");
    rt = (hffi_rt *)p;
    rt->abi_version = HFFI_ABI_VERSION;
    rt->arenas = (uint64_t)(uintptr_t)p + TU_ARENAS_OFF;
    rt->tables = rt->arenas + (uint64_t)HFFI_ARENA_SLOTS * sizeof(hffi_arena_hdr);
    rt->page_size = tu_page();
    _hffi_store(&rt->magic, HFFI_RT_MAGIC);
    return rt;
}

static inline void tu_root_free(hffi_rt *rt) { munmap((void *)rt, tu_root_size()); }

static inline hffi_arena_hdr *tu_arena_hdr(const hffi_rt *rt, uint32_t slot) {
    return (hffi_arena_hdr *)(uintptr_t)rt->arenas + slot;
}

static inline hffi_table *tu_table_hdr(const hffi_rt *rt, uint32_t id) {
    return (hffi_table *)(uintptr_t)rt->tables + id;
}

/* ------------------------------------------------------------------ *
 * Arenas, following the protocol of hffi.h: the reservation is PROT_NONE
 * but for the part below the slot's floor, which is read-only; used starts
 * at floor + HFFI_ARENA_PREFIX, committed at the floor, and the slot word
 * is published last with a release store.
 * ------------------------------------------------------------------ */

static inline uint64_t tu_word(uint32_t gen, uint32_t state, uint64_t floor) {
    return (uint64_t)gen | ((uint64_t)state << HFFI_ARENA_STATE_SHIFT) |
           ((floor / HFFI_REF_OFF_SCALE) << HFFI_ARENA_FLOOR_SHIFT);
}

/* tu_arena_open makes slot `slot` a live arena of `limit` bytes above the
 * slot's floor and returns its id. Like Go's registry, a fresh slot starts
 * at generation 1 and a freed one is reused at its generation, bumped if
 * references were minted in it. grow 0 means 64 KiB. */
static inline hffi_arena tu_arena_open(hffi_rt *rt, uint32_t slot, uint64_t limit, uint64_t grow) {
    hffi_arena_hdr *h = tu_arena_hdr(rt, slot);
    uint64_t page = tu_page();
    uint64_t w = _hffi_load(&h->word), floor = _hffi_arena_floor(w);
    uint32_t gen = (uint32_t)(w & HFFI_ARENA_GEN_MASK);
    void *p;
    if (gen == 0)
        gen = 1;
    else if (_hffi_load(&h->minted))
        gen++;
    limit = tu_round_up(limit, page);
    p = mmap(NULL, (size_t)(floor + limit), PROT_NONE, MAP_PRIVATE | MAP_ANON | MAP_NORESERVE, -1,
             0);
    if (p == MAP_FAILED) tu_die("tu_arena_open: mmap");
    if (floor > 0 && mprotect(p, (size_t)floor, PROT_READ) != 0) tu_die("tu_arena_open: mprotect");
    _hffi_store(&h->base, (uint64_t)(uintptr_t)p);
    h->limit = floor + limit;
    h->grow = grow ? tu_round_up(grow, page) : tu_round_up(64 << 10, page);
    h->flags = 0;
    _hffi_store(&h->used, floor + HFFI_ARENA_PREFIX);
    _hffi_store(&h->committed, floor);
    _hffi_store(&h->minted, UINT64_C(0));
    _hffi_store(&h->word, tu_word(gen, HFFI_ARENA_LIVE, floor));
    return hffi_ref_make(slot, gen, floor);
}

/* tu_arena_reset frees every allocation of the arena at once, bumping the
 * generation if a reference was minted (handing out the id counts), and
 * returns the (possibly new) id. It must not race with allocation. */
static inline hffi_arena tu_arena_reset(hffi_rt *rt, hffi_arena a) {
    uint32_t slot = hffi_ref_slot(a);
    hffi_arena_hdr *h = tu_arena_hdr(rt, slot);
    uint64_t w = _hffi_load(&h->word), floor = _hffi_arena_floor(w);
    uint32_t gen = (uint32_t)(w & HFFI_ARENA_GEN_MASK);
    if (_hffi_load(&h->minted)) {
        gen++;
        _hffi_store(&h->word, tu_word(gen, HFFI_ARENA_LIVE, floor));
        _hffi_store(&h->minted, UINT64_C(0));
    }
    _hffi_store(&h->used, floor + HFFI_ARENA_PREFIX);
    return hffi_ref_make(slot, gen, floor);
}

/* tu_arena_free unmaps the arena and leaves its slot FREE at the same
 * generation, as Go's Arena.Free does: references into it then report
 * HFFI_ECLOSED until the slot is reused (HFFI_ESTALE after that). minted
 * is kept so that tu_arena_open knows whether reuse must bump the
 * generation. */
static inline void tu_arena_free(hffi_rt *rt, hffi_arena a) {
    hffi_arena_hdr *h = tu_arena_hdr(rt, hffi_ref_slot(a));
    uint64_t w = _hffi_load(&h->word);
    _hffi_store(&h->word, tu_word((uint32_t)(w & HFFI_ARENA_GEN_MASK), HFFI_ARENA_FREE,
                                  _hffi_arena_floor(w)));
    _hffi_store(&h->used, UINT64_C(0));
    _hffi_store(&h->committed, UINT64_C(0));
    munmap((void *)(uintptr_t)h->base, (size_t)h->limit);
    _hffi_store(&h->base, UINT64_C(0));
    h->limit = 0;
}

/* tu_slot_recycle starts a new incarnation of a FREE or RETIRED slot:
 * generation 0 (tu_arena_open makes it 1) above `floor`, a page multiple
 * above everything the slot handed out before, as Go's registry does. */
static inline void tu_slot_recycle(hffi_rt *rt, uint32_t slot, uint64_t floor) {
    hffi_arena_hdr *h = tu_arena_hdr(rt, slot);
    _hffi_store(&h->minted, UINT64_C(0));
    _hffi_store(&h->word, tu_word(0, HFFI_ARENA_FREE, floor));
}

/* ------------------------------------------------------------------ *
 * Tables: tu_table_open maps `limit` zeroed slots (all FREE at generation
 * 0), makes the first `cap` of them in range and the table LIVE. The
 * free list is left empty: building it is the table code's business.
 * ------------------------------------------------------------------ */
static inline hffi_table *tu_table_open(hffi_rt *rt, uint32_t id, uint64_t limit, uint64_t cap) {
    hffi_table *t = tu_table_hdr(rt, id);
    size_t n = (size_t)tu_round_up(limit * sizeof(hffi_slot), tu_page());
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    if (p == MAP_FAILED) tu_die("tu_table_open: mmap");
    t->slots = (uint64_t)(uintptr_t)p;
    t->limit = limit;
    _hffi_store(&t->cap, cap);
    _hffi_store(&t->free_head, UINT64_C(0));
    _hffi_store(&t->reap_head, UINT64_C(0));
    _hffi_store(&t->flags, UINT64_C(0));
    _hffi_store(&t->grow_lock, UINT64_C(0));
    _hffi_store(&t->state, (uint64_t)HFFI_TABLE_LIVE);
    return t;
}

static inline hffi_slot *tu_table_slot(hffi_table *t, uint32_t index) {
    return (hffi_slot *)(uintptr_t)t->slots + index;
}

/* tu_table_close marks the table CLOSED and unmaps its slots. */
static inline void tu_table_close(hffi_table *t) {
    _hffi_store(&t->state, (uint64_t)HFFI_TABLE_CLOSED);
    munmap((void *)(uintptr_t)t->slots, (size_t)tu_round_up(t->limit * sizeof(hffi_slot), tu_page()));
    t->slots = 0;
}

#endif /* HFFI_TESTUTIL_H */
