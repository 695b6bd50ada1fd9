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
 * implemented in hffi*.c (csrc/): link libhffi.a or libhffi.so, or compile it
 * into one file of your own (IMPLEMENTATION, at the end of this header).
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

/* ---------------------------------------------------------------------
 * Linkage of the non-inline functions (see IMPLEMENTATION at the end)
 *
 * HFFI_API starts every non-inline declaration. By default it is `extern`
 * (link libhffi). With HFFI_IMPLEMENTATION defined before this header's
 * first #include in a file, it is `static`: the file gets a private copy
 * of the implementation that the linker never sees, so C libraries, cgo
 * packages and libhffi itself can each bring one into a process without
 * a duplicate symbol. A program may define HFFI_API itself.
 * ------------------------------------------------------------------- */
#if defined(HFFI_IMPLEMENTATION) || defined(HFFI_IMPLEMENTATION_EXTERN)
#define _HFFI_IMPL_FIRST 1
#endif
#ifndef HFFI_API
#if defined(HFFI_IMPLEMENTATION) && !defined(HFFI_IMPLEMENTATION_EXTERN)
#define HFFI_API static __attribute__((unused))
#else
#define HFFI_API extern
#endif
#endif

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
#define HFFI_ABI_VERSION 2

/* hffi_version returns HFFI_VERSION_NUMBER as the library was built. */
HFFI_API int32_t hffi_version(void);

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
HFFI_API const char *hffi_strerror(int32_t code);
HFFI_API const char *hffi_err_name(int32_t code);

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
 * An arena is one reservation of virtual memory [base, base+limit);
 * references name byte offsets from base. Its slot's floor (see below)
 * splits it: [base, base+floor) is never handed out, and the arena proper
 * is [base+floor, base+limit), of which [base+floor, base+committed) is
 * readable and writable. Allocation bumps `used` with a CAS; memory never
 * moves. The first HFFI_ARENA_PREFIX bytes above the floor are reserved,
 * so the arena id (offset = floor) never names an allocation.
 *
 * Each arena occupies one slot of the registry rt->arenas. The slot's
 * generation is bumped by a reset that follows the minting of a reference,
 * and when a freed slot whose references were minted is reused (until
 * then, references to a freed arena give HFFI_ECLOSED). A slot whose
 * generation reaches HFFI_ARENA_GEN_MAX is retired and the arena moves to
 * another slot. A retired slot may later start a new incarnation at
 * generation 1 with a floor above every offset its earlier incarnations
 * ever allocated: a reference below the slot's floor is HFFI_ESTALE
 * whatever its generation, so a (slot, generation, offset) never names
 * memory of a later incarnation, and a stale reference can never name new
 * memory. Go keeps the floor a multiple of the page size; below it, the
 * reservation is readable (zeros) or inaccessible, never another arena.
 *
 * Reference bit packing (hffi_ref, 64 bits):
 *   bit  63      1 (tells references from handles, whose bit 63 is 0)
 *   bits 62..49  arena slot (14 bits, 1..HFFI_ARENA_SLOTS-1)
 *   bits 48..29  arena generation (20 bits, 1..HFFI_ARENA_GEN_MAX)
 *   bits 28..0   offset / 8 (29 bits: 8-aligned offsets below 4 GiB)
 * An "arena id" (hffi_arena) is the reference whose offset is the slot's
 * floor (0 until a slot is recycled); functions that take one accept any
 * reference into the arena.
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

/* The slot word (hffi_arena_hdr.word):
 *   bits 19..0   generation
 *   bits 21..20  state (HFFI_ARENA_FREE, _LIVE, _RETIRED)
 *   bits 50..22  floor / 8: offsets below the floor belong to earlier
 *                incarnations of the slot
 * Every field a check needs is in this one word, so a lookup is one load,
 * and any change of generation, state or floor changes the word. */
#define HFFI_ARENA_FREE 0u
#define HFFI_ARENA_LIVE 1u
#define HFFI_ARENA_RETIRED 2u
#define HFFI_ARENA_STATE_SHIFT 20
#define HFFI_ARENA_GEN_MASK ((UINT64_C(1) << HFFI_REF_GEN_BITS) - 1)
#define HFFI_ARENA_FLOOR_SHIFT 22
#define HFFI_ARENA_FLOOR_MASK ((UINT64_C(1) << HFFI_REF_OFF_BITS) - 1)

