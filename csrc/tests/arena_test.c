/* SPDX-License-Identifier: Apache-2.0 */
/* arena_test.c - hffi_arena_alloc, strdup, memdup, ref_of and their
 * interplay with hffi_ref_resolve and a hand-made Reset / Free. */
#include "testutil.h"

static hffi_rt *rt;
static uint64_t page;

static bool aligned(const void *p, uint64_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

static bool all_zero(const void *p, uint64_t n) {
    const unsigned char *b = (const unsigned char *)p;
    for (uint64_t i = 0; i < n; i++)
        if (b[i] != 0) return false;
    return true;
}

static void test_version_and_errors(void) {
    TU_EQ(hffi_version(), HFFI_VERSION_NUMBER);
#define CHECK_ERR(name, code, msg)                                   \
    TU_CHECK(strcmp(hffi_strerror(code), msg) == 0);                 \
    TU_CHECK(strcmp(hffi_err_name(code), "HFFI_" #name) == 0);       \
    TU_CHECK(strcmp(hffi_err_name(HFFI_##name), "HFFI_" #name) == 0);
    HFFI_ERRORS(CHECK_ERR)
#undef CHECK_ERR
    TU_EQ(HFFI_ERR_MIN_, HFFI_ECALLBACK);
    TU_CHECK(strcmp(hffi_strerror(HFFI_ERR_MIN_ - 1), "unknown error") == 0);
    TU_CHECK(strcmp(hffi_strerror(1), "unknown error") == 0);
    TU_CHECK(strcmp(hffi_strerror(INT32_MIN), "unknown error") == 0);
    TU_CHECK(strcmp(hffi_err_name(HFFI_ERR_MIN_ - 1), "HFFI_UNKNOWN") == 0);
    TU_CHECK(strcmp(hffi_err_name(INT32_MIN), "HFFI_UNKNOWN") == 0);
    TU_CHECK(strcmp(hffi_err_name(INT32_MAX), "HFFI_UNKNOWN") == 0);
}

static void test_alloc_basic(void) {
    hffi_arena a = tu_arena_open(rt, 1, 1 << 20, 0);
    hffi_arena_hdr *h = tu_arena_hdr(rt, 1);
    void *p = NULL, *q = NULL, *r = NULL;
    hffi_ref ref = 0;

    TU_EQ(hffi_arena_alloc(rt, a, 100, 8, &p, &ref), HFFI_OK);
    TU_EQ((uintptr_t)p, h->base + HFFI_ARENA_PREFIX); /* the first allocation follows the prefix */
    TU_CHECK(all_zero(p, 100));
    memset(p, 0xab, 100);
    TU_EQ(h->used, HFFI_ARENA_PREFIX + 100);
    TU_CHECK(h->minted != 0);
    TU_EQ(hffi_ref_slot(ref), 1);
    TU_EQ(hffi_ref_gen(ref), hffi_ref_gen(a));
    TU_EQ(hffi_ref_offset(ref), HFFI_ARENA_PREFIX);
    TU_EQ(hffi_ref_resolve(rt, ref, 100, &r), HFFI_OK);
    TU_CHECK(r == p);
    TU_EQ(hffi_ref_resolve(rt, ref, 101, &r), HFFI_EBOUNDS);

    TU_EQ(hffi_arena_alloc(rt, a, 1, 1, &q, NULL), HFFI_OK);
    TU_CHECK((char *)q == (char *)p + 100); /* align 1 packs */
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, &q, NULL), HFFI_OK);
    TU_EQ((uintptr_t)q, h->base + HFFI_ARENA_PREFIX + 104);
    tu_arena_free(rt, a);
}

static void test_alignment(void) {
    hffi_arena a = tu_arena_open(rt, 2, 1 << 20, 0);
    void *p = NULL;
    hffi_ref ref = 0;
    for (uint64_t al = 1; al <= page; al <<= 1) {
        TU_EQ(hffi_arena_alloc(rt, a, 3, al, &p, NULL), HFFI_OK);
        TU_CHECK(aligned(p, al));
        TU_CHECK(all_zero(p, 3));
    }
    TU_EQ(hffi_arena_alloc(rt, a, 8, 0, &p, NULL), HFFI_EALIGN);
    TU_EQ(hffi_arena_alloc(rt, a, 8, 3, &p, NULL), HFFI_EALIGN);
    TU_EQ(hffi_arena_alloc(rt, a, 8, 24, &p, NULL), HFFI_EALIGN);
    TU_EQ(hffi_arena_alloc(rt, a, 8, page * 2, &p, NULL), HFFI_EALIGN);
    TU_EQ(hffi_arena_alloc(rt, a, 8, UINT64_C(1) << 63, &p, NULL), HFFI_EALIGN);
    /* A reference needs 8-byte alignment. */
    TU_EQ(hffi_arena_alloc(rt, a, 8, 4, &p, &ref), HFFI_EALIGN);
    TU_EQ(hffi_arena_alloc(rt, a, 8, page, &p, &ref), HFFI_OK);
    TU_CHECK(aligned(p, page));
    tu_arena_free(rt, a);
}

static void test_zero_size(void) {
    hffi_arena a = tu_arena_open(rt, 3, 1 << 20, 0);
    hffi_arena_hdr *h = tu_arena_hdr(rt, 3);
    void *p = NULL, *q = NULL, *r = NULL;
    hffi_ref ref = 0;
    TU_EQ(hffi_arena_alloc(rt, a, 1, 1, &p, NULL), HFFI_OK);
    TU_EQ(hffi_arena_alloc(rt, a, 0, 16, &p, &ref), HFFI_OK);
    TU_CHECK(p != NULL);
    TU_CHECK(aligned(p, 16));
    TU_EQ(h->used, (uintptr_t)p - h->base); /* the bump position moved to the alignment */
    TU_EQ(hffi_ref_resolve(rt, ref, 0, &r), HFFI_OK);
    TU_CHECK(r == p);
    TU_EQ(hffi_ref_resolve(rt, ref, 1, &r), HFFI_EBOUNDS);
    /* A zero-size allocation may share its address with the next one. */
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, &q, NULL), HFFI_OK);
    TU_CHECK(q == p);
    TU_EQ(hffi_arena_memdup(rt, a, NULL, 0, &p, NULL), HFFI_OK);
    TU_EQ(hffi_arena_strdup(rt, a, "", (char **)&p, &ref), HFFI_OK);
    TU_EQ(*(char *)p, 0);
    tu_arena_free(rt, a);
}

static void test_growth_and_limit(void) {
    uint64_t limit = 16 * page, grow = 2 * page;
    hffi_arena a = tu_arena_open(rt, 4, limit, grow);
    hffi_arena_hdr *h = tu_arena_hdr(rt, 4);
    void *p = NULL;
    hffi_ref ref = 0;
    TU_EQ(h->committed, 0);
    TU_EQ(hffi_arena_alloc(rt, a, 1, 1, &p, NULL), HFFI_OK);
    TU_EQ(h->committed, grow);
    TU_EQ(hffi_arena_alloc(rt, a, grow, 8, &p, NULL), HFFI_OK); /* straddles the boundary */
    TU_EQ(h->committed, 2 * grow);
    memset(p, 1, grow);
    TU_EQ(hffi_arena_alloc(rt, a, 5 * page, page, &p, NULL), HFFI_OK); /* larger than grow */
    TU_EQ(h->committed % grow, 0);
    TU_CHECK(h->committed >= h->used);
    memset(p, 2, 5 * page);

    uint64_t used = h->used;
    TU_EQ(hffi_arena_alloc(rt, a, limit, 1, &p, NULL), HFFI_ENOMEM);
    TU_EQ(hffi_arena_alloc(rt, a, UINT64_MAX, 1, &p, NULL), HFFI_ENOMEM);
    TU_EQ(hffi_arena_alloc(rt, a, UINT64_MAX - 7, 8, &p, &ref), HFFI_ENOMEM);
    TU_EQ(hffi_arena_alloc(rt, a, limit - used + 1, 1, &p, NULL), HFFI_ENOMEM);
    TU_EQ(h->used, used); /* failures leave the arena as it was */
    TU_EQ(hffi_arena_alloc(rt, a, limit - used, 1, &p, NULL), HFFI_OK); /* exactly full */
    memset(p, 3, limit - used);
    TU_EQ(h->used, limit);
    TU_EQ(h->committed, limit);
    TU_EQ(hffi_arena_alloc(rt, a, 1, 1, &p, NULL), HFFI_ENOMEM);
    TU_EQ(hffi_arena_alloc(rt, a, 0, 1, &p, NULL), HFFI_OK); /* nothing left, nothing needed */
    TU_EQ(hffi_arena_alloc(rt, a, 0, 8, &p, &ref), HFFI_OK);
    TU_EQ(hffi_ref_offset(ref), limit);
    tu_arena_free(rt, a);

    /* A grow that is not a page multiple, and a limit that is not a grow
     * multiple: committed stops at the limit. */
    a = tu_arena_open(rt, 4, 3 * page, 0);
    h = tu_arena_hdr(rt, 4);
    h->grow = 2 * page;
    TU_EQ(hffi_arena_alloc(rt, a, 2 * page, 8, &p, NULL), HFFI_OK);
    TU_EQ(h->committed, 3 * page);
    memset(p, 4, 2 * page);
    tu_arena_free(rt, a);
}

static void test_reset_zeroes_and_mints(void) {
    hffi_arena a = tu_arena_open(rt, 5, 1 << 20, 0);
    hffi_arena_hdr *h = tu_arena_hdr(rt, 5);
    void *p = NULL, *q = NULL, *r = NULL;
    hffi_ref ref = 0;

    /* Without a minted reference, Reset keeps the generation. */
    TU_EQ(hffi_arena_alloc(rt, a, 64, 8, &p, NULL), HFFI_OK);
    memset(p, 0xcd, 64);
    TU_EQ(h->minted, 0);
    hffi_arena a2 = tu_arena_reset(rt, a);
    TU_EQ(a2, a);
    TU_EQ(hffi_arena_alloc(rt, a, 64, 8, &q, NULL), HFFI_OK);
    TU_CHECK(q == p);
    TU_CHECK(all_zero(q, 64)); /* reused memory is zeroed again */

    /* With one, the generation moves and old references go stale. */
    TU_EQ(hffi_arena_alloc(rt, a, 16, 8, &p, &ref), HFFI_OK);
    a2 = tu_arena_reset(rt, a);
    TU_EQ(hffi_ref_gen(a2), hffi_ref_gen(a) + 1);
    TU_EQ(hffi_ref_resolve(rt, ref, 16, &r), HFFI_ESTALE);
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, &p, NULL), HFFI_ESTALE);
    TU_EQ(hffi_arena_check(rt, a), HFFI_ESTALE);
    TU_EQ(hffi_arena_alloc(rt, a2, 8, 8, &p, NULL), HFFI_OK);

    /* hffi_ref_of mints too. */
    TU_EQ(h->minted, 0);
    TU_EQ(hffi_ref_of(rt, a2, p, &ref), HFFI_OK);
    TU_CHECK(h->minted != 0);
    tu_arena_free(rt, a2);
    TU_EQ(hffi_ref_resolve(rt, ref, 8, &r), HFFI_ECLOSED);
    TU_EQ(hffi_arena_alloc(rt, a2, 8, 8, &p, NULL), HFFI_ECLOSED);
    TU_EQ(hffi_ref_of(rt, a2, p, &ref), HFFI_ECLOSED);

    /* Reusing the slot moves the generation past the minted one. */
    hffi_arena a3 = tu_arena_open(rt, 5, 1 << 20, 0);
    TU_EQ(hffi_ref_gen(a3), hffi_ref_gen(a2) + 1);
    TU_EQ(hffi_ref_resolve(rt, ref, 0, &r), HFFI_ESTALE);
    TU_EQ(hffi_arena_alloc(rt, a2, 8, 8, &p, NULL), HFFI_ESTALE);
    TU_EQ(hffi_arena_alloc(rt, a3, 8, 8, &p, NULL), HFFI_OK);
    tu_arena_free(rt, a3);
}

