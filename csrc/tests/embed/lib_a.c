/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib_a.c - "library A": embeds a private (static) copy of the hffi
 * implementation, compiled as C99. Linked into one program with library
 * B's copy (compiled as C++) and with libhffi's objects, which define the
 * same names with external linkage: no duplicate symbol, and all three
 * copies work on the same root.
 */
#include <stdio.h> /* a system header first, as user code does */

#define HFFI_IMPLEMENTATION
#include "hffi.h"

#include "embed.h"

int32_t a_register(const hffi_rt *rt, uint32_t table, void *p, hffi_dtor d, hffi_handle *h_out) {
    return hffi_cobj_register(rt, table, p, d, h_out);
}

int32_t a_strdup(const hffi_rt *rt, hffi_arena a, const char *s, hffi_ref *ref_out) {
    char *p = NULL;
    return hffi_arena_strdup(rt, a, s, &p, ref_out);
}

const char *a_err_name(int32_t code) { return hffi_err_name(code); }
