// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/amalg"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/values"
)

// The embedded header is csrc/ as it is now.
func TestUpToDate(t *testing.T) {
	want, err := amalg.Build(cbuild.CSrcDir())
	require.NoError(t, err)
	if !bytes.Equal(header, want) {
		t.Fatal("cmd/hffi-header/zhffi.h is out of date: run go generate .")
	}
	assert.Equal(t, abi.VersionString, define("HFFI_VERSION_STRING"))
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	require.NoError(t, run([]string{"-o", dir}, &out, &errs))
	path := filepath.Join(dir, "hffi.h")
	assert.Equal(t, fmt.Sprintf("hffi-header: wrote %s (hffi %s, ABI %d)\n", path, abi.VersionString, abi.ABIVersion), out.String())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, header, got)

	// A second run leaves the file alone.
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.NoError(t, run([]string{"-o", dir}, &out, &errs))
	fi2, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fi.ModTime(), fi2.ModTime())

	out.Reset()
	require.NoError(t, run([]string{"-o", "-"}, &out, &errs))
	assert.Equal(t, header, out.Bytes())
	assert.Error(t, run([]string{"extra"}, &out, &errs))
	assert.Error(t, run([]string{"-o", filepath.Join(dir, "missing", "dir")}, &out, &errs))
}

// compiler returns the C (or C++) compiler command, skipping t if none.
func compiler(t *testing.T, cxx bool) []string {
	t.Helper()
	cc := cbuild.CC()
	if cc == nil {
		t.Skip("no C compiler found (go env CC): skipping a test that compiles the header")
	}
	if !cxx {
		return cc
	}
	name := os.Getenv("CXX")
	if name == "" {
		if out, err := exec.Command("go", "env", "CXX").Output(); err == nil {
			name = strings.TrimSpace(string(out))
		}
	}
	f := strings.Fields(name)
	if len(f) == 0 {
		t.Skip("no C++ compiler found (go env CXX)")
	}
	if _, err := exec.LookPath(f[0]); err != nil {
		t.Skipf("no C++ compiler found (go env CXX is %q)", name)
	}
	return f
}

func compile(t *testing.T, cmd []string, args ...string) {
	t.Helper()
	all := append(append([]string{}, cmd[1:]...), args...)
	out, err := exec.Command(cmd[0], all...).CombinedOutput()
	require.NoError(t, err, "%s %s\n%s", cmd[0], strings.Join(all, " "), out)
}

// writeHeader writes the header the command writes, and more files, into
// a new directory.
func writeHeader(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, run([]string{"-o", dir}, new(bytes.Buffer), new(bytes.Buffer)))
	for name, src := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	return dir
}

// exported returns the hffi_ functions an ELF object defines with
// external linkage (nil for an object whose copy is private).
func exported(t *testing.T, obj string) []string {
	t.Helper()
	f, err := elf.Open(obj)
	require.NoError(t, err)
	defer f.Close()
	syms, err := f.Symbols()
	require.NoError(t, err)
	var names []string
	for _, s := range syms {
		if strings.HasPrefix(s.Name, "hffi_") && s.Section != elf.SHN_UNDEF && elf.ST_BIND(s.Info) != elf.STB_LOCAL {
			names = append(names, s.Name)
		}
	}
	return names
}

const strict = "-Wall -Wextra -Werror -pedantic"

