// SPDX-License-Identifier: Apache-2.0

//go:build race

package ffi

import "sync/atomic"

// The race detector does not know that pinning a P orders the goroutines
// that run on it one after the other, and would report the plain accesses
// of smallblock_norace.go; atomic ones tell it.

func blockLoad(e *uintptr) uintptr { return atomic.LoadUintptr(e) }

func blockStore(e *uintptr, v uintptr) { atomic.StoreUintptr(e, v) }
