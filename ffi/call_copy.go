// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"unsafe"
)

// The copy path: a signature of integer and pointer words, strings, and
// slices and pointers copied in and back (out-parameters, buffers), at
// most copyWords parameters, with a non-float result. Once the Go
// pointers are replaced by the addresses of their scratch copies, every
// argument is a word, so the call itself goes through the fast path's C
// helper rather than a call frame. The copies go into one small block
// taken from the per-P cache (smallblock.go), laid out in parameter order
// 8 bytes aligned; the copy back reads each from the word C was given. A
// call whose copies do not fit a small block takes the general path
// (gplan.call), which takes them from an arena. compress2(dst, &n, src,
// len, level) on 64 bytes costs about 40% of the general path
// (BenchmarkCallOut).

// cparam is one parameter of the copy path.
type cparam struct {
	kind gkind
	k    argKind // gValue: its word kind
	size uintptr // gSlice: element size; gPtr: pointee size
	ptr  bool    // gPtr: the pointee is an unsafe.Pointer
}

type cplan struct {
	sym    Symbol
	fn     uintptr
	params []cparam
	out    argKind
	g      *gplan // the same call, for copies larger than a small block
}

// newCPlan returns the copy path of a signature g describes, or nil if it
// does not fit.
func newCPlan(g *gplan, out argKind, n int) *cplan {
	if n > copyWords || g.errno || g.free != nil || g.sym.opts.fixed != 0 || out.isFloat() || out == kInvalid {
		return nil
	}
	c := &cplan{sym: g.sym, fn: g.fn, params: make([]cparam, n), out: out, g: g}
	for i, gp := range g.params {
		p := &c.params[i]
		p.kind, p.size, p.ptr = gp.kind, gp.size, gp.ptr
		switch gp.kind {
		case gValue:
			if !gp.wk.isWord() || !fastWordOK(i, gp.wk) {
				return nil
			}
			p.k = gp.wk
		case gString, gOffHeap:
		case gSlice, gPtr:
			if gp.al != 8 {
				return nil // not laid out 8 bytes aligned
			}
		default:
			return nil
		}
	}
	return c
}

func round8(n uintptr) uintptr { return (n + 7) &^ 7 }

// call calls the function with the Go arguments at args (one pointer per
// parameter) and stores the result at r (nil for void).
func (c *cplan) call(r unsafe.Pointer, args ...unsafe.Pointer) {
	c.sym.live()
	base := getSmallBlock()
	var w [maxWords]uintptr
	if !c.fill(&w, base, args) {
		putSmallBlock(base)
		c.g.call(r, args...)
		return
	}
	defer putSmallBlock(base)
	rw := callWords(c.fn, &w, len(args))
	c.copyBack(&w, args)
	if r != nil {
		setWord(r, c.out, rw)
	}
}

// fill stores the words of the call in w, copying strings, slices and
// pointees into the block at base. It reports false, having copied
// nothing back anywhere, if the copies do not fit the block.
func (c *cplan) fill(w *[maxWords]uintptr, base unsafe.Pointer, args []unsafe.Pointer) bool {
	ps := c.params
	args = args[:len(ps)]
	d, left := uintptr(base), uintptr(smallBlock)
	for i := range ps {
		p, a := &ps[i], args[i]
		var n uintptr
		var src unsafe.Pointer
		switch p.kind {
		case gValue:
			w[i] = wordOf(a, p.k)
			continue
		case gSlice:
			// A non-nil empty slice gets a valid address, as C expects
			// of a buffer of length 0; only nil gives NULL.
			s := (*sliceHeader)(a)
			if src = s.data; src == nil {
				continue
			}
			n = uintptr(s.len) * p.size
		case gPtr:
			if src = *(*unsafe.Pointer)(a); src == nil {
				continue
			}
			n = p.size
		case gString:
			s := (*stringHeader)(a)
			if s.len+1 > left {
				return false
			}
			memcopy(ptrFromAddr(d), s.data, s.len)
			*(*byte)(ptrFromAddr(d + s.len)) = 0
			w[i] = d
			k := round8(s.len + 1)
			d, left = d+k, left-k
			continue
		case gOffHeap:
			s := (*sliceHeader)(a)
			if inGoHeap(s.data) {
				panic(fmt.Sprintf("ffi: call %s: parameter %d: an OffHeap slice points into the Go heap; make it with MakeOffHeap or OffHeapAt", c.sym, i+1))
			}
			w[i] = uintptr(s.data)
			continue
		}
		if n > left {
			return false
		}
		if n == 8 {
			*(*uint64)(ptrFromAddr(d)) = *(*uint64)(src)
		} else {
			memcopy(ptrFromAddr(d), src, n)
		}
		w[i] = d
		k := round8(n)
		d, left = d+k, left-k
	}
	return true
}

// copyBack copies what C left in the copies of slices and pointees, at
// the addresses in w, into the Go values.
func (c *cplan) copyBack(w *[maxWords]uintptr, args []unsafe.Pointer) {
	ps := c.params
	args = args[:len(ps)]
	for i := range ps {
		p, a := &ps[i], args[i]
		var dst unsafe.Pointer
		var n uintptr
		switch p.kind {
		case gSlice:
			s := (*sliceHeader)(a)
			dst, n = s.data, uintptr(s.len)*p.size
		case gPtr:
			dst, n = *(*unsafe.Pointer)(a), p.size
			if p.ptr && dst != nil {
				// A typed store: the variable may be in the heap, and
				// the garbage collector must see its old value go.
				*(*unsafe.Pointer)(dst) = *(*unsafe.Pointer)(ptrFromAddr(w[i]))
				continue
			}
		default:
			continue
		}
		switch {
		case dst == nil:
		case n == 8:
			*(*uint64)(dst) = *(*uint64)(ptrFromAddr(w[i]))
		default:
			memcopy(dst, ptrFromAddr(w[i]), n)
		}
	}
}

// stringHeader is the layout of a Go string.
type stringHeader struct {
	data unsafe.Pointer
	len  uintptr
}

// callWords calls fn with the first n words of w through the fast path's
// helper of that arity.
func callWords(fn uintptr, w *[maxWords]uintptr, n int) uintptr {
	switch n {
	case 0:
		return callW0(fn)
	case 1:
		return callW1(fn, w[0])
	case 2:
		return callW2(fn, w[0], w[1])
	case 3:
		return callW3(fn, w[0], w[1], w[2])
	case 4:
		return callW4(fn, w[0], w[1], w[2], w[3])
	case 5:
		return callW5(fn, w[0], w[1], w[2], w[3], w[4])
	case 6:
		return callW6(fn, w[0], w[1], w[2], w[3], w[4], w[5])
	case 7:
		return callW7(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6])
	case 8:
		return callW8(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
	case 9:
		return callW9(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
	case 10:
		return callW10(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9])
	case 11:
		return callW11(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10])
	case 12:
		return callW12(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11])
	case 13:
		return callW13(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12])
	case 14:
		return callW14(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13])
	}
	return callW15(fn, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14])
}
