// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGeneratedUpToDate: the generated files checked in (ffi/gentest,
// ffi/libtest) are what hffi-gen writes now (run go generate on the
// package after changing either).
func TestGeneratedUpToDate(t *testing.T) {
	for _, tc := range []struct{ dir, typ, file string }{
		{"gentest", "Frame", "frame_hffi.go"},
		{"libtest", "Zlib", "zlib_hffi.go"},
		{"libtest", "SQLite", "sqlite_hffi.go"},
	} {
		dir := filepath.Join("..", "..", "ffi", tc.dir)
		got, err := generate(config{typ: tc.typ, dir: dir})
		require.NoError(t, err)
		want, err := os.ReadFile(filepath.Join(dir, tc.file))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "ffi/%s/%s is stale: go generate ./ffi/%s", tc.dir, tc.file, tc.dir)
	}
}

// gen writes src as a package's only file and runs hffi-gen on type T.
func gen(t *testing.T, src string, cfg config) (string, error) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "api.go"), []byte(src), 0o644))
	cfg.dir = dir
	if cfg.typ == "" {
		cfg.typ = "T"
	}
	out, err := generate(cfg)
	return string(out), err
}

const header = `// SPDX-License-Identifier: MIT

package p

import (
	"unsafe"

	hf "github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/handles"
)

var _ unsafe.Pointer
var _ handles.Handle
var _ hf.Symbol
`

func TestGenerate(t *testing.T) {
	out, err := gen(t, header+`
type T interface {
	// Put copies.
	//hffi:sym c_put
	Put(x int32, s string, w []uint16, r *float64, h handles.Handle, in hf.In[byte]) int8
	//hffi:sym c_f
	F(float64) float64
	//hffi:sym c_v
	V()
	//hffi:sym c_b
	B(b bool) bool
}
`, config{})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out, "// SPDX-License-Identifier: MIT\n"), "the SPDX line of the interface's file")
	for _, want := range []string{
		`hf "github.com/hffi-go/hffi/ffi"`,
		"type TFuncs struct",
		"func BindT(lib *hf.Library) (*TFuncs, error)",
		"var _ T = (*TFuncs)(nil)",
		// Parameters named like the method's locals are renamed.
		"func (x *TFuncs) Put(a0 int32, a1 string, w []uint16, a3 *float64, h handles.Handle, in hf.In[byte]) int8",
		"w1 := s.String(a1)",
		"w2 := hf.CopySliceIn(&s, w)",
		"w3 := hf.CopyIn(&s, a3)",
		"w5 := hf.CopySliceIn(&s, []byte(in))",
		"r := x.fnPut.Call6(uintptr(int64(a0)), w1, w2, w3, uintptr(h), w5)",
		"hf.CopySliceBack(w, w2)",
		"hf.CopyBack(a3, w3)",
		"return int8(r)",
		"// a floating-point parameter",
		"hf.Bind1(&x.fnF, lib.Sym(\"c_f\"))",
		"return x.fnF(a0)",
		"x.fnV.Call0()",
		"return uint8(r) != 0",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "CopySliceBack(in", "an In slice is not copied back")
	assert.NotContains(t, out, "ffi.", "package ffi is named hf in the interface's file")
	assert.Equal(t, 1, strings.Count(out, `"github.com/hffi-go/hffi/ffi"`), "imported once")
}

// TestGenerateUnexported: an unexported interface gets an unexported
// binder; -impl and -bind rename.
func TestGenerateUnexported(t *testing.T) {
	src := "package p\n\nimport \"github.com/hffi-go/hffi/ffi\"\n\nvar _ ffi.Symbol\n\ntype api interface {\n\t//hffi:sym c_x\n\tX() int\n}\n"
	out, err := gen(t, src, config{typ: "api"})
	require.NoError(t, err)
	assert.Contains(t, out, "func bindApi(lib *ffi.Library) (*apiFuncs, error)")
	assert.NotContains(t, out, "SPDX", "no SPDX line in the source: none written")
	out, err = gen(t, src, config{typ: "api", impl: "impl", bind: "open"})
	require.NoError(t, err)
	assert.Contains(t, out, "func open(lib *ffi.Library) (*impl, error)")
}

