// SPDX-License-Identifier: Apache-2.0

//go:build ignore

// gen.go writes zhffi.h, the single-file hffi.h that hffi-header embeds,
// from csrc/. It runs from go generate in this directory and in
// the root package (the command to run after editing csrc/):
//
//	go generate .
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hffi-go/hffi/internal/amalg"
	"github.com/hffi-go/hffi/internal/csrchash"
)

func main() {
	root, err := csrchash.Root(".")
	if err == nil {
		err = gen(root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hffi-header gen:", err)
		os.Exit(1)
	}
}

func gen(root string) error {
	want, err := amalg.Build(filepath.Join(root, "csrc"))
	if err != nil {
		return err
	}
	path := filepath.Join(root, "cmd", "hffi-header", "zhffi.h")
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, want) {
		return nil
	}
	if err := os.WriteFile(path, want, 0o666); err != nil {
		return err
	}
	fmt.Println("hffi-header: wrote cmd/hffi-header/zhffi.h")
	return nil
}
