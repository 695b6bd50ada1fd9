// SPDX-License-Identifier: Apache-2.0

package hffi

// After editing csrc/, run `go generate .` at the module root. It refreshes
// the zcsrc_hash.go of every package that includes csrc/ (see
// internal/csrchash: Go's build cache does not see #included files) and
// the single-file hffi.h that cmd/hffi-header writes; the tests of both
// fail while either is stale.
//go:generate go run ./internal/csrchash/gen.go
//go:generate go run ./cmd/hffi-header/gen.go
