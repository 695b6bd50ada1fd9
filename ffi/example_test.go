// SPDX-License-Identifier: Apache-2.0

//go:build linux

package ffi_test

import (
	"errors"
	"fmt"

	"github.com/hffi-go/hffi"
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
	if err := ffi.Bind1(&strlen, lib.Sym("strlen")); err != nil {
		panic(err)
	}
	if err := ffi.Bind1(&abs, lib.Sym("abs")); err != nil {
		panic(err)
	}
	fmt.Println(strlen("hello, C"), abs(-12))

	var nope func() int32
	err = ffi.Bind0(&nope, lib.Sym("no_such_function"))
	fmt.Println(errors.Is(err, hffi.ENOTFOUND))
	// Output:
	// 8 12
	// true
}

// ExampleBind2 shows a refused binding: a Go pointer must not reach C.
func ExampleBind2() {
	lib, err := ffi.Open(libc)
	if err != nil {
		panic(err)
	}
	var memcmp func(*string, *string) int32
	err = ffi.Bind2(&memcmp, lib.Sym("memcmp"))
	fmt.Println(errors.Is(err, hffi.EINVAL))
	fmt.Println(err)
	// Output:
	// true
	// ffi: bind libc.so.6:memcmp: parameter 1 has type *string: the pointee holds Go pointers, which must not be given to C; pass a handles.Handle, or C memory as unsafe.Pointer
}
