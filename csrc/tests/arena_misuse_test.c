/* SPDX-License-Identifier: Apache-2.0 */
/* arena_misuse_test.c - every arena, reference and value entry point of
 * hffi.h (the static inline ones too) answers a NULL root, a root that is
 * not hffi's (bad magic), a root of another ABI version and a NULL
 * required output with an error code instead of a crash. */
#include "testutil.h"

static hffi_rt *rt;

/* The bad roots every entry point is called with, and what they give. */
static hffi_rt foreign;  /* zeroed: no magic */
static hffi_rt impostor; /* another magic, and addresses that must not be used */
static hffi_rt old_abi;  /* hffi's magic, another ABI version */

static struct {
    const hffi_rt *rt;
    int32_t want;
    const char *what;
} bad[4];

static void init_bad(void) {
    impostor = *rt;
    impostor.magic = HFFI_RT_MAGIC ^ 1;
    impostor.arenas = 8; /* a dereference would crash */
    impostor.tables = 8;
    old_abi = *rt;
    old_abi.abi_version = HFFI_ABI_VERSION + 1;
    bad[0].rt = NULL, bad[0].want = HFFI_EINVAL, bad[0].what = "NULL root";
    bad[1].rt = &foreign, bad[1].want = HFFI_EINVAL, bad[1].what = "zeroed root";
    bad[2].rt = &impostor, bad[2].want = HFFI_EINVAL, bad[2].what = "bad magic";
    bad[3].rt = &old_abi, bad[3].want = HFFI_EVERSION, bad[3].what = "other ABI version";
}

/* BAD_ROOTS runs `call`, in which R names the root, with every bad root. */
#define BAD_ROOTS(call)                                                                 \
    do {                                                                                \
        for (int i_ = 0; i_ < 4; i_++) {                                                \
            const hffi_rt *R = bad[i_].rt;                                              \
            int32_t rc_ = (call);                                                       \
            if (rc_ != bad[i_].want)                                                    \
                fprintf(stderr, "%s:%d: %s with a %s: got %d, want %d\n", __FILE__,     \
                        __LINE__, #call, bad[i_].what, (int)rc_, (int)bad[i_].want);    \
            TU_EQ(rc_, bad[i_].want);                                                   \
        }                                                                               \
    } while (0)

static void test_arena_entry_points(void) {
    hffi_arena a = tu_arena_open(rt, 1, 1 << 20, 0);
    void *p = NULL;
    char *s = NULL;
    hffi_ref ref = 0;
    TU_EQ(hffi_arena_alloc(rt, a, 16, 8, &p, &ref), HFFI_OK);

    BAD_ROOTS(hffi_ref_resolve(R, ref, 8, &p));
    BAD_ROOTS(hffi_arena_check(R, a));
    BAD_ROOTS(hffi_arena_alloc(R, a, 8, 8, &p, &ref));
    BAD_ROOTS(hffi_arena_strdup(R, a, "x", &s, &ref));
    BAD_ROOTS(hffi_arena_memdup(R, a, "x", 1, &p, &ref));
    BAD_ROOTS(hffi_ref_of(R, a, p, &ref));

    /* Required outputs. */
    TU_EQ(hffi_ref_resolve(rt, ref, 8, NULL), HFFI_EINVAL);
    TU_EQ(hffi_ref_resolve(NULL, ref, 8, NULL), HFFI_EINVAL);
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, NULL, &ref), HFFI_EINVAL);
    TU_EQ(hffi_ref_of(rt, a, p, NULL), HFFI_EINVAL);
    TU_EQ(hffi_arena_strdup(rt, a, NULL, &s, &ref), HFFI_EINVAL);
    TU_EQ(hffi_arena_memdup(rt, a, NULL, 1, &p, &ref), HFFI_EINVAL);
    tu_arena_free(rt, a);
}

