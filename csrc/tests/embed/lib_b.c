/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib_b.c - "library B": another private copy of the implementation,
 * compiled as C++ (see lib_a.c).
 */
#define HFFI_IMPLEMENTATION
#include "hffi.h"

#include "embed.h"

int32_t b_destroy(const hffi_rt *rt, hffi_handle h) { return hffi_cobj_destroy(rt, h); }

int32_t b_get(const hffi_rt *rt, hffi_handle h, void **ptr_out) { return hffi_cobj_get(rt, h, ptr_out); }

int32_t b_read(const hffi_rt *rt, hffi_ref r, const char **s_out) {
    void *p = NULL;
    int32_t rc = hffi_ref_resolve(rt, r, 1, &p);
    if (rc == 0) *s_out = (const char *)p;
    return rc;
}
