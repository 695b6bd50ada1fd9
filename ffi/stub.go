// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"sync/atomic"
)

//go:generate go run genstubs.go

// Stubs: on the cgo backend the first stubsPerClass callbacks without
// user data of each result class (integer or pointer, float) whose
// parameters all travel in registers get a precompiled C stub instead of
// a libffi closure: a general trampoline compiled with its closure slot
// index, so a call costs what a trampoline call costs and needs no
// libffi. A stub is never reused: once its callback is closed, a late
// call gets the failure value for the rest of the process. The purego
// backend has none (each would take one of purego's 2000 callbacks).
const stubsPerClass = 128

// clReserved slot indexes 1..clReserved belong to the stubs.
const clReserved = 2 * stubsPerClass

var stubNext [2]atomic.Uint32

// takeStub returns the slot of a fresh stub for s, or 0 if s does not fit
// a stub or the stubs of its class are used up.
func takeStub(s *cbSig) (uint32, error) {
	if !haveStubs || s.mode != udNone || s.out == kStruct {
		return 0, nil
	}
	ni, nf := 0, 0
	for _, k := range s.cin[:s.cn] {
		switch {
		case k == kStruct:
			return 0, nil
		case k.isFloat():
			nf++
		default:
			ni++
		}
	}
	if ni > maxIntArgs || nf > maxFloatArgs {
		return 0, nil
	}
	cls := uint32(0)
	if s.out.isFloat() {
		cls = 1
	}
	if stubNext[cls].Load() >= stubsPerClass {
		return 0, nil
	}
	n := stubNext[cls].Add(1)
	if n > stubsPerClass {
		return 0, nil
	}
	i := cls*stubsPerClass + n
	code := stubAddr(i)
	if code == 0 {
		return 0, fmt.Errorf("%w: no stub %d", errInvalidLayout, i)
	}
	sig := stubSig(s)
	clMu.Lock()
	b := clBlocks[i>>clBlockBits].Load()
	if b == nil {
		b = new([1 << clBlockBits]clSlot)
		clBlocks[i>>clBlockBits].Store(b)
	}
	clMu.Unlock()
	sl := &b[i&(1<<clBlockBits-1)]
	sl.code, sl.sig, sl.mode, sl.stub = code, sig, udNone, true
	return i, nil
}

// stubSig returns the clSig of stub callbacks of s's C signature (no cif:
// stubs read registers, not libffi's argument array).
func stubSig(s *cbSig) *clSig {
	key := "stub|" + sigKey(s.cin[:s.cn], s.out)
	clSigsMu.Lock()
	defer clSigsMu.Unlock()
	if cs := clSigs[key]; cs != nil {
		return cs
	}
	cs := &clSig{id: uint32(len(clByID)), void: s.out == kVoid}
	cs.sh = shape{general: true, n: maxIntArgs, res: resInt}
	switch {
	case s.out.isFloat():
		cs.sh.res = resFloat
	case s.out == kPointer:
		cs.sh.res = resPtr
	}
	clSigs[key] = cs
	clByID = append(clByID, cs)
	return cs
}
