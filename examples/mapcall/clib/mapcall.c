/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapcall.c - the C library of examples/mapcall: it receives a payload
 * that Go encoded into an arena, reads nested fields, keeps the payload's
 * reference and a Go callback for later, and fires the callback with a
 * reply it builds in another arena. It never sees a Go pointer: only the
 * hffi root, references (hffi_ref), a handle and a function pointer.
 */
#include <stdio.h>

#include "hffi.h"

typedef int32_t (*mc_callback)(uintptr_t user_data, hffi_ref reply);

/* What C keeps between calls. */
static hffi_ref kept_payload;
static hffi_arena kept_reply_arena;
static mc_callback kept_fn;
static hffi_handle kept_handle;

#define MC_TRY(x) do { int32_t rc_ = (x); if (rc_ < 0) return rc_; } while (0)

/* mc_submit reads the payload and writes a summary into out (cap bytes of
 * arena memory Go gave it). */
int32_t mc_submit(const hffi_rt *rt, hffi_ref payload, mc_callback fn, hffi_arena reply_arena,
                  char *out, uint64_t cap) {
    hffi_ref v = 0;
    const char *name = NULL, *tag = NULL;
    double total = 0;
    uint64_t items = 0;
    hffi_handle h = 0;
    MC_TRY(hffi_val_path(rt, payload, "user.name", &v));
    MC_TRY(hffi_val_get_str(rt, v, &name, NULL));
    MC_TRY(hffi_val_path(rt, payload, "user.tags[1]", &v));
    MC_TRY(hffi_val_get_str(rt, v, &tag, NULL));
    MC_TRY(hffi_val_path(rt, payload, "order.total", &v));
    MC_TRY(hffi_val_get_float(rt, v, &total));
    MC_TRY(hffi_val_path(rt, payload, "order.items", &v));
    MC_TRY(hffi_val_len(rt, v, &items));
    MC_TRY(hffi_val_map_find(rt, payload, "on_done", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_get_handle(rt, v, &h));
    MC_TRY(hffi_handle_check(rt, h)); /* a live Go callback */
    snprintf(out, (size_t)cap, "user.name=%s user.tags[1]=%s order.total=%.2f order.items=%llu",
             name, tag, total, (unsigned long long)items);
    kept_payload = payload;
    kept_reply_arena = reply_arena;
    kept_fn = fn;
    kept_handle = h;
    return HFFI_OK;
}

/* mc_fire runs later: it reads the kept payload again, builds a reply
 * {"items": n, "status": "shipped", "total": x} and calls the Go callback
 * with it. */
int32_t mc_fire(const hffi_rt *rt) {
    hffi_ref v = 0, reply = 0, e = 0;
    double total = 0;
    uint64_t items = 0;
    MC_TRY(hffi_val_path(rt, kept_payload, "order.total", &v));
    MC_TRY(hffi_val_get_float(rt, v, &total));
    MC_TRY(hffi_val_path(rt, kept_payload, "order.items", &v));
    MC_TRY(hffi_val_len(rt, v, &items));
    MC_TRY(hffi_val_new(rt, kept_reply_arena, &reply));
    MC_TRY(hffi_val_set_map(rt, reply, 3));
    MC_TRY(hffi_val_map_set_key(rt, reply, 0, "status", HFFI_VAL_NTS, &e));
    MC_TRY(hffi_val_set_str(rt, e, "shipped", HFFI_VAL_NTS));
    MC_TRY(hffi_val_map_set_key(rt, reply, 1, "total", HFFI_VAL_NTS, &e));
    MC_TRY(hffi_val_set_float(rt, e, total));
    MC_TRY(hffi_val_map_set_key(rt, reply, 2, "items", HFFI_VAL_NTS, &e));
    MC_TRY(hffi_val_set_uint(rt, e, items));
    MC_TRY(hffi_val_map_sort(rt, reply));
    MC_TRY(hffi_handle_check(rt, kept_handle));
    return kept_fn((uintptr_t)kept_handle, reply);
}

/* mc_reread tries the kept payload once more: after Go reset the arena it
 * gets HFFI_ESTALE, without touching the memory. */
int32_t mc_reread(const hffi_rt *rt) {
    hffi_ref v = 0;
    return hffi_val_path(rt, kept_payload, "user.name", &v);
}
