// SPDX-License-Identifier: Apache-2.0

//go:build ignore

// gen.go writes zcsrc_hash.go into every package that includes csrc/ in
// its cgo build (see package csrchash) and removes it from directories
// that no longer do. It is run by the //go:generate line in
// the root package (generate.go):
//
//	go generate .
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/hffi-go/hffi/internal/csrchash"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "csrchash:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := csrchash.Root(".")
	if err != nil {
		return err
	}
	h, err := csrchash.Sum(root)
	if err != nil {
		return err
	}
	pkgs, err := csrchash.Pkgs(root)
	if err != nil {
		return err
	}
	var dirs []string
	for _, p := range pkgs {
		dirs = append(dirs, p.Dir)
		path := filepath.Join(root, p.Dir, csrchash.FileName)
		want := csrchash.Render(p.Name, h)
		if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, want) {
			continue
		}
		if err := os.WriteFile(path, want, 0o666); err != nil {
			return err
		}
		fmt.Printf("csrchash: wrote %s/%s (csrc %s)\n", p.Dir, csrchash.FileName, h)
	}
	existing, err := csrchash.Existing(root)
	if err != nil {
		return err
	}
	for _, dir := range existing {
		if !slices.Contains(dirs, dir) {
			if err := os.Remove(filepath.Join(root, dir, csrchash.FileName)); err != nil {
				return err
			}
			fmt.Printf("csrchash: removed %s/%s\n", dir, csrchash.FileName)
		}
	}
	return nil
}
