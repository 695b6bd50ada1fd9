// SPDX-License-Identifier: Apache-2.0

//go:build !asan

package handles

import "unsafe"

// shardHint picks a shard for the calling goroutine: the address of its
// stack, which differs between goroutines and rarely changes within one
// (stacks are at least 8 KiB), so a goroutine tends to reuse the slots it
// freed, which are still in its core's cache. It is only a hint:
// correctness never depends on which shard is used.
func shardHint() uint32 {
	var x byte
	return uint32(uintptr(unsafe.Pointer(&x)) >> shardOfHintShift)
}
