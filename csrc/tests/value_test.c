/* SPDX-License-Identifier: Apache-2.0 */
/* value_test.c - the value accessors and builders of hffi.h: a tree built
 * in C and read back, type checks, map lookup and sorting, stale trees,
 * and hand-corrupted and random bytes that must give error codes, never an
 * out-of-bounds read (this runs under ASan+UBSan). */
#include "testutil.h"

static hffi_rt *rt;

static hffi_ref child(hffi_ref parent, uint64_t off) {
    return hffi_ref_make(hffi_ref_slot(parent), hffi_ref_gen(parent), off);
}

static hffi_val *node_at(hffi_ref r) {
    hffi_arena_hdr *h = tu_arena_hdr(rt, hffi_ref_slot(r));
    return (hffi_val *)(uintptr_t)(h->base + hffi_ref_offset(r));
}

/* build makes {"age": 42, "big": UINT64_MAX, "blob": "\0x\0", "name": "bob the builder",
 * "neg": -7, "ok": true, "pi": 3.25, "tags": ["a", "", null], "void": null,
 * "empty": {}} in arena a. */
static hffi_ref build(hffi_arena a) {
    hffi_ref root = 0, v = 0, e = 0;
    TU_EQ(hffi_val_new(rt, a, &root), HFFI_OK);
    TU_EQ(hffi_val_set_map(rt, root, 10), HFFI_OK);
    /* keys in scrambled order; hffi_val_map_sort fixes them */
    TU_EQ(hffi_val_map_set_key(rt, root, 0, "tags", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_set_list(rt, v, 3), HFFI_OK);
    TU_EQ(hffi_val_list_at(rt, v, 0, &e), HFFI_OK);
    TU_EQ(hffi_val_set_str(rt, e, "a", 1), HFFI_OK);
    TU_EQ(hffi_val_list_at(rt, v, 1, &e), HFFI_OK);
    TU_EQ(hffi_val_set_str(rt, e, "", 0), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, root, 1, "name", 4, &v), HFFI_OK);
    TU_EQ(hffi_val_set_str(rt, v, "bob the builder", HFFI_VAL_NTS), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, root, 2, "age", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_set_int(rt, v, 42), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, root, 3, "big", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_set_uint(rt, v, UINT64_MAX), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, root, 4, "blob", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_set_bytes(rt, v, "\0x\0", 3), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, root, 5, "neg", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_set_int(rt, v, -7), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, root, 6, "ok", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_set_bool(rt, v, true), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, root, 7, "pi", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_set_float(rt, v, 3.25), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, root, 8, "void", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, root, 9, "empty", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_set_map(rt, v, 0), HFFI_OK);
    TU_EQ(hffi_val_map_sort(rt, root), HFFI_OK);
    return root;
}

