/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hffi_handles.c - the C half of hffi's handle tables: retaining and
 * releasing Go handles, and C objects registered as handles.
 *
 * Go's handles package implements the same operations on the same words
 * (see the protocol in the "Handle tables" section of hffi.h): both sides
 * pop and push the lock-free free list, grow a table under grow_lock, and
 * change slot words with CAS only, so C threads and goroutines may work on
 * one table at once. Nothing here calls into Go: a release that drops the
 * last reference to a slot Go already deleted only pushes the slot on the
 * table's reap list, and Go recycles it later.
 */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* mprotect under -std=c99 on glibc */
#endif
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE 1
#endif

#include "hffi.h"

#include <sched.h>
#include <sys/mman.h>

#define _HFFI_RETAIN_ONE (UINT64_C(1) << HFFI_SLOT_RETAIN_SHIFT)
#define _HFFI_LOW_MASK UINT64_C(0xffffffff) /* generation, state and kind */

static inline uint32_t _hffi_word_state(uint64_t w) {
    return (uint32_t)(w >> HFFI_SLOT_STATE_SHIFT) & 3u;
}
static inline uint32_t _hffi_word_kind(uint64_t w) {
    return (uint32_t)(w >> HFFI_SLOT_KIND_SHIFT) & 3u;
}
static inline uint64_t _hffi_word(uint32_t gen, uint32_t state, uint32_t kind) {
    return (uint64_t)gen | ((uint64_t)state << HFFI_SLOT_STATE_SHIFT) |
           ((uint64_t)kind << HFFI_SLOT_KIND_SHIFT);
}

/* _hffi_word_freed is the word of a slot whose generation-gen handle was
 * just deleted: FREE at the next generation, or RETIRED when no further
 * generation may be issued (Go's freedWord). */
static inline uint64_t _hffi_word_freed(uint64_t w) {
    uint32_t next = (uint32_t)(w & HFFI_SLOT_GEN_MASK) + 1;
    if (next >= HFFI_HANDLE_GEN_MAX) return _hffi_word(HFFI_HANDLE_GEN_MAX, HFFI_SLOT_RETIRED, 0);
    return _hffi_word(next, HFFI_SLOT_FREE, 0);
}

static inline hffi_table *_hffi_table_of(const hffi_rt *rt, uint32_t id) {
    return (hffi_table *)(uintptr_t)rt->tables + id;
}

static inline hffi_slot *_hffi_slots(const hffi_table *t) {
    return (hffi_slot *)(uintptr_t)t->slots;
}

/* _hffi_list_push pushes the chain first..last (already linked through
 * next) on the Treiber stack at head. */
static void _hffi_list_push(uint64_t *head, hffi_slot *slots, uint32_t first, uint32_t last) {
    uint64_t h = _hffi_load(head), nh;
    do {
        __atomic_store_n(&slots[last].next, h & HFFI_LIST_INDEX_MASK, __ATOMIC_RELAXED);
        nh = ((uint64_t)first + 1) | (((h >> HFFI_LIST_TAG_SHIFT) + 1) << HFFI_LIST_TAG_SHIFT);
    } while (!_hffi_cas(head, &h, nh));
}

