/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hffi_value.c - accessors and builders for value trees (the "Values"
 * section of hffi.h).
 *
 * Every entry point resolves the reference it is given once (generation,
 * then `used`) and then checks each offset it follows against that `used`
 * before touching memory. Nodes are copied out of the arena in one read
 * and validated as a whole, so a node that changes under the reader cannot
 * pass one check and fail another. Nothing here allocates with malloc or
 * recurses, so a corrupt or hostile tree costs at most O(log n) node reads
 * per lookup.
 */
#include "hffi.h"

#include <string.h>

/* _hffi_vctx is what a walk needs to know about the arena: where it is,
 * how much of it is allocated, and the slot and generation bits that turn
 * an offset into a reference. */
typedef struct _hffi_vctx {
    uint64_t base;
    uint64_t lo;  /* the lowest offset an allocation can have: floor + prefix */
    uint64_t used;
    hffi_ref tag; /* a reference with its offset bits cleared */
} _hffi_vctx;

#define _HFFI_VAL_OFF_MASK ((UINT64_C(1) << HFFI_REF_OFF_BITS) - 1)

static const char *const _hffi_val_kind_names[] = {
    "null", "bool", "int", "uint", "float", "str", "bytes", "list", "map", "handle",
};

const char *hffi_val_kind_name(uint32_t kind) {
    if (kind > HFFI_VAL_KIND_MAX) return "invalid";
    return _hffi_val_kind_names[kind];
}

static hffi_ref _hffi_val_child(const _hffi_vctx *c, uint64_t off) {
    return c->tag | (off / HFFI_REF_OFF_SCALE);
}

static const void *_hffi_val_at(const _hffi_vctx *c, uint64_t off) {
    return (const void *)(uintptr_t)(c->base + off);
}

/* _hffi_val_bytes_at gives the bytes of a validated STR or BYTES node that
 * lies at offset off: in its data field when short, else where data says. */
static const char *_hffi_val_bytes_at(const _hffi_vctx *c, uint64_t off, const hffi_val *n) {
    if (n->len <= HFFI_VAL_INLINE_MAX) return (const char *)_hffi_val_at(c, off + 8);
    return (const char *)_hffi_val_at(c, n->data);
}

/* _hffi_val_span checks that [off, off+size) lies in the allocated part of
 * the arena. size may be up to 2^36, so nothing here overflows. */
static int32_t _hffi_val_span(const _hffi_vctx *c, uint64_t off, uint64_t size) {
    if (off < c->lo || off > c->used || size > c->used - off) return HFFI_EBOUNDS;
    return HFFI_OK;
}

/* _hffi_val_shape validates a node copied out of the arena: a known kind,
 * zero reserved fields, and a payload inside the arena. */
static int32_t _hffi_val_shape(const _hffi_vctx *c, const hffi_val *n) {
    uint64_t elem;
    int32_t rc;
    switch (n->kind) {
    case HFFI_VAL_NULL:
        return (n->len == 0 && n->data == 0) ? HFFI_OK : HFFI_ECORRUPT;
    case HFFI_VAL_BOOL:
        return (n->len == 0 && n->data <= 1) ? HFFI_OK : HFFI_ECORRUPT;
    case HFFI_VAL_INT:
    case HFFI_VAL_UINT:
    case HFFI_VAL_FLOAT:
    case HFFI_VAL_HANDLE:
        return n->len == 0 ? HFFI_OK : HFFI_ECORRUPT;
    case HFFI_VAL_STR:
    case HFFI_VAL_BYTES:
        if (n->len <= HFFI_VAL_INLINE_MAX) { /* in data, NUL and zeros after */
            unsigned char b[sizeof n->data];
            uint32_t i;
            memcpy(b, &n->data, sizeof b);
            for (i = n->len; i < sizeof b; i++)
                if (b[i] != 0) return HFFI_ECORRUPT;
            return HFFI_OK;
        }
        rc = _hffi_val_span(c, n->data, (uint64_t)n->len + 1);
        if (rc < 0) return rc;
        return ((const char *)_hffi_val_at(c, n->data))[n->len] == '\0' ? HFFI_OK : HFFI_ECORRUPT;
    case HFFI_VAL_LIST:
    case HFFI_VAL_MAP:
        if (n->len == 0) return n->data == 0 ? HFFI_OK : HFFI_ECORRUPT;
        if (n->data % HFFI_REF_OFF_SCALE != 0) return HFFI_ECORRUPT;
        elem = n->kind == HFFI_VAL_LIST ? HFFI_VAL_SIZE : HFFI_VAL_ENTRY_SIZE;
        return _hffi_val_span(c, n->data, (uint64_t)n->len * elem);
    default:
        return HFFI_ECORRUPT;
    }
}

