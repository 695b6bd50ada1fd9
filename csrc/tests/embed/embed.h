/* SPDX-License-Identifier: Apache-2.0 */
/* embed.h - what libraries A and B export to embed_test.c. */
#ifndef HFFI_EMBED_TEST_H
#define HFFI_EMBED_TEST_H

#include "hffi.h"

#ifdef __cplusplus
extern "C" {
#endif
int32_t a_register(const hffi_rt *rt, uint32_t table, void *p, hffi_dtor d, hffi_handle *h_out);
int32_t a_strdup(const hffi_rt *rt, hffi_arena a, const char *s, hffi_ref *ref_out);
const char *a_err_name(int32_t code);
int32_t b_destroy(const hffi_rt *rt, hffi_handle h);
int32_t b_get(const hffi_rt *rt, hffi_handle h, void **ptr_out);
int32_t b_read(const hffi_rt *rt, hffi_ref r, const char **s_out);
#ifdef __cplusplus
}
#endif

#endif
