/* SPDX-License-Identifier: Apache-2.0 */
/* arena_snapshot_test.c - forces, through the HFFI_TEST_HOOKS hook, a Reset,
 * a Free or the reuse of the slot by another arena between a lookup's first
 * load of the slot word and its loads of base and used. hffi_ref_resolve
 * and the hffi_val_* accessors must answer by the new word (ESTALE or
 * ECLOSED), never EBOUNDS and never an address in the arena that took the
 * slot over. */
#include "testutil.h"

static hffi_rt *rt;

enum action { NONE, RESET, FREE, REUSE };

static enum action act;
static int fired;           /* hook calls that acted */
static int calls;           /* hook calls */
static hffi_arena cur;      /* the arena the hook acts on */
static void *reuse_base;    /* base of the arena that took the slot over */

/* reopen frees the arena and makes another one, four times as large, in
 * the same slot, with more allocated than the old one had. */
static void reopen(void) {
    uint32_t slot = hffi_ref_slot(cur);
    void *p = NULL;
    tu_arena_free(rt, cur);
    cur = tu_arena_open(rt, slot, 4 << 20, 0);
    if (hffi_arena_alloc(rt, cur, 1 << 20, 8, &p, NULL) != HFFI_OK) tu_die("reopen: alloc");
    reuse_base = (void *)(uintptr_t)tu_arena_hdr(rt, slot)->base;
}

static void hook(const hffi_rt *r, hffi_ref ref) {
    (void)r;
    (void)ref;
    calls++;
    if (act == NONE || fired > 0) return;
    fired++;
    switch (act) {
    case RESET:
        cur = tu_arena_reset(rt, cur);
        break;
    case FREE:
        tu_arena_free(rt, cur);
        break;
    case REUSE:
        reopen();
        break;
    case NONE:
        break;
    }
}

/* setup opens a fresh arena in slot 3 with a 16-byte INT node at the
 * first offset and 4 KiB after it, and returns the node's reference. */
static hffi_ref setup(enum action a) {
    hffi_ref v = 0;
    void *p = NULL;
    cur = tu_arena_open(rt, 3, 1 << 20, 0);
    if (hffi_val_new(rt, cur, &v) != HFFI_OK) tu_die("setup: hffi_val_new");
    if (hffi_val_set_int(rt, v, 42) != HFFI_OK) tu_die("setup: hffi_val_set_int");
    if (hffi_arena_alloc(rt, cur, 4096, 8, &p, NULL) != HFFI_OK) tu_die("setup: alloc");
    act = a;
    fired = 0;
    calls = 0;
    return v;
}

static void teardown(void) {
    act = NONE;
    if (hffi_arena_check(rt, cur) == HFFI_OK) tu_arena_free(rt, cur);
}

static void test_resolve(enum action a, int32_t want) {
    void *p = NULL;
    hffi_ref v = setup(a);
    p = (void *)1;
    TU_EQ(hffi_ref_resolve(rt, v, HFFI_VAL_SIZE, &p), want);
    TU_EQ(fired, a == NONE ? 0 : 1);
    if (want == HFFI_OK) {
        TU_CHECK(p != (void *)1);
    } else {
        TU_CHECK(p == (void *)1); /* untouched on error */
    }
    teardown();
}

/* test_reuse: the old code resolved a reference to the freed arena into
 * the arena that took its slot over. */
static void test_reuse(void) {
    void *p = NULL;
    hffi_ref v = setup(REUSE);
    TU_EQ(hffi_ref_resolve(rt, v, HFFI_VAL_SIZE, &p), HFFI_ESTALE);
    TU_EQ(fired, 1);
    TU_CHECK(p == NULL);
    TU_CHECK(reuse_base != NULL);
    teardown();
}

static void test_values(enum action a, int32_t want) {
    hffi_ref v = setup(a);
    uint32_t kind = 99;
    int64_t i = 0;
    TU_EQ(hffi_val_kind(rt, v, &kind), want);
    TU_EQ(kind, want == HFFI_OK ? HFFI_VAL_INT : 99);
    teardown();

    v = setup(a);
    TU_EQ(hffi_val_get_int(rt, v, &i), want);
    TU_EQ(i, want == HFFI_OK ? 42 : 0);
    teardown();
}

/* With nothing changing, the hook runs once: the lookup does not loop. */
static void test_no_change_one_pass(void) {
    void *p = NULL;
    hffi_ref v = setup(NONE);
    TU_EQ(hffi_ref_resolve(rt, v, HFFI_VAL_SIZE, &p), HFFI_OK);
    TU_EQ(calls, 1);
    teardown();
}

int main(void) {
    rt = tu_root_new();
    _hffi_test_hook_snapshot = hook;
    test_no_change_one_pass();
    test_resolve(NONE, HFFI_OK);
    test_resolve(RESET, HFFI_ESTALE);
    test_resolve(FREE, HFFI_ECLOSED);
    test_reuse();
    test_values(NONE, HFFI_OK);
    test_values(RESET, HFFI_ESTALE);
    test_values(FREE, HFFI_ECLOSED);
    test_values(REUSE, HFFI_ESTALE);
    _hffi_test_hook_snapshot = NULL;
    tu_root_free(rt);
    return TU_DONE("arena_snapshot");
}
