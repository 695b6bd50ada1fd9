// SPDX-License-Identifier: Apache-2.0

//go:build linux

package ffi_test

import (
	"fmt"
	"unsafe"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/ffi"
)

// libc is the C library of the platform.
const libc = "libc.so.6"

// Example_callback sorts numbers with C's qsort_r, which calls back into
// Go for every comparison, with the user data last:
//
//	void qsort_r(void *base, size_t n, size_t size,
//	             int (*cmp)(const void *, const void *, void *), void *arg);
//
// The numbers live in an arena: C may read and write them, and no Go
// pointer reaches C.
func Example_callback() {
	lib, err := ffi.Open(libc)
	if err != nil {
		panic(err)
	}
	var qsort func(base unsafe.Pointer, n, size, cmp, arg uintptr)
	if err := ffi.BindVoid5(&qsort, lib.Sym("qsort_r")); err != nil {
		panic(err)
	}

	calls := 0
	cmp, err := ffi.NewCallback2(func(a, b unsafe.Pointer) int32 {
		calls++
		x, y := *(*int64)(a), *(*int64)(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}, ffi.UserDataLast())
	if err != nil {
		panic(err)
	}
	defer cmp.Close()

	mem, err := arena.New()
	if err != nil {
		panic(err)
	}
	defer mem.Free()
	p, err := mem.Alloc(5*8, 8)
	if err != nil {
		panic(err)
	}
	xs := unsafe.Slice((*int64)(p), 5)
	copy(xs, []int64{42, -7, 19, 0, 3})

	qsort(p, uintptr(len(xs)), 8, cmp.Fn(), uintptr(cmp.Handle()))
	fmt.Println(xs, calls > 0)
	// Output: [-7 0 3 19 42] true
}