static void test_build_and_read(void) {
    hffi_arena a = tu_arena_open(rt, 1, 1 << 20, 0);
    hffi_ref root = build(a), v = 0, k = 0;
    uint32_t kind = 99;
    uint64_t n = 0, u = 0;
    int64_t i = 0;
    double f = 0;
    bool b = false;
    const char *s = NULL;
    const void *p = NULL;
    static const char *order[] = {"age", "big", "blob", "empty", "name", "neg", "ok", "pi", "tags", "void"};

    TU_EQ(hffi_val_kind(rt, root, &kind), HFFI_OK);
    TU_EQ(kind, HFFI_VAL_MAP);
    TU_EQ(hffi_val_len(rt, root, &n), HFFI_OK);
    TU_EQ(n, 10);
    for (uint64_t j = 0; j < n; j++) {
        TU_EQ(hffi_val_map_at(rt, root, j, &k, &v), HFFI_OK);
        TU_EQ(hffi_val_get_str(rt, k, &s, NULL), HFFI_OK);
        TU_CHECK(strcmp(s, order[j]) == 0);
    }
    TU_EQ(hffi_val_map_at(rt, root, n, &k, &v), HFFI_EBOUNDS);

    TU_EQ(hffi_val_map_find(rt, root, "age", HFFI_VAL_NTS, &v), HFFI_OK);
    TU_EQ(hffi_val_get_int(rt, v, &i), HFFI_OK);
    TU_EQ(i, 42);
    TU_EQ(hffi_val_get_uint(rt, v, &u), HFFI_OK); /* exact: allowed */
    TU_EQ(u, 42);
    TU_EQ(hffi_val_get_float(rt, v, &f), HFFI_ETYPE); /* never a cast */
    TU_EQ(hffi_val_get_bool(rt, v, &b), HFFI_ETYPE);
    TU_EQ(hffi_val_len(rt, v, &n), HFFI_ETYPE);

    TU_EQ(hffi_val_path(rt, root, "big", &v), HFFI_OK);
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_OK);
    TU_EQ(kind, HFFI_VAL_UINT);
    TU_EQ(hffi_val_get_uint(rt, v, &u), HFFI_OK);
    TU_CHECK(u == UINT64_MAX);
    TU_EQ(hffi_val_get_int(rt, v, &i), HFFI_ERANGE);

    TU_EQ(hffi_val_path(rt, root, "neg", &v), HFFI_OK);
    TU_EQ(hffi_val_get_uint(rt, v, &u), HFFI_ERANGE);

    TU_EQ(hffi_val_path(rt, root, "blob", &v), HFFI_OK);
    TU_EQ(hffi_val_get_bytes(rt, v, &p, &n), HFFI_OK);
    TU_EQ(n, 3);
    TU_CHECK(memcmp(p, "\0x\0", 4) == 0);
    TU_EQ(hffi_val_get_str(rt, v, &s, &n), HFFI_ETYPE);

    TU_EQ(hffi_val_path(rt, root, "ok", &v), HFFI_OK);
    TU_EQ(hffi_val_get_bool(rt, v, &b), HFFI_OK);
    TU_CHECK(b);
    TU_EQ(hffi_val_path(rt, root, "pi", &v), HFFI_OK);
    TU_EQ(hffi_val_get_float(rt, v, &f), HFFI_OK);
    TU_CHECK(f == 3.25);
    TU_EQ(hffi_val_path(rt, root, "void", &v), HFFI_OK);
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_OK);
    TU_EQ(kind, HFFI_VAL_NULL);
    TU_EQ(hffi_val_path(rt, root, "empty", &v), HFFI_OK);
    TU_EQ(hffi_val_len(rt, v, &n), HFFI_OK);
    TU_EQ(n, 0);
    TU_EQ(hffi_val_map_find(rt, v, "x", 1, &k), HFFI_ENOTFOUND);

    TU_EQ(hffi_val_path(rt, root, "name", &v), HFFI_OK);
    TU_EQ(hffi_val_get_str(rt, v, &s, &n), HFFI_OK);
    TU_CHECK(strcmp(s, "bob the builder") == 0);
    TU_EQ(n, 15);
    TU_EQ(hffi_val_path(rt, root, "tags[0]", &v), HFFI_OK);
    TU_EQ(hffi_val_get_str(rt, v, &s, &n), HFFI_OK);
    TU_CHECK(strcmp(s, "a") == 0);
    TU_EQ(hffi_val_path(rt, root, "tags[1]", &v), HFFI_OK);
    TU_EQ(hffi_val_get_str(rt, v, &s, &n), HFFI_OK);
    TU_CHECK(s != NULL && s[0] == '\0' && n == 0);
    TU_EQ(hffi_val_path(rt, root, "tags[2]", &v), HFFI_OK);
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_OK);
    TU_EQ(kind, HFFI_VAL_NULL);
    TU_EQ(hffi_val_path(rt, root, "tags", &v), HFFI_OK);
    TU_EQ(hffi_val_list_at(rt, v, 3, &k), HFFI_EBOUNDS);
    TU_EQ(hffi_val_path(rt, v, "[0]", &k), HFFI_OK);
    TU_EQ(hffi_val_path(rt, root, "", &v), HFFI_OK);
    TU_EQ(v, root);

    /* path errors */
    TU_EQ(hffi_val_path(rt, root, "tags[3]", &v), HFFI_EBOUNDS);
    TU_EQ(hffi_val_path(rt, root, "tags[99999999999999999999999]", &v), HFFI_EBOUNDS);
    TU_EQ(hffi_val_path(rt, root, "tags[x]", &v), HFFI_EINVAL);
    TU_EQ(hffi_val_path(rt, root, "tags[1", &v), HFFI_EINVAL);
    TU_EQ(hffi_val_path(rt, root, "tags[]", &v), HFFI_EINVAL);
    TU_EQ(hffi_val_path(rt, root, "name.x", &v), HFFI_ETYPE);
    TU_EQ(hffi_val_path(rt, root, "name[0]", &v), HFFI_ETYPE);
    TU_EQ(hffi_val_path(rt, root, "nope", &v), HFFI_ENOTFOUND);
    TU_EQ(hffi_val_path(rt, root, ".name", &v), HFFI_EINVAL);
    TU_EQ(hffi_val_path(rt, root, "tags..x", &v), HFFI_EINVAL);
    TU_EQ(hffi_val_path(rt, root, "tags[0]x", &v), HFFI_EINVAL);
    TU_EQ(hffi_val_path(rt, root, NULL, &v), HFFI_EINVAL);
    TU_EQ(hffi_val_path(rt, root, "name", NULL), HFFI_EINVAL);

    /* NULL outputs and bad arguments */
    TU_EQ(hffi_val_kind(rt, root, NULL), HFFI_EINVAL);
    TU_EQ(hffi_val_kind(NULL, root, &kind), HFFI_EINVAL);
    TU_EQ(hffi_val_kind(rt, 0, &kind), HFFI_EZERO);
    TU_EQ(hffi_val_kind(rt, 12345, &kind), HFFI_EKIND);
    TU_EQ(hffi_val_map_find(rt, root, NULL, 3, &v), HFFI_EINVAL);
    TU_EQ(hffi_val_set_str(rt, root, NULL, 3), HFFI_EINVAL);
    TU_EQ(hffi_val_set_str(rt, root, NULL, HFFI_VAL_NTS), HFFI_EINVAL);
    TU_EQ(hffi_val_set_list(rt, root, UINT64_C(1) << 32), HFFI_ERANGE);
    TU_EQ(hffi_val_new(rt, a, NULL), HFFI_EINVAL);
    TU_CHECK(strcmp(hffi_val_kind_name(HFFI_VAL_MAP), "map") == 0);
    TU_CHECK(strcmp(hffi_val_kind_name(HFFI_VAL_HANDLE), "handle") == 0);
    TU_CHECK(strcmp(hffi_val_kind_name(77), "invalid") == 0);

    /* Reset: every reference into the tree is stale, without a read. */
    a = tu_arena_reset(rt, a);
    TU_EQ(hffi_val_kind(rt, root, &kind), HFFI_ESTALE);
    TU_EQ(hffi_val_get_str(rt, k, &s, &n), HFFI_ESTALE);
    TU_EQ(hffi_val_set_int(rt, root, 1), HFFI_ESTALE);
    TU_EQ(hffi_val_path(rt, root, "name", &v), HFFI_ESTALE);
    tu_arena_free(rt, a);
    TU_EQ(hffi_val_kind(rt, root, &kind), HFFI_ESTALE);
}

