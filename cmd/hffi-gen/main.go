// SPDX-License-Identifier: Apache-2.0

// Command hffi-gen writes Go methods that call C functions, from a Go
// interface that lists them: the code a bound function (ffi.Bind5 and its
// siblings) runs, written out per signature, so that a call does only
// what its parameters need.
//
//	//go:generate go run github.com/hffi-go/hffi/cmd/hffi-gen -type Zlib
//
//	type Zlib interface {
//		//hffi:sym compress2
//		Compress2(dst []byte, n *uint64, src ffi.In[byte], srcLen uint64, level int32) int32
//	}
//
// writes zlib_hffi.go in the same package, with
//
//	type ZlibFuncs struct{ ... }            // implements Zlib
//	func BindZlib(lib *ffi.Library) (*ZlibFuncs, error)
//
// Each method of the interface names its C symbol with a //hffi:sym line
// in its doc comment. Parameters and results follow ffi's rules, and mean
// what they mean to Bind0 ... Bind15: a []T or *T of a scalar T is copied
// into scratch memory and back (an ffi.In slice is not copied back), a
// string is copied with a NUL, integers are widened. The generated
// methods of signatures of at most 6 integer, pointer, string, slice and
// out-parameter words fill the words themselves (ffi.Scratch,
// ffi.WordFunc); the rest (floats, structs, more parameters, variadics,
// ffi.WithErrno, ...) call a function bound with Bind0 ... Bind15, which
// checks them when BindZlib runs. A direct call of a generated method
// also lets the compiler see that a pointer argument does not escape:
// `&n` stays on the caller's stack, where a call through a func value
// (or cgo) moves it to the heap.
//
// Flags:
//
//	-type NAME  the interface (required)
//	-impl NAME  the struct type written (default NAMEFuncs)
//	-bind NAME  the function that binds it (default BindNAME, or bindNAME
//	            for an unexported interface)
//	-o FILE     the file written (default lowercase(NAME)_hffi.go; - for
//	            standard output)
//	-dir DIR    the package's directory (default .)
//	-src FILE   the file that declares the interface, for one declared
//	            in several files (per platform, under build constraints)
//
// The output has the build constraint of the interface's file: its
// //go:build line and the _GOOS_GOARCH suffix of its name.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.typ, "type", "", "the interface that lists the C functions (required)")
	flag.StringVar(&cfg.impl, "impl", "", "the struct type written (default TYPEFuncs)")
	flag.StringVar(&cfg.bind, "bind", "", "the function that binds it (default BindTYPE)")
	flag.StringVar(&cfg.out, "o", "", "the file written (default lowercase(TYPE)_hffi.go; - for standard output)")
	flag.StringVar(&cfg.dir, "dir", ".", "the package's directory")
	flag.StringVar(&cfg.src, "src", "", "the file of the package that declares the interface (default: the only one)")
	flag.Parse()
	if cfg.typ == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	src, err := generate(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hffi-gen:", err)
		os.Exit(1)
	}
	out := cfg.outFile()
	if out == "-" {
		os.Stdout.Write(src)
		return
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "hffi-gen:", err)
		os.Exit(1)
	}
}

type config struct {
	typ, impl, bind, out, dir, src string
}

func (c config) outFile() string {
	switch {
	case c.out == "-":
		return "-"
	case c.out != "":
		return c.out
	}
	return filepath.Join(c.dir, strings.ToLower(c.typ)+"_hffi.go")
}

const ffiPath = "github.com/hffi-go/hffi/ffi"

