// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"testing"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// FuzzDispatchUserData gives the dispatcher any 64-bit user data, as C
// might: only the live callback's exact handle runs Go code; everything
// else returns a negative HFFI code and never crashes, except the exact
// handle of a closed callback made with FailureValue, which gets that
// value while its slot was not reused (FailureValue's doc).
func FuzzDispatchUserData(f *testing.F) {
	ran := 0
	c, err := NewCallback1(func(a int) int { ran++; return a })
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = c.Close() })
	closed, err := NewCallback1(func(a int) int { ran++; return a })
	if err != nil {
		f.Fatal(err)
	}
	late, err := NewCallback1(func(a int) int { ran++; return a }, FailureValue(0))
	if err != nil {
		f.Fatal(err)
	}
	// Both closed after both were made: neither takes the other's slot,
	// so both handles name tombstones.
	_ = closed.Close()
	_ = late.Close()
	old := SetCallbackErrorHook(nil)
	f.Cleanup(func() { SetCallbackErrorHook(old) })

	u := uint64(uintptr(c.Handle()))
	for _, seed := range []uint64{0, 1, u, u + 1, u ^ 1<<63, u + 1<<abi.HandleGenShift, u - 1<<abi.HandleGenShift,
		u ^ 1<<abi.HandleTableShift, uint64(uintptr(closed.Handle())), uint64(uintptr(late.Handle())),
		^uint64(0), abi.HandleIndexMax} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ud uint64) {
		before := ran
		fr := cbFrame{shape: c.shape}
		fr.ints[0] = uintptr(ud)
		fr.ints[1] = 7
		dispatch(&fr)
		if uintptr(ud) == uintptr(c.Handle()) {
			if ran != before+1 || fr.ret != 7 {
				t.Fatalf("live callback: ran %d times, returned %d", ran-before, int64(fr.ret))
			}
			return
		}
		if ran != before {
			t.Fatalf("user data %#x ran a callback", ud)
		}
		// Earlier tests, in whatever order -shuffle runs them, leave such
		// closed callbacks in the table too (TestClosureLateCall's and
		// TestNotifyWrongShape's FailureValue(0)); one at u+1, at u's
		// generation, gave C 0 under HFFI_DEBUG=1 -count=2. Through a
		// trampoline of its own shape C must get that value; through
		// another, a negative code (TestClosedFailureValueOtherShape).
		if tb := cbTombstone(handles.Handle(ud)); tb != nil && tb.fail.set && tb.shape == c.shape {
			if fr.ret != tb.fail.bits {
				t.Fatalf("user data %#x, a closed callback: C got %#x, want its FailureValue %#x", ud, fr.ret, tb.fail.bits)
			}
			return
		}
		if code := int64(fr.ret); code >= 0 || code < int64(hffi.ECALLBACK) {
			t.Fatalf("user data %#x: C got %d, want a negative HFFI code", ud, code)
		}
	})
}