static void test_bad_ids(void) {
    hffi_arena a = tu_arena_open(rt, 6, 1 << 20, 0);
    hffi_arena_hdr *h = tu_arena_hdr(rt, 6);
    uint32_t gen = hffi_ref_gen(a);
    void *p = NULL;
    hffi_ref ref = 0;
    struct {
        hffi_arena id;
        int32_t want;
    } cases[] = {
        {0, HFFI_EZERO},
        {1, HFFI_EKIND},
        {hffi_handle_make(1, 1, 1), HFFI_EKIND},
        {hffi_ref_make(0, gen, 0), HFFI_ERANGE},
        {hffi_ref_make(6, 0, 0), HFFI_EFORGED},
        {hffi_ref_make(6, gen + 1, 0), HFFI_EFORGED},
        {hffi_ref_make(6, HFFI_ARENA_GEN_MAX, 0), HFFI_EFORGED},
        {hffi_ref_make(7, 1, 0), HFFI_EFORGED}, /* a slot never used */
        {hffi_ref_make(HFFI_ARENA_SLOTS - 1, 1, 0), HFFI_EFORGED},
        {UINT64_MAX, HFFI_EFORGED},
        {a + 8, HFFI_OK}, /* any reference into the arena names it */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TU_EQ(hffi_arena_alloc(rt, cases[i].id, 8, 8, &p, &ref), cases[i].want);
        TU_EQ(hffi_arena_check(rt, cases[i].id), cases[i].want);
    }

    /* A retired slot. */
    uint64_t w = h->word;
    _hffi_store(&h->word, (uint64_t)gen | ((uint64_t)HFFI_ARENA_RETIRED << HFFI_ARENA_STATE_SHIFT));
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, &p, NULL), HFFI_ERETIRED);
    /* A freed slot at the same generation. */
    _hffi_store(&h->word, (uint64_t)gen | ((uint64_t)HFFI_ARENA_FREE << HFFI_ARENA_STATE_SHIFT));
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, &p, NULL), HFFI_ECLOSED);
    _hffi_store(&h->word, w);

    /* Bad roots and arguments. */
    TU_EQ(hffi_arena_alloc(NULL, a, 8, 8, &p, NULL), HFFI_EINVAL);
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, NULL, NULL), HFFI_EINVAL);
    rt->abi_version++;
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, &p, NULL), HFFI_EVERSION);
    rt->abi_version--;
    rt->magic ^= 1;
    TU_EQ(hffi_arena_alloc(rt, a, 8, 8, &p, NULL), HFFI_EINVAL);
    TU_EQ(hffi_ref_of(rt, a, h + 1, &ref), HFFI_EINVAL);
    rt->magic ^= 1;
    TU_EQ(h->used, HFFI_ARENA_PREFIX + 8); /* only the OK case allocated */
    tu_arena_free(rt, a);
}