static void test_sort_errors(void) {
    hffi_arena a = tu_arena_open(rt, 2, 1 << 20, 0);
    hffi_ref m = 0, v = 0;
    TU_EQ(hffi_val_new(rt, a, &m), HFFI_OK);
    TU_EQ(hffi_val_set_map(rt, m, 3), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, m, 0, "b", 1, &v), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, m, 2, "a", 1, &v), HFFI_OK);
    TU_EQ(hffi_val_map_sort(rt, m), HFFI_EINVAL); /* entry 1 unset */
    TU_EQ(hffi_val_map_set_key(rt, m, 1, "b", 1, &v), HFFI_OK);
    TU_EQ(hffi_val_map_sort(rt, m), HFFI_EINVAL); /* "b" twice */
    TU_EQ(hffi_val_map_set_key(rt, m, 1, "", 0, &v), HFFI_OK);
    TU_EQ(hffi_val_map_sort(rt, m), HFFI_OK);
    TU_EQ(hffi_val_map_find(rt, m, "", 0, &v), HFFI_OK);
    TU_EQ(hffi_val_map_find(rt, m, NULL, 0, &v), HFFI_OK);
    TU_EQ(hffi_val_map_set_key(rt, m, 3, "c", 1, &v), HFFI_EBOUNDS);
    TU_EQ(hffi_val_map_sort(rt, a + 1), HFFI_EBOUNDS); /* offset 8: inside the prefix */
    TU_EQ(hffi_val_set_map(rt, m, 0), HFFI_OK);
    TU_EQ(hffi_val_map_sort(rt, m), HFFI_OK);
    tu_arena_free(rt, a);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A large map built in random order is found entry by entry. */