// TestGenerateErrors: what hffi-gen refuses, with the method named.
func TestGenerateErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, typ, want string }{
		{"no sym", "type T interface { X() }", "", "method X: no //hffi:sym line"},
		{"not an interface", "type T struct{}", "", "T is not an interface"},
		{"missing", "type U interface{}", "", "no interface T"},
		{"empty", "type T interface{}", "", "has no methods"},
		{"embedded", "type U interface{ Y() }\ntype T interface {\n\tU\n}", "", "embeds another interface"},
		{"variadic", "type T interface {\n\t//hffi:sym c\n\tX(a ...int)\n}", "", "method X: a Go variadic parameter"},
		{"two results", "type T interface {\n\t//hffi:sym c\n\tX() (int, error)\n}", "", "method X: more than one result"},
		{"not imported", "type T interface {\n\t//hffi:sym c\n\tX(a os.File)\n}", "", "package os is not imported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gen(t, header+tc.body+"\n", config{typ: tc.typ})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestGenerateFallbacks: signatures the words cannot carry are bound
// functions, each with the reason in a comment.
func TestGenerateFallbacks(t *testing.T) {
	out, err := gen(t, header+`
type S struct{ A, B float64 }

type T interface {
	//hffi:sym c_struct
	Struct(s S) S
	//hffi:sym c_many
	Many(a, b, c, d, e, f, g int) int
	//hffi:sym c_off
	Off(b hf.OffHeap[byte])
	//hffi:sym c_fres
	FRes() float32
	//hffi:sym c_errno
	Errno() hf.WithErrno[int32]
}
`, config{})
	require.NoError(t, err)
	for _, want := range []string{
		"// parameter a0 of type S", // s is a local of the generated code
		"// more than 6 parameters",
		"// parameter b of type hf.OffHeap[byte]",
		"// a result of type float32",
		"// a result of type hf.WithErrno[int32]",
		"func (x *TFuncs) Struct(a0 S) S {\n\treturn x.fnStruct(a0)\n}",
		"hf.BindVoid1(&x.fnOff, lib.Sym(\"c_off\"))",
		"hf.Bind7(&x.fnMany, lib.Sym(\"c_many\"))",
	} {
		assert.Contains(t, out, want)
	}
}

// TestGeneratedCompiles builds TestGenerate's and TestGenerateFallbacks'
// output with the go command, in a directory of this module.
func TestGeneratedCompiles(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	for i, body := range []string{`
type T interface {
	//hffi:sym c_put
	Put(x int32, s string, w []uint16, r *float64, h handles.Handle, in hf.In[byte]) int8
	//hffi:sym c_p
	P(p unsafe.Pointer, pp *unsafe.Pointer, b bool) unsafe.Pointer
	//hffi:sym c_f
	F(float64) float64
	//hffi:sym c_v
	V()
}
`, `
type S struct{ A, B float64 }

type T interface {
	//hffi:sym c_struct
	Struct(s S) S
	//hffi:sym c_many
	Many(a, b, c, d, e, f, g int) int
	//hffi:sym c_off
	Off(b hf.OffHeap[byte])
	//hffi:sym c_errno
	Errno() hf.WithErrno[int32]
}
`} {
		vetGenerated(t, goCmd, fmt.Sprint("case ", i), header+body)
	}
}

// vetGenerated writes src and hffi-gen's output for its interface T in a
// directory of this module and runs go vet on them.
func vetGenerated(t *testing.T, goCmd, name, src string) {
	t.Helper()
	dir, err := os.MkdirTemp(".", "compile-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.WriteFile(filepath.Join(dir, "api.go"), []byte(src), 0o644))
	out, err := generate(config{typ: "T", dir: dir})
	require.NoError(t, err, name)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "t_hffi.go"), out, 0o644))
	cmd := exec.Command(goCmd, "vet", "./"+filepath.Base(dir))
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s: %s\n%s", name, msg, out)
}

