// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/handles"
)

// TestCallbackSQLiteFunctions registers a scalar function (found through
// sqlite3_user_data with ffi.UserDataVia, closed by ffi.CloseNotify) and
// an aggregate (xStep and xFinal with ffi.NoUserData, their pApp a handle
// released by ffi.ReleaseNotify) and runs them over a 100,000-row
// recursive CTE; after sqlite3_close_v2 no handle and no callback is left.
func TestCallbackSQLiteFunctions(t *testing.T) {
	cbNeedLibffi(t)
	cbNoLeaks(t)
	lib := cbLib(t, "libsqlite3.so.0", "libsqlite3-0")
	var (
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
	)
	cbBind(t, lib, &open, "sqlite3_open", ffi.Bind2)
	cbBind(t, lib, &closeV2, "sqlite3_close_v2", ffi.Bind1)
	cbBind(t, lib, &prepare, "sqlite3_prepare_v2", ffi.Bind5)
	cbBind(t, lib, &step, "sqlite3_step", ffi.Bind1)
	cbBind(t, lib, &colInt, "sqlite3_column_int64", ffi.Bind2)
	cbBind(t, lib, &finalize, "sqlite3_finalize", ffi.Bind1)
	cbBind(t, lib, &valueInt, "sqlite3_value_int64", ffi.Bind1)
	cbBind(t, lib, &resultInt, "sqlite3_result_int64", ffi.BindVoid2)
	cbBind(t, lib, &userData, "sqlite3_user_data", ffi.Bind1)
	cbBind(t, lib, &aggContext, "sqlite3_aggregate_context", ffi.Bind2)
	var createFn func(db unsafe.Pointer, name uintptr, nArg, textRep int32, app, xFunc, xStep, xFinal, xDestroy uintptr) int32
	cbBind(t, lib, &createFn, "sqlite3_create_function_v2", ffi.Bind9)

	mem := cbMem(t)
	slot, err := mem.Alloc(8, 8)
	require.NoError(t, err)
	require.Zero(t, open(":memory:", uintptr(slot)))
	db := *(*unsafe.Pointer)(slot)

	scalar, err := ffi.NewCallbackVoid3(func(ctx unsafe.Pointer, argc int32, argv unsafe.Pointer) {
		x := valueInt(*(*unsafe.Pointer)(argv))
		resultInt(ctx, 2*x+1)
	}, ffi.UserDataVia(lib.Sym("sqlite3_user_data"), 0))
	require.NoError(t, err)
	closeNotify, err := ffi.CloseNotify()
	require.NoError(t, err)
	require.Zero(t, createFn(db, uintptr(cbCString(t, mem, "gofn")), 1, 1, uintptr(scalar.Handle()), scalar.Fn(), 0, 0, closeNotify))

	type aggState struct{ steps int }
	state := handles.NewHandle(&aggState{})
	require.NoError(t, ffi.HandOver(state))
	xStep, err := ffi.NewCallbackVoid3(func(ctx unsafe.Pointer, argc int32, argv unsafe.Pointer) {
		*(*int64)(aggContext(ctx, 8)) += valueInt(*(*unsafe.Pointer)(argv)) % 7
		v, err := handles.Default().Value(handles.Handle(userData(ctx)))
		if err != nil {
			panic(err)
		}
		v.(*aggState).steps++
	}, ffi.NoUserData())
	require.NoError(t, err)
	xFinal, err := ffi.NewCallbackVoid1(func(ctx unsafe.Pointer) {
		var sum int64
		if p := (*int64)(aggContext(ctx, 0)); p != nil {
			sum = *p
		}
		resultInt(ctx, sum)
	}, ffi.NoUserData())
	require.NoError(t, err)
	release, err := ffi.ReleaseNotify()
	require.NoError(t, err)
	require.Zero(t, createFn(db, uintptr(cbCString(t, mem, "gomod7sum")), 1, 1, uintptr(state), 0, xStep.Fn(), xFinal.Fn(), release))

	const n = 100_000
	sql := fmt.Sprintf("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < %d) "+
		"SELECT sum(gofn(x)), gomod7sum(x), sum(x %% 7) FROM c", n)
	require.Zero(t, prepare(db, sql, -1, uintptr(slot), 0))
	stmt := *(*unsafe.Pointer)(slot)
	require.Equal(t, int32(100), step(stmt)) // SQLITE_ROW
	require.Equal(t, int64(n*(n+1)+n), colInt(stmt, 0), "sum(2x+1)")
	require.Equal(t, colInt(stmt, 2), colInt(stmt, 1), "the Go aggregate agrees with SQLite's")
	require.Zero(t, finalize(stmt))
	v, err := handles.Default().Value(state)
	require.NoError(t, err)
	require.Equal(t, n, v.(*aggState).steps)

	require.Zero(t, closeV2(db))
	_, err = handles.Default().Value(state)
	require.Error(t, err, "xDestroy released pApp")
	require.NoError(t, scalar.Err())
	require.NoError(t, xStep.Err())
	require.NoError(t, xStep.Close())
	require.NoError(t, xFinal.Close())
	// scalar was closed by SQLite (CloseNotify); cbNoLeaks checks it.
}
