// SPDX-License-Identifier: Apache-2.0

//go:build !race && (linux || darwin) && (amd64 || arm64)

package callconv

// The P is pinned around every access (pcache.go): no other thread reads
// or writes the entry meanwhile, and a P changes threads only through the
// scheduler's own synchronization.

func cacheLoad(e *uintptr) uintptr { return *e }

func cacheStore(e *uintptr, v uintptr) { *e = v }