// wordTypes are the types passed as one word: how to widen a value of
// each, and how to narrow a result to it (%s is the word).
var wordTypes = map[string]struct{ in, out string }{
	"int8":           {"uintptr(int64(%s))", "int8(%s)"},
	"int16":          {"uintptr(int64(%s))", "int16(%s)"},
	"int32":          {"uintptr(int64(%s))", "int32(%s)"},
	"int64":          {"uintptr(%s)", "int64(%s)"},
	"int":            {"uintptr(%s)", "int(%s)"},
	"uint8":          {"uintptr(%s)", "uint8(%s)"},
	"byte":           {"uintptr(%s)", "byte(%s)"},
	"uint16":         {"uintptr(%s)", "uint16(%s)"},
	"uint32":         {"uintptr(%s)", "uint32(%s)"},
	"uint64":         {"uintptr(%s)", "uint64(%s)"},
	"uint":           {"uintptr(%s)", "uint(%s)"},
	"uintptr":        {"%s", "%s"},
	"bool":           {"", "uint8(%s) != 0"},
	"unsafe.Pointer": {"uintptr(%s)", "*(*unsafe.Pointer)(unsafe.Pointer(&%s))"},
}

// wordImports are the named types of other packages passed as one word.
var wordImports = map[string]string{
	"handles.Handle": "github.com/hffi-go/hffi/handles",
	"arena.Ref":      "github.com/hffi-go/hffi/arena",
}

// scalars are the element types ffi.CopyIn and ffi.CopySliceIn take.
var scalars = map[string]bool{
	"int8": true, "int16": true, "int32": true, "int64": true, "int": true,
	"uint8": true, "byte": true, "uint16": true, "uint32": true, "uint64": true,
	"uint": true, "uintptr": true, "float32": true, "float64": true, "bool": true,
}

type param struct {
	name, typ string
	// how the word is made: "word" (wordTypes), "str", "in" (a slice not
	// copied back), "slice", "ptr" (*T of a scalar T), "pptr"
	// (*unsafe.Pointer)
	how string
}

type method struct {
	name, sym string
	params    []param
	result    string          // "" for none
	sig       string          // the Go signature, for the fallback field
	direct    bool            // filled by hand; otherwise a bound func field
	why       string          // why not direct
	quals     map[string]bool // the packages its signature names
}

type pkgFile struct {
	name    string
	spdx    string            // the SPDX line of the interface's file, repeated atop the output
	file    string            // the interface's file
	build   string            // its build constraint (//go:build and its name's _GOOS_GOARCH), "" if none
	imports map[string]string // package name -> path
}

func generate(cfg config) ([]byte, error) {
	if cfg.impl == "" {
		cfg.impl = cfg.typ + "Funcs"
	}
	if cfg.bind == "" {
		if ast.IsExported(cfg.typ) {
			cfg.bind = "Bind" + cfg.typ
		} else {
			r := []rune(cfg.typ)
			cfg.bind = "bind" + string(unicode.ToUpper(r[0])) + string(r[1:])
		}
	}
	fset := token.NewFileSet()
	entries, err := os.ReadDir(cfg.dir)
	if err != nil {
		return nil, err
	}
	var it *ast.InterfaceType
	var pf pkgFile
	for _, e := range entries {
		n := e.Name()
		if cfg.src != "" && n != filepath.Base(cfg.src) {
			continue
		}
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || strings.HasSuffix(n, "_hffi.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(cfg.dir, n), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				if ts.Name.Name != cfg.typ {
					continue
				}
				t, ok := ts.Type.(*ast.InterfaceType)
				if !ok {
					return nil, fmt.Errorf("%s is not an interface", cfg.typ)
				}
				if it != nil {
					// Declared once per platform, say, in files with build
					// constraints: writing one file for whichever came last
					// would bind another platform's symbols.
					return nil, fmt.Errorf("%s is declared in %s and %s: pick one with -src (and name the output with -o)", cfg.typ, pf.file, n)
				}
				build, err := buildOf(f, n)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", n, err)
				}
				it = t
				pf = pkgFile{name: f.Name.Name, imports: imports(f), spdx: spdxOf(f), file: n, build: build}
			}
		}
	}
	if it == nil {
		return nil, fmt.Errorf("no interface %s in %s", cfg.typ, cfg.dir)
	}
	var ms []method
	for _, f := range it.Methods.List {
		ft, ok := f.Type.(*ast.FuncType)
		if !ok || len(f.Names) != 1 {
			return nil, fmt.Errorf("%s: %s embeds another interface: list the methods", fset.Position(f.Pos()), cfg.typ)
		}
		m, err := parseMethod(fset, f, ft, pf)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("interface %s has no methods", cfg.typ)
	}
	return write(cfg, pf, ms)
}

