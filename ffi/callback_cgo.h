/* SPDX-License-Identifier: Apache-2.0 */

/* The frame that a callback trampoline of the cgo backend hands to Go
 * (cbFrame in callback_sig.go has the same layout). */
#ifndef HFFI_FFI_CALLBACK_CGO_H
#define HFFI_FFI_CALLBACK_CGO_H

#include <stdint.h>

typedef struct hffi_cb_frame {
	uintptr_t ints[6];  /* integer argument registers */
	uint64_t floats[8]; /* float argument registers, raw bits */
	uint64_t ret;       /* result: integer or float bits */
	uint32_t shape;     /* index of the trampoline in shapes */
	uint32_t pad;
} hffi_cb_frame;

/* hffi_cb_trampoline returns the address of trampoline `shape`, 0 if none. */
uintptr_t hffi_cb_trampoline(uint32_t shape);

#endif
