/* SPDX-License-Identifier: Apache-2.0 */
/* handles_test.c - the C half of hffi's handle tables, single-threaded:
 * every error code of hffi_handle_check, retain and release around Go's
 * delete, C objects, growth to the limit, retirement and the debug
 * quarantine. Built under ASan+UBSan. */
#include "handles_util.h"

static int destroyed;
static void *last_destroyed;
static void count_dtor(void *p) {
    destroyed++;
    last_destroyed = p;
}

static void test_codes(hffi_rt *rt) {
    hffi_table *t = tu_table_open(rt, 2, 64, 0);
    hffi_handle h = hu_go_new(rt, 2), other;
    TU_CHECK(h != 0);
    TU_EQ(hffi_handle_check(rt, h), HFFI_OK);
    TU_EQ(hffi_handle_check(rt, 0), HFFI_EZERO);
    TU_EQ(hffi_handle_check(rt, h | HFFI_REF_TAG), HFFI_EKIND);
    TU_EQ(hffi_handle_check(rt, hffi_handle_make(0, 1, 0)), HFFI_ERANGE);
    TU_EQ(hffi_handle_check(rt, hffi_handle_make(7, 1, 0)), HFFI_ERANGE); /* unused table */
    TU_EQ(hffi_handle_check(rt, hffi_handle_make(2, 0, hffi_handle_index(h))), HFFI_EFORGED);
    TU_EQ(hffi_handle_check(rt, hffi_handle_make(2, hffi_handle_gen(h) + 1, hffi_handle_index(h))),
          HFFI_EFORGED);
    TU_EQ(hffi_handle_check(rt, hffi_handle_make(2, 1, 63)), HFFI_EFORGED); /* in cap, never issued */
    TU_EQ(hffi_handle_check(rt, hffi_handle_make(2, 1, HFFI_HANDLE_INDEX_MAX)), HFFI_ERANGE);
    TU_EQ(hffi_handle_check_in(rt, 3, h), HFFI_ETABLE);
    TU_EQ(hffi_handle_check_in(rt, 2, h), HFFI_OK);
    TU_EQ(hffi_handle_check_in(rt, 3, 0), HFFI_EZERO);

    TU_EQ(hu_go_delete(rt, h), 0);
    TU_EQ(hffi_handle_check(rt, h), HFFI_EDELETED);
    other = hu_go_new(rt, 2); /* LIFO: the same slot, next generation */
    TU_EQ(hffi_handle_index(other), hffi_handle_index(h));
    TU_EQ(hffi_handle_check(rt, h), HFFI_ESTALE);
    TU_EQ(hffi_handle_check(rt, other), HFFI_OK);
    TU_EQ(hu_go_delete(rt, other), 0);

    _hffi_store(&t->state, (uint64_t)HFFI_TABLE_CLOSED);
    TU_EQ(hffi_handle_check(rt, other), HFFI_ECLOSED);
    TU_EQ(hffi_cobj_register(rt, 2, &destroyed, NULL, &h), HFFI_ECLOSED);
    _hffi_store(&t->state, (uint64_t)HFFI_TABLE_LIVE);
    tu_table_close(t);
}

static void test_retain(hffi_rt *rt) {
    hffi_table *t = tu_table_open(rt, 3, 64, 0);
    hffi_handle h = hu_go_new(rt, 3), c = 0;
    void *p;
    TU_EQ(hffi_handle_release(rt, h), HFFI_EINVAL); /* no retain to drop */
    TU_EQ(hffi_handle_retain(rt, h), HFFI_OK);
    TU_EQ(hffi_handle_retain(rt, h), HFFI_OK);
    TU_EQ(hu_slot(rt, h)->word >> HFFI_SLOT_RETAIN_SHIFT, 2);
    TU_EQ(hu_go_delete(rt, h), 1); /* released: C still holds it */
    TU_EQ(hu_go_delete(rt, h), -1);
    TU_EQ(hffi_handle_check(rt, h), HFFI_OK);
    TU_EQ(hffi_handle_release(rt, h), HFFI_OK);
    TU_EQ(hffi_handle_check(rt, h), HFFI_OK);
    TU_EQ(t->reap_head & HFFI_LIST_INDEX_MASK, 0);
    TU_EQ(hffi_handle_release(rt, h), HFFI_OK); /* the last: on the reap list */
    TU_EQ(t->reap_head & HFFI_LIST_INDEX_MASK, hffi_handle_index(h) + 1);
    TU_EQ(hffi_handle_check(rt, h), HFFI_EDELETED);
    TU_EQ(hffi_handle_retain(rt, h), HFFI_EDELETED);
    TU_EQ(hffi_handle_release(rt, h), HFFI_EDELETED);
    TU_EQ(hu_go_reap(t), 1);
    TU_EQ(hffi_handle_check(rt, h), HFFI_EDELETED);

    TU_EQ(hffi_cobj_register(rt, 3, &destroyed, NULL, &c), HFFI_OK);
    TU_EQ(hffi_handle_retain(rt, c), HFFI_ETYPE);
    TU_EQ(hffi_handle_release(rt, c), HFFI_ETYPE);
    h = hu_go_new(rt, 3);
    TU_EQ(hffi_cobj_get(rt, h, &p), HFFI_ETYPE);
    TU_EQ(hffi_cobj_destroy(rt, h), HFFI_ETYPE);
    TU_EQ(hu_go_delete(rt, h), 0);
    TU_EQ(hffi_cobj_destroy(rt, c), HFFI_OK);
    TU_EQ(hu_count(t, HFFI_SLOT_LIVE) + hu_count(t, HFFI_SLOT_RELEASED), 0);
    tu_table_close(t);
}

