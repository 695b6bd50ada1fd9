// SPDX-License-Identifier: Apache-2.0

// Package csrchash keeps Go's build cache honest about csrc/.
//
// The build cache keys a cgo compile on the files of the package's own
// directory, not on what they #include from elsewhere, so after an edit
// of csrc/*.c or csrc/hffi.h a warm cache could link stale C objects into
// the packages that include them (bench/internal/cimpl, which compiles csrc/*.c,
// and those that include csrc/hffi.h). Each of those packages therefore
// has a generated zcsrc_hash.go whose cgo preamble defines a macro set to
// a hash of csrc/: editing csrc/ and running
//
//	go generate .
//
// (or go generate ./...) changes the hash, hence the package's cache key,
// hence forces a rebuild. The generator is gen.go in this directory, run
// by a //go:generate line of the root package (generate.go); this package's test
// fails when a zcsrc_hash.go is missing, stale or left over.
//
// The package is plain Go so that the test runs in CGO_ENABLED=0 builds
// too; nothing outside the generator and the test imports it.
package csrchash

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FileName is the name of the generated file in each package directory.
const FileName = "zcsrc_hash.go"

// Root returns the module root: dir or its nearest parent with a go.mod.
func Root(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("csrchash: no go.mod above the current directory")
		}
		dir = parent
	}
}