static void test_dup(void) {
    hffi_arena a = tu_arena_open(rt, 8, 1 << 20, 0);
    char *s = NULL;
    void *p = NULL, *r = NULL;
    hffi_ref ref = 0;
    const unsigned char bytes[5] = {1, 0, 2, 0, 3};

    TU_EQ(hffi_arena_alloc(rt, a, 1, 1, &p, NULL), HFFI_OK); /* misalign the bump */
    TU_EQ(hffi_arena_strdup(rt, a, "hello, arena", &s, &ref), HFFI_OK);
    TU_CHECK(aligned(s, 8));
    TU_CHECK(strcmp(s, "hello, arena") == 0);
    TU_EQ(hffi_ref_resolve(rt, ref, 13, &r), HFFI_OK);
    TU_CHECK(r == s);
    TU_EQ(hffi_ref_resolve(rt, ref, 14, &r), HFFI_EBOUNDS);

    TU_EQ(hffi_arena_memdup(rt, a, bytes, sizeof bytes, &p, &ref), HFFI_OK);
    TU_CHECK(aligned(p, 8));
    TU_CHECK(memcmp(p, bytes, sizeof bytes) == 0);
    TU_EQ(hffi_ref_resolve(rt, ref, sizeof bytes, &r), HFFI_OK);
    TU_CHECK(r == p);
    TU_EQ(hffi_arena_memdup(rt, a, bytes, sizeof bytes, NULL, &ref), HFFI_OK); /* ref only */
    TU_EQ(hffi_ref_resolve(rt, ref, sizeof bytes, &r), HFFI_OK);
    TU_CHECK(memcmp(r, bytes, sizeof bytes) == 0);
    TU_EQ(hffi_arena_strdup(rt, a, "x", NULL, NULL), HFFI_OK);

    TU_EQ(hffi_arena_strdup(rt, a, NULL, &s, &ref), HFFI_EINVAL);
    TU_EQ(hffi_arena_memdup(rt, a, NULL, 1, &p, &ref), HFFI_EINVAL);
    TU_EQ(hffi_arena_strdup(rt, 0, "x", &s, &ref), HFFI_EZERO);
    TU_EQ(hffi_arena_memdup(rt, 0, bytes, 1, &p, &ref), HFFI_EZERO);

    /* Too long for the arena. */
    hffi_arena small = tu_arena_open(rt, 9, page, 0);
    char *big = (char *)malloc(page);
    memset(big, 'x', page - 1);
    big[page - 1] = 0;
    TU_EQ(hffi_arena_strdup(rt, small, big, &s, NULL), HFFI_ENOMEM);
    big[page - HFFI_ARENA_PREFIX - 1] = 0;
    TU_EQ(hffi_arena_strdup(rt, small, big, &s, NULL), HFFI_OK);
    TU_EQ(strlen(s), page - HFFI_ARENA_PREFIX - 1);
    free(big);
    tu_arena_free(rt, small);
    tu_arena_free(rt, a);
}

