// SPDX-License-Identifier: Apache-2.0

// Command purego is one program that runs the same with cgo and without
// it: it calls a C library and receives callbacks from a thread that C
// created.
//
//	go run ./examples/purego                  # cgo backend
//	CGO_ENABLED=0 go run ./examples/purego    # purego backend, no C toolchain needed to build
//
// The C library (clib/ticker.c) is compiled when the program starts, with
// the compiler `go env CC` names, into a temporary directory; a real
// program would ship the library instead. Its thread calls back into Go
// until Go closes the callback; it checks the callback's handle itself
// (hffi_handle_check) and stops when it went stale.
package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"unsafe"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/ffi"
)

//go:embed clib/ticker.c
var tickerC string

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
	path, err := buildTicker()
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(path))
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
	if err := tk.start(arena.Runtime(), cb.Fn(), cb.UserData(), 1000); err != nil {
		return err
	}
	stopped := tk.wait()
	close(ticks)
	for n := range ticks {
		fmt.Fprintf(out, "tick %d from a C thread\n", n)
	}
	fmt.Fprintf(out, "the C thread stopped: %v (ErrDeleted: %t)\n", stopped, errors.Is(stopped, ffi.ErrDeleted))
	return nil
}

func bindAll(lib *ffi.Library, tk *ticker) error {
	sym := func(name string) ffi.Symbol {
		s, err := lib.Sym(name)
		if err != nil {
			panic(err) // the library is ours: every symbol exists
		}
		return s
	}
	return errors.Join(
		ffi.Bind2(&tk.add, sym("tk_add")),
		ffi.Bind2(&tk.count, sym("tk_count")),
		ffi.Bind4(&tk.start, sym("tk_start")),
		ffi.Bind0(&tk.wait, sym("tk_wait")),
	)
}

// buildTicker compiles clib/ticker.c into a shared library in a new
// temporary directory and returns its path.
func buildTicker() (string, error) {
	cc := strings.Fields(os.Getenv("CC"))
	if len(cc) == 0 {
		out, err := exec.Command("go", "env", "CC").Output()
		if err == nil {
			cc = strings.Fields(string(out))
		}
	}
	if len(cc) == 0 {
		cc = []string{"cc"}
	}
	dir, err := os.MkdirTemp("", "hffi-purego-example")
	if err != nil {
		return "", err
	}
	src := filepath.Join(dir, "ticker.c")
	if err := os.WriteFile(src, []byte(tickerC), 0o644); err != nil {
		return "", err
	}
	lib := filepath.Join(dir, "libticker.so")
	args := append(cc[1:], "-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-I", csrcDir(), "-o", lib, src, "-lpthread")
	if msg, err := exec.Command(cc[0], args...).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("compile ticker.c with %s: %w\n%s", cc[0], err, msg)
	}
	return lib, nil
}

// csrcDir returns the directory of hffi.h in this source tree.
func csrcDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "csrc")
}
