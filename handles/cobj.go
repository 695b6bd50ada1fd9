// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"sync/atomic"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

// C objects are the other direction: C memory named by a handle that Go
// holds, so that Go never keeps the raw pointer. These functions are the
// low-level half; package ffi builds the Go wrapper (with Close and a
// cleanup) that calls the destructor.
//
// The pointers they return are C addresses as integers. Go must not keep
// them beyond the call that uses them, nor convert them back to a Go
// pointer type other than through unsafe code that treats them as C
// memory: after the object is destroyed they dangle. Keep the handle.

// RegisterCObject registers the C object at ptr (not 0), destroyed by the
// C function at dtor (0 for none), in table t (the default table if nil),
// exactly as hffi_cobj_register does, and returns its handle. It fails
// with hffi.EINVAL for a zero ptr, hffi.ENOMEM at the table's limit and
// hffi.ECLOSED after Close.
func RegisterCObject(t *Table, ptr, dtor uintptr) (Handle, error) {
	if t == nil {
		t = def()
	}
	if ptr == 0 {
		return 0, &Error{Op: "register C object", Code: hffi.EINVAL, Detail: "nil pointer"}
	}
	if t.closed() {
		return 0, &Error{Op: "register C object", Code: hffi.ECLOSED, Detail: t.String()}
	}
	idx, code := t.alloc()
	if code != hffi.OK {
		return 0, &Error{Op: "register C object", Code: code, Detail: t.String()}
	}
	s := t.slot(idx)
	gen := wordGen(atomic.LoadUint64(&s.Word))
	atomic.StoreUint64(&s.CPtr, uint64(ptr))
	atomic.StoreUint64(&s.CDtor, uint64(dtor))
	if t.dbg != nil {
		t.dbg.record(idx, 2)
	}
	atomic.StoreUint64(&s.Word, uint64(gen|wordLive|wordCObj))
	return makeHandle(t.id, gen, idx), nil
}

// CObject validates h (of any table) and returns the C object's pointer
// and destructor without changing who owns it, like hffi_cobj_get. It
// fails with the errors of Check, and hffi.ETYPE if h names a Go value. It
// makes no allocation unless it fails.
func CObject(h Handle) (ptr, dtor uintptr, err error) {
	for {
		s, w, code := slotOf(uint64(h))
		if code == hffi.OK && wordKind(w) != abi.KindCObj {
			code = hffi.ETYPE
		}
		if code != hffi.OK {
			return 0, 0, &Error{Op: "C object", Handle: h, Code: code}
		}
		p, d := atomic.LoadUint64(&s.CPtr), atomic.LoadUint64(&s.CDtor)
		if uint32(atomic.LoadUint64(&s.Word)) == uint32(w) {
			return uintptr(p), uintptr(d), nil
		}
	}
}

// TakeCObject frees the slot of the C object h and returns its pointer and
// destructor, which the caller must now call (once). Of any number of
// racing TakeCObject and hffi_cobj_destroy calls on h, exactly one
// succeeds; the others, and every later use of h from Go or C, fail with
// hffi.EDELETED (hffi.ESTALE once the slot is reused).
func TakeCObject(h Handle) (ptr, dtor uintptr, err error) {
	for {
		s, w, code := slotOf(uint64(h))
		if code == hffi.OK && wordKind(w) != abi.KindCObj {
			code = hffi.ETYPE
		}
		if code != hffi.OK {
			return 0, 0, &Error{Op: "take C object", Handle: h, Code: code}
		}
		p, d := atomic.LoadUint64(&s.CPtr), atomic.LoadUint64(&s.CDtor)
		freed := freedWord(w)
		if !atomic.CompareAndSwapUint64(&s.Word, w, freed) {
			continue
		}
		atomic.StoreUint64(&s.CPtr, 0)
		atomic.StoreUint64(&s.CDtor, 0)
		recycleShared(abi.HandleTable(uint64(h)), abi.HandleIndex(uint64(h)), freed)
		return uintptr(p), uintptr(d), nil
	}
}

// recycleShared returns a freed slot of any table the way C does: to the
// free list, or to the reap list of a debug table, whose Go side then
// quarantines it.
func recycleShared(tid, idx uint32, freed uint64) {
	if wordState(freed) == abi.SlotRetired {
		return
	}
	hdr := shm.TableHdr(tid)
	if atomic.LoadUint64(&hdr.Flags)&abi.TableFDebug != 0 {
		listPush(&hdr.ReapHead, baseOf(tid), idx, idx)
		return
	}
	listPush(&hdr.FreeHead, baseOf(tid), idx, idx)
}
