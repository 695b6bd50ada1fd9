// SPDX-License-Identifier: Apache-2.0

//go:build linux || darwin

#include "textflag.h"
#include "frame_offsets.h"

// tramp is a C function, void tramp(header *f), called on the system
// stack (runtime.cgocall, or a C wrapper in cgo builds). It follows
// AAPCS64 itself: it saves FP, LR, R19 and R20 (callee-saved) and keeps
// RSP 16-byte aligned. It never touches g.
GLOBL ·ABI0(SB), NOPTR|RODATA, $8
DATA ·ABI0(SB)/8, $tramp<>(SB)

TEXT tramp<>(SB), NOSPLIT|NOFRAME, $0
	STP.W (R29, R30), -32(RSP)
	MOVD  RSP, R29
	STP   (R19, R20), 16(RSP)
	MOVD  R0, R19

	// Words that point into the frame get the frame's address.
	MOVD F_NRELOC(R19), R10
	ADD  $F_RELOC, R19, R11

reloc:
	CBZ     R10, stack
	MOVHU.P 2(R11), R12
	MOVD    (R19)(R12), R13
	ADD     R19, R13, R13
	MOVD    R13, (R19)(R12)
	SUB     $1, R10, R10
	B       reloc

stack:
	// Stack arguments: the first stackBytes of the tail, copied to the
	// bottom of a new area (stackBytes is a multiple of 16).
	MOVD F_STACK(R19), R10
	MOVD RSP, R12
	SUB  R10, R12, R12
	MOVD R12, RSP
	ADD  $F_TAIL, R19, R11
	MOVD $0, R13

copy:
	CMP  R10, R13
	BHS  regs
	MOVD (R11)(R13), R14
	MOVD R14, (R12)(R13)
	ADD  $8, R13, R13
	B    copy

regs:
	FMOVD F_FLOATS+0(R19), F0
	FMOVD F_FLOATS+8(R19), F1
	FMOVD F_FLOATS+16(R19), F2
	FMOVD F_FLOATS+24(R19), F3
	FMOVD F_FLOATS+32(R19), F4
	FMOVD F_FLOATS+40(R19), F5
	FMOVD F_FLOATS+48(R19), F6
	FMOVD F_FLOATS+56(R19), F7
	MOVD  F_INTS+0(R19), R0
	MOVD  F_INTS+8(R19), R1
	MOVD  F_INTS+16(R19), R2
	MOVD  F_INTS+24(R19), R3
	MOVD  F_INTS+32(R19), R4
	MOVD  F_INTS+40(R19), R5
	MOVD  F_INTS+48(R19), R6
	MOVD  F_INTS+56(R19), R7
	MOVD  F_INTS+64(R19), R8
	MOVD  F_FN(R19), R9
	BL    (R9)

	MOVD  R0, F_RET+0(R19)
	MOVD  R1, F_RET+8(R19)
	FMOVD F0, F_FRET+0(R19)
	FMOVD F1, F_FRET+8(R19)
	FMOVD F2, F_FRET+16(R19)
	FMOVD F3, F_FRET+24(R19)

	MOVD R29, RSP
	LDP  16(RSP), (R19, R20)
	LDP.P 32(RSP), (R29, R30)
	RET
