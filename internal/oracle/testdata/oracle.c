/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oracle.c - the C half of the oracle suite. It is linked with every
 * csrc/ C file into a shared library that the Go test loads with purego, so
 * that C runs on the handles and arenas Go issued, in the same process.
 *
 * Each orc_* function takes a batch of 64-bit integers and calls C entry
 * points with every one of them, writing the return code of each call
 * (and what the call gave back) into off-heap arrays the test owns. The Go
 * test knows which integers it issued and what became of them, and judges
 * every answer. Apart from the checks that only C can make on memory it
 * was handed (a fresh allocation is zeroed, a string ends in NUL), C
 * judges nothing itself: that keeps the oracle in one place.
 *
 * Built with -fsanitize=undefined always, and with address too when the
 * Go test binary runs under -asan.
 */
#include "hffi.h"

#include <string.h>

/* Codes that are not HFFI codes: a call that was not made, and checks
 * that only C can make. The Go test has the same constants. */
#define ORC_SKIPPED 1
#define ORC_NOT_ZEROED 100
#define ORC_REF_MISMATCH 101
#define ORC_NO_NUL 102
#define ORC_COPY_MISMATCH 103

/* Read-only calls, in the order of the codes of one record. */
enum {
    R_CHECK,
    R_CHECK_A,
    R_CHECK_B,
    R_COBJ_GET,
    R_RESOLVE0,
    R_RESOLVE16,
    R_ACHECK,
    R_VKIND,
    R_VLEN,
    R_VBOOL,
    R_VINT,
    R_VUINT,
    R_VFLOAT,
    R_VSTR,
    R_VBYTES,
    R_VHANDLE,
    R_VLIST_AT,
    R_VMAP_FIND,
    R_VMAP_AT,
    R_VPATH,
    R_N
};

/* orc_read_width tells Go how many codes (and outputs) a record has. */
int32_t orc_read_width(void) { return R_N; }

/* orc_read makes every read-only call on each of xs[0..n): record i is
 * codes[i*R_N ..] and outs[i*R_N ..] (what the call wrote through its out
 * parameter; 0 if it wrote nothing). tab_a and tab_b are the tables given
 * to hffi_handle_check_in. */
