/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hffi.h - the ABI and C API of hffi, a handle-based FFI runtime for Go.
 *
 * USAGE
 * =====
 * Go owns one shared-memory root, an `hffi_rt`, that lives outside the Go
 * heap (mmap). Go passes its address to C once (for example as the first
 * argument of your library's init function) together with integers:
 *
 *   - handles (`hffi_handle`), which name a Go value or a C object in a
 *     generational table, and
 *   - references (`hffi_ref`), which name a byte offset in an arena at a
 *     given arena generation.
 *
 * C checks either kind with a few loads and no call into Go:
 *
 *     #include "hffi.h"
 *
 *     int32_t my_read(const hffi_rt *rt, hffi_ref ref) {
 *         const char *s;
 *         int32_t rc = hffi_ref_resolve(rt, ref, 1, (void **)&s);
 *         if (rc < 0) {
 *             fprintf(stderr, "bad ref: %s\n", hffi_strerror(rc));
 *             return rc;
 *         }
 *         ...   // s stays valid until Go resets or frees the arena
 *     }
 *
 * Every fallible function returns an `int32_t`: 0 on success, a negative
 * HFFI_E* code otherwise; results are written through `*_out` pointers.
 * Read-only checks are `static inline` and need no library; the rest is
 * implemented in hffi.c (link libhffi.a or libhffi.so, or compile hffi.c).
 *
 * Targets: 64-bit Linux and macOS (amd64, arm64). The header compiles as
 * C99 and as C++ and needs only <stdint.h>, <stddef.h>, <stdbool.h> and the
 * GCC/Clang __atomic builtins, which both Go and C use on the same words.
 *
 * Concurrency: every function may be called from any thread. Shared words
 * are read with acquire loads and written with release stores or CAS, the
 * same protocol the Go side uses (sync/atomic is sequentially consistent,
 * which is at least as strong).
 *
 * Naming: public names are hffi_ / HFFI_, private ones _hffi_ / _HFFI_.
 */
#ifndef HFFI_H
#define HFFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Versions
 *
 * HFFI_VERSION_* describe this header; hffi_version() returns the number
 * the library was built with, so a program can check that both agree.
 * HFFI_ABI_VERSION changes whenever a shared layout or bit packing changes;
 * the Go side stores it in hffi_rt.abi_version.
 * ------------------------------------------------------------------- */
#define HFFI_VERSION_MAJOR 0
#define HFFI_VERSION_MINOR 1
#define HFFI_VERSION_PATCH 0
#define HFFI_VERSION_NUMBER \
    (HFFI_VERSION_MAJOR * 1000000 + HFFI_VERSION_MINOR * 1000 + HFFI_VERSION_PATCH)
#define HFFI_VERSION_STRING "0.1.0"
#define HFFI_ABI_VERSION 1

/* hffi_version returns HFFI_VERSION_NUMBER as the library was built. */
int32_t hffi_version(void);

/* ---------------------------------------------------------------------
 * Error codes: one X-macro list gives the enum, hffi_strerror and
 * hffi_err_name. Codes are negative, 0 is success; codes are never
 * renumbered, new ones are appended.
 * ------------------------------------------------------------------- */
#define HFFI_ERRORS(X)                                                          \
    X(OK, 0, "success")                                                         \
    X(EINVAL, -1, "invalid argument")                                           \
    X(EZERO, -2, "zero handle or reference")                                    \
    X(EKIND, -3, "wrong kind of identifier (handle given as reference or the other way round)") \
    X(ERANGE, -4, "slot, table or arena index out of range")                    \
    X(ESTALE, -5, "stale generation: the slot was reused or the arena reset")   \
    X(EDELETED, -6, "handle already deleted")                                   \
    X(EFORGED, -7, "generation from the future: identifier was never issued")   \
    X(ETABLE, -8, "handle belongs to another table")                            \
    X(ETYPE, -9, "wrong type")                                                  \
    X(EBOUNDS, -10, "offset, length or index out of bounds")                    \
    X(ENOMEM, -11, "out of memory or size limit reached")                       \
    X(EEXHAUSTED, -12, "generations or slots exhausted")                        \
    X(EALIGN, -13, "misaligned address or bad alignment")                       \
    X(ECLOSED, -14, "table or arena is closed or freed")                        \
    X(EPANIC, -15, "Go callback panicked")                                      \
    X(ECORRUPT, -16, "corrupt data")                                            \
    X(ENOTFOUND, -17, "not found")                                              \
    X(EVERSION, -18, "ABI version mismatch")                                    \
    X(ERETIRED, -19, "slot retired: its generations are exhausted")             \
    X(EBUSY, -20, "resource busy")                                              \
    X(ECALLBACK, -21, "callback failed in Go")

typedef enum hffi_err {
#define _HFFI_ERR_ENUM(name, code, msg) HFFI_##name = (code),
    HFFI_ERRORS(_HFFI_ERR_ENUM)
#undef _HFFI_ERR_ENUM
    HFFI_ERR_MIN_ = -21
} hffi_err;

/* hffi_strerror returns a static message for a code ("unknown error" for
 * codes it does not know); hffi_err_name returns its name ("HFFI_ESTALE"). */
const char *hffi_strerror(int32_t code);
const char *hffi_err_name(int32_t code);

/* ---------------------------------------------------------------------
 * Atomics: the same words are accessed by Go's sync/atomic.
 * ------------------------------------------------------------------- */
#define _hffi_load(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define _hffi_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define _hffi_cas(p, oldp, v) \
    __atomic_compare_exchange_n((p), (oldp), (v), false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#define _hffi_add(p, v) __atomic_add_fetch((p), (v), __ATOMIC_ACQ_REL)

/* ---------------------------------------------------------------------
 * The root. One per process, created by Go, never moved or unmapped.
 * Pointers inside shared structures are stored as uint64_t addresses so
 * that every layout is identical in C, C++ and Go.
 * ------------------------------------------------------------------- */
#define HFFI_RT_MAGIC UINT64_C(0x3146464948464648) /* "HFFHIFF1" */
#define HFFI_RT_DEBUG 1u                            /* hffi_rt.flags: debug mode */

typedef struct hffi_rt {
    uint64_t magic;        /* HFFI_RT_MAGIC */
    uint32_t abi_version;  /* HFFI_ABI_VERSION */
    uint32_t flags;        /* atomic; HFFI_RT_DEBUG */
    uint64_t arenas;       /* address of hffi_arena_hdr[HFFI_ARENA_SLOTS] */
    uint64_t tables;       /* address of hffi_table[HFFI_TABLE_SLOTS] */
    uint64_t page_size;    /* the system page size */
    uint64_t reserved[3];
} hffi_rt;

/* hffi_rt_check returns 0 if rt looks like a root this header understands. */
static inline int32_t hffi_rt_check(const hffi_rt *rt) {
    if (rt == NULL) return HFFI_EINVAL;
    if (rt->magic != HFFI_RT_MAGIC) return HFFI_EINVAL;
    if (rt->abi_version != HFFI_ABI_VERSION) return HFFI_EVERSION;
    return HFFI_OK;
}

/* ---------------------------------------------------------------------
 * Arenas and references
 *
 * An arena is one reservation of virtual memory [base, base+limit) of
 * which [base, base+committed) is readable and writable. Allocation bumps
 * `used` with a CAS; memory never moves. The first HFFI_ARENA_PREFIX bytes
 * are reserved, so offset 0 never names an allocation.
 *
 * Each arena occupies one slot of the registry rt->arenas. The slot's
 * generation is bumped by a reset that follows the minting of a reference,
 * and by free. A slot whose generation reaches HFFI_ARENA_GEN_MAX is
 * retired forever and the arena moves to a fresh slot: a generation never
 * repeats, so a stale reference can never name new memory.
 *
 * Reference bit packing (hffi_ref, 64 bits):
 *   bit  63      1 (tells references from handles, whose bit 63 is 0)
 *   bits 62..49  arena slot (14 bits, 1..HFFI_ARENA_SLOTS-1)
 *   bits 48..29  arena generation (20 bits, 1..HFFI_ARENA_GEN_MAX)
 *   bits 28..0   offset / 8 (29 bits: 8-aligned offsets below 4 GiB)
 * An "arena id" (hffi_arena) is a reference with offset 0.
 * ------------------------------------------------------------------- */
typedef uint64_t hffi_ref;
typedef uint64_t hffi_arena;

#define HFFI_REF_TAG (UINT64_C(1) << 63)
#define HFFI_REF_SLOT_SHIFT 49
#define HFFI_REF_SLOT_BITS 14
#define HFFI_REF_GEN_SHIFT 29
#define HFFI_REF_GEN_BITS 20
#define HFFI_REF_OFF_BITS 29
#define HFFI_REF_OFF_SCALE 8
#define HFFI_ARENA_SLOTS (1u << HFFI_REF_SLOT_BITS)
#define HFFI_ARENA_GEN_MAX ((1u << HFFI_REF_GEN_BITS) - 1)
#define HFFI_ARENA_MAX_SIZE (UINT64_C(1) << (HFFI_REF_OFF_BITS + 3)) /* 4 GiB */
#define HFFI_ARENA_PREFIX 64

/* Arena slot states (bits 21..20 of hffi_arena_hdr.word, 2 bits). */
#define HFFI_ARENA_FREE 0u
#define HFFI_ARENA_LIVE 1u
#define HFFI_ARENA_RETIRED 2u
#define HFFI_ARENA_STATE_SHIFT 20
#define HFFI_ARENA_GEN_MASK ((UINT64_C(1) << HFFI_REF_GEN_BITS) - 1)

typedef struct hffi_arena_hdr {
    uint64_t word;      /* atomic: [19:0] generation, [21:20] state */
    uint64_t base;      /* address of the reservation; constant while live */
    uint64_t limit;     /* bytes reserved: the arena's maximum size */
    uint64_t used;      /* atomic: bump offset, HFFI_ARENA_PREFIX after reset */
    uint64_t committed; /* atomic: bytes from base that are read-write */
    uint64_t grow;      /* commit granularity in bytes (a page multiple) */
    uint64_t minted;    /* atomic: nonzero once a reference was minted in
                           this generation */
    uint64_t flags;     /* HFFI_ARENA_F_* */
} hffi_arena_hdr;

#define HFFI_ARENA_F_DEBUG 1u /* poison on reset, PROT_NONE after reset/free */

static inline uint64_t hffi_ref_make(uint32_t slot, uint32_t gen, uint64_t off) {
    return HFFI_REF_TAG | ((uint64_t)slot << HFFI_REF_SLOT_SHIFT) |
           ((uint64_t)gen << HFFI_REF_GEN_SHIFT) | (off / HFFI_REF_OFF_SCALE);
}
static inline uint32_t hffi_ref_slot(hffi_ref r) {
    return (uint32_t)((r >> HFFI_REF_SLOT_SHIFT) & ((1u << HFFI_REF_SLOT_BITS) - 1));
}
static inline uint32_t hffi_ref_gen(hffi_ref r) {
    return (uint32_t)((r >> HFFI_REF_GEN_SHIFT) & HFFI_ARENA_GEN_MASK);
}
static inline uint64_t hffi_ref_offset(hffi_ref r) {
    return (r & ((UINT64_C(1) << HFFI_REF_OFF_BITS) - 1)) * HFFI_REF_OFF_SCALE;
}

/* _hffi_arena_lookup validates the slot and generation named by r. */
static inline int32_t _hffi_arena_lookup(const hffi_rt *rt, hffi_ref r,
                                         const hffi_arena_hdr **hdr_out) {
    uint32_t slot, gen, sgen, state;
    const hffi_arena_hdr *h;
    uint64_t w;
    if (r == 0) return HFFI_EZERO;
    if (!(r & HFFI_REF_TAG)) return HFFI_EKIND;
    slot = hffi_ref_slot(r);
    gen = hffi_ref_gen(r);
    if (slot == 0) return HFFI_ERANGE;
    if (gen == 0) return HFFI_EFORGED;
    h = (const hffi_arena_hdr *)(uintptr_t)rt->arenas + slot;
    w = _hffi_load(&h->word);
    sgen = (uint32_t)(w & HFFI_ARENA_GEN_MASK);
    state = (uint32_t)(w >> HFFI_ARENA_STATE_SHIFT) & 3u;
    if (gen > sgen) return HFFI_EFORGED;
    if (gen < sgen) return HFFI_ESTALE;
    if (state == HFFI_ARENA_RETIRED) return HFFI_ERETIRED;
    if (state != HFFI_ARENA_LIVE) return HFFI_ECLOSED;
    *hdr_out = h;
    return HFFI_OK;
}

/* hffi_ref_resolve turns r into an address at which `size` bytes lie
 * inside what the arena has allocated in r's generation. It returns
 * HFFI_EZERO, HFFI_EKIND, HFFI_ERANGE, HFFI_EFORGED, HFFI_ESTALE,
 * HFFI_ECLOSED, HFFI_ERETIRED or HFFI_EBOUNDS and never reads outside the
 * registry. The address stays valid until Go resets or frees the arena. */
static inline int32_t hffi_ref_resolve(const hffi_rt *rt, hffi_ref r, uint64_t size,
                                       void **ptr_out) {
    const hffi_arena_hdr *h = NULL;
    uint64_t off, used;
    int32_t rc = _hffi_arena_lookup(rt, r, &h);
    if (rc < 0) return rc;
    off = hffi_ref_offset(r);
    used = _hffi_load(&h->used);
    if (off < HFFI_ARENA_PREFIX || off > used || size > used - off) return HFFI_EBOUNDS;
    *ptr_out = (void *)(uintptr_t)(h->base + off);
    return HFFI_OK;
}

/* hffi_arena_check returns 0 if the arena named by a (an hffi_arena or any
 * reference into it) is live at that generation. */
static inline int32_t hffi_arena_check(const hffi_rt *rt, hffi_arena a) {
    const hffi_arena_hdr *h = NULL;
    return _hffi_arena_lookup(rt, a, &h);
}

/* hffi_arena_alloc allocates size bytes aligned to align (a power of two,
 * at most the page size) in the arena named by a, zeroed. It writes the
 * address to *ptr_out and, if ref_out is not NULL, a reference to it
 * (then align must be at least 8). Safe to call from any thread while Go
 * also allocates; it must not race with Go's Reset or Free of the arena. */
int32_t hffi_arena_alloc(const hffi_rt *rt, hffi_arena a, uint64_t size, uint64_t align,
                         void **ptr_out, hffi_ref *ref_out);

/* hffi_arena_strdup copies the NUL-terminated string s (with its NUL) into
 * the arena; hffi_arena_memdup copies n bytes. Both are 8-aligned. */
int32_t hffi_arena_strdup(const hffi_rt *rt, hffi_arena a, const char *s, char **ptr_out,
                          hffi_ref *ref_out);
int32_t hffi_arena_memdup(const hffi_rt *rt, hffi_arena a, const void *p, uint64_t n,
                          void **ptr_out, hffi_ref *ref_out);

/* hffi_ref_of mints a reference to ptr, which must lie in an allocation of
 * the live arena a and be 8-aligned. */
int32_t hffi_ref_of(const hffi_rt *rt, hffi_arena a, const void *ptr, hffi_ref *ref_out);

/* ---------------------------------------------------------------------
 * Handle tables
 *
 * A table is an array of hffi_slot reserved for `limit` slots, of which
 * the first `cap` are initialised; it grows in place and never moves.
 * Table 0 is never valid. Go values live on the Go side, indexed by slot;
 * the slot word here is the authority on whether a handle is valid, so C
 * can check one without Go.
 *
 * Handle bit packing (hffi_handle, 64 bits):
 *   bit  63      0
 *   bits 62..52  table id (11 bits, 1..HFFI_TABLE_SLOTS-1)
 *   bits 51..24  generation (28 bits, 1..HFFI_HANDLE_GEN_MAX)
 *   bits 23..0   slot index (24 bits)
 * ------------------------------------------------------------------- */
typedef uint64_t hffi_handle;

#define HFFI_HANDLE_TABLE_SHIFT 52
#define HFFI_HANDLE_TABLE_BITS 11
#define HFFI_HANDLE_GEN_SHIFT 24
#define HFFI_HANDLE_GEN_BITS 28
#define HFFI_HANDLE_INDEX_BITS 24
#define HFFI_TABLE_SLOTS (1u << HFFI_HANDLE_TABLE_BITS)
#define HFFI_HANDLE_GEN_MAX ((1u << HFFI_HANDLE_GEN_BITS) - 1)
#define HFFI_HANDLE_INDEX_MAX ((1u << HFFI_HANDLE_INDEX_BITS) - 1)

/* Slot word: [27:0] generation, [29:28] state, [31:30] kind,
 * [63:32] count of C retains. */
#define HFFI_SLOT_GEN_MASK ((UINT64_C(1) << HFFI_HANDLE_GEN_BITS) - 1)
#define HFFI_SLOT_STATE_SHIFT 28
#define HFFI_SLOT_KIND_SHIFT 30
#define HFFI_SLOT_RETAIN_SHIFT 32
#define HFFI_SLOT_FREE 0u     /* on the free list; gen is the next one to issue */
#define HFFI_SLOT_LIVE 1u     /* owned by Go (or by C for C objects) */
#define HFFI_SLOT_RELEASED 2u /* owner deleted it; C retains keep it alive */
#define HFFI_SLOT_RETIRED 3u  /* generations exhausted; never reused */
#define HFFI_KIND_GO 0u       /* a Go value, kept on the Go side */
#define HFFI_KIND_COBJ 1u     /* a C object: cptr + cdtor below */

typedef struct hffi_slot {
    uint64_t word;  /* atomic: see above */
    uint64_t cptr;  /* HFFI_KIND_COBJ: the C object */
    uint64_t cdtor; /* HFFI_KIND_COBJ: void (*)(void *cptr), may be 0 */
    uint64_t next;  /* free list / reap list link (slot index + 1, 0 = end) */
} hffi_slot;

/* Table states (hffi_table.state). */
#define HFFI_TABLE_UNUSED 0u
#define HFFI_TABLE_LIVE 1u
#define HFFI_TABLE_CLOSED 2u

typedef struct hffi_table {
    uint64_t state;     /* atomic: HFFI_TABLE_* */
    uint64_t slots;     /* address of hffi_slot[limit] */
    uint64_t cap;       /* atomic: initialised slots; indexes >= cap are out of range */
    uint64_t limit;     /* maximum number of slots (<= HFFI_HANDLE_INDEX_MAX + 1) */
    uint64_t free_head; /* atomic: [23:0] index + 1 of the first free slot, [63:24] ABA tag */
    uint64_t reap_head; /* atomic: same shape; slots whose last C retain went
                           away after Go released them; Go reaps them */
    uint64_t live;      /* atomic: number of LIVE and RELEASED slots */
    uint64_t grow_lock; /* atomic: 0 unlocked, 1 locked; held while cap grows */
} hffi_table;

static inline uint32_t hffi_handle_table(hffi_handle h) {
    return (uint32_t)((h >> HFFI_HANDLE_TABLE_SHIFT) & ((1u << HFFI_HANDLE_TABLE_BITS) - 1));
}
static inline uint32_t hffi_handle_gen(hffi_handle h) {
    return (uint32_t)((h >> HFFI_HANDLE_GEN_SHIFT) & HFFI_SLOT_GEN_MASK);
}
static inline uint32_t hffi_handle_index(hffi_handle h) {
    return (uint32_t)(h & HFFI_HANDLE_INDEX_MAX);
}
static inline hffi_handle hffi_handle_make(uint32_t table, uint32_t gen, uint32_t index) {
    return ((uint64_t)table << HFFI_HANDLE_TABLE_SHIFT) | ((uint64_t)gen << HFFI_HANDLE_GEN_SHIFT) |
           (uint64_t)index;
}

/* _hffi_handle_slot validates h and returns its slot and slot word. */
static inline int32_t _hffi_handle_slot(const hffi_rt *rt, hffi_handle h, hffi_slot **slot_out,
                                        uint64_t *word_out) {
    const hffi_table *t;
    uint32_t tid, gen, idx, sgen, state;
    uint64_t w;
    hffi_slot *s;
    if (h == 0) return HFFI_EZERO;
    if (h & HFFI_REF_TAG) return HFFI_EKIND;
    tid = hffi_handle_table(h);
    gen = hffi_handle_gen(h);
    idx = hffi_handle_index(h);
    if (tid == 0) return HFFI_ERANGE;
    t = (const hffi_table *)(uintptr_t)rt->tables + tid;
    state = (uint32_t)_hffi_load(&t->state);
    if (state == HFFI_TABLE_UNUSED) return HFFI_ERANGE;
    if (state != HFFI_TABLE_LIVE) return HFFI_ECLOSED;
    if (gen == 0) return HFFI_EFORGED;
    if ((uint64_t)idx >= _hffi_load(&t->cap)) return HFFI_ERANGE;
    s = (hffi_slot *)(uintptr_t)t->slots + idx;
    w = _hffi_load(&s->word);
    sgen = (uint32_t)(w & HFFI_SLOT_GEN_MASK);
    state = (uint32_t)(w >> HFFI_SLOT_STATE_SHIFT) & 3u;
    if (state == HFFI_SLOT_RETIRED && gen >= sgen) return HFFI_ERETIRED;
    if (gen > sgen) return HFFI_EFORGED;
    if (gen < sgen) {
        /* A freed slot carries the next generation to issue. */
        if (gen + 1 == sgen && state == HFFI_SLOT_FREE) return HFFI_EDELETED;
        return HFFI_ESTALE;
    }
    if (state == HFFI_SLOT_FREE) return HFFI_EFORGED; /* never issued */
    *slot_out = s;
    *word_out = w;
    return HFFI_OK;
}

/* hffi_handle_check returns 0 if h names a live handle (a Go value whose
 * owner still holds it, or one C retains, or a live C object) and a
 * specific negative code otherwise. A few loads, no call into Go, any
 * thread. */
static inline int32_t hffi_handle_check(const hffi_rt *rt, hffi_handle h) {
    hffi_slot *s = NULL;
    uint64_t w = 0;
    int32_t rc = _hffi_handle_slot(rt, h, &s, &w);
    if (rc < 0) return rc;
    if (((w >> HFFI_SLOT_STATE_SHIFT) & 3u) == HFFI_SLOT_RELEASED &&
        (w >> HFFI_SLOT_RETAIN_SHIFT) == 0)
        return HFFI_EDELETED;
    return HFFI_OK;
}

/* hffi_handle_check_in is hffi_handle_check that also requires h to belong
 * to table `table` (HFFI_ETABLE otherwise). */
static inline int32_t hffi_handle_check_in(const hffi_rt *rt, uint32_t table, hffi_handle h) {
    if (h != 0 && !(h & HFFI_REF_TAG) && hffi_handle_table(h) != table) return HFFI_ETABLE;
    return hffi_handle_check(rt, h);
}

/* hffi_handle_retain adds a C reference to a live handle: Go keeps the
 * value until its owner deleted it and every retain was released.
 * hffi_handle_release drops one; it never calls into Go (Go reaps the slot
 * later). Both are lock-free. */
int32_t hffi_handle_retain(const hffi_rt *rt, hffi_handle h);
int32_t hffi_handle_release(const hffi_rt *rt, hffi_handle h);

/* C objects as handles: hffi_cobj_register puts ptr (destroyed with dtor,
 * which may be NULL) into table `table` and returns a handle Go can hold;
 * hffi_cobj_get resolves a handle to the pointer; hffi_cobj_destroy runs
 * the destructor once and frees the slot, so every later use of the
 * handle on either side is HFFI_EDELETED or HFFI_ESTALE. */
typedef void (*hffi_dtor)(void *ptr);
int32_t hffi_cobj_register(const hffi_rt *rt, uint32_t table, void *ptr, hffi_dtor dtor,
                           hffi_handle *h_out);
int32_t hffi_cobj_get(const hffi_rt *rt, hffi_handle h, void **ptr_out);
int32_t hffi_cobj_destroy(const hffi_rt *rt, hffi_handle h);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HFFI_H */
