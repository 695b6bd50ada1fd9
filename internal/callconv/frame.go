// SPDX-License-Identifier: Apache-2.0

package callconv

import "unsafe"

// A frame is what the trampoline (tramp_$GOARCH.s) reads: one call's
// argument registers, stack words and result registers, in memory that C
// may read and write for the duration of the call. Frames come from the
// off-heap pools of pool.go, never from the goroutine's stack or the Go
// heap: a Go callback made during the call may grow the goroutine's
// stack, which moves it, while the trampoline and C still hold the
// frame's address.
//
// Words that must point into the frame (the buffer of a result returned
// in memory, arm64's copies of large struct arguments) hold an offset
// from the frame's start, and the trampoline adds the frame's address to
// each word listed in reloc before it loads the registers.
//
// The offsets below are mirrored as constants in the assembly files;
// TestFrameOffsets checks them.
type header struct {
	fn         uintptr           // 0: the C function
	stackBytes uintptr           // 8: bytes of tail copied to the C stack, a multiple of 16
	al         uintptr           // 16: amd64: %al, the number of vector registers used (variadics)
	nreloc     uintptr           // 24: number of valid entries of reloc
	reloc      [maxReloc]uint16  // 32: frame offsets of words that get the frame's address added
	ints       [numInts]uint64   // 64: rdi rsi rdx rcx r8 r9 / x0..x7, then x8 (arm64 indirect result)
	floats     [numFloats]uint64 // 136: xmm0..7 / d0..d7
	ret        [2]uint64         // 200: rax rdx / x0 x1 after the call
	fret       [4]uint64         // 216: xmm0 xmm1 / d0..d3 after the call
}

const (
	maxReloc  = 16
	numInts   = 9
	numFloats = 8

	offInts   = 64
	offFloats = offInts + 8*numInts
	offRet    = offFloats + 8*numFloats
	offFret   = offRet + 16
	offTail   = offFret + 32

	// SmallTail and LargeTail are the tail sizes of the frames of plans
	// with Large() false and true.
	SmallTail = 128
	LargeTail = 16 << 10
)

// Frame is the frame of one call: get one from the Plan's GetFrame, hand
// it to the Plan's Word, Arg, Call and Result, and give it back with
// PutFrame. Never declare or allocate one: on the stack it can move
// under C, and Go memory must not reach C at all (Call panics, with near
// certainty, on a frame that is not from GetFrame). A
// frame of a plan with Large() has LargeTail bytes of tail, not
// SmallTail. It holds no Go pointer.
type Frame struct {
	header
	tail [SmallTail / 8]uint64
}

// at returns the address of byte off of the frame that starts at h.
func at(h *header, off uint32) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(h), off) }
