// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package main

/*
#cgo CFLAGS: -I${SRCDIR}/../../csrc
#include "hffi.h"

// ds_visit is what ds_each calls for every document, in key order. key is
// NUL-terminated; key and doc live until the callback returns. A nonzero
// result stops the iteration and is ds_each's result.
typedef int32_t (*ds_visit)(void *user, const char *key, hffi_ref doc);

static inline int32_t ds_call_visit(ds_visit fn, void *user, const char *key, hffi_ref doc) {
	return fn(user, key, doc);
}
*/
import "C"

import (
	"maps"
	"slices"
	"sync"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/values"
)

// store is what a ds_open handle names.
type store struct {
	mu   sync.Mutex
	docs map[string]any
	in   *arena.Arena // C builds documents here (ds_arena); ds_put resets it
	out  *arena.Arena // ds_get encodes here; the next ds_get resets it
}

// stores is a typed table: a handle of any other table is HFFI_ETABLE.
var stores = func() *handles.Of[*store] {
	o, err := handles.NewOf[*store]()
	if err != nil {
		panic(err)
	}
	return o
}()

// scratch holds the arenas ds_each encodes into, one per running ds_each,
// so that a callback may call back into the store.
var scratch = arena.NewPool()

func code(err error) C.int32_t { return C.int32_t(hffi.ErrCode(err)) }

func get(h C.hffi_handle) (*store, C.int32_t) {
	s, err := stores.Value(handles.Handle(h))
	return s, code(err)
}

// ds_runtime returns hffi's root, for hffi_handle_check and the hffi_val_*
// functions. It is not Go memory and lives as long as the process.
//
//export ds_runtime
func ds_runtime() *C.hffi_rt { return (*C.hffi_rt)(hffi.Runtime()) }

// ds_open creates an empty store and writes its handle to *store_out.
//
//export ds_open
func ds_open(store_out *C.hffi_handle) C.int32_t {
	if store_out == nil {
		return C.HFFI_EINVAL
	}
	s := &store{docs: map[string]any{}}
	var err error
	if s.in, err = arena.New(); err != nil {
		return code(err)
	}
	if s.out, err = arena.New(); err != nil {
		s.in.Free()
		return code(err)
	}
	h, err := stores.New(s)
	if err != nil {
		s.in.Free()
		s.out.Free()
		return code(err)
	}
	*store_out = C.hffi_handle(h)
	return 0
}

// ds_close frees the store. Every later use of the handle, a second
// ds_close included, is HFFI_EDELETED; references into its arenas are
// HFFI_ECLOSED.
//
//export ds_close
func ds_close(h C.hffi_handle) C.int32_t {
	s, rc := get(h)
	if rc != 0 {
		return rc
	}
	// Of two racing closes, one deletes; the other gets HFFI_EDELETED.
	if err := stores.Delete(handles.Handle(h)); err != nil {
		return code(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.in.Free()
	s.out.Free()
	s.docs = nil
	return 0
}

// ds_arena gives the arena in which C builds a document for ds_put
// (hffi_val_new and the hffi_val_set_* builders).
//
//export ds_arena
func ds_arena(h C.hffi_handle, arena_out *C.hffi_arena) C.int32_t {
	s, rc := get(h)
	if rc != 0 {
		return rc
	}
	if arena_out == nil {
		return C.HFFI_EINVAL
	}
	*arena_out = C.hffi_arena(s.in.CArena())
	return 0
}

// ds_put stores a copy of the tree doc under key, replacing what was there,
// and resets the store's arena: C's references into it become HFFI_ESTALE.
//
//export ds_put
func ds_put(h C.hffi_handle, key *C.char, doc C.hffi_ref) C.int32_t {
	s, rc := get(h)
	if rc != 0 {
		return rc
	}
	if key == nil {
		return C.HFFI_EINVAL
	}
	v, err := values.Decode(arena.Ref(doc))
	if err != nil {
		return code(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs == nil {
		return C.HFFI_EDELETED // closed while we decoded
	}
	s.docs[C.GoString(key)] = v
	s.in.Reset()
	return 0
}

// ds_get writes a reference to the document under key, encoded as a tree,
// to *doc_out (HFFI_ENOTFOUND if there is none). The tree lives until the
// next ds_get on the store, or ds_close; then reading it is HFFI_ESTALE
// (HFFI_ECLOSED after close).
//
//export ds_get
func ds_get(h C.hffi_handle, key *C.char, doc_out *C.hffi_ref) C.int32_t {
	s, rc := get(h)
	if rc != 0 {
		return rc
	}
	if key == nil || doc_out == nil {
		return C.HFFI_EINVAL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.docs[C.GoString(key)]
	if !ok {
		if s.docs == nil {
			return C.HFFI_EDELETED
		}
		return C.HFFI_ENOTFOUND
	}
	s.out.Reset()
	ref, err := values.Encode(s.out, v)
	if err != nil {
		return code(err)
	}
	*doc_out = C.hffi_ref(ref)
	return 0
}

// ds_each calls visit(user, key, doc) for every document in key order. The
// store is not locked during the calls, so visit may use it.
//
//export ds_each
func ds_each(h C.hffi_handle, visit C.ds_visit, user unsafe.Pointer) C.int32_t {
	s, rc := get(h)
	if rc != 0 {
		return rc
	}
	if visit == nil {
		return C.HFFI_EINVAL
	}
	s.mu.Lock()
	docs := maps.Clone(s.docs)
	s.mu.Unlock()
	a := scratch.Get()
	defer scratch.Put(a)
	for _, k := range slices.Sorted(maps.Keys(docs)) {
		a.Reset()
		key, err := a.CopyString(k)
		if err != nil {
			return code(err)
		}
		ref, err := values.Encode(a, docs[k])
		if err != nil {
			return code(err)
		}
		if rc := C.ds_call_visit(visit, user, (*C.char)(key), C.hffi_ref(ref)); rc != 0 {
			return rc
		}
	}
	return 0
}
