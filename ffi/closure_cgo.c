/* SPDX-License-Identifier: Apache-2.0 */

//go:build cgo && !hffi_purego

/* The one handler of every libffi closure of the cgo backend (see
 * closure.go): it copies the arguments into a frame laid out as a
 * trampoline's, calls Go, and stores the result. libffi's headers are not
 * needed: only the leading fields of ffi_cif and ffi_type, stable since
 * libffi 3.0, are read. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "callback_cgo.h"
#include "_cgo_export.h"

typedef struct {
	size_t size;
	unsigned short alignment;
	unsigned short type;
} hffi_ffi_type;

typedef struct {
	int abi;
	unsigned nargs;
	hffi_ffi_type **arg_types;
	hffi_ffi_type *rtype;
} hffi_ffi_cif;

enum { HFFI_FFI_VOID = 0, HFFI_FFI_FLOAT = 2, HFFI_FFI_DOUBLE = 3, HFFI_FFI_STRUCT = 13 };

/* hffi_cl_place gives a struct its offset in the frame's struct area, as
 * layoutStructs does in Go. */
static size_t hffi_cl_place(size_t *off, const hffi_ffi_type *t) {
	size_t a = t->alignment ? t->alignment : 1, o = (*off + a - 1) / a * a;
	*off = o + t->size;
	return o;
}

static void hffi_cl_run(void *cifp, void *ret, void **args, void *ud) {
	const hffi_ffi_cif *cif = cifp;
	hffi_cb_frame f;
	unsigned i, ni = 0, nf = 0;
	size_t soff = 0, roff = 0;
	f.ret = 0;
	f.shape = 0;
	f.aux = (uint32_t)(uintptr_t)ud;
	for (i = 0; i < cif->nargs; i++) {
		const hffi_ffi_type *t = cif->arg_types[i];
		uint64_t v = 0;
		if (t->type == HFFI_FFI_STRUCT) {
			size_t o = hffi_cl_place(&soff, t);
			if (soff <= sizeof f.sbuf) memcpy(f.sbuf + o, args[i], t->size);
			continue;
		}
		switch (t->size) { /* typed loads: no call to memcpy per argument */
		case 1: v = *(const uint8_t *)args[i]; break;
		case 2: v = *(const uint16_t *)args[i]; break;
		case 4: v = *(const uint32_t *)args[i]; break;
		default: v = *(const uint64_t *)args[i]; break;
		}
		if (t->type == HFFI_FFI_FLOAT || t->type == HFFI_FFI_DOUBLE) {
			if (nf < 8) f.floats[nf++] = v;
		} else if (ni < 6) {
			f.ints[ni++] = (uintptr_t)v;
		} else if (ni < 16) {
			f.more[ni++ - 6] = (uintptr_t)v;
		}
	}
	if (cif->rtype->type == HFFI_FFI_STRUCT) {
		/* Zeroed: what C gets when the Go function cannot run. */
		roff = hffi_cl_place(&soff, cif->rtype);
		if (soff <= sizeof f.sbuf) memset(f.sbuf + roff, 0, cif->rtype->size);
	}
	hffiGoClosure(&f);
	switch (cif->rtype->type) {
	case HFFI_FFI_VOID: break;
	case HFFI_FFI_FLOAT: *(uint32_t *)ret = (uint32_t)f.ret; break;
	case HFFI_FFI_STRUCT:
		if (soff <= sizeof f.sbuf) memcpy(ret, f.sbuf + roff, cif->rtype->size);
		break;
	default: *(uint64_t *)ret = f.ret; /* integers: a whole ffi_arg */
	}
}

uintptr_t hffi_cl_handler(void) { return (uintptr_t)hffi_cl_run; }

static void hffi_close_notify_run(void *ud) { hffiGoCloseNotify((uintptr_t)ud); }

uintptr_t hffi_close_notify(void) { return (uintptr_t)hffi_close_notify_run; }
