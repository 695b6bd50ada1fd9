// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/callconv"
)

// The general path: every signature that neither the fast path nor (on
// cgo) the copy path of call_copy.go takes (more than fastWords integer
// parameters, floats, structs by value, strings, slices and pointers
// copied in and back on purego, variadic functions, errno, owned results)
// is classified once by internal/callconv into a call frame plan, the
// same in both backends. A call converts the Go arguments into a frame,
// enters the trampoline and converts the result back, with no Go heap
// allocation.

// gkind is how one parameter of the general path reaches C.
type gkind uint8

const (
	gValue   gkind = iota // scalar or struct: the Go value's bytes are C's
	gString               // a NUL-terminated copy in scratch memory
	gSlice                // []T: copied into scratch memory and back
	gPtr                  // *T: copied into scratch memory and back
	gOffHeap              // OffHeap[T]: passed as it is
)

type gparam struct {
	kind gkind
	wk   argKind // gValue: a scalar that Plan.Word takes (kInvalid: use Plan.Arg)
	size uintptr // gSlice: element size; gPtr: pointee size
	al   uintptr // alignment of the copy (at least 8)
	ptr  bool    // gPtr: the pointee is an unsafe.Pointer, copied back with a typed store
	in   bool    // gSlice: an In[T], not copied back
}

// gres is how the result comes back.
type gres uint8

const (
	rNone   gres = iota
	rValue       // scalar or struct, stored by callconv
	rString      // char *, copied (and freed with FreeResult)
	rError       // int32_t HFFI code
	rBool        // _Bool: its byte, stored as Go's false or true
)

type gplan struct {
	sym      Symbol
	fn       uintptr
	cp       *callconv.Plan
	params   []gparam
	res      gres
	free     *Symbol
	errno    bool
	errnoOff uintptr // offset of WithErrno.Errno in the result
	errnoFn  uintptr // __errno_location / __error
	scratch  bool    // a parameter needs scratch memory
	nout     int     // parameters copied back
	words    []gword // one per parameter if every parameter is a scalar word, else nil
}

// gword is where a scalar parameter goes in the frame and how it is
// widened: the common all-scalar call (many integers, floats) stores its
// words with no per-parameter dispatch on gkind.
type gword struct {
	off uintptr // Plan.WordOffset
	k   argKind // isWord or isFloat
}

func newGPlan(sym Symbol, out reflect.Type, in []reflect.Type) (*gplan, error) {
	g := &gplan{sym: sym, fn: uintptr(sym.addr), free: sym.opts.free}
	if generic(out, "WithErrno") {
		fn, err := errnoLocation()
		if err != nil {
			return nil, err
		}
		g.errno, g.errnoFn, g.errnoOff = true, fn, out.Field(1).Offset
		out = out.Field(0).Type
		if out.Kind() == reflect.Struct && out.Size() == 0 {
			out = nil
		}
	}
	if err := sym.opts.check(len(in), out != nil && out.Kind() == reflect.String); err != nil {
		return nil, err
	}
	rt, err := g.result(out)
	if err != nil {
		return nil, err
	}
	pts := make([]*callconv.Type, len(in))
	g.params = make([]gparam, len(in))
	for i, t := range in {
		pt, err := g.param(i, t)
		if err != nil {
			return nil, err
		}
		pts[i] = pt
	}
	cp, err := callconv.Prepare(callconv.Native, sym.opts.fixedCount(), rt, pts...)
	if err != nil {
		return nil, invalidf("%s", strings.TrimPrefix(err.Error(), "callconv: "))
	}
	g.cp = cp
	words := make([]gword, len(g.params))
	allWords := true
	for i := range g.params {
		if !cp.IsWord(i) {
			g.params[i].wk = kInvalid
		}
		if p := &g.params[i]; p.kind == gValue && p.wk != kInvalid {
			words[i] = gword{off: cp.WordOffset(i), k: p.wk}
		} else {
			allWords = false
		}
	}
	if allWords {
		g.words = words
	}
	return g, nil
}

func (g *gplan) result(t reflect.Type) (*callconv.Type, error) {
	switch {
	case t == nil:
		g.res = rNone
		return nil, nil
	case t == errorType:
		g.res = rError
		return callconv.Scalar(callconv.Int32), nil
	case t.Kind() == reflect.String:
		g.res = rString
		return callconv.Scalar(callconv.Pointer), nil
	case t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice:
		return nil, invalidf("result has type %s: a C pointer must not become a Go pointer or slice; use unsafe.Pointer and read the memory with ffi.GoBytes, ffi.GoString or ffi.OffHeapAt", t)
	}
	ct, err := callconv.TypeOf(t)
	if err != nil {
		return nil, invalidf("result has type %s: %s", t, strings.TrimPrefix(err.Error(), "callconv: "))
	}
	g.res = rValue
	if t.Kind() == reflect.Bool {
		// Any byte but 0 is true, as the other paths read it: a byte
		// other than 0 or 1 in a Go bool is neither true nor false to
		// compiled code (a C int declared bool returns 2).
		g.res = rBool
	}
	return ct, nil
}