// Sum returns the first 16 hex digits of a SHA-256 over csrc/*.c and
// csrc/*.h under root, in name order, each as its name, its length and
// its contents (so renaming or moving bytes between files changes it).
func Sum(root string) (string, error) {
	var names []string
	for _, pat := range []string{"*.c", "*.h"} {
		m, err := filepath.Glob(filepath.Join(root, "csrc", pat))
		if err != nil {
			return "", err
		}
		for _, name := range m {
			// Editors' lock and backup files (.#hffi.c, a dangling
			// symlink) are not sources.
			if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && !strings.HasPrefix(filepath.Base(name), ".") {
				names = append(names, name)
			}
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("csrchash: no csrc/*.c or csrc/*.h under %s", root)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
	h := sha256.New()
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(name), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Pkg is a package directory that includes files of csrc/ in its cgo
// build.
type Pkg struct {
	Dir  string // slash-separated, relative to the module root
	Name string // package name
}

// Pkgs finds, under root, every package directory that has a non-test
// file importing "C" and that mentions csrc or hffi.h in a cgo preamble
// (an -I flag or an #include) or in a C or C++ file of its own (such as
// bench/internal/cimpl's #include "../../../csrc/hffi.c"). C that a program or
// test compiles at run time with a C compiler does not go through the
// build cache and needs nothing.
func Pkgs(root string) ([]Pkg, error) {
	var pkgs []Pkg
	err := walkDirs(root, func(dir string) error {
		pkg, ok, err := includesCsrc(filepath.Join(root, dir))
		if ok {
			pkgs = append(pkgs, Pkg{Dir: dir, Name: pkg})
		}
		return err
	})
	return pkgs, err
}

// Existing returns the directories under root that hold a FileName.
func Existing(root string) ([]string, error) {
	var dirs []string
	err := walkDirs(root, func(dir string) error {
		if _, err := os.Stat(filepath.Join(root, dir, FileName)); err == nil {
			dirs = append(dirs, dir)
		}
		return nil
	})
	return dirs, err
}

// walkDirs calls fn with each directory of the module at root, relative
// and slash-separated, skipping csrc/ itself, testdata, hidden and _
// directories, vendor/ and nested modules.
func walkDirs(root string, fn func(dir string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != root {
			name := d.Name()
			if name == "csrc" || name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel))
	})
}

// Hint is what to do when Check reports a problem.
const Hint = "csrc changed: run go generate ."

// Check reports every package under root whose zcsrc_hash.go is missing
// or stale, and every zcsrc_hash.go left in a package that no longer
// includes csrc/, one error each; err is for failures to read the tree.
func Check(root string) (problems []error, err error) {
	h, err := Sum(root)
	if err != nil {
		return nil, err
	}
	pkgs, err := Pkgs(root)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, p := range pkgs {
		dirs = append(dirs, p.Dir)
		have, err := os.ReadFile(filepath.Join(root, p.Dir, FileName))
		switch {
		case err != nil:
			problems = append(problems, fmt.Errorf("%s: %s/%s is missing (%v)", Hint, p.Dir, FileName, err))
		case !bytes.Equal(have, Render(p.Name, h)):
			problems = append(problems, fmt.Errorf("%s: %s/%s is out of date (csrc/ hashes to %s now)", Hint, p.Dir, FileName, h))
		}
	}
	existing, err := Existing(root)
	if err != nil {
		return nil, err
	}
	for _, dir := range existing {
		if !slices.Contains(dirs, dir) {
			problems = append(problems, fmt.Errorf("%s: %s/%s is left over from a package that no longer includes csrc/", Hint, dir, FileName))
		}
	}
	return problems, nil
}

// Verify fails tb with one error per problem that Check reports, for the
// tests of this package and of the packages that include csrc/. It finds
// the module from the working directory, which go test sets to the
// package's.
func Verify(tb testing.TB) {
	tb.Helper()
	root, err := Root(".")
	if err != nil {
		tb.Fatal(err)
	}
	problems, err := Check(root)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range problems {
		tb.Error(p)
	}
}

// Macro is the C macro that the generated files define to the hash. It
// differs from HFFI_CSRC_HASH, which .ci/run used to put in CGO_CFLAGS
// (and a developer may still have there), so that the two never clash.
const Macro = "HFFI_CSRC_HASH_GEN"

// Render returns the contents of FileName for package pkg and hash h.
func Render(pkg, h string) []byte {
	return []byte(`// SPDX-License-Identifier: Apache-2.0

// Code generated by internal/csrchash/gen.go from csrc/*.c and csrc/*.h. DO NOT EDIT.

//go:build cgo

package ` + pkg + `

// The hash of csrc/ in the cgo flags below is part of this package's build
// cache key, so an edit of csrc/ (plus go generate .)
// rebuilds the C that this package includes from there.

// #cgo CFLAGS: -D` + Macro + `=0x` + h + `
import "C"
`)
}

// includesCsrc reports whether the cgo build of dir includes csrc/, and
// the package name.
func includesCsrc(dir string) (pkg string, ok bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", false, err
	}
	mentions := func(s string) bool { return strings.Contains(s, "csrc") || strings.Contains(s, "hffi.h") }
	cgo, inC := false, false
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == FileName {
			continue
		}
		switch filepath.Ext(name) {
		case ".go":
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly|parser.ParseComments)
			if err != nil {
				return "", false, err
			}
			if ignored(f) {
				continue
			}
			for _, decl := range f.Decls {
				g, isGen := decl.(*ast.GenDecl)
				if !isGen || g.Tok != token.IMPORT {
					continue
				}
				for _, spec := range g.Specs {
					imp := spec.(*ast.ImportSpec)
					if imp.Path.Value != `"C"` {
						continue
					}
					cgo, pkg = true, f.Name.Name
					// The preamble is the comment just above import "C":
					// the spec's in an import ( ... ) block, else the
					// declaration's.
					preamble := imp.Doc
					if !g.Lparen.IsValid() {
						preamble = g.Doc
					}
					if preamble != nil && mentions(preamble.Text()) {
						inC = true
					}
				}
			}
		case ".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".S", ".m":
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return "", false, err
			}
			if bytes.Contains(data, []byte("csrc")) || bytes.Contains(data, []byte("hffi.h")) {
				inC = true
			}
		}
	}
	return pkg, cgo && inC, nil
}

// ignored reports whether f has the //go:build ignore of a go run script.
func ignored(f *ast.File) bool {
	for _, c := range f.Comments {
		if c.Pos() > f.Package {
			break
		}
		for _, l := range c.List {
			if strings.HasPrefix(l.Text, "//go:build") && strings.Contains(l.Text, "ignore") {
				return true
			}
		}
	}
	return false
}
