// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"reflect"
	"unsafe"
)

// Result classes of trampolines: what C gets when Go cannot give a result.
const (
	resInt   = iota // the negative HFFI_E* code
	resPtr          // NULL
	resFloat        // NaN
)

// shape describes one trampoline (see gen.go).
type shape struct {
	general bool  // reads 6 integer and 8 float registers
	n       uint8 // integer registers read
	ud      uint8 // which of them holds the user data
	res     uint8
}

// cbFrame is what a trampoline hands to Go: its argument registers, room
// for the result, and its shape. The layout is hffi_cb_frame of
// callback_cgo.h.
type cbFrame struct {
	ints   [maxIntArgs]uintptr
	floats [maxFloatArgs]uint64
	ret    uint64
	shape  uint32
	aux    uint32                          // a closure's slot index (see clHandler)
	more   [maxClInts - maxIntArgs]uintptr // a closure's integer arguments after the sixth
	sbuf   [maxCbStructBytes]byte          // a closure's structs by value (see callback_struct.go)
}

// maxClInts is how many integer parameters a closure's frame holds (its
// float parameters are those of a trampoline: 8).
const maxClInts = 16

// floatResult is how a purego trampoline returns a float register.
type floatResult struct{ F float64 }

// nanBits is a float64 NaN whose low half is a float32 NaN, so that a C
// caller expecting either gets a NaN.
const nanBits = 0x7FF800007FC00000

// cbSig is what NewCallback learned about a Go function type.
type cbSig struct {
	n      int
	in     [maxCbArity]argKind
	src    [maxCbArity]uint8   // register index in frame.ints or frame.floats
	off    [maxCbArity]uintptr // byte offset of that register in the frame
	out    argKind
	shape  uint32
	direct bool // see below

	catchGoexit bool // see CatchGoexit
	fail        failValue

	// Where C passes the user data (udFirst, ...), and what a closure
	// needs: the C parameters (the Go ones and the user data), the
	// integer register index of the user data (udAt) or of the context
	// argument of the accessor (udVia).
	mode    uint8
	closure bool
	cin     [maxCbArity + 1]argKind
	cn      int
	udInt   uint8
	viaArg  uint8
	via     uintptr

	// Structs by value (see callback_struct.go).
	structs [maxCbArity]reflect.Type
	cinT    [maxCbArity + 1]reflect.Type // the struct types among cin
	rtype   reflect.Type
	roff    uintptr
}

// littleEndian is true on every target hffi supports so far. There a
// narrower integer, a bool or a float32 that C passed in a register is the
// low bytes of the register's 8-byte slot in the frame, so an argument is
// read straight out of its slot as the Go type, and a result written
// straight into the (zeroed) result slot. That is the direct path: no
// conversion code runs per argument. Strings and error results convert.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

const maxCbArity = 8

func newCbSig(opts []CallbackOption, out reflect.Type, in ...reflect.Type) (*cbSig, error) {
	s, err := makeCbSig(opts, out, in)
	if err != nil {
		return nil, fmt.Errorf("ffi: new callback: %w", err)
	}
	return s, nil
}

