// SPDX-License-Identifier: Apache-2.0

#include "textflag.h"

// func storeRelease(addr *uint64, v uint64)
//
// On amd64 every store has release semantics (TSO); a plain MOV is the
// release store that sync/atomic lacks (its Store is a full-barrier XCHG).
TEXT ·storeRelease(SB), NOSPLIT, $0-16
	MOVQ	addr+0(FP), AX
	MOVQ	v+8(FP), BX
	MOVQ	BX, 0(AX)
	RET
