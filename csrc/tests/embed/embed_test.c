/* SPDX-License-Identifier: Apache-2.0 */
/*
 * embed_test.c - three copies of the implementation in one program:
 * libhffi's (external linkage, called here), library A's and library B's
 * (static, through HFFI_IMPLEMENTATION). What one copy does to the root,
 * the others see: state lives only in the root.
 */
#include "../testutil.h"

#include "embed.h"

static int destroyed;
static void count_dtor(void *p) {
    (void)p;
    destroyed++;
}

int main(void) {
    hffi_rt *rt = tu_root_new();
    hffi_arena a = tu_arena_open(rt, 1, 1 << 20, 0);
    hffi_handle h = 0;
    hffi_ref r = 0;
    int x = 0;
    void *p = NULL;
    const char *s = NULL;
    tu_table_open(rt, 8, 64, 0);

    /* A registers, libhffi and B see it, B destroys, all see that. */
    TU_EQ(a_register(rt, 8, &x, count_dtor, &h), HFFI_OK);
    TU_EQ(hffi_handle_check(rt, h), HFFI_OK);
    TU_EQ(hffi_cobj_get(rt, h, &p), HFFI_OK);
    TU_CHECK(p == &x);
    p = NULL;
    TU_EQ(b_get(rt, h, &p), HFFI_OK);
    TU_CHECK(p == &x);
    TU_EQ(b_destroy(rt, h), HFFI_OK);
    TU_EQ(destroyed, 1);
    TU_EQ(hffi_cobj_destroy(rt, h), HFFI_EDELETED);
    TU_EQ(b_destroy(rt, h), HFFI_EDELETED);
    TU_EQ(destroyed, 1);
    TU_EQ(hffi_handle_check(rt, h), HFFI_EDELETED);

    /* A allocates, B resolves; after a reset every copy says stale. */
    TU_EQ(a_strdup(rt, a, "shared", &r), HFFI_OK);
    TU_EQ(b_read(rt, r, &s), HFFI_OK);
    TU_CHECK(s != NULL && strcmp(s, "shared") == 0);
    tu_arena_reset(rt, a);
    TU_EQ(b_read(rt, r, &s), HFFI_ESTALE);
    TU_EQ(hffi_ref_resolve(rt, r, 1, &p), HFFI_ESTALE);
    TU_CHECK(strcmp(a_err_name(HFFI_ESTALE), "HFFI_ESTALE") == 0);

    tu_arena_free(rt, a);
    tu_root_free(rt);
    return TU_DONE("embed_test");
}
