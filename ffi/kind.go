// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"unsafe"

	"github.com/hffi-go/hffi"
)

// argKind is how one Go parameter or result crosses the boundary. It is
// computed once, by reflection, when a function or callback is bound; the
// per-call code only switches on it and moves bytes through unsafe
// pointers to the typed Go variable, so no call reflects.
type argKind uint8

const (
	kInvalid argKind = iota
	kVoid            // no result
	kWord            // 8-byte integer: int, int64, uint, uint64, uintptr and named ones (handles.Handle, arena.Ref)
	kInt32
	kInt16
	kInt8
	kUint32
	kUint16
	kUint8
	kBool
	kPointer // unsafe.Pointer to memory Go does not own
	kFloat64
	kFloat32
	kString // argument: copied into the scratch arena; result or callback argument: C string copied to Go
	kBytes  // argument only: copied into the scratch arena
	kError  // result: C int32 HFFI code; callback result: error turned into a code
)

var errorType = reflect.TypeFor[error]()

// role says where a type appears; each role accepts a different set.
type role uint8

const (
	roleParam role = iota
	roleResult
	roleCbParam
	roleCbResult
)

func (k argKind) isFloat() bool { return k == kFloat64 || k == kFloat32 }

// isWord reports whether k travels in one integer register without help.
func (k argKind) isWord() bool { return k >= kWord && k <= kPointer }

// classify returns the argKind of t in role r, or an error that says why t
// cannot cross; what is the name of the thing being classified
// ("parameter 2", "result").
func classify(t reflect.Type, r role, what string) (argKind, error) {
	if t == nil {
		return kVoid, nil
	}
	if t == errorType && (r == roleResult || r == roleCbResult) {
		return kError, nil
	}
	k := kInvalid
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64, reflect.Uintptr:
		k = kWord
	case reflect.Int32:
		k = kInt32
	case reflect.Int16:
		k = kInt16
	case reflect.Int8:
		k = kInt8
	case reflect.Uint32:
		k = kUint32
	case reflect.Uint16:
		k = kUint16
	case reflect.Uint8:
		k = kUint8
	case reflect.Bool:
		k = kBool
	case reflect.UnsafePointer:
		k = kPointer
	case reflect.Float64:
		k = kFloat64
	case reflect.Float32:
		k = kFloat32
	case reflect.String:
		k = kString
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && r == roleParam {
			k = kBytes
		}
	}
	if k == kInvalid {
		return kInvalid, invalidf("%s has type %s: %s", what, t, refusal(t, r))
	}
	if k == kString && r == roleCbResult {
		return kInvalid, invalidf("%s has type %s: a callback cannot return a Go string to C (write it into an arena and return the pointer)", what, t)
	}
	return k, nil
}

// invalidf is a refused signature, matching [hffi.EINVAL].
func invalidf(format string, args ...any) error {
	return &codeError{msg: fmt.Sprintf(format, args...), code: hffi.EINVAL}
}

// refusal explains why t cannot cross the boundary.
func refusal(t reflect.Type, r role) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "a Go pointer must not be given to C; pass a handles.Handle, an arena.Ref or arena memory (unsafe.Pointer)"
	case reflect.Map, reflect.Chan, reflect.Func, reflect.Interface:
		return "it holds Go pointers, which must not be given to C; pass a handles.Handle instead"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "[]byte is only accepted as a parameter of a call (it is copied into scratch memory)"
		}
		return "only []byte is copied for C; put other data in an arena and pass a pointer or arena.Ref"
	case reflect.Struct, reflect.Array:
		return "hffi passes no structs or arrays by value; put the data in an arena and pass a pointer or arena.Ref"
	}
	return "this argKind of value cannot be passed to or from C"
}

// wordOf reads the Go value of argKind k at p as a register word, extending
// small integers the way a C caller does.
func wordOf(p unsafe.Pointer, k argKind) uintptr {
	switch k {
	case kWord:
		return *(*uintptr)(p)
	case kInt32:
		return uintptr(*(*int32)(p))
	case kInt16:
		return uintptr(*(*int16)(p))
	case kInt8:
		return uintptr(*(*int8)(p))
	case kUint32:
		return uintptr(*(*uint32)(p))
	case kUint16:
		return uintptr(*(*uint16)(p))
	case kUint8:
		return uintptr(*(*uint8)(p))
	case kBool:
		if *(*bool)(p) {
			return 1
		}
		return 0
	case kPointer:
		return uintptr(*(*unsafe.Pointer)(p))
	}
	return 0
}

// floatBitsOf reads a float of argKind k at p as the bits of a float register.
// A float32 travels in the low half, as C expects it.
func floatBitsOf(p unsafe.Pointer, k argKind) uint64 {
	if k == kFloat32 {
		return uint64(math.Float32bits(*(*float32)(p)))
	}
	return math.Float64bits(*(*float64)(p))
}

// setWord stores the register word w as the Go value of argKind k at p. Only
// the low bits that C defines are used: C leaves the rest of a register
// undefined for results narrower than a word.
func setWord(p unsafe.Pointer, k argKind, w uintptr) {
	switch k {
	case kWord:
		*(*uintptr)(p) = w
	case kInt32, kUint32:
		*(*uint32)(p) = uint32(w)
	case kInt16, kUint16:
		*(*uint16)(p) = uint16(w)
	case kInt8, kUint8:
		*(*uint8)(p) = uint8(w)
	case kBool:
		*(*bool)(p) = uint8(w) != 0
	case kPointer:
		*(*unsafe.Pointer)(p) = ptrFromAddr(w)
	case kString:
		*(*string)(p) = goString(w)
	case kError:
		*(*error)(p) = nil
		if c := hffi.Code(int32(w)); c < 0 {
			*(*error)(p) = c
		}
	}
}

// errnoOf turns the error a callback returned into a code for C: 0 for
// nil, the code of an HFFI error, HFFI_ECALLBACK for any other error.
func errnoOf(err error) uintptr {
	if err == nil {
		return 0
	}
	var e hffi.Code
	if errors.As(err, &e) && e < 0 {
		return uintptr(int64(e))
	}
	e = hffi.ECALLBACK
	return uintptr(int64(e))
}

// wordFromResult reads the Go result of argKind k at p as a register word for
// C (callback results).
func wordFromResult(p unsafe.Pointer, k argKind) uintptr {
	if k == kError {
		return errnoOf(*(*error)(p))
	}
	return wordOf(p, k)
}

// setFloat stores the bits of a float register at p as a float of argKind k.
func setFloat(p unsafe.Pointer, k argKind, bits uint64) {
	if k == kFloat32 {
		*(*float32)(p) = math.Float32frombits(uint32(bits))
		return
	}
	*(*float64)(p) = math.Float64frombits(bits)
}

// ptrFromAddr turns an address that C gave us into an unsafe.Pointer. The
// address is never in the Go heap (C memory, an arena, a code address), so
// the garbage collector ignores it; converting through memory keeps go vet
// from mistaking it for a Go pointer round-tripped through uintptr.
func ptrFromAddr(a uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&a))
}

// goString copies the NUL-terminated C string at address a into a Go
// string; address 0 gives "". It allocates.
func goString(a uintptr) string {
	if a == 0 {
		return ""
	}
	p := ptrFromAddr(a)
	n := 0
	for *(*byte)(unsafe.Add(p, n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(p), n))
}
