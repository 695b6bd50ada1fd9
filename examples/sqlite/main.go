// SPDX-License-Identifier: Apache-2.0

// Command sqlite registers two SQL functions written in Go in SQLite,
// through ffi, with cgo or with CGO_ENABLED=0 alike: a scalar function
// gofn(x) and an aggregate gosum(x) (xStep and xFinal). SQLite passes no
// user data to them; it gives each call a context, from which
// sqlite3_user_data returns the pApp given at registration:
//
//   - gofn is made with ffi.UserDataVia(sqlite3_user_data, 0): its pApp is
//     the callback's own handle, and its xDestroy is ffi.CloseNotify, so
//     SQLite closes the callback when it drops the function;
//   - xStep and xFinal are made with ffi.NoUserData (a function pointer
//     each); their pApp is a handle to Go state handed over to C
//     (ffi.HandOver), released by xDestroy = ffi.ReleaseNotify, in C.
//
// After sqlite3_close_v2 no handle and no callback is left.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/handles"
)

const (
	sqliteOK   = 0
	sqliteRow  = 100
	sqliteUTF8 = 1
	rows       = 100_000
)

// api is the part of SQLite's C API the program uses.
type api struct {
	open       func(name string, db uintptr) int32
	closeV2    func(db unsafe.Pointer) int32
	prepare    func(db unsafe.Pointer, sql string, n int32, stmt, tail uintptr) int32
	step       func(stmt unsafe.Pointer) int32
	colInt     func(stmt unsafe.Pointer, i int32) int64
	finalize   func(stmt unsafe.Pointer) int32
	valueInt   func(v unsafe.Pointer) int64
	resultInt  func(ctx unsafe.Pointer, x int64)
	userData   func(ctx unsafe.Pointer) uintptr
	aggContext func(ctx unsafe.Pointer, n int32) unsafe.Pointer
	createFn   func(db unsafe.Pointer, name uintptr, nArg, textRep int32, app, xFunc, xStep, xFinal, xDestroy uintptr) int32
	userDataFn ffi.Symbol
}

func bindAPI(lib *ffi.Library) (*api, error) {
	var a api
	errs := []error{
		ffi.Bind2(&a.open, lib.Sym("sqlite3_open")),
		ffi.Bind1(&a.closeV2, lib.Sym("sqlite3_close_v2")),
		ffi.Bind5(&a.prepare, lib.Sym("sqlite3_prepare_v2")),
		ffi.Bind1(&a.step, lib.Sym("sqlite3_step")),
		ffi.Bind2(&a.colInt, lib.Sym("sqlite3_column_int64")),
		ffi.Bind1(&a.finalize, lib.Sym("sqlite3_finalize")),
		ffi.Bind1(&a.valueInt, lib.Sym("sqlite3_value_int64")),
		ffi.BindVoid2(&a.resultInt, lib.Sym("sqlite3_result_int64")),
		ffi.Bind1(&a.userData, lib.Sym("sqlite3_user_data")),
		ffi.Bind2(&a.aggContext, lib.Sym("sqlite3_aggregate_context")),
		ffi.Bind9(&a.createFn, lib.Sym("sqlite3_create_function_v2")),
	}
	a.userDataFn = lib.Sym("sqlite3_user_data")
	return &a, errors.Join(errs...)
}

