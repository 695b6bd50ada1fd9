/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c - a C library that keeps a Go handle for later, as a callback
 * registry or an event loop does with its `void *user_data`. Before using
 * the handle it asks hffi whether Go still holds it: a few loads, no call
 * into Go, any thread.
 */
#include <stdint.h>

#include "hffi.h"

static const hffi_rt *store_rt;
static hffi_handle store_saved;

void store_init(const hffi_rt *rt) { store_rt = rt; }

void store_keep(hffi_handle h) { store_saved = h; }

/* store_fire is the event firing later: it returns 0 if it may call back
 * into Go with the handle, and the HFFI_E* code that says why not
 * otherwise. Without the check this would be a use-after-free (or, with
 * runtime/cgo.Handle, a panic that kills the process). */
int32_t store_fire(void) { return hffi_handle_check(store_rt, store_saved); }
