// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/cbuild"
)

const (
	sqliteOK         = 0
	sqliteRow        = 100
	sqliteDone       = 101
	sqliteOpenRW     = 0x2
	sqliteOpenCreate = 0x4
	sqliteUTF8       = 1
)

// sqliteAPI is the part of SQLite's C API the tests use, bound with Go
// variables as out-parameters.
type sqliteAPI struct {
	open     func(name string, db *unsafe.Pointer, flags int32, vfs unsafe.Pointer) int32
	close    func(db unsafe.Pointer) int32
	exec     func(db unsafe.Pointer, sql string, cb, arg uintptr, errmsg *unsafe.Pointer) int32
	free     func(p unsafe.Pointer)
	prepare  func(db unsafe.Pointer, sql string, n int32, stmt *unsafe.Pointer, tail *unsafe.Pointer) int32
	step     func(stmt unsafe.Pointer) int32
	colInt   func(stmt unsafe.Pointer, i int32) int64
	colText  func(stmt unsafe.Pointer, i int32) string
	colDbl   func(stmt unsafe.Pointer, i int32) float64
	finalize func(stmt unsafe.Pointer) int32
	createFn func(db unsafe.Pointer, name string, nArg, textRep int32, app, xFunc, xStep, xFinal, xDestroy uintptr) int32
}

func bindSQLite(t *testing.T) *sqliteAPI {
	var a sqliteAPI
	bind(t, sqlite, &a.open, "sqlite3_open_v2", ffi.Bind4)
	bind(t, sqlite, &a.close, "sqlite3_close", ffi.Bind1)
	bind(t, sqlite, &a.exec, "sqlite3_exec", ffi.Bind5)
	bind(t, sqlite, &a.free, "sqlite3_free", ffi.BindVoid1)
	bind(t, sqlite, &a.prepare, "sqlite3_prepare_v2", ffi.Bind5)
	bind(t, sqlite, &a.step, "sqlite3_step", ffi.Bind1)
	bind(t, sqlite, &a.colInt, "sqlite3_column_int64", ffi.Bind2)
	bind(t, sqlite, &a.colText, "sqlite3_column_text", ffi.Bind2)
	bind(t, sqlite, &a.colDbl, "sqlite3_column_double", ffi.Bind2)
	bind(t, sqlite, &a.finalize, "sqlite3_finalize", ffi.Bind1)
	bind(t, sqlite, &a.createFn, "sqlite3_create_function_v2", ffi.Bind9)
	return &a
}

func (a *sqliteAPI) openMem(t *testing.T) unsafe.Pointer {
	var db unsafe.Pointer
	require.Equal(t, int32(sqliteOK), a.open(":memory:", &db, sqliteOpenRW|sqliteOpenCreate, nil))
	require.NotNil(t, db, "the out-parameter was written back")
	t.Cleanup(func() { assert.Equal(t, int32(sqliteOK), a.close(db)) })
	return db
}

func TestSQLite(t *testing.T) {
	a := bindSQLite(t)
	db := a.openMem(t)

	var errmsg unsafe.Pointer
	require.Equal(t, int32(sqliteOK), a.exec(db, "CREATE TABLE t(n INTEGER, s TEXT, d REAL); "+
		"INSERT INTO t VALUES (1, 'one', 0.5), (2, 'two', 1.25), (3, 'three', -2)", 0, 0, &errmsg))
	assert.Nil(t, errmsg)

	// A failing statement: errmsg is a message SQLite allocated.
	assert.NotEqual(t, int32(sqliteOK), a.exec(db, "SELECT * FROM missing", 0, 0, &errmsg))
	require.NotNil(t, errmsg)
	assert.Equal(t, "no such table: missing", ffi.GoString(errmsg))
	a.free(errmsg)

	var stmt, tail unsafe.Pointer
	require.Equal(t, int32(sqliteOK), a.prepare(db, "SELECT n, s, d FROM t ORDER BY n", -1, &stmt, &tail))
	require.NotNil(t, stmt)
	type row struct {
		n int64
		s string
		d float64
	}
	var rows []row
	for {
		rc := a.step(stmt)
		if rc == sqliteDone {
			break
		}
		require.Equal(t, int32(sqliteRow), rc)
		rows = append(rows, row{a.colInt(stmt, 0), a.colText(stmt, 1), a.colDbl(stmt, 2)})
	}
	assert.Equal(t, []row{{1, "one", 0.5}, {2, "two", 1.25}, {3, "three", -2}}, rows)
	assert.Equal(t, int32(sqliteOK), a.finalize(stmt))
}

// TestSQLiteCreateFunction registers a C scalar function (from a small
// fixture that calls back into SQLite through pointers Go gives it) with
// the 9-parameter sqlite3_create_function_v2, and calls it from SQL.
func TestSQLiteCreateFunction(t *testing.T) {
	a := bindSQLite(t)
	db := a.openMem(t)
	fx, err := ffi.Open(cbuild.SharedLib(t, "libsqlfx.so", []string{"ffi/libtest/testdata/sqlfx.c"}))
	require.NoError(t, err)
	var initFx func(resultInt64, valueInt64 uintptr)
	require.NoError(t, ffi.BindVoid2(&initFx, fx.Sym("sqlfx_init")))
	initFx(sqlite.sym(t, "sqlite3_result_int64").Addr(), sqlite.sym(t, "sqlite3_value_int64").Addr())
	twice := fx.Sym("sqlfx_twice")
	require.NoError(t, twice.Err())

	require.Equal(t, int32(sqliteOK), a.createFn(db, "twice", 1, sqliteUTF8, 0, twice.Addr(), 0, 0, 0))
	var stmt unsafe.Pointer
	require.Equal(t, int32(sqliteOK), a.prepare(db, "SELECT twice(21) + twice(-100)", -1, &stmt, nil))
	require.Equal(t, int32(sqliteRow), a.step(stmt))
	assert.Equal(t, int64(42-200), a.colInt(stmt, 0))
	assert.Equal(t, int32(sqliteOK), a.finalize(stmt))
}
