// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"unsafe"

	"github.com/hffi-go/hffi/ffi"
)

//go:generate go run ../../cmd/hffi-gen -type Zlib
//go:generate go run ../../cmd/hffi-gen -type SQLite

// Zlib is the part of zlib that gen_test.go calls through the methods
// cmd/hffi-gen writes (zlib_hffi.go).
type Zlib interface {
	//hffi:sym compress2
	Compress2(dst []byte, dstLen *uint64, src ffi.In[byte], srcLen uint64, level int32) int32
	//hffi:sym uncompress
	Uncompress(dst []byte, dstLen *uint64, src ffi.In[byte], srcLen uint64) int32
	//hffi:sym compressBound
	CompressBound(n uint64) uint64
	//hffi:sym zlibVersion
	Version() unsafe.Pointer
}

// SQLite is the part of SQLite that gen_test.go calls through generated
// methods (sqlite_hffi.go): out-parameters of type sqlite3 ** and
// char **, strings, and one method left to a bound function (a double).
type SQLite interface {
	//hffi:sym sqlite3_open_v2
	Open(name string, db *unsafe.Pointer, flags int32, vfs unsafe.Pointer) int32
	//hffi:sym sqlite3_exec
	Exec(db unsafe.Pointer, sql string, cb, arg uintptr, errmsg *unsafe.Pointer) int32
	//hffi:sym sqlite3_prepare_v2
	Prepare(db unsafe.Pointer, sql string, n int32, stmt *unsafe.Pointer, tail unsafe.Pointer) int32
	//hffi:sym sqlite3_bind_double
	BindDouble(stmt unsafe.Pointer, i int32, v float64) int32
	//hffi:sym sqlite3_bind_text
	BindText(stmt unsafe.Pointer, i int32, v string, n int32, destructor uintptr) int32
	//hffi:sym sqlite3_step
	Step(stmt unsafe.Pointer) int32
	//hffi:sym sqlite3_column_text
	ColumnText(stmt unsafe.Pointer, i int32) unsafe.Pointer
	//hffi:sym sqlite3_column_int64
	ColumnInt64(stmt unsafe.Pointer, i int32) int64
	//hffi:sym sqlite3_finalize
	Finalize(stmt unsafe.Pointer) int32
	//hffi:sym sqlite3_free
	Free(p unsafe.Pointer)
	//hffi:sym sqlite3_close
	Close(db unsafe.Pointer) int32
}