static void test_ref_of(void) {
    hffi_arena a = tu_arena_open(rt, 10, 1 << 20, 0);
    hffi_arena b = tu_arena_open(rt, 11, 1 << 20, 0);
    hffi_arena_hdr *h = tu_arena_hdr(rt, 10);
    char *p = NULL, *pb = NULL;
    void *r = NULL;
    hffi_ref ref = 0;

    TU_EQ(hffi_arena_alloc(rt, a, 64, 8, (void **)&p, NULL), HFFI_OK);
    TU_EQ(hffi_arena_alloc(rt, b, 64, 8, (void **)&pb, NULL), HFFI_OK);
    TU_EQ(hffi_ref_of(rt, a, p + 16, &ref), HFFI_OK);
    TU_EQ(hffi_ref_offset(ref), HFFI_ARENA_PREFIX + 16);
    TU_EQ(hffi_ref_resolve(rt, ref, 48, &r), HFFI_OK);
    TU_CHECK(r == p + 16);
    TU_EQ(hffi_ref_resolve(rt, ref, 49, &r), HFFI_EBOUNDS);
    TU_EQ(hffi_ref_of(rt, a, p + 64, &ref), HFFI_OK); /* the empty tail */
    TU_EQ(hffi_ref_resolve(rt, ref, 0, &r), HFFI_OK);

    TU_EQ(hffi_ref_of(rt, a, p + 4, &ref), HFFI_EALIGN);
    TU_EQ(hffi_ref_of(rt, a, p + 72, &ref), HFFI_EBOUNDS);
    TU_EQ(hffi_ref_of(rt, a, p - 8, &ref), HFFI_EBOUNDS); /* the prefix */
    TU_EQ(hffi_ref_of(rt, a, (char *)(uintptr_t)h->base, &ref), HFFI_EBOUNDS);
    TU_EQ(hffi_ref_of(rt, a, pb, &ref), HFFI_EBOUNDS); /* another arena */
    TU_EQ(hffi_ref_of(rt, a, (void *)(uintptr_t)8, &ref), HFFI_EBOUNDS);
    TU_EQ(hffi_ref_of(rt, a, NULL, &ref), HFFI_EINVAL);
    TU_EQ(hffi_ref_of(rt, a, p, NULL), HFFI_EINVAL);
    TU_EQ(hffi_ref_of(rt, hffi_ref_make(10, 99, 0), p, &ref), HFFI_EFORGED);
    tu_arena_free(rt, b);
    tu_arena_free(rt, a);
}

