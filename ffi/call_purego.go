// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import (
	"fmt"
	"unsafe"

	"github.com/hffi-go/hffi/internal/callconv"
)

// The fast path (integer and pointer parameters, up to 6) enters the
// same call frames as every other signature (internal/callconv), with one
// plan per parameter count made at init: runtime.cgocall into hffi's
// trampoline, the frame off-heap and cached per P, no Go heap
// allocation. purego.SyscallN, used before, copies its arguments into a
// heap-allocated record on every call (1 allocation on Go 1.26).

// fastWords is the parameter count of the fast path.
const fastWords = 6

// copyWords is the parameter count of the copy path (call_copy.go): none;
// the general path's frames serve those calls on purego.
const copyWords = 0

var wPlans = func() (p [maxWords + 1]*callconv.Plan) {
	w := callconv.Scalar(callconv.Uint64)
	var params [maxWords]*callconv.Type
	for i := range params {
		params[i] = w
	}
	for n := range p {
		pl, err := callconv.Prepare(callconv.Native, -1, w, params[:n]...)
		if err != nil {
			panic(fmt.Sprintf("ffi: no call plan for %d words: %v", n, err))
		}
		for i := range n {
			if !pl.IsWord(i) {
				panic("ffi: a word parameter that is not a word")
			}
		}
		p[n] = pl
	}
	return p
}()

// callW makes the call; the frame goes back on every return, a callback's
// runtime.Goexit through the C frames included (as in call_frame.go).
func callW(p *callconv.Plan, f *callconv.Frame, fn uintptr) (r uintptr) {
	defer callconv.PutFrame(f)
	p.Call(f, fn)
	p.Result(f, unsafe.Pointer(&r))
	return r
}

func callW0(fn uintptr) uintptr { p := wPlans[0]; return callW(p, p.GetFrame(), fn) }
func callW1(fn, a uintptr) uintptr {
	p := wPlans[1]
	f := p.GetFrame()
	p.Word(f, 0, uint64(a))
	return callW(p, f, fn)
}
func callW2(fn, a, b uintptr) uintptr {
	p := wPlans[2]
	f := p.GetFrame()
	p.Word(f, 0, uint64(a))
	p.Word(f, 1, uint64(b))
	return callW(p, f, fn)
}
func callW3(fn, a, b, c uintptr) uintptr {
	p := wPlans[3]
	f := p.GetFrame()
	p.Word(f, 0, uint64(a))
	p.Word(f, 1, uint64(b))
	p.Word(f, 2, uint64(c))
	return callW(p, f, fn)
}
func callW4(fn, a, b, c, d uintptr) uintptr {
	p := wPlans[4]
	f := p.GetFrame()
	p.Word(f, 0, uint64(a))
	p.Word(f, 1, uint64(b))
	p.Word(f, 2, uint64(c))
	p.Word(f, 3, uint64(d))
	return callW(p, f, fn)
}
func callW5(fn, a, b, c, d, e uintptr) uintptr {
	p := wPlans[5]
	f := p.GetFrame()
	p.Word(f, 0, uint64(a))
	p.Word(f, 1, uint64(b))
	p.Word(f, 2, uint64(c))
	p.Word(f, 3, uint64(d))
	p.Word(f, 4, uint64(e))
	return callW(p, f, fn)
}
func callW6(fn, a, b, c, d, e, g uintptr) uintptr {
	p := wPlans[6]
	f := p.GetFrame()
	p.Word(f, 0, uint64(a))
	p.Word(f, 1, uint64(b))
	p.Word(f, 2, uint64(c))
	p.Word(f, 3, uint64(d))
	p.Word(f, 4, uint64(e))
	p.Word(f, 5, uint64(g))
	return callW(p, f, fn)
}

// callW7 to callW15 exist for the generated code; the purego fast path
// stops at fastWords (past the registers a plan per arity saves nothing
// over the general path's), so they are not on a hot path.
func callWn(fn uintptr, w ...uintptr) uintptr {
	p := wPlans[len(w)]
	f := p.GetFrame()
	for i, x := range w {
		p.Word(f, i, uint64(x))
	}
	return callW(p, f, fn)
}
func callW7(fn, a, b, c, d, e, f, g uintptr) uintptr {
	return callWn(fn, a, b, c, d, e, f, g)
}
func callW8(fn, a, b, c, d, e, f, g, h uintptr) uintptr {
	return callWn(fn, a, b, c, d, e, f, g, h)
}
func callW9(fn, a, b, c, d, e, f, g, h, i uintptr) uintptr {
	return callWn(fn, a, b, c, d, e, f, g, h, i)
}
func callW10(fn, a, b, c, d, e, f, g, h, i, j uintptr) uintptr {
	return callWn(fn, a, b, c, d, e, f, g, h, i, j)
}
func callW11(fn, a, b, c, d, e, f, g, h, i, j, k uintptr) uintptr {
	return callWn(fn, a, b, c, d, e, f, g, h, i, j, k)
}
func callW12(fn, a, b, c, d, e, f, g, h, i, j, k, l uintptr) uintptr {
	return callWn(fn, a, b, c, d, e, f, g, h, i, j, k, l)
}
func callW13(fn, a, b, c, d, e, f, g, h, i, j, k, l, m uintptr) uintptr {
	return callWn(fn, a, b, c, d, e, f, g, h, i, j, k, l, m)
}
func callW14(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n uintptr) uintptr {
	return callWn(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n)
}
func callW15(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o uintptr) uintptr {
	return callWn(fn, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)
}

// callWV calls fn with the first n words of w through the fast path's
// helper of that arity (the copy path, which calls it, is cgo only).
func callWV(fn uintptr, w *words, n int) uintptr {
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
