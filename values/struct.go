// SPDX-License-Identifier: Apache-2.0

package values

import (
	"encoding"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// fieldInfo is one encoded field of a struct type, as encoding/json sees
// it: named by its `json` tag or its Go name, promoted from embedded
// structs, skipped with `json:"-"`.
type fieldInfo struct {
	name      string
	index     []int // for reflect.Value.Field, through embedded structs
	omitEmpty bool  // `json:",omitempty"`: skip false, 0, "", nil and empty containers
	omitZero  bool  // `json:",omitzero"`: skip the zero value (or IsZero() == true)
}

// structInfo lists the fields of a struct type sorted by name, the order of
// the map entries it encodes to.
type structInfo struct {
	fields []fieldInfo
}

var structInfos sync.Map // reflect.Type -> *structInfo

// structInfoOf returns the cached field list of struct type t.
func structInfoOf(t reflect.Type) *structInfo {
	if s, ok := structInfos.Load(t); ok {
		return s.(*structInfo)
	}
	s, _ := structInfos.LoadOrStore(t, buildStructInfo(t))
	return s.(*structInfo)
}

// fieldCand is a field candidate found while walking embedded structs.
type fieldCand struct {
	fieldInfo
	depth  int
	tagged bool
}

// buildStructInfo walks t and its embedded structs breadth first and keeps,
// for each name, the shallowest field; at equal depth a tagged field wins
// and a tie drops the name, as in encoding/json.
func buildStructInfo(t reflect.Type) *structInfo {
	type level struct {
		t     reflect.Type
		index []int
	}
	var cands []fieldCand
	visited := map[reflect.Type]bool{}
	next := []level{{t: t}}
	for depth := 0; len(next) > 0; depth++ {
		cur := next
		next = nil
		for _, l := range cur {
			if visited[l.t] {
				continue
			}
			visited[l.t] = true
			for i := 0; i < l.t.NumField(); i++ {
				f := l.t.Field(i)
				ft := f.Type
				if f.Anonymous && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !f.IsExported() && !(f.Anonymous && ft.Kind() == reflect.Struct) {
					continue
				}
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(slices.Clip(l.index), i)
				if name == "" && f.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, level{t: ft, index: index})
					continue
				}
				if !f.IsExported() {
					continue
				}
				c := fieldCand{depth: depth, tagged: name != ""}
				if name == "" {
					name = f.Name
				}
				c.name, c.index = name, index
				for _, o := range strings.Split(opts, ",") {
					switch o {
					case "omitempty":
						c.omitEmpty = true
					case "omitzero":
						c.omitZero = true
					}
				}
				cands = append(cands, c)
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b fieldCand) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if a.depth != b.depth {
			return a.depth - b.depth
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return 0
	})
	s := &structInfo{}
	for i := 0; i < len(cands); {
		j := i + 1
		for j < len(cands) && cands[j].name == cands[i].name {
			j++
		}
		// cands[i] dominates unless the next one ties with it.
		if j == i+1 || cands[i+1].depth != cands[i].depth || cands[i+1].tagged != cands[i].tagged {
			s.fields = append(s.fields, cands[i].fieldInfo)
		}
		i = j
	}
	return s
}

// fold returns the first field whose name matches key case-insensitively
// (as encoding/json does for keys without an exact match), or nil.
func (s *structInfo) fold(key string) *fieldInfo {
	for i := range s.fields {
		if strings.EqualFold(s.fields[i].name, key) {
			return &s.fields[i]
		}
	}
	return nil
}

// fieldGet returns the field at index in v, or false if the path goes
// through a nil embedded pointer.
func fieldGet(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// fieldSet returns the settable field at index in v, allocating nil
// embedded pointers on the way; false if one cannot be set (an unexported
// embedded pointer).
func fieldSet(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, v.CanSet()
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero is the omitzero test: an IsZero method if the type has one,
// reflect's zero test otherwise.
func isZero(v reflect.Value) bool {
	if z, ok := asZeroer(v); ok {
		return z.IsZero()
	}
	return v.IsZero()
}

type zeroer interface{ IsZero() bool }

func asZeroer(v reflect.Value) (zeroer, bool) {
	if !v.CanInterface() {
		return nil, false
	}
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, false
	}
	z, ok := v.Interface().(zeroer)
	return z, ok
}

var (
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	textTypes           sync.Map // reflect.Type -> bool
)

// isText reports whether values of struct or pointer type t encode as
// text: t or *t implements encoding.TextMarshaler. *t counts only for
// structs, whose values the encoder reaches addressable (through a pointer
// or a slice) or copies.
func isText(t reflect.Type) bool {
	if b, ok := textTypes.Load(t); ok {
		return b.(bool)
	}
	is := t.Implements(textMarshalerType) ||
		t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(textMarshalerType)
	textTypes.Store(t, is)
	return is
}
