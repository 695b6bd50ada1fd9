// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"reflect"
	"unsafe"

	"github.com/hffi-go/hffi"
)

// Of is a table of values of type T. Value returns a T without a type
// assertion, and because every Of has its own table id, a handle of
// another Of (or of any other table) is rejected at run time with an error
// that wraps both hffi.ETYPE and hffi.ETABLE. Safe for concurrent use, like
// [Table].
type Of[T any] struct {
	t *Table
}

// NewOf creates a table for values of type T. It allocates.
func NewOf[T any](opts ...TableOption) (*Of[T], error) {
	opts = append(opts[:len(opts):len(opts)], withElem(reflect.TypeFor[T]().String()))
	t, err := newTable(opts...)
	if err != nil {
		return nil, err
	}
	return &Of[T]{t: t}, nil
}

// New stores v and returns a new handle for it (see [Table.New]). For a
// pointer-shaped T (pointers, maps, channels, funcs, unsafe.Pointer) it
// makes no allocation at all; otherwise converting v to an interface
// allocates once.
func (o *Of[T]) New(v T) (Handle, error) {
	h, code := o.t.insert(v, 2, "")
	if code != hffi.OK {
		return 0, &Error{Op: "new", Code: code, Detail: o.t.String()}
	}
	return h, nil
}

// Value returns the value of h. It makes no allocation unless it fails;
// the errors are those of [Table.Value].
func (o *Of[T]) Value(h Handle) (T, error) {
	var zero T
	e, code := o.t.lookup(h)
	if code != hffi.OK {
		return zero, o.t.fail("get", h, code)
	}
	if e.typ == nil { // a nil interface stored as an interface-typed T
		return zero, nil
	}
	v, ok := (*(*any)(unsafe.Pointer(&e))).(T)
	if !ok {
		return zero, &Error{Op: "get", Handle: h, Code: hffi.ETYPE, Detail: "value is not a " + o.t.elem}
	}
	return v, nil
}

// Delete deletes h (see [Table.Delete]).
func (o *Of[T]) Delete(h Handle) error { return o.t.Delete(h) }

// Table returns the underlying table, for ID, Snapshot, LeakReport and C
// objects.
func (o *Of[T]) Table() *Table { return o.t }

// Len returns the number of live handles (see [Table.Len]).
func (o *Of[T]) Len() int { return o.t.Len() }

// Close closes the table (see [Table.Close]).
func (o *Of[T]) Close() error { return o.t.Close() }
