// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"bytes"
	gozlib "compress/zlib"
	"io"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
)

// TestGenZlib: 1 MiB through compress2 and uncompress as generated
// methods (Go buffers, a *uint64 length), read back by Go's own
// compress/zlib too.
func TestGenZlib(t *testing.T) {
	z, err := BindZlib(zlib.open(t))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(ffi.GoString(z.Version()), "1."), ffi.GoString(z.Version()))
	src := testData(1 << 20)
	dst := make([]byte, z.CompressBound(uint64(len(src))))
	n := uint64(len(dst))
	require.Equal(t, int32(zOK), z.Compress2(dst, &n, src, uint64(len(src)), 9))
	require.Less(t, n, uint64(len(src)/2), "compressed")
	dst = dst[:n]
	r, err := gozlib.NewReader(bytes.NewReader(dst))
	require.NoError(t, err)
	viaGo, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(src, viaGo), "Go's zlib reads what compress2 wrote")
	back := make([]byte, len(src))
	m := uint64(len(back))
	require.Equal(t, int32(zOK), z.Uncompress(back, &m, dst, n))
	assert.Equal(t, uint64(len(src)), m)
	assert.True(t, bytes.Equal(src, back), "round trip")
	// A small buffer: Z_BUF_ERROR (-5), and the length left alone or cut.
	small := make([]byte, 16)
	k := uint64(len(small))
	assert.Equal(t, int32(-5), z.Compress2(small, &k, src, uint64(len(src)), 9))
}

// TestGenSQLite: sqlite3 ** and char ** out-parameters as Go variables,
// strings in and out, and a method left to a bound function (a double),
// through generated methods.
func TestGenSQLite(t *testing.T) {
	s, err := BindSQLite(sqlite.open(t))
	require.NoError(t, err)
	var db unsafe.Pointer
	require.Equal(t, int32(0), s.Open(":memory:", &db, 0x6 /* READWRITE|CREATE */, nil))
	require.NotNil(t, db)
	defer func() { assert.Equal(t, int32(0), s.Close(db)) }()
	var errmsg unsafe.Pointer
	require.Equal(t, int32(0), s.Exec(db, "CREATE TABLE t(name TEXT, score REAL)", 0, 0, &errmsg))
	assert.Nil(t, errmsg)
	var stmt unsafe.Pointer
	require.Equal(t, int32(0), s.Prepare(db, "INSERT INTO t VALUES(?, ?)", -1, &stmt, nil))
	for i, name := range []string{"ada", "grace", strings.Repeat("x", 5000)} {
		require.Equal(t, int32(0), s.BindText(stmt, 1, name, -1, ^uintptr(0) /* SQLITE_TRANSIENT */))
		require.Equal(t, int32(0), s.BindDouble(stmt, 2, float64(i)+0.5))
		require.Equal(t, int32(101) /* SQLITE_DONE */, s.Step(stmt))
		require.Equal(t, int32(0), s.Exec(db, "SELECT 1", 0, 0, nil), "a nil char ** is NULL")
		// A statement per row (sqlite3_reset is not in the interface).
		require.Equal(t, int32(0), s.Finalize(stmt))
		require.Equal(t, int32(0), s.Prepare(db, "INSERT INTO t VALUES(?, ?)", -1, &stmt, nil))
	}
	require.Equal(t, int32(0), s.Finalize(stmt))
	require.Equal(t, int32(0), s.Prepare(db, "SELECT name, CAST(score*2 AS INTEGER) FROM t ORDER BY score", -1, &stmt, nil))
	var names []string
	var scores []int64
	for s.Step(stmt) == 100 /* SQLITE_ROW */ {
		names = append(names, ffi.GoString(s.ColumnText(stmt, 0)))
		scores = append(scores, s.ColumnInt64(stmt, 1))
	}
	require.Equal(t, int32(0), s.Finalize(stmt))
	assert.Equal(t, []string{"ada", "grace", strings.Repeat("x", 5000)}, names)
	assert.Equal(t, []int64{1, 3, 5}, scores)
	// A failing statement fills the char ** out-parameter.
	require.NotEqual(t, int32(0), s.Exec(db, "SELECT * FROM nope", 0, 0, &errmsg))
	require.NotNil(t, errmsg)
	assert.Equal(t, "no such table: nope", ffi.GoString(errmsg))
	s.Free(errmsg)
}
