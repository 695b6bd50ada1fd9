/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hffi.c - the C implementation of the non-inline part of hffi.h that is
 * not about handles: versions, error names and messages, and allocation
 * from an arena that Go created (hffi_handles.c holds the handle half).
 *
 * The arena protocol is shared with the Go twin in arena/: both sides bump
 * hdr->used with a CAS and grow hdr->committed in hdr->grow steps with
 * mprotect, on the same words, so C threads and goroutines may allocate
 * from one arena at the same time. Memory is committed before the bump that
 * hands it out is published, so `used <= committed` holds at every instant
 * and a resolved reference never lands on an inaccessible page.
 */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* mprotect and MAP_* under -std=c11 on glibc */
#endif
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE 1
#endif

#include "hffi.h"

#include <string.h>
#include <sys/mman.h>

int32_t hffi_version(void) { return HFFI_VERSION_NUMBER; }

#if defined(HFFI_TEST_HOOKS) && !defined(HFFI_IMPLEMENTATION)
void (*_hffi_test_hook_snapshot)(const hffi_rt *rt, hffi_ref r);
#endif

/* Both are generated from HFFI_ERRORS. A switch rather than an array
 * indexed by -code: designated array initializers are not C++, and the
 * implementation also compiles as C++ (HFFI_IMPLEMENTATION in hffi.h). */
const char *hffi_strerror(int32_t code) {
    switch (code) {
#define _HFFI_ERR_MSG(n, c, m) \
    case (c):                  \
        return m;
        HFFI_ERRORS(_HFFI_ERR_MSG)
#undef _HFFI_ERR_MSG
    default:
        return "unknown error";
    }
}

const char *hffi_err_name(int32_t code) {
    switch (code) {
#define _HFFI_ERR_NAME(n, c, m) \
    case (c):                   \
        return "HFFI_" #n;
        HFFI_ERRORS(_HFFI_ERR_NAME)
#undef _HFFI_ERR_NAME
    default:
        return "HFFI_UNKNOWN";
    }
}

/* ---------------------------------------------------------------------
 * Arena allocation
 * ------------------------------------------------------------------- */

/* _hffi_arena_live validates rt and the arena id a (any reference into the
 * arena is accepted, like hffi_arena_check) and returns its header and slot
 * word. The
 * registry lives in writable shared memory; the lookup hands out a const
 * pointer only because resolving never writes. */
static int32_t _hffi_arena_live(const hffi_rt *rt, hffi_arena a, hffi_arena_hdr **hdr_out,
                                uint64_t *word_out) {
    const hffi_arena_hdr *h = NULL;
    int32_t rc = _hffi_arena_lookup(rt, a, &h, word_out);
    if (rc < 0) return rc;
    *hdr_out = (hffi_arena_hdr *)(uintptr_t)h;
    return HFFI_OK;
}

/* _hffi_arena_commit makes [base, base+end) read-write, growing committed
 * in multiples of grow (capped at limit). Two threads may mprotect the same
 * pages; that is harmless, and the CAS keeps committed monotonic. */
static int32_t _hffi_arena_commit(hffi_arena_hdr *h, uint64_t end, uint64_t page) {
    uint64_t c = _hffi_load(&h->committed);
    while (end > c) {
        uint64_t grow = h->grow, target, from;
        if (grow < page) grow = page;
        target = end + grow - 1;
        target -= target % grow;
        if (target > h->limit || target < end) target = h->limit;
        from = c - c % page; /* mprotect wants a page-aligned start */
        if (mprotect((void *)(uintptr_t)(h->base + from), (size_t)(target - from),
                     PROT_READ | PROT_WRITE) != 0)
            return HFFI_ENOMEM;
        if (_hffi_cas(&h->committed, &c, target)) return HFFI_OK;
        /* c now holds the committed size another thread published. */
    }
    return HFFI_OK;
}

/* _hffi_arena_bump reserves size bytes at align and returns their offset.
 * A zero-size allocation reserves nothing: its address is the aligned bump
 * position, which the next allocation may share. */
static int32_t _hffi_arena_bump(hffi_arena_hdr *h, uint64_t size, uint64_t align, uint64_t page,
                                uint64_t *off_out) {
    uint64_t limit = h->limit;
    uint64_t old = _hffi_load(&h->used);
    for (;;) {
        uint64_t off = (old + align - 1) & ~(align - 1);
        int32_t rc;
        if (off < old || off > limit || size > limit - off) return HFFI_ENOMEM;
        rc = _hffi_arena_commit(h, off + size, page);
        if (rc < 0) return rc;
        if (off + size == old || _hffi_cas(&h->used, &old, off + size)) {
            *off_out = off;
            return HFFI_OK;
        }
    }
}

