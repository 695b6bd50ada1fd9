// SPDX-License-Identifier: Apache-2.0

//go:build !race && (linux || darwin) && (amd64 || arm64)

package callconv

import "unsafe"

// The P is pinned around every access (pcache.go): no other thread reads
// or writes the entry meanwhile, and a P changes threads only through the
// scheduler's own synchronization. (The entries are pointers, not
// uintptrs converted back, which -asan would make escape and allocate;
// the garbage collector ignores pointers to off-heap memory.)

func cacheLoad(e *unsafe.Pointer) unsafe.Pointer { return *e }

func cacheStore(e *unsafe.Pointer, v unsafe.Pointer) { *e = v }
