// SPDX-License-Identifier: Apache-2.0

package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/cbuild"
)

// TestHost builds this package as a C shared library and as a C archive,
// compiles host/host.c against each with the C compiler (under
// AddressSanitizer when the compiler has it) and runs it.
//
// The library is built by a child go build with CGO_ENABLED=1, so the test
// also runs in CGO_ENABLED=0 test runs, as long as a C compiler is
// installed: -buildmode=c-shared and c-archive need cgo, but this test
// process does not. Without a C compiler it skips.
func TestHost(t *testing.T) {
	cc := cbuild.CC()
	if cc == nil {
		t.Skip("no C compiler found (go env CC): skipping the C host, which -buildmode=c-shared needs too")
	}
	root := cbuild.Root()
	if !filepath.IsAbs(root) {
		t.Skip(cbuild.ErrTrimpath)
	}
	pkg := filepath.Join(root, "examples", "cshared")
	track(t, pkg, filepath.Join(root, "csrc"))
	asan := hasASan(t, cc)
	for _, mode := range []struct{ name, lib string }{
		{"c-shared", "libdocstore.so"},
		{"c-archive", "libdocstore.a"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			dir := t.TempDir()
			lib := filepath.Join(dir, mode.lib)
			build := exec.Command("go", "build", "-buildmode="+mode.name, "-o", lib, ".")
			build.Dir = pkg
			build.Env = append(os.Environ(), "CGO_ENABLED=1")
			out, err := build.CombinedOutput()
			require.NoError(t, err, "go build -buildmode=%s:\n%s", mode.name, out)

			args := append([]string{}, cc[1:]...)
			args = append(args, "-std=c11", "-g", "-Wall", "-Wextra", "-Werror",
				"-I", dir, "-I", filepath.Join(root, "csrc"),
				"-o", filepath.Join(dir, "host"), filepath.Join(pkg, "host", "host.c"))
			if asan {
				args = append(args, "-fsanitize=address", "-fno-omit-frame-pointer")
			}
			if mode.name == "c-shared" {
				args = append(args, "-L", dir, "-ldocstore", "-Wl,-rpath,"+dir)
			} else {
				args = append(args, lib, "-lpthread")
			}
			out, err = exec.Command(cc[0], args...).CombinedOutput()
			require.NoError(t, err, "%s %s\n%s", cc[0], strings.Join(args, " "), out)

			out, err = exec.Command(filepath.Join(dir, "host")).CombinedOutput()
			t.Logf("host (%s, asan=%v):\n%s", mode.name, asan, out)
			require.NoError(t, err)
			got := string(out)
			assert.True(t, strings.HasSuffix(got, "\nok\n"), "the host's last line is ok")
			assert.Contains(t, got, "reading dune's old tree after that                   HFFI_ESTALE")
			assert.Contains(t, got, "ds_close again                                       HFFI_EDELETED")
			assert.Contains(t, got, "  each: emma = Emma, 474 pages, 1 tags, first classic")
		})
	}
}

// hasASan reports whether the C compiler links -fsanitize=address.
func hasASan(t *testing.T, cc []string) bool {
	exe := filepath.Join(t.TempDir(), "probe")
	src := filepath.Join(t.TempDir(), "probe.c")
	require.NoError(t, os.WriteFile(src, []byte("int main(void) { return 0; }\n"), 0o644))
	args := append(append([]string{}, cc[1:]...), "-fsanitize=address", "-o", exe, src)
	if err := exec.Command(cc[0], args...).Run(); err != nil {
		t.Log("the C compiler has no AddressSanitizer; running the host without it")
		return false
	}
	return true
}

// track reads the files the child builds read, so that go test, which
// records the files a test opens, re-runs a cached test after they change.
func track(t *testing.T, dirs ...string) {
	for _, dir := range dirs {
		_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() && d.Name() == "build" {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				if f, err := os.Open(path); err == nil {
					_, _ = io.Copy(io.Discard, f)
					_ = f.Close()
				}
			}
			return nil
		})
	}
}
