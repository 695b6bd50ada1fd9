// SPDX-License-Identifier: Apache-2.0

// Command hffi-header writes hffi.h, the whole C API of hffi in one file,
// for C code outside this module: a cgo package of another module, or a C
// library built with make, CMake or meson.
//
//	go run github.com/hffi-go/hffi/cmd/hffi-header -o DIR
//
// In a module that requires hffi this writes the header of the very
// version the Go side links (no @version: go run uses the module's
// requirement), so C and Go agree on the ABI; elsewhere add @version.
// A //go:generate line of the same command keeps it in step after an
// upgrade. It prints
//
//	hffi-header: wrote DIR/hffi.h (hffi 0.1.0, ABI 1)
//
// The file declares the C API as csrc/hffi.h does, and also holds the
// implementation (csrc/*.c), compiled only in the one file of a program
// that defines HFFI_IMPLEMENTATION before including it:
//
//	#define HFFI_IMPLEMENTATION
//	#include "hffi.h"
//
// That copy is static, private to the file, so any number of libraries and
// cgo packages of one process may each embed one, next to hffi's own; see
// the IMPLEMENTATION block at the end of the header. With -o - the header
// goes to standard output.
package main

//go:generate go run gen.go

import (
	"bytes"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// header is csrc/ pasted into one file by gen.go (internal/amalg); a test
// checks that it is up to date.
//
//go:embed zhffi.h
var header []byte

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "hffi-header:", err)
		}
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hffi-header", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("o", ".", "write `DIR`/hffi.h (- for standard output)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hffi-header [-o DIR]\n\nWrites hffi.h, hffi's C API in one file (define HFFI_IMPLEMENTATION\nbefore including it in one file to compile the implementation in).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *dir == "-" {
		_, err := stdout.Write(header)
		return err
	}
	path := filepath.Join(*dir, "hffi.h")
	// An unchanged file is left alone, so that make and the build caches
	// see no change.
	if have, err := os.ReadFile(path); err != nil || !bytes.Equal(have, header) {
		if err := os.WriteFile(path, header, 0o644); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(stdout, "hffi-header: wrote %s (hffi %s, ABI %s)\n", path, define("HFFI_VERSION_STRING"), define("HFFI_ABI_VERSION"))
	return err
}

// define returns the value of a #define of the header, quotes removed.
func define(name string) string {
	m := regexp.MustCompile(`(?m)^#define ` + name + ` "?([^"\s]+)"?`).FindSubmatch(header)
	if m == nil {
		return "?"
	}
	return string(m[1])
}