/* _hffi_val_node reads and validates the node at off. */
static int32_t _hffi_val_node(const _hffi_vctx *c, uint64_t off, hffi_val *out) {
    hffi_val n;
    int32_t rc;
    if (off % HFFI_REF_OFF_SCALE != 0) return HFFI_ECORRUPT;
    rc = _hffi_val_span(c, off, HFFI_VAL_SIZE);
    if (rc < 0) return rc;
    memcpy(&n, _hffi_val_at(c, off), sizeof n);
    rc = _hffi_val_shape(c, &n);
    if (rc < 0) return rc;
    *out = n;
    return HFFI_OK;
}

/* _hffi_val_ctx resolves r's arena without reading the node: base and used
 * come from one consistent snapshot (see _hffi_arena_snapshot). */
static int32_t _hffi_val_ctx(const hffi_rt *rt, hffi_ref r, _hffi_vctx *c) {
    const hffi_arena_hdr *h = NULL;
    uint64_t w = 0;
    int32_t rc = _hffi_arena_snapshot(rt, r, &h, &w, &c->base, &c->used);
    if (rc < 0) return rc;
    c->lo = _hffi_arena_floor(w) + HFFI_ARENA_PREFIX;
    c->tag = r & ~_HFFI_VAL_OFF_MASK;
    return HFFI_OK;
}

/* _hffi_val_open resolves r and reads the node it names. */
static int32_t _hffi_val_open(const hffi_rt *rt, hffi_ref r, _hffi_vctx *c, hffi_val *n) {
    int32_t rc = _hffi_val_ctx(rt, r, c);
    if (rc < 0) return rc;
    return _hffi_val_node(c, hffi_ref_offset(r), n);
}

/* _hffi_val_open_kind is _hffi_val_open that also wants a given kind. */
static int32_t _hffi_val_open_kind(const hffi_rt *rt, hffi_ref r, uint32_t kind, _hffi_vctx *c,
                                   hffi_val *n) {
    int32_t rc = _hffi_val_open(rt, r, c, n);
    if (rc < 0) return rc;
    return n->kind == kind ? HFFI_OK : HFFI_ETYPE;
}

/* ---------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------- */