static void test_large_map(void) {
    enum { N = 5000 };
    hffi_arena a = tu_arena_open(rt, 3, 8 << 20, 0);
    hffi_ref m = 0, v = 0, k = 0;
    static uint32_t perm[N];
    char key[32];
    int64_t got = 0;
    int bad = 0;
    for (uint32_t i = 0; i < N; i++) perm[i] = i;
    for (uint32_t i = N - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(rng() % (i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    TU_EQ(hffi_val_new(rt, a, &m), HFFI_OK);
    TU_EQ(hffi_val_set_map(rt, m, N), HFFI_OK);
    for (uint32_t i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key-%u", perm[i]);
        if (hffi_val_map_set_key(rt, m, i, key, HFFI_VAL_NTS, &v) != 0 ||
            hffi_val_set_int(rt, v, perm[i]) != 0)
            bad++;
    }
    TU_EQ(hffi_val_map_sort(rt, m), HFFI_OK);
    for (uint32_t i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key-%u", i);
        if (hffi_val_map_find(rt, m, key, HFFI_VAL_NTS, &v) != 0 ||
            hffi_val_get_int(rt, v, &got) != 0 || got != (int64_t)i)
            bad++;
    }
    for (uint64_t i = 1; i < N; i++) { /* iteration is in key order */
        const char *s0, *s1;
        uint64_t n0, n1;
        hffi_ref k0 = 0;
        hffi_val_map_at(rt, m, i - 1, &k0, NULL);
        hffi_val_map_at(rt, m, i, &k, NULL);
        hffi_val_get_str(rt, k0, &s0, &n0);
        hffi_val_get_str(rt, k, &s1, &n1);
        if (strcmp(s0, s1) >= 0) bad++;
    }
    TU_EQ(bad, 0);
    TU_EQ(hffi_val_map_find(rt, m, "key-", HFFI_VAL_NTS, &v), HFFI_ENOTFOUND);
    TU_EQ(hffi_val_map_find(rt, m, "key-99999", HFFI_VAL_NTS, &v), HFFI_ENOTFOUND);
    tu_arena_free(rt, a);
}

/* Hand-made corruption of single fields. */
static void test_corrupt(void) {
    hffi_arena a = tu_arena_open(rt, 4, 1 << 20, 0);
    hffi_arena_hdr *h = tu_arena_hdr(rt, 4);
    hffi_ref root = build(a), v = 0, w = 0;
    hffi_val *n, saved;
    uint32_t kind;
    const char *s;
    uint64_t len;
    char *bytes;

    TU_EQ(hffi_val_path(rt, root, "name", &v), HFFI_OK);
    n = node_at(v);
    saved = *n;
    n->kind = 77;
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_ECORRUPT);
    n->kind = HFFI_VAL_STR | (1u << 8); /* reserved bits */
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_ECORRUPT);
    *n = saved;
    n->data = h->used; /* past the end */
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_EBOUNDS);
    n->data = 8; /* inside the prefix */
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_EBOUNDS);
    n->data = UINT64_MAX - 2;
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_EBOUNDS);
    *n = saved;
    n->len = UINT32_MAX;
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_EBOUNDS);
    *n = saved;
    bytes = (char *)(uintptr_t)(h->base + n->data);
    bytes[15] = 'x'; /* no NUL */
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_ECORRUPT);
    bytes[15] = '\0';
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_OK);

    /* a short string lives in its node: bytes after it must be zero */
    TU_EQ(hffi_val_path(rt, root, "tags[0]", &v), HFFI_OK);
    n = node_at(v);
    TU_EQ(n->len, 1);
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_OK);
    TU_CHECK(s == (const char *)&n->data && strcmp(s, "a") == 0);
    ((char *)&n->data)[5] = 'z';
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_ECORRUPT);
    ((char *)&n->data)[5] = 0;
    ((char *)&n->data)[1] = 'b'; /* "ab" with len 1: no NUL */
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_ECORRUPT);
    ((char *)&n->data)[1] = 0;
    n->len = 7;
    memcpy(&n->data, "abcdefg", 8);
    TU_EQ(hffi_val_get_str(rt, v, &s, &len), HFFI_OK);
    TU_CHECK(strcmp(s, "abcdefg") == 0 && len == 7);

    TU_EQ(hffi_val_path(rt, root, "ok", &v), HFFI_OK);
    node_at(v)->data = 2;
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_ECORRUPT);
    node_at(v)->data = 1;
    node_at(v)->len = 1;
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_ECORRUPT);
    node_at(v)->len = 0;

    TU_EQ(hffi_val_path(rt, root, "tags", &v), HFFI_OK);
    n = node_at(v);
    saved = *n;
    n->data += 4; /* misaligned array */
    TU_EQ(hffi_val_list_at(rt, v, 0, &w), HFFI_ECORRUPT);
    n->data = saved.data;
    n->len = 1000000;
    TU_EQ(hffi_val_list_at(rt, v, 0, &w), HFFI_EBOUNDS);
    *n = saved;
    n->len = 0; /* empty with a payload */
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_ECORRUPT);
    *n = saved;
    n->kind = HFFI_VAL_STR;
    n->len = 0; /* an empty string must have zero data */
    TU_EQ(hffi_val_kind(rt, v, &kind), HFFI_ECORRUPT);
    *n = saved;

    /* a map whose key is not a string */
    n = node_at(root);
    {
        hffi_val_entry *e = (hffi_val_entry *)(uintptr_t)(h->base + n->data);
        hffi_val k = e[4].key;
        e[4].key.kind = HFFI_VAL_INT;
        e[4].key.data = 0;
        e[4].key.len = 0;
        TU_EQ(hffi_val_map_find(rt, root, "name", HFFI_VAL_NTS, &w), HFFI_ECORRUPT);
        e[4].key = k;
        TU_EQ(hffi_val_map_find(rt, root, "name", HFFI_VAL_NTS, &w), HFFI_OK);
    }
    /* a reference past what the arena allocated */
    TU_EQ(hffi_val_kind(rt, child(root, h->used), &kind), HFFI_EBOUNDS);
    tu_arena_free(rt, a);
}

