// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"reflect"
	"unsafe"
)

// Structs by value in callbacks. A callback with a struct parameter or
// result is a libffi closure (libffi classifies the struct under the C
// calling convention); the handler copies each struct argument into the
// frame's struct area, one after the other at its alignment, and the
// struct result after them, and the Go function reads and writes them
// there as its Go types. Go lays out a struct of these field types as C
// does on every supported target; the size libffi computes is checked
// against Go's.

// kStruct marks a struct parameter or result of a callback (only
// callbacks: calls pass structs through package callconv).
const kStruct argKind = 0xF0

// maxCbStructBytes bounds the struct arguments and result of one callback.
const maxCbStructBytes = 256

// cbStruct is the layout of one struct parameter or result.
type cbStruct struct {
	t   reflect.Type
	off uintptr // in cbFrame.sbuf
}

// isCbStruct reports whether t is a struct a callback may take or return.
func isCbStruct(t reflect.Type) bool { return t != nil && t.Kind() == reflect.Struct }

// checkCbStruct refuses a struct that holds anything but numbers, bools,
// unsafe.Pointer, and structs and arrays of those.
func checkCbStruct(t reflect.Type, what string) error {
	var walk func(t reflect.Type) error
	walk = func(f reflect.Type) error {
		switch f.Kind() {
		case reflect.Struct:
			for i := range f.NumField() {
				if err := walk(f.Field(i).Type); err != nil {
					return err
				}
			}
			return nil
		case reflect.Array:
			return walk(f.Elem())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
			reflect.Float32, reflect.Float64, reflect.Bool, reflect.UnsafePointer:
			return nil
		}
		return invalidf("%s has type %s: a struct passed by value may hold numbers, bools, unsafe.Pointer, and structs and arrays of those, not %s (use unsafe.Pointer for C memory)", what, t, f)
	}
	if t.Size() == 0 {
		return invalidf("%s has type %s: an empty struct has no C equivalent", what, t)
	}
	return walk(t)
}

// layoutStructs gives the struct parameters and result their places in
// the struct area, as the handlers do (clHandler): parameters in order,
// then the result, each at its alignment.
func (s *cbSig) layoutStructs(in []reflect.Type, out reflect.Type) error {
	off := uintptr(0)
	place := func(t reflect.Type) uintptr {
		a := uintptr(t.Align())
		off = (off + a - 1) &^ (a - 1)
		o := off
		off += t.Size()
		return o
	}
	for i, t := range in {
		if s.in[i] == kStruct {
			s.off[i] = unsafe.Offsetof(cbFrame{}.sbuf) + place(t)
			s.structs[i] = t
		}
	}
	if s.out == kStruct {
		s.roff = unsafe.Offsetof(cbFrame{}.sbuf) + place(out)
		s.rtype = out
	}
	if off > maxCbStructBytes {
		return invalidf("%d bytes of structs by value, at most %d are supported", off, maxCbStructBytes)
	}
	return nil
}

// ffiStructType builds libffi's ffi_type of Go struct t, off the Go heap
// (libffi reads it on every call for the life of the process): size and
// alignment 0 (ffi_prep_cif computes them), type FFI_TYPE_STRUCT, and the
// NULL-terminated list of element types, arrays spelled out element by
// element as libffi documents.
func (l *libffi) ffiStructType(t reflect.Type) (uintptr, error) {
	var elems []uintptr
	var add func(f reflect.Type) error
	add = func(f reflect.Type) error {
		switch f.Kind() {
		case reflect.Struct:
			e, err := l.ffiStructType(f)
			if err != nil {
				return err
			}
			elems = append(elems, e)
		case reflect.Array:
			for range f.Len() {
				if err := add(f.Elem()); err != nil {
					return err
				}
			}
		default:
			k, err := classify(f, roleCbParam, "field")
			if err != nil {
				return err
			}
			elems = append(elems, l.types[k])
		}
		return nil
	}
	for i := range t.NumField() {
		if err := add(t.Field(i).Type); err != nil {
			return 0, err
		}
	}
	arr := offHeap(8 * uintptr(len(elems)+1))
	for i, e := range elems {
		*(*uintptr)(unsafe.Add(arr, 8*i)) = e
	}
	ft := offHeap(24)
	*(*uint16)(unsafe.Add(ft, 10)) = ffiStruct
	*(*uintptr)(unsafe.Add(ft, 16)) = uintptr(arr)
	return uintptr(ft), nil
}

// ffiStruct is FFI_TYPE_STRUCT.
const ffiStruct = 13

// checkFfiSize compares the size libffi computed for a struct (after
// ffi_prep_cif) with Go's.
func checkFfiSize(ft uintptr, t reflect.Type) error {
	size := *(*uintptr)(ptrFromAddr(ft))
	align := *(*uint16)(ptrFromAddr(ft + 8))
	if size != t.Size() || uintptr(align) != uintptr(t.Align()) {
		return fmt.Errorf("%w: struct %s: libffi lays it out in %d bytes aligned %d, Go in %d aligned %d",
			errInvalidLayout, t, size, align, t.Size(), t.Align())
	}
	return nil
}

var errInvalidLayout = invalidf("a struct whose C layout differs from Go's")

// loadStruct and storeStruct copy a struct between the frame and a Go
// variable (the converting path of a callback).
func loadStruct(f *cbFrame, off uintptr, t reflect.Type, p unsafe.Pointer) {
	copy(unsafe.Slice((*byte)(p), t.Size()), unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(f), off)), t.Size()))
}

func storeStruct(f *cbFrame, off uintptr, t reflect.Type, p unsafe.Pointer) {
	copy(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(f), off)), t.Size()), unsafe.Slice((*byte)(p), t.Size()))
}