static void test_value_entry_points(void) {
    hffi_arena a = tu_arena_open(rt, 2, 1 << 20, 0);
    hffi_ref v = 0, m = 0, l = 0, out = 0;
    uint32_t kind = 0;
    uint64_t n = 0;
    bool b = false;
    int64_t i = 0;
    uint64_t u = 0;
    double f = 0;
    const char *s = NULL;
    const void *p = NULL;
    hffi_handle h = 0;

    TU_EQ(hffi_val_new(rt, a, &v), HFFI_OK);
    TU_EQ(hffi_val_new(rt, a, &m), HFFI_OK);
    TU_EQ(hffi_val_set_map(rt, m, 1), HFFI_OK);
    TU_EQ(hffi_val_new(rt, a, &l), HFFI_OK);
    TU_EQ(hffi_val_set_list(rt, l, 1), HFFI_OK);

    BAD_ROOTS(hffi_val_kind(R, v, &kind));
    BAD_ROOTS(hffi_val_len(R, l, &n));
    BAD_ROOTS(hffi_val_get_bool(R, v, &b));
    BAD_ROOTS(hffi_val_get_int(R, v, &i));
    BAD_ROOTS(hffi_val_get_uint(R, v, &u));
    BAD_ROOTS(hffi_val_get_float(R, v, &f));
    BAD_ROOTS(hffi_val_get_str(R, v, &s, &n));
    BAD_ROOTS(hffi_val_get_bytes(R, v, &p, &n));
    BAD_ROOTS(hffi_val_get_handle(R, v, &h));
    BAD_ROOTS(hffi_val_list_at(R, l, 0, &out));
    BAD_ROOTS(hffi_val_map_find(R, m, "k", HFFI_VAL_NTS, &out));
    BAD_ROOTS(hffi_val_map_at(R, m, 0, &out, &out));
    BAD_ROOTS(hffi_val_path(R, v, "", &out));
    BAD_ROOTS(hffi_val_new(R, a, &out));
    BAD_ROOTS(hffi_val_set_null(R, v));
    BAD_ROOTS(hffi_val_set_bool(R, v, true));
    BAD_ROOTS(hffi_val_set_int(R, v, 1));
    BAD_ROOTS(hffi_val_set_uint(R, v, 1));
    BAD_ROOTS(hffi_val_set_float(R, v, 1.5));
    BAD_ROOTS(hffi_val_set_str(R, v, "a string longer than seven", HFFI_VAL_NTS));
    BAD_ROOTS(hffi_val_set_bytes(R, v, "xyz", 3));
    BAD_ROOTS(hffi_val_set_handle(R, v, hffi_handle_make(1, 1, 0)));
    BAD_ROOTS(hffi_val_set_list(R, v, 2));
    BAD_ROOTS(hffi_val_set_map(R, v, 2));
    BAD_ROOTS(hffi_val_map_set_key(R, m, 0, "k", HFFI_VAL_NTS, &out));
    BAD_ROOTS(hffi_val_map_sort(R, m));

    /* Nothing was written through the bad roots. */
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_OK);
    TU_EQ(kind, HFFI_VAL_NULL);

    /* Required outputs. */
    TU_EQ(hffi_val_kind(rt, v, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_len(rt, l, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_get_bool(rt, v, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_get_int(rt, v, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_get_uint(rt, v, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_get_float(rt, v, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_get_str(rt, v, NULL, &n), HFFI_EINVAL);
    TU_EQ(hffi_val_get_bytes(rt, v, NULL, &n), HFFI_EINVAL);
    TU_EQ(hffi_val_get_handle(rt, v, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_list_at(rt, l, 0, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_map_find(rt, m, "k", HFFI_VAL_NTS, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_path(rt, v, "", NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_path(rt, v, NULL, &out), HFFI_EINVAL);
    TU_EQ(hffi_val_new(rt, a, NULL), HFFI_EINVAL);
    /* NULL inputs that have a length. */
    TU_EQ(hffi_val_set_str(rt, v, NULL, HFFI_VAL_NTS), HFFI_EINVAL);
    TU_EQ(hffi_val_set_str(rt, v, NULL, 3), HFFI_EINVAL);
    TU_EQ(hffi_val_set_bytes(rt, v, NULL, 3), HFFI_EINVAL);
    TU_EQ(hffi_val_map_find(rt, m, NULL, 3, &out), HFFI_EINVAL);
    TU_EQ(hffi_val_map_set_key(rt, m, 0, NULL, HFFI_VAL_NTS, &out), HFFI_EINVAL);
    TU_EQ(hffi_val_map_set_key(rt, m, 0, NULL, 3, &out), HFFI_EINVAL);
    tu_arena_free(rt, a);
}

int main(void) {
    rt = tu_root_new();
    init_bad();
    test_arena_entry_points();
    test_value_entry_points();
    tu_root_free(rt);
    return TU_DONE("arena_misuse");
}
