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
// helpers (hffi_call_wv reads the words from the block) rather than a call
// frame. The words and the copies go into one small block taken from the
// per-P cache (smallblock.go): the words C gets first, then the copies, 8
// bytes aligned; the copy back reads each from the word C was given. A call whose copies do not fit a small block
// takes the general path (gplan.call), which takes them from an arena.
//
// Go keeps no register across a call, so a call inside a loop makes it
// save and reload every value live across it, which costs more than a
// small copy. Binding therefore gives each parameter an operation (cop),
// and a call runs one loop, with no function call in it, over the words,
// the int32s and the pointers and slices, copying 8 to 64 bytes inline
// (copySmall); the rest (narrower integers, strings, OffHeap slices)
// has a loop of its own, and copies of other sizes a second pass with
// memcopy, both only when a call needs them. compress2(dst, &n, src, len,
// level) on 64 bytes: BenchmarkCallOut.

// A parameter's operation, chosen once, at bind time, so that a call
// runs one loop over its parameters with one switch.
type cOp uint8

const (
	// c.ops: no call in the loop over them.
	opWord   cOp = iota // an 8-byte integer or pointer word
	opInt32             // int32, sign-extended
	opUint32            // uint32, zero-extended
	opPtr8              // *T of an 8-byte T: one load and store each way
	opPtrP              // *unsafe.Pointer: copied back with a typed store
	opPtr               // *T, copied in and back
	opSlice             // []T: the length is read per call
	// c.rare: their loop calls functions.
	opNarrow // a narrower integer or a bool, widened (wordOf)
	opStr    // string: a NUL-terminated copy
	opOff    // OffHeap slice: passed as is
)

type cop struct {
	i    uint8   // parameter index
	op   cOp     //
	k    argKind // opNarrow: the word kind
	size uintptr // opPtr*: the pointee size; opSlice: the element size
}

type cplan struct {
	sym   Symbol
	fn    uintptr
	n     int
	ops   []cop // the parameters of the operations up to opSlice
	rare  []cop // the others
	backs []cop // the slices and pointers copied back (not In)
	ptrPs []cop // the *unsafe.Pointer parameters, whose pointees are checked
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
		o := cop{i: uint8(i), k: gp.wk, size: gp.size}
		switch gp.kind {
		case gValue:
			if !gp.wk.isWord() || !fastWordOK(i, gp.wk) {
				return nil
			}
			switch gp.wk {
			case kWord, kPointer:
				o.op = opWord
			case kInt32:
				o.op = opInt32
			case kUint32:
				o.op = opUint32
			default:
				o.op = opNarrow
			}
		case gString:
			o.op = opStr
		case gOffHeap:
			o.op = opOff
		case gSlice, gPtr:
			if gp.al != 8 {
				return nil // not laid out 8 bytes aligned
			}
			switch {
			case gp.kind == gSlice:
				o.op = opSlice
			case gp.ptr:
				o.op = opPtrP
				c.ptrPs = append(c.ptrPs, o)
			case gp.size == 8:
				o.op = opPtr8
			default:
				o.op = opPtr
			}
			if !gp.in {
				c.backs = append(c.backs, o)
			}
		default:
			return nil
		}
		if o.op <= opSlice {
			c.ops = append(c.ops, o)
		} else {
			c.rare = append(c.rare, o)
		}
	}
	return c
}

func round8(n uintptr) uintptr { return (n + 7) &^ 7 }

// words holds the arguments of a call as C gets them, at the start of the
// small block (so neither zeroed nor on the Go stack); 16 entries so that
// an index masked with 15 needs no bounds check.
type words [16]uintptr

// wordsSize is the room words takes at the start of a small block.
const wordsSize = unsafe.Sizeof(words{})

// copyLen is the number of bytes a copy of the slice or pointer parameter
// at a takes, if it is not nil.
func (o cop) copyLen(a unsafe.Pointer) uintptr {
	if o.op == opSlice {
		return o.size * uintptr((*sliceHeader)(a).len)
	}
	return o.size
}

