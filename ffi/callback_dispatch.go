// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"errors"
	"runtime/debug"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// dispatch runs on every call from C: it finds the callback named by the
// user data and runs it. It never panics and never lets a panic out, so
// nothing unwinds through the C frames below it. The fast path reads the
// callback index (see cbIndex) inline.
func dispatch(f *cbFrame) {
	sh := &shapes[f.shape]
	h := handles.Handle(f.ints[sh.ud])
	if i := abi.HandleIndex(uint64(h)); i < cbLimit {
		if b := cbIndex[i>>cbBlockBits].Load(); b != nil {
			if c := b[i&(1<<cbBlockBits-1)].Load(); c != nil && c.h == h && c.shape == f.shape && !c.closed.Load() {
				defer c.recoverPanic(f, sh)
				c.invoke(f)
				return
			}
		}
	}
	dispatchSlow(f, sh, h)
}

func dispatchSlow(f *cbFrame, sh *shape, h handles.Handle) {
	c, err := cbLookupSlow(h)
	switch {
	case err != nil:
	case c.closed.Load():
		// The table still has the callback when C retained its handle
		// (hffi_handle_retain keeps the slot until C releases it), but a
		// closed callback never runs: the fast path above refuses it for
		// the same reason.
		err = ErrDeleted
	case c.shape != f.shape:
		err = ErrType
	}
	if err != nil {
		fail(f, sh, &CallbackError{UserData: uintptr(h), Err: codeOf(err)}, nil)
		return
	}
	c.run(f, sh)
}

func (c *Callback) run(f *cbFrame, sh *shape) {
	defer c.recoverPanic(f, sh)
	c.invoke(f)
}

// recoverPanic is deferred by run; it must be the deferred function itself
// for recover to see the panic.
func (c *Callback) recoverPanic(f *cbFrame, sh *shape) {
	if v := recover(); v != nil {
		fail(f, sh, &CallbackError{UserData: uintptr(c.h), Err: ErrPanic, Panic: v, Stack: debug.Stack()}, c)
	}
}

// codeOf returns the HFFI code inside err, or ErrTable if there is none
// (any handle error means "not one of our callbacks").
func codeOf(err error) error {
	var e abi.Errno
	if errors.As(err, &e) {
		return e
	}
	return ErrTable
}

// fail gives C the error value of the shape and reports e to Go.
func fail(f *cbFrame, sh *shape, e *CallbackError, c *Callback) {
	switch sh.res {
	case resInt:
		code := abi.ECALLBACK
		var errno abi.Errno
		if errors.As(e.Err, &errno) {
			code = errno
		}
		f.ret = uint64(int64(code))
	case resPtr:
		f.ret = 0
	case resFloat:
		f.ret = nanBits
	}
	if c != nil {
		c.last.Store(e)
	}
	failures.Add(1)
	if h := hook.Load(); h != nil {
		callHook(*h, e)
	}
}

func callHook(h func(*CallbackError), e *CallbackError) {
	defer func() { _ = recover() }()
	h(e)
}
