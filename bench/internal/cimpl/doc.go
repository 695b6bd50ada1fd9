// SPDX-License-Identifier: Apache-2.0

// Package cimpl compiles the C implementation of hffi (csrc/*.c) into the
// cgo build of the benchmarks, whose C peer calls the non-inline hffi_*
// functions. hffi's own packages need no C implementation (they use only
// the header's inline checks, or reimplement the rest in Go). A binary may
// contain each C symbol once, so a cgo package that calls hffi_* functions
// includes csrc/hffi.h and imports this package for its side effect:
//
//	// #cgo CFLAGS: -I${SRCDIR}/../../csrc
//	// #include "hffi.h"
//	import "C"
//	import _ "github.com/hffi-go/hffi/bench/internal/cimpl"
//
// # Layout
//
// Each csrc/<name>.c has a one-line twin csrc_<name>.c here that includes it,
// guarded by the cgo build constraint, so that CGO_ENABLED=0 builds see
// only this file and compile nothing. Go's build cache does not see
// files included from csrc/, so the generated zcsrc_hash.go puts a hash of
// csrc/ in the package's cgo flags: after editing csrc/, run
// go generate . (at the module root) (a test of internal/csrchash reminds you).
//
// # Test helpers
//
// In cgo builds the package also exports a few thin Go wrappers around the
// C functions (see [Version], [ErrName] and [StrError]) for tests that
// want to call C without building a shared library.
package cimpl