int32_t hffi_val_kind(const hffi_rt *rt, hffi_ref v, uint32_t *kind_out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (kind_out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_open(rt, v, &c, &n);
    if (rc < 0) return rc;
    *kind_out = n.kind;
    return HFFI_OK;
}

int32_t hffi_val_len(const hffi_rt *rt, hffi_ref v, uint64_t *len_out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (len_out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_open(rt, v, &c, &n);
    if (rc < 0) return rc;
    switch (n.kind) {
    case HFFI_VAL_STR:
    case HFFI_VAL_BYTES:
    case HFFI_VAL_LIST:
    case HFFI_VAL_MAP:
        *len_out = n.len;
        return HFFI_OK;
    default:
        return HFFI_ETYPE;
    }
}

int32_t hffi_val_get_bool(const hffi_rt *rt, hffi_ref v, bool *out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_open_kind(rt, v, HFFI_VAL_BOOL, &c, &n);
    if (rc < 0) return rc;
    *out = n.data != 0;
    return HFFI_OK;
}

int32_t hffi_val_get_int(const hffi_rt *rt, hffi_ref v, int64_t *out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_open(rt, v, &c, &n);
    if (rc < 0) return rc;
    if (n.kind == HFFI_VAL_UINT && n.data > (uint64_t)INT64_MAX) return HFFI_ERANGE;
    if (n.kind != HFFI_VAL_INT && n.kind != HFFI_VAL_UINT) return HFFI_ETYPE;
    *out = (int64_t)n.data;
    return HFFI_OK;
}

int32_t hffi_val_get_uint(const hffi_rt *rt, hffi_ref v, uint64_t *out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_open(rt, v, &c, &n);
    if (rc < 0) return rc;
    if (n.kind == HFFI_VAL_INT && (int64_t)n.data < 0) return HFFI_ERANGE;
    if (n.kind != HFFI_VAL_INT && n.kind != HFFI_VAL_UINT) return HFFI_ETYPE;
    *out = n.data;
    return HFFI_OK;
}

int32_t hffi_val_get_float(const hffi_rt *rt, hffi_ref v, double *out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_open_kind(rt, v, HFFI_VAL_FLOAT, &c, &n);
    if (rc < 0) return rc;
    memcpy(out, &n.data, sizeof *out);
    return HFFI_OK;
}

static int32_t _hffi_val_get_blob(const hffi_rt *rt, hffi_ref v, uint32_t kind,
                                  const void **ptr_out, uint64_t *len_out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (ptr_out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_open_kind(rt, v, kind, &c, &n);
    if (rc < 0) return rc;
    *ptr_out = _hffi_val_bytes_at(&c, hffi_ref_offset(v), &n);
    if (len_out != NULL) *len_out = n.len;
    return HFFI_OK;
}

int32_t hffi_val_get_str(const hffi_rt *rt, hffi_ref v, const char **ptr_out, uint64_t *len_out) {
    const void *p = NULL;
    int32_t rc;
    if (ptr_out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_get_blob(rt, v, HFFI_VAL_STR, &p, len_out);
    if (rc < 0) return rc;
    *ptr_out = (const char *)p;
    return HFFI_OK;
}

int32_t hffi_val_get_bytes(const hffi_rt *rt, hffi_ref v, const void **ptr_out,
                           uint64_t *len_out) {
    return _hffi_val_get_blob(rt, v, HFFI_VAL_BYTES, ptr_out, len_out);
}

int32_t hffi_val_get_handle(const hffi_rt *rt, hffi_ref v, hffi_handle *out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_open_kind(rt, v, HFFI_VAL_HANDLE, &c, &n);
    if (rc < 0) return rc;
    *out = n.data;
    return HFFI_OK;
}

int32_t hffi_val_list_at(const hffi_rt *rt, hffi_ref list, uint64_t i, hffi_ref *elem_out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (elem_out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_open_kind(rt, list, HFFI_VAL_LIST, &c, &n);
    if (rc < 0) return rc;
    if (i >= n.len) return HFFI_EBOUNDS;
    *elem_out = _hffi_val_child(&c, n.data + i * HFFI_VAL_SIZE);
    return HFFI_OK;
}

static int _hffi_val_keycmp(const char *a, uint64_t an, const char *b, uint64_t bn) {
    uint64_t n = an < bn ? an : bn;
    int d = n ? memcmp(a, b, (size_t)n) : 0;
    if (d != 0) return d;
    return an < bn ? -1 : (an > bn ? 1 : 0);
}

/* _hffi_val_key reads the key of entry i of a map whose entry array
 * starts at off and checks that it is a STR. */
static int32_t _hffi_val_key(const _hffi_vctx *c, uint64_t off, uint64_t i, const char **key,
                             uint64_t *key_len) {
    hffi_val k;
    uint64_t koff = off + i * HFFI_VAL_ENTRY_SIZE;
    int32_t rc = _hffi_val_node(c, koff, &k);
    if (rc < 0) return rc;
    if (k.kind != HFFI_VAL_STR) return HFFI_ECORRUPT;
    *key = _hffi_val_bytes_at(c, koff, &k);
    *key_len = k.len;
    return HFFI_OK;
}

/* _hffi_val_find binary-searches the map node m for key. */
static int32_t _hffi_val_find(const _hffi_vctx *c, const hffi_val *m, const char *key,
                              uint64_t key_len, hffi_ref *val_out) {
    uint64_t lo = 0, hi = m->len;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2, klen = 0;
        const char *k = NULL;
        int d;
        int32_t rc = _hffi_val_key(c, m->data, mid, &k, &klen);
        if (rc < 0) return rc;
        d = _hffi_val_keycmp(key, key_len, k, klen);
        if (d == 0) {
            *val_out = _hffi_val_child(c, m->data + mid * HFFI_VAL_ENTRY_SIZE + HFFI_VAL_SIZE);
            return HFFI_OK;
        }
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return HFFI_ENOTFOUND;
}

int32_t hffi_val_map_find(const hffi_rt *rt, hffi_ref map, const char *key, uint64_t key_len,
                          hffi_ref *val_out) {
    _hffi_vctx c;
    hffi_val n;
    int32_t rc;
    if (val_out == NULL || (key == NULL && key_len != 0)) return HFFI_EINVAL;
    if (key_len == HFFI_VAL_NTS) key_len = key == NULL ? 0 : (uint64_t)strlen(key);
    rc = _hffi_val_open_kind(rt, map, HFFI_VAL_MAP, &c, &n);
    if (rc < 0) return rc;
    return _hffi_val_find(&c, &n, key, key_len, val_out);
}

int32_t hffi_val_map_at(const hffi_rt *rt, hffi_ref map, uint64_t i, hffi_ref *key_out,
                        hffi_ref *val_out) {
    _hffi_vctx c;
    hffi_val n;
    uint64_t off;
    int32_t rc = _hffi_val_open_kind(rt, map, HFFI_VAL_MAP, &c, &n);
    if (rc < 0) return rc;
    if (i >= n.len) return HFFI_EBOUNDS;
    off = n.data + i * HFFI_VAL_ENTRY_SIZE;
    if (key_out != NULL) *key_out = _hffi_val_child(&c, off);
    if (val_out != NULL) *val_out = _hffi_val_child(&c, off + HFFI_VAL_SIZE);
    return HFFI_OK;
}

/* _hffi_val_index parses the digits of "[123]" starting after '['. */
static int32_t _hffi_val_index(const char **pp, uint64_t *out) {
    const char *p = *pp;
    uint64_t i = 0;
    if (*p < '0' || *p > '9') return HFFI_EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (i > (UINT64_MAX - 9) / 10) return HFFI_EBOUNDS;
        i = i * 10 + (uint64_t)(*p - '0');
    }
    if (*p != ']') return HFFI_EINVAL;
    *pp = p + 1;
    *out = i;
    return HFFI_OK;
}

/* _hffi_val_path_check validates the syntax of a whole path first, so a
 * malformed path is HFFI_EINVAL whatever the tree holds. */
static int32_t _hffi_val_path_check(const char *path) {
    const char *p = path;
    while (*p != '\0') {
        if (*p == '[') {
            uint64_t i = 0;
            int32_t rc;
            p++;
            rc = _hffi_val_index(&p, &i);
            if (rc < 0) return rc;
            continue;
        }
        if (p != path) {
            if (*p != '.') return HFFI_EINVAL;
            p++;
        }
        if (*p == '\0' || *p == '.' || *p == '[') return HFFI_EINVAL;
        while (*p != '\0' && *p != '.' && *p != '[') p++;
    }
    return HFFI_OK;
}

int32_t hffi_val_path(const hffi_rt *rt, hffi_ref v, const char *path, hffi_ref *out) {
    _hffi_vctx c;
    hffi_val n;
    const char *p = path;
    uint64_t off;
    int32_t rc;
    if (path == NULL || out == NULL) return HFFI_EINVAL;
    rc = _hffi_val_path_check(path);
    if (rc < 0) return rc;
    rc = _hffi_val_open(rt, v, &c, &n);
    if (rc < 0) return rc;
    off = hffi_ref_offset(v);
    while (*p != '\0') {
        hffi_ref next = 0;
        if (*p == '[') {
            uint64_t i = 0;
            p++;
            rc = _hffi_val_index(&p, &i);
            if (rc < 0) return rc;
            if (n.kind != HFFI_VAL_LIST) return HFFI_ETYPE;
            if (i >= n.len) return HFFI_EBOUNDS;
            off = n.data + i * HFFI_VAL_SIZE;
        } else {
            const char *key;
            if (p != path) {
                if (*p != '.') return HFFI_EINVAL;
                p++;
            }
            key = p;
            while (*p != '\0' && *p != '.' && *p != '[') p++;
            if (p == key) return HFFI_EINVAL;
            if (n.kind != HFFI_VAL_MAP) return HFFI_ETYPE;
            rc = _hffi_val_find(&c, &n, key, (uint64_t)(p - key), &next);
            if (rc < 0) return rc;
            off = hffi_ref_offset(next);
        }
        rc = _hffi_val_node(&c, off, &n);
        if (rc < 0) return rc;
    }
    *out = _hffi_val_child(&c, off);
    return HFFI_OK;
}

/* ---------------------------------------------------------------------
 * Building
 * ------------------------------------------------------------------- */

/* _hffi_val_wnode resolves r for writing: the node need not be valid (it
 * is about to be overwritten), only inside the arena. */
static int32_t _hffi_val_wnode(const hffi_rt *rt, hffi_ref r, _hffi_vctx *c, hffi_val **node_out) {
    uint64_t off = hffi_ref_offset(r);
    int32_t rc = _hffi_val_ctx(rt, r, c);
    if (rc < 0) return rc;
    rc = _hffi_val_span(c, off, HFFI_VAL_SIZE);
    if (rc < 0) return rc;
    *node_out = (hffi_val *)(uintptr_t)(c->base + off);
    return HFFI_OK;
}

static int32_t _hffi_val_put(const hffi_rt *rt, hffi_ref v, uint32_t kind, uint32_t len,
                             uint64_t data) {
    _hffi_vctx c;
    hffi_val *p = NULL, n;
    int32_t rc = _hffi_val_wnode(rt, v, &c, &p);
    if (rc < 0) return rc;
    n.kind = kind;
    n.len = len;
    n.data = data;
    memcpy(p, &n, sizeof n);
    return HFFI_OK;
}

/* _hffi_val_alloc allocates size zeroed bytes, 8-aligned, in the arena of
 * v and gives their offset and address. v itself names the arena: offset 0
 * would be below the floor of a recycled slot. */
static int32_t _hffi_val_alloc(const hffi_rt *rt, hffi_ref v, uint64_t size, uint64_t *off_out,
                               void **ptr_out) {
    hffi_ref r = 0;
    int32_t rc = hffi_arena_alloc(rt, v, size, HFFI_REF_OFF_SCALE, ptr_out, &r);
    if (rc < 0) return rc;
    *off_out = hffi_ref_offset(r);
    return HFFI_OK;
}

int32_t hffi_val_new(const hffi_rt *rt, hffi_arena a, hffi_ref *v_out) {
    void *p = NULL;
    if (v_out == NULL) return HFFI_EINVAL;
    return hffi_arena_alloc(rt, a, HFFI_VAL_SIZE, HFFI_REF_OFF_SCALE, &p, v_out);
}

int32_t hffi_val_set_null(const hffi_rt *rt, hffi_ref v) {
    return _hffi_val_put(rt, v, HFFI_VAL_NULL, 0, 0);
}

int32_t hffi_val_set_bool(const hffi_rt *rt, hffi_ref v, bool b) {
    return _hffi_val_put(rt, v, HFFI_VAL_BOOL, 0, b ? 1 : 0);
}

int32_t hffi_val_set_int(const hffi_rt *rt, hffi_ref v, int64_t i) {
    return _hffi_val_put(rt, v, HFFI_VAL_INT, 0, (uint64_t)i);
}

int32_t hffi_val_set_uint(const hffi_rt *rt, hffi_ref v, uint64_t u) {
    return _hffi_val_put(rt, v, u > (uint64_t)INT64_MAX ? HFFI_VAL_UINT : HFFI_VAL_INT, 0, u);
}

int32_t hffi_val_set_float(const hffi_rt *rt, hffi_ref v, double f) {
    uint64_t bits;
    memcpy(&bits, &f, sizeof bits);
    return _hffi_val_put(rt, v, HFFI_VAL_FLOAT, 0, bits);
}

static int32_t _hffi_val_set_blob(const hffi_rt *rt, hffi_ref v, uint32_t kind, const void *p,
                                  uint64_t len) {
    _hffi_vctx c;
    hffi_val *node = NULL;
    uint64_t off = 0;
    void *q = NULL;
    int32_t rc;
    if (p == NULL && len != 0) return HFFI_EINVAL;
    if (len > HFFI_VAL_LEN_MAX) return HFFI_ERANGE;
    rc = _hffi_val_wnode(rt, v, &c, &node); /* fail before allocating */
    if (rc < 0) return rc;
    if (len <= HFFI_VAL_INLINE_MAX) {
        unsigned char b[sizeof off];
        memset(b, 0, sizeof b);
        if (len > 0) memcpy(b, p, (size_t)len);
        memcpy(&off, b, sizeof off);
        return _hffi_val_put(rt, v, kind, (uint32_t)len, off);
    }
    rc = _hffi_val_alloc(rt, v, len + 1, &off, &q);
    if (rc < 0) return rc;
    memcpy(q, p, (size_t)len); /* the NUL is there: the allocation is zeroed */
    return _hffi_val_put(rt, v, kind, (uint32_t)len, off);
}

int32_t hffi_val_set_str(const hffi_rt *rt, hffi_ref v, const char *s, uint64_t len) {
    if (len == HFFI_VAL_NTS) {
        if (s == NULL) return HFFI_EINVAL;
        len = (uint64_t)strlen(s);
    }
    return _hffi_val_set_blob(rt, v, HFFI_VAL_STR, s, len);
}

int32_t hffi_val_set_bytes(const hffi_rt *rt, hffi_ref v, const void *p, uint64_t len) {
    return _hffi_val_set_blob(rt, v, HFFI_VAL_BYTES, p, len);
}

int32_t hffi_val_set_handle(const hffi_rt *rt, hffi_ref v, hffi_handle h) {
    int32_t rc = hffi_rt_check(rt);
    if (rc < 0) return rc;
    rc = hffi_handle_check(rt, h);
    if (rc < 0) return rc;
    return _hffi_val_put(rt, v, HFFI_VAL_HANDLE, 0, h);
}

static int32_t _hffi_val_set_array(const hffi_rt *rt, hffi_ref v, uint32_t kind, uint64_t n,
                                   uint64_t elem) {
    _hffi_vctx c;
    hffi_val *node = NULL;
    uint64_t off = 0;
    void *q = NULL;
    int32_t rc;
    if (n > HFFI_VAL_LEN_MAX) return HFFI_ERANGE;
    rc = _hffi_val_wnode(rt, v, &c, &node);
    if (rc < 0) return rc;
    if (n == 0) return _hffi_val_put(rt, v, kind, 0, 0);
    rc = _hffi_val_alloc(rt, v, n * elem, &off, &q); /* zeroed: NULL nodes */
    if (rc < 0) return rc;
    return _hffi_val_put(rt, v, kind, (uint32_t)n, off);
}

int32_t hffi_val_set_list(const hffi_rt *rt, hffi_ref v, uint64_t n) {
    return _hffi_val_set_array(rt, v, HFFI_VAL_LIST, n, HFFI_VAL_SIZE);
}

int32_t hffi_val_set_map(const hffi_rt *rt, hffi_ref v, uint64_t n) {
    return _hffi_val_set_array(rt, v, HFFI_VAL_MAP, n, HFFI_VAL_ENTRY_SIZE);
}

int32_t hffi_val_map_set_key(const hffi_rt *rt, hffi_ref map, uint64_t i, const char *key,
                             uint64_t key_len, hffi_ref *val_out) {
    _hffi_vctx c;
    hffi_val n;
    uint64_t ent;
    int32_t rc;
    if (key_len == HFFI_VAL_NTS) {
        if (key == NULL) return HFFI_EINVAL;
        key_len = (uint64_t)strlen(key);
    }
    rc = _hffi_val_open_kind(rt, map, HFFI_VAL_MAP, &c, &n);
    if (rc < 0) return rc;
    if (i >= n.len) return HFFI_EBOUNDS;
    ent = n.data + i * HFFI_VAL_ENTRY_SIZE;
    rc = hffi_val_set_str(rt, _hffi_val_child(&c, ent), key, key_len);
    if (rc < 0) return rc;
    if (val_out != NULL) *val_out = _hffi_val_child(&c, ent + HFFI_VAL_SIZE);
    return HFFI_OK;
}

/* Sorting entries in place: insertion sort for short maps, heapsort
 * otherwise (no recursion, no allocation, O(n log n) worst case). */
static const char *_hffi_val_entkey(const _hffi_vctx *c, const hffi_val_entry *e) {
    if (e->key.len <= HFFI_VAL_INLINE_MAX) return (const char *)&e->key.data;
    return (const char *)_hffi_val_at(c, e->key.data);
}

static int _hffi_val_entcmp(const _hffi_vctx *c, const hffi_val_entry *a, const hffi_val_entry *b) {
    return _hffi_val_keycmp(_hffi_val_entkey(c, a), a->key.len, _hffi_val_entkey(c, b), b->key.len);
}

static void _hffi_val_swap(hffi_val_entry *a, hffi_val_entry *b) {
    hffi_val_entry t = *a;
    *a = *b;
    *b = t;
}

static void _hffi_val_sift(const _hffi_vctx *c, hffi_val_entry *e, uint64_t root, uint64_t n) {
    for (;;) {
        uint64_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && _hffi_val_entcmp(c, &e[child], &e[child + 1]) < 0) child++;
        if (_hffi_val_entcmp(c, &e[root], &e[child]) >= 0) return;
        _hffi_val_swap(&e[root], &e[child]);
        root = child;
    }
}

static void _hffi_val_sort(const _hffi_vctx *c, hffi_val_entry *e, uint64_t n) {
    uint64_t i, j;
    if (n <= 16) {
        for (i = 1; i < n; i++)
            for (j = i; j > 0 && _hffi_val_entcmp(c, &e[j - 1], &e[j]) > 0; j--)
                _hffi_val_swap(&e[j - 1], &e[j]);
        return;
    }
    for (i = n / 2; i-- > 0;) _hffi_val_sift(c, e, i, n);
    for (i = n - 1; i > 0; i--) {
        _hffi_val_swap(&e[0], &e[i]);
        _hffi_val_sift(c, e, 0, i);
    }
}

int32_t hffi_val_map_sort(const hffi_rt *rt, hffi_ref map) {
    _hffi_vctx c;
    hffi_val n;
    hffi_val_entry *e;
    uint64_t i;
    int32_t rc = _hffi_val_open_kind(rt, map, HFFI_VAL_MAP, &c, &n);
    if (rc < 0) return rc;
    if (n.len == 0) return HFFI_OK;
    e = (hffi_val_entry *)(uintptr_t)(c.base + n.data);
    for (i = 0; i < n.len; i++) {
        if (e[i].key.kind != HFFI_VAL_STR) return HFFI_EINVAL; /* unset key */
        rc = _hffi_val_shape(&c, &e[i].key);
        if (rc < 0) return rc;
    }
    _hffi_val_sort(&c, e, n.len);
    for (i = 1; i < n.len; i++)
        if (_hffi_val_entcmp(&c, &e[i - 1], &e[i]) == 0) return HFFI_EINVAL; /* repeated key */
    return HFFI_OK;
}
