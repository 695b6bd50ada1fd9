// SPDX-License-Identifier: Apache-2.0

package callconv

import "unsafe"

// Arg stores parameter i, whose Go value is at v, in f. v must point to a
// value of the Go type the parameter's Type was made from (TypeOf), or
// of the same layout.
func (p *Plan) Arg(f *Frame, i int, v unsafe.Pointer) {
	h := &f.header
	for _, m := range p.moves[p.argAt[i]:p.argAt[i+1]] {
		put(h, m, v)
	}
}

// Word stores parameter i as the 64-bit word w: an integer already
// sign- or zero-extended to 64 bits, a pointer, the bits of a double, or
// the bits of a float in the low half. It is valid only if IsWord(i), and
// is inlined: the way to pass scalars on a hot path.
func (p *Plan) Word(f *Frame, i int, w uint64) {
	*(*uint64)(unsafe.Add(unsafe.Pointer(f), p.word[uint8(i)])) = w
}

// IsWord reports whether parameter i is a scalar that takes a whole
// 64-bit register or stack slot, so that Word may store it. Every scalar
// is, except Apple arm64's stack arguments narrower than 8 bytes and the
// variadic float32 extras (promoted to double: use Arg).
func (p *Plan) IsWord(i int) bool { return p.word[uint8(i)] != 0 }

// WordOffset returns the offset in a frame of the 64-bit word that
// parameter i takes, for a caller that stores the words of many calls
// itself (as Word does): valid only if IsWord(i).
func (p *Plan) WordOffset(i int) uintptr { return p.word[uint8(i)] }

func put(h *header, m move, v unsafe.Pointer) {
	s := unsafe.Add(v, m.src)
	d := at(h, m.dst)
	switch m.op {
	case opCopy:
		switch m.n {
		case 8:
			*(*uint64)(d) = *(*uint64)(s)
		case 4:
			*(*uint32)(d) = *(*uint32)(s)
		default:
			copy(unsafe.Slice((*byte)(d), m.n), unsafe.Slice((*byte)(s), m.n))
		}
	case opS1:
		*(*int64)(d) = int64(*(*int8)(s))
	case opS2:
		*(*int64)(d) = int64(*(*int16)(s))
	case opS4:
		*(*int64)(d) = int64(*(*int32)(s))
	case opZ1:
		*(*uint64)(d) = uint64(*(*uint8)(s))
	case opZ2:
		*(*uint64)(d) = uint64(*(*uint16)(s))
	case opZ4:
		*(*uint64)(d) = uint64(*(*uint32)(s))
	case opF32to64:
		*(*float64)(d) = float64(*(*float32)(s))
	}
}

// Call calls the C function fn with the arguments stored in f, which
// must come from GetFrame. The call runs on the system stack; C may call
// back into Go.
func (p *Plan) Call(f *Frame, fn uintptr) {
	inUse(f)
	h := &f.header
	h.fn = fn
	h.stackBytes = p.top.stackBytes
	h.al = p.top.al
	h.nreloc = p.top.nreloc
	if p.top.nreloc != 0 {
		h.reloc = p.top.reloc
		for _, l := range p.lits {
			*(*uint64)(at(h, l.dst)) = l.val
		}
	}
	callFrame(h)
}

// Result copies the result of the call made with f to r, which must point
// to a value of the result's Go type. It does nothing for a void result.
func (p *Plan) Result(f *Frame, r unsafe.Pointer) {
	h := &f.header
	for _, m := range p.res {
		s := at(h, m.src)
		d := unsafe.Add(r, m.dst)
		switch m.n {
		case 8:
			*(*uint64)(d) = *(*uint64)(s)
		case 4:
			*(*uint32)(d) = *(*uint32)(s)
		default:
			copy(unsafe.Slice((*byte)(d), m.n), unsafe.Slice((*byte)(s), m.n))
		}
	}
}

// Invoke calls fn with the arguments at args (one pointer per parameter)
// and stores the result at r (nil for void), in a frame from GetFrame.
func Invoke(p *Plan, fn uintptr, args []unsafe.Pointer, r unsafe.Pointer) {
	f := p.GetFrame()
	defer PutFrame(f)
	for i, a := range args {
		p.Arg(f, i, a)
	}
	p.Call(f, fn)
	if r != nil {
		p.Result(f, r)
	}
}