// buildOf returns the build constraint of the file named name: its
// //go:build line's, and the one its name's _GOOS, _GOARCH or
// _GOOS_GOARCH suffix implies, which the output's name does not repeat.
func buildOf(f *ast.File, name string) (string, error) {
	var x constraint.Expr
	and := func(y constraint.Expr) {
		if x == nil {
			x = y
		} else {
			x = &constraint.AndExpr{X: x, Y: y}
		}
	}
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			if constraint.IsGoBuild(c.Text) {
				y, err := constraint.Parse(c.Text)
				if err != nil {
					return "", err
				}
				and(y)
			}
		}
	}
	parts := strings.Split(strings.TrimSuffix(name, ".go"), "_")
	n := len(parts)
	switch {
	case n >= 3 && knownOS[parts[n-2]] && knownArch[parts[n-1]]:
		and(&constraint.TagExpr{Tag: parts[n-2]})
		and(&constraint.TagExpr{Tag: parts[n-1]})
	case n >= 2 && (knownOS[parts[n-1]] || knownArch[parts[n-1]]):
		and(&constraint.TagExpr{Tag: parts[n-1]})
	}
	if x == nil {
		return "", nil
	}
	return x.String(), nil
}

// knownOS and knownArch are the GOOS and GOARCH values that a file
// name's suffix can name (go/build's lists).
var knownOS, knownArch = set("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos"),
	set("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm")

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// spdxOf returns the file's SPDX-License-Identifier line, if its first
// comment has one.
func spdxOf(f *ast.File) string {
	if len(f.Comments) == 0 || f.Comments[0].Pos() > f.Package {
		return ""
	}
	for _, c := range f.Comments[0].List {
		if strings.HasPrefix(c.Text, "// SPDX-License-Identifier:") {
			return c.Text
		}
	}
	return ""
}

func imports(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, s := range f.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		name := importName(p)
		if s.Name != nil {
			name = s.Name.Name
		}
		m[name] = p
	}
	return m
}

// importName guesses the name a package imported without one is known by:
// its path's last element, without a major version (example.com/x/v2,
// gopkg.in/yaml.v3). A wrong guess cannot pass unnoticed: a type it
// qualifies is then "not imported", an error.
func importName(path string) string {
	elems := strings.Split(path, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = elems[len(elems)-2]
	}
	if i := strings.Index(name, ".v"); i > 0 && strings.HasPrefix(path, "gopkg.in/") {
		name = name[:i]
	}
	return name
}

func typeString(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	printer.Fprint(&b, fset, e)
	return b.String()
}

// symOf finds the //hffi:sym line of a method.
func symOf(f *ast.Field) string {
	for _, g := range []*ast.CommentGroup{f.Doc, f.Comment} {
		if g == nil {
			continue
		}
		for _, c := range g.List {
			if rest, ok := strings.CutPrefix(c.Text, "//hffi:sym "); ok {
				return strings.TrimSpace(rest) // one word: parseMethod checks
			}
		}
	}
	return ""
}