typedef struct hffi_arena_hdr {
    uint64_t word;      /* atomic: see above */
    uint64_t base;      /* atomic: address of offset 0 (the reservation);
                           constant while live */
    uint64_t limit;     /* offset where the reservation ends: floor + the
                           arena's maximum size */
    uint64_t used;      /* atomic: bump offset, floor + HFFI_ARENA_PREFIX
                           after reset */
    uint64_t committed; /* atomic: [floor, committed) is read-write */
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

/* Test hook: builds of hffi's own C tests (-DHFFI_TEST_HOOKS) may set
 * _hffi_test_hook_snapshot to run code between a lookup's first load of a
 * slot word and the loads it validates, to force the races that the
 * re-check in _hffi_arena_snapshot handles. Other builds, and private
 * copies (HFFI_IMPLEMENTATION), compile it out. */
#if defined(HFFI_TEST_HOOKS) && !defined(HFFI_IMPLEMENTATION)
extern void (*_hffi_test_hook_snapshot)(const hffi_rt *rt, hffi_ref r);
#define _HFFI_TEST_HOOK_SNAPSHOT(rt, r) \
    do {                                \
        if (_hffi_test_hook_snapshot) _hffi_test_hook_snapshot((rt), (r)); \
    } while (0)
#else
#define _HFFI_TEST_HOOK_SNAPSHOT(rt, r) ((void)0)
#endif

/* _hffi_arena_floor gives the floor offset of slot word w. */
static inline uint64_t _hffi_arena_floor(uint64_t w) {
    return ((w >> HFFI_ARENA_FLOOR_SHIFT) & HFFI_ARENA_FLOOR_MASK) * HFFI_REF_OFF_SCALE;
}

/* _hffi_arena_word_check gives the code for reference r against slot word
 * w. A reference below the floor is from an earlier incarnation of the
 * slot, whatever its generation. */
static inline int32_t _hffi_arena_word_check(uint64_t w, hffi_ref r) {
    uint32_t gen = hffi_ref_gen(r);
    uint32_t sgen = (uint32_t)(w & HFFI_ARENA_GEN_MASK);
    uint32_t state = (uint32_t)(w >> HFFI_ARENA_STATE_SHIFT) & 3u;
    if (hffi_ref_offset(r) < _hffi_arena_floor(w)) return HFFI_ESTALE;
    if (gen > sgen) return HFFI_EFORGED;
    if (gen < sgen) return HFFI_ESTALE;
    if (state == HFFI_ARENA_RETIRED) return HFFI_ERETIRED;
    if (state != HFFI_ARENA_LIVE) return HFFI_ECLOSED;
    return HFFI_OK;
}

/* _hffi_arena_lookup validates rt and the slot, generation and floor named
 * by r with one load of the slot word, which it returns. */
static inline int32_t _hffi_arena_lookup(const hffi_rt *rt, hffi_ref r,
                                         const hffi_arena_hdr **hdr_out, uint64_t *word_out) {
    uint32_t slot;
    const hffi_arena_hdr *h;
    int32_t rc = hffi_rt_check(rt);
    if (rc < 0) return rc;
    if (r == 0) return HFFI_EZERO;
    if (!(r & HFFI_REF_TAG)) return HFFI_EKIND;
    slot = hffi_ref_slot(r);
    if (slot == 0) return HFFI_ERANGE;
    if (hffi_ref_gen(r) == 0) return HFFI_EFORGED;
    h = (const hffi_arena_hdr *)(uintptr_t)rt->arenas + slot;
    *word_out = _hffi_load(&h->word);
    rc = _hffi_arena_word_check(*word_out, r);
    if (rc < 0) return rc;
    *hdr_out = h;
    return HFFI_OK;
}

/* _hffi_arena_snapshot is _hffi_arena_lookup that also reads the arena's
 * base and used as they were while r's generation was live. Go publishes
 * base and used before the word that makes them valid and changes the word
 * before it changes them (Reset, Free, reuse of the slot), so they belong
 * to the generation checked only if the word is the same after they were
 * read; if it changed, the answer is the new word's (ESTALE or ECLOSED,
 * never EBOUNDS from a half-reset arena or an address in the arena that
 * took the slot over). The loads are acquire loads, so the second load of
 * the word cannot happen before them. */
static inline int32_t _hffi_arena_snapshot(const hffi_rt *rt, hffi_ref r,
                                           const hffi_arena_hdr **hdr_out, uint64_t *word_out,
                                           uint64_t *base_out, uint64_t *used_out) {
    const hffi_arena_hdr *h = NULL;
    uint64_t w = 0, w2, base, used;
    int32_t rc = _hffi_arena_lookup(rt, r, &h, &w);
    if (rc < 0) return rc;
    for (;;) {
        _HFFI_TEST_HOOK_SNAPSHOT(rt, r);
        used = _hffi_load(&h->used);
        base = _hffi_load(&h->base);
        w2 = _hffi_load(&h->word);
        if (w2 == w) break;
        w = w2;
        rc = _hffi_arena_word_check(w, r);
        if (rc < 0) return rc;
    }
    *hdr_out = h;
    *word_out = w;
    *base_out = base;
    *used_out = used;
    return HFFI_OK;
}

/* hffi_ref_resolve turns r into an address at which `size` bytes lie
 * inside what the arena has allocated in r's generation. It returns
 * HFFI_EINVAL (NULL or foreign rt, NULL ptr_out), HFFI_EVERSION,
 * HFFI_EZERO, HFFI_EKIND, HFFI_ERANGE, HFFI_EFORGED, HFFI_ESTALE,
 * HFFI_ECLOSED, HFFI_ERETIRED or HFFI_EBOUNDS and never reads outside the
 * registry. Racing with Go's Reset or Free of the arena, it gives the
 * address as of before or the error as of after, never a mix. The address
 * stays valid until Go resets or frees the arena. */
static inline int32_t hffi_ref_resolve(const hffi_rt *rt, hffi_ref r, uint64_t size,
                                       void **ptr_out) {
    const hffi_arena_hdr *h = NULL;
    uint64_t off, w = 0, base = 0, used = 0;
    int32_t rc;
    if (ptr_out == NULL) return HFFI_EINVAL;
    rc = _hffi_arena_snapshot(rt, r, &h, &w, &base, &used);
    if (rc < 0) return rc;
    off = hffi_ref_offset(r);
    if (off < _hffi_arena_floor(w) + HFFI_ARENA_PREFIX || off > used || size > used - off)
        return HFFI_EBOUNDS;
    *ptr_out = (void *)(uintptr_t)(base + off);
    return HFFI_OK;
}

/* hffi_arena_check returns 0 if the arena named by a (an hffi_arena or any
 * reference into it) is live at that generation. Like every function that
 * takes rt, both check rt first, as hffi_rt_check does (HFFI_EINVAL, or
 * HFFI_EVERSION for a root of another ABI version). */
static inline int32_t hffi_arena_check(const hffi_rt *rt, hffi_arena a) {
    const hffi_arena_hdr *h = NULL;
    uint64_t w = 0;
    return _hffi_arena_lookup(rt, a, &h, &w);
}

/* hffi_arena_alloc allocates size bytes aligned to align (a power of two,
 * at most the page size) in the arena named by a, zeroed. It writes the
 * address to *ptr_out and, if ref_out is not NULL, a reference to it
 * (then align must be at least 8). Safe to call from any thread while Go
 * also allocates; it must not race with Go's Reset or Free of the arena. */
HFFI_API int32_t hffi_arena_alloc(const hffi_rt *rt, hffi_arena a, uint64_t size, uint64_t align,
                         void **ptr_out, hffi_ref *ref_out);

/* hffi_arena_strdup copies the NUL-terminated string s (with its NUL) into
 * the arena; hffi_arena_memdup copies n bytes. Both are 8-aligned. */
HFFI_API int32_t hffi_arena_strdup(const hffi_rt *rt, hffi_arena a, const char *s, char **ptr_out,
                          hffi_ref *ref_out);
HFFI_API int32_t hffi_arena_memdup(const hffi_rt *rt, hffi_arena a, const void *p, uint64_t n,
                          void **ptr_out, hffi_ref *ref_out);

/* hffi_ref_of mints a reference to ptr, which must lie in an allocation of
 * the live arena a and be 8-aligned. */
HFFI_API int32_t hffi_ref_of(const hffi_rt *rt, hffi_arena a, const void *ptr, hffi_ref *ref_out);

/* ---------------------------------------------------------------------
 * Handle tables
 *
 * A table is an array of hffi_slot reserved for `limit` slots, of which
 * the first `cap` are initialised; it grows in place and never moves.
 * Table 0 is never valid; table 1 is Go's process-wide default table.
 * Go values live on the Go side, indexed by slot; the slot word here is
 * the authority on whether a handle is valid, so C can check one without
 * Go.
 *
 * Handle bit packing (hffi_handle, 64 bits):
 *   bit  63      0 (references have bit 63 set)
 *   bits 62..52  table id (11 bits, 1..HFFI_TABLE_SLOTS-1)
 *   bits 51..24  generation (28 bits, 1..HFFI_HANDLE_GEN_MAX-1)
 *   bits 23..0   slot index (24 bits)
 *
 * Slot states (the state bits of hffi_slot.word):
 *
 *   FREE(g) --issue--> LIVE(g) --owner deletes, no retain--> FREE(g+1)
 *                         |  ^ retain / release (count in the word)
 *                         v
 *                   owner deletes with retains
 *                         |
 *                   RELEASED(g) --last release--> on reap_head --Go reaps--> FREE(g+1)
 *
 * A FREE slot holds the next generation to issue. A slot freed at
 * generation HFFI_HANDLE_GEN_MAX-1 becomes RETIRED (holding
 * HFFI_HANDLE_GEN_MAX) and is never reused, so a generation never repeats
 * and no stale handle can ever name a later value. C objects
 * (HFFI_KIND_COBJ) go LIVE -> FREE(g+1) in one CAS (hffi_cobj_destroy or
 * Go's TakeCObject) and are never retained.
 *
 * Protocol (the same in hffi_handles.c and Go's handles package):
 *   - free_head and reap_head are Treiber stacks of slot index + 1
 *     (0 = empty) linked through hffi_slot.next, with an ABA tag above
 *     HFFI_LIST_TAG_SHIFT that every successful CAS increments.
 *   - Whoever finds free_head empty takes grow_lock (a spinlock, CAS 0->1),
 *     makes the next slots read-write (mprotect), initialises them
 *     FREE(1), publishes the new cap with a release store, pushes them on
 *     free_head in index order (keeping the first for itself) and unlocks.
 *     cap only grows, in whole pages of slots.
 *   - Runs: slots idx with the same idx / 8 form a run, whose slot words
 *     (and Go-side slots) fill whole cache lines. A run's free slots are
 *     pushed together, in index order, and Go pops a run's slots from the
 *     top of free_head in one CAS and hands them out on one core only, so
 *     that two cores never write one cache line. A slot freed alone is
 *     pushed alone; Go sends it back to the core that holds its run. This
 *     is a convention for speed: any FREE slot on the list may be popped.
 *   - Issuing: pop a slot, write the payload (cptr/cdtor, or Go's side),
 *     then publish the word LIVE(g) with a release store.
 *   - Retain/release: CAS the count in the word. Deleting: CAS the word
 *     LIVE(g) -> FREE(g+1) (or RELEASED(g) if retained); the winner alone
 *     recycles the slot. The last release of a RELEASED slot pushes it on
 *     reap_head and never calls into Go; Go reaps on its next allocation.
 *   - Readers (hffi_cobj_get, Go's lookups) load the word, read the
 *     payload, and load the word again: a changed word means the slot was
 *     freed or reused meanwhile (generations only grow), so they retry.
 *   - A table with HFFI_TABLE_F_DEBUG set quarantines freed slots: C
 *     pushes a destroyed C object's slot on reap_head, not free_head, and
 *     Go holds it back for a while before reuse.
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
#define HFFI_TABLE_DEFAULT 1u /* Go's process-wide table (handles.NewHandle) */

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

/* free_head / reap_head: [24:0] slot index + 1 (0 = empty), [63:25] ABA tag. */
#define HFFI_LIST_TAG_SHIFT 25
#define HFFI_LIST_INDEX_MASK ((UINT64_C(1) << HFFI_LIST_TAG_SHIFT) - 1)

typedef struct hffi_slot {
    uint64_t word;  /* atomic: see above */
    uint64_t cptr;  /* HFFI_KIND_COBJ: the C object */
    uint64_t cdtor; /* HFFI_KIND_COBJ: void (*)(void *cptr), may be 0 */
    uint64_t next;  /* atomic: free list / reap list link (slot index + 1, 0 = end) */
} hffi_slot;

/* Table states (hffi_table.state). A closed table's id may be reused by a
 * later table with the same slot array; its generations continue where
 * they were, so handles of the closed table stay stale forever. */
#define HFFI_TABLE_UNUSED 0u
#define HFFI_TABLE_LIVE 1u
#define HFFI_TABLE_CLOSED 2u

/* Table flags (hffi_table.flags). */
#define HFFI_TABLE_F_DEBUG 1u /* quarantine freed slots (see the protocol above) */

typedef struct hffi_table {
    uint64_t state;     /* atomic: HFFI_TABLE_* */
    uint64_t slots;     /* address of hffi_slot[limit]; constant once LIVE */
    uint64_t cap;       /* atomic: initialised slots; indexes >= cap are out of range */
    uint64_t limit;     /* maximum number of slots (<= HFFI_HANDLE_INDEX_MAX + 1) */
    uint64_t free_head; /* atomic: Treiber stack, see HFFI_LIST_* */
    uint64_t reap_head; /* atomic: same shape; slots whose last C retain went
                           away after Go released them; Go reaps them */
    uint64_t flags;     /* atomic: HFFI_TABLE_F_* */
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

/* _hffi_handle_rt_ok is the fast half of hffi_rt_check for the handle
 * functions: magic and version are compared in one test, and rt->magic
 * shares a cache line with rt->tables, which they read next anyway. */
static inline bool _hffi_handle_rt_ok(const hffi_rt *rt) {
    return rt != NULL && ((rt->magic ^ HFFI_RT_MAGIC) |
                          (uint64_t)(rt->abi_version ^ (uint32_t)HFFI_ABI_VERSION)) == 0;
}

/* _hffi_handle_slot validates rt and h and returns h's slot and slot word. */
static inline int32_t _hffi_handle_slot(const hffi_rt *rt, hffi_handle h, hffi_slot **slot_out,
                                        uint64_t *word_out) {
    const hffi_table *t;
    uint32_t tid, gen, idx, sgen, state;
    uint64_t w;
    hffi_slot *s;
    if (!_hffi_handle_rt_ok(rt)) return hffi_rt_check(rt);
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
        /* A freed (or retired) slot carries the next generation to issue. */
        if (gen + 1 == sgen && (state == HFFI_SLOT_FREE || state == HFFI_SLOT_RETIRED))
            return HFFI_EDELETED;
        return HFFI_ESTALE;
    }
    if (state == HFFI_SLOT_FREE) return HFFI_EFORGED; /* never issued */
    *slot_out = s;
    *word_out = w;
    return HFFI_OK;
}

/* hffi_handle_check returns 0 if h names a live handle (a Go value whose
 * owner still holds it, or one C retains, or a live C object) and a
 * specific negative code otherwise: HFFI_EZERO, HFFI_EKIND, HFFI_ERANGE,
 * HFFI_ECLOSED, HFFI_EFORGED, HFFI_ESTALE, HFFI_EDELETED or
 * HFFI_ERETIRED. A few loads, no call into Go, any thread; it never reads
 * outside the table.
 *
 * Every handle function (hffi_handle_*, hffi_cobj_*) first checks rt as
 * hffi_rt_check does and returns its code, before it reads anything else:
 * HFFI_EINVAL for a NULL rt or one without HFFI_RT_MAGIC (a foreign or
 * zeroed root), HFFI_EVERSION for a root of another ABI version. It
 * returns HFFI_EINVAL for a NULL out-pointer, and writes its outputs only
 * on success. */
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
 * to table `table` (HFFI_ETABLE otherwise, once rt passed). */
static inline int32_t hffi_handle_check_in(const hffi_rt *rt, uint32_t table, hffi_handle h) {
    if (h != 0 && !(h & HFFI_REF_TAG) && hffi_handle_table(h) != table && _hffi_handle_rt_ok(rt))
        return HFFI_ETABLE;
    return hffi_handle_check(rt, h);
}

/* hffi_handle_retain adds a C reference to a live Go handle: Go keeps the
 * value until its owner deleted it and every retain was released (Go code
 * may still look it up meanwhile). hffi_handle_release drops one; it never
 * calls into Go (Go reaps the slot on its next allocation). Both are
 * lock-free. Errors: those of hffi_handle_check, HFFI_ETYPE for a C
 * object, HFFI_EINVAL for a release without a retain, HFFI_EEXHAUSTED when
 * the count (32 bits) would overflow. */
HFFI_API int32_t hffi_handle_retain(const hffi_rt *rt, hffi_handle h);
HFFI_API int32_t hffi_handle_release(const hffi_rt *rt, hffi_handle h);

/* C objects as handles: hffi_cobj_register puts ptr (not NULL; destroyed
 * with dtor, which may be NULL) into table `table` (HFFI_TABLE_DEFAULT or
 * a table Go created) and returns a handle Go can hold; it grows the table
 * if needed (HFFI_ENOMEM at its limit). hffi_cobj_get resolves a handle to
 * the pointer without changing ownership (HFFI_ETYPE for a Go value);
 * the pointer is valid until the object is destroyed. hffi_cobj_destroy
 * frees the slot and then runs the destructor, exactly once even if
 * threads race: every later use of the handle on either side is
 * HFFI_EDELETED or HFFI_ESTALE. */
typedef void (*hffi_dtor)(void *ptr);
HFFI_API int32_t hffi_cobj_register(const hffi_rt *rt, uint32_t table, void *ptr, hffi_dtor dtor,
                           hffi_handle *h_out);
HFFI_API int32_t hffi_cobj_get(const hffi_rt *rt, hffi_handle h, void **ptr_out);
HFFI_API int32_t hffi_cobj_destroy(const hffi_rt *rt, hffi_handle h);

/* ---------------------------------------------------------------------
 * Values
 *
 * A value is a self-describing tree in an arena: Go encodes one
 * (values.Encode) and hands C a reference to its root, or C builds one in an
 * arena Go gave it (hffi_val_new and the hffi_val_set_* builders below)
 * and Go decodes it (values.Decode, values.DecodeInto).
 *
 * Every node is an hffi_val of 16 bytes, 8-aligned in the arena. A node's
 * `data` links to its payload by byte offset from the arena's base, so the
 * reference to a child is its parent's reference with another offset (same
 * slot, same generation): C walks a tree without calling Go.
 *
 *   kind            len        data
 *   HFFI_VAL_NULL   0          0
 *   HFFI_VAL_BOOL   0          0 or 1
 *   HFFI_VAL_INT    0          int64_t, two's complement
 *   HFFI_VAL_UINT   0          uint64_t (Go writes UINT only above INT64_MAX)
 *   HFFI_VAL_FLOAT  0          IEEE-754 double bits
 *   HFFI_VAL_STR    bytes      up to 7 bytes: the bytes themselves, then
 *                              zeros (so a NUL); longer: offset of len bytes
 *                              and a NUL
 *   HFFI_VAL_BYTES  bytes      the same
 *   HFFI_VAL_LIST   elements   offset of hffi_val[len] (0 if len is 0)
 *   HFFI_VAL_MAP    entries    offset of hffi_val_entry[len] (0 if len is 0);
 *                              keys are STR nodes in strictly increasing
 *                              byte order (memcmp, a prefix sorts first)
 *   HFFI_VAL_HANDLE 0          an hffi_handle naming a Go value
 *
 * Every accessor checks the arena's generation, then every offset and
 * length against what the arena has allocated (`used`), then the node's
 * shape (known kind, zero reserved bits, BOOL 0 or 1, NUL after strings,
 * zeros after short strings, 8-aligned arrays). So a value whose arena Go reset or freed gives
 * HFFI_ESTALE (or HFFI_ECLOSED), a malformed node HFFI_ECORRUPT, an offset
 * outside the arena HFFI_EBOUNDS: never an out-of-bounds read. A kind
 * mismatch is HFFI_ETYPE: scalars are never cast, except between INT and
 * UINT when the number fits exactly (HFFI_ERANGE otherwise).
 *
 *     hffi_ref user, name;
 *     const char *s;
 *     uint64_t n;
 *     int32_t rc = hffi_val_path(rt, root, "user.name", &name);
 *     if (rc == 0) rc = hffi_val_get_str(rt, name, &s, &n);
 *     if (rc < 0) return rc;      // HFFI_ESTALE once Go reset the arena
 *
 * Lifetime: a tree, and every pointer an accessor returns into it, lives
 * until Go resets or frees its arena. Concurrency: reading is safe from
 * any thread; a tree has one writer at a time (the builder) and must not
 * be read until it is built and handed over.
 * ------------------------------------------------------------------- */
#define HFFI_VAL_NULL 0u
#define HFFI_VAL_BOOL 1u
#define HFFI_VAL_INT 2u
#define HFFI_VAL_UINT 3u
#define HFFI_VAL_FLOAT 4u
#define HFFI_VAL_STR 5u
#define HFFI_VAL_BYTES 6u
#define HFFI_VAL_LIST 7u
#define HFFI_VAL_MAP 8u
#define HFFI_VAL_HANDLE 9u
#define HFFI_VAL_KIND_MAX 9u

#define HFFI_VAL_SIZE 16       /* sizeof(hffi_val) */
#define HFFI_VAL_ENTRY_SIZE 32 /* sizeof(hffi_val_entry) */
#define HFFI_VAL_LEN_MAX UINT32_MAX
/* Strings and bytes this short live in the node's data field. */
#define HFFI_VAL_INLINE_MAX 7
/* Decoders (Go's, and hffi_val_path's segment count) stop at this depth. */
#define HFFI_VAL_MAX_DEPTH 10000
/* A length that means "up to the NUL" (like SQLite's -1). */
#define HFFI_VAL_NTS UINT64_MAX

typedef struct hffi_val {
    uint32_t kind; /* HFFI_VAL_*; bits above the kind are reserved, 0 */
    uint32_t len;  /* STR, BYTES: bytes (NUL not counted); LIST, MAP: count */
    uint64_t data; /* scalar bits, or arena offset of the payload */
} hffi_val;

typedef struct hffi_val_entry {
    hffi_val key; /* HFFI_VAL_STR */
    hffi_val val;
} hffi_val_entry;

/* hffi_val_kind_name returns "null", "bool", ... ("invalid" otherwise). */
HFFI_API const char *hffi_val_kind_name(uint32_t kind);

/* Reading. Every function validates v as described above; outputs are
 * written only on success. */
HFFI_API int32_t hffi_val_kind(const hffi_rt *rt, hffi_ref v, uint32_t *kind_out);
/* hffi_val_len gives the byte length of STR and BYTES, the count of LIST
 * and MAP, and HFFI_ETYPE for the other kinds. */
HFFI_API int32_t hffi_val_len(const hffi_rt *rt, hffi_ref v, uint64_t *len_out);
HFFI_API int32_t hffi_val_get_bool(const hffi_rt *rt, hffi_ref v, bool *out);
HFFI_API int32_t hffi_val_get_int(const hffi_rt *rt, hffi_ref v, int64_t *out);
HFFI_API int32_t hffi_val_get_uint(const hffi_rt *rt, hffi_ref v, uint64_t *out);
HFFI_API int32_t hffi_val_get_float(const hffi_rt *rt, hffi_ref v, double *out);
/* hffi_val_get_str gives a NUL-terminated string and its length (len_out
 * may be NULL); hffi_val_get_bytes the same for BYTES. The pointer is into
 * the arena (into the node itself for short strings): not 8-aligned. */
HFFI_API int32_t hffi_val_get_str(const hffi_rt *rt, hffi_ref v, const char **ptr_out, uint64_t *len_out);
HFFI_API int32_t hffi_val_get_bytes(const hffi_rt *rt, hffi_ref v, const void **ptr_out,
                           uint64_t *len_out);
/* hffi_val_get_handle gives the handle as stored; check it with
 * hffi_handle_check before use, since the Go value may be gone. */
HFFI_API int32_t hffi_val_get_handle(const hffi_rt *rt, hffi_ref v, hffi_handle *out);
/* hffi_val_list_at gives element i of a LIST (HFFI_EBOUNDS past the end). */
HFFI_API int32_t hffi_val_list_at(const hffi_rt *rt, hffi_ref list, uint64_t i, hffi_ref *elem_out);
/* hffi_val_map_find looks key up in a MAP by binary search (O(log n)) and
 * gives its value, or HFFI_ENOTFOUND. key_len may be HFFI_VAL_NTS. */
HFFI_API int32_t hffi_val_map_find(const hffi_rt *rt, hffi_ref map, const char *key, uint64_t key_len,
                          hffi_ref *val_out);
/* hffi_val_map_at gives entry i of a MAP in key order: its key (a STR) and
 * its value; either output may be NULL. */
HFFI_API int32_t hffi_val_map_at(const hffi_rt *rt, hffi_ref map, uint64_t i, hffi_ref *key_out,
                        hffi_ref *val_out);
/* hffi_val_path follows a path of map keys and list indexes from v, such
 * as "user.tags[3]" or "[0].name" ("" is v itself). Keys that contain '.'
 * or '[' need hffi_val_map_find. HFFI_EINVAL for a malformed path. */
HFFI_API int32_t hffi_val_path(const hffi_rt *rt, hffi_ref v, const char *path, hffi_ref *out);

/* Building, in an arena Go gave C (see hffi_arena_alloc). hffi_val_new
 * allocates one NULL node; the setters overwrite a node in place (strings
 * and arrays are allocated in the node's own arena, and what they replace
 * stays allocated until the arena is reset). hffi_val_set_list and
 * hffi_val_set_map make n NULL elements or n entries with unset keys;
 * fill elements through hffi_val_list_at, entries with hffi_val_map_set_key
 * (which gives the entry's value node), then call hffi_val_map_sort, which
 * orders the entries and fails with HFFI_EINVAL on an unset or repeated
 * key. Sorting moves entries: look values up again afterwards. Go rejects
 * maps that are not sorted. */
HFFI_API int32_t hffi_val_new(const hffi_rt *rt, hffi_arena a, hffi_ref *v_out);
HFFI_API int32_t hffi_val_set_null(const hffi_rt *rt, hffi_ref v);
HFFI_API int32_t hffi_val_set_bool(const hffi_rt *rt, hffi_ref v, bool b);
HFFI_API int32_t hffi_val_set_int(const hffi_rt *rt, hffi_ref v, int64_t i);
/* hffi_val_set_uint stores an INT when u fits one, as Go does. */
HFFI_API int32_t hffi_val_set_uint(const hffi_rt *rt, hffi_ref v, uint64_t u);
HFFI_API int32_t hffi_val_set_float(const hffi_rt *rt, hffi_ref v, double f);
/* len may be HFFI_VAL_NTS for a NUL-terminated s. */
HFFI_API int32_t hffi_val_set_str(const hffi_rt *rt, hffi_ref v, const char *s, uint64_t len);
HFFI_API int32_t hffi_val_set_bytes(const hffi_rt *rt, hffi_ref v, const void *p, uint64_t len);
/* hffi_val_set_handle stores h if hffi_handle_check accepts it. */
HFFI_API int32_t hffi_val_set_handle(const hffi_rt *rt, hffi_ref v, hffi_handle h);
HFFI_API int32_t hffi_val_set_list(const hffi_rt *rt, hffi_ref v, uint64_t n);
HFFI_API int32_t hffi_val_set_map(const hffi_rt *rt, hffi_ref v, uint64_t n);
HFFI_API int32_t hffi_val_map_set_key(const hffi_rt *rt, hffi_ref map, uint64_t i, const char *key,
                             uint64_t key_len, hffi_ref *val_out);
HFFI_API int32_t hffi_val_map_sort(const hffi_rt *rt, hffi_ref map);
/* ----------------------------------------------------------- Values end */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HFFI_H */

/* ---------------------------------------------------------------------
 * IMPLEMENTATION
 *
 * Instead of linking libhffi, one file of a program may compile the
 * implementation in, stb style:
 *
 *     #define HFFI_IMPLEMENTATION
 *     #include "hffi.h"
 *
 * The functions are then `static` (see HFFI_API): private to that file,
 * so every library and every cgo package of a process may do the same,
 * even next to libhffi or a Go binary that links hffi's own copy. Every
 * copy keeps all of its state in the root Go created, so copies
 * interoperate: a handle C registered through one copy is destroyed
 * through another. In cgo, put the two lines in the preamble of the Go
 * files that call hffi_* (each gets its own copy; with //export they also
 * go into _cgo_export.c, which a static copy allows).
 *
 * HFFI_IMPLEMENTATION_EXTERN instead gives the functions external
 * linkage, as libhffi has: for a C library that exports the hffi API to
 * other files. Never next to libhffi or another external copy in one
 * link: the symbols would be defined twice.
 *
 * Either macro must be defined before the first #include of hffi.h in the
 * file. The single-file hffi.h that cmd/hffi-header writes has the three
 * hffi*.c files pasted in place of the #include lines below.
 * ------------------------------------------------------------------- */
#if (defined(HFFI_IMPLEMENTATION) || defined(HFFI_IMPLEMENTATION_EXTERN)) && \
    !defined(_HFFI_IMPLEMENTED)
#define _HFFI_IMPLEMENTED 1
#if !defined(_HFFI_IMPL_FIRST)
#error "hffi.h: define HFFI_IMPLEMENTATION before the first #include of hffi.h in this file"
#endif
#include "hffi.c"
#include "hffi_handles.c"
#include "hffi_value.c"
#endif /* HFFI_IMPLEMENTATION */
