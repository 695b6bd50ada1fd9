// SPDX-License-Identifier: Apache-2.0

package callconv

import (
	"fmt"
	"reflect"
)

// Kind is the C type class of a value.
type Kind uint8

const (
	Int8 Kind = iota + 1
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
	Pointer // a C pointer, or any word-sized integer: uintptr_t
	Float32
	Float64
	Struct
)

func (k Kind) isFloat() bool { return k == Float32 || k == Float64 }
func (k Kind) isInt() bool   { return k >= Int8 && k <= Pointer }

// signed reports whether an integer kind is sign-extended.
func (k Kind) signed() bool { return k >= Int8 && k <= Int64 }

// A Type is the C layout of a parameter or result: a scalar, or a struct
// flattened to its scalar leaves (nested structs and arrays included).
// Its size and alignment are C's, which on every supported target are
// also Go's, and TypeOf checks that they agree.
type Type struct {
	Kind   Kind
	Size   uintptr
	Align  uintptr
	Leaves []Leaf // Struct: every scalar, by increasing offset
}

// A Leaf is one scalar of a struct.
type Leaf struct {
	Offset uintptr
	Kind   Kind
}

var scalarSize = [...]uintptr{Int8: 1, Int16: 2, Int32: 4, Int64: 8, Uint8: 1, Uint16: 2, Uint32: 4, Uint64: 8, Pointer: 8, Float32: 4, Float64: 8}

// Scalar returns the type of a scalar kind.
func Scalar(k Kind) *Type {
	if k == Struct || k == 0 || int(k) >= len(scalarSize) {
		panic("callconv: Scalar of a non-scalar kind")
	}
	return &Type{Kind: k, Size: scalarSize[k], Align: scalarSize[k]}
}

// StructOf returns a struct of the given scalar leaves laid out by C's
// rules: each at the next multiple of its alignment, the size rounded up
// to the largest alignment. It is for tests and for callers that describe
// a C struct without a Go type.
func StructOf(kinds ...Kind) *Type {
	t := &Type{Kind: Struct, Align: 1}
	for _, k := range kinds {
		s := scalarSize[k]
		t.Size = alignUp(t.Size, s)
		t.Leaves = append(t.Leaves, Leaf{Offset: t.Size, Kind: k})
		t.Size += s
		t.Align = max(t.Align, s)
	}
	t.Size = alignUp(t.Size, t.Align)
	return t
}

func alignUp(n, a uintptr) uintptr { return (n + a - 1) &^ (a - 1) }

// TypeOf returns the C type that stands for the Go type t as a parameter
// or result: an integer (bool is C's _Bool, int and uint are 64-bit),
// uintptr or unsafe.Pointer (a C pointer), float32, float64, complex64 and
// complex128 (C's _Complex float/double), or a struct whose fields are all
// of these kinds, arrays of them or structs of them. Go lays out such a
// struct exactly like C on every supported target; TypeOf checks it field
// by field anyway. It refuses, naming the field, anything with no C
// equivalent or that could carry a Go pointer into C: pointers (including
// unsafe.Pointer inside a struct: use uintptr), strings, slices, maps,
// channels, funcs, interfaces, and zero-size fields or types. A top-level
// array is refused too: C passes arrays as pointers.
func TypeOf(t reflect.Type) (*Type, error) {
	if t == nil {
		return nil, fmt.Errorf("callconv: nil type")
	}
	switch t.Kind() {
	case reflect.Array:
		return nil, fmt.Errorf("callconv: %s: C cannot pass an array by value (pass a pointer, or wrap it in a struct)", t)
	case reflect.UnsafePointer:
		return Scalar(Pointer), nil
	}
	if k, ok := scalarKind(t); ok {
		return Scalar(k), nil
	}
	if t.Kind() == reflect.Struct || t.Kind() == reflect.Complex64 || t.Kind() == reflect.Complex128 {
		ct := &Type{Kind: Struct, Size: t.Size(), Align: uintptr(t.Align())}
		if err := flatten(ct, t, 0, t.String()); err != nil {
			return nil, err
		}
		if ct.Size == 0 {
			return nil, fmt.Errorf("callconv: %s: a struct of size 0 has no C equivalent", t)
		}
		return ct, nil
	}
	return nil, fmt.Errorf("callconv: %s: %s has no C equivalent that can cross the boundary", t, t.Kind())
}

func scalarKind(t reflect.Type) (Kind, bool) {
	switch t.Kind() {
	case reflect.Bool, reflect.Uint8:
		return Uint8, true
	case reflect.Int8:
		return Int8, true
	case reflect.Int16:
		return Int16, true
	case reflect.Int32:
		return Int32, true
	case reflect.Int64, reflect.Int:
		return Int64, true
	case reflect.Uint16:
		return Uint16, true
	case reflect.Uint32:
		return Uint32, true
	case reflect.Uint64, reflect.Uint:
		return Uint64, true
	case reflect.Uintptr:
		return Pointer, true
	case reflect.Float32:
		return Float32, true
	case reflect.Float64:
		return Float64, true
	}
	return 0, false
}

// flatten appends the leaves of t, which starts at off in ct, checking
// that Go's layout is C's. path names t for errors.
func flatten(ct *Type, t reflect.Type, off uintptr, path string) error {
	if k, ok := scalarKind(t); ok {
		if off%scalarSize[k] != 0 {
			return fmt.Errorf("callconv: %s: at offset %d, not a multiple of its C alignment %d", path, off, scalarSize[k])
		}
		ct.Leaves = append(ct.Leaves, Leaf{Offset: off, Kind: k})
		return nil
	}
	switch t.Kind() {
	case reflect.Complex64:
		return flatten2(ct, Float32, off)
	case reflect.Complex128:
		return flatten2(ct, Float64, off)
	case reflect.Array:
		if t.Len() == 0 {
			return fmt.Errorf("callconv: %s: a zero-length array has no C equivalent", path)
		}
		for i := range t.Len() {
			if err := flatten(ct, t.Elem(), off+uintptr(i)*t.Elem().Size(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
		var c uintptr // the offset C gives the next field
		for i := range t.NumField() {
			f := t.Field(i)
			fp := path + "." + f.Name
			if f.Type.Size() == 0 {
				return fmt.Errorf("callconv: %s: a zero-size field (%s) has no C equivalent", fp, f.Type)
			}
			c = alignUp(c, uintptr(f.Type.Align()))
			if f.Offset != c {
				return fmt.Errorf("callconv: %s: Go puts it at offset %d, C at %d", fp, f.Offset, c)
			}
			if err := flatten(ct, f.Type, off+f.Offset, fp); err != nil {
				return err
			}
			c += f.Type.Size()
		}
		if alignUp(c, uintptr(t.Align())) != t.Size() {
			return fmt.Errorf("callconv: %s: Go's size %d is not C's %d", path, t.Size(), alignUp(c, uintptr(t.Align())))
		}
		return nil
	case reflect.UnsafePointer, reflect.Pointer:
		return fmt.Errorf("callconv: %s: a pointer field (%s) could carry a Go pointer into C: use uintptr for a C pointer", path, t)
	}
	return fmt.Errorf("callconv: %s: %s has no C equivalent that can cross the boundary", path, t)
}

func flatten2(ct *Type, k Kind, off uintptr) error {
	ct.Leaves = append(ct.Leaves, Leaf{Offset: off, Kind: k}, Leaf{Offset: off + scalarSize[k], Kind: k})
	return nil
}
