// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/callconv"
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
	createFn := cbCreateFunction(t, lib.Sym("sqlite3_create_function_v2"))

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

// cbCreateFunction binds sqlite3_create_function_v2 (9 parameters)
// through internal/callconv until ffi binds that many.
func cbCreateFunction(t *testing.T, sym ffi.Symbol) func(db unsafe.Pointer, name uintptr, nArg, textRep int32, app, xFunc, xStep, xFinal, xDestroy uintptr) int32 {
	require.NoError(t, sym.Err())
	p, i32 := callconv.Scalar(callconv.Pointer), callconv.Scalar(callconv.Int32)
	plan, err := callconv.Prepare(callconv.Native, -1, i32, p, p, i32, i32, p, p, p, p, p)
	require.NoError(t, err)
	addr := sym.Addr()
	return func(db unsafe.Pointer, name uintptr, nArg, textRep int32, app, xFunc, xStep, xFinal, xDestroy uintptr) int32 {
		f := plan.GetFrame()
		defer callconv.PutFrame(f)
		for i, w := range []uint64{uint64(uintptr(db)), uint64(name), uint64(uint32(nArg)), uint64(uint32(textRep)),
			uint64(app), uint64(xFunc), uint64(xStep), uint64(xFinal), uint64(xDestroy)} {
			plan.Word(f, i, w)
		}
		plan.Call(f, addr)
		var r int32
		plan.Result(f, unsafe.Pointer(&r))
		return r
	}
}
