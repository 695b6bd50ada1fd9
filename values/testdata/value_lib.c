/* SPDX-License-Identifier: Apache-2.0 */
/*
 * value_lib.c - the C side of the values package's tests, built into a shared
 * library at test time (with csrc/hffi.c and csrc/hffi_value.c) and called
 * through purego.
 *
 * value_copy reads every field of a tree with the hffi_val_* accessors and
 * rebuilds it with the builders in another arena, so a Go -> C -> Go round
 * trip proves that both sides agree on every kind. value_walk visits
 * every node of a possibly corrupt tree and must only return error codes.
 */
#include "hffi.h"

#include <string.h>

static int32_t copy_val(const hffi_rt *rt, hffi_ref src, hffi_ref dst, int depth);

static int32_t copy_map(const hffi_rt *rt, hffi_ref src, hffi_ref dst, uint64_t n, int depth) {
    int32_t rc = hffi_val_set_map(rt, dst, n);
    if (rc < 0) return rc;
    for (uint64_t i = 0; i < n; i++) {
        hffi_ref k = 0, v = 0, dv = 0, found = 0;
        const char *key = NULL;
        uint64_t klen = 0;
        if ((rc = hffi_val_map_at(rt, src, i, &k, &v)) < 0) return rc;
        if ((rc = hffi_val_get_str(rt, k, &key, &klen)) < 0) return rc;
        /* lookup by key must find the same entry as iteration */
        if ((rc = hffi_val_map_find(rt, src, key, klen, &found)) < 0) return rc;
        if (found != v) return HFFI_ECORRUPT;
        if ((rc = hffi_val_map_set_key(rt, dst, i, key, klen, &dv)) < 0) return rc;
        if ((rc = copy_val(rt, v, dv, depth + 1)) < 0) return rc;
    }
    return hffi_val_map_sort(rt, dst);
}

static int32_t copy_list(const hffi_rt *rt, hffi_ref src, hffi_ref dst, uint64_t n, int depth) {
    int32_t rc = hffi_val_set_list(rt, dst, n);
    if (rc < 0) return rc;
    for (uint64_t i = 0; i < n; i++) {
        hffi_ref s = 0, d = 0;
        if ((rc = hffi_val_list_at(rt, src, i, &s)) < 0) return rc;
        if ((rc = hffi_val_list_at(rt, dst, i, &d)) < 0) return rc;
        if ((rc = copy_val(rt, s, d, depth + 1)) < 0) return rc;
    }
    return HFFI_OK;
}

static int32_t copy_val(const hffi_rt *rt, hffi_ref src, hffi_ref dst, int depth) {
    uint32_t kind = 0;
    uint64_t n = 0, u = 0;
    int64_t i = 0;
    double f = 0;
    bool b = false;
    const char *s = NULL;
    const void *p = NULL;
    hffi_handle h = 0;
    int32_t rc;
    if (depth > HFFI_VAL_MAX_DEPTH) return HFFI_EINVAL;
    if ((rc = hffi_val_kind(rt, src, &kind)) < 0) return rc;
    switch (kind) {
    case HFFI_VAL_NULL:
        return hffi_val_set_null(rt, dst);
    case HFFI_VAL_BOOL:
        if ((rc = hffi_val_get_bool(rt, src, &b)) < 0) return rc;
        return hffi_val_set_bool(rt, dst, b);
    case HFFI_VAL_INT:
        if ((rc = hffi_val_get_int(rt, src, &i)) < 0) return rc;
        return hffi_val_set_int(rt, dst, i);
    case HFFI_VAL_UINT:
        if ((rc = hffi_val_get_uint(rt, src, &u)) < 0) return rc;
        return hffi_val_set_uint(rt, dst, u);
    case HFFI_VAL_FLOAT:
        if ((rc = hffi_val_get_float(rt, src, &f)) < 0) return rc;
        return hffi_val_set_float(rt, dst, f);
    case HFFI_VAL_STR:
        if ((rc = hffi_val_get_str(rt, src, &s, &n)) < 0) return rc;
        if (s[n] != '\0') return HFFI_ECORRUPT;
        return hffi_val_set_str(rt, dst, s, n);
    case HFFI_VAL_BYTES:
        if ((rc = hffi_val_get_bytes(rt, src, &p, &n)) < 0) return rc;
        return hffi_val_set_bytes(rt, dst, p, n);
    case HFFI_VAL_HANDLE:
        if ((rc = hffi_val_get_handle(rt, src, &h)) < 0) return rc;
        return hffi_val_set_handle(rt, dst, h);
    case HFFI_VAL_LIST:
        if ((rc = hffi_val_len(rt, src, &n)) < 0) return rc;
        return copy_list(rt, src, dst, n, depth);
    case HFFI_VAL_MAP:
        if ((rc = hffi_val_len(rt, src, &n)) < 0) return rc;
        return copy_map(rt, src, dst, n, depth);
    }
    return HFFI_ECORRUPT;
}