// The written header compiles in every mode it documents: declarations
// only, and the implementation as a private copy or with external linkage,
// as C99 and C++, after a system header (whose feature macros it cannot
// change any more).
func TestCompile(t *testing.T) {
	impl := "#include <stdio.h>\n#define HFFI_IMPLEMENTATION\n#include \"hffi.h\"\n"
	dir := writeHeader(t, map[string]string{
		"decl.c": "#include <stdio.h>\n#include \"hffi.h\"\nint decl_version(void) { return hffi_version(); }\n",
		"a.c":    impl + "int a_version(void) { return hffi_version(); }\n",
		"b.c":    impl + "const char *b_name(int c) { return hffi_err_name(c); }\n",
		"ext.c":  "#define HFFI_IMPLEMENTATION_EXTERN\n#include \"hffi.h\"\n",
		"main.c": `#include <stdio.h>
#include <string.h>
#include "hffi.h"
int a_version(void);
const char *b_name(int c);
int main(void) {
    if (a_version() != HFFI_VERSION_NUMBER || hffi_version() != HFFI_VERSION_NUMBER) return 1;
    if (strcmp(b_name(HFFI_ESTALE), "HFFI_ESTALE") != 0) return 2;
    puts("ok");
    return 0;
}
`,
	})
	obj := func(name string) string { return filepath.Join(dir, name) }
	for _, lang := range []struct {
		name string
		cxx  bool
		std  string
	}{{"C99", false, "-std=c99 -x c"}, {"C++11", true, "-std=c++11 -x c++"}} {
		t.Run(lang.name, func(t *testing.T) {
			cc := compiler(t, lang.cxx)
			flags := strings.Fields(lang.std + " " + strict)
			compile(t, cc, append(flags, "-fsyntax-only", obj("decl.c"))...)
			for _, name := range []string{"a", "b", "ext", "main"} {
				compile(t, cc, append(flags, "-c", "-o", obj(name+"."+lang.name+".o"), obj(name+".c"))...)
			}
			if runtime.GOOS != "linux" {
				return
			}
			// Private copies export nothing, so they link next to any
			// other copy: here two of them and one with external linkage.
			assert.Empty(t, exported(t, obj("a."+lang.name+".o")))
			assert.Empty(t, exported(t, obj("b."+lang.name+".o")))
			assert.Contains(t, exported(t, obj("ext."+lang.name+".o")), "hffi_val_get_str")
			exe := obj("prog." + lang.name)
			var objs []string
			for _, name := range []string{"main", "a", "b", "ext"} {
				objs = append(objs, obj(name+"."+lang.name+".o"))
			}
			compile(t, cc, append([]string{"-o", exe}, objs...)...)
			out, err := exec.Command(exe).CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Equal(t, "ok\n", string(out))
		})
	}
	// Defining HFFI_IMPLEMENTATION after a plain include is refused, not
	// silently given external linkage.
	late := obj("late.c")
	require.NoError(t, os.WriteFile(late, []byte("#include \"hffi.h\"\n#define HFFI_IMPLEMENTATION\n#include \"hffi.h\"\n"), 0o644))
	cc := compiler(t, false)
	out, err := exec.Command(cc[0], append(cc[1:], "-fsyntax-only", late)...).CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "define HFFI_IMPLEMENTATION before the first #include")
}

// C built with a header of another ABI version, with its own embedded
// implementation, gets HFFI_EVERSION from every entry point on the root of
// the running Go side, before it reads anything else. The same C built
// with this version's header works.
func TestOtherABIVersion(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("purego loads libraries on linux and darwin")
	}
	handlestest.Track(t)
	src, err := os.ReadFile(filepath.Join("testdata", "version.c"))
	require.NoError(t, err)
	cur := fmt.Sprintf("#define HFFI_ABI_VERSION %d\n", abi.ABIVersion)
	next := fmt.Sprintf("#define HFFI_ABI_VERSION %d\n", abi.ABIVersion+1)
	bumped := bytes.Replace(header, []byte(cur), []byte(next), 1)
	require.False(t, bytes.Equal(header, bumped), "the header has no line %q", cur)

	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	v, err := values.Encode(a, map[string]any{"k": "a value"})
	require.NoError(t, err)
	h := handles.NewHandle("go value")
	defer h.Delete()

	type lib struct {
		count func() int32
		name  func(i int32) string
		rc    func(rt uintptr, h handles.Handle, v, a arena.Ref, i int32) int32
	}
	load := func(hdr []byte) lib {
		dir := writeHeader(t, map[string]string{"version.c": string(src)})
		require.NoError(t, os.WriteFile(filepath.Join(dir, "hffi.h"), hdr, 0o644))
		// The header sits beside version.c, so it wins over csrc/ on
		// cbuild's include path.
		path := cbuild.SharedLib(t, "libversion.so", []string{filepath.Join(dir, "version.c")})
		h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
		require.NoError(t, err)
		var l lib
		purego.RegisterLibFunc(&l.count, h, "vt_count")
		purego.RegisterLibFunc(&l.name, h, "vt_name")
		purego.RegisterLibFunc(&l.rc, h, "vt_rc")
		return l
	}
	rt := uintptr(hffi.Runtime())

	same := load(header)
	for i := range int32(5) { // the read-only ones
		assert.Equal(t, int32(0), same.rc(rt, h, v, a.CArena(), i), "%s with this version's header", same.name(i))
	}

	other := load(bumped)
	n := other.count()
	require.Equal(t, int32(40), n)
	for i := range n {
		assert.Equal(t, hffi.EVERSION.Name(), hffi.Code(other.rc(rt, h, v, a.CArena(), i)).Name(), "%s with a header of the next ABI version", other.name(i))
	}
	// Nothing was done to the handle or the tree.
	assert.NoError(t, handles.Check(h))
	got, err := values.Decode(v)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"k": "a value"}, got)
}
