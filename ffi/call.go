// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"reflect"
	"runtime"

	"github.com/hffi-go/hffi/arena"
)

// maxWords is the most parameters of the fast path in any backend
// (fastWords in call_cgo.go and call_purego.go): integer and pointer words
// only, called through one C helper of that many uintptr_t parameters
// (cgo) or a call frame with a plan per parameter count made at init
// (purego). Everything else takes the general path (call_frame.go).
const maxWords = 15

// The callbacks' register budget: every argument of a C call into Go
// travels in a register (amd64 SysV has 6 integer and 8 vector argument
// registers, arm64 8 and 8).
const (
	maxIntArgs   = 6
	maxFloatArgs = 8
)

// A plan is what binding learned, once, about a C function and the Go
// function type that stands for it.
type plan struct {
	sym   Symbol
	fn    uintptr
	n     int               // number of parameters
	in    [maxWords]argKind // fast path: parameter kinds
	out   argKind           // fast path: result kind
	words bool              // the fast path applies: see fastPath
	full  bool              // fast path, and every parameter is 8 bytes (kWord, kPointer)
	c     *cplan            // the copy path (call_copy.go), when !words and it fits
	g     *gplan            // the general path, when !words
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
	p := &plan{sym: sym, fn: uintptr(sym.addr), n: len(in)}
	if p.fastPath(out, in) {
		return p, nil
	}
	g, err := newGPlan(sym, out, in)
	if err != nil {
		return nil, err
	}
	p.g = g
	if k, err := classify(out, roleResult, ""); err == nil {
		p.c = newCPlan(g, k, len(in))
	}
	return p, nil
}

// fastPath fills p.in and p.out and reports whether a call can go through
// callW*: at most fastWords integer-class words, a result that is not a
// float, a plain (not variadic) function, and no option that needs work
// around the call.
func (p *plan) fastPath(out reflect.Type, in []reflect.Type) bool {
	if len(in) > fastWords || !p.sym.opts.plain() {
		return false
	}
	for i, t := range in {
		k, err := classify(t, roleParam, "")
		if err != nil || !k.isWord() || !fastWordOK(i, k) {
			return false
		}
		p.in[i] = k
	}
	p.full = true
	for _, k := range p.in[:len(in)] {
		p.full = p.full && (k == kWord || k == kPointer)
	}
	k, err := classify(out, roleResult, "")
	if err != nil || k.isFloat() {
		return false
	}
	p.out = k
	p.words = true
	return true
}

// fastWordOK reports whether parameter i of kind k may travel as a
// uintptr_t of the C helpers. In a register or in an 8-byte stack slot
// (amd64 SysV, AAPCS64) the callee reads the low bits it defines. Apple
// arm64 packs stack arguments at their own size, so past its 8 argument
// registers only 8-byte parameters fit a uintptr_t; the rest take the
// general path, which lays them out as Apple does.
func fastWordOK(i int, k argKind) bool {
	if runtime.GOOS == "darwin" && runtime.GOARCH == "arm64" && i >= 8 {
		return k == kWord || k == kPointer
	}
	return true
}

// scratch holds the per-call copies of string, slice and pointer
// arguments. Each call takes an arena from the pool and puts it back
// (reset) on return, so a copy lives exactly as long as the call.
var scratch = arena.NewPool()
