// SPDX-License-Identifier: Apache-2.0

package callconv

import (
	"errors"
	"fmt"
)

// ABI names a C calling convention.
type ABI uint8

const (
	SysV     ABI = iota + 1 // amd64 System V (linux, darwin)
	AAPCS64                 // arm64 procedure call standard (linux)
	AppleA64                // Apple's arm64 variant (darwin)
)

func (a ABI) String() string {
	switch a {
	case SysV:
		return "SysV amd64"
	case AAPCS64:
		return "AAPCS64"
	case AppleA64:
		return "Apple arm64"
	}
	return fmt.Sprintf("ABI(%d)", uint8(a))
}

// An op says how one piece of a value moves between Go memory and a
// frame.
type op uint8

const (
	opCopy op = iota // n bytes, as they are
	opS1             // sign-extend 1, 2 or 4 bytes to a word
	opS2
	opS4
	opZ1 // zero-extend 1, 2 or 4 bytes to a word
	opZ2
	opZ4
	opF32to64 // a float32 promoted to double (variadic extras)
)

// A move copies one piece. For arguments src is an offset in the Go
// value and dst in the frame; for results src is in the frame and dst in
// the Go value.
type move struct {
	op       op
	n        uint32
	src, dst uint32
}

// A Plan is a classified signature: where every byte of every argument
// goes in a frame, and where the result comes from. It is immutable and
// safe for concurrent use.
type Plan struct {
	abi    ABI
	nparam int
	fixed  int
	argAt  []uint16      // moves[argAt[i]:argAt[i+1]] are parameter i's
	word   *[256]uintptr // word[i] != 0: parameter i is a scalar in the 8-byte word at frame offset word[i]
	moves  []move
	res    []move
	lits   []lit // words set on every call: result-buffer and copy pointers
	top    header
	tail   uint32 // bytes of tail used: stack area, then memory blocks
	result *Type
}

// A lit is a frame word that holds the same value on every call.
type lit struct {
	dst uint32
	val uint64
}

// Large reports whether calls of p use frames with a tail of LargeTail
// bytes (GetFrame picks the size).
func (p *Plan) Large() bool { return p.tail > SmallTail }

// NumParams returns the number of parameters, variadic extras included.
func (p *Plan) NumParams() int { return p.nparam }

// ErrTooLarge is returned for a signature whose stack arguments and struct
// copies do not fit a frame's LargeTail.
var ErrTooLarge = errors.New("callconv: arguments too large")

// Prepare classifies a call of a C function with the given parameter
// types and result (nil for void) under abi. fixed is the number of
// fixed parameters of a variadic function (printf has 1), or -1 for a
// function that is not variadic; the parameters from index fixed on are
// its extra arguments, promoted as C promotes them (float32 to double,
// small integers to int).
func Prepare(abi ABI, fixed int, result *Type, params ...*Type) (*Plan, error) {
	if len(params) > 255 {
		return nil, fmt.Errorf("callconv: %d parameters, at most 255 are supported", len(params))
	}
	if fixed > len(params) {
		return nil, fmt.Errorf("callconv: %d fixed parameters, but only %d parameters", fixed, len(params))
	}
	b := &builder{abi: abi, p: &Plan{abi: abi, nparam: len(params), fixed: fixed, result: result}}
	var err error
	switch abi {
	case SysV:
		err = b.sysv(result, params)
	case AAPCS64, AppleA64:
		err = b.aapcs(result, params)
	default:
		err = fmt.Errorf("callconv: unknown ABI %v", abi)
	}
	if err != nil {
		return nil, err
	}
	return b.finish()
}

// builder accumulates a Plan. Moves into the stack area and into memory
// blocks are recorded relative to those areas and resolved by finish,
// once the stack area's size is known.
type builder struct {
	abi      ABI
	p        *Plan
	ngr, nfr int    // next general and vector register
	stack    uint32 // bytes of stack area used
	mem      uint32 // bytes of memory blocks used
	toStack  []int  // indexes of moves whose dst is stack-relative
	toMem    []int  // ... memory-relative
	litMem   []int  // indexes of lits whose val is memory-relative
	relocs   []uint32
	stackLit []int // indexes of lits whose dst is stack-relative
}

