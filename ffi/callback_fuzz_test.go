// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"testing"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
)

// FuzzDispatchUserData gives the dispatcher any 64-bit user data, as C
// might: only the live callback's exact handle runs Go code; everything
// else returns a negative HFFI code and never crashes.
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
	_ = closed.Close()
	old := SetCallbackErrorHook(nil)
	f.Cleanup(func() { SetCallbackErrorHook(old) })

	u := uint64(uintptr(c.Handle()))
	for _, seed := range []uint64{0, 1, u, u + 1, u ^ 1<<63, u + 1<<abi.HandleGenShift, u - 1<<abi.HandleGenShift,
		u ^ 1<<abi.HandleTableShift, uint64(uintptr(closed.Handle())), ^uint64(0), abi.HandleIndexMax} {
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
		if code := int64(fr.ret); code >= 0 || code < int64(hffi.ECALLBACK) {
			t.Fatalf("user data %#x: C got %d, want a negative HFFI code", ud, code)
		}
	})
}