/* _hffi_arena_mint returns a reference to offset off of h, marking the
 * arena's generation as one that Reset must retire. */
static hffi_ref _hffi_arena_mint(hffi_arena_hdr *h, hffi_arena a, uint64_t off) {
    if (_hffi_load(&h->minted) == 0) _hffi_store(&h->minted, UINT64_C(1));
    return hffi_ref_make(hffi_ref_slot(a), hffi_ref_gen(a), off);
}

static int32_t _hffi_arena_alloc(const hffi_rt *rt, hffi_arena a, uint64_t size, uint64_t align,
                                 bool zero, void **ptr_out, hffi_ref *ref_out) {
    hffi_arena_hdr *h = NULL;
    uint64_t off = 0, page, w = 0;
    void *p;
    int32_t rc;
    if (ptr_out == NULL) return HFFI_EINVAL;
    rc = _hffi_arena_live(rt, a, &h, &w);
    if (rc < 0) return rc;
    page = rt->page_size;
    if (align == 0 || (align & (align - 1)) != 0 || align > page) return HFFI_EALIGN;
    if (ref_out != NULL && align < HFFI_REF_OFF_SCALE) return HFFI_EALIGN;
    rc = _hffi_arena_bump(h, size, align, page, &off);
    if (rc < 0) return rc;
    if (ref_out != NULL && off >= HFFI_ARENA_MAX_SIZE) return HFFI_ERANGE;
    p = (void *)(uintptr_t)(h->base + off);
    if (zero && size > 0) memset(p, 0, (size_t)size);
    if (ref_out != NULL) *ref_out = _hffi_arena_mint(h, a, off);
    *ptr_out = p;
    return HFFI_OK;
}

int32_t hffi_arena_alloc(const hffi_rt *rt, hffi_arena a, uint64_t size, uint64_t align,
                         void **ptr_out, hffi_ref *ref_out) {
    return _hffi_arena_alloc(rt, a, size, align, true, ptr_out, ref_out);
}

int32_t hffi_arena_memdup(const hffi_rt *rt, hffi_arena a, const void *p, uint64_t n,
                          void **ptr_out, hffi_ref *ref_out) {
    void *q = NULL;
    int32_t rc;
    if (p == NULL && n > 0) return HFFI_EINVAL;
    rc = _hffi_arena_alloc(rt, a, n, HFFI_REF_OFF_SCALE, false, &q, ref_out);
    if (rc < 0) return rc;
    if (n > 0) memcpy(q, p, (size_t)n);
    if (ptr_out != NULL) *ptr_out = q;
    return HFFI_OK;
}

int32_t hffi_arena_strdup(const hffi_rt *rt, hffi_arena a, const char *s, char **ptr_out,
                          hffi_ref *ref_out) {
    void *q = NULL;
    int32_t rc;
    if (s == NULL) return HFFI_EINVAL;
    rc = hffi_arena_memdup(rt, a, s, (uint64_t)strlen(s) + 1, &q, ref_out);
    if (rc < 0) return rc;
    if (ptr_out != NULL) *ptr_out = (char *)q;
    return HFFI_OK;
}

int32_t hffi_ref_of(const hffi_rt *rt, hffi_arena a, const void *ptr, hffi_ref *ref_out) {
    hffi_arena_hdr *h = NULL;
    uint64_t addr = (uint64_t)(uintptr_t)ptr, off, w = 0;
    int32_t rc;
    if (ref_out == NULL) return HFFI_EINVAL;
    rc = _hffi_arena_live(rt, a, &h, &w);
    if (rc < 0) return rc;
    /* The same checks in the same order as Go's Arena.Ref. */
    if (ptr == NULL) return HFFI_EINVAL;
    if (addr % HFFI_REF_OFF_SCALE != 0) return HFFI_EALIGN;
    if (addr < h->base) return HFFI_EBOUNDS;
    off = addr - h->base;
    /* off == used names the empty tail, where a zero-size allocation lies;
     * hffi_ref_resolve accepts it for size 0 only. */
    if (off < _hffi_arena_floor(w) + HFFI_ARENA_PREFIX || off > _hffi_load(&h->used))
        return HFFI_EBOUNDS;
    if (off >= HFFI_ARENA_MAX_SIZE) return HFFI_ERANGE;
    *ref_out = _hffi_arena_mint(h, a, off);
    return HFFI_OK;
}