/* value_copy copies the tree src into arena dst and writes its root. */
int32_t value_copy(const hffi_rt *rt, hffi_ref src, hffi_arena dst, hffi_ref *out) {
    hffi_ref root = 0;
    int32_t rc = hffi_val_new(rt, dst, &root);
    if (rc < 0) return rc;
    if ((rc = copy_val(rt, src, root, 0)) < 0) return rc;
    *out = root;
    return HFFI_OK;
}

/* value_path_int, value_path_float and value_path_str read one field by
 * path; value_path_kind gives its kind. */
int32_t value_path_kind(const hffi_rt *rt, hffi_ref root, const char *path, uint32_t *out) {
    hffi_ref v = 0;
    int32_t rc = hffi_val_path(rt, root, path, &v);
    if (rc < 0) return rc;
    return hffi_val_kind(rt, v, out);
}

int32_t value_path_int(const hffi_rt *rt, hffi_ref root, const char *path, int64_t *out) {
    hffi_ref v = 0;
    int32_t rc = hffi_val_path(rt, root, path, &v);
    if (rc < 0) return rc;
    return hffi_val_get_int(rt, v, out);
}

int32_t value_path_float(const hffi_rt *rt, hffi_ref root, const char *path, double *out) {
    hffi_ref v = 0;
    int32_t rc = hffi_val_path(rt, root, path, &v);
    if (rc < 0) return rc;
    return hffi_val_get_float(rt, v, out);
}

/* value_path_str copies the string into buf (cap bytes) with its NUL. */
int32_t value_path_str(const hffi_rt *rt, hffi_ref root, const char *path, char *buf,
                       uint64_t cap) {
    hffi_ref v = 0;
    const char *s = NULL;
    uint64_t n = 0;
    int32_t rc = hffi_val_path(rt, root, path, &v);
    if (rc < 0) return rc;
    if ((rc = hffi_val_get_str(rt, v, &s, &n)) < 0) return rc;
    if (n + 1 > cap) return HFFI_EBOUNDS;
    memcpy(buf, s, (size_t)n + 1);
    return HFFI_OK;
}

/* walk visits every node and reads every payload byte; corrupt trees may
 * share or loop links, so the number of visits is bounded. */
static int32_t walk(const hffi_rt *rt, hffi_ref v, int depth, uint64_t *budget, uint64_t *sum) {
    uint32_t kind = 0;
    uint64_t n = 0;
    int32_t rc;
    if (depth > 64 || *budget == 0) return HFFI_EINVAL;
    (*budget)--;
    if ((rc = hffi_val_kind(rt, v, &kind)) < 0) return rc;
    *sum += kind;
    if (kind == HFFI_VAL_STR || kind == HFFI_VAL_BYTES) {
        const void *p = NULL;
        rc = kind == HFFI_VAL_STR ? hffi_val_get_str(rt, v, (const char **)&p, &n)
                                  : hffi_val_get_bytes(rt, v, &p, &n);
        if (rc < 0) return rc;
        for (uint64_t i = 0; i <= n; i++) *sum += ((const unsigned char *)p)[i];
        return HFFI_OK;
    }
    if (kind == HFFI_VAL_LIST || kind == HFFI_VAL_MAP) {
        if ((rc = hffi_val_len(rt, v, &n)) < 0) return rc;
        for (uint64_t i = 0; i < n; i++) {
            hffi_ref k = 0, c = 0;
            if (kind == HFFI_VAL_LIST)
                rc = hffi_val_list_at(rt, v, i, &c);
            else
                rc = hffi_val_map_at(rt, v, i, &k, &c);
            if (rc < 0) return rc;
            if (k != 0 && (rc = walk(rt, k, depth + 1, budget, sum)) < 0) return rc;
            if ((rc = walk(rt, c, depth + 1, budget, sum)) < 0) return rc;
        }
    }
    return HFFI_OK;
}

/* value_walk walks the tree at v and writes a checksum of what it read. */
int32_t value_walk(const hffi_rt *rt, hffi_ref v, uint64_t *sum_out) {
    uint64_t budget = 100000, sum = 0;
    int32_t rc = walk(rt, v, 0, &budget, &sum);
    *sum_out = sum;
    return rc;
}