func (g *gplan) param(i int, t reflect.Type) (*callconv.Type, error) {
	what := fmt.Sprintf("parameter %d has type %s", i+1, t)
	p := &g.params[i]
	ptr := callconv.Scalar(callconv.Pointer)
	switch t.Kind() {
	case reflect.String:
		p.kind, p.al, g.scratch = gString, 8, true
		return ptr, nil
	case reflect.Slice:
		e := t.Elem()
		if generic(t, "OffHeap") {
			p.kind = gOffHeap
			return ptr, nil
		}
		p.in = generic(t, "In")
		if hasPointers(e) {
			return nil, invalidf("%s: only slices of pointer-free elements are copied for C (the copy would hold Go pointers); put the data in an arena and pass an ffi.OffHeap or unsafe.Pointer", what)
		}
		if err := layoutCheck(e); err != nil {
			return nil, invalidf("%s: %v", what, err)
		}
		p.kind, p.size, p.al = gSlice, e.Size(), max(uintptr(e.Align()), 8)
		g.scratch = true
		if !p.in {
			g.nout++
		}
		return ptr, nil
	case reflect.Pointer:
		e := t.Elem()
		if hasPointers(e) && e.Kind() != reflect.UnsafePointer {
			return nil, invalidf("%s: the pointee holds Go pointers, which must not be given to C; pass a handles.Handle, or C memory as unsafe.Pointer", what)
		}
		if e.Size() == 0 {
			return nil, invalidf("%s: a pointer to a zero-size type has no C equivalent", what)
		}
		if err := layoutCheck(e); err != nil {
			return nil, invalidf("%s: %v", what, err)
		}
		p.kind, p.size, p.al = gPtr, e.Size(), max(uintptr(e.Align()), 8)
		p.ptr = e.Kind() == reflect.UnsafePointer
		g.scratch = true
		g.nout++
		return ptr, nil
	case reflect.Map, reflect.Chan, reflect.Interface:
		return nil, invalidf("%s: it holds Go pointers, which must not be given to C; pass a handles.Handle instead", what)
	case reflect.Func:
		return nil, invalidf("%s: a Go func cannot be called by C; make a Callback and pass its Fn()", what)
	}
	ct, err := callconv.TypeOf(t)
	if err != nil {
		return nil, invalidf("%s: %s", what, strings.TrimPrefix(err.Error(), "callconv: "))
	}
	p.kind = gValue
	if k, err := classify(t, roleParam, ""); err == nil && (k.isWord() || k.isFloat()) {
		p.wk = k // newGPlan drops it if the plan says the parameter is not a word
	}
	return ct, nil
}

// layoutCheck checks that a struct that C reads through a pointer (the
// element of a slice, the target of a pointer) is laid out as C lays it
// out, arrays of structs included.
func layoutCheck(t reflect.Type) error {
	for t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	if _, err := callconv.TypeOf(t); err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "callconv: "))
	}
	return nil
}

// call calls the function with the Go arguments at args (one pointer per
// parameter) and stores the result at r. The bound functions of every
// arity call it; args stays on their stack.
func (g *gplan) call(r unsafe.Pointer, args ...unsafe.Pointer) {
	g.sym.live()
	// Every copy comes from one block of scratch memory, laid out in
	// parameter order: one allocation per call, and copyBack finds each
	// copy again by walking the same layout. Up to smallBlock bytes come
	// from a per-P cache of blocks (smallblock.go), more from a pooled
	// arena.
	var sc *arena.Arena
	var base unsafe.Pointer
	if g.scratch {
		var total uintptr
		for i, a := range args {
			if p := &g.params[i]; p.kind >= gString && p.kind <= gPtr {
				total = alignUp(total, p.al) + p.need(a)
			}
		}
		if total <= smallBlock {
			base = getSmallBlock()
		} else {
			sc = scratch.Get()
			base = g.alloc(sc, total)
		}
	}
	f := g.cp.GetFrame()
	defer g.release(f, sc, base)
	if ws := g.words; ws != nil {
		ws = ws[:len(args)]
		for i, a := range args {
			w := &ws[i]
			var v uint64
			if w.k.isFloat() {
				v = floatBitsOf(a, w.k)
			} else {
				v = uint64(wordOf(a, w.k))
			}
			*(*uint64)(unsafe.Add(unsafe.Pointer(f), w.off)) = v
		}
	} else {
		g.fill(f, base, args)
	}
	var ep *int32
	if g.errno {
		runtime.LockOSThread()
		ep = (*int32)(ptrFromAddr(callW0(g.errnoFn)))
		*ep = 0
	}
	g.cp.Call(f, g.fn)
	if g.errno {
		e := *ep
		runtime.UnlockOSThread()
		*(*syscall.Errno)(unsafe.Add(r, g.errnoOff)) = syscall.Errno(e)
	}
	if g.nout > 0 {
		g.copyBack(args, base)
	}
	switch g.res {
	case rValue:
		g.cp.Result(f, r)
	case rString:
		var w uintptr
		g.cp.Result(f, unsafe.Pointer(&w))
		*(*string)(r) = goString(w)
		if g.free != nil && w != 0 {
			g.free.live()
			callW1(uintptr(g.free.addr), w)
		}
	case rError:
		var w uint32
		g.cp.Result(f, unsafe.Pointer(&w))
		setWord(r, kError, uintptr(w))
	case rBool:
		var w uint8
		g.cp.Result(f, unsafe.Pointer(&w))
		*(*bool)(r) = w != 0
	}
}

