// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"sync"
	"testing"

	"github.com/ebitengine/purego"

	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/ffi/gentest"
	"github.com/hffi-go/hffi/internal/cbuild"
)

// The general-path benchmarks of issue 9: calls that the 6-word fast path
// cannot take, bound with ffi and compared with their peers in the same
// run. The C functions are callconv's fixture (cc_sum9, cc_struct24) and
// ffi's (fr_copy2, a compress2-shaped copy).

var frBenchLib struct {
	once sync.Once
	lib  *ffi.Library
	err  error
}

func frBenchSym(b *testing.B, name string) ffi.Symbol {
	b.Helper()
	frBenchLib.once.Do(func() {
		path := cbuild.SharedLib(b, "libffiframe.so", []string{"ffi/testdata/ffiframe.c"})
		frBenchLib.lib, frBenchLib.err = ffi.Open(path)
	})
	if frBenchLib.err != nil {
		b.Fatal(frBenchLib.err)
	}
	s := frBenchLib.lib.Sym(name)
	if err := s.Err(); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkCallMany calls a 9-parameter integer function (3 arguments on
// the stack on amd64).
func BenchmarkCallMany(b *testing.B) {
	fn := ccSym(b, "cc_sum9")
	b.Run("hffi", func(b *testing.B) {
		var sum9 func(int64, int64, int64, int64, int64, int64, int64, int64, int64) int64
		if err := ffi.Bind9(&sum9, ffi.SymbolAt("cc_sum9", fn)); err != nil {
			b.Fatal(err)
		}
		if sum9(1, 1, 1, 1, 1, 1, 1, 1, 1) != 45 {
			b.Fatal("wrong result")
		}
		b.ReportAllocs()
		i := int64(0)
		for b.Loop() {
			callconvSink = sum9(i, 2, 3, 4, 5, 6, 7, 8, 9)
			i++
		}
	})
	b.Run("purego.SyscallN", func(b *testing.B) {
		b.ReportAllocs()
		i := uintptr(0)
		for b.Loop() {
			r, _, _ := purego.SyscallN(fn, i, 2, 3, 4, 5, 6, 7, 8, 9)
			callconvSink = int64(r)
			i++
		}
	})
	if cgoSum9Peer != nil {
		b.Run("cgo", func(b *testing.B) { cgoSum9Peer(b, fn) })
	}
}

// BenchmarkCallStruct calls a function taking a 24-byte {double, double,
// int32} struct and returning a 16-byte {double, int64} one.
func BenchmarkCallStruct(b *testing.B) {
	fn := ccSym(b, "cc_struct24")
	b.Run("hffi", func(b *testing.B) {
		var f24 func(ccIn24) ccOut16
		if err := ffi.Bind1(&f24, ffi.SymbolAt("cc_struct24", fn)); err != nil {
			b.Fatal(err)
		}
		if f24(ccIn24{1, 2, 3}) != (ccOut16{5, 9}) {
			b.Fatal("wrong result")
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			callconvSink = f24(ccIn24{float64(i), 2, 3}).N
			i++
		}
	})
	b.Run("purego.RegisterFunc", func(b *testing.B) {
		var f24 func(ccIn24) ccOut16
		purego.RegisterFunc(&f24, fn)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			callconvSink = f24(ccIn24{float64(i), 2, 3}).N
			i++
		}
	})
	if cgoStruct24Peer != nil {
		b.Run("cgo", func(b *testing.B) { cgoStruct24Peer(b, fn) })
	}
}

// BenchmarkCallOut calls the compress2-shaped fr_copy2 on 64-byte Go
// buffers and a Go length variable: hffi copies the buffers and the
// length into scratch memory and back; plain cgo passes Go pointers.
func BenchmarkCallOut(b *testing.B) {
	sym := frBenchSym(b, "fr_copy2")
	src, dst := make([]byte, 64), make([]byte, 64)
	b.Run("hffi", func(b *testing.B) {
		var copy2 func(dst []byte, n *uint64, src []byte, srcLen uint64, level int32) int32
		if err := ffi.Bind5(&copy2, sym); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := int32(0)
		for b.Loop() {
			n := uint64(len(dst))
			copy2(dst, &n, src, uint64(len(src)), i)
			if n != 64 || dst[0] != byte(i) {
				b.Fatal("wrong result")
			}
			i++
		}
	})
	b.Run("hffi-in", func(b *testing.B) {
		// src marked as read by C only: not copied back.
		var copy2 func(dst []byte, n *uint64, src ffi.In[byte], srcLen uint64, level int32) int32
		if err := ffi.Bind5(&copy2, sym); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := int32(0)
		for b.Loop() {
			n := uint64(len(dst))
			copy2(dst, &n, src, uint64(len(src)), i)
			if n != 64 || dst[0] != byte(i) {
				b.Fatal("wrong result")
			}
			i++
		}
	})
	b.Run("hffi-gen", func(b *testing.B) {
		// The same signature through the methods cmd/hffi-gen writes
		// (ffi/gentest): src is an In slice, and n stays on the stack.
		f, err := gentest.BindFrame(frBenchLib.lib)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := int32(0)
		for b.Loop() {
			n := uint64(len(dst))
			f.Copy2(dst, &n, src, uint64(len(src)), i)
			if n != 64 || dst[0] != byte(i) {
				b.Fatal("wrong result")
			}
			i++
		}
	})
	if cgoOutPeer != nil {
		b.Run("cgo", func(b *testing.B) { cgoOutPeer(b, sym.Addr(), dst, src) })
	}
}
