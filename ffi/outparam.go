// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"reflect"
	"strings"
	"syscall"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
)

// OffHeap is a slice of memory that Go does not own (an arena, C memory).
// As a parameter it is passed to C as it is, with no copy: the way to give
// C large or hot buffers, or buffers C fills over several calls. A plain
// []T parameter is copied into scratch memory and back on every call.
// Make one with [MakeOffHeap] or [OffHeapAt]; a call given an OffHeap
// that points into the Go heap panics instead of handing C a Go pointer.
// The memory lives as long as its arena or C allocation, not longer: it is
// the caller's to keep alive and to free.
type OffHeap[T any] []T

// MakeOffHeap allocates n zeroed elements of T in a (T must hold no Go
// pointers). The slice is valid until a is reset or freed.
func MakeOffHeap[T any](a *arena.Arena, n int) (OffHeap[T], error) {
	t := reflect.TypeFor[T]()
	if hasPointers(t) {
		return nil, invalidf("ffi: MakeOffHeap[%s]: the element type holds Go pointers, which must not be in C memory", t)
	}
	if n < 0 {
		return nil, invalidf("ffi: MakeOffHeap: negative length %d", n)
	}
	p, err := a.Alloc(uintptr(n)*t.Size(), max(uintptr(t.Align()), 8))
	if err != nil {
		return nil, err
	}
	return OffHeap[T](unsafe.Slice((*T)(p), n)), nil
}

// OffHeapAt makes an OffHeap of n elements of T at p, memory Go does not
// own (C memory, an arena).
func OffHeapAt[T any](p unsafe.Pointer, n int) OffHeap[T] {
	return OffHeap[T](unsafe.Slice((*T)(p), n))
}

// In is a slice that C only reads (a const buffer, such as compress2's
// source): as a parameter it is copied into scratch memory like a plain
// []T, but not copied back when the call returns, which saves a copy of
// its length. A []T is assignable to it, so call sites pass their slices
// as they are:
//
//	var compress2 func(dst []byte, n *uint64, src ffi.In[byte], srcLen uint64, level int32) int32
//	compress2(dst, &n, src, uint64(len(src)), 6)
//
// What C writes into it is lost, as with a string.
type In[T any] []T

// WithErrno, as the result type of a bound function, asks for C's errno
// as the call left it: errno is set to 0 before the call and read after
// it, on the thread that made the call (the goroutine is locked to it for
// that long). Value is the C function's result; bind a void C function
// with WithErrno[struct{}].
//
//	var open func(string, int32) ffi.WithErrno[int32]
//	r := open("/nonexistent", 0) // r.Value == -1, r.Errno == syscall.ENOENT
type WithErrno[R any] struct {
	Value R
	Errno syscall.Errno
}

var ffiPkg = reflect.TypeFor[Symbol]().PkgPath()

// generic reports whether t is the instance of the generic type name of
// this package.
func generic(t reflect.Type, name string) bool {
	return t != nil && t.PkgPath() == ffiPkg && strings.HasPrefix(t.Name(), name+"[")
}

// hasPointers reports whether a value of type t holds a Go pointer, or
// something the garbage collector treats as one.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func,
		reflect.Interface, reflect.Slice, reflect.String:
		return true
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// runtime.findObject returns the start of the heap object that holds p,
// or 0 if p is not in the Go heap (C memory, arenas, stacks, globals).
// The runtime keeps this name for outside packages ("hall of shame").
//
//go:linkname findObject runtime.findObject
func findObject(p, refBase, refOff uintptr) (base uintptr, s unsafe.Pointer, objIndex uintptr)

// checkPointee panics if v, the value of the unsafe.Pointer variable that
// parameter i (from 0) points to, is a pointer into the Go heap: C would get
// it in the variable's copy. An out-parameter such as sqlite3_open_v2's
// &db holds nil or C memory.
func checkPointee(sym fmt.Stringer, i int, v unsafe.Pointer) {
	if v != nil && inGoHeap(v) {
		panic(&codeError{msg: fmt.Sprintf("ffi: call %s: parameter %d: the unsafe.Pointer variable it points to holds a Go pointer, which must not be given to C; set it to nil or to C memory", sym, i+1), code: hffi.EINVAL})
	}
}

// inGoHeap reports whether p points into the Go heap.
func inGoHeap(p unsafe.Pointer) bool {
	base, _, _ := findObject(uintptr(p), 0, 0)
	return base != 0
}
