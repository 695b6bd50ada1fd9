// SPDX-License-Identifier: Apache-2.0

package ffi

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

var valKindNames = [...]string{"null", "bool", "int", "uint", "float", "str", "bytes", "list", "map", "handle"}

// String returns the name hffi_val_kind_name gives: "null", "bool", ...,
// or "invalid".
func (k Kind) String() string {
	if k > abi.ValKindMax {
		return "invalid"
	}
	return valKindNames[k]
}

// ValueError is the error [Encode], [Decode] and [DecodeInto] return for a
// value they cannot handle. Path names the value inside the tree, such as
// `payload.user.tags[3]`, rooted at [Encoder.Name] ("value" by default).
// Err is an HFFI code usable with [errors.Is]: [hffi.ETYPE] for a type that
// has no encoding or does not match the destination, [hffi.EINVAL] for a
// cycle or too deep a nesting, HFFI_ERANGE for a number that does not fit
// its destination, HFFI_ECORRUPT and HFFI_EBOUNDS (hffi.EBOUNDS) for a
// tree whose bytes are malformed, or the arena's error ([hffi.ESTALE],
// hffi.ECLOSED, ...) for a reference to a reset or freed arena.
type ValueError struct {
	Op   string // "encode" or "decode"
	Path string
	Msg  string
	Err  error
}

// Error returns "ffi: <op> <path>: <msg>".
func (e *ValueError) Error() string {
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return "ffi: " + e.Op + " " + e.Path + ": " + msg
}

// Unwrap returns Err.
func (e *ValueError) Unwrap() error { return e.Err }

// valSeg is one step of a path: a map key or a list index.
type valSeg struct {
	key   string
	index int
	isKey bool
}

// valErr is a ValueError under construction: encoders and decoders return
// it from deep inside a tree, and each level on the way out adds its step,
// so the success path never builds a path.
type valErr struct {
	segs []valSeg // innermost first
	msg  string
	err  error
}

func (e *valErr) Error() string { return e.msg }

func valFail(code error, msg string) error { return &valErr{msg: msg, err: code} }

// valAtKey and valAtIndex add a step to err, which must be a *valErr (or
// pass it through unchanged).
func valAtKey(err error, key string) error {
	if e, ok := err.(*valErr); ok {
		e.segs = append(e.segs, valSeg{key: key, isKey: true})
	}
	return err
}

func valAtIndex(err error, i int) error {
	if e, ok := err.(*valErr); ok {
		e.segs = append(e.segs, valSeg{index: i})
	}
	return err
}

// valFinish turns err into a *ValueError rooted at name.
func valFinish(op, name string, err error) error {
	e, ok := err.(*valErr)
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
		case valPlainKey(s.key):
			b.WriteByte('.')
			b.WriteString(s.key)
		default:
			b.WriteByte('[')
			b.WriteString(strconv.Quote(s.key))
			b.WriteByte(']')
		}
	}
	return &ValueError{Op: op, Path: b.String(), Msg: e.msg, Err: e.err}
}

// valPlainKey reports whether key can be written after a dot in a path
// (and looked up by hffi_val_path).
func valPlainKey(key string) bool {
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
	valHandleType = reflect.TypeFor[handles.Handle]()
	valAnyType    = reflect.TypeFor[any]()
)
