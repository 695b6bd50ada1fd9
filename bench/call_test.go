// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/ebitengine/purego"

	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/cbuild"
)

// The C side of the call and callback benchmarks is ffi's test library
// (ffi/testdata/ffitest.c), compiled once per process with `go env CC` and
// loaded twice: by ffi.Open for hffi and the cgo peers, by purego.Dlopen
// for the purego peers. Every peer calls the same C functions.
var ffiLib struct {
	once   sync.Once
	lib    *ffi.Library
	purego uintptr
	err    error
}

func loadFFILib(b testing.TB) *ffi.Library {
	b.Helper()
	ffiLib.once.Do(func() {
		srcs, err := filepath.Glob(filepath.Join(cbuild.CSrcDir(), "*.c"))
		if err != nil {
			ffiLib.err = err
			return
		}
		path := cbuild.SharedLib(b, "libffitest.so", append(srcs, "ffi/testdata/ffitest.c"))
		if ffiLib.lib, ffiLib.err = ffi.Open(path); ffiLib.err != nil {
			return
		}
		ffiLib.purego, ffiLib.err = purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	})
	if ffiLib.err != nil || ffiLib.lib == nil {
		if cbuild.CC() == nil {
			b.Skip("no C compiler found (go env CC): the call benchmarks need the C test library")
		}
		b.Fatalf("C test library: %v", ffiLib.err)
	}
	return ffiLib.lib
}

func ffiSym(b *testing.B, name string) ffi.Symbol {
	b.Helper()
	s := loadFFILib(b).Sym(name)
	if err := s.Err(); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkCall calls int64_t ft_add(int64_t, int64_t) from Go: hffi on
// the backend of the build, the cgo peer where cgo is enabled, and both
// purego peers in every build.
func BenchmarkCall(b *testing.B) {
	sym := ffiSym(b, "ft_add")
	b.Run("hffi", func(b *testing.B) {
		var add func(int, int) int
		if err := ffi.Bind2(&add, sym); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			callSink = add(i, 2)
			i++
		}
	})
	if cgoCallPeer != nil {
		b.Run("cgo", func(b *testing.B) { cgoCallPeer(b, sym.Addr()) })
	}
	b.Run("purego.RegisterLibFunc", func(b *testing.B) {
		var add func(int, int) int
		purego.RegisterLibFunc(&add, ffiLib.purego, "ft_add")
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			callSink = add(i, 2)
			i++
		}
	})
	b.Run("purego.SyscallN", func(b *testing.B) {
		fn := sym.Addr()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r, _, _ := purego.SyscallN(fn, uintptr(i), 2)
			callSink = int(r)
			i++
		}
	})
}
