/* SPDX-License-Identifier: Apache-2.0 */
/* arena_recycle_test.c - a retired slot starts a new incarnation at
 * generation 1 above a floor: every reference of the old incarnation is
 * HFFI_ESTALE whatever its generation, the new arena works from its id
 * (offset = floor) up, and nothing resolves below floor + prefix. */
#include "testutil.h"

static hffi_rt *rt;

#define SLOT 5

/* retire marks the slot RETIRED at its generation, as Go does when the
 * generations run out. */
static void retire(void) {
    hffi_arena_hdr *h = tu_arena_hdr(rt, SLOT);
    uint64_t w = _hffi_load(&h->word);
    _hffi_store(&h->word, tu_word((uint32_t)(w & HFFI_ARENA_GEN_MASK), HFFI_ARENA_RETIRED,
                                  _hffi_arena_floor(w)));
}

static void test_recycle(void) {
    uint64_t page = rt->page_size;
    hffi_arena a = tu_arena_open(rt, SLOT, 1 << 20, 0), b, old_id;
    hffi_arena_hdr *h = tu_arena_hdr(rt, SLOT);
    hffi_ref old[4], r = 0, v = 0;
    void *p = NULL, *q = NULL;
    char *s = NULL;
    uint64_t floor, high;
    uint32_t kind = 0;
    const char *str = NULL;
    int k;

    /* The first incarnation: four generations with references. */
    for (k = 0; k < 4; k++) {
        TU_EQ(hffi_arena_alloc(rt, a, 1000 + 500 * (uint64_t)k, 8, &p, &old[k]), HFFI_OK);
        if (k < 3) a = tu_arena_reset(rt, a);
    }
    old_id = a;
    TU_EQ(hffi_ref_gen(old[3]), 4);
    high = _hffi_load(&h->used);
    retire();
    TU_EQ(hffi_ref_resolve(rt, old[3], 8, &p), HFFI_ERETIRED);
    TU_EQ(hffi_ref_resolve(rt, old[0], 8, &p), HFFI_ESTALE);
    tu_arena_free(rt, a); /* Go releases the memory; the word stays RETIRED */
    retire();

    /* The new incarnation: generation 1 again, above everything before. */
    floor = tu_round_up(high + 8, page);
    tu_slot_recycle(rt, SLOT, floor);
    b = tu_arena_open(rt, SLOT, 1 << 20, 0);
    TU_EQ(hffi_ref_gen(b), 1);
    TU_EQ(hffi_ref_offset(b), floor);
    TU_EQ(_hffi_arena_floor(_hffi_load(&h->word)), floor);
    TU_EQ(hffi_arena_check(rt, b), HFFI_OK);

    /* Every old reference is stale, even those whose generation is now
     * current (1) or ahead of it (2..4), and the old id too. */
    for (k = 0; k < 4; k++) {
        TU_EQ(hffi_ref_resolve(rt, old[k], 8, &p), HFFI_ESTALE);
        TU_EQ(hffi_arena_check(rt, old[k]), HFFI_ESTALE);
        TU_EQ(hffi_val_kind(rt, old[k], &kind), HFFI_ESTALE);
        TU_EQ(hffi_arena_alloc(rt, old[k], 8, 8, &p, &r), HFFI_ESTALE);
    }
    TU_EQ(hffi_arena_check(rt, old_id), HFFI_ESTALE);
    TU_EQ(hffi_arena_check(rt, hffi_ref_make(SLOT, 1, 0)), HFFI_ESTALE);
    TU_EQ(hffi_arena_check(rt, hffi_ref_make(SLOT, 1, floor - 8)), HFFI_ESTALE);
    TU_EQ(hffi_arena_check(rt, hffi_ref_make(SLOT, 2, floor)), HFFI_EFORGED);

    /* The new arena works from its id; offsets start above the prefix. */
    TU_EQ(hffi_ref_resolve(rt, b, 0, &p), HFFI_EBOUNDS); /* the id names no memory */
    TU_EQ(hffi_arena_alloc(rt, b, 100, 8, &p, &r), HFFI_OK);
    TU_EQ((uintptr_t)p, h->base + floor + HFFI_ARENA_PREFIX);
    TU_EQ(hffi_ref_offset(r), floor + HFFI_ARENA_PREFIX);
    TU_EQ(hffi_ref_gen(r), 1);
    TU_EQ(hffi_ref_resolve(rt, r, 100, &q), HFFI_OK);
    TU_CHECK(q == p);
    TU_EQ(hffi_ref_resolve(rt, hffi_ref_make(SLOT, 1, floor + 56), 8, &q), HFFI_EBOUNDS);
    TU_EQ(hffi_ref_of(rt, b, p, &r), HFFI_OK);
    TU_EQ(hffi_ref_of(rt, b, (char *)p - 8, &r), HFFI_EBOUNDS); /* the prefix */
    TU_EQ(hffi_ref_of(rt, b, (char *)(uintptr_t)h->base + HFFI_ARENA_PREFIX, &r), HFFI_EBOUNDS);
    TU_EQ(hffi_arena_strdup(rt, b, "hello", &s, &r), HFFI_OK);
    TU_CHECK(strcmp(s, "hello") == 0);
    TU_CHECK(h->used <= h->committed && h->committed <= h->limit);

    /* Below the floor the reservation reads as zeros (Go's decoder may
     * follow a corrupt link there) and C refuses it. */
    TU_EQ(*(volatile const char *)(uintptr_t)(h->base + HFFI_ARENA_PREFIX), 0);
    TU_EQ(*(volatile const char *)(uintptr_t)(h->base + floor - 1), 0);

    /* Values: builders allocate through the node's own reference, and a
     * link below the floor is out of bounds, never a read there. */
    TU_EQ(hffi_val_new(rt, b, &v), HFFI_OK);
    TU_EQ(hffi_val_set_str(rt, v, "a string longer than seven bytes", HFFI_VAL_NTS), HFFI_OK);
    TU_EQ(hffi_val_get_str(rt, v, &str, NULL), HFFI_OK);
    TU_CHECK(strcmp(str, "a string longer than seven bytes") == 0);
    ((hffi_val *)(uintptr_t)(h->base + hffi_ref_offset(v)))->data = HFFI_ARENA_PREFIX;
    TU_EQ(hffi_val_get_str(rt, v, &str, NULL), HFFI_EBOUNDS);
    ((hffi_val *)(uintptr_t)(h->base + hffi_ref_offset(v)))->data = floor + 8;
    TU_EQ(hffi_val_get_str(rt, v, &str, NULL), HFFI_EBOUNDS);
    TU_EQ(hffi_val_set_list(rt, v, 2), HFFI_OK);
    TU_EQ(hffi_val_list_at(rt, v, 1, &r), HFFI_OK);
    TU_EQ(hffi_val_set_int(rt, r, 7), HFFI_OK);

    /* Reset and Free keep the floor. */
    b = tu_arena_reset(rt, b);
    TU_EQ(hffi_ref_gen(b), 2);
    TU_EQ(hffi_ref_offset(b), floor);
    TU_EQ(hffi_arena_check(rt, hffi_ref_make(SLOT, 1, floor)), HFFI_ESTALE);
    tu_arena_free(rt, b);
    TU_EQ(hffi_arena_check(rt, b), HFFI_ECLOSED);
    TU_EQ(hffi_arena_check(rt, old[3]), HFFI_ESTALE);
}

int main(void) {
    rt = tu_root_new();
    test_recycle();
    tu_root_free(rt);
    return TU_DONE("arena_recycle");
}
