// SPDX-License-Identifier: Apache-2.0

// Package cimpl compiles the C implementation of hffi (csrc/*.c) into cgo
// builds. It is the only package that does so: a binary may contain each
// C symbol once, so every other cgo package that calls hffi_* functions
// includes csrc/hffi.h and imports this package for its side effect:
//
//	// #cgo CFLAGS: -I${SRCDIR}/../csrc
//	// #include "hffi.h"
//	import "C"
//	import _ "github.com/hffi-go/hffi/internal/cimpl"
//
// # Layout
//
// Each csrc/<name>.c has a one-line twin csrc_<name>.c here that includes it,
// guarded by the cgo build constraint, so that CGO_ENABLED=0 builds see
// only this file and compile nothing. Go's build cache does not see
// files included from csrc/, so the generated zcsrc_hash.go puts a hash of
// csrc/ in the package's cgo flags: after editing csrc/, run
// go generate ./internal/cimpl (a test of internal/csrchash reminds you).
//
// # Test helpers
//
// In cgo builds the package also exports a few thin Go wrappers around the
// C functions (see [Version], [ErrName] and [StrError]) for tests that
// want to call C without building a shared library.
package cimpl

// Refresh zcsrc_hash.go here and in every other package that includes
// csrc/ (see internal/csrchash).
//go:generate go run ../csrchash/gen.go

// Refresh the single-file hffi.h that cmd/hffi-header writes (its test
// fails while it differs from csrc/).
//go:generate go run ../../cmd/hffi-header/gen.go
