// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"runtime/debug"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// dispatch runs on every call from C: it finds the callback named by the
// user data and runs it. It never panics and never lets a panic out, so
// nothing unwinds through the C frames below it. The fast path reads the
// callback index (see cbIndex) inline.
func dispatch(f *cbFrame) {
	sh := &tshapes[f.shape]
	dispatchTo(f, sh, handles.Handle(f.ints[sh.ud]))
}

// dispatchTo runs the callback of handle h, which must have shape
// f.shape (sh).
func dispatchTo(f *cbFrame, sh *shape, h handles.Handle) {
	if i := abi.HandleIndex(uint64(h)); i < cbLimit {
		if b := cbIndex[i>>cbBlockBits].Load(); b != nil {
			if c := b[i&(1<<cbBlockBits-1)].Load(); c != nil && c.h == h && c.shape == f.shape && !c.closed.Load() {
				var call cbCall
				defer c.finish(f, sh, &call)
				c.invoke(f)
				call.returned = true
				return
			}
		}
	}
	dispatchSlow(f, sh, h)
}

func dispatchSlow(f *cbFrame, sh *shape, h handles.Handle) {
	var fv *failValue
	if f.shape >= clShapeBase {
		// A closure's own failure value, even when its callback is gone.
		if sl := clSlotAt(f.aux); sl != nil && sl.mode == udNone {
			fv = sl.fail.Load()
		}
	}
	code := hffi.OK
	var c *Callback
	if t := cbTombstone(h); t != nil {
		// Closed: the index keeps what C must get until the slot is
		// reused, and the table need not be asked.
		code = hffi.EDELETED
		if fv == nil && t.shape == f.shape {
			// Its FailureValue is a value of its own result type: through
			// a trampoline of another shape C gets that shape's default,
			// as it does when a retained handle keeps the callback.
			fv = &t.fail
		}
	} else if t := cbTable.Load(); t != nil && h != 0 && uint64(h)&abi.RefTag == 0 && abi.HandleTable(uint64(h)) != t.Table().ID() {
		// Not a handle of the callback table (a C pointer, most often):
		// the table would say so too, at the price of formatting why.
		code = hffi.ETYPE
	} else {
		var err error
		c, err = cbLookupSlow(h)
		switch {
		case err != nil:
			code = codeOf(err)
		case c.closed.Load():
			// The table still has the callback when C retained its handle
			// (hffi_handle_retain keeps the slot until C releases it), but a
			// closed callback never runs: the fast path above refuses it for
			// the same reason.
			code = hffi.EDELETED
		case c.shape != f.shape:
			code = hffi.ETYPE
		}
	}
	if code != hffi.OK {
		failFast(f, sh, uintptr(h), code, fv)
		return
	}
	c.run(f, sh)
}

func (c *Callback) run(f *cbFrame, sh *shape) {
	var call cbCall
	defer c.finish(f, sh, &call)
	c.invoke(f)
	call.returned = true
}

// cbCall is how one call of a Go function ended.
type cbCall struct {
	returned bool // it returned normally
	goexit   bool // it called runtime.Goexit
}

// finish is deferred around the Go function; it must be the deferred
// function itself for recover to see a panic. If the function did not
// return, it panicked, or it called runtime.Goexit (recover gives nil
// then): either way C gets the error value and Go a CallbackError. A
// panic stops here. Goexit cannot be stopped: the goroutine goes on
// exiting, through the C frames below when C was called from Go, and on a
// thread C created the runtime aborts the process; that is what
// [CatchGoexit] is for.
func (c *Callback) finish(f *cbFrame, sh *shape, call *cbCall) {
	if call.returned {
		return
	}
	v := recover()
	if v == nil {
		v, call.goexit = ErrGoexit, true
	}
	e := &CallbackError{UserData: uintptr(c.h), Code: hffi.EPANIC, Panic: v, Stack: debug.Stack()}
	fail(f, sh, e, c)
	if call.goexit && !c.catchesGoexit {
		// Nothing can stop the Goexit now; say plainly what happens next
		// before the runtime's own, terser message.
		fmt.Fprintf(os.Stderr, "ffi: callback %#x called runtime.Goexit (t.FailNow or testify's require?): "+
			"Go cannot return to its C caller, so the C frames are skipped, or on a thread C created the "+
			"process aborts; make the callback with ffi.CatchGoexit() or do not exit the goroutine\n%s",
			uintptr(c.h), e.Stack)
	}
}

// cbGoexitSignal is what the coroutine of a CatchGoexit callback panics
// with once its Go function called runtime.Goexit (see catchGoexit).
type cbGoexitSignal struct{}

// catchGoexit wraps invoke to run it on a coroutine of its own (iter.Pull
// makes one: a goroutine that runs on the calling thread while the caller
// waits), so that runtime.Goexit ends the coroutine and not the goroutine
// that has to return to C. iter.Pull would repeat the Goexit on the
// caller's side; a panic raised while the coroutine exits makes it
// repeat that panic instead, which the caller recovers. (A panic recovered
// during Goexit does not stop the Goexit: the coroutine still ends.)
func (c *Callback) catchGoexit(invoke func(f *cbFrame)) func(f *cbFrame) {
	return func(f *cbFrame) {
		next, _ := iter.Pull(func(func(struct{}) bool) {
			var call cbCall
			defer func() {
				if call.goexit {
					panic(cbGoexitSignal{})
				}
			}()
			defer c.finish(f, c.sh, &call)
			invoke(f)
			call.returned = true
		})
		defer func() {
			if v := recover(); v != nil && v != (cbGoexitSignal{}) {
				panic(v)
			}
		}()
		next()
	}
}

// codeOf returns the code inside err, or ETABLE if there is none (any
// handle error means "not one of our callbacks").
func codeOf(err error) hffi.Code {
	var c hffi.Code
	if errors.As(err, &c) && c != hffi.OK {
		return c
	}
	return hffi.ETABLE
}

// fail gives C the error value of the shape and reports e to Go.
func fail(f *cbFrame, sh *shape, e *CallbackError, c *Callback) {
	var fv *failValue
	if c != nil {
		fv = &c.fail
		c.last.Store(e)
	}
	setFailure(f, sh, e.Code, fv)
	failures.Add(1)
	if h := hook.Load(); h != nil {
		callHook(*h, e)
	}
}

// failFast refuses a call whose user data is not a live callback of its
// shape. It allocates nothing unless a hook wants the error: a rejected
// call costs about what a successful one does.
func failFast(f *cbFrame, sh *shape, ud uintptr, code hffi.Code, fv *failValue) {
	setFailure(f, sh, code, fv)
	failures.Add(1)
	if h := hook.Load(); h != nil {
		callHook(*h, &CallbackError{UserData: ud, Code: code})
	}
}

// setFailure gives C the failure value: the user's (FailureValue), else
// code for an integer result, NULL, or NaN.
func setFailure(f *cbFrame, sh *shape, code hffi.Code, fv *failValue) {
	if fv != nil && fv.set {
		f.ret = fv.bits
		return
	}
	switch sh.res {
	case resInt:
		f.ret = uint64(int64(code))
	case resPtr:
		f.ret = 0
	case resFloat:
		f.ret = nanBits
	}
}

func callHook(h func(*CallbackError), e *CallbackError) {
	defer func() { _ = recover() }()
	h(e)
}