/* Random bytes: every accessor on every 8-aligned reference of a region
 * filled with noise (biased towards plausible kinds, lengths and offsets)
 * returns a code; ASan proves nothing is read outside the arena. */
static void test_random_bytes(void) {
    enum { REGION = 4096, ROUNDS = 300 };
    hffi_arena a = tu_arena_open(rt, 5, 1 << 20, 0);
    hffi_arena_hdr *h = tu_arena_hdr(rt, 5);
    uint64_t counts[4] = {0, 0, 0, 0};
    for (int round = 0; round < ROUNDS; round++) {
        void *p = NULL;
        hffi_ref base = 0;
        uint64_t *w;
        a = tu_arena_reset(rt, a);
        TU_EQ(hffi_arena_alloc(rt, a, REGION, 8, &p, &base), HFFI_OK);
        w = (uint64_t *)p;
        for (int i = 0; i < REGION / 8; i += 2) {
            uint64_t r = rng();
            uint32_t kind = (uint32_t)(r % 12), len = (uint32_t)((r >> 8) % 40);
            if ((r >> 20) % 16 == 0) len = (uint32_t)(r >> 32);
            w[i] = (uint64_t)kind | ((uint64_t)len << 32);
            w[i + 1] = (r >> 40) % 3 == 0 ? rng() : HFFI_ARENA_PREFIX + (rng() % (REGION + 64));
            if ((r >> 44) % 4 == 0) w[i + 1] &= ~UINT64_C(7);
        }
        for (uint64_t off = 0; off < REGION + 64; off += 8) {
            hffi_ref v = child(base, HFFI_ARENA_PREFIX + off), out = 0;
            uint32_t kind;
            uint64_t len;
            const char *s;
            const void *b;
            int64_t i;
            double f;
            bool bo;
            hffi_handle hd;
            int32_t rc = hffi_val_kind(rt, v, &kind);
            counts[rc == 0 ? 0 : rc == HFFI_ECORRUPT ? 1 : rc == HFFI_EBOUNDS ? 2 : 3]++;
            hffi_val_len(rt, v, &len);
            if (hffi_val_get_str(rt, v, &s, &len) == 0 && s[len] != '\0') counts[3] += 1000;
            if (hffi_val_get_bytes(rt, v, &b, &len) == 0 && len > 0 &&
                ((const char *)b)[len] != '\0')
                counts[3] += 1000;
            hffi_val_get_int(rt, v, &i);
            hffi_val_get_float(rt, v, &f);
            hffi_val_get_bool(rt, v, &bo);
            hffi_val_get_handle(rt, v, &hd);
            for (uint64_t j = 0; j < 3; j++) {
                if (hffi_val_list_at(rt, v, j, &out) == 0) hffi_val_kind(rt, out, &kind);
                if (hffi_val_map_at(rt, v, j, &out, NULL) == 0) hffi_val_get_str(rt, out, &s, &len);
            }
            hffi_val_map_find(rt, v, "k", 1, &out);
            hffi_val_path(rt, v, "a[1].b[0]", &out);
            hffi_val_map_sort(rt, v);
        }
    }
    (void)h;
    TU_CHECK(counts[0] > 0);
    TU_CHECK(counts[1] > 0);
    TU_CHECK(counts[2] > 0);
    TU_EQ(counts[3], 0); /* only OK, ECORRUPT and EBOUNDS from kind */
    tu_arena_free(rt, a);
}

