// SPDX-License-Identifier: Apache-2.0

//go:build !race

package ffi

// The P is pinned around every access (smallblock.go): no other thread
// reads or writes the entry meanwhile, and a P changes threads only
// through the scheduler's own synchronization.

func blockLoad(e *uintptr) uintptr { return *e }

func blockStore(e *uintptr, v uintptr) { *e = v }
