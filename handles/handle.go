// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
)

// Handle is an integer that stands for a Go value (or a C object) in a
// [Table], and that C can check on its own with hffi_handle_check. It has
// the shape of runtime/cgo.Handle, so replacing the import of
// "runtime/cgo" with this package is enough to switch.
//
// A handle packs a table id, a generation and a slot index (see hffi.h).
// The zero value of a Handle is not valid. A deleted handle stays invalid
// forever: its slot may be reused, but never with the same generation.
type Handle uintptr

// NewHandle returns a handle for v in the default table. The handle is
// valid until Delete is called on it (and every C retain is released);
// until then v stays reachable, even if only C holds the handle. It panics
// only if the table is full (1<<24 live handles). It makes at most one
// allocation, at the call site, when v is not pointer-shaped.
//
// On the C side, keep the handle as an integer (uintptr_t, uint64_t or a
// void * user_data) and check it before use:
//
//	if (hffi_handle_check(rt, h) < 0) { /* Go deleted it: don't call back */ }
func NewHandle(v any) Handle {
	// One call, so that NewHandle inlines: insert creates the default
	// table if there is none yet, and panics for us.
	h, _ := defTable.Load().insert(v, 2, "NewHandle")
	return h
}

// Value returns the value h stands for. It panics if h is not a live
// handle of the default table, with a message that says why
// ("handles: Value of deleted handle 0x10000001000000 (HFFI_EDELETED)"); the
// panic value is an error that wraps the code ([hffi.EDELETED] here). Use
// Default().Value(h) ([Table.Value]) for an error instead. It makes no
// allocation.
func (h Handle) Value() any {
	// t.fast, written out: a call and its result copies are a third of
	// the lookup. Everything else (no default table yet included) is
	// valueSlow's, so that the fast path needs no spill.
	t := defTable.Load()
	if t == nil {
		return valueSlow(h)
	}
	v := uint64(h)
	if uint32(v>>tableShift) == t.key.Load() {
		k, off := segOf(uint32(v) & indexMask)
		if seg := atomic.LoadPointer(&t.segs[k&31]); seg != nil {
			g := (*gslot)(unsafe.Add(seg, off*gslotSz))
			m := atomic.LoadUint64(&g.meta)
			if uint32(m) == uint32(v>>abi.HandleGenShift)&genMask32|wordLive {
				data := atomic.LoadPointer(&g.data)
				if atomic.LoadUint64(&g.meta) == m {
					e := eface{typeOf(uint32(m >> 32)), data}
					return *(*any)(unsafe.Pointer(&e))
				}
			}
		}
	}
	return valueSlow(h)
}

// valueSlow is Handle.Value for all but a LIVE value read undisturbed.
func valueSlow(h Handle) any {
	e, code := def().lookupSlow(h)
	if code != hffi.OK {
		panicMisuse("Value", h, code)
	}
	return *(*any)(unsafe.Pointer(&e))
}

// Delete invalidates h. It panics, like Value, if h is not a live handle
// of the default table, including when it was already deleted. Use
// Default().Delete(h) ([Table.Delete]) for an error instead. It makes no
// allocation.
func (h Handle) Delete() {
	defTable.Load().del(h, "Delete") // one call, as in NewHandle
}

// Check reports whether h is a live handle of any table, exactly as
// hffi_handle_check does in C: nil, or an error wrapping the same code.
// A handle deleted by Go but still retained by C is live.
func Check(h Handle) error {
	if code := checkCode(uint64(h)); code != hffi.OK {
		return &Error{Op: "check", Handle: h, Code: code}
	}
	return nil
}

// Retain adds a reference to the live Go handle h (of any table) on
// behalf of C: it is the Go twin of hffi_handle_retain, for C code that
// reaches hffi through Go rather than through the C library. The value
// stays available until its owner deleted h and every retain was
// dropped with [Release].
func Retain(h Handle) error {
	if code := retain(uint64(h)); code != hffi.OK {
		return &Error{Op: "retain", Handle: h, Code: code}
	}
	return nil
}

// Release drops a reference added by [Retain] or hffi_handle_retain: it is
// the Go twin of hffi_handle_release, and like it, it does not delete h
// (that is [Handle.Delete] or [Table.Delete]). It fails with
// [hffi.EINVAL] if h has no retain.
func Release(h Handle) error {
	if code := release(uint64(h)); code != hffi.OK {
		return &Error{Op: "release", Handle: h, Code: code}
	}
	return nil
}

// TableID returns the id of the table h belongs to (bits 62..52), the
// [Table.ID] of its table and what hffi_handle_table gives C.
func (h Handle) TableID() uint32 { return abi.HandleTable(uint64(h)) }
