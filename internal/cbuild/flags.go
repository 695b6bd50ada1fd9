// SPDX-License-Identifier: Apache-2.0

package cbuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// LibraryFlags is [Library] with extra compiler flags, such as
// -fsanitize=undefined, added after the defaults.
func LibraryFlags(dir, name string, flags []string, sources ...string) (string, error) {
	if CC() == nil {
		return "", ErrNoCC
	}
	if !filepath.IsAbs(Root()) {
		return "", ErrTrimpath
	}
	impl, err := filepath.Glob(filepath.Join(CSrcDir(), "*.c"))
	if err != nil || len(impl) == 0 {
		return "", fmt.Errorf("cbuild: no C sources in %s (run from a source checkout)", CSrcDir())
	}
	out := filepath.Join(dir, name)
	if err := compile(out, append([]string{"-shared", "-fPIC"}, flags...), append(sources, impl...)); err != nil {
		return "", err
	}
	return out, nil
}

// Accepts reports whether the C compiler builds a shared library with
// flags (for example, whether the sanitizer runtimes are installed).
func Accepts(flags ...string) bool {
	c := CC()
	if c == nil {
		return false
	}
	dir, err := os.MkdirTemp("", "cbuild-probe")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "probe.c")
	if os.WriteFile(src, []byte("int cbuild_probe(int a, int b) { return a << b; }\n"), 0o644) != nil {
		return false
	}
	args := append(append(append([]string{}, c[1:]...), flags...), "-shared", "-fPIC", "-o", filepath.Join(dir, "probe.so"), src)
	cmd := exec.Command(c[0], args...)
	cmd.Stderr = new(strings.Builder)
	return cmd.Run() == nil
}
