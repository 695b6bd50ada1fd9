// SPDX-License-Identifier: Apache-2.0

//go:build !amd64 || race

package arena

import "github.com/hffi-go/hffi/internal/atomicx"

// storeRelease is atomicx.StoreRelease (STLR on arm64; sync/atomic's
// Store under the race detector, which must see it). See
// store_norace.go.
func storeRelease(p *uint64, v uint64) { atomicx.StoreRelease(p, v) }
