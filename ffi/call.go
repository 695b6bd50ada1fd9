// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/hffi-go/hffi/arena"
)

// Register budget of the calls hffi makes: every argument travels in a
// register, on every supported target (amd64 SysV has 6 integer and 8
// vector argument registers, arm64 8 and 8). Nothing goes on the stack,
// which is what lets one C helper (cgo) or one purego signature (purego)
// call any supported C function.
const (
	maxIntArgs   = 6
	maxFloatArgs = 8
	maxArity     = 6
)

// A plan is what binding learned, once, about a C function and the Go
// function type that stands for it.
type plan struct {
	sym     Symbol
	fn      uintptr
	n       int               // number of parameters
	in      [maxArity]argKind // parameter kinds
	slot    [maxArity]uint8   // index of each parameter in frame.ints or frame.floats
	out     argKind           // result argKind
	nint    int               // integer registers used
	nfloat  int               // float registers used
	words   bool              // every parameter is a word and the result is not a float: fast path
	scratch bool              // a parameter is a string or []byte: needs the scratch arena
	call    regsCaller        // the general path, prepared by the backend
}

// newPlan checks a Go function type against what can cross the boundary.
// out is nil for a function without result.
func newPlan(sym Symbol, out reflect.Type, in ...reflect.Type) (*plan, error) {
	p, err := makePlan(sym, out, in)
	if err != nil {
		return nil, fmt.Errorf("ffi: bind %s: %w", sym, err)
	}
	return p, nil
}

func makePlan(sym Symbol, out reflect.Type, in []reflect.Type) (*plan, error) {
	if sym.err != nil {
		return nil, sym.err
	}
	if sym.addr == nil {
		return nil, invalidf("nil symbol")
	}
	if len(in) > maxArity {
		return nil, invalidf("%d parameters, at most %d are supported", len(in), maxArity)
	}
	p := &plan{sym: sym, fn: uintptr(sym.addr), n: len(in), words: true}
	for i, t := range in {
		k, err := classify(t, roleParam, fmt.Sprintf("parameter %d", i+1))
		if err != nil {
			return nil, err
		}
		p.in[i] = k
		if k.isFloat() {
			p.slot[i] = uint8(p.nfloat)
			p.nfloat++
			p.words = false
			continue
		}
		p.slot[i] = uint8(p.nint)
		p.nint++
		if k == kString || k == kBytes {
			p.scratch = true
			p.words = false
		}
	}
	if p.nint > maxIntArgs || p.nfloat > maxFloatArgs {
		return nil, invalidf("%d integer and %d float parameters, at most %d and %d are supported",
			p.nint, p.nfloat, maxIntArgs, maxFloatArgs)
	}
	k, err := classify(out, roleResult, "result")
	if err != nil {
		return nil, err
	}
	p.out = k
	if k.isFloat() {
		p.words = false
	}
	if !p.words {
		r, err := prepareRegs(p)
		if err != nil {
			return nil, err
		}
		p.call = r
	}
	return p, nil
}

// A regsCaller calls a C function with every argument in its register and
// returns the integer and float result registers. The registers are passed
// by value: a pointer given to a func value escapes, and would cost every
// call a heap allocation.
type regsCaller func(r regs) (uintptr, uint64)

// regs holds the argument registers of one general-path call.
type regs struct {
	ints   [maxIntArgs]uintptr
	floats [maxFloatArgs]uint64
}

// frame is one general-path call in progress.
type frame struct {
	regs
	sc *arena.Arena
}

// scratch holds the per-call copies of string and []byte arguments. Each
// call takes an arena from the pool and puts it back (reset) on return,
// so a copy lives exactly as long as the call.
var scratch = arena.NewPool()

// begin prepares f for a call of p.
func (p *plan) begin(f *frame) {
	if p.scratch {
		f.sc = scratch.Get()
	}
}

// end releases what begin took; it runs on every return, panics included.
func (p *plan) end(f *frame) {
	if f.sc != nil {
		scratch.Put(f.sc)
		f.sc = nil
	}
}

// arg stores parameter i, whose Go value is at v, in its register.
func (p *plan) arg(f *frame, i int, v unsafe.Pointer) {
	k := p.in[i]
	switch k {
	case kFloat64, kFloat32:
		f.floats[p.slot[i]] = floatBitsOf(v, k)
		return
	case kString:
		c, err := f.sc.CopyString(*(*string)(v))
		p.check(i, err)
		f.ints[p.slot[i]] = uintptr(c)
		return
	case kBytes:
		b := *(*[]byte)(v)
		if b == nil {
			f.ints[p.slot[i]] = 0
			return
		}
		c, err := f.sc.CopyBytes(b)
		p.check(i, err)
		f.ints[p.slot[i]] = uintptr(c)
		return
	}
	f.ints[p.slot[i]] = wordOf(v, k)
}

// check panics when a string or []byte argument cannot be copied: the
// scratch arena is full (an argument of about 1 GiB) or cannot be mapped.
// A bound function has no error result to report it in.
func (p *plan) check(i int, err error) {
	if err != nil {
		panic(fmt.Errorf("ffi: call %s: parameter %d: %w", p.sym, i+1, err))
	}
}

// invoke runs the general-path call and stores the result at r (nil for
// no result).
func (p *plan) invoke(f *frame, r unsafe.Pointer) {
	p.sym.live()
	w, fl := p.call(f.regs)
	if r == nil {
		return
	}
	if p.out.isFloat() {
		setFloat(r, p.out, fl)
		return
	}
	setWord(r, p.out, w)
}