func (b *builder) begin() { b.p.argAt = append(b.p.argAt, uint16(len(b.p.moves))) }

func intReg(i int) uint32   { return offInts + 8*uint32(i) }
func floatReg(i int) uint32 { return offFloats + 8*uint32(i) }

// scalarOp returns the op that puts a scalar of kind k into a word.
func scalarOp(k Kind, promote bool) op {
	switch k {
	case Int8:
		return opS1
	case Int16:
		return opS2
	case Int32:
		return opS4
	case Uint8:
		return opZ1
	case Uint16:
		return opZ2
	case Uint32:
		return opZ4
	case Float32:
		if promote {
			return opF32to64
		}
	}
	return opCopy
}

// word moves a scalar of kind k at src of the Go value into the word at
// frame offset dst, extended to 64 bits.
func (b *builder) word(k Kind, src, dst uint32, promote bool) {
	n := uint32(scalarSize[k])
	if promote && k == Float32 {
		n = 8
	}
	b.p.moves = append(b.p.moves, move{op: scalarOp(k, promote), n: n, src: src, dst: dst})
}

// onStack places n bytes aligned to align in the stack area and returns
// their offset there.
func (b *builder) onStack(n, align uint32) uint32 {
	b.stack = (b.stack + align - 1) &^ (align - 1)
	off := b.stack
	b.stack += n
	return off
}

// stackMove records a move of n bytes (or of a scalar) to stack offset off.
func (b *builder) stackMove(m move) {
	b.toStack = append(b.toStack, len(b.p.moves))
	b.p.moves = append(b.p.moves, m)
}

// block reserves n bytes of memory (16-aligned) and returns their
// offset in the memory area.
func (b *builder) block(n uint32) uint32 {
	off := b.mem
	b.mem += (n + 15) &^ 15
	return off
}

// pointerTo records that the word at frame offset dst (stack-relative if
// onStack) holds the address of memory block off.
func (b *builder) pointerTo(dst uint32, onStack bool, off uint32) {
	if onStack {
		b.stackLit = append(b.stackLit, len(b.p.lits))
	}
	b.litMem = append(b.litMem, len(b.p.lits))
	b.p.lits = append(b.p.lits, lit{dst: dst, val: uint64(off)})
}

func (b *builder) finish() (*Plan, error) {
	p := b.p
	p.argAt = append(p.argAt, uint16(len(p.moves)))
	stack := (b.stack + 15) &^ 15
	memBase := offTail + stack
	for _, i := range b.toStack {
		p.moves[i].dst += offTail
	}
	for _, i := range b.toMem {
		p.moves[i].dst += memBase
	}
	for i := range p.res {
		if p.res[i].src >= memTag {
			p.res[i].src = p.res[i].src - memTag + memBase
		}
	}
	for _, i := range b.stackLit {
		p.lits[i].dst += offTail
	}
	for _, i := range b.litMem {
		p.lits[i].val += uint64(memBase)
		b.relocs = append(b.relocs, p.lits[i].dst)
	}
	if len(b.relocs) > maxReloc {
		return nil, fmt.Errorf("callconv: %d struct arguments passed by reference, at most %d are supported", len(b.relocs), maxReloc)
	}
	p.tail = stack + b.mem
	if p.tail > LargeTail {
		return nil, fmt.Errorf("%w: %d bytes of stack arguments and copies, at most %d", ErrTooLarge, p.tail, LargeTail)
	}
	p.top.stackBytes = uintptr(stack)
	p.top.nreloc = uintptr(len(b.relocs))
	for i, r := range b.relocs {
		p.top.reloc[i] = uint16(r)
	}
	if b.abi == SysV {
		p.top.al = uintptr(b.nfr)
	}
	p.word = new([256]uintptr)
	for i := range p.nparam {
		ms := p.moves[p.argAt[i]:p.argAt[i+1]]
		if len(ms) == 1 && ms[0].src == 0 && ms[0].op != opF32to64 &&
			(ms[0].op != opCopy || ms[0].n == 8 || ms[0].dst < offTail && ms[0].n == 4) {
			p.word[i] = uintptr(ms[0].dst)
		}
	}
	return p, nil
}

// memTag marks a result move whose src is memory-relative until finish.
const memTag = 1 << 30
