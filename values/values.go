// SPDX-License-Identifier: Apache-2.0

package values

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// Kind is the kind of one node of a value tree, HFFI_VAL_* in hffi.h.
// [Encode] maps Go values to kinds, [Decode] maps them back:
//
//	Kind        from Go                                  to Go (Decode)
//	KindNull    nil, nil pointer/map/slice/interface     nil
//	KindBool    bool                                     bool
//	KindInt     signed integers, unsigned ones that fit  int64
//	KindUint    unsigned integers above math.MaxInt64    uint64
//	KindFloat   float32, float64                         float64
//	KindString  string                                   string
//	KindBytes   []byte, [N]byte                          []byte
//	KindList    slices, arrays                           []any
//	KindMap     maps with string keys, structs           map[string]any
//	KindHandle  handles.Handle                           handles.Handle
type Kind uint32

// The kinds, equal to HFFI_VAL_* in hffi.h.
const (
	KindNull   Kind = abi.ValNull
	KindBool   Kind = abi.ValBool
	KindInt    Kind = abi.ValInt
	KindUint   Kind = abi.ValUint
	KindFloat  Kind = abi.ValFloat
	KindString Kind = abi.ValStr
	KindBytes  Kind = abi.ValBytes
	KindList   Kind = abi.ValList
	KindMap    Kind = abi.ValMap
	KindHandle Kind = abi.ValHandle
)

var kindNames = [...]string{"null", "bool", "int", "uint", "float", "str", "bytes", "list", "map", "handle"}

// String returns the name hffi_val_kind_name gives: "null", "bool", ...,
// or "invalid".
func (k Kind) String() string {
	if k > abi.ValKindMax {
		return "invalid"
	}
	return kindNames[k]
}

// Error is the error [Encode], [Decode] and [DecodeInto] return for a
// value they cannot handle. Path names the value inside the tree, such as
// `payload.user.tags[3]`, rooted at [Encoder.Name] ("value" by default).
// Err is a code usable with [errors.Is]: [hffi.ETYPE] for a type that has
// no encoding or does not match the destination, [hffi.EINVAL] for a cycle
// or too deep a nesting, [hffi.ERANGE] for a number that does not fit its
// destination, [hffi.ECORRUPT] and [hffi.EBOUNDS] for a tree whose bytes
// are malformed, or the arena's error ([hffi.ESTALE], [hffi.ECLOSED], ...)
// for a reference to a reset or freed arena.
type Error struct {
	Op   string // "encode" or "decode"
	Path string
	Msg  string
	Err  error
}

// Error returns "values: <op> <path>: <msg>".
func (e *Error) Error() string {
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return "values: " + e.Op + " " + e.Path + ": " + msg
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// pathSeg is one step of a path: a map key or a list index.
type pathSeg struct {
	key   string
	index int
	isKey bool
}

// pathErr is a Error under construction: encoders and decoders return
// it from deep inside a tree, and each level on the way out adds its step,
// so the success path never builds a path.
type pathErr struct {
	segs []pathSeg // innermost first
	msg  string
	err  error
}

func (e *pathErr) Error() string { return e.msg }

func fail(code error, msg string) error { return &pathErr{msg: msg, err: code} }

// atKey and atIndex add a step to err, which must be a *pathErr (or
// pass it through unchanged).
func atKey(err error, key string) error {
	if e, ok := err.(*pathErr); ok {
		e.segs = append(e.segs, pathSeg{key: key, isKey: true})
	}
	return err
}

func atIndex(err error, i int) error {
	if e, ok := err.(*pathErr); ok {
		e.segs = append(e.segs, pathSeg{index: i})
	}
	return err
}

// finish turns err into a *Error rooted at name.
func finish(op, name string, err error) error {
	e, ok := err.(*pathErr)
	if !ok {
		return err
	}
	if name == "" {
		name = "value"
	}
	var b strings.Builder
	b.WriteString(name)
	for i := len(e.segs) - 1; i >= 0; i-- {
		s := e.segs[i]
		switch {
		case !s.isKey:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case plainKey(s.key):
			b.WriteByte('.')
			b.WriteString(s.key)
		default:
			b.WriteByte('[')
			b.WriteString(strconv.Quote(s.key))
			b.WriteByte(']')
		}
	}
	return &Error{Op: op, Path: b.String(), Msg: e.msg, Err: e.err}
}

// plainKey reports whether key can be written after a dot in a path
// (and looked up by hffi_val_path).
func plainKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

var (
	handleType = reflect.TypeFor[handles.Handle]()
	anyType    = reflect.TypeFor[any]()
)