func parseMethod(fset *token.FileSet, f *ast.Field, ft *ast.FuncType, pf pkgFile) (method, error) {
	m := method{name: f.Names[0].Name, sym: symOf(f), direct: true}
	pos := fset.Position(f.Pos())
	if m.sym == "" {
		return m, fmt.Errorf("%s: method %s: no //hffi:sym line names its C symbol", pos, m.name)
	}
	if strings.ContainsAny(m.sym, " \t") {
		return m, fmt.Errorf("%s: method %s: //hffi:sym %s: one C symbol name, nothing after it (comments go on a line of their own)", pos, m.name, m.sym)
	}
	// The qualifier of every type must be an import of the file; the
	// output imports those its signatures use.
	var bad error
	m.quals = map[string]bool{}
	ast.Inspect(ft, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := s.X.(*ast.Ident); ok {
				if _, ok := pf.imports[id.Name]; !ok && bad == nil {
					bad = fmt.Errorf("%s: method %s: package %s is not imported", pos, m.name, id.Name)
				}
				m.quals[id.Name] = true
			}
		}
		return true
	})
	if bad != nil {
		return m, bad
	}
	fallback := func(why string) {
		if m.direct {
			m.direct, m.why = false, why
		}
	}
	badParam := -1
	for _, p := range ft.Params.List {
		t := typeString(fset, p.Type)
		names := p.Names
		if len(names) == 0 {
			names = []*ast.Ident{nil}
		}
		for _, n := range names {
			name := "" // renamed below
			if n != nil && n.Name != "_" && !shadows(n.Name, pf) {
				name = n.Name
			}
			q := param{name: name, typ: t}
			switch {
			case strings.HasPrefix(t, "..."):
				return m, fmt.Errorf("%s: method %s: a Go variadic parameter: list C's extra arguments as parameters and mark the symbol Variadic", pos, m.name)
			case isWord(t, pf):
				q.how = "word"
				if t == "float32" || t == "float64" {
					fallback("a floating-point parameter")
				}
			case t == "string":
				q.how = "str"
			case strings.HasPrefix(t, "[]") && scalars[t[2:]]:
				q.how = "slice"
			case strings.HasPrefix(t, "*") && scalars[t[1:]]:
				q.how = "ptr"
			case t == "*unsafe.Pointer" && pf.imports["unsafe"] == "unsafe":
				q.how = "pptr"
			case isIn(t, pf):
				q.how = "in"
			default:
				if m.direct {
					badParam = len(m.params) // named below, once every parameter has its name
				}
				fallback("parameter")
			}
			m.params = append(m.params, q)
		}
	}
	// Unnamed parameters, and those whose names would hide what the
	// generated code uses, are a0, a1, ... by position, unless another
	// parameter has the name.
	taken := map[string]bool{}
	for _, q := range m.params {
		taken[q.name] = true
	}
	for i := range m.params {
		if q := &m.params[i]; q.name == "" {
			q.name = fmt.Sprintf("a%d", i)
			for taken[q.name] || shadows(q.name, pf) {
				q.name += "_"
			}
			taken[q.name] = true
		}
	}
	if badParam >= 0 {
		m.why = "parameter " + m.params[badParam].name + " of type " + m.params[badParam].typ
	}
	if len(m.params) > 6 {
		fallback("more than 6 parameters")
	}
	if ft.Results != nil {
		rs := ft.Results.List
		if len(rs) != 1 || len(rs[0].Names) > 1 {
			return m, fmt.Errorf("%s: method %s: more than one result", pos, m.name)
		}
		m.result = typeString(fset, rs[0].Type)
		if !isWord(m.result, pf) || m.result == "float32" || m.result == "float64" {
			fallback("a result of type " + m.result)
		}
	}
	m.sig = typeString(fset, ft)
	return m, nil
}

// shadows reports whether a parameter named name would hide something
// that a generated method's body names: its locals (x, s, r, w0, w1,
// ...), a package (ffi, whatever the file names it, unsafe, handles) or
// a predeclared identifier (the conversions uintptr(...), int64(...),
// uint8(...) and the result's type).
func shadows(name string, pf pkgFile) bool {
	if name == "x" || name == "s" || name == "r" || name == "ffi" {
		return true
	}
	if _, err := strconv.Atoi(strings.TrimPrefix(name, "w")); strings.HasPrefix(name, "w") && err == nil {
		return true
	}
	if _, ok := pf.imports[name]; ok {
		return true
	}
	return types.Universe.Lookup(name) != nil
}

