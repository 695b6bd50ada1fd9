/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quickstart.c - the C side of examples/quickstart. It only ever receives
 * integers from Go (the hffi root address, references, a handle, a
 * function pointer) and memory that is not Go's (arena memory).
 */
#include <stdio.h>
#include <string.h>

#include "hffi.h"

typedef int32_t (*qs_callback)(uintptr_t user_data, int64_t n);

static hffi_ref kept_ref;
static qs_callback kept_fn;
static uintptr_t kept_ud;

/* qs_describe resolves a reference to a NUL-terminated string, keeps the
 * reference for later and writes what it read into out. */
int32_t qs_describe(const hffi_rt *rt, hffi_ref s, char *out, uint64_t cap) {
    const char *p = NULL;
    int32_t rc = hffi_ref_resolve(rt, s, 1, (void **)&p);
    if (rc < 0) return rc;
    snprintf(out, (size_t)cap, "\"%s\" (%zu bytes)", p, strlen(p));
    kept_ref = s;
    return HFFI_OK;
}

/* qs_reread tries the reference kept by qs_describe again. */
int32_t qs_reread(const hffi_rt *rt) {
    void *p = NULL;
    return hffi_ref_resolve(rt, kept_ref, 1, &p);
}

/* qs_order reads nested fields of a value tree Go encoded from a map. */
int32_t qs_order(const hffi_rt *rt, hffi_ref order, char *out, uint64_t cap) {
    hffi_ref v = 0;
    const char *name = NULL, *item = NULL;
    double total = 0;
    uint64_t n = 0;
    int32_t rc;
    if ((rc = hffi_val_path(rt, order, "user.name", &v)) < 0) return rc;
    if ((rc = hffi_val_get_str(rt, v, &name, NULL)) < 0) return rc;
    if ((rc = hffi_val_path(rt, order, "items[1]", &v)) < 0) return rc;
    if ((rc = hffi_val_get_str(rt, v, &item, NULL)) < 0) return rc;
    if ((rc = hffi_val_path(rt, order, "items", &v)) < 0) return rc;
    if ((rc = hffi_val_len(rt, v, &n)) < 0) return rc;
    if ((rc = hffi_val_path(rt, order, "total", &v)) < 0) return rc;
    if ((rc = hffi_val_get_float(rt, v, &total)) < 0) return rc;
    snprintf(out, (size_t)cap, "user.name=%s items[1]=%s len(items)=%llu total=%.2f", name, item,
             (unsigned long long)n, total);
    return HFFI_OK;
}

/* qs_later keeps a Go callback (function pointer + handle as user data). */
void qs_later(qs_callback fn, uintptr_t user_data) {
    kept_fn = fn;
    kept_ud = user_data;
}

/* qs_fire calls the kept callback, as a C event loop would much later. */
int32_t qs_fire(int64_t n) { return kept_fn(kept_ud, n); }
