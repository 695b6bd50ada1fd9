// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/shm"
)

// Scalar is the types whose values hold no pointer and that C has a type
// for: what [CopyIn], [CopySliceIn] and their copy-back pairs take, so
// that no Go pointer can reach C through them.
type Scalar interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 |
		~int | ~uint | ~uintptr | ~float32 | ~float64 | ~bool
}

// Scratch is C-readable memory for the copied arguments of one call, for
// code that fills a call's words itself and calls a [WordFunc]: the
// methods cmd/hffi-gen writes, or glue written by hand on a hot path. It
// does what a bound function's copy path does, without deciding per
// parameter at run time what to do (BenchmarkCallOut/hffi-gen):
//
//	var s ffi.Scratch
//	defer s.Release()
//	d := ffi.CopySliceIn(&s, dst) // C writes it: copied back below
//	n := ffi.CopyIn(&s, &dstLen)
//	r := compress2.Call5(d, n, ffi.CopySliceIn(&s, src), uintptr(len(src)), uintptr(level))
//	ffi.CopySliceBack(dst, d)
//	ffi.CopyBack(&dstLen, n)
//
// Copies go into a small block from a per-P cache (4 KiB), and beyond it
// into an arena from a pool; Release gives both back. The addresses are
// valid until Release: C must not keep them past the call, the rule for
// every copied argument. The zero Scratch is ready to use; a Scratch must
// not be copied or used by two goroutines at once, and must be released
// (a deferred Release also covers a callback that exits the goroutine).
type Scratch struct {
	_       noCopy
	base    unsafe.Pointer // the small block, nil until the first copy
	d, left uintptr        // where the next copy goes, and the room left
	a       *arena.Arena   // copies that do not fit the small block
	debug   bool           // debug mode when the block was taken: poison it on Release
}

// noCopy makes go vet's copylocks check report copies of a Scratch.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// alloc returns n bytes of s, 8-aligned. The room left in the small
// block is a multiple of 8, so n <= s.left keeps round8(n) <= s.left; an
// empty copy (n == 0) takes the slow path, which finds it an address. The
// copy functions repeat the fast path rather than call alloc, which the
// compiler does not inline: a call costs more than a small copy.
func (s *Scratch) alloc(n uintptr) uintptr {
	d := s.d
	if n-1 < s.left {
		m := (n + 7) &^ 7
		s.d, s.left = d+m, s.left-m
		return d
	}
	return s.allocSlow(n)
}

// allocSlow is alloc for the first copy, an empty one, and one that does
// not fit in what is left of the small block.
func (s *Scratch) allocSlow(n uintptr) uintptr {
	m := round8(n)
	if m < n {
		panic(fmt.Sprintf("ffi: Scratch: a copy of %d bytes", n))
	}
	if s.base == nil && m <= smallBlock {
		s.base = getSmallBlock()
		s.debug = shm.DebugRooted() // the block came from an arena: the root exists
		d := uintptr(s.base)
		s.d, s.left = d+m, smallBlock-m
		return d
	}
	if m == 0 {
		return s.d // an empty copy (a non-nil empty slice) in the block
	}
	if s.a == nil {
		s.a = scratch.Get()
	}
	p, err := s.a.AllocUninit(uintptr(m), 16)
	if err != nil {
		// A copy has no error result to report it in: the arguments
		// are about 1 GiB, or memory cannot be mapped.
		panic(fmt.Errorf("ffi: Scratch: copying %d bytes of arguments: %w", n, err))
	}
	return uintptr(p)
}

// Release gives back the memory of s; the addresses it handed out are
// invalid from then on. s can be used again after it; a second Release
// does nothing.
func (s *Scratch) Release() {
	if b := s.base; b != nil {
		s.base, s.d, s.left = nil, 0, 0
		putSmallBlock(b, s.debug)
	}
	if a := s.a; a != nil {
		s.a = nil
		scratch.Put(a)
	}
}

// String copies str and a terminating NUL into s and returns the copy's
// address, for a const char * parameter.
func (s *Scratch) String(str string) uintptr {
	n := uintptr(len(str))
	d := s.alloc(n + 1)
	if smallCopy(n) {
		copySmall(ptrFromAddr(d), unsafe.Pointer(unsafe.StringData(str)), n)
	} else if n > 0 {
		memcopy(ptrFromAddr(d), unsafe.Pointer(unsafe.StringData(str)), n)
	}
	*(*byte)(ptrFromAddr(d + n)) = 0
	return d
}

// CopyIn copies *p into s and returns the copy's address, for a T *
// parameter (an out-parameter, or one C reads and writes); 0 for a nil p,
// which C gets as NULL. [CopyBack] copies C's writes back.
func CopyIn[T Scalar](s *Scratch, p *T) uintptr {
	if p == nil {
		return 0
	}
	n := unsafe.Sizeof(*p)
	d := s.d
	if n-1 < s.left { // s.alloc(n), inlined
		m := (n + 7) &^ 7
		s.d, s.left = d+m, s.left-m
	} else {
		d = s.allocSlow(n)
	}
	*(*T)(ptrFromAddr(d)) = *p
	return d
}

// CopyBack copies the value at addr, which CopyIn returned for p, back
// into *p. It does nothing if addr is 0.
func CopyBack[T Scalar](p *T, addr uintptr) {
	if addr != 0 {
		*p = *(*T)(ptrFromAddr(addr))
	}
}

