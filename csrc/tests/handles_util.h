/* SPDX-License-Identifier: Apache-2.0 */
/*
 * handles_util.h - for the handle tests: what Go's handles package does to
 * a table (issue a Go value's handle, delete it, reap), written in C on the
 * protocol of hffi.h so that the C tests run without Go.
 */
#ifndef HFFI_HANDLES_UTIL_H
#define HFFI_HANDLES_UTIL_H

#include "testutil.h"

static inline hffi_slot *hu_slot(const hffi_rt *rt, hffi_handle h) {
    return tu_table_slot(tu_table_hdr(rt, hffi_handle_table(h)), hffi_handle_index(h));
}

static inline uint64_t hu_word(uint32_t gen, uint32_t state, uint32_t kind) {
    return (uint64_t)gen | ((uint64_t)state << HFFI_SLOT_STATE_SHIFT) |
           ((uint64_t)kind << HFFI_SLOT_KIND_SHIFT);
}

static inline void hu_push(uint64_t *head, hffi_table *t, uint32_t idx) {
    hffi_slot *s = tu_table_slot(t, idx);
    uint64_t h = _hffi_load(head), nh;
    do {
        _hffi_store(&s->next, h & HFFI_LIST_INDEX_MASK);
        nh = ((uint64_t)idx + 1) | (((h >> HFFI_LIST_TAG_SHIFT) + 1) << HFFI_LIST_TAG_SHIFT);
    } while (!_hffi_cas(head, &h, nh));
}

/* hu_go_new issues a handle for a Go value, as Go's Table.New does: a
 * slot is allocated (here through hffi_cobj_register, which shares the
 * allocator) and published as a LIVE Go value. */
static inline hffi_handle hu_go_new(const hffi_rt *rt, uint32_t table) {
    static char dummy;
    hffi_handle h = 0;
    uint64_t w;
    if (hffi_cobj_register(rt, table, &dummy, NULL, &h) != HFFI_OK) return 0;
    w = hu_word(hffi_handle_gen(h), HFFI_SLOT_LIVE, HFFI_KIND_COBJ);
    if (!_hffi_cas(&hu_slot(rt, h)->word, &w, hu_word(hffi_handle_gen(h), HFFI_SLOT_LIVE, HFFI_KIND_GO)))
        return 0;
    return h;
}

/* hu_go_delete is Go's Table.Delete: 0 freed, 1 released (C retains it),
 * -1 not a live Go handle. */
static inline int hu_go_delete(const hffi_rt *rt, hffi_handle h) {
    hffi_slot *s = hu_slot(rt, h);
    uint64_t want = hu_word(hffi_handle_gen(h), HFFI_SLOT_LIVE, HFFI_KIND_GO);
    for (;;) {
        uint64_t w = _hffi_load(&s->word), nw;
        if ((w & UINT64_C(0xffffffff)) != want) return -1;
        if (w >> HFFI_SLOT_RETAIN_SHIFT) {
            nw = (w & ~((uint64_t)3 << HFFI_SLOT_STATE_SHIFT)) |
                 ((uint64_t)HFFI_SLOT_RELEASED << HFFI_SLOT_STATE_SHIFT);
            if (_hffi_cas(&s->word, &w, nw)) return 1;
        } else {
            nw = hu_word(hffi_handle_gen(h) + 1, HFFI_SLOT_FREE, 0);
            if (_hffi_cas(&s->word, &w, nw)) {
                hu_push(&tu_table_hdr(rt, hffi_handle_table(h))->free_head,
                        tu_table_hdr(rt, hffi_handle_table(h)), hffi_handle_index(h));
                return 0;
            }
        }
    }
}

/* hu_go_reap is Go's Table.Reap: it frees every slot on the reap list
 * and returns how many there were. */
static inline int hu_go_reap(hffi_table *t) {
    uint64_t h = _hffi_load(&t->reap_head), i1;
    int n = 0;
    while (!_hffi_cas(&t->reap_head, &h,
                      ((h >> HFFI_LIST_TAG_SHIFT) + 1) << HFFI_LIST_TAG_SHIFT)) {
    }
    for (i1 = h & HFFI_LIST_INDEX_MASK; i1 != 0;) {
        hffi_slot *s = tu_table_slot(t, (uint32_t)(i1 - 1));
        uint64_t w = _hffi_load(&s->word);
        uint32_t idx = (uint32_t)(i1 - 1);
        i1 = _hffi_load(&s->next) & HFFI_LIST_INDEX_MASK;
        if (((w >> HFFI_SLOT_STATE_SHIFT) & 3u) == HFFI_SLOT_RELEASED)
            _hffi_store(&s->word, hu_word((uint32_t)(w & HFFI_SLOT_GEN_MASK) + 1, HFFI_SLOT_FREE, 0));
        hu_push(&t->free_head, t, idx);
        n++;
    }
    return n;
}

/* hu_count counts the slots of t in a state. */
static inline int hu_count(hffi_table *t, uint32_t state) {
    int n = 0;
    for (uint64_t i = 0; i < _hffi_load(&t->cap); i++)
        if (((_hffi_load(&tu_table_slot(t, (uint32_t)i)->word) >> HFFI_SLOT_STATE_SHIFT) & 3u) == state)
            n++;
    return n;
}

#endif /* HFFI_HANDLES_UTIL_H */
