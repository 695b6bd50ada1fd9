// SPDX-License-Identifier: Apache-2.0

//go:build (!amd64 && !arm64) || race

package atomicx

import "sync/atomic"

// StoreRelease stores v at addr with (at least) release semantics. Race
// builds use this version on every platform, so that the race detector
// sees the store.
func StoreRelease(addr *uint64, v uint64) { atomic.StoreUint64(addr, v) }
