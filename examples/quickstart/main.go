// SPDX-License-Identifier: Apache-2.0

// Command quickstart is hffi in a few lines of output: Go strings and a
// map[string]any handed to C without a Go pointer crossing over, a Go
// callback C keeps and fires later, and C's stale references and handles
// rejected with named errors instead of crashes.
//
// The C side (clib/quickstart.c, with csrc/*.c) is compiled at start-up with
// the C compiler `go env CC` names and loaded with ffi.Open, so the same
// program runs with cgo, with CGO_ENABLED=0 (purego) and under
// GOEXPERIMENT=cgocheck2:
//
//	go run ./examples/quickstart
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/examples/internal/cmem"
	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/values"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// The C functions, as Go binds them: negative HFFI_E* results become
// errors that match the arena, handles and ffi sentinels.
var (
	describe func(rt unsafe.Pointer, s arena.Ref, out unsafe.Pointer, n uint64) error
	reread   func(rt unsafe.Pointer) error
	order    func(rt unsafe.Pointer, v arena.Ref, out unsafe.Pointer, n uint64) error
	later    func(fn, userData uintptr)
	fire     func(n int64) error
)

func bind(lib *ffi.Library) error {
	return errors.Join(
		ffi.Bind4(&describe, lib.Sym("qs_describe")),
		ffi.Bind1(&reread, lib.Sym("qs_reread")),
		ffi.Bind4(&order, lib.Sym("qs_order")),
		ffi.BindVoid2(&later, lib.Sym("qs_later")),
		ffi.Bind1(&fire, lib.Sym("qs_fire")),
	)
}

func run(w io.Writer) error {
	tmp, err := os.MkdirTemp("", "hffi-quickstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	path, err := cbuild.Library(tmp, "libquickstart.so", "examples/quickstart/clib/quickstart.c")
	if err != nil {
		return err
	}
	lib, err := ffi.Open(path)
	if err != nil {
		return err
	}
	defer lib.Close()
	if err := bind(lib); err != nil {
		return err
	}
	fmt.Fprintf(w, "hffi quickstart (%s backend)\n", ffi.Backend())

	rt := hffi.Runtime() // the shared root: C checks everything against it
	a, err := arena.New()
	if err != nil {
		return err
	}
	defer a.Free()
	out, err := a.Alloc(256, 8) // C writes its answers here: arena memory
	if err != nil {
		return err
	}

	// 1. A Go string, copied into the arena, read by C through a reference.
	s, err := a.CopyString("hello from Go, wörld")
	if err != nil {
		return err
	}
	ref, err := a.Ref(s)
	if err != nil {
		return err
	}
	if err := describe(rt, ref, out, 256); err != nil {
		return err
	}
	fmt.Fprintf(w, "1. C read a Go string from the arena: %s\n", cmem.String(out))

	// 2. Reset frees everything at once; C's kept reference is now stale.
	a.Reset()
	err = reread(rt)
	if !errors.Is(err, hffi.ESTALE) {
		return fmt.Errorf("C reread a reset arena: got %v, want hffi.ESTALE", err)
	}
	fmt.Fprintf(w, "2. After Reset, C's kept reference is rejected: %s\n", cmem.ErrName(err))

	// 3. A map[string]any in one call: no JSON, no malloc, no Go pointer.
	if out, err = a.Alloc(256, 8); err != nil {
		return err
	}
	v, err := values.Encode(a, map[string]any{
		"user":  map[string]any{"name": "Ada", "id": 7},
		"items": []any{"pen", "ink", "paper"},
		"total": 12.5,
	})
	if err != nil {
		return err
	}
	if err := order(rt, v, out, 256); err != nil {
		return err
	}
	fmt.Fprintf(w, "3. C read nested fields of an encoded map: %s\n", cmem.String(out))

	// 4. A Go callback that C keeps (function pointer + handle) and fires later.
	cb, err := ffi.NewCallback1(func(n int64) error {
		fmt.Fprintf(w, "4. C fired the Go callback later with n=%d\n", n)
		return nil
	})
	if err != nil {
		return err
	}
	later(cb.Fn(), uintptr(cb.Handle()))
	if err := fire(3); err != nil {
		return err
	}

	// 5. Go closes the callback; C's next call is refused, not a crash.
	if err := cb.Close(); err != nil {
		return err
	}
	err = fire(4)
	if err == nil {
		return errors.New("a closed callback ran")
	}
	fmt.Fprintf(w, "5. After Close, C's call with the old handle is refused: %s\n", cmem.ErrName(err))
	return nil
}
