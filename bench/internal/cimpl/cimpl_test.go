// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package cimpl_test

import (
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"

	"github.com/hffi-go/hffi/bench/internal/cimpl"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/csrchash"
)

// The C library is linked into cgo builds and agrees with the Go mirror;
// internal/abi checks every code in detail, this only proves the link.
func TestLinked(t *testing.T) {
	assert.Equal(t, int32(abi.VersionNumber), cimpl.Version())
	for _, e := range []hffi.Code{hffi.OK, hffi.ESTALE, hffi.ECALLBACK} {
		assert.Equal(t, e.Name(), cimpl.ErrName(int32(e)))
		assert.Equal(t, e.Error(), cimpl.StrError(int32(e)))
	}
	assert.Equal(t, "HFFI_UNKNOWN", cimpl.ErrName(1))
}

// The C compiled into this package is the current csrc/: its zcsrc_hash.go
// (the build cache's only view of csrc/) is up to date.
func TestCsrcHash(t *testing.T) { csrchash.Verify(t) }
