// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/hffi-go/hffi"

	"github.com/ebitengine/purego"
)

// Where hffi has no entry points of its own (see entry_purego_*.go),
// purego.NewCallback is the way in. It can make at most 2000 C function pointers per
// process and never frees them. hffi makes one per shape, the first time
// the shape is used (at most len(shapes) in all), and tells callbacks
// apart by the handle in their user data, so the number of callbacks is
// unlimited.
var (
	pgMu  sync.Mutex
	pgFns [len(tshapes)]atomic.Uintptr
)

// pgFrames holds the frames of the purego trampolines. A frame is handed
// to the callback's Go function through a func value, so the compiler
// cannot keep it on the trampoline's stack; the pool saves a heap
// allocation per call. (On the cgo backend the frame is on the C stack.)
var pgFrames = sync.Pool{New: func() any { return new(cbFrame) }}

func trampoline(shape uint32) (uintptr, error) {
	if int(shape) >= len(tshapes) {
		return 0, fmt.Errorf("no trampoline %d: %w", shape, hffi.EINVAL)
	}
	if havePgEntry {
		return pgTrampAddr(shape), nil
	}
	if p := pgFns[shape].Load(); p != 0 {
		return p, nil
	}
	pgMu.Lock()
	defer pgMu.Unlock()
	if p := pgFns[shape].Load(); p != 0 {
		return p, nil
	}
	p, err := pgNewCallback(pgTrampolines[shape%uint32(len(shapes))](shape))
	if err != nil {
		return 0, err
	}
	pgFns[shape].Store(p)
	return p, nil
}

// pgNewCallback turns purego's panic (its 2000 callbacks used up by other
// code of the program) into an error.
func pgNewCallback(fn any) (p uintptr, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("purego: %v: %w", v, hffi.ENOMEM)
		}
	}()
	return purego.NewCallback(fn), nil
}

// puregoCallbacksMade counts the purego.NewCallback function pointers
// made so far (trampolines, the closure handler, the notifies).
func puregoCallbacksMade() int {
	n := 0
	for i := range pgFns {
		if pgFns[i].Load() != 0 {
			n++
		}
	}
	notifyMu.Lock()
	if closeNotifyP != 0 {
		n++
	}
	if relNotP != 0 {
		n++
	}
	notifyMu.Unlock()
	if clHandlerAddr != 0 {
		n++
	}
	return n
}