func makeCbSig(opts []CallbackOption, out reflect.Type, in []reflect.Type) (*cbSig, error) {
	var cfg cbConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.failErr != nil {
		return nil, cfg.failErr
	}
	if len(in) > maxCbArity {
		return nil, invalidf("%d parameters, at most %d are supported", len(in), maxCbArity)
	}
	s := &cbSig{n: len(in), catchGoexit: cfg.catchGoexit, mode: uint8(cfg.ud)}
	ni, nf := 0, 0
	hasStruct := false
	for i, t := range in {
		if isCbStruct(t) {
			if err := checkCbStruct(t, fmt.Sprintf("parameter %d", i+1)); err != nil {
				return nil, err
			}
			s.in[i], hasStruct = kStruct, true
			continue
		}
		k, err := classify(t, roleCbParam, "")
		if err != nil {
			// Again, naming the parameter: formatting only on this path.
			_, err = classify(t, roleCbParam, fmt.Sprintf("parameter %d", i+1))
			return nil, err
		}
		s.in[i] = k
		if k.isFloat() {
			s.src[i] = uint8(nf)
			nf++
		} else {
			s.src[i] = uint8(ni)
			ni++
		}
	}
	var k argKind
	var err error
	if isCbStruct(out) {
		if err := checkCbStruct(out, "result"); err != nil {
			return nil, err
		}
		if cfg.fail != nil {
			return nil, invalidf("FailureValue: a struct result gets a zeroed struct when the callback cannot run")
		}
		k, hasStruct = kStruct, true
	} else if k, err = classify(out, roleCbResult, "result"); err != nil {
		return nil, err
	}
	s.out = k
	if s.fail, err = makeFailValue(cfg.fail, out, k); err != nil {
		return nil, err
	}
	// udInt is the integer register of the user data among the C
	// parameters, -1 if C passes none.
	udInt := -1
	switch cfg.ud {
	case udFirst:
		udInt = 0
	case udLast:
		udInt = ni
	case udAt:
		if cfg.udAt < 0 || cfg.udAt > s.n {
			return nil, invalidf("UserDataAt(%d): the C function has %d parameters, the user data one of them", cfg.udAt, s.n+1)
		}
		udInt = 0
		for i := range cfg.udAt {
			if !s.in[i].isFloat() && s.in[i] != kStruct {
				udInt++
			}
		}
	case udVia:
		if cfg.viaArg < 0 || cfg.viaArg >= s.n || s.in[cfg.viaArg] != kPointer && s.in[cfg.viaArg] != kWord {
			return nil, invalidf("UserDataVia(_, %d): parameter %d must be the context pointer (unsafe.Pointer or uintptr) of a function of %d parameters",
				cfg.viaArg, cfg.viaArg+1, s.n)
		}
		s.viaArg, s.via = s.src[cfg.viaArg], cfg.via
	}
	nud := 0
	if udInt >= 0 {
		nud = 1
		for i := range s.n {
			if !s.in[i].isFloat() && s.in[i] != kStruct && int(s.src[i]) >= udInt {
				s.src[i]++
			}
		}
		s.udInt = uint8(udInt)
	}
	if ni+nud > maxClInts || nf > maxFloatArgs {
		return nil, invalidf("%d integer and %d float parameters besides the user data, at most %d and %d are supported",
			ni, nf, maxClInts-nud, maxFloatArgs)
	}
	// The C parameters, in C order, for a closure's cif.
	udPos := -1
	switch cfg.ud {
	case udFirst:
		udPos = 0
	case udLast:
		udPos = s.n
	case udAt:
		udPos = cfg.udAt
	}
	for i := 0; i <= s.n; i++ {
		if i == udPos {
			s.cin[s.cn] = kPointer
			s.cn++
		}
		if i < s.n {
			s.cin[s.cn] = s.in[i]
			if s.in[i] == kStruct {
				s.cinT[s.cn] = in[i]
			}
			s.cn++
		}
	}
	s.direct = littleEndian && k != kError && k != kStruct
	if hasStruct {
		if err := s.layoutStructs(in, out); err != nil {
			return nil, err
		}
	}
	for i := range s.n {
		if s.in[i] == kStruct {
			continue
		}
		if s.in[i] == kString {
			s.direct = false
		}
		switch {
		case s.in[i].isFloat():
			s.off[i] = unsafe.Offsetof(cbFrame{}.floats) + 8*uintptr(s.src[i])
		case s.src[i] < maxIntArgs:
			s.off[i] = unsafe.Offsetof(cbFrame{}.ints) + 8*uintptr(s.src[i])
		default:
			s.off[i] = unsafe.Offsetof(cbFrame{}.more) + 8*uintptr(s.src[i]-maxIntArgs)
		}
	}
	if udInt < 0 {
		s.closure = true
		return s, nil
	}
	if ni+nud > maxIntArgs || hasStruct {
		// More than a trampoline reads: a closure that finds the user
		// data where C passes it.
		s.closure, s.mode = true, udAt
		return s, nil
	}
	want := shape{n: uint8(ni + 1), ud: uint8(udInt), res: resInt}
	switch {
	case k.isFloat():
		want.res = resFloat
	case k == kPointer:
		want.res = resPtr
	}
	if nf > 0 || want.res == resFloat {
		want.general, want.n = true, maxIntArgs
	}
	for pass := 0; pass < 2; pass++ {
		for i := range shapes {
			if shapes[i] == want {
				s.shape = uint32(i)
				return s, nil
			}
		}
		// A user data in the middle: the general trampolines read every
		// register.
		want.general, want.n = true, maxIntArgs
	}
	if cfg.ud == udAt {
		s.closure = true
		return s, nil
	}
	return nil, invalidf("no trampoline for %+v", want)
}

// load stores parameter i of a call from C at p, a typed Go variable.
func (s *cbSig) load(f *cbFrame, i int, p unsafe.Pointer) {
	k := s.in[i]
	if k == kStruct {
		loadStruct(f, s.off[i], s.structs[i], p)
		return
	}
	if k.isFloat() {
		setFloat(p, k, f.floats[s.src[i]])
		return
	}
	setWord(p, k, *(*uintptr)(unsafe.Add(unsafe.Pointer(f), s.off[i])))
}

// result stores the Go result at p into the frame.
func (s *cbSig) result(f *cbFrame, p unsafe.Pointer) {
	if s.out == kStruct {
		storeStruct(f, s.roff, s.rtype, p)
		return
	}
	if s.out.isFloat() {
		if s.out == kFloat32 {
			f.ret = uint64(floatBitsOf(p, kFloat32))
		} else {
			f.ret = floatBitsOf(p, kFloat64)
		}
		return
	}
	f.ret = uint64(wordFromResult(p, s.out))
}
