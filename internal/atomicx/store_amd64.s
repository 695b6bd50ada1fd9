// SPDX-License-Identifier: Apache-2.0

//go:build !race

#include "textflag.h"

// func StoreRelease(addr *uint64, v uint64)
//
// On amd64 every store has release semantics (TSO); a plain MOV is the
// release store that sync/atomic lacks (its Store is a full-barrier XCHG).
TEXT ·StoreRelease(SB), NOSPLIT, $0-16
	MOVQ	addr+0(FP), AX
	MOVQ	v+8(FP), BX
	MOVQ	BX, 0(AX)
	RET
