// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/hffi-go/hffi/internal/abi"
)

// fuzzTable is a table with handles in every state, for the fuzzers.
func fuzzTable(f *testing.F) (*handles.Table, []handles.Handle) {
	tab, err := handles.NewTable(handles.WithLimit(512), handles.WithDebug(false))
	require.NoError(f, err)
	var keep, all []handles.Handle
	for i := range 300 {
		h, err := tab.New(i)
		require.NoError(f, err)
		all = append(all, h)
		switch i % 3 {
		case 0:
			keep = append(keep, h)
		case 1:
			require.NoError(f, tab.Delete(h))
		case 2:
			require.NoError(f, handles.Retain(h))
			require.NoError(f, tab.Delete(h))
			if i%2 == 0 {
				require.NoError(f, handles.Release(h))
			} else {
				keep = append(keep, h)
			}
		}
	}
	for i := range 50 { // reuse some slots: stale handles
		h, err := tab.New(i)
		require.NoError(f, err)
		keep = append(keep, h)
		all = append(all, h)
	}
	c, err := handles.RegisterCObject(tab, 0x1000, 0)
	require.NoError(f, err)
	all = append(all, c)
	f.Cleanup(func() {
		for _, h := range keep {
			if tab.Delete(h) != nil {
				_ = handles.Release(h)
			}
		}
		_, _, _ = handles.TakeCObject(c)
		handlestest.VerifyNone(f, tab)
		require.NoError(f, tab.Close())
	})
	for _, h := range all {
		f.Add(uint64(h))
	}
	f.Add(uint64(0))
	f.Add(^uint64(0))
	f.Add(abi.RefTag)
	f.Add(uint64(abi.MakeHandle(tab.ID(), abi.HandleGenMax, 0)))
	f.Add(uint64(abi.MakeHandle(tab.ID(), 1, 511)))
	f.Add(uint64(abi.MakeHandle(tab.ID(), 1, 512)))
	return tab, all
}

// Decoding any integer in Go: no panic, and Get's code is Check's code
// (hffi.ETABLE for another table's handle, hffi.ETYPE for a C object).
func FuzzDecode(f *testing.F) {
	tab, _ := fuzzTable(f)
	f.Fuzz(func(t *testing.T, v uint64) {
		h := handles.Handle(v)
		check := handles.CheckCode(h)
		_, err := tab.Value(h)
		got := hffi.ErrCode(err)
		want := check
		switch {
		case v != 0 && v&abi.RefTag == 0 && h.TableID() != tab.ID():
			want = hffi.ETABLE
		case check == hffi.OK:
			if _, _, err := handles.CObject(h); err == nil {
				want = hffi.ETYPE
			}
		}
		if got != want {
			t.Fatalf("Get(%#x) = %v, Check says %v", v, got, check)
		}
		require.NotPanics(t, func() { _ = handles.Check(h); _, _, _ = handles.CObject(h) })
	})
}

// Decoding any integer through C's hffi_handle_check (in the purego-loaded
// library) gives the code Go's decoder gives.
func FuzzCheckC(f *testing.F) {
	d := loadDriver(f)
	fuzzTable(f)
	f.Fuzz(func(t *testing.T, v uint64) {
		h := handles.Handle(v)
		if c, g := d.cCheck(h), handles.CheckCode(h); c != g {
			t.Fatalf("hffi_handle_check(%#x) = %v (%s), Go says %v (%s)", v, c, c.Name(), g, g.Name())
		}
	})
}
