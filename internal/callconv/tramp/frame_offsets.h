// SPDX-License-Identifier: Apache-2.0

// Offsets of the fields of header (frame.go); frame_test.go checks them.
#define F_FN 0
#define F_STACK 8
#define F_AL 16
#define F_NRELOC 24
#define F_RELOC 32
#define F_INTS 64
#define F_FLOATS 136
#define F_RET 200
#define F_FRET 216
#define F_TAIL 248