/* Resolving must never read outside the registry or a live arena. */
static void test_resolve_edges(void) {
    hffi_arena a = tu_arena_open(rt, 12, 1 << 20, 0);
    void *p = NULL, *r = NULL;
    hffi_ref ref = 0;
    uint32_t gen = hffi_ref_gen(a);
    TU_EQ(hffi_arena_alloc(rt, a, 32, 8, &p, &ref), HFFI_OK);
    TU_EQ(hffi_ref_resolve(rt, hffi_ref_make(12, gen, 0), 0, &r), HFFI_EBOUNDS); /* the id */
    TU_EQ(hffi_ref_resolve(rt, hffi_ref_make(12, gen, 56), 8, &r), HFFI_EBOUNDS);
    TU_EQ(hffi_ref_resolve(rt, hffi_ref_make(12, gen, 96), 0, &r), HFFI_OK);
    TU_EQ(hffi_ref_resolve(rt, hffi_ref_make(12, gen, 104), 0, &r), HFFI_EBOUNDS);
    TU_EQ(hffi_ref_resolve(rt, hffi_ref_make(12, gen, (UINT64_C(1) << 32) - 8), 0, &r),
          HFFI_EBOUNDS);
    TU_EQ(hffi_ref_resolve(rt, ref, UINT64_MAX, &r), HFFI_EBOUNDS);
    TU_EQ(hffi_ref_resolve(rt, ref, UINT64_MAX - 63, &r), HFFI_EBOUNDS);
    tu_arena_free(rt, a);
}

int main(void) {
    rt = tu_root_new();
    page = rt->page_size;
    test_version_and_errors();
    test_alloc_basic();
    test_alignment();
    test_zero_size();
    test_growth_and_limit();
    test_reset_zeroes_and_mints();
    test_bad_ids();
    test_dup();
    test_ref_of();
    test_resolve_edges();
    tu_root_free(rt);
    return TU_DONE("arena");
}