// fill stores the arguments of a call that is not all scalar words in f,
// copying strings, slices and pointees into scratch memory at base.
func (g *gplan) fill(f *callconv.Frame, base unsafe.Pointer, args []unsafe.Pointer) {
	var off uintptr
	for i, a := range args {
		p := &g.params[i]
		var w uintptr
		switch p.kind {
		case gValue:
			switch {
			case p.wk.isWord():
				g.cp.Word(f, i, uint64(wordOf(a, p.wk)))
			case p.wk.isFloat():
				g.cp.Word(f, i, floatBitsOf(a, p.wk))
			default:
				g.cp.Arg(f, i, a)
			}
			continue
		case gString:
			str := *(*string)(a)
			off = alignUp(off, p.al)
			c := unsafe.Add(base, off)
			copy(unsafe.Slice((*byte)(c), len(str)), str)
			*(*byte)(unsafe.Add(c, len(str))) = 0
			off += uintptr(len(str)) + 1
			w = uintptr(c)
		case gSlice, gPtr:
			off = alignUp(off, p.al)
			if src := p.data(a); src != nil {
				if p.ptr {
					checkPointee(&g.sym, i, *(*unsafe.Pointer)(src))
				}
				n := p.need(a)
				c := unsafe.Add(base, off)
				copy(unsafe.Slice((*byte)(c), n), unsafe.Slice((*byte)(src), n))
				off += n
				w = uintptr(c)
			}
		case gOffHeap:
			s := (*sliceHeader)(a)
			if inGoHeap(s.data) {
				panic(fmt.Sprintf("ffi: call %s: parameter %d: an OffHeap slice points into the Go heap; make it with MakeOffHeap or OffHeapAt", g.sym, i+1))
			}
			w = uintptr(s.data)
		}
		g.cp.Word(f, i, uint64(w))
	}
}

// data returns the Go memory a gSlice or gPtr argument at a points to,
// nil for a nil slice or pointer.
func (p *gparam) data(a unsafe.Pointer) unsafe.Pointer {
	if p.kind == gSlice {
		return (*sliceHeader)(a).data
	}
	return *(*unsafe.Pointer)(a)
}

// need returns the bytes of scratch memory the argument at a takes.
func (p *gparam) need(a unsafe.Pointer) uintptr {
	switch p.kind {
	case gString:
		return uintptr(len(*(*string)(a))) + 1
	case gSlice:
		if s := (*sliceHeader)(a); s.data != nil {
			return uintptr(s.len) * p.size
		}
	case gPtr:
		if *(*unsafe.Pointer)(a) != nil {
			return p.size
		}
	}
	return 0
}

func alignUp(n, a uintptr) uintptr { return (n + a - 1) &^ (a - 1) }

// release gives back what a call took; it runs on every return, panics
// included.
func (g *gplan) release(f *callconv.Frame, sc *arena.Arena, base unsafe.Pointer) {
	callconv.PutFrame(f)
	if sc != nil {
		scratch.Put(sc)
	} else if base != nil {
		putSmallBlock(base, hffi.Debug())
	}
}

// copyBack copies what C left in the scratch copies of slices and
// pointers into the Go values, walking the layout call made.
func (g *gplan) copyBack(args []unsafe.Pointer, base unsafe.Pointer) {
	var off uintptr
	for i, a := range args {
		p := &g.params[i]
		if p.kind < gString || p.kind > gPtr {
			continue
		}
		off = alignUp(off, p.al)
		n := p.need(a)
		dst := p.data(a)
		c := unsafe.Add(base, off)
		off += n
		switch {
		case p.kind == gString || dst == nil || p.in:
		case p.ptr:
			// A typed store: the variable may be in the heap, and the
			// garbage collector must see its old value go.
			*(*unsafe.Pointer)(dst) = *(*unsafe.Pointer)(c)
		default:
			copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(c), n))
		}
	}
}

// alloc takes n bytes of scratch memory for the copies of one call. On
// failure it puts sc back itself: the deferred release is not set up yet.
func (g *gplan) alloc(sc *arena.Arena, n uintptr) unsafe.Pointer {
	c, err := sc.AllocUninit(n, 16)
	if err != nil {
		scratch.Put(sc)
		// A bound function has no error result to report it in: the
		// arguments are about 1 GiB, or memory cannot be mapped.
		panic(fmt.Errorf("ffi: call %s: copying %d bytes of arguments: %w", g.sym, n, err))
	}
	return c
}

// sliceHeader is the layout of a Go slice.
type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}
