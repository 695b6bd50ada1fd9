// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/hffi-go/hffi/handles"
)

// An Object is Go's reference to a C object (a pointer and its
// destructor) registered in a handle table: Go holds the handle, never the
// raw pointer, so an object that C destroyed is a stale-handle error in
// Go instead of a use after free. It replaces the "Close, finalizer and
// KeepAlive" pattern around raw C pointers.
//
// [Object.Close] runs the destructor exactly once, whoever else races to
// destroy the object (another Close, a C thread calling
// hffi_cobj_destroy); if the program forgets Close, a runtime.AddCleanup
// safety net destroys the object after the Object becomes unreachable.
// Its methods are safe for concurrent use.
type Object struct {
	h       handles.Handle
	mu      sync.RWMutex // Use holds it shared, Close exclusively
	closed  bool
	cleanup runtime.Cleanup
}

// NewObject registers the C object at ptr (not nil), destroyed by the C
// function dtor (`void dtor(void *)`; 0 for none), in the default handle
// table and returns its wrapper. The object belongs to the Object from now
// on: C code that receives [Object.Handle] may use it (hffi_cobj_get) and
// may destroy it (hffi_cobj_destroy), but must not free ptr itself.
func NewObject(ptr unsafe.Pointer, dtor uintptr) (*Object, error) {
	h, err := handles.RegisterCObject(nil, uintptr(ptr), dtor)
	if err != nil {
		return nil, fmt.Errorf("ffi: new object: %w", err)
	}
	return wrapObject(h), nil
}

// AdoptObject wraps h, a handle of a C object that C registered with
// hffi_cobj_register, and takes over the duty to destroy it. It fails if h
// is not a live C object (hffi.ETYPE for a Go value's handle, hffi.EDELETED,
// hffi.ESTALE, ... otherwise). Adopt each handle once: two Objects of one
// handle would both try to destroy it (only one would succeed).
func AdoptObject(h handles.Handle) (*Object, error) {
	if _, _, err := handles.CObject(h); err != nil {
		return nil, fmt.Errorf("ffi: adopt object: %w", err)
	}
	return wrapObject(h), nil
}

func wrapObject(h handles.Handle) *Object {
	o := &Object{h: h}
	o.cleanup = runtime.AddCleanup(o, destroyObject, h)
	return o
}

// destroyObject is the safety net: it runs when an Object that was not
// closed becomes unreachable. If C destroyed the object first it does
// nothing.
func destroyObject(h handles.Handle) {
	_ = takeObject(h)
}

// takeObject frees the handle and runs the destructor, exactly once per
// object across Go and C.
func takeObject(h handles.Handle) error {
	ptr, dtor, err := handles.TakeCObject(h)
	if err != nil {
		return err
	}
	if dtor != 0 {
		callW1(dtor, ptr)
	}
	return nil
}

// Handle returns the object's handle, for C (hffi_cobj_get resolves it,
// hffi_cobj_destroy destroys the object). It stays an integer C can check
// after the object is gone.
func (o *Object) Handle() handles.Handle { return o.h }

// Use calls f with the C object's address and returns nil, or returns the
// handle's error without calling f if the object was destroyed
// ([hffi.EDELETED], or [hffi.ESTALE] once the slot was reused). The address is
// valid while f runs: a concurrent [Object.Close] waits for f to return,
// and the Object cannot be collected meanwhile. f must not keep the
// address. C code destroying the object while f runs is a bug of that C
// code; prefer passing [Object.Handle] to C, which checks it.
func (o *Object) Use(f func(p unsafe.Pointer)) error {
	o.mu.RLock()
	defer o.mu.RUnlock()
	ptr, _, err := handles.CObject(o.h)
	if err != nil {
		return fmt.Errorf("ffi: object: %w", err)
	}
	f(ptrFromAddr(ptr))
	return nil
}

// Close destroys the C object: it frees the handle and runs the
// destructor, once. If C destroyed the object first, Close returns the
// stale-handle error ([hffi.EDELETED] or [hffi.ESTALE]) and runs nothing. Close
// is idempotent: later calls return nil. It waits for running calls of
// [Object.Use].
func (o *Object) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.closed = true
	o.cleanup.Stop()
	if err := takeObject(o.h); err != nil {
		return fmt.Errorf("ffi: close object: %w", err)
	}
	return nil
}
