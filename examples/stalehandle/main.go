// SPDX-License-Identifier: Apache-2.0

// Command stalehandle shows C keeping a Go handle, Go deleting it, and C's
// later use being reported as a named error instead of a crash.
//
// The C side (lib/store.c, with csrc/*.c) is compiled when the program
// starts, with the C compiler that `go env CC` names, into a temporary
// shared library that the program loads with purego. That is the same code
// path with and without cgo, so both of these work:
//
//	go run ./examples/stalehandle
//	CGO_ENABLED=0 go run ./examples/stalehandle
//
// Only integers cross the boundary (the root address, which is not Go
// memory, and a handle), so the program is also clean under
// GOEXPERIMENT=cgocheck2.
package main

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/hffi-go/hffi"

	"github.com/ebitengine/purego"

	"github.com/hffi-go/hffi/examples/internal/cmem"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/cbuild"
)

type session struct{ user string }

func main() {
	log.SetFlags(0)
	if err := run(os.Stdout); err != nil {
		log.Fatalf("stalehandle: %v", err)
	}
}

func run(w io.Writer) error {
	lib, cleanup, err := buildStore()
	if err != nil {
		return err
	}
	defer cleanup()

	var (
		storeInit func(rt uintptr)
		storeKeep func(h uint64)
		storeFire func() int32
	)
	purego.RegisterLibFunc(&storeInit, lib, "store_init")
	purego.RegisterLibFunc(&storeKeep, lib, "store_keep")
	purego.RegisterLibFunc(&storeFire, lib, "store_fire")
	storeInit(uintptr(hffi.Runtime()))

	h := handles.NewHandle(&session{user: "ada"})
	storeKeep(uint64(h)) // C keeps the handle for later
	fmt.Fprintln(w, "C fires while Go holds the handle:", result(storeFire()))
	fmt.Fprintln(w, "Go reads the value back:          ", h.Value().(*session).user)

	h.Delete() // Go is done with it; C still has the integer
	fmt.Fprintln(w, "C fires after Go deleted it:      ", result(storeFire()))

	h2 := handles.NewHandle(&session{user: "bob"}) // may reuse the slot
	fmt.Fprintln(w, "C fires after the slot's reuse:   ", result(storeFire()))
	fmt.Fprintln(w, "Go's own use of the old handle:   ", lookup(h))
	h2.Delete()
	return nil
}

func result(rc int32) string {
	if rc == 0 {
		return "ok, calling back into Go"
	}
	return "refused: " + cmem.ErrName(hffi.Code(rc))
}

func lookup(h handles.Handle) string {
	if _, err := handles.Default().Value(h); err != nil {
		return "error " + hffi.ErrCode(err).Name()
	}
	return "ok"
}

// buildStore compiles lib/store.c into a shared library in a new
// temporary directory and loads it; cleanup removes the directory.
func buildStore() (lib uintptr, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "stalehandle")
	if err != nil {
		return 0, nil, err
	}
	cleanup = func() { _ = os.RemoveAll(dir) }
	path, err := cbuild.Library(dir, "libstore.so", "examples/stalehandle/lib/store.c")
	if err != nil {
		cleanup()
		return 0, nil, fmt.Errorf("build the C side of this example: %w", err)
	}
	lib, err = purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		cleanup()
		return 0, nil, err
	}
	return lib, cleanup, nil
}
