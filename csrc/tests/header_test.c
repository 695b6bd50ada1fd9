/* SPDX-License-Identifier: Apache-2.0 */
/* header_test.c - the static inline part of hffi.h: bit packing, the root
 * check and the handle checks. The Makefile builds it as C99 and as C++11
 * (linked against the C library), so it also proves the header's C++
 * linkage. */
#include "testutil.h"

static void test_ref_packing(void) {
    struct {
        uint32_t slot, gen;
        uint64_t off;
    } cases[] = {
        {1, 1, 0},
        {1, 1, HFFI_ARENA_PREFIX},
        {HFFI_ARENA_SLOTS - 1, HFFI_ARENA_GEN_MAX, HFFI_ARENA_MAX_SIZE - 8},
        {12345, 777, UINT64_C(3) << 30},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hffi_ref r = hffi_ref_make(cases[i].slot, cases[i].gen, cases[i].off);
        TU_CHECK(r & HFFI_REF_TAG);
        TU_EQ(hffi_ref_slot(r), cases[i].slot);
        TU_EQ(hffi_ref_gen(r), cases[i].gen);
        TU_EQ(hffi_ref_offset(r), cases[i].off);
    }
    TU_EQ(hffi_ref_make(HFFI_ARENA_SLOTS - 1, HFFI_ARENA_GEN_MAX, HFFI_ARENA_MAX_SIZE - 8),
          UINT64_MAX);
    TU_EQ(HFFI_REF_SLOT_SHIFT + HFFI_REF_SLOT_BITS, 63);
    TU_EQ(HFFI_REF_GEN_SHIFT + HFFI_REF_GEN_BITS, HFFI_REF_SLOT_SHIFT);
    TU_EQ(HFFI_REF_OFF_BITS, HFFI_REF_GEN_SHIFT);
}

static void test_handle_packing(void) {
    hffi_handle h = hffi_handle_make(HFFI_TABLE_SLOTS - 1, HFFI_HANDLE_GEN_MAX, HFFI_HANDLE_INDEX_MAX);
    TU_EQ(h, UINT64_MAX >> 1);
    TU_EQ(hffi_handle_table(h), HFFI_TABLE_SLOTS - 1);
    TU_EQ(hffi_handle_gen(h), HFFI_HANDLE_GEN_MAX);
    TU_EQ(hffi_handle_index(h), HFFI_HANDLE_INDEX_MAX);
    h = hffi_handle_make(3, 5, 7);
    TU_EQ(hffi_handle_table(h), 3);
    TU_EQ(hffi_handle_gen(h), 5);
    TU_EQ(hffi_handle_index(h), 7);
    TU_EQ(HFFI_HANDLE_TABLE_SHIFT + HFFI_HANDLE_TABLE_BITS, 63);
    TU_EQ(HFFI_HANDLE_GEN_SHIFT + HFFI_HANDLE_GEN_BITS, HFFI_HANDLE_TABLE_SHIFT);
    TU_EQ(HFFI_HANDLE_INDEX_BITS, HFFI_HANDLE_GEN_SHIFT);
}

static void test_rt_check(hffi_rt *rt) {
    TU_EQ(hffi_rt_check(rt), HFFI_OK);
    TU_EQ(hffi_rt_check(NULL), HFFI_EINVAL);
    rt->abi_version++;
    TU_EQ(hffi_rt_check(rt), HFFI_EVERSION);
    rt->abi_version--;
    rt->magic = 0;
    TU_EQ(hffi_rt_check(rt), HFFI_EINVAL);
    rt->magic = HFFI_RT_MAGIC;
}

static uint64_t slot_word(uint32_t gen, uint32_t state, uint32_t kind, uint32_t retains) {
    return (uint64_t)gen | ((uint64_t)state << HFFI_SLOT_STATE_SHIFT) |
           ((uint64_t)kind << HFFI_SLOT_KIND_SHIFT) | ((uint64_t)retains << HFFI_SLOT_RETAIN_SHIFT);
}

static void test_handle_check(hffi_rt *rt) {
    hffi_table *t = tu_table_open(rt, 2, 16, 8);
    tu_table_slot(t, 1)->word = slot_word(3, HFFI_SLOT_LIVE, HFFI_KIND_GO, 0);
    tu_table_slot(t, 2)->word = slot_word(4, HFFI_SLOT_FREE, HFFI_KIND_GO, 0);
    tu_table_slot(t, 3)->word = slot_word(2, HFFI_SLOT_RELEASED, HFFI_KIND_GO, 1);
    tu_table_slot(t, 4)->word = slot_word(2, HFFI_SLOT_RELEASED, HFFI_KIND_GO, 0);
    tu_table_slot(t, 5)->word = slot_word(HFFI_HANDLE_GEN_MAX, HFFI_SLOT_RETIRED, HFFI_KIND_GO, 0);
    struct {
        hffi_handle h;
        int32_t want;
    } cases[] = {
        {hffi_handle_make(2, 3, 1), HFFI_OK},
        {hffi_handle_make(2, 2, 1), HFFI_ESTALE},
        {hffi_handle_make(2, 4, 1), HFFI_EFORGED},
        {hffi_handle_make(2, 3, 2), HFFI_EDELETED}, /* freed: gen+1 is next */
        {hffi_handle_make(2, 2, 2), HFFI_ESTALE},
        {hffi_handle_make(2, 4, 2), HFFI_EFORGED}, /* never issued */
        {hffi_handle_make(2, 2, 3), HFFI_OK},      /* released but retained by C */
        {hffi_handle_make(2, 2, 4), HFFI_EDELETED},
        {hffi_handle_make(2, HFFI_HANDLE_GEN_MAX, 5), HFFI_ERETIRED},
        {hffi_handle_make(2, 1, 8), HFFI_ERANGE}, /* beyond cap */
        {hffi_handle_make(2, 0, 1), HFFI_EFORGED},
        {hffi_handle_make(0, 1, 1), HFFI_ERANGE},
        {hffi_handle_make(3, 1, 1), HFFI_ERANGE}, /* unused table */
        {0, HFFI_EZERO},
        {hffi_ref_make(1, 1, 64), HFFI_EKIND},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        TU_EQ(hffi_handle_check(rt, cases[i].h), cases[i].want);
    TU_EQ(hffi_handle_check_in(rt, 2, hffi_handle_make(2, 3, 1)), HFFI_OK);
    TU_EQ(hffi_handle_check_in(rt, 1, hffi_handle_make(2, 3, 1)), HFFI_ETABLE);
    TU_EQ(hffi_handle_check_in(rt, 1, 0), HFFI_EZERO);
    tu_table_close(t);
    TU_EQ(hffi_handle_check(rt, hffi_handle_make(2, 3, 1)), HFFI_ECLOSED);
}

int main(void) {
    hffi_rt *rt = tu_root_new();
    TU_EQ(hffi_version(), HFFI_VERSION_NUMBER);
    test_ref_packing();
    test_handle_packing();
    test_rt_check(rt);
    test_handle_check(rt);
    tu_root_free(rt);
#ifdef __cplusplus
    return TU_DONE("header (C++)");
#else
    return TU_DONE("header (C)");
#endif
}