int32_t orc_read(const hffi_rt *rt, const uint64_t *xs, uint64_t n, uint32_t tab_a, uint32_t tab_b,
                 int32_t *codes, uint64_t *outs) {
    for (uint64_t i = 0; i < n; i++) {
        uint64_t x = xs[i];
        int32_t *c = codes + i * R_N;
        uint64_t *o = outs + i * R_N;
        memset(o, 0, sizeof *o * R_N);

        c[R_CHECK] = hffi_handle_check(rt, x);
        c[R_CHECK_A] = hffi_handle_check_in(rt, tab_a, x);
        c[R_CHECK_B] = hffi_handle_check_in(rt, tab_b, x);
        {
            void *p = NULL;
            c[R_COBJ_GET] = hffi_cobj_get(rt, x, &p);
            o[R_COBJ_GET] = (uint64_t)(uintptr_t)p;
        }
        {
            void *p = NULL;
            c[R_RESOLVE0] = hffi_ref_resolve(rt, x, 0, &p);
            o[R_RESOLVE0] = (uint64_t)(uintptr_t)p;
            p = NULL;
            c[R_RESOLVE16] = hffi_ref_resolve(rt, x, 16, &p);
            o[R_RESOLVE16] = (uint64_t)(uintptr_t)p;
        }
        c[R_ACHECK] = hffi_arena_check(rt, x);
        {
            uint32_t k = 0;
            c[R_VKIND] = hffi_val_kind(rt, x, &k);
            o[R_VKIND] = k;
        }
        c[R_VLEN] = hffi_val_len(rt, x, &o[R_VLEN]);
        {
            bool b = false;
            c[R_VBOOL] = hffi_val_get_bool(rt, x, &b);
            o[R_VBOOL] = b;
        }
        {
            int64_t v = 0;
            c[R_VINT] = hffi_val_get_int(rt, x, &v);
            o[R_VINT] = (uint64_t)v;
        }
        c[R_VUINT] = hffi_val_get_uint(rt, x, &o[R_VUINT]);
        {
            double f = 0;
            c[R_VFLOAT] = hffi_val_get_float(rt, x, &f);
            memcpy(&o[R_VFLOAT], &f, sizeof f);
        }
        {
            const char *s = NULL;
            uint64_t len = 0;
            c[R_VSTR] = hffi_val_get_str(rt, x, &s, &len);
            o[R_VSTR] = (uint64_t)(uintptr_t)s;
            if (c[R_VSTR] == HFFI_OK && s[len] != '\0') c[R_VSTR] = ORC_NO_NUL;
        }
        {
            const void *p = NULL;
            uint64_t len = 0;
            c[R_VBYTES] = hffi_val_get_bytes(rt, x, &p, &len);
            o[R_VBYTES] = (uint64_t)(uintptr_t)p;
        }
        c[R_VHANDLE] = hffi_val_get_handle(rt, x, &o[R_VHANDLE]);
        c[R_VLIST_AT] = hffi_val_list_at(rt, x, 0, &o[R_VLIST_AT]);
        c[R_VMAP_FIND] = hffi_val_map_find(rt, x, "a", HFFI_VAL_NTS, &o[R_VMAP_FIND]);
        c[R_VMAP_AT] = hffi_val_map_at(rt, x, 0, &o[R_VMAP_AT], NULL);
        c[R_VPATH] = hffi_val_path(rt, x, "a[0]", &o[R_VPATH]);
    }
    return HFFI_OK;
}

/* Calls that change state, in the order of the codes of one record. */
enum {
    M_RETAIN,
    M_RELEASE_AFTER, /* releases the retain M_RETAIN took, if it took one */
    M_RELEASE,       /* a release without a retain */
    M_DESTROY,
    M_ALLOC,
    M_STRDUP,
    M_MEMDUP,
    M_REF_OF,
    M_VAL_NEW,
    M_N
};

/* Flags Go sets for an integer that names something a call must not
 * touch: a handle Go retains (so a lone release would drop Go's retain)
 * or a live C object (which destroy would destroy). */
#define ORC_SKIP_RELEASE 1u
#define ORC_SKIP_DESTROY 2u

int32_t orc_mut_width(void) { return M_N; }

static const char orc_str[] = "oracle string";
static const unsigned char orc_bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* orc_check_alloc checks what a successful allocation gave: n bytes at p,
 * equal to want (zero if want is NULL), which ref resolves to. */
static int32_t orc_check_alloc(const hffi_rt *rt, const void *p, hffi_ref ref, const void *want,
                               uint64_t n) {
    void *q = NULL;
    const unsigned char *b = (const unsigned char *)p;
    if (want == NULL) {
        for (uint64_t k = 0; k < n; k++)
            if (b[k] != 0) return ORC_NOT_ZEROED;
    } else if (memcmp(p, want, (size_t)n) != 0) {
        return ORC_COPY_MISMATCH;
    }
    if (hffi_ref_resolve(rt, ref, n, &q) != HFFI_OK || q != p) return ORC_REF_MISMATCH;
    return HFFI_OK;
}

/* orc_mut makes every state-changing call on each of xs[0..n) (flags[i]
 * as above); outs gets the reference each allocation minted. inside is an
 * 8-aligned address inside an allocation of one live arena, for
 * hffi_ref_of. Whatever C allocates lies in free arena space, and every
 * retain is released again, so the state Go judges by does not change
 * unless C wrongly accepts an integer. */
