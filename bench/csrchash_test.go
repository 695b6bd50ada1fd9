// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package bench

import (
	"testing"

	"github.com/hffi-go/hffi/internal/csrchash"
)

// The C that the peers of this package include from csrc/ is current: its
// zcsrc_hash.go (the build cache's only view of csrc/) is up to date.
func TestCsrcHash(t *testing.T) { csrchash.Verify(t) }
