// SPDX-License-Identifier: Apache-2.0

// Command mapcall tells story 1 of hffi: handing a map[string]any to C.
//
// First the naive way: a pointer to the Go map stored in a C struct for C
// to keep. It is run in a child process built with
// GOEXPERIMENT=cgocheck2, where it dies with a fatal error (without full
// checking it runs, and the garbage collector may free what C holds).
//
// Then the hffi way: the map is encoded into an arena (off-heap memory),
// C gets integers only (a reference to the tree, a handle for a Go
// callback, the callback's function pointer), reads nested fields with the
// hffi_val_* accessors, keeps the reference and the handle, and later
// fires the callback with a reply it builds in another arena. Finally Go
// resets the arena and C's kept reference is rejected with HFFI_ESTALE
// instead of reading freed memory.
//
// The C side (clib/mapcall.c, with csrc/*.c) is compiled into a shared
// library at start-up with the C compiler of `go env CC`, and loaded with
// ffi.Open: the same program runs with cgo and with CGO_ENABLED=0.
//
//	go run ./examples/mapcall
//	CGO_ENABLED=0 go run ./examples/mapcall
//	GOEXPERIMENT=cgocheck2 go run ./examples/mapcall
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/examples/internal/cmem"
	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/values"
)

func main() {
	if err := run(os.Stdout, true); err != nil {
		fmt.Fprintln(os.Stderr, "mapcall:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, withNaive bool) error {
	fmt.Fprintln(w, "1. The naive way: C keeps a pointer to a Go map (child process, GOEXPERIMENT=cgocheck2)")
	if withNaive {
		naive(w)
	} else {
		fmt.Fprintln(w, "   skipped")
	}
	fmt.Fprintf(w, "2. The hffi way (%s backend)\n", ffi.Backend())
	return hffiWay(w)
}

// srcDir returns the directory of this file's sources, or "" when the
// binary was built without them (-trimpath).
func srcDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	if _, err := os.Stat(file); err != nil {
		return ""
	}
	return filepath.Dir(file)
}

// naive runs ./naive in a child process built with full pointer checking
// and reports how it died.
func naive(w io.Writer) {
	if !haveCgo {
		fmt.Fprintln(w, "   skipped: it needs cgo, and this program was built with CGO_ENABLED=0")
		return
	}
	dir := srcDir()
	goTool, err := exec.LookPath("go")
	if dir == "" || err != nil {
		fmt.Fprintln(w, "   skipped: needs the go command and this example's sources")
		return
	}
	cmd := exec.Command(goTool, "run", ".")
	cmd.Dir = filepath.Join(dir, "naive")
	cmd.Env = append(os.Environ(), "GOEXPERIMENT=cgocheck2", "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		fmt.Fprintf(w, "   unexpected: the child did not fail:\n%s", out)
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "fatal error:") || strings.HasPrefix(line, "panic:") {
			fmt.Fprintf(w, "   the child died, as it should: %s\n", line)
			return
		}
	}
	fmt.Fprintf(w, "   the child failed without a pointer-check error: %v\n%s", err, out)
}

// The C functions of clib/mapcall.c, as Go sees them: only the root, refs,
// a function pointer and arena memory cross.
var (
	submit func(rt unsafe.Pointer, payload arena.Ref, fn uintptr, replies arena.Ref, out unsafe.Pointer, n uint64) error
	fire   func(rt unsafe.Pointer) error
	reread func(rt unsafe.Pointer) error
)

func bind(lib *ffi.Library) error {
	return errors.Join(
		ffi.Bind6(&submit, lib.Sym("mc_submit")),
		ffi.Bind1(&fire, lib.Sym("mc_fire")),
		ffi.Bind1(&reread, lib.Sym("mc_reread")),
	)
}

func hffiWay(w io.Writer) error {
	tmp, err := os.MkdirTemp("", "mapcall")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	path, err := cbuild.Library(tmp, "libmapcall.so", "examples/mapcall/clib/mapcall.c")
	if errors.Is(err, cbuild.ErrNoCC) {
		fmt.Fprintln(w, "   skipped: no C compiler to build the C side (set CC or install cc)")
		return nil
	}
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

	payloads, err := arena.New()
	if err != nil {
		return err
	}
	defer payloads.Free()
	replies, err := arena.New()
	if err != nil {
		return err
	}
	defer replies.Free()

	// The Go callback C will fire later; C gets its handle and pointer.
	onDone, err := ffi.NewCallback1(func(reply arena.Ref) error {
		v, err := values.Decode(reply)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "   later, C fired the Go callback with a reply it built: %v\n", v)
		return nil
	})
	if err != nil {
		return err
	}
	defer onDone.Close()

	payload := map[string]any{
		"user":    map[string]any{"name": "Ada", "tags": []any{"math", "poetry"}},
		"order":   map[string]any{"total": 99.5, "items": []any{"pen", "ink", "paper"}},
		"on_done": onDone.Handle(),
	}
	ref, err := values.Encode(payloads, payload)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   Go encoded the map into an arena: %d bytes, no Go pointer in them\n", payloads.Used())

	rt := hffi.Runtime()
	out, err := payloads.Alloc(128, 8)
	if err != nil {
		return err
	}
	if err := submit(rt, ref, onDone.Fn(), replies.CArena(), out, 128); err != nil {
		return fmt.Errorf("mc_submit: %w", err)
	}
	fmt.Fprintf(w, "   C read nested fields: %s\n", cmem.String(out))
	if err := fire(rt); err != nil {
		return fmt.Errorf("mc_fire: %w", err)
	}

	payloads.Reset()
	err = reread(rt)
	if !errors.Is(err, hffi.ESTALE) {
		return fmt.Errorf("mc_reread after Reset: got %v, want a stale reference", err)
	}
	fmt.Fprintf(w, "3. After Reset, C's kept reference is rejected: %s\n", cmem.ErrName(err))
	if _, err := values.Decode(ref); err != nil {
		fmt.Fprintf(w, "   and so is Go's: %v\n", err)
	}
	return nil
}
