// SPDX-License-Identifier: Apache-2.0

// Package handles gives C integers that stand for Go values, and Go
// integers that stand for C objects, in generational tables that C can
// check on its own. It replaces runtime/cgo.Handle: change the import and
// the program keeps working, but a stale, forged or double-deleted handle
// becomes a named error (or a panic that says what was wrong) instead of
// a crash, C can tell a dead handle from a live one without calling Go,
// and the tables are faster.
//
// # Drop-in API
//
// [NewHandle], [Handle.Value] and [Handle.Delete] have the signatures of
// runtime/cgo. They use the process-wide default table ([Default]) and
// panic on misuse, with a message such as
// "handles: Value of deleted handle 0x10000001000000 (HFFI_EDELETED)"; the
// panic value is an error wrapping the code. The Go side of a use:
//
//	h := handles.NewHandle(callback)
//	C.register_callback(C.uintptr_t(h))   // C keeps the integer
//	...
//	h.Delete()
//
// and the C side, which checks before it calls back:
//
//	#include "hffi.h"
//	void fire(const hffi_rt *rt, uintptr_t h) {
//	    if (hffi_handle_check(rt, h) < 0) return;   // Go deleted it
//	    goCallback(h);
//	}
//
// The root rt is [hffi.Runtime], handed to C once. Invariants, one line each:
// the zero Handle is never valid; a handle is valid from New until Delete
// (and until C released every retain); a deleted handle never becomes
// valid again, not even for the same value in the same slot.
//
// # Safe API
//
// The methods of [Table] return errors instead: [Table.New],
// [Table.Value] and [Table.Delete] are the drop-in trio with an error, on
// any table, Default() included. The errors wrap the codes of package
// hffi, the very codes C gets, so errors.Is(err, hffi.ESTALE) works and
// [hffi.ErrCode] recovers the code. They never panic, whatever the
// integer.
//
// [Check], [Retain] and [Release] are the Go twins of hffi_handle_check,
// hffi_handle_retain and hffi_handle_release: they act on a handle of any
// table (the table is in the handle, see [Handle.TableID]) and mean what
// they mean in C. In particular Release drops a retain; it never deletes.
//
// # Tables and typed tables
//
// [NewTable] makes a table with its own id and limit ([WithLimit]); a
// handle of one table given to another fails with [hffi.ETABLE]. [Of] is a
// typed table: [Of.Value] returns a T, and a handle of another Of is
// rejected at run time with an error that wraps [hffi.ETYPE] and
// [hffi.ETABLE]. A table
// reserves address space for its limit and commits it as it grows, in
// place: memory follows the peak of live handles, and nothing C may be
// reading ever moves. A slot whose generations run out is retired, never
// wrapped. [Table.Close] frees an empty table's id for reuse; generations
// go on, so old handles stay stale, and the closed Table never acts on the
// table that reuses its id.
//
// # C retains and C objects
//
// C may retain a Go handle (hffi_handle_retain) to keep the value alive
// after its Go owner deleted it, and release it from any thread
// (hffi_handle_release) without calling Go; Go recycles such slots on its
// next allocation or on [Table.Reap]. [Retain] and [Release] are the Go
// twins. In the other direction, C registers its own objects
// (hffi_cobj_register) and hands Go a handle, never the pointer:
// [CObject], [TakeCObject] and [RegisterCObject] are the low-level Go
// side that package ffi builds a closable wrapper on. When C destroys the
// object first, Go gets [hffi.EDELETED], not a dangling pointer.
//
// # Leaks and debug mode
//
// [Table.Len] counts live handles and [Table.Snapshot] lists them. In
// debug mode (HFFI_DEBUG=1, [hffi.SetDebug] or [WithDebug]) a table
// records where each handle was created, [Table.LeakReport] groups the
// live ones by creation site, and freed slots wait in quarantine before
// reuse. Package [github.com/hffi-go/hffi/handles/handlestest] fails a test
// that leaves handles behind.
//
// # Concurrency and cost
//
// Every function is safe for concurrent use from goroutines, and C
// threads may work on the same tables at once. Lookups take no lock and
// make no allocation; they read the Go value between two loads of a
// generation word (a seqlock), so they never see a torn interface or
// another handle's value. New and Delete are lock-free and make no
// allocation of their own (converting a non-pointer value to an interface allocates at
// the call site), except when a table grows or in debug mode.
package handles
