// SPDX-License-Identifier: Apache-2.0

package callconv

// The AAPCS64 rules (Arm IHI 0055, section 6.8.2), for the types a Type
// can describe:
//   - integers and pointers take the next of x0-x7, floats the next of
//     v0-v7; once a class is exhausted its arguments go on the stack;
//   - an HFA (a struct of 1 to 4 leaves, all float or all double) takes
//     one vector register per leaf if they all fit, else goes whole on the
//     stack and no later argument uses a vector register;
//   - any other struct of more than 16 bytes is copied to memory the
//     caller owns and passed as a pointer (an integer argument);
//   - a smaller one takes ceil(size/8) consecutive x registers if they all
//     fit, else goes on the stack and no later argument uses an x register;
//   - results: integers in x0, floats in v0, an HFA in v0-v3, a struct of
//     at most 16 bytes in x0/x1, a larger one in a buffer whose address the
//     caller passes in x8;
//   - Linux puts every stack argument in 8-byte slots, and variadic extras
//     follow the same rules as fixed ones.
//
// Apple's variant (Writing ARM64 code for Apple platforms) differs in two
// ways this file implements: stack arguments are packed at their natural
// alignment (a char takes one byte; a struct of at most 16 bytes that is
// not an HFA is still rounded to 8), and every variadic extra goes on the
// stack in an 8-byte slot, whatever registers are free.

const (
	a64Ints   = 8
	a64Floats = 8
	offX8     = offInts + 8*8
)

// hfa returns the number of leaves of t if it is a homogeneous float
// aggregate, else 0.
func hfa(t *Type) int {
	if t.Kind != Struct || len(t.Leaves) == 0 || len(t.Leaves) > 4 {
		return 0
	}
	k := t.Leaves[0].Kind
	if !k.isFloat() {
		return 0
	}
	for _, l := range t.Leaves {
		if l.Kind != k {
			return 0
		}
	}
	return len(t.Leaves)
}

func (b *builder) aapcs(result *Type, params []*Type) error {
	if result != nil {
		b.p.res = b.aapcsResult(result)
	}
	for i, t := range params {
		b.begin()
		extra := b.p.fixed >= 0 && i >= b.p.fixed
		b.aapcsParam(t, extra)
	}
	return nil
}

func (b *builder) aapcsResult(t *Type) []move {
	switch {
	case t.Kind.isFloat():
		return []move{{op: opCopy, n: uint32(t.Size), src: offFret}}
	case t.Kind != Struct:
		return []move{{op: opCopy, n: uint32(t.Size), src: offRet}}
	}
	if n := hfa(t); n > 0 {
		var res []move
		for i, l := range t.Leaves {
			res = append(res, move{op: opCopy, n: uint32(scalarSize[l.Kind]), src: offFret + 8*uint32(i), dst: uint32(l.Offset)})
		}
		return res
	}
	if t.Size <= 16 {
		var res []move
		for i := uint32(0); 8*i < uint32(t.Size); i++ {
			res = append(res, move{op: opCopy, n: min(8, uint32(t.Size)-8*i), src: offRet + 8*i, dst: 8 * i})
		}
		return res
	}
	off := b.block(uint32(t.Size))
	b.pointerTo(offX8, false, off)
	return []move{{op: opCopy, n: uint32(t.Size), src: memTag + off}}
}

// slot returns the size and alignment a stack argument of n bytes and
// natural alignment align takes: 8-byte slots on Linux and for Apple's
// variadic extras, natural alignment otherwise on Apple.
func (b *builder) slot(n, align uint32, extra bool) (uint32, uint32) {
	if b.abi == AppleA64 && !extra {
		return n, align
	}
	return (n + 7) &^ 7, max(8, align)
}

func (b *builder) aapcsParam(t *Type, extra bool) {
	// Apple: variadic extras never use registers.
	stackOnly := extra && b.abi == AppleA64
	switch {
	case t.Kind.isFloat():
		if b.nfr < a64Floats && !stackOnly {
			b.word(t.Kind, 0, floatReg(b.nfr), extra)
			b.nfr++
			return
		}
		b.a64StackScalar(t.Kind, extra)
		return
	case t.Kind != Struct:
		if b.ngr < a64Ints && !stackOnly {
			b.word(t.Kind, 0, intReg(b.ngr), extra)
			b.ngr++
			return
		}
		b.a64StackScalar(t.Kind, extra)
		return
	}
	size := uint32(t.Size)
	if n := hfa(t); n > 0 {
		if b.nfr+n <= a64Floats && !stackOnly {
			for _, l := range t.Leaves {
				b.p.moves = append(b.p.moves, move{op: opCopy, n: uint32(scalarSize[l.Kind]), src: uint32(l.Offset), dst: floatReg(b.nfr)})
				b.nfr++
			}
			return
		}
		b.nfr = a64Floats
		n, a := b.slot(size, uint32(t.Align), extra)
		b.stackMove(move{op: opCopy, n: size, dst: b.onStack(n, a)})
		return
	}
	if size > 16 {
		// A copy in the frame's memory area, passed by address.
		off := b.block(size)
		b.toMem = append(b.toMem, len(b.p.moves))
		b.p.moves = append(b.p.moves, move{op: opCopy, n: size, dst: off})
		if b.ngr < a64Ints && !stackOnly {
			b.pointerTo(intReg(b.ngr), false, off)
			b.ngr++
			return
		}
		b.pointerTo(b.onStack(8, 8), true, off)
		return
	}
	words := int((size + 7) / 8)
	if b.ngr+words <= a64Ints && !stackOnly {
		for i := range uint32(words) {
			b.p.moves = append(b.p.moves, move{op: opCopy, n: min(8, size-8*i), src: 8 * i, dst: intReg(b.ngr)})
			b.ngr++
		}
		return
	}
	b.ngr = a64Ints
	// Small non-HFA structs travel as 64-bit words, so 8-aligned even on Apple.
	b.stackMove(move{op: opCopy, n: size, dst: b.onStack((size+7)&^7, 8)})
}

func (b *builder) a64StackScalar(k Kind, extra bool) {
	n := uint32(scalarSize[k])
	if extra && k == Float32 {
		n = 8
	}
	sn, a := b.slot(n, n, extra)
	o := scalarOp(k, extra)
	if sn < 8 {
		// Apple packs it in its own size: extending would write past it.
		o = opCopy
	}
	b.stackMove(move{op: o, n: n, dst: b.onStack(sn, a)})
}
