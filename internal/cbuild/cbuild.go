// SPDX-License-Identifier: Apache-2.0

// Package cbuild compiles C test fixtures at test time with the C compiler
// that `go env CC` names, so that tests in CGO_ENABLED=0 builds can load
// them with purego. Tests that need it skip with a clear message when no
// compiler is installed.
package cbuild

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	ccOnce sync.Once
	cc     []string
)

// CC returns the C compiler command (with any flags `go env CC` includes),
// or nil if none is installed.
func CC() []string {
	ccOnce.Do(func() {
		name := os.Getenv("CC")
		if name == "" {
			if out, err := exec.Command("go", "env", "CC").Output(); err == nil {
				name = strings.TrimSpace(string(out))
			}
		}
		if name == "" {
			name = "cc"
		}
		f := strings.Fields(name)
		if len(f) == 0 {
			return
		}
		if _, err := exec.LookPath(f[0]); err != nil {
			return
		}
		cc = f
	})
	return cc
}

// Root returns the absolute path of the module root.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// CSrcDir returns the absolute path of csrc/, which holds hffi.h.
func CSrcDir() string { return filepath.Join(Root(), "csrc") }

// SharedLib compiles sources (paths relative to the module root, or
// absolute) into a shared library named name in a temporary directory of
// tb, with -Wall -Wextra -Werror and csrc/ on the include path, and returns
// its path. It skips tb if no C compiler is installed and fails tb if the
// compilation fails.
func SharedLib(tb testing.TB, name string, sources []string, extraFlags ...string) string {
	tb.Helper()
	return build(tb, name, append([]string{"-shared", "-fPIC"}, extraFlags...), sources)
}

// Program compiles sources into an executable and returns its path, like
// SharedLib.
func Program(tb testing.TB, name string, sources []string, extraFlags ...string) string {
	tb.Helper()
	return build(tb, name, extraFlags, sources)
}

func build(tb testing.TB, name string, flags, sources []string) string {
	tb.Helper()
	if CC() == nil {
		tb.Skip("no C compiler found (go env CC): skipping a test that builds a C fixture at run time")
	}
	var out string
	if dir := os.Getenv("HFFI_CBUILD_CACHE"); dir != "" {
		// bench/instr.sh runs each benchmark binary once outside
		// callgrind to fill dir, then under it: callgrind aborts on the
		// SIGCHLD of a compiler that exits. The key is the command, not
		// the sources' contents: dir lives for one measurement only.
		h := sha256.Sum256([]byte(strings.Join(append(append([]string{name}, flags...), sources...), "\x00")))
		out = filepath.Join(dir, hex.EncodeToString(h[:8])+"-"+name)
		if _, err := os.Stat(out); err == nil {
			return out
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		tmp := out + ".tmp"
		if err := compile(tmp, flags, sources); err != nil {
			tb.Fatal(err)
		}
		if err := os.Rename(tmp, out); err != nil {
			tb.Fatal(err)
		}
		return out
	}
	out = filepath.Join(tb.TempDir(), name)
	if err := compile(out, flags, sources); err != nil {
		tb.Fatal(err)
	}
	return out
}

// ErrNoCC is returned by Library when no C compiler is installed.
var ErrNoCC = errors.New("cbuild: no C compiler found (set CC or install cc)")

// ErrTrimpath is returned by Library in a program built with -trimpath,
// which cannot find hffi's C sources.
var ErrTrimpath = errors.New("cbuild: this program was built with -trimpath, so it cannot find hffi's C sources (csrc/) to build its C side; build it without -trimpath in a source checkout")

// Library compiles sources (paths relative to the module root, or
// absolute) together with the C implementation of hffi (csrc/*.c) into
// the shared library dir/name and returns its path. It is for programs
// (the examples) that build their C side at start-up; tests use
// SharedLib.
func Library(dir, name string, sources ...string) (string, error) {
	return LibraryFlags(dir, name, nil, sources...)
}

func compile(out string, flags, sources []string) error {
	c := CC()
	args := append([]string{}, c[1:]...)
	args = append(args, "-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-I", CSrcDir(), "-o", out)
	args = append(args, flags...)
	for _, s := range sources {
		if !filepath.IsAbs(s) {
			s = filepath.Join(Root(), s)
		}
		args = append(args, s)
	}
	args = append(args, "-lpthread")
	track(sources)
	if msg, err := exec.Command(c[0], args...).CombinedOutput(); err != nil {
		return fmt.Errorf("cbuild: %s %s: %v\n%s", c[0], strings.Join(args, " "), err, msg)
	}
	return nil
}

// track opens the C sources and everything in csrc/ (which they may
// #include) from this process, so that go test, which records the files
// a test opens, re-runs a cached test after any of them changes: the C
// compiler's own reads are invisible to it.
func track(sources []string) {
	names, _ := filepath.Glob(filepath.Join(CSrcDir(), "*.[ch]"))
	for _, s := range sources {
		if !filepath.IsAbs(s) {
			s = filepath.Join(Root(), s)
		}
		names = append(names, s)
	}
	for _, name := range names {
		if f, err := os.Open(name); err == nil {
			_, _ = io.Copy(io.Discard, f)
			_ = f.Close()
		}
	}
}