static void test_cobj(hffi_rt *rt) {
    hffi_table *t = tu_table_open(rt, 4, 64, 0);
    int obj = 5;
    void *p = NULL;
    hffi_handle h = 0, h2 = 0;
    destroyed = 0;
    TU_EQ(hffi_cobj_register(rt, 4, &obj, count_dtor, &h), HFFI_OK);
    TU_EQ(hffi_handle_table(h), 4);
    TU_EQ(hffi_handle_check(rt, h), HFFI_OK);
    TU_EQ(hffi_cobj_get(rt, h, &p), HFFI_OK);
    TU_CHECK(p == (void *)&obj);
    TU_EQ(hffi_cobj_destroy(rt, h), HFFI_OK);
    TU_EQ(destroyed, 1);
    TU_CHECK(last_destroyed == (void *)&obj);
    TU_EQ(hffi_cobj_destroy(rt, h), HFFI_EDELETED); /* exactly once */
    TU_EQ(destroyed, 1);
    p = NULL;
    TU_EQ(hffi_cobj_get(rt, h, &p), HFFI_EDELETED);
    TU_CHECK(p == NULL); /* outputs written on success only */
    TU_EQ(hffi_cobj_register(rt, 4, &obj, NULL, &h2), HFFI_OK);
    TU_EQ(hffi_cobj_get(rt, h, &p), HFFI_ESTALE);
    TU_EQ(hffi_cobj_destroy(rt, h2), HFFI_OK);
    TU_EQ(destroyed, 1); /* NULL destructor */

    TU_EQ(hffi_cobj_register(rt, 4, NULL, NULL, &h), HFFI_EINVAL);
    TU_EQ(hffi_cobj_register(rt, 4, &obj, NULL, NULL), HFFI_EINVAL);
    TU_EQ(hffi_cobj_register(rt, 0, &obj, NULL, &h), HFFI_ERANGE);
    TU_EQ(hffi_cobj_register(rt, HFFI_TABLE_SLOTS, &obj, NULL, &h), HFFI_ERANGE);
    TU_EQ(hffi_cobj_register(rt, 9, &obj, NULL, &h), HFFI_ERANGE); /* unused */
    TU_EQ(hffi_cobj_get(rt, h2, NULL), HFFI_EINVAL);
    TU_EQ(hffi_cobj_register(NULL, 4, &obj, NULL, &h), HFFI_EINVAL);
    TU_EQ(hffi_handle_retain(NULL, h), HFFI_EINVAL);
    tu_table_close(t);
}

/* C grows a table page by page up to its limit, and never moves a slot. */
static void test_grow(hffi_rt *rt) {
    enum { LIMIT = 1000 };
    static hffi_handle hs[LIMIT];
    static int objs[LIMIT];
    hffi_table *t = tu_table_open(rt, 5, LIMIT, 0);
    hffi_handle h;
    for (int i = 0; i < LIMIT; i++) {
        objs[i] = i;
        TU_EQ(hffi_cobj_register(rt, 5, &objs[i], NULL, &hs[i]), HFFI_OK);
    }
    TU_EQ(_hffi_load(&t->cap), LIMIT);
    TU_EQ(hffi_cobj_register(rt, 5, &objs[0], NULL, &h), HFFI_ENOMEM);
    for (int i = 0; i < LIMIT; i++) {
        void *p = NULL;
        TU_EQ(hffi_cobj_get(rt, hs[i], &p), HFFI_OK);
        if (p != (void *)&objs[i]) TU_CHECK(p == (void *)&objs[i]);
        TU_EQ(hffi_cobj_destroy(rt, hs[i]), HFFI_OK);
    }
    TU_EQ(hu_count(t, HFFI_SLOT_FREE), LIMIT);
    tu_table_close(t);
}