func isWord(t string, pf pkgFile) bool {
	if t == "float32" || t == "float64" {
		return true // a word of the other class: bound, not filled
	}
	if _, ok := wordTypes[t]; ok {
		return t != "unsafe.Pointer" || pf.imports["unsafe"] == "unsafe"
	}
	if path, ok := wordImports[t]; ok {
		q, _, _ := strings.Cut(t, ".")
		return pf.imports[q] == path
	}
	return false
}

// isIn reports whether t is ffi.In[T] of a scalar T.
func isIn(t string, pf pkgFile) bool {
	q, rest, ok := strings.Cut(t, ".")
	if !ok || pf.imports[q] != ffiPath {
		return false
	}
	elem, ok := strings.CutPrefix(rest, "In[")
	return ok && strings.HasSuffix(elem, "]") && scalars[strings.TrimSuffix(elem, "]")]
}

func write(cfg config, pf pkgFile, ms []method) ([]byte, error) {
	// The generated code names package ffi as the interface's file does,
	// or as ffi if that file does not import it.
	fq := ""
	for q, path := range pf.imports {
		switch {
		case path != ffiPath:
		case q == ".":
			return nil, errors.New("package ffi is dot-imported in the interface's file: import it with a name")
		case fq == "" || q < fq:
			fq = q // the same name whatever the map's order
		}
	}
	if fq == "" {
		if _, taken := pf.imports["ffi"]; taken {
			return nil, errors.New(`the package name "ffi" is taken by another import: import github.com/hffi-go/hffi/ffi in the interface's file`)
		}
		fq = "ffi"
		pf.imports["ffi"] = ffiPath
	}
	var b bytes.Buffer
	// In formats, "ffi." is the qualifier of package ffi.
	p := func(format string, args ...any) {
		fmt.Fprintf(&b, strings.ReplaceAll(format, "ffi.", fq+"."), args...)
	}
	used := map[string]bool{fq: true}
	for _, m := range ms {
		for q := range m.quals {
			used[q] = true
		}
		if m.direct && (m.result == "unsafe.Pointer") {
			used["unsafe"] = true
		}
	}
	var names []string
	for q := range used {
		names = append(names, q)
	}
	sort.Strings(names)

	if pf.spdx != "" {
		p("%s\n\n", pf.spdx)
	}
	if pf.build != "" {
		fmt.Fprintf(&b, "//go:build %s\n\n", pf.build)
	}
	fmt.Fprintf(&b, "// Code generated by hffi-gen -type %s; DO NOT EDIT.\n\n", cfg.typ)
	fmt.Fprintf(&b, "package %s\n\nimport (\n", pf.name)
	for _, q := range names {
		path := pf.imports[q]
		if importName(path) == q {
			fmt.Fprintf(&b, "\t%q\n", path)
		} else {
			fmt.Fprintf(&b, "\t%s %q\n", q, path)
		}
	}
	p(")\n\n")
	p("// %s calls the C functions of %s; %s makes one.\n", cfg.impl, cfg.typ, cfg.bind)
	p("type %s struct {\n", cfg.impl)
	for _, m := range ms {
		if m.direct {
			p("\tfn%s ffi.WordFunc\n", m.name)
		} else {
			p("\tfn%s %s // %s\n", m.name, m.sig, m.why)
		}
	}
	p("}\n\n")
	p("var _ %s = (*%s)(nil)\n\n", cfg.typ, cfg.impl)
	p("// %s binds the C functions of %s in lib; the error names the first\n// that is missing or that ffi refuses.\n", cfg.bind, cfg.typ)
	p("func %s(lib *ffi.Library) (*%s, error) {\n\tx := new(%s)\n\tvar err error\n", cfg.bind, cfg.impl, cfg.impl)
	for _, m := range ms {
		switch {
		case m.direct:
			p("\tif x.fn%s, err = lib.Sym(%q).WordFunc(); err != nil {\n\t\treturn nil, err\n\t}\n", m.name, m.sym)
		case m.result == "":
			p("\tif err = ffi.BindVoid%d(&x.fn%s, lib.Sym(%q)); err != nil {\n\t\treturn nil, err\n\t}\n", len(m.params), m.name, m.sym)
		default:
			p("\tif err = ffi.Bind%d(&x.fn%s, lib.Sym(%q)); err != nil {\n\t\treturn nil, err\n\t}\n", len(m.params), m.name, m.sym)
		}
	}
	p("\treturn x, nil\n}\n")
	for _, m := range ms {
		writeMethod(p, cfg, m)
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the output: %w\n%s", err, b.Bytes())
	}
	return src, nil
}

