// SPDX-License-Identifier: Apache-2.0

package csrchash_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hffi-go/hffi/internal/csrchash"
)

const hint = "csrc changed: run go generate ./internal/cimpl"

// Every package that includes csrc/ in its cgo build has an up-to-date
// zcsrc_hash.go, and no other package has one. The test reads csrc/ and
// the generated files, so go test's result cache notices edits of them.
func TestGenerated(t *testing.T) {
	root, err := csrchash.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	h, err := csrchash.Sum(root)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := csrchash.Pkgs(root)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, p := range pkgs {
		dirs = append(dirs, p.Dir)
		path := filepath.Join(root, p.Dir, csrchash.FileName)
		have, err := os.ReadFile(path)
		switch {
		case err != nil:
			t.Errorf("%s: %s/%s is missing (%v)", hint, p.Dir, csrchash.FileName, err)
		case !bytes.Equal(have, csrchash.Render(p.Name, h)):
			t.Errorf("%s: %s/%s is out of date (csrc/ hashes to %s now)", hint, p.Dir, csrchash.FileName, h)
		}
	}
	existing, err := csrchash.Existing(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range existing {
		if !slices.Contains(dirs, dir) {
			t.Errorf("%s: %s/%s is left over from a package that no longer includes csrc/", hint, dir, csrchash.FileName)
		}
	}
}

// The packages known to include csrc/ are found, so that a change to the
// search that loses one fails here rather than going unnoticed.
func TestPkgs(t *testing.T) {
	root, err := csrchash.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := csrchash.Pkgs(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []csrchash.Pkg{{Dir: "bench", Name: "bench"}, {Dir: "internal/cimpl", Name: "cimpl"}} {
		if !slices.Contains(pkgs, want) {
			t.Errorf("Pkgs(%s) = %v, want it to contain %v (if that package no longer includes csrc/, drop it here)", root, pkgs, want)
		}
	}
}
