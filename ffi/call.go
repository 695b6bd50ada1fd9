// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"reflect"

	"github.com/hffi-go/hffi/arena"
)

// maxArity is the number of parameters of the fast path: integer and
// pointer words only, each in its own register on every supported target
// (amd64 SysV has 6 integer argument registers), called through one C
// helper (cgo) or a call frame with a plan made at init (purego).
// Everything else takes the general path (call_frame.go).
const maxArity = 6

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
	in    [maxArity]argKind // fast path: parameter kinds
	out   argKind           // fast path: result kind
	words bool              // the fast path applies: see fastPath
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
	return p, nil
}

// fastPath fills p.in and p.out and reports whether a call can go through
// callW*: at most 6 integer-class words, a result that is not a float, a
// plain (not variadic) function, and no option that needs work around the
// call.
func (p *plan) fastPath(out reflect.Type, in []reflect.Type) bool {
	if len(in) > maxArity || !p.sym.opts.plain() {
		return false
	}
	for i, t := range in {
		k, err := classify(t, roleParam, "")
		if err != nil || !k.isWord() {
			return false
		}
		p.in[i] = k
	}
	k, err := classify(out, roleResult, "")
	if err != nil || k.isFloat() {
		return false
	}
	p.out = k
	p.words = true
	return true
}

// scratch holds the per-call copies of string, slice and pointer
// arguments. Each call takes an arena from the pool and puts it back
// (reset) on return, so a copy lives exactly as long as the call.
var scratch = arena.NewPool()
