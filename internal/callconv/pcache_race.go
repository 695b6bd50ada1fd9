// SPDX-License-Identifier: Apache-2.0

//go:build race && (linux || darwin) && (amd64 || arm64)

package callconv

import (
	"sync/atomic"
	"unsafe"
)

// The race detector does not know that pinning a P orders the goroutines
// that run on it one after the other, and would report the plain accesses
// of pcache_norace.go; atomic ones tell it.

func cacheLoad(e *unsafe.Pointer) unsafe.Pointer { return atomic.LoadPointer(e) }

func cacheStore(e *unsafe.Pointer, v unsafe.Pointer) { atomic.StorePointer(e, v) }