// CopyPointerIn copies the unsafe.Pointer *p into s and returns the
// copy's address, for a T ** out-parameter such as sqlite3_open_v2's
// &db; 0 for a nil p. *p must be nil or C memory: a pointer into the Go
// heap panics (hffi.EINVAL) rather than reach C. [CopyPointerBack] stores
// what C left there.
func CopyPointerIn(s *Scratch, p *unsafe.Pointer) uintptr {
	if p == nil {
		return 0
	}
	checkPointee(scratchName{}, 0, *p)
	d := s.alloc(8)
	*(*uintptr)(ptrFromAddr(d)) = uintptr(*p)
	return d
}

// CopyPointerBack stores the pointer at addr, which CopyPointerIn
// returned for p, into *p (a typed store: the garbage collector sees the
// variable's old value go). It does nothing if addr is 0.
func CopyPointerBack(p *unsafe.Pointer, addr uintptr) {
	if addr != 0 {
		*p = *(*unsafe.Pointer)(ptrFromAddr(addr))
	}
}

// scratchName names CopyPointerIn's caller in its panic.
type scratchName struct{}

func (scratchName) String() string { return "through a Scratch" }

// CopySliceIn copies the elements of b into s and returns the address of
// the copy, for a buffer C reads or writes; 0 for a nil slice (NULL), a
// valid address for an empty one. [CopySliceBack] copies C's writes back.
func CopySliceIn[T Scalar](s *Scratch, b []T) uintptr {
	src := unsafe.Pointer(unsafe.SliceData(b))
	if src == nil {
		return 0
	}
	var z T
	n := uintptr(len(b)) * unsafe.Sizeof(z)
	d := s.d
	if n-1 < s.left { // s.alloc(n), inlined
		m := (n + 7) &^ 7
		s.d, s.left = d+m, s.left-m
	} else {
		d = s.allocSlow(n)
	}
	// Copied here, not in a helper: a call costs more than a small copy.
	if smallCopy(n) {
		copySmall(ptrFromAddr(d), src, n)
	} else if n > 0 {
		memcopy(ptrFromAddr(d), src, n)
	}
	return d
}

// CopySliceBack copies len(b) elements at addr, which CopySliceIn
// returned for b, back into b. It does nothing if addr is 0.
func CopySliceBack[T Scalar](b []T, addr uintptr) {
	if addr == 0 || len(b) == 0 {
		return
	}
	var z T
	n, dst := uintptr(len(b))*unsafe.Sizeof(z), unsafe.Pointer(unsafe.SliceData(b))
	if smallCopy(n) {
		copySmall(dst, ptrFromAddr(addr), n)
	} else {
		memcopy(dst, ptrFromAddr(addr), n)
	}
}

// WordFunc is a C function called with integer and pointer words and
// returning one (or nothing): the call a bound function of such a
// signature makes, for code that computes the words itself (see
// [Scratch]). A word is an integer, widened to 64 bits (sign-extended
// for a signed C type), or an address C may use: off-heap memory, or one
// a Scratch handed out, never a Go pointer. The result is the whole
// register: convert it to the C type's width (int32(r) for an int).
// Floating-point parameters and results are not words: bind those
// functions with Bind0 ... Bind15.
type WordFunc struct {
	sym Symbol
	fn  uintptr
}

// WordFunc returns s as a WordFunc, or the error of its lookup. A symbol
// marked Variadic or FreeResult needs more than words: bind it instead.
func (s Symbol) WordFunc() (WordFunc, error) {
	switch {
	case s.err != nil:
		return WordFunc{}, fmt.Errorf("ffi: bind %s: %w", s, s.err)
	case s.addr == nil:
		return WordFunc{}, fmt.Errorf("ffi: bind %s: %w", s, invalidf("nil symbol"))
	case !s.opts.plain():
		return WordFunc{}, fmt.Errorf("ffi: bind %s: %w", s, invalidf("a symbol marked Variadic or FreeResult is called through a bound function: use Bind0 ... Bind15"))
	}
	return WordFunc{sym: s, fn: uintptr(s.addr)}, nil
}

// Symbol returns the symbol f calls.
func (f *WordFunc) Symbol() Symbol { return f.sym }

// check panics like a bound function when f was never made by
// Symbol.WordFunc or its library was closed.
func (f *WordFunc) check() {
	if f.fn == 0 {
		panic(&codeError{msg: "ffi: call of a WordFunc not made by Symbol.WordFunc", code: hffi.EINVAL})
	}
	f.sym.live()
}

// Call0 calls f with no arguments.
func (f *WordFunc) Call0() uintptr { f.check(); return callW0(f.fn) }

// Call1 calls f with one word.
func (f *WordFunc) Call1(a uintptr) uintptr { f.check(); return callW1(f.fn, a) }

// Call2 calls f with two words.
func (f *WordFunc) Call2(a, b uintptr) uintptr { f.check(); return callW2(f.fn, a, b) }

// Call3 calls f with three words.
func (f *WordFunc) Call3(a, b, c uintptr) uintptr { f.check(); return callW3(f.fn, a, b, c) }

// Call4 calls f with four words.
func (f *WordFunc) Call4(a, b, c, d uintptr) uintptr {
	f.check()
	return callW4(f.fn, a, b, c, d)
}

// Call5 calls f with five words.
func (f *WordFunc) Call5(a, b, c, d, e uintptr) uintptr {
	f.check()
	return callW5(f.fn, a, b, c, d, e)
}

// Call6 calls f with six words.
func (f *WordFunc) Call6(a, b, c, d, e, g uintptr) uintptr {
	f.check()
	return callW6(f.fn, a, b, c, d, e, g)
}
