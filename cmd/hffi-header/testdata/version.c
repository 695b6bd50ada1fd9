/* SPDX-License-Identifier: Apache-2.0 */
/*
 * version.c - calls every hffi entry point that takes a root, for
 * TestOtherABIVersion: built against a copy of hffi.h whose
 * HFFI_ABI_VERSION is bumped, each must return HFFI_EVERSION on the root of
 * the running Go side. The implementation is embedded (HFFI_IMPLEMENTATION),
 * as a C library of another hffi version would carry it.
 */
#define HFFI_IMPLEMENTATION
#include "hffi.h"

static const char *const names[] = {
    "hffi_rt_check", "hffi_handle_check", "hffi_ref_resolve", "hffi_arena_check",
    "hffi_val_kind", "hffi_handle_check_in", "hffi_handle_retain", "hffi_handle_release",
    "hffi_cobj_register", "hffi_cobj_get", "hffi_cobj_destroy", "hffi_arena_alloc",
    "hffi_arena_strdup", "hffi_arena_memdup", "hffi_ref_of", "hffi_val_len",
    "hffi_val_get_bool", "hffi_val_get_int", "hffi_val_get_uint", "hffi_val_get_float",
    "hffi_val_get_str", "hffi_val_get_bytes", "hffi_val_get_handle", "hffi_val_list_at",
    "hffi_val_map_find", "hffi_val_map_at", "hffi_val_path", "hffi_val_new",
    "hffi_val_set_null", "hffi_val_set_bool", "hffi_val_set_int", "hffi_val_set_uint",
    "hffi_val_set_float", "hffi_val_set_str", "hffi_val_set_bytes", "hffi_val_set_handle",
    "hffi_val_set_list", "hffi_val_set_map", "hffi_val_map_set_key", "hffi_val_map_sort",
};

int32_t vt_count(void) { return (int32_t)(sizeof names / sizeof names[0]); }

const char *vt_name(int32_t i) { return i >= 0 && i < vt_count() ? names[i] : "?"; }

/* vt_rc returns what entry point i returns for rt, a live handle h, a
 * reference v to a value tree and its arena a. The first five only read. */
int32_t vt_rc(const hffi_rt *rt, hffi_handle h, hffi_ref v, hffi_arena a, int32_t i) {
    void *p = 0;
    char *cp = 0;
    const char *s = 0;
    const void *cvp = 0;
    uint64_t n = 0, u = 0;
    uint32_t k = 0;
    int64_t i64 = 0;
    double f = 0;
    bool b = false;
    hffi_ref r = 0;
    hffi_handle hh = 0;
    static int obj;
    switch (i) {
    case 0: return hffi_rt_check(rt);
    case 1: return hffi_handle_check(rt, h);
    case 2: return hffi_ref_resolve(rt, v, 16, &p);
    case 3: return hffi_arena_check(rt, a);
    case 4: return hffi_val_kind(rt, v, &k);
    case 5: return hffi_handle_check_in(rt, hffi_handle_table(h), h);
    case 6: return hffi_handle_retain(rt, h);
    case 7: return hffi_handle_release(rt, h);
    case 8: return hffi_cobj_register(rt, HFFI_TABLE_DEFAULT, &obj, 0, &hh);
    case 9: return hffi_cobj_get(rt, h, &p);
    case 10: return hffi_cobj_destroy(rt, h);
    case 11: return hffi_arena_alloc(rt, a, 8, 8, &p, &r);
    case 12: return hffi_arena_strdup(rt, a, "s", &cp, &r);
    case 13: return hffi_arena_memdup(rt, a, "s", 1, &p, &r);
    case 14: return hffi_ref_of(rt, a, &obj, &r);
    case 15: return hffi_val_len(rt, v, &n);
    case 16: return hffi_val_get_bool(rt, v, &b);
    case 17: return hffi_val_get_int(rt, v, &i64);
    case 18: return hffi_val_get_uint(rt, v, &u);
    case 19: return hffi_val_get_float(rt, v, &f);
    case 20: return hffi_val_get_str(rt, v, &s, &n);
    case 21: return hffi_val_get_bytes(rt, v, &cvp, &n);
    case 22: return hffi_val_get_handle(rt, v, &hh);
    case 23: return hffi_val_list_at(rt, v, 0, &r);
    case 24: return hffi_val_map_find(rt, v, "k", HFFI_VAL_NTS, &r);
    case 25: return hffi_val_map_at(rt, v, 0, &r, &r);
    case 26: return hffi_val_path(rt, v, "k", &r);
    case 27: return hffi_val_new(rt, a, &r);
    case 28: return hffi_val_set_null(rt, v);
    case 29: return hffi_val_set_bool(rt, v, true);
    case 30: return hffi_val_set_int(rt, v, 1);
    case 31: return hffi_val_set_uint(rt, v, 1);
    case 32: return hffi_val_set_float(rt, v, 1);
    case 33: return hffi_val_set_str(rt, v, "s", HFFI_VAL_NTS);
    case 34: return hffi_val_set_bytes(rt, v, "s", 1);
    case 35: return hffi_val_set_handle(rt, v, h);
    case 36: return hffi_val_set_list(rt, v, 1);
    case 37: return hffi_val_set_map(rt, v, 1);
    case 38: return hffi_val_map_set_key(rt, v, 0, "k", HFFI_VAL_NTS, &r);
    case 39: return hffi_val_map_sort(rt, v);
    }
    return HFFI_EINVAL;
}
