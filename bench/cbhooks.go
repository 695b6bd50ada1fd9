// SPDX-License-Identifier: Apache-2.0

package bench

import "unsafe"

// cgoQsortPeer is set by qsortpeer_cgo.go: C's qsort with an //export
// comparator.
var cgoQsortPeer func(base unsafe.Pointer, n int)

// qsortCalls counts comparisons, in every row of BenchmarkQsort alike.
var qsortCalls int

// cgoSQLitePeer is set by sqlitepeer_cgo.go: an xFunc in C that calls Go
// through a cgo.Handle found with sqlite3_user_data.
var cgoSQLitePeer func(valueInt64, resultInt64, userData uintptr, fn func(int64) int64) (xFunc, app uintptr, free func())
