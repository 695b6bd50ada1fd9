// SPDX-License-Identifier: Apache-2.0

package csrchash_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/csrchash"
)

// Every package that includes csrc/ in its cgo build has an up-to-date
// zcsrc_hash.go, and no other package has one. The test reads csrc/ and
// the generated files, so go test's result cache notices edits of them.
// bench/internal/cimpl and bench run the same check, so that testing them alone
// after an edit of csrc/ also fails instead of testing stale C.
func TestGenerated(t *testing.T) { csrchash.Verify(t) }

// Editors' lock files and other non-sources in csrc/ do not count.
func TestSumSkipsNonSources(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "csrc"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "csrc", "a.c"), []byte("int a;\n"), 0o644))
	before, err := csrchash.Sum(root)
	require.NoError(t, err)
	require.NoError(t, os.Symlink("nowhere", filepath.Join(root, "csrc", ".#a.c")))
	require.NoError(t, os.WriteFile(filepath.Join(root, "csrc", ".b.h"), []byte("x"), 0o644))
	after, err := csrchash.Sum(root)
	require.NoError(t, err)
	require.Equal(t, before, after, "non-sources changed the hash")
	require.NoError(t, os.WriteFile(filepath.Join(root, "csrc", "a.c"), []byte("int b;\n"), 0o644))
	edited, err := csrchash.Sum(root)
	require.NoError(t, err)
	require.NotEqual(t, before, edited, "an edit did not change the hash")
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
	for _, want := range []csrchash.Pkg{{Dir: "bench", Name: "bench"}, {Dir: "bench/internal/cimpl", Name: "cimpl"}} {
		if !slices.Contains(pkgs, want) {
			t.Errorf("Pkgs(%s) = %v, want it to contain %v (if that package no longer includes csrc/, drop it here)", root, pkgs, want)
		}
	}
}
