// SPDX-License-Identifier: Apache-2.0

//go:build linux || darwin

#include "textflag.h"
#include "frame_offsets.h"

// tramp is a C function, void tramp(header *f), called on the system
// stack (runtime.cgocall, or a C wrapper in cgo builds). It follows the
// SysV amd64 convention itself: BX and BP are callee-saved and restored,
// and the stack is 16-byte aligned at the CALL. It never touches g.
GLOBL ·ABI0(SB), NOPTR|RODATA, $8
DATA ·ABI0(SB)/8, $tramp<>(SB)

TEXT tramp<>(SB), NOSPLIT|NOFRAME, $0
	PUSHQ BP
	MOVQ  SP, BP
	PUSHQ BX
	PUSHQ R12 // keeps SP 16-byte aligned
	MOVQ  DI, BX

	// Words that point into the frame get the frame's address.
	MOVQ F_NRELOC(BX), CX
	LEAQ F_RELOC(BX), SI

reloc:
	TESTQ   CX, CX
	JZ      stack
	MOVWQZX (SI), AX
	ADDQ    BX, (BX)(AX*1)
	ADDQ    $2, SI
	DECQ    CX
	JMP     reloc

stack:
	// Stack arguments: the first stackBytes of the tail, copied to the
	// bottom of a new area (stackBytes is a multiple of 16).
	MOVQ F_STACK(BX), CX
	SUBQ CX, SP
	XORQ AX, AX

copy:
	CMPQ AX, CX
	JAE  regs
	MOVQ F_TAIL(BX)(AX*1), DX
	MOVQ DX, (SP)(AX*1)
	ADDQ $8, AX
	JMP  copy

regs:
	MOVQ F_FLOATS+0(BX), X0
	MOVQ F_FLOATS+8(BX), X1
	MOVQ F_FLOATS+16(BX), X2
	MOVQ F_FLOATS+24(BX), X3
	MOVQ F_FLOATS+32(BX), X4
	MOVQ F_FLOATS+40(BX), X5
	MOVQ F_FLOATS+48(BX), X6
	MOVQ F_FLOATS+56(BX), X7
	MOVQ F_INTS+0(BX), DI
	MOVQ F_INTS+8(BX), SI
	MOVQ F_INTS+16(BX), DX
	MOVQ F_INTS+24(BX), CX
	MOVQ F_INTS+32(BX), R8
	MOVQ F_INTS+40(BX), R9
	MOVQ F_AL(BX), AX
	MOVQ F_FN(BX), R11
	CALL R11

	MOVQ AX, F_RET+0(BX)
	MOVQ DX, F_RET+8(BX)
	MOVQ X0, F_FRET+0(BX)
	MOVQ X1, F_FRET+8(BX)

	LEAQ -16(BP), SP
	POPQ R12
	POPQ BX
	POPQ BP
	RET
