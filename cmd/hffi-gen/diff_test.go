// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The C kinds of ffiframe.c's fr_any_set.
const (
	frValue = iota
	frBuf
	frBools
	frStr
	frPtrP
	frNone
)

// diffParam is one parameter of a random signature: its Go type and how
// the test makes its values and tells fr_any6 what it is.
type diffParam struct {
	typ  string
	elem string // the scalar of a []T, *T or In[T]
	kind string // "val", "str", "slice", "in", "ptr", "pptr"
}

var diffScalars = []string{"int8", "int16", "int32", "int64", "int", "uint8", "byte", "uint16",
	"uint32", "uint64", "uint", "uintptr", "bool"}

var diffElems = append([]string{"float32", "float64"}, diffScalars...)

// diffNames are parameter names, the awkward ones included: the
// generated code's locals, the packages and types it names.
var diffNames = []string{"a", "b", "n", "x", "s", "r", "w0", "w1", "w5", "a0", "a1", "a2", "_",
	"ffi", "hf", "unsafe", "uintptr", "int64", "uint8", "int32", "bool", "len", "err", "lib", "handles"}

func randParam(rng *rand.Rand, q string) diffParam {
	switch rng.IntN(7) {
	case 0:
		return diffParam{typ: "string", kind: "str"}
	case 1:
		e := diffElems[rng.IntN(len(diffElems))]
		return diffParam{typ: "[]" + e, elem: e, kind: "slice"}
	case 2:
		e := diffElems[rng.IntN(len(diffElems))]
		return diffParam{typ: q + ".In[" + e + "]", elem: e, kind: "in"}
	case 3:
		e := diffElems[rng.IntN(len(diffElems))]
		return diffParam{typ: "*" + e, elem: e, kind: "ptr"}
	case 4:
		return diffParam{typ: "*unsafe.Pointer", kind: "pptr"}
	case 5:
		return diffParam{typ: "handles.Handle", kind: "val"}
	}
	return diffParam{typ: diffScalars[rng.IntN(len(diffScalars))], kind: "val"}
}

