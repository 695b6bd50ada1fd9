// SPDX-License-Identifier: Apache-2.0

// Command cshared is a Go library with a C API: a small document store
// that a plain C program uses, built with
//
//	go build -buildmode=c-shared -o libdocstore.so ./examples/cshared
//	go build -buildmode=c-archive -o libdocstore.a ./examples/cshared
//
// Both write libdocstore.h, the C API (docstore.go's //export functions;
// it includes hffi.h). The C host program in host/host.c is the other half
// of the documentation; main_test.go builds the library both ways, compiles
// the host with cc (under AddressSanitizer when the compiler has it) and
// runs it.
//
// What it shows:
//
//   - The store C holds is an hffi handle, not a raw integer or pointer:
//     a stale, forged or double-closed handle is an HFFI_E* code, and C can
//     check one with hffi_handle_check on the root (ds_runtime) without
//     calling Go.
//   - Documents cross as arena trees: C builds one with the hffi_val_*
//     builders in an arena the store lends it (ds_arena) and Go decodes it
//     (values.Decode); Go encodes one (values.Encode) and C reads it in place with
//     hffi_val_path and friends. A reference C keeps after Go reset the
//     arena is HFFI_ESTALE, not freed memory.
//   - Iteration calls a C callback from Go with a key and a tree.
//   - The host embeds its own private copy of hffi's C API
//     (HFFI_IMPLEMENTATION); the library's cgo code uses only the header's
//     inline checks. A private copy has no linker-visible symbols, so the
//     c-archive build links both into one executable without a clash, and
//     every copy works on the one root Go made.
//
// Outside this repository, get hffi.h with
// go run github.com/hffi-go/hffi/cmd/hffi-header -o . and replace the
// -I flag of the cgo preamble with it.
package main

// main is required by -buildmode=c-shared and c-archive, and never runs.
func main() {}
