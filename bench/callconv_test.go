// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"reflect"
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/callconv"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/internal/libffi"
)

// The callconv benchmarks compare the two mechanisms issue 9 asked to
// measure before choosing (internal/callconv/RATIONALE_callconv.md): own
// call frames (internal/callconv) and libffi driven through a 4-word call
// (internal/libffi), against purego and plain cgo, on a 9-parameter
// integer function and on a 24-byte struct argument with a 16-byte
// struct result (internal/callconv/testdata/cc.c).

var ccLib struct {
	once sync.Once
	h    uintptr
	err  error
}

func ccSym(b *testing.B, name string) uintptr {
	b.Helper()
	ccLib.once.Do(func() {
		path := cbuild.SharedLib(b, "libcc.so", []string{"internal/callconv/testdata/cc.c"})
		ccLib.h, ccLib.err = purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	})
	if ccLib.err != nil {
		b.Fatal(ccLib.err)
	}
	a, err := purego.Dlsym(ccLib.h, name)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func ccPlan(b *testing.B, result any, params ...any) *callconv.Plan {
	b.Helper()
	var rt *callconv.Type
	var err error
	if result != nil {
		if rt, err = callconv.TypeOf(reflect.TypeOf(result)); err != nil {
			b.Fatal(err)
		}
	}
	ps := make([]*callconv.Type, len(params))
	for i, p := range params {
		if ps[i], err = callconv.TypeOf(reflect.TypeOf(p)); err != nil {
			b.Fatal(err)
		}
	}
	p, err := callconv.Prepare(callconv.Native, -1, rt, ps...)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// ffiCall4 calls ffi_call the way hffi's fast path would: a plain cgo call
// in cgo builds, purego.SyscallN otherwise.
func ffiCall4(fn, a, b, c, d uintptr) {
	if cgoCall4 != nil {
		cgoCall4(fn, a, b, c, d)
		return
	}
	purego.SyscallN(fn, a, b, c, d)
}

func openLibffi(b *testing.B) *libffi.Lib {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		b.Skip("the libffi prototype is linux/amd64 only")
	}
	l, err := libffi.Open()
	if err != nil {
		b.Skip(err)
	}
	return l
}

var ffiScratch = arena.NewPool()

func BenchmarkCallconvSum9(b *testing.B) {
	fn := ccSym(b, "cc_sum9")
	b.Run("callconv", func(b *testing.B) {
		p := ccPlan(b, int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0))
		sum9 := func(a0, a1, a2, a3, a4, a5, a6, a7, a8 int64) (r int64) {
			f := p.GetFrame()
			defer callconv.PutFrame(f)
			p.Word(f, 0, uint64(a0))
			p.Word(f, 1, uint64(a1))
			p.Word(f, 2, uint64(a2))
			p.Word(f, 3, uint64(a3))
			p.Word(f, 4, uint64(a4))
			p.Word(f, 5, uint64(a5))
			p.Word(f, 6, uint64(a6))
			p.Word(f, 7, uint64(a7))
			p.Word(f, 8, uint64(a8))
			p.Call(f, fn)
			p.Result(f, unsafe.Pointer(&r))
			return r
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
	b.Run("libffi", func(b *testing.B) {
		l := openLibffi(b)
		s64 := l.Type("sint64")
		cif, err := l.Prep(s64, s64, s64, s64, s64, s64, s64, s64, s64, s64)
		if err != nil {
			b.Fatal(err)
		}
		sum9 := func(a ...int64) int64 {
			sc := ffiScratch.Get()
			defer ffiScratch.Put(sc)
			mem, err := sc.AllocUninit(8*9+8*9+8, 8)
			if err != nil {
				panic(err)
			}
			av := unsafe.Slice((*uintptr)(mem), 9)
			vals := unsafe.Slice((*int64)(unsafe.Add(mem, 8*9)), 9)
			for i := range 9 {
				vals[i] = a[i]
				av[i] = uintptr(unsafe.Pointer(&vals[i]))
			}
			rv := unsafe.Add(mem, 8*18)
			ffiCall4(l.Call, cif, fn, uintptr(rv), uintptr(mem))
			return *(*int64)(rv)
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

type ccIn24 struct {
	A, B float64
	N    int32
}

type ccOut16 struct {
	S float64
	N int64
}

func BenchmarkCallconvStruct24(b *testing.B) {
	fn := ccSym(b, "cc_struct24")
	b.Run("callconv", func(b *testing.B) {
		p := ccPlan(b, ccOut16{}, ccIn24{})
		f24 := func(v ccIn24) (r ccOut16) {
			f := p.GetFrame()
			defer callconv.PutFrame(f)
			p.Arg(f, 0, unsafe.Pointer(&v))
			p.Call(f, fn)
			p.Result(f, unsafe.Pointer(&r))
			return r
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
	b.Run("libffi", func(b *testing.B) {
		l := openLibffi(b)
		d, s32, s64 := l.Type("double"), l.Type("sint32"), l.Type("sint64")
		cif, err := l.Prep(l.Struct(d, s64), l.Struct(d, d, s32))
		if err != nil {
			b.Fatal(err)
		}
		f24 := func(v ccIn24) (r ccOut16) {
			sc := ffiScratch.Get()
			defer ffiScratch.Put(sc)
			mem, err := sc.AllocUninit(8+24+16, 8)
			if err != nil {
				panic(err)
			}
			*(*ccIn24)(unsafe.Add(mem, 8)) = v
			*(*uintptr)(mem) = uintptr(unsafe.Add(mem, 8))
			rv := unsafe.Add(mem, 32)
			ffiCall4(l.Call, cif, fn, uintptr(rv), uintptr(mem))
			return *(*ccOut16)(rv)
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
	if cgoStruct24Peer != nil {
		b.Run("cgo", func(b *testing.B) { cgoStruct24Peer(b, fn) })
	}
}