// TestGeneratedMatchesBound generates methods for random signatures of
// at most 6 words over fr_any6 (ffi/testdata/ffiframe.c), which reads
// each word as the test describes it, and checks that every method and a
// function bound with ffi.Bind0 ... Bind6 for the same signature give the
// same result and leave the same values in the arguments. The parameter
// names include the generated code's locals and the names of the types
// and packages it uses.
func TestGeneratedMatchesBound(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	if testing.Short() {
		t.Skip("builds and runs a generated package")
	}
	// A fixed seed by default, so that a run is repeatable; set
	// HFFI_GEN_SEED to another number (or "time") to try more signatures.
	seed := uint64(1)
	switch s := os.Getenv("HFFI_GEN_SEED"); s {
	case "":
	case "time":
		seed = uint64(time.Now().UnixNano())
	default:
		_, err := fmt.Sscan(s, &seed)
		require.NoError(t, err, "HFFI_GEN_SEED")
	}
	t.Logf("seed %d (HFFI_GEN_SEED)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	for round := 0; round < 2; round++ {
		q := []string{"ffi", "hf"}[round]
		var api, body strings.Builder
		imp := `"github.com/hffi-go/hffi/ffi"`
		if q != "ffi" {
			imp = q + " " + imp
		}
		fmt.Fprintf(&api, "// SPDX-License-Identifier: Apache-2.0\n\npackage p\n\nimport (\n\t\"unsafe\"\n\n\t%s\n\t\"github.com/hffi-go/hffi/handles\"\n)\n\nvar _ unsafe.Pointer\nvar _ handles.Handle\nvar _ %s.Symbol\n\ntype T interface {\n", imp, q)
		for m := 0; m < 40; m++ {
			n := rng.IntN(7)
			ps := make([]diffParam, n)
			var decl, btypes []string
			unnamed := rng.IntN(5) == 0
			seen := map[string]bool{}
			for i := range ps {
				ps[i] = randParam(rng, q)
				name := diffNames[rng.IntN(len(diffNames))]
				for seen[name] && name != "_" {
					name = diffNames[rng.IntN(len(diffNames))]
				}
				seen[name] = true
				if unnamed {
					decl = append(decl, ps[i].typ)
				} else {
					decl = append(decl, name+" "+ps[i].typ)
				}
				btypes = append(btypes, ps[i].typ)
			}
			res := ""
			if k := rng.IntN(len(diffScalars) + 2); k < len(diffScalars) {
				res = " " + diffScalars[k]
			} else if k == len(diffScalars) {
				res = " handles.Handle"
			}
			fmt.Fprintf(&api, "\t//hffi:sym fr_any6\n\tM%d(%s)%s\n", m, strings.Join(decl, ", "), res)
			bind := fmt.Sprintf("%s.Bind%d", q, n)
			if res == "" {
				bind = fmt.Sprintf("%s.BindVoid%d", q, n)
			}
			fmt.Fprintf(&body, "\t{\n\t\tvar bound func(%s)%s\n\t\trequire.NoError(t, %s(&bound, lib.Sym(\"fr_any6\")))\n", strings.Join(btypes, ", "), res, bind)
			fmt.Fprintf(&body, "\t\tfor trial := 0; trial < 30; trial++ {\n")
			for i := n; i < 6; i++ {
				fmt.Fprintf(&body, "\t\t\tset(%d, %d, 0)\n", i, frNone)
			}
			var ga, ba []string
			for i, p := range ps {
				g, b := fmt.Sprintf("g%d", i), fmt.Sprintf("b%d", i)
				ga, ba = append(ga, g), append(ba, b)
				switch p.kind {
				case "val":
					fmt.Fprintf(&body, "\t\t\t%s := val[%s](rng)\n\t\t\t%s := %s\n\t\t\tset(%d, %d, 0)\n", g, p.typ, b, g, i, frValue)
				case "str":
					fmt.Fprintf(&body, "\t\t\t%s := str(rng)\n\t\t\t%s := %s\n\t\t\tset(%d, %d, 0)\n", g, b, g, i, frStr)
				case "slice", "in":
					k := frBuf
					if p.elem == "bool" {
						k = frBools
					}
					fmt.Fprintf(&body, "\t\t\t%s := slice[%s](rng)\n\t\t\t%s := clone(%s)\n\t\t\tset(%d, %d, int64(len(%s))*int64(unsafe.Sizeof(%s[0])))\n", g, p.elem, b, g, i, k, g, g)
				case "ptr":
					k := frBuf
					if p.elem == "bool" {
						k = frBools
					}
					fmt.Fprintf(&body, "\t\t\t%s, %s := ptrs[%s](rng)\n\t\t\tset(%d, %d, int64(unsafe.Sizeof(*new(%s))))\n", g, b, p.elem, i, k, p.elem)
				case "pptr":
					fmt.Fprintf(&body, "\t\t\t%s, %s := pptrs(rng)\n\t\t\tset(%d, %d, 0)\n", g, b, i, frPtrP)
				}
			}
			call := func(f string, as []string) string {
				var cs []string
				for i, a := range as {
					if ps[i].kind == "in" {
						a = fmt.Sprintf("%s.In[%s](%s)", q, ps[i].elem, a)
					}
					cs = append(cs, a)
				}
				return fmt.Sprintf("%s(%s)", f, strings.Join(cs, ", "))
			}
			if res == "" {
				fmt.Fprintf(&body, "\t\t\t%s\n\t\t\t%s\n", call("g.M"+fmt.Sprint(m), ga), call("bound", ba))
			} else {
				fmt.Fprintf(&body, "\t\t\trg := %s\n\t\t\trb := %s\n\t\t\trequire.Equal(t, rb, rg, \"M%d result, trial %%d\", trial)\n", call("g.M"+fmt.Sprint(m), ga), call("bound", ba), m)
			}
			for i, p := range ps {
				switch p.kind {
				case "slice", "in":
					fmt.Fprintf(&body, "\t\t\trequire.Equal(t, raw(b%d), raw(g%d), \"M%d parameter %d, trial %%d\", trial)\n", i, i, m, i)
				case "ptr":
					fmt.Fprintf(&body, "\t\t\trequire.Equal(t, rawp(b%d), rawp(g%d), \"M%d parameter %d, trial %%d\", trial)\n", i, i, m, i)
				case "pptr":
					fmt.Fprintf(&body, "\t\t\trequire.Equal(t, b%d == nil, g%d == nil, \"M%d parameter %d\")\n\t\t\tif b%d != nil {\n\t\t\t\trequire.Equal(t, *b%d, *g%d, \"M%d parameter %d, trial %%d\", trial)\n\t\t\t}\n", i, i, m, i, i, i, i, m, i)
				}
			}
			fmt.Fprintf(&body, "\t\t}\n\t}\n")
		}
		api.WriteString("}\n")

		dir, err := os.MkdirTemp(".", "diff-")
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(dir) })
		require.NoError(t, os.WriteFile(filepath.Join(dir, "api.go"), []byte(api.String()), 0o644))
		out, err := generate(config{typ: "T", dir: dir})
		require.NoError(t, err, "%s", api.String())
		require.NoError(t, os.WriteFile(filepath.Join(dir, "t_hffi.go"), out, 0o644))
		test := strings.ReplaceAll(diffTestHeader, "QFFI", q) + body.String() + "}\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "diff_test.go"), []byte(test), 0o644))
		cmd := exec.Command(goCmd, "test", "-count=1", "./"+filepath.Base(dir))
		cmd.Env = append(os.Environ(), fmt.Sprintf("HFFI_DIFF_SEED=%d", seed+uint64(round)))
		msg, err := cmd.CombinedOutput()
		if err != nil {
			keep := filepath.Join(os.TempDir(), "hffi-gen-diff-"+fmt.Sprint(seed))
			os.MkdirAll(keep, 0o755)
			for _, f := range []string{"api.go", "t_hffi.go", "diff_test.go"} {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				os.WriteFile(filepath.Join(keep, f), b, 0o644)
			}
			t.Fatalf("round %d (package ffi as %s), seed %d, files kept in %s:\n%s", round, q, seed, keep, msg)
		}
	}
}

