// SPDX-License-Identifier: Apache-2.0

package callconv

import "unsafe"

// Arg stores parameter i, whose Go value is at v, in f. v must point to a
// value of the Go type the parameter's Type was made from (TypeOf), or
// of the same layout.
func Arg[F AnyFrame](p *Plan, f *F, i int, v unsafe.Pointer) {
	h := hdr(f)
	for _, m := range p.moves[p.argAt[i]:p.argAt[i+1]] {
		put(h, m, v)
	}
}

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

// Call calls the C function fn with the arguments stored in f.
func Call[F AnyFrame](p *Plan, f *F, fn uintptr) {
	h := hdr(f)
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
func Result[F AnyFrame](p *Plan, f *F, r unsafe.Pointer) {
	h := hdr(f)
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
// and stores the result at r (nil for void), in a frame of the right size
// on the caller's stack.
func Invoke(p *Plan, fn uintptr, args []unsafe.Pointer, r unsafe.Pointer) {
	if p.Large() {
		invoke[LargeFrame](p, fn, args, r)
		return
	}
	invoke[Frame](p, fn, args, r)
}

func invoke[F AnyFrame](p *Plan, fn uintptr, args []unsafe.Pointer, r unsafe.Pointer) {
	var f F
	for i, a := range args {
		Arg(p, &f, i, a)
	}
	Call(p, &f, fn)
	if r != nil {
		Result(p, &f, r)
	}
}
