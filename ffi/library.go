// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
)

// Backend returns the name of the backend this program was built with:
// "cgo" (cgo enabled and no hffi_purego tag) or "purego" (CGO_ENABLED=0,
// or the hffi_purego build tag). Both behave the same; they differ in
// speed and in what the runtime checks (see the package documentation).
func Backend() string { return backendName }

// A Library is a shared library opened with [Open]. Its methods are safe
// for concurrent use.
type Library struct {
	name   string
	mu     sync.Mutex
	h      uintptr // dlopen handle; 0 once closed
	closed atomic.Bool
}

// Open loads the shared library at path (with RTLD_NOW | RTLD_LOCAL, so
// every undefined symbol is resolved now and none leak into the global
// namespace). A path without a slash is searched for the way dlopen does.
// Errors read "ffi: open <path>: <dlerror>".
func Open(path string) (*Library, error) {
	if path == "" {
		return nil, fmt.Errorf("ffi: open: empty path: %w", hffi.EINVAL)
	}
	h, err := dlopen(path)
	if err != nil {
		return nil, fmt.Errorf("ffi: open %s: %w", path, err)
	}
	return &Library{name: path, h: h}, nil
}

// Name returns the path the library was opened with.
func (l *Library) Name() string { return l.name }

// Sym looks up the function or data symbol name. A failed lookup gives a
// Symbol that carries its error ([Symbol.Err]), and binding it reports
// that error, so a lookup and a bind take one check:
//
//	if err := ffi.Bind2(&add, lib.Sym("foo_add")); err != nil {
//		return err // "ffi: bind libfoo.so:foo_add: ...: undefined symbol: foo_add"
//	}
//
// The error matches [hffi.ENOTFOUND], or [hffi.ECLOSED] after Close, with
// errors.Is.
func (l *Library) Sym(name string) Symbol {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.h == 0 {
		return Symbol{lib: l, name: name, err: newDLError("library closed", hffi.ECLOSED)}
	}
	a, err := dlsym(l.h, name)
	if err != nil {
		return Symbol{lib: l, name: name, err: err}
	}
	return Symbol{lib: l, name: name, addr: ptrFromAddr(a)}
}

// Close unloads the library (dlclose). It is idempotent. Every function
// bound to one of its symbols panics with "ffi: ... library closed" if it
// is called afterwards; a call that is running while Close unloads the
// code is a bug of the program that hffi cannot catch.
func (l *Library) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.h == 0 {
		return nil
	}
	l.closed.Store(true)
	h := l.h
	l.h = 0
	if err := dlclose(h); err != nil {
		return fmt.Errorf("ffi: close %s: %w", l.name, err)
	}
	return nil
}

// A Symbol is the address of a function or variable in C, or the error of
// looking it up ([Symbol.Err]). The zero Symbol is invalid. Symbols are
// small values: copy them freely.
type Symbol struct {
	lib  *Library
	name string
	addr unsafe.Pointer // never a Go pointer; nil if err is set
	err  error          // why the lookup failed, without the "ffi: " context
	opts symOpts        // how to call it: symopt.go
}

// SymbolAt makes a Symbol of a C address obtained some other way, for
// example a function pointer that C returned. name is used in errors only.
// Nothing checks that addr is code or data: it is the caller's word.
func SymbolAt(name string, addr uintptr) Symbol {
	return Symbol{name: name, addr: ptrFromAddr(addr)}
}

// Name returns the symbol's name.
func (s Symbol) Name() string { return s.name }

// Addr returns the symbol's address as an integer, for passing to C; 0 if
// the lookup failed. The memory of a data symbol is C's and stays valid
// until the library is closed.
func (s Symbol) Addr() uintptr { return uintptr(s.addr) }

// Err returns why the lookup failed, as "ffi: symbol <library>:<name>:
// ...", or nil. Bind0 ... Bind15 and BindVoid0 ... BindVoid15 return it too,
// so checking their error is enough.
func (s Symbol) Err() error {
	if s.err == nil {
		return nil
	}
	return fmt.Errorf("ffi: symbol %s: %w", s, s.err)
}

// String returns "library:name", or the name alone.
func (s Symbol) String() string {
	if s.lib != nil {
		return s.lib.name + ":" + s.name
	}
	return s.name
}

// live panics if s belongs to a closed library: calling into unmapped code
// would crash the process with no message.
func (s *Symbol) live() {
	if s.lib != nil && s.lib.closed.Load() {
		panic(&codeError{msg: "ffi: call to " + s.String() + " after its library was closed", code: hffi.ECLOSED})
	}
}

// newDLError is the text of dlerror with the code it means, so that
// errors.Is(err, hffi.ENOTFOUND) holds for a failed lookup.
func newDLError(msg string, code hffi.Code) error {
	if msg == "" {
		msg = "unknown dynamic loader error"
	}
	return &codeError{msg: msg, code: code}
}