const diffTestHeader = `// SPDX-License-Identifier: Apache-2.0

package p

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	QFFI "github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/cbuild"
)

var _ handles.Handle

type scalar interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 |
		~int | ~uint | ~uintptr | ~float32 | ~float64 | ~bool
}

func val[T scalar](rng *rand.Rand) T {
	var z T
	p := unsafe.Pointer(&z)
	switch any(z).(type) {
	case bool:
		*(*bool)(p) = rng.IntN(2) == 1
	case float32, float64:
		if unsafe.Sizeof(z) == 4 {
			*(*float32)(p) = float32(rng.NormFloat64())
		} else {
			*(*float64)(p) = rng.NormFloat64()
		}
	default:
		v := rng.Uint64()
		switch rng.IntN(4) {
		case 0:
			v = uint64(rng.IntN(5)) - 2
		case 1:
			v = 1 << rng.IntN(64)
		}
		b := unsafe.Slice((*byte)(p), unsafe.Sizeof(z))
		for i := range b {
			b[i] = byte(v >> (8 * i))
		}
	}
	return z
}

func slice[T scalar](rng *rand.Rand) []T {
	var n int
	switch rng.IntN(6) {
	case 0:
		return nil
	case 1:
		n = 0
	case 2:
		n = 1 + rng.IntN(9)
	case 3:
		n = 10 + rng.IntN(100)
	case 4:
		n = 300 + rng.IntN(700)
	default:
		n = 4000 + rng.IntN(5000)
	}
	s := make([]T, n)
	for i := range s {
		s[i] = val[T](rng)
	}
	return s
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

func ptrs[T scalar](rng *rand.Rand) (*T, *T) {
	if rng.IntN(5) == 0 {
		return nil, nil
	}
	a := val[T](rng)
	b := a
	return &a, &b
}

var cmem []unsafe.Pointer

func pptrs(rng *rand.Rand) (*unsafe.Pointer, *unsafe.Pointer) {
	switch rng.IntN(4) {
	case 0:
		return nil, nil
	case 1:
		var a, b unsafe.Pointer
		return &a, &b
	}
	if len(cmem) == 0 {
		var a, b unsafe.Pointer
		return &a, &b
	}
	p := cmem[rng.IntN(len(cmem))]
	a, b := p, p
	return &a, &b
}

func str(rng *rand.Rand) string {
	n := []int{0, 1, 7, 8, 9, 63, 64, 65, 200, 4095, 4096, 5000}[rng.IntN(12)]
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

type rawSlice struct {
	Nil   bool
	Bytes []byte
}

func raw[S ~[]T, T any](s S) rawSlice {
	var z T
	return rawSlice{s == nil, append([]byte{}, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), uintptr(len(s))*unsafe.Sizeof(z))...)}
}

func rawp[T any](p *T) []byte {
	if p == nil {
		return nil
	}
	return append([]byte{}, unsafe.Slice((*byte)(unsafe.Pointer(p)), unsafe.Sizeof(*p))...)
}

func TestDiff(t *testing.T) {
	path := cbuild.SharedLib(t, "libffiframe.so", []string{"ffi/testdata/ffiframe.c"})
	lib, err := QFFI.Open(path)
	require.NoError(t, err)
	var seed uint64
	fmt.Sscan(os.Getenv("HFFI_DIFF_SEED"), &seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	g, err := BindT(lib)
	require.NoError(t, err)
	var set func(i, kind, n int64)
	require.NoError(t, QFFI.BindVoid3(&set, lib.Sym("fr_any_set")))
	// Pointers C wrote into *unsafe.Pointer parameters, to pass again.
	var mem func(unsafe.Pointer, *unsafe.Pointer) uint64
	require.NoError(t, QFFI.Bind2(&mem, lib.Sym("fr_any6")))
	for i := int64(0); i < 6; i++ {
		set(i, 5, 0)
	}
	set(1, 4, 0)
	for i := 0; i < 8; i++ {
		var p unsafe.Pointer
		mem(nil, &p)
		set(0, 0, 0)
		cmem = append(cmem, p)
	}
`