int32_t orc_mut(const hffi_rt *rt, const uint64_t *xs, const uint32_t *flags, uint64_t n,
                const void *inside, int32_t *codes, uint64_t *outs) {
    for (uint64_t i = 0; i < n; i++) {
        uint64_t x = xs[i];
        int32_t *c = codes + i * M_N;
        uint64_t *o = outs + i * M_N;
        memset(o, 0, sizeof *o * M_N);

        c[M_RETAIN] = hffi_handle_retain(rt, x);
        c[M_RELEASE_AFTER] = c[M_RETAIN] == HFFI_OK ? hffi_handle_release(rt, x) : ORC_SKIPPED;
        c[M_RELEASE] = (flags[i] & ORC_SKIP_RELEASE) ? ORC_SKIPPED : hffi_handle_release(rt, x);
        c[M_DESTROY] = (flags[i] & ORC_SKIP_DESTROY) ? ORC_SKIPPED : hffi_cobj_destroy(rt, x);
        {
            void *p = NULL;
            hffi_ref r = 0;
            c[M_ALLOC] = hffi_arena_alloc(rt, x, 24, 8, &p, &r);
            if (c[M_ALLOC] == HFFI_OK) c[M_ALLOC] = orc_check_alloc(rt, p, r, NULL, 24);
            o[M_ALLOC] = r;
        }
        {
            char *p = NULL;
            hffi_ref r = 0;
            c[M_STRDUP] = hffi_arena_strdup(rt, x, orc_str, &p, &r);
            if (c[M_STRDUP] == HFFI_OK) c[M_STRDUP] = orc_check_alloc(rt, p, r, orc_str, sizeof orc_str);
            o[M_STRDUP] = r;
        }
        {
            void *p = NULL;
            hffi_ref r = 0;
            c[M_MEMDUP] = hffi_arena_memdup(rt, x, orc_bytes, sizeof orc_bytes, &p, &r);
            if (c[M_MEMDUP] == HFFI_OK)
                c[M_MEMDUP] = orc_check_alloc(rt, p, r, orc_bytes, sizeof orc_bytes);
            o[M_MEMDUP] = r;
        }
        c[M_REF_OF] = hffi_ref_of(rt, x, inside, &o[M_REF_OF]);
        c[M_VAL_NEW] = hffi_val_new(rt, x, &o[M_VAL_NEW]);
    }
    return HFFI_OK;
}

/* C objects for orc_register: the destructor counts its calls and checks
 * that it gets the object it was registered with. */
#define ORC_OBJS 4096
static uint64_t orc_objs[ORC_OBJS];
static uint64_t orc_destroyed, orc_bad_destroy;

static void orc_dtor(void *p) {
    uint64_t *o = (uint64_t *)p;
    if (o < orc_objs || o >= orc_objs + ORC_OBJS || *o != (uint64_t)(o - orc_objs) + 1)
        orc_bad_destroy++;
    *o = 0;
    orc_destroyed++;
}

/* orc_register registers a C object in table tables[i] for each i and
 * destroys it again at once: codes[2*i] is the register's code, codes[2*i+1]
 * the destroy's (ORC_SKIPPED if nothing was registered), outs[i] the
 * handle. destroyed_out gets the number of destructor calls, bad_out the
 * number with the wrong object. */
int32_t orc_register(const hffi_rt *rt, const uint32_t *tables, uint64_t n, int32_t *codes,
                     uint64_t *outs, uint64_t *destroyed_out, uint64_t *bad_out) {
    for (uint64_t i = 0; i < n; i++) {
        uint64_t *obj = &orc_objs[i % ORC_OBJS];
        hffi_handle h = 0;
        *obj = i % ORC_OBJS + 1;
        codes[2 * i] = hffi_cobj_register(rt, tables[i], obj, orc_dtor, &h);
        outs[i] = h;
        codes[2 * i + 1] = codes[2 * i] == HFFI_OK ? hffi_cobj_destroy(rt, h) : ORC_SKIPPED;
    }
    *destroyed_out = orc_destroyed;
    *bad_out = orc_bad_destroy;
    return HFFI_OK;
}
