// SPDX-License-Identifier: Apache-2.0

// Command purego is one program that runs the same with cgo and without
// it: it calls a C library and receives callbacks from a thread that C
// created.
//
//	go run ./examples/purego                  # cgo backend
//	CGO_ENABLED=0 go run ./examples/purego    # purego backend, no C toolchain needed to build
//
// The C library (clib/ticker.c, with csrc/*.c) is compiled when the
// program starts, with the compiler `go env CC` names, into a temporary
// directory; a real program would ship the library instead. Its thread
// calls back into Go until Go closes the callback; it checks the
// callback's handle itself (hffi_handle_check) and stops when it went
// stale.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/cbuild"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "purego example:", err)
		os.Exit(1)
	}
}

// ticker is the C library's API, bound to Go function types.
type ticker struct {
	add   func(int64, int64) int64
	count func(s string, c int32) int32
	start func(rt unsafe.Pointer, fn, userData uintptr, max int32) error
	wait  func() error
}

func run(out io.Writer) error {
	tmp, err := os.MkdirTemp("", "hffi-purego-example")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	path, err := cbuild.Library(tmp, "libticker.so", "examples/purego/clib/ticker.c")
	if err != nil {
		return fmt.Errorf("build the C side of this example: %w", err)
	}
	lib, err := ffi.Open(path)
	if err != nil {
		return err
	}
	defer lib.Close()
	var tk ticker
	if err := bindAll(lib, &tk); err != nil {
		return err
	}
	fmt.Fprintf(out, "backend: %s\n", ffi.Backend())
	fmt.Fprintf(out, "tk_add(40, 2) = %d\n", tk.add(40, 2))
	fmt.Fprintf(out, "tk_count(%q, 's') = %d\n", "mississippi", tk.count("mississippi", 's'))

	// The callback runs on the C thread. It closes itself after the third
	// tick; C sees the stale handle before its next call and stops.
	ticks := make(chan int32, 16)
	var cb *ffi.Callback
	cb, err = ffi.NewCallback1(func(n int32) int32 {
		ticks <- n
		if n == 2 {
			_ = cb.Close()
		}
		return 0
	})
	if err != nil {
		return err
	}
	defer cb.Close()
	if err := tk.start(hffi.Runtime(), cb.Fn(), uintptr(cb.Handle()), 1000); err != nil {
		return err
	}
	stopped := tk.wait()
	close(ticks)
	for n := range ticks {
		fmt.Fprintf(out, "tick %d from a C thread\n", n)
	}
	fmt.Fprintf(out, "the C thread stopped: %v (hffi.EDELETED: %t)\n", stopped, errors.Is(stopped, hffi.EDELETED))
	return nil
}

func bindAll(lib *ffi.Library, tk *ticker) error {
	return errors.Join(
		ffi.Bind2(&tk.add, lib.Sym("tk_add")),
		ffi.Bind2(&tk.count, lib.Sym("tk_count")),
		ffi.Bind4(&tk.start, lib.Sym("tk_start")),
		ffi.Bind0(&tk.wait, lib.Sym("tk_wait")),
	)
}
