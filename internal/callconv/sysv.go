// SPDX-License-Identifier: Apache-2.0

package callconv

// The System V amd64 rules (psABI 1.0, section 3.2.3), for the types a
// Type can describe (no long double, __int128 or vectors):
//   - integers and pointers take the next of rdi rsi rdx rcx r8 r9, then an
//     8-byte stack slot; float and double the next of xmm0-7, then a slot;
//   - a struct of more than 16 bytes is MEMORY: copied onto the stack;
//   - a smaller one is split in eightbytes, each INTEGER if any integer
//     leaf lies in it and SSE otherwise; it goes in registers only if all
//     its eightbytes fit, else whole onto the stack;
//   - a MEMORY result is written to a buffer whose address the caller
//     passes in rdi; a smaller one comes back in rax/rdx and xmm0/xmm1, one
//     register per eightbyte, in order within each class;
//   - %al holds an upper bound of the vector registers used, which a
//     variadic callee reads and any other callee ignores.

const (
	sysvInts   = 6
	sysvFloats = 8
)

// eightbytes classifies a struct of at most 16 bytes: sse[i] is whether
// eightbyte i is SSE.
func eightbytes(t *Type) (n int, sse [2]bool) {
	n = int((t.Size + 7) / 8)
	sse = [2]bool{true, true}
	for _, l := range t.Leaves {
		if !l.Kind.isFloat() {
			sse[l.Offset/8] = false
		}
	}
	return n, sse
}

func (b *builder) sysv(result *Type, params []*Type) error {
	if result != nil && result.Kind == Struct && result.Size > 16 {
		off := b.block(uint32(result.Size))
		b.pointerTo(intReg(0), false, off)
		b.ngr = 1
		b.p.res = []move{{op: opCopy, n: uint32(result.Size), src: memTag + off}}
	} else if result != nil {
		b.p.res = sysvResult(result)
	}
	for i, t := range params {
		b.begin()
		promote := b.p.fixed >= 0 && i >= b.p.fixed
		b.sysvParam(t, promote)
	}
	return nil
}

func sysvResult(t *Type) []move {
	if t.Kind != Struct {
		if t.Kind.isFloat() {
			return []move{{op: opCopy, n: uint32(t.Size), src: offFret}}
		}
		return []move{{op: opCopy, n: uint32(t.Size), src: offRet}}
	}
	n, sse := eightbytes(t)
	var res []move
	ni, nf := 0, 0
	for i := range n {
		size := min(8, uint32(t.Size)-8*uint32(i))
		src := uint32(offRet + 8*ni)
		if sse[i] {
			src = uint32(offFret + 8*nf)
			nf++
		} else {
			ni++
		}
		res = append(res, move{op: opCopy, n: size, src: src, dst: 8 * uint32(i)})
	}
	return res
}

func (b *builder) sysvParam(t *Type, promote bool) {
	switch {
	case t.Kind.isFloat():
		if b.nfr < sysvFloats {
			b.word(t.Kind, 0, floatReg(b.nfr), promote)
			b.nfr++
			return
		}
		b.stackWord(t.Kind, promote)
		return
	case t.Kind != Struct:
		if b.ngr < sysvInts {
			b.word(t.Kind, 0, intReg(b.ngr), promote)
			b.ngr++
			return
		}
		b.stackWord(t.Kind, promote)
		return
	}
	if t.Size <= 16 {
		n, sse := eightbytes(t)
		ni, nf := 0, 0
		for i := range n {
			if sse[i] {
				nf++
			} else {
				ni++
			}
		}
		if b.ngr+ni <= sysvInts && b.nfr+nf <= sysvFloats {
			for i := range n {
				size := min(8, uint32(t.Size)-8*uint32(i))
				var dst uint32
				if sse[i] {
					dst = floatReg(b.nfr)
					b.nfr++
				} else {
					dst = intReg(b.ngr)
					b.ngr++
				}
				b.p.moves = append(b.p.moves, move{op: opCopy, n: size, src: 8 * uint32(i), dst: dst})
			}
			return
		}
	}
	size := uint32(t.Size)
	off := b.onStack((size+7)&^7, 8)
	b.stackMove(move{op: opCopy, n: size, dst: off})
}

// stackWord puts a scalar in the next 8-byte stack slot.
func (b *builder) stackWord(k Kind, promote bool) {
	off := b.onStack(8, 8)
	n := uint32(scalarSize[k])
	if promote && k == Float32 {
		n = 8
	}
	b.stackMove(move{op: scalarOp(k, promote), n: n, dst: off})
}
