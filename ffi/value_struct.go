// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"encoding"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// valField is one encoded field of a struct type, as encoding/json sees
// it: named by its `json` tag or its Go name, promoted from embedded
// structs, skipped with `json:"-"`.
type valField struct {
	name      string
	index     []int // for reflect.Value.Field, through embedded structs
	omitEmpty bool  // `json:",omitempty"`: skip false, 0, "", nil and empty containers
	omitZero  bool  // `json:",omitzero"`: skip the zero value (or IsZero() == true)
}

// valStruct lists the fields of a struct type sorted by name, the order of
// the map entries it encodes to.
type valStruct struct {
	fields []valField
}

var valStructs sync.Map // reflect.Type -> *valStruct

// valStructOf returns the cached field list of struct type t.
func valStructOf(t reflect.Type) *valStruct {
	if s, ok := valStructs.Load(t); ok {
		return s.(*valStruct)
	}
	s, _ := valStructs.LoadOrStore(t, valBuildStruct(t))
	return s.(*valStruct)
}

// valCand is a field candidate found while walking embedded structs.
type valCand struct {
	valField
	depth  int
	tagged bool
}

// valBuildStruct walks t and its embedded structs breadth first and keeps,
// for each name, the shallowest field; at equal depth a tagged field wins
// and a tie drops the name, as in encoding/json.
func valBuildStruct(t reflect.Type) *valStruct {
	type level struct {
		t     reflect.Type
		index []int
	}
	var cands []valCand
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
				c := valCand{depth: depth, tagged: name != ""}
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
	slices.SortStableFunc(cands, func(a, b valCand) int {
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
	s := &valStruct{}
	for i := 0; i < len(cands); {
		j := i + 1
		for j < len(cands) && cands[j].name == cands[i].name {
			j++
		}
		// cands[i] dominates unless the next one ties with it.
		if j == i+1 || cands[i+1].depth != cands[i].depth || cands[i+1].tagged != cands[i].tagged {
			s.fields = append(s.fields, cands[i].valField)
		}
		i = j
	}
	return s
}

// fold returns the first field whose name matches key case-insensitively
// (as encoding/json does for keys without an exact match), or nil.
func (s *valStruct) fold(key string) *valField {
	for i := range s.fields {
		if strings.EqualFold(s.fields[i].name, key) {
			return &s.fields[i]
		}
	}
	return nil
}

// valFieldGet returns the field at index in v, or false if the path goes
// through a nil embedded pointer.
func valFieldGet(v reflect.Value, index []int) (reflect.Value, bool) {
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

// valFieldSet returns the settable field at index in v, allocating nil
// embedded pointers on the way; false if one cannot be set (an unexported
// embedded pointer).
func valFieldSet(v reflect.Value, index []int) (reflect.Value, bool) {
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

// valIsEmpty is encoding/json's omitempty test.
func valIsEmpty(v reflect.Value) bool {
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

// valIsZero is the omitzero test: an IsZero method if the type has one,
// reflect's zero test otherwise.
func valIsZero(v reflect.Value) bool {
	if z, ok := valAsZeroer(v); ok {
		return z.IsZero()
	}
	return v.IsZero()
}

type valZeroer interface{ IsZero() bool }

func valAsZeroer(v reflect.Value) (valZeroer, bool) {
	if !v.CanInterface() {
		return nil, false
	}
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, false
	}
	z, ok := v.Interface().(valZeroer)
	return z, ok
}

var (
	valTextMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	valTextUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	valTextTypes       sync.Map // reflect.Type -> bool
)

// valIsText reports whether values of struct or pointer type t encode as
// text: t or *t implements encoding.TextMarshaler. *t counts only for
// structs, whose values the encoder reaches addressable (through a pointer
// or a slice) or copies.
func valIsText(t reflect.Type) bool {
	if b, ok := valTextTypes.Load(t); ok {
		return b.(bool)
	}
	is := t.Implements(valTextMarshaler) ||
		t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(valTextMarshaler)
	valTextTypes.Store(t, is)
	return is
}