// call calls the function with the Go arguments at args (one pointer per
// parameter) and stores the result at r (nil for void). It is one
// function, the copies in, the call and the copies back, so that its
// loops keep their state in registers. Go keeps no register across a
// call, so a call in a loop makes it save every value live across it: the
// loops over c.ops and c.backs call nothing (copySmall is inline), and
// leave copies larger than copySmall takes to a second loop.
func (c *cplan) call(r unsafe.Pointer, args ...unsafe.Pointer) {
	c.sym.live()
	for _, o := range c.ptrPs {
		if p := *(*unsafe.Pointer)(args[o.i]); p != nil {
			checkPointee(&c.sym, int(o.i), *(*unsafe.Pointer)(p))
		}
	}
	base := getSmallBlock()
	w := (*words)(base)
	// d is where the next copy goes, left the room after it.
	d, left := uintptr(base)+wordsSize, uintptr(smallBlock)-wordsSize
	big := false // a copy left to memcopy
	for _, o := range c.ops {
		a, i := args[o.i], o.i&15
		switch o.op {
		case opWord:
			w[i] = *(*uintptr)(a)
		case opInt32:
			w[i] = uintptr(*(*int32)(a))
		case opUint32:
			w[i] = uintptr(*(*uint32)(a))
		case opPtr8:
			// A nil pointer gives NULL.
			w[i] = 0
			if src := *(*unsafe.Pointer)(a); src != nil {
				*(*uint64)(ptrFromAddr(d)) = *(*uint64)(src)
				w[i] = d
				d, left = d+8, left-8
			}
		default: // opSlice, opPtr, opPtrP
			// A nil slice or pointer gives NULL; a non-nil empty slice
			// a valid address, as C expects of a buffer of length 0.
			w[i] = 0
			src := *(*unsafe.Pointer)(a) // a slice's data or the pointer
			if src == nil {
				break
			}
			n := o.copyLen(a)
			if n > left {
				goto general
			}
			if smallCopy(n) {
				copySmall(ptrFromAddr(d), src, n)
			} else {
				big = true
			}
			w[i] = d
			n = round8(n)
			d, left = d+n, left-n
		}
	}
	for _, o := range c.rare {
		a := args[o.i]
		v := uintptr(0)
		switch o.op {
		case opNarrow:
			v = wordOf(a, o.k)
		case opStr:
			s := (*stringHeader)(a)
			if s.len >= left {
				goto general
			}
			memcopy(ptrFromAddr(d), s.data, s.len)
			*(*byte)(ptrFromAddr(d + s.len)) = 0
			n := round8(s.len + 1)
			v, d, left = d, d+n, left-n
		default: // opOff
			s := (*sliceHeader)(a)
			if inGoHeap(s.data) {
				putSmallBlock(base, c.debug)
				panic(fmt.Sprintf("ffi: call %s: parameter %d: an OffHeap slice points into the Go heap; make it with MakeOffHeap or OffHeapAt", c.sym, o.i+1))
			}
			v = uintptr(s.data)
		}
		w[o.i&15] = v
	}
	if big {
		for i := range c.ops {
			o := &c.ops[i]
			if o.op < opPtrP {
				continue
			}
			a := args[o.i]
			if src := *(*unsafe.Pointer)(a); src != nil {
				if n := o.copyLen(a); !smallCopy(n) {
					memcopy(ptrFromAddr(w[o.i&15]), src, n)
				}
			}
		}
	}
	{
		defer putSmallBlock(base, c.debug)
		rw := callWV(c.fn, w, c.n)
		big = false
		for _, o := range c.backs {
			a := args[o.i]
			dst := *(*unsafe.Pointer)(a)
			if dst == nil {
				continue
			}
			cp := ptrFromAddr(w[o.i&15])
			switch o.op {
			case opPtr8:
				*(*uint64)(dst) = *(*uint64)(cp)
			case opPtrP:
				// A typed store: the variable may be in the heap, and the
				// garbage collector must see its old value go.
				*(*unsafe.Pointer)(dst) = *(*unsafe.Pointer)(cp)
			default:
				if n := o.copyLen(a); smallCopy(n) {
					copySmall(dst, cp, n)
				} else {
					big = true
				}
			}
		}
		if big {
			for i := range c.backs {
				o := &c.backs[i]
				a := args[o.i]
				if dst := *(*unsafe.Pointer)(a); dst != nil && o.op >= opPtr {
					if n := o.copyLen(a); !smallCopy(n) {
						memcopy(dst, ptrFromAddr(w[o.i&15]), n)
					}
				}
			}
		}
		switch c.out {
		case kWord:
			*(*uintptr)(r) = rw
		case kInt32, kUint32:
			*(*uint32)(r) = uint32(rw)
		case kVoid:
		default:
			setWord(r, c.out, rw)
		}
		return
	}
general:
	// Nothing was written outside the block: start again on the general
	// path, which takes the copies from an arena.
	putSmallBlock(base, c.debug)
	c.g.call(r, args...)
}

// stringHeader is the layout of a Go string.
type stringHeader struct {
	data unsafe.Pointer
	len  uintptr
}
