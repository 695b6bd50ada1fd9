// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"testing"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/hffi-go/hffi/ffi"
)

const (
	sqliteRows = 10_000
	sqliteUTF8 = 1
	sqliteRow  = 100
)

// sqliteBench is SQLite opened once, with an in-memory database.
type sqliteBench struct {
	db                                              unsafe.Pointer
	prepare                                         func(db unsafe.Pointer, sql string, n int32, stmt, tail uintptr) int32
	step, finalize                                  func(stmt unsafe.Pointer) int32
	colInt                                          func(stmt unsafe.Pointer, i int32) int64
	createFn, valueInt64, resultInt64, userData, fn uintptr
}

func openSQLite(b *testing.B) *sqliteBench {
	lib, err := ffi.Open("libsqlite3.so.0")
	if err != nil {
		b.Skipf("libsqlite3.so.0 is not installed (Debian package libsqlite3-0): %v", err)
	}
	s := &sqliteBench{}
	var open func(name string, db uintptr) int32
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(ffi.Bind2(&open, lib.Sym("sqlite3_open")))
	must(ffi.Bind5(&s.prepare, lib.Sym("sqlite3_prepare_v2")))
	must(ffi.Bind1(&s.step, lib.Sym("sqlite3_step")))
	must(ffi.Bind1(&s.finalize, lib.Sym("sqlite3_finalize")))
	must(ffi.Bind2(&s.colInt, lib.Sym("sqlite3_column_int64")))
	s.createFn = lib.Sym("sqlite3_create_function_v2").Addr()
	s.valueInt64 = lib.Sym("sqlite3_value_int64").Addr()
	s.resultInt64 = lib.Sym("sqlite3_result_int64").Addr()
	s.userData = lib.Sym("sqlite3_user_data").Addr()
	slot := benchWord(b)
	if rc := open(":memory:", slot); rc != 0 {
		b.Fatalf("sqlite3_open: %d", rc)
	}
	s.db = *(*unsafe.Pointer)(ptrOf(slot))
	return s
}

// create registers name with sqlite3_create_function_v2.
func (s *sqliteBench) create(b *testing.B, name string, xFunc, app uintptr) {
	var create func(db unsafe.Pointer, name string, nArg, textRep int32, app, xFunc, xStep, xFinal, xDestroy uintptr) int32
	if err := ffi.Bind9(&create, ffi.SymbolAt("sqlite3_create_function_v2", s.createFn)); err != nil {
		b.Fatal(err)
	}
	if rc := create(s.db, name, 1, sqliteUTF8, app, xFunc, 0, 0, 0); rc != 0 {
		b.Fatalf("sqlite3_create_function_v2: %d", rc)
	}
}

// query runs sql, which gives one integer, and returns it.
func (s *sqliteBench) query(b *testing.B, sql string) int64 {
	slot := benchWord(b)
	if rc := s.prepare(s.db, sql, -1, slot, 0); rc != 0 {
		b.Fatalf("prepare %q: %d", sql, rc)
	}
	stmt := *(*unsafe.Pointer)(ptrOf(slot))
	defer s.finalize(stmt)
	if rc := s.step(stmt); rc != sqliteRow {
		b.Fatalf("step %q: %d", sql, rc)
	}
	return s.colInt(stmt, 0)
}

func sqliteCTE(expr string) string {
	return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 10000) SELECT sum(" + expr + ") FROM c"
}

// BenchmarkSQLiteFunc: SQLite calls a Go scalar function once per row of
// a recursive CTE of 10,000 rows; each call reads its argument
// (sqlite3_value_int64) and sets its result (sqlite3_result_int64)
// through SQLite's C API. ns/call is the time per call over the same
// query with the built-in arithmetic (x+1).
func BenchmarkSQLiteFunc(b *testing.B) {
	s := openSQLite(b)
	const want = int64(sqliteRows*(sqliteRows+1)/2 + sqliteRows)
	base := time.Duration(1 << 62)
	for range 5 {
		t0 := time.Now()
		if got := s.query(b, sqliteCTE("x+1")); got != want {
			b.Fatalf("built-in: got %d, want %d", got, want)
		}
		base = min(base, time.Since(t0))
	}
	run := func(b *testing.B, name string) {
		sql := sqliteCTE(name + "(x)")
		b.ReportAllocs()
		var d time.Duration
		for b.Loop() {
			t0 := time.Now()
			if got := s.query(b, sql); got != want {
				b.Fatalf("%s: got %d, want %d", name, got, want)
			}
			d += time.Since(t0)
		}
		b.ReportMetric(float64((d/time.Duration(b.N)-base).Nanoseconds())/sqliteRows, "ns/call")
	}
	plus1 := func(x int64) int64 { return x + 1 }

	b.Run("hffi", func(b *testing.B) {
		var value func(v unsafe.Pointer) int64
		var result func(ctx unsafe.Pointer, x int64)
		if err := ffi.Bind1(&value, ffi.SymbolAt("sqlite3_value_int64", s.valueInt64)); err != nil {
			b.Fatal(err)
		}
		if err := ffi.BindVoid2(&result, ffi.SymbolAt("sqlite3_result_int64", s.resultInt64)); err != nil {
			b.Fatal(err)
		}
		cb, err := ffi.NewCallbackVoid3(func(ctx unsafe.Pointer, argc int32, argv unsafe.Pointer) {
			result(ctx, plus1(value(*(*unsafe.Pointer)(argv))))
		}, ffi.NoUserData())
		if err != nil {
			b.Skip(err)
		}
		defer cb.Close()
		s.create(b, "gofn_hffi", cb.Fn(), 0)
		run(b, "gofn_hffi")
	})
	if cgoSQLitePeer != nil {
		b.Run("cgo+cgo.Handle", func(b *testing.B) {
			xFunc, app, free := cgoSQLitePeer(s.valueInt64, s.resultInt64, s.userData, plus1)
			defer free()
			s.create(b, "gofn_cgo", xFunc, app)
			run(b, "gofn_cgo")
		})
	}
	b.Run("purego", func(b *testing.B) {
		s.create(b, "gofn_purego", puregoSQLiteFn(s.valueInt64, s.resultInt64, plus1), 0)
		run(b, "gofn_purego")
	})
}

// puregoSQLiteFn is the raw purego peer: one purego.NewCallback, SyscallN
// inside.
var puregoSQLiteFnCB uintptr

func puregoSQLiteFn(valueInt64, resultInt64 uintptr, fn func(int64) int64) uintptr {
	if puregoSQLiteFnCB == 0 {
		puregoSQLiteFnCB = purego.NewCallback(func(ctx, argc, argv uintptr) {
			x, _, _ := purego.SyscallN(valueInt64, *(*uintptr)(ptrOf(argv)))
			purego.SyscallN(resultInt64, ctx, uintptr(fn(int64(x))))
		})
	}
	return puregoSQLiteFnCB
}