static void _hffi_lock(uint64_t *lock) {
    for (;;) {
        uint64_t unlocked = 0;
        if (__atomic_compare_exchange_n(lock, &unlocked, 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return;
        sched_yield();
    }
}

static void _hffi_unlock(uint64_t *lock) { __atomic_store_n(lock, 0, __ATOMIC_RELEASE); }

#define _HFFI_AGAIN 1 /* internal: someone else refilled the free list */

/* _hffi_table_grow makes the next slots usable, keeps the first of them
 * for the caller and pushes the rest on the free list in index order, as
 * Go's growRun does (Go keeps the whole first run and pushes the others:
 * the list is the same once this caller or the next pops the rest of the
 * run). The list thus holds whole runs (8 aligned slots), each run's slots
 * together, which Go's per-core shards take whole, and the next C
 * allocations continue the run of this one (see "Handle tables"). */
static int32_t _hffi_table_grow(const hffi_rt *rt, hffi_table *t, uint32_t *idx_out) {
    uint64_t cap, ncap, limit, from, to, page = rt->page_size;
    uint64_t per_page = page / sizeof(hffi_slot);
    hffi_slot *slots = _hffi_slots(t);
    int32_t rc = HFFI_OK;
    _hffi_lock(&t->grow_lock);
    if (_hffi_load(&t->free_head) & HFFI_LIST_INDEX_MASK) {
        rc = _HFFI_AGAIN;
        goto out;
    }
    cap = _hffi_load(&t->cap);
    limit = t->limit;
    if (cap >= limit) {
        rc = HFFI_ENOMEM;
        goto out;
    }
    ncap = cap ? cap * 2 : per_page;
    if (ncap > limit) ncap = limit;
    from = (cap * sizeof(hffi_slot) + page - 1) / page * page;
    to = (ncap * sizeof(hffi_slot) + page - 1) / page * page;
    if (to > from && mprotect((char *)slots + from, (size_t)(to - from), PROT_READ | PROT_WRITE)) {
        rc = HFFI_ENOMEM;
        goto out;
    }
    for (uint64_t i = cap; i < ncap; i++) {
        __atomic_store_n(&slots[i].cptr, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&slots[i].cdtor, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&slots[i].next, i + 1 < ncap ? i + 2 : 0, __ATOMIC_RELAXED);
        __atomic_store_n(&slots[i].word, _hffi_word(1, HFFI_SLOT_FREE, 0), __ATOMIC_RELAXED);
    }
    _hffi_store(&t->cap, ncap);
    if (cap + 1 < ncap)
        _hffi_list_push(&t->free_head, slots, (uint32_t)cap + 1, (uint32_t)ncap - 1);
    *idx_out = (uint32_t)cap;
out:
    _hffi_unlock(&t->grow_lock);
    return rc;
}

/* _hffi_slot_alloc pops a FREE slot, growing the table if it has none. */
static int32_t _hffi_slot_alloc(const hffi_rt *rt, hffi_table *t, uint32_t *idx_out) {
    hffi_slot *slots = _hffi_slots(t);
    for (;;) {
        uint64_t h = _hffi_load(&t->free_head), i1 = h & HFFI_LIST_INDEX_MASK, next, nh;
        if (i1 == 0) {
            int32_t rc = _hffi_table_grow(rt, t, idx_out);
            if (rc == _HFFI_AGAIN) continue;
            return rc;
        }
        /* next may be stale if another thread popped the slot meanwhile;
         * then the tag has moved on and the CAS fails. */
        next = __atomic_load_n(&slots[i1 - 1].next, __ATOMIC_RELAXED);
        nh = (next & HFFI_LIST_INDEX_MASK) |
             (((h >> HFFI_LIST_TAG_SHIFT) + 1) << HFFI_LIST_TAG_SHIFT);
        if (_hffi_cas(&t->free_head, &h, nh)) {
            *idx_out = (uint32_t)(i1 - 1);
            return HFFI_OK;
        }
    }
}

/* _hffi_slot_recycle returns a slot this thread just freed: to the free
 * list, or to the reap list of a debug table so that Go quarantines it. */
static void _hffi_slot_recycle(hffi_table *t, uint32_t idx, uint64_t freed) {
    hffi_slot *slots = _hffi_slots(t);
    if (_hffi_word_state(freed) == HFFI_SLOT_RETIRED) return;
    if (_hffi_load(&t->flags) & HFFI_TABLE_F_DEBUG)
        _hffi_list_push(&t->reap_head, slots, idx, idx);
    else
        _hffi_list_push(&t->free_head, slots, idx, idx);
}

int32_t hffi_handle_retain(const hffi_rt *rt, hffi_handle h) {
    for (;;) {
        hffi_slot *s = NULL;
        uint64_t w = 0;
        int32_t rc = _hffi_handle_slot(rt, h, &s, &w);
        if (rc < 0) return rc;
        if (_hffi_word_kind(w) != HFFI_KIND_GO) return HFFI_ETYPE;
        if (_hffi_word_state(w) == HFFI_SLOT_RELEASED && (w >> HFFI_SLOT_RETAIN_SHIFT) == 0)
            return HFFI_EDELETED; /* waiting to be reaped: nothing to keep alive */
        if ((w >> HFFI_SLOT_RETAIN_SHIFT) == UINT32_MAX) return HFFI_EEXHAUSTED;
        if (_hffi_cas(&s->word, &w, w + _HFFI_RETAIN_ONE)) return HFFI_OK;
    }
}

int32_t hffi_handle_release(const hffi_rt *rt, hffi_handle h) {
    for (;;) {
        hffi_slot *s = NULL;
        uint64_t w = 0, count;
        uint32_t state;
        int32_t rc = _hffi_handle_slot(rt, h, &s, &w);
        if (rc < 0) return rc;
        if (_hffi_word_kind(w) != HFFI_KIND_GO) return HFFI_ETYPE;
        count = w >> HFFI_SLOT_RETAIN_SHIFT;
        state = _hffi_word_state(w);
        if (count == 0) return state == HFFI_SLOT_RELEASED ? HFFI_EDELETED : HFFI_EINVAL;
        if (!_hffi_cas(&s->word, &w, w - _HFFI_RETAIN_ONE)) continue;
        if (state == HFFI_SLOT_RELEASED && count == 1) {
            /* The last reference to a value Go already deleted: Go reaps. */
            hffi_table *t = _hffi_table_of(rt, hffi_handle_table(h));
            _hffi_list_push(&t->reap_head, _hffi_slots(t), hffi_handle_index(h),
                            hffi_handle_index(h));
        }
        return HFFI_OK;
    }
}

int32_t hffi_cobj_register(const hffi_rt *rt, uint32_t table, void *ptr, hffi_dtor dtor,
                           hffi_handle *h_out) {
    hffi_table *t;
    hffi_slot *s;
    uint64_t state, w;
    uint32_t idx = 0, gen;
    int32_t rc = hffi_rt_check(rt);
    if (rc < 0) return rc;
    if (ptr == NULL || h_out == NULL) return HFFI_EINVAL;
    if (table == 0 || table >= HFFI_TABLE_SLOTS) return HFFI_ERANGE;
    t = _hffi_table_of(rt, table);
    state = _hffi_load(&t->state);
    if (state == HFFI_TABLE_UNUSED) return HFFI_ERANGE;
    if (state != HFFI_TABLE_LIVE) return HFFI_ECLOSED;
    rc = _hffi_slot_alloc(rt, t, &idx);
    if (rc < 0) return rc;
    s = _hffi_slots(t) + idx;
    gen = (uint32_t)(_hffi_load(&s->word) & HFFI_SLOT_GEN_MASK);
    __atomic_store_n(&s->cptr, (uint64_t)(uintptr_t)ptr, __ATOMIC_RELAXED);
    __atomic_store_n(&s->cdtor, (uint64_t)(uintptr_t)dtor, __ATOMIC_RELAXED);
    w = _hffi_word(gen, HFFI_SLOT_LIVE, HFFI_KIND_COBJ);
    _hffi_store(&s->word, w); /* publishes cptr and cdtor */
    *h_out = hffi_handle_make(table, gen, idx);
    return HFFI_OK;
}

int32_t hffi_cobj_get(const hffi_rt *rt, hffi_handle h, void **ptr_out) {
    int32_t rc = hffi_rt_check(rt); /* before ptr_out, as everywhere */
    if (rc < 0) return rc;
    if (ptr_out == NULL) return HFFI_EINVAL;
    for (;;) {
        hffi_slot *s = NULL;
        uint64_t w = 0, p;
        rc = _hffi_handle_slot(rt, h, &s, &w);
        if (rc < 0) return rc;
        if (_hffi_word_kind(w) != HFFI_KIND_COBJ) return HFFI_ETYPE;
        p = __atomic_load_n(&s->cptr, __ATOMIC_ACQUIRE);
        /* Same word: the slot was not destroyed and reused meanwhile. */
        if (((_hffi_load(&s->word) ^ w) & _HFFI_LOW_MASK) == 0) {
            *ptr_out = (void *)(uintptr_t)p;
            return HFFI_OK;
        }
    }
}

int32_t hffi_cobj_destroy(const hffi_rt *rt, hffi_handle h) {
    hffi_slot *s = NULL;
    uint64_t w = 0, p, d, freed;
    for (;;) {
        int32_t rc = _hffi_handle_slot(rt, h, &s, &w);
        if (rc < 0) return rc;
        if (_hffi_word_kind(w) != HFFI_KIND_COBJ) return HFFI_ETYPE;
        p = __atomic_load_n(&s->cptr, __ATOMIC_ACQUIRE);
        d = __atomic_load_n(&s->cdtor, __ATOMIC_ACQUIRE);
        freed = _hffi_word_freed(w);
        if (_hffi_cas(&s->word, &w, freed)) break; /* we alone free it */
    }
    __atomic_store_n(&s->cptr, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&s->cdtor, 0, __ATOMIC_RELAXED);
    if (d) ((hffi_dtor)(uintptr_t)d)((void *)(uintptr_t)p);
    _hffi_slot_recycle(_hffi_table_of(rt, hffi_handle_table(h)), hffi_handle_index(h), freed);
    return HFFI_OK;
}
