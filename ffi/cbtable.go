// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
)

// Callbacks live in their own handle table: a handle of another table or
// type given to a trampoline as user data is rejected before any Go code
// of the program runs, C can check a callback's user data with
// hffi_handle_check, and the table's leak report lists callbacks that
// were never closed. The table is made with the first callback.
var (
	cbTableOnce sync.Once
	cbTable     atomic.Pointer[handles.Of[*Callback]]
)

// cbLimit bounds the number of callbacks alive at once (the handle table
// reserves address space for it, and commits memory as it fills).
const cbLimit = 1 << 22

func callbacks() *handles.Of[*Callback] {
	if t := cbTable.Load(); t != nil {
		return t
	}
	cbTableOnce.Do(func() {
		t, err := handles.NewOf[*Callback](handles.WithLimit(cbLimit))
		if err != nil {
			panic(fmt.Errorf("ffi: cannot create the callback table: %w", err))
		}
		cbTable.Store(t)
	})
	return cbTable.Load()
}

// cbIndex maps a handle's slot index to the live callback in that slot: a
// lock-free cache in front of the handle table for the hot path of
// dispatch. An entry is trusted only if the callback's own handle equals
// the user data exactly (same table, slot and generation) and it is not
// closed; anything else goes to the table, which gives the precise error.
// Two levels of 1024 x 4096 pointers cover cbLimit slots; a second-level
// block is allocated when its first slot is used.
var cbIndex [cbLimit >> cbBlockBits]atomic.Pointer[cbBlock]

const cbBlockBits = 10

type cbBlock [1 << cbBlockBits]atomic.Pointer[Callback]

func cbEntry(h handles.Handle, make bool) *atomic.Pointer[Callback] {
	i := abi.HandleIndex(uint64(h))
	if i >= cbLimit {
		return nil
	}
	top := &cbIndex[i>>cbBlockBits]
	b := top.Load()
	if b == nil {
		if !make {
			return nil
		}
		top.CompareAndSwap(nil, new(cbBlock))
		b = top.Load()
	}
	return &b[i&(1<<cbBlockBits-1)]
}

// cbPublish records c in the index once its handle is known.
func cbPublish(c *Callback) {
	if e := cbEntry(c.h, true); e != nil {
		e.Store(c)
	}
}

// cbUnpublish removes c from the index (if a later callback did not take
// the slot already).
func cbUnpublish(c *Callback) {
	if e := cbEntry(c.h, false); e != nil {
		e.CompareAndSwap(c, nil)
	}
}

// cbLookupSlow asks the handle table, which knows why h is not a live
// callback when the index does not have it.
func cbLookupSlow(h handles.Handle) (*Callback, error) {
	tab := cbTable.Load()
	if tab == nil { // no callback was ever made: whatever C passed is forged
		return nil, hffi.EFORGED
	}
	return tab.Value(h)
}
