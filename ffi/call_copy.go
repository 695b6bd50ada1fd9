// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"unsafe"

	"github.com/hffi-go/hffi"
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

// The parameters are sorted by what a call does with them, once, at bind
// time, so that each loop of a call runs over the parameters it concerns
// with no switch on their kind.
type cval struct {
	i uint8   // parameter index
	k argKind // its word kind
}

type cbuf struct {
	i     uint8   // parameter index
	slice bool    // a slice (the length is read per call), else a pointer
	ptr   bool    // a pointer to an unsafe.Pointer, copied back with a typed store
	size  uintptr // element or pointee size
}

type cplan struct {
	sym   Symbol
	fn    uintptr
	n     int
	vals  []cval  // words
	bufs  []cbuf  // slices and pointers, copied in
	backs []cbuf  // the ones copied back (not In)
	strs  []uint8 // strings
	offs  []uint8 // OffHeap slices
	out   argKind
	debug bool   // debug mode when bound: blocks given back are poisoned
	g     *gplan // the same call, for copies larger than a small block
}

// newCPlan returns the copy path of a signature g describes, or nil if it
// does not fit.
func newCPlan(g *gplan, out argKind, n int) *cplan {
	if n > copyWords || g.errno || g.free != nil || g.sym.opts.fixed != 0 || out.isFloat() || out == kInvalid {
		return nil
	}
	c := &cplan{sym: g.sym, fn: g.fn, n: n, out: out, debug: hffi.Debug(), g: g}
	for i, gp := range g.params {
		switch gp.kind {
		case gValue:
			if !gp.wk.isWord() || !fastWordOK(i, gp.wk) {
				return nil
			}
			c.vals = append(c.vals, cval{i: uint8(i), k: gp.wk})
		case gString:
			c.strs = append(c.strs, uint8(i))
		case gOffHeap:
			c.offs = append(c.offs, uint8(i))
		case gSlice, gPtr:
			if gp.al != 8 {
				return nil // not laid out 8 bytes aligned
			}
			b := cbuf{i: uint8(i), slice: gp.kind == gSlice, ptr: gp.ptr, size: gp.size}
			c.bufs = append(c.bufs, b)
			if !gp.in {
				c.backs = append(c.backs, b)
			}
		default:
			return nil
		}
	}
	return c
}

func round8(n uintptr) uintptr { return (n + 7) &^ 7 }

// words holds the arguments of a call as C gets them; 16 entries so that
// an index masked with 15 needs no bounds check.
type words [16]uintptr

// call calls the function with the Go arguments at args (one pointer per
// parameter) and stores the result at r (nil for void). It is one
// function, the copies in, the call and the copies back, so that its
// loops keep their state in registers.
func (c *cplan) call(r unsafe.Pointer, args ...unsafe.Pointer) {
	c.sym.live()
	base := getSmallBlock()
	var w words
	for _, v := range c.vals {
		if a := args[v.i]; v.k == kWord {
			w[v.i&15] = *(*uintptr)(a)
		} else {
			w[v.i&15] = wordOf(a, v.k)
		}
	}
	d, left := uintptr(base), uintptr(smallBlock)
	fits := true
fill:
	for {
		for _, b := range c.bufs {
			a := args[b.i]
			// A nil slice or pointer gives NULL; a non-nil empty slice
			// a valid address, as C expects of a buffer of length 0.
			src := *(*unsafe.Pointer)(a) // a slice's data or the pointer
			if src == nil {
				continue
			}
			n := b.size
			if b.slice {
				n *= uintptr((*sliceHeader)(a).len)
			}
			if n > left {
				fits = false
				break fill
			}
			if n == 8 {
				*(*uint64)(ptrFromAddr(d)) = *(*uint64)(src)
			} else {
				memcopy(ptrFromAddr(d), src, n)
			}
			w[b.i&15] = d
			n = round8(n)
			d, left = d+n, left-n
		}
		for _, i := range c.strs {
			s := (*stringHeader)(args[i])
			if s.len >= left {
				fits = false
				break fill
			}
			memcopy(ptrFromAddr(d), s.data, s.len)
			*(*byte)(ptrFromAddr(d + s.len)) = 0
			w[i&15] = d
			n := round8(s.len + 1)
			d, left = d+n, left-n
		}
		for _, i := range c.offs {
			s := (*sliceHeader)(args[i])
			if inGoHeap(s.data) {
				putSmallBlock(base, c.debug)
				panic(fmt.Sprintf("ffi: call %s: parameter %d: an OffHeap slice points into the Go heap; make it with MakeOffHeap or OffHeapAt", c.sym, i+1))
			}
			w[i&15] = uintptr(s.data)
		}
		break
	}
	if !fits {
		// Nothing was written outside the block: start again on the
		// general path, which takes the copies from an arena.
		putSmallBlock(base, c.debug)
		c.g.call(r, args...)
		return
	}
	defer putSmallBlock(base, c.debug)
	rw := callWords(c.fn, &w, c.n)
	for _, b := range c.backs {
		a := args[b.i]
		dst := *(*unsafe.Pointer)(a)
		if dst == nil {
			continue
		}
		cp := ptrFromAddr(w[b.i&15])
		switch {
		case b.ptr:
			// A typed store: the variable may be in the heap, and the
			// garbage collector must see its old value go.
			*(*unsafe.Pointer)(dst) = *(*unsafe.Pointer)(cp)
		case b.slice:
			memcopy(dst, cp, uintptr((*sliceHeader)(a).len)*b.size)
		case b.size == 8:
			*(*uint64)(dst) = *(*uint64)(cp)
		default:
			memcopy(dst, cp, b.size)
		}
	}
	if r != nil {
		setWord(r, c.out, rw)
	}
}

// stringHeader is the layout of a Go string.
type stringHeader struct {
	data unsafe.Pointer
	len  uintptr
}

// callWords calls fn with the first n words of w through the fast path's
// helper of that arity.
func callWords(fn uintptr, w *words, n int) uintptr {
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