static void test_handle(void) {
    hffi_arena a = tu_arena_open(rt, 6, 1 << 20, 0);
    hffi_table *t = tu_table_open(rt, 1, 16, 16);
    hffi_ref v = 0;
    hffi_handle h = hffi_handle_make(1, 1, 3), got = 0;
    tu_table_slot(t, 3)->word = 1u | ((uint64_t)HFFI_SLOT_LIVE << HFFI_SLOT_STATE_SHIFT);
    TU_EQ(hffi_val_new(rt, a, &v), HFFI_OK);
    TU_EQ(hffi_val_set_handle(rt, v, hffi_handle_make(1, 2, 3)), HFFI_EFORGED);
    TU_EQ(hffi_val_set_handle(rt, v, 0), HFFI_EZERO);
    TU_EQ(hffi_val_set_handle(rt, v, h), HFFI_OK);
    TU_EQ(hffi_val_get_handle(rt, v, &got), HFFI_OK);
    TU_CHECK(got == h);
    TU_EQ(hffi_val_get_int(rt, v, (int64_t *)&got), HFFI_ETYPE);
    tu_table_close(t);
    tu_arena_free(rt, a);
}

int main(void) {
    rt = tu_root_new();
    test_build_and_read();
    test_sort_errors();
    test_large_map();
    test_corrupt();
    test_random_bytes();
    test_handle();
    tu_root_free(rt);
    return TU_DONE("value_test");
}