func writeMethod(p func(string, ...any), cfg config, m method) {
	var ps, args []string
	for _, q := range m.params {
		ps = append(ps, q.name+" "+q.typ)
		args = append(args, q.name)
	}
	res := ""
	if m.result != "" {
		res = " " + m.result
	}
	p("\n// %s calls %s.\nfunc (x *%s) %s(%s)%s {\n", m.name, m.sym, cfg.impl, m.name, strings.Join(ps, ", "), res)
	if !m.direct {
		ret := ""
		if m.result != "" {
			ret = "return "
		}
		p("\t%sx.fn%s(%s)\n}\n", ret, m.name, strings.Join(args, ", "))
		return
	}
	copies := false
	for _, q := range m.params {
		if q.how != "word" {
			copies = true
		}
	}
	if copies {
		p("\tvar s ffi.Scratch\n\tdefer s.Release()\n")
	}
	var ws []string
	for i, q := range m.params {
		w := fmt.Sprintf("w%d", i)
		switch q.how {
		case "word":
			if q.typ == "bool" {
				p("\t%s := uintptr(0)\n\tif %s {\n\t\t%s = 1\n\t}\n", w, q.name, w)
			} else {
				in := "uintptr(%s)"
				if wt, ok := wordTypes[q.typ]; ok {
					in = wt.in
				}
				w = fmt.Sprintf(in, q.name)
			}
		case "str":
			p("\t%s := s.String(%s)\n", w, q.name)
		case "slice":
			p("\t%s := ffi.CopySliceIn(&s, %s)\n", w, q.name)
		case "in":
			p("\t%s := ffi.CopySliceIn(&s, []%s(%s))\n", w, inElem(q.typ), q.name)
		case "ptr":
			p("\t%s := ffi.CopyIn(&s, %s)\n", w, q.name)
		case "pptr":
			p("\t%s := ffi.CopyPointerIn(&s, %s)\n", w, q.name)
		}
		ws = append(ws, w)
	}
	call := fmt.Sprintf("x.fn%s.Call%d(%s)", m.name, len(ws), strings.Join(ws, ", "))
	if m.result == "" {
		p("\t%s\n", call)
	} else {
		p("\tr := %s\n", call)
	}
	for i, q := range m.params {
		switch q.how {
		case "slice":
			p("\tffi.CopySliceBack(%s, w%d)\n", q.name, i)
		case "ptr":
			p("\tffi.CopyBack(%s, w%d)\n", q.name, i)
		case "pptr":
			p("\tffi.CopyPointerBack(%s, w%d)\n", q.name, i)
		}
	}
	if m.result != "" {
		out := "%s(%s)"
		if wt, ok := wordTypes[m.result]; ok {
			p("\treturn %s\n", fmt.Sprintf(wt.out, "r"))
		} else {
			p("\treturn %s\n", fmt.Sprintf(out, m.result, "r"))
		}
	}
	p("}\n")
}

func inElem(t string) string {
	_, rest, _ := strings.Cut(t, ".In[")
	return strings.TrimSuffix(rest, "]")
}