// aggState is the Go state of gosum, shared by every group: a factor,
// and how many rows all groups saw. SQLite holds it as a handle (pApp).
type aggState struct {
	factor int64
	rows   atomic.Int64
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sqlite:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	lib, err := ffi.Open("libsqlite3.so.0")
	if err != nil {
		fmt.Fprintf(w, "SQLite is not installed (libsqlite3.so.0, Debian package libsqlite3-0): %v\n", err)
		return nil
	}
	defer lib.Close()
	a, err := bindAPI(lib)
	if err != nil {
		return err
	}
	mem, err := arena.New() // C memory: out-parameters and SQL function names
	if err != nil {
		return err
	}
	defer mem.Free()
	word := func() uintptr { p, _ := mem.Alloc(8, 8); return uintptr(p) }
	cstr := func(s string) uintptr {
		p, _ := mem.Alloc(uintptr(len(s)+1), 1)
		copy(unsafe.Slice((*byte)(p), len(s)+1), s)
		return uintptr(p)
	}
	liveCallbacks := ffi.LiveCallbacks()
	fmt.Fprintf(w, "backend: %s\n", ffi.Backend())

	slot := word()
	if rc := a.open(":memory:", slot); rc != sqliteOK {
		return fmt.Errorf("sqlite3_open: %d", rc)
	}
	db := *(*unsafe.Pointer)(ptr(slot))

	// gofn(x) = x*x: it finds itself through sqlite3_user_data(ctx).
	gofn, err := ffi.NewCallbackVoid3(func(ctx unsafe.Pointer, argc int32, argv unsafe.Pointer) {
		x := a.valueInt(*(*unsafe.Pointer)(argv))
		a.resultInt(ctx, x*x)
	}, ffi.UserDataVia(a.userDataFn, 0))
	if errors.Is(err, hffi.ENOTFOUND) {
		fmt.Fprintf(w, "libffi is not installed: %v\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	closeNotify, err := ffi.CloseNotify()
	if err != nil {
		return err
	}
	if rc := a.createFn(db, cstr("gofn"), 1, sqliteUTF8, uintptr(gofn.Handle()), gofn.Fn(), 0, 0, closeNotify); rc != sqliteOK {
		return fmt.Errorf("create gofn: %d", rc)
	}

	// gosum(x) = factor * sum(x), the running sum in SQLite's aggregate
	// context (C memory), the factor in Go state held by SQLite.
	state := handles.NewHandle(&aggState{factor: 3})
	if err := ffi.HandOver(state); err != nil {
		return err
	}
	stateOf := func(ctx unsafe.Pointer) *aggState {
		v, err := handles.Default().Value(handles.Handle(a.userData(ctx)))
		if err != nil {
			panic(err) // recovered by ffi: C gets NULL, Go the error through the hook
		}
		return v.(*aggState)
	}
	xStep, err := ffi.NewCallbackVoid3(func(ctx unsafe.Pointer, argc int32, argv unsafe.Pointer) {
		sum := (*int64)(a.aggContext(ctx, 8))
		*sum += a.valueInt(*(*unsafe.Pointer)(argv))
		stateOf(ctx).rows.Add(1)
	}, ffi.NoUserData())
	if err != nil {
		return err
	}
	defer xStep.Close()
	xFinal, err := ffi.NewCallbackVoid1(func(ctx unsafe.Pointer) {
		var sum int64
		if p := (*int64)(a.aggContext(ctx, 0)); p != nil {
			sum = *p
		}
		a.resultInt(ctx, stateOf(ctx).factor*sum)
	}, ffi.NoUserData())
	if err != nil {
		return err
	}
	defer xFinal.Close()
	release, err := ffi.ReleaseNotify()
	if err != nil {
		return err
	}
	if rc := a.createFn(db, cstr("gosum"), 1, sqliteUTF8, uintptr(state), 0, xStep.Fn(), xFinal.Fn(), release); rc != sqliteOK {
		return fmt.Errorf("create gosum: %d", rc)
	}

	sql := fmt.Sprintf("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < %d) "+
		"SELECT sum(gofn(x)), gosum(x) FROM c", rows)
	if rc := a.prepare(db, sql, -1, slot, 0); rc != sqliteOK {
		return fmt.Errorf("prepare: %d", rc)
	}
	stmt := *(*unsafe.Pointer)(ptr(slot))
	if rc := a.step(stmt); rc != sqliteRow {
		a.finalize(stmt)
		return fmt.Errorf("step: %d", rc)
	}
	sumSq, gosum := a.colInt(stmt, 0), a.colInt(stmt, 1)
	a.finalize(stmt)
	const n = int64(rows)
	fmt.Fprintf(w, "sum(gofn(x)) over %d rows = %d (want %d)\n", rows, sumSq, n*(n+1)*(2*n+1)/6)
	fmt.Fprintf(w, "gosum(x) = %d (want %d)\n", gosum, 3*n*(n+1)/2)
	v, _ := handles.Default().Value(state)
	fmt.Fprintf(w, "xStep saw %d rows\n", v.(*aggState).rows.Load())

	if rc := a.closeV2(db); rc != sqliteOK {
		return fmt.Errorf("sqlite3_close_v2: %d", rc)
	}
	xStep.Close()
	xFinal.Close()
	_, err = handles.Default().Value(state)
	fmt.Fprintf(w, "after sqlite3_close_v2: pApp handle released: %v; callbacks left: %d\n",
		err != nil, ffi.LiveCallbacks()-liveCallbacks)
	if e := gofn.Err(); e != nil {
		return e
	}
	return nil
}

// ptr turns an address of C memory into a pointer.
func ptr(a uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&a)) }