// TestGeneratedCompilesNames: parameters named like what the generated
// bodies use (the ffi and unsafe packages, the conversions to uintptr,
// int64 and uint8, the result's type, the locals), or like the names
// given to unnamed and renamed parameters, are renamed so that the
// output compiles; an import of the file whose name is a suffix of a
// qualifier used (e in unsafe.Pointer) is not imported for nothing.
func TestGeneratedCompilesNames(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	vetGenerated(t, goCmd, "names", `// SPDX-License-Identifier: Apache-2.0

package p

import (
	e "errors"
	"unsafe"

	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/handles"
)

var _ = e.New
var _ ffi.Symbol

type T interface {
	//hffi:sym c1
	A(uintptr int32, int64 int16, ffi *int32, unsafe []byte) int32
	//hffi:sym c2
	B(uint8 int32, bool bool) bool
	//hffi:sym c3
	C(int32 uint8, handles handles.Handle) unsafe.Pointer
	//hffi:sym c4
	D(a1 int32, x int32, _ string, a2 string) int32
	//hffi:sym c5
	E(e unsafe.Pointer, len int, s string) handles.Handle
	//hffi:sym c6
	F(float64 int64, f float64) float64
}
`)
}

// TestGenerateFFITaken: a file that uses the name ffi for another
// package must import hffi's ffi under some name for the output.
func TestGenerateFFITaken(t *testing.T) {
	_, err := gen(t, "package p\n\nimport ffi \"os\"\n\nvar _ ffi.File\n\ntype T interface {\n\t//hffi:sym c\n\tX()\n}\n", config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"ffi" is taken`)
}

// TestGenerateBuildConstraints: an interface declared per platform, in
// files with build constraints, is refused unless -src picks the file
// (hffi-gen read the last file and bound its symbols on every platform),
// and the output keeps the constraint of the file, from its //go:build
// line and from its name.
func TestGenerateBuildConstraints(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"errno_linux.go": "package p\n\ntype T interface {\n\t//hffi:sym __errno_location\n\tErrno() uintptr\n}\n",
		"errno_other.go": "//go:build !linux && !windows\n\npackage p\n\ntype T interface {\n\t//hffi:sym __error\n\tErrno() uintptr\n}\n",
		"doc.go":         "// Package p.\npackage p\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	_, err := generate(config{typ: "T", dir: dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "T is declared in errno_linux.go and errno_other.go")

	out, err := generate(config{typ: "T", dir: dir, src: "errno_linux.go"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(out), "//go:build linux\n\n"), "%s", out)
	assert.Contains(t, string(out), `lib.Sym("__errno_location")`)

	out, err = generate(config{typ: "T", dir: dir, src: "errno_other.go"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(out), "//go:build !linux && !windows\n\n"), "%s", out)
	assert.Contains(t, string(out), `lib.Sym("__error")`)

	require.NoError(t, os.Remove(filepath.Join(dir, "errno_linux.go")))
	require.NoError(t, os.Rename(filepath.Join(dir, "errno_other.go"), filepath.Join(dir, "errno_darwin_arm64.go")))
	out, err = generate(config{typ: "T", dir: dir})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(out), "//go:build !linux && !windows && darwin && arm64\n\n"), "%s", out)
}

// TestGenerateImportsAndSym: a dot-imported ffi and words after the
// symbol name are refused; a /vN import path is named by its element
// before the version; two names for ffi give one output whatever the
// order of a map.
func TestGenerateImportsAndSym(t *testing.T) {
	_, err := gen(t, "package p\n\nimport . \"github.com/hffi-go/hffi/ffi\"\n\nvar _ Symbol\n\ntype T interface {\n\t//hffi:sym c\n\tX()\n}\n", config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dot-imported")
	_, err = gen(t, header+"type T interface {\n\t//hffi:sym c_x // the x function\n\tX()\n}\n", config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "one C symbol name")
	assert.Equal(t, "yaml", importName("gopkg.in/yaml.v3"))
	assert.Equal(t, "x", importName("example.com/x/v2"))
	assert.Equal(t, "v", importName("example.com/v"))
	assert.Equal(t, "unsafe", importName("unsafe"))
	two := "package p\n\nimport (\n\ta \"github.com/hffi-go/hffi/ffi\"\n\tb \"github.com/hffi-go/hffi/ffi\"\n)\n\nvar _ a.Symbol\nvar _ b.Symbol\n\ntype T interface {\n\t//hffi:sym c\n\tX(s a.In[byte])\n}\n"
	first, err := gen(t, two, config{})
	require.NoError(t, err)
	for range 10 {
		again, err := gen(t, two, config{})
		require.NoError(t, err)
		require.Equal(t, first, again)
	}
	assert.Contains(t, first, "a.CopySliceIn")
}
