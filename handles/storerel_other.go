// SPDX-License-Identifier: Apache-2.0

//go:build !amd64 && !arm64

package handles

import "sync/atomic"

// storeRelease stores v at addr with (at least) release semantics.
func storeRelease(addr *uint64, v uint64) { atomic.StoreUint64(addr, v) }
