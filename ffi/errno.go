// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"sync"
)

// errno is thread-local in C: libc exports a function returning the
// address of the calling thread's errno (errnoFuncName). A call bound with
// a WithErrno result locks its goroutine to its thread, finds that
// address, clears errno, makes the call and reads errno, all on the same
// thread; Go's runtime makes its own system calls without libc, so
// nothing in between changes errno.
var errnoFn struct {
	once sync.Once
	addr uintptr
	err  error
}

func errnoLocation() (uintptr, error) {
	errnoFn.once.Do(func() {
		var lib *Library
		var err error
		for _, name := range libcNames {
			if lib, err = Open(name); err == nil {
				break
			}
		}
		if err != nil {
			errnoFn.err = fmt.Errorf("WithErrno: cannot open the C library: %w", err)
			return
		}
		sym := lib.Sym(errnoFuncName)
		if err := sym.Err(); err != nil {
			errnoFn.err = fmt.Errorf("WithErrno: %w", err)
			return
		}
		errnoFn.addr = sym.Addr() // libc stays open for the process
	})
	return errnoFn.addr, errnoFn.err
}
