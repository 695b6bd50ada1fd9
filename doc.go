// SPDX-License-Identifier: Apache-2.0

// Package hffi holds what is process-wide in hffi, a handle-based FFI
// runtime: C only ever sees integers (handles and arena references) and
// memory the Go garbage collector does not own, and validates both on its
// own, through csrc/hffi.h.
//
// # Codes
//
// Every failure in hffi, in Go and in C, is one of the HFFI_E* codes of
// hffi.h, and [Code] is their Go type. The constants ([ESTALE],
// [EDELETED], ...) are the sentinels of every package:
//
//	if errors.Is(err, hffi.ESTALE) { ... }
//
// Errors of the other packages wrap a Code and say what failed; [ErrCode]
// recovers the code to hand to C, and Code(rc) turns what a C function
// returned into an error.
//
// # Runtime
//
// [Runtime] is the address of the shared root (hffi_rt) that C functions
// take as their first argument: pass it to C once. [Version] and
// [ABIVersion] are the versions of hffi.h this package was built with.
//
// # Debug mode
//
// Debug mode is a switch, not a rebuild: HFFI_DEBUG=1 in the environment
// ([DebugEnv]) or [SetDebug] turns on, for tables and arenas created from
// then on, creation-site capture and leak reports, quarantine before slot
// reuse, and poisoning and guard pages for arena memory, so that misuse of
// stale memory by C faults at once and loudly.
//
// # Packages
//
//   - [github.com/hffi-go/hffi/handles]: Go values (and C objects) behind
//     integers C can validate; a drop-in for runtime/cgo.Handle.
//   - [github.com/hffi-go/hffi/arena]: off-heap memory with
//     generation-checked references.
//   - [github.com/hffi-go/hffi/values]: Go values (maps, slices, strings,
//     numbers, structs) encoded as trees in an arena that C reads in place.
//   - [github.com/hffi-go/hffi/ffi]: calls into C and callbacks out of C,
//     through cgo or, with CGO_ENABLED=0, without it.
//
// hffi builds on linux and darwin, on amd64 and arm64; on any other target
// the build stops with an error that says so.
package hffi