/* Growth puts the new slots on the free list in index order, so that the
 * list holds whole runs of 8, each together (Go's shards pop a run in one
 * CAS), and consecutive C allocations fill one run before the next. */
static void test_grow_runs(hffi_rt *rt) {
    enum { LIMIT = 300 };
    hffi_table *t = tu_table_open(rt, 10, LIMIT, 0);
    hffi_handle hs[20];
    uint64_t i1;
    uint32_t n = 0, want;
    int obj = 0;
    for (uint32_t i = 0; i < 20; i++) {
        TU_EQ(hffi_cobj_register(rt, 10, &obj, NULL, &hs[i]), HFFI_OK);
        TU_EQ(hffi_handle_index(hs[i]), i);
    }
    /* The rest of the first page of slots, in order, on the list. */
    want = 20;
    for (i1 = _hffi_load(&t->free_head) & HFFI_LIST_INDEX_MASK; i1 != 0; n++, want++) {
        if (i1 - 1 != want) {
            TU_EQ(i1 - 1, want);
            break;
        }
        i1 = _hffi_load(&tu_table_slot(t, (uint32_t)(i1 - 1))->next) & HFFI_LIST_INDEX_MASK;
    }
    TU_EQ(n + 20, _hffi_load(&t->cap));
    /* A slot freed alone is pushed alone, on top, and taken next. */
    TU_EQ(hffi_cobj_destroy(rt, hs[5]), HFFI_OK);
    TU_EQ(_hffi_load(&t->free_head) & HFFI_LIST_INDEX_MASK, 6);
    TU_EQ(hffi_cobj_register(rt, 10, &obj, NULL, &hs[5]), HFFI_OK);
    TU_EQ(hffi_handle_index(hs[5]), 5);
    for (int i = 0; i < 20; i++) TU_EQ(hffi_cobj_destroy(rt, hs[i]), HFFI_OK);
    tu_table_close(t);
}

/* The last generation of a slot retires it instead of wrapping. */
static void test_retire(hffi_rt *rt) {
    hffi_table *t = tu_table_open(rt, 6, 128, 0);
    int obj = 0;
    hffi_handle h = 0, h2 = 0;
    uint32_t idx;
    TU_EQ(hffi_cobj_register(rt, 6, &obj, NULL, &h), HFFI_OK);
    idx = hffi_handle_index(h);
    TU_EQ(hffi_cobj_destroy(rt, h), HFFI_OK);
    _hffi_store(&tu_table_slot(t, idx)->word, hu_word(HFFI_HANDLE_GEN_MAX - 1, HFFI_SLOT_FREE, 0));
    TU_EQ(hffi_cobj_register(rt, 6, &obj, NULL, &h), HFFI_OK);
    TU_EQ(hffi_handle_index(h), idx);
    TU_EQ(hffi_handle_gen(h), HFFI_HANDLE_GEN_MAX - 1);
    TU_EQ(hffi_cobj_destroy(rt, h), HFFI_OK);
    TU_EQ(hffi_handle_check(rt, h), HFFI_EDELETED);
    TU_EQ(hffi_handle_check(rt, hffi_handle_make(6, HFFI_HANDLE_GEN_MAX, idx)), HFFI_ERETIRED);
    TU_EQ(hffi_handle_check(rt, hffi_handle_make(6, HFFI_HANDLE_GEN_MAX - 2, idx)), HFFI_ESTALE);
    TU_EQ(hffi_cobj_register(rt, 6, &obj, NULL, &h2), HFFI_OK);
    TU_CHECK(hffi_handle_index(h2) != idx); /* never reused */
    TU_EQ(hffi_cobj_destroy(rt, h2), HFFI_OK);
    TU_EQ(hu_count(t, HFFI_SLOT_RETIRED), 1);
    tu_table_close(t);
}

/* In a debug table a destroyed C object's slot goes to Go's reap list
 * (for the quarantine), not straight back to the free list. */
static void test_debug(hffi_rt *rt) {
    hffi_table *t = tu_table_open(rt, 7, 128, 0);
    int obj = 0;
    hffi_handle h = 0, h2 = 0;
    _hffi_store(&t->flags, (uint64_t)HFFI_TABLE_F_DEBUG);
    TU_EQ(hffi_cobj_register(rt, 7, &obj, NULL, &h), HFFI_OK);
    TU_EQ(hffi_cobj_destroy(rt, h), HFFI_OK);
    TU_EQ(t->reap_head & HFFI_LIST_INDEX_MASK, hffi_handle_index(h) + 1);
    TU_EQ(hffi_cobj_register(rt, 7, &obj, NULL, &h2), HFFI_OK);
    TU_CHECK(hffi_handle_index(h2) != hffi_handle_index(h));
    TU_EQ(hffi_handle_check(rt, h), HFFI_EDELETED);
    TU_EQ(hffi_cobj_destroy(rt, h2), HFFI_OK);
    TU_EQ(hu_go_reap(t), 2);
    tu_table_close(t);
}

