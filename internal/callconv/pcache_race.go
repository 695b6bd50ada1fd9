// SPDX-License-Identifier: Apache-2.0

//go:build race && (linux || darwin) && (amd64 || arm64)

package callconv

import "sync/atomic"

// The race detector does not know that pinning a P orders the goroutines
// that run on it one after the other, and would report the plain accesses
// of pcache_norace.go; atomic ones tell it.

func cacheLoad(e *uintptr) uintptr { return atomic.LoadUintptr(e) }

func cacheStore(e *uintptr, v uintptr) { atomic.StoreUintptr(e, v) }
