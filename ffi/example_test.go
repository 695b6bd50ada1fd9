// SPDX-License-Identifier: Apache-2.0

//go:build linux

package ffi_test

import (
	"errors"
	"fmt"

	"github.com/hffi-go/hffi/ffi"
)

// Example binds two functions of the C library once and calls them; the Go
// string is copied into scratch memory for the call.
func Example() {
	lib, err := ffi.Open(libc)
	if err != nil {
		panic(err)
	}
	var strlen func(string) int
	var abs func(int32) int32
	for _, b := range []error{
		bind(lib, "strlen", func(s ffi.Symbol) error { return ffi.Bind1(&strlen, s) }),
		bind(lib, "abs", func(s ffi.Symbol) error { return ffi.Bind1(&abs, s) }),
	} {
		if b != nil {
			panic(b)
		}
	}
	fmt.Println(strlen("hello, C"), abs(-12))

	_, err = lib.Sym("no_such_function")
	fmt.Println(errors.Is(err, ffi.ErrNotFound))
	// Output:
	// 8 12
	// true
}

func bind(lib *ffi.Library, name string, f func(ffi.Symbol) error) error {
	s, err := lib.Sym(name)
	if err != nil {
		return err
	}
	return f(s)
}

// ExampleBind2 shows a refused binding: a Go pointer must not reach C.
func ExampleBind2() {
	lib, err := ffi.Open(libc)
	if err != nil {
		panic(err)
	}
	sym, err := lib.Sym("memcmp")
	if err != nil {
		panic(err)
	}
	var memcmp func(*string, *string) int32
	err = ffi.Bind2(&memcmp, sym)
	fmt.Println(errors.Is(err, ffi.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// ffi: bind libc.so.6:memcmp: parameter 1 has type *string: the pointee holds Go pointers, which must not be given to C; pass a handles.Handle, or C memory as unsafe.Pointer
}
