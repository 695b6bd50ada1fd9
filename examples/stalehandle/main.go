// SPDX-License-Identifier: Apache-2.0

// Command stalehandle shows C keeping a Go handle, Go deleting it, and C's
// later use being reported as a named error instead of a crash.
//
// The C side (lib/store.c) is compiled when the program starts, with the C
// compiler that `go env CC` names, into a temporary shared library that
// the program loads with purego. That is the same code path with and
// without cgo, so both of these work:
//
//	go run ./examples/stalehandle
//	CGO_ENABLED=0 go run ./examples/stalehandle
//
// Only integers cross the boundary (the root address, which is not Go
// memory, and a handle), so the program is also clean under
// GOEXPERIMENT=cgocheck2.
package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/ebitengine/purego"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/cbuild"
)

//go:embed lib/store.c
var storeC []byte

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
	storeInit(uintptr(handles.Runtime()))

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
	return fmt.Sprintf("refused: %s (%v)", handles.Errno(rc).Name(), handles.Errno(rc))
}

func lookup(h handles.Handle) string {
	if _, err := handles.Lookup(h); err != nil {
		return "error " + handles.ErrCode(err).Name()
	}
	return "ok"
}

var errNoCC = errors.New("no C compiler found (go env CC); one is needed to build the C side of this example")

// buildStore compiles lib/store.c into a shared library and loads it.
func buildStore() (uintptr, func(), error) {
	cc := cbuild.CC()
	if cc == nil {
		return 0, nil, errNoCC
	}
	dir, err := os.MkdirTemp("", "stalehandle")
	if err != nil {
		return 0, nil, err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	src, so := filepath.Join(dir, "store.c"), filepath.Join(dir, "libstore.so")
	if err := os.WriteFile(src, storeC, 0o600); err != nil {
		cleanup()
		return 0, nil, err
	}
	args := append(append([]string{}, cc[1:]...),
		"-std=c99", "-O1", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
		"-I", cbuild.CSrcDir(), "-o", so, src)
	if out, err := exec.Command(cc[0], args...).CombinedOutput(); err != nil {
		cleanup()
		return 0, nil, fmt.Errorf("compile lib/store.c: %v\n%s", err, out)
	}
	lib, err := purego.Dlopen(so, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		cleanup()
		return 0, nil, err
	}
	return lib, cleanup, nil
}
