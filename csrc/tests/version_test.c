/* SPDX-License-Identifier: Apache-2.0 */
/*
 * version_test.c - every entry point that takes a root refuses a NULL,
 * zeroed, foreign or other-version root with hffi_rt_check's code, before
 * it reads anything else (handles_test.c covers the handle functions).
 * A root whose abi_version differs from this header's HFFI_ABI_VERSION is
 * what C built with another hffi version's header sees.
 */
#include "testutil.h"

static void test_bad_root(hffi_rt *rt) {
    hffi_arena a = tu_arena_open(rt, 1, 1 << 20, 0);
    hffi_rt zeroed, forged, other;
    struct {
        const hffi_rt *rt;
        int32_t want;
        const char *name;
    } bad[4];
    hffi_ref v = 0, m = 0, s = 0, r = 0, out = 0;
    void *p = NULL;
    char *cp = NULL;
    const char *str = NULL;
    const void *bytes = NULL;
    uint64_t n = 0, used;
    uint32_t kind = 0;
    int64_t i64 = 0;
    uint64_t u64 = 0;
    double f = 0;
    bool b = false;
    hffi_handle h = 0;

    /* A tree to point at: {"k": "a string longer than seven bytes"}. */
    TU_EQ(hffi_val_new(rt, a, &m), HFFI_OK);
    TU_EQ(hffi_val_set_map(rt, m, 1), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, m, 0, "k", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_set_str(rt, v, "a string longer than seven bytes", HFFI_VAL_NTS), HFFI_OK);
    TU_EQ(hffi_val_map_sort(rt, m), HFFI_OK);
    TU_EQ(hffi_val_new(rt, a, &s), HFFI_OK);
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, &p, &r), HFFI_OK);
    used = _hffi_load(&tu_arena_hdr(rt, 1)->used);

    memset(&zeroed, 0, sizeof zeroed);
    forged = *rt;
    forged.magic ^= 1; /* otherwise usable: its registries are real */
    other = *rt;
    other.abi_version = HFFI_ABI_VERSION + 1;
    bad[0].rt = NULL, bad[0].want = HFFI_EINVAL, bad[0].name = "NULL";
    bad[1].rt = &zeroed, bad[1].want = HFFI_EINVAL, bad[1].name = "zeroed";
    bad[2].rt = &forged, bad[2].want = HFFI_EINVAL, bad[2].name = "bad magic";
    bad[3].rt = &other, bad[3].want = HFFI_EVERSION, bad[3].name = "other version";
    for (int i = 0; i < 4; i++) {
        const hffi_rt *x = bad[i].rt;
        int32_t want = bad[i].want;
        fprintf(stderr, "version_test: %s root\n", bad[i].name);
        TU_EQ(hffi_rt_check(x), want);
        /* Valid identifiers and zero: the root decides before either. */
        TU_EQ(hffi_ref_resolve(x, r, 8, &p), want);
        TU_EQ(hffi_ref_resolve(x, 0, 8, &p), want);
        TU_EQ(hffi_arena_check(x, a), want);
        TU_EQ(hffi_arena_check(x, 0), want);
        TU_EQ(hffi_arena_alloc(x, a, 8, 8, &p, &out), want);
        TU_EQ(hffi_arena_strdup(x, a, "s", &cp, &out), want);
        TU_EQ(hffi_arena_memdup(x, a, "s", 1, &p, &out), want);
        TU_EQ(hffi_ref_of(x, a, p, &out), want);
        TU_EQ(hffi_val_kind(x, m, &kind), want);
        TU_EQ(hffi_val_len(x, m, &n), want);
        TU_EQ(hffi_val_get_bool(x, v, &b), want);
        TU_EQ(hffi_val_get_int(x, v, &i64), want);
        TU_EQ(hffi_val_get_uint(x, v, &u64), want);
        TU_EQ(hffi_val_get_float(x, v, &f), want);
        TU_EQ(hffi_val_get_str(x, v, &str, &n), want);
        TU_EQ(hffi_val_get_bytes(x, v, &bytes, &n), want);
        TU_EQ(hffi_val_get_handle(x, v, &h), want);
        TU_EQ(hffi_val_list_at(x, v, 0, &out), want);
        TU_EQ(hffi_val_map_find(x, m, "k", HFFI_VAL_NTS, &out), want);
        TU_EQ(hffi_val_map_at(x, m, 0, &out, &out), want);
        TU_EQ(hffi_val_path(x, m, "k", &out), want);
        TU_EQ(hffi_val_new(x, a, &out), want);
        TU_EQ(hffi_val_set_null(x, s), want);
        TU_EQ(hffi_val_set_bool(x, s, true), want);
        TU_EQ(hffi_val_set_int(x, s, 1), want);
        TU_EQ(hffi_val_set_uint(x, s, 1), want);
        TU_EQ(hffi_val_set_float(x, s, 1), want);
        TU_EQ(hffi_val_set_str(x, s, "s", HFFI_VAL_NTS), want);
        TU_EQ(hffi_val_set_bytes(x, s, "s", 1), want);
        TU_EQ(hffi_val_set_handle(x, s, hffi_handle_make(1, 1, 0)), want);
        TU_EQ(hffi_val_set_list(x, s, 1), want);
        TU_EQ(hffi_val_set_map(x, s, 1), want);
        TU_EQ(hffi_val_map_set_key(x, m, 0, "k", HFFI_VAL_NTS, &out), want);
        TU_EQ(hffi_val_map_sort(x, m), want);
    }
    /* Nothing was allocated or written through a bad root. */
    TU_EQ(_hffi_load(&tu_arena_hdr(rt, 1)->used), used);
    TU_EQ(hffi_val_kind(rt, s, &kind), HFFI_OK);
    TU_EQ(kind, HFFI_VAL_NULL);
    TU_EQ(hffi_val_get_str(rt, v, &str, &n), HFFI_OK);
    TU_EQ(n, 32);
    tu_arena_free(rt, a);
}

int main(void) {
    hffi_rt *rt = tu_root_new();
    test_bad_root(rt);
    tu_root_free(rt);
    return TU_DONE("version_test");
}