/* Every handle entry point refuses a NULL root, a foreign one (zeroed, or
 * a copy of the real root with another magic) and one of another ABI
 * version with what hffi_rt_check says, before it reads anything else,
 * and leaves the table alone; and a NULL out-pointer with HFFI_EINVAL. */
static void test_bad_root(hffi_rt *rt) {
    hffi_table *t = tu_table_open(rt, 8, 64, 0);
    hffi_rt zeroed, forged, old;
    struct {
        const hffi_rt *rt;
        int32_t want;
        const char *name;
    } bad[4];
    hffi_handle go = hu_go_new(rt, 8), obj = 0, out = 0, ids[6];
    int x = 0;
    void *p = NULL;
    TU_EQ(hffi_cobj_register(rt, 8, &x, count_dtor, &obj), HFFI_OK);
    TU_EQ(hffi_handle_retain(rt, go), HFFI_OK);
    memset(&zeroed, 0, sizeof zeroed);
    forged = *rt;
    forged.magic ^= 1; /* otherwise a usable root: its tables are real */
    old = *rt;
    old.abi_version = HFFI_ABI_VERSION + 1;
    bad[0].rt = NULL, bad[0].want = HFFI_EINVAL, bad[0].name = "NULL";
    bad[1].rt = &zeroed, bad[1].want = HFFI_EINVAL, bad[1].name = "zeroed";
    bad[2].rt = &forged, bad[2].want = HFFI_EINVAL, bad[2].name = "bad magic";
    bad[3].rt = &old, bad[3].want = HFFI_EVERSION, bad[3].name = "other version";
    ids[0] = go, ids[1] = obj, ids[2] = 0, ids[3] = go | HFFI_REF_TAG;
    ids[4] = hffi_handle_make(0, 1, 0), ids[5] = hffi_handle_make(9, 1, 0);
    destroyed = 0;
    for (int i = 0; i < 4; i++) {
        const hffi_rt *r = bad[i].rt;
        int32_t want = bad[i].want;
        fprintf(stderr, "handles_test: %s root\n", bad[i].name);
        for (int j = 0; j < 6; j++) {
            hffi_handle h = ids[j];
            TU_EQ(hffi_handle_check(r, h), want);
            TU_EQ(hffi_handle_check_in(r, 8, h), want);
            TU_EQ(hffi_handle_check_in(r, 3, h), want);
            TU_EQ(hffi_handle_retain(r, h), want);
            TU_EQ(hffi_handle_release(r, h), want);
            TU_EQ(hffi_cobj_get(r, h, &p), want);
            TU_EQ(hffi_cobj_get(r, h, NULL), want);
            TU_EQ(hffi_cobj_destroy(r, h), want);
        }
        TU_EQ(hffi_cobj_register(r, 8, &x, count_dtor, &out), want);
        TU_EQ(hffi_cobj_register(r, 8, &x, count_dtor, NULL), want);
        TU_EQ(hffi_cobj_register(r, 8, NULL, count_dtor, &out), want);
        TU_EQ(hffi_cobj_register(r, 0, &x, count_dtor, &out), want);
    }
    TU_CHECK(p == NULL && out == 0); /* outputs written on success only */
    TU_EQ(destroyed, 0);
    TU_EQ(hu_slot(rt, go)->word >> HFFI_SLOT_RETAIN_SHIFT, 1); /* no retain or release got through */
    TU_EQ(hu_count(t, HFFI_SLOT_LIVE), 2);                     /* nothing registered or destroyed */
    TU_EQ(hffi_cobj_get(rt, obj, NULL), HFFI_EINVAL);
    TU_EQ(hffi_cobj_register(rt, 8, &x, NULL, NULL), HFFI_EINVAL);
    TU_EQ(hffi_cobj_register(rt, 8, NULL, NULL, &out), HFFI_EINVAL);
    TU_EQ(hffi_handle_release(rt, go), HFFI_OK);
    TU_EQ(hu_go_delete(rt, go), 0);
    TU_EQ(hffi_cobj_destroy(rt, obj), HFFI_OK);
    TU_EQ(destroyed, 1);
    tu_table_close(t);
}

int main(void) {
    hffi_rt *rt = tu_root_new();
    test_codes(rt);
    test_retain(rt);
    test_cobj(rt);
    test_grow(rt);
    test_grow_runs(rt);
    test_retire(rt);
    test_debug(rt);
    test_bad_root(rt);
    tu_root_free(rt);
    return TU_DONE("handles_test");
}
