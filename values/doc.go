// SPDX-License-Identifier: Apache-2.0

// Package values passes Go values to C, and C's back, as trees in an arena
// that both sides read in place: no JSON, no per-value malloc, and C-side
// accessors (the hffi_val_* functions of hffi.h) that cannot read freed
// memory silently.
//
// [Encode] copies a Go value (map[string]any, []any, structs with json
// tags, typed slices and maps, scalars; see [Kind]) into an arena as a
// tree and returns the root's arena.Ref, which C reads with
// hffi_val_kind, hffi_val_get, hffi_val_path and the other accessors.
// Encoding is one pass, deterministic (keys sorted) and, with a reused
// [Encoder], free of Go heap allocations for the common types. A value
// without an encoding is an [*Error] naming its path, such as
// `payload.user.tags[3]`, or a handle when [Encoder.Handles] is set.
//
// C builds trees with hffi_val_new, the hffi_val_set_* builders and
// hffi_val_map_sort in an arena Go gave it; [Decode] and [DecodeInto]
// read them back, checking every offset, so corrupt input is an error
// ([hffi.ECORRUPT], [hffi.EBOUNDS]) and never a crash.
//
// [Open] gives a [View] of a tree, read in place without decoding it: kind,
// scalars, strings (copied or in place), list elements, map lookups by
// binary search, iteration and paths, the Go twin of the hffi_val_*
// accessors with the same checks and error codes, and no Go heap
// allocation. A caller that wants a few fields of a C result reads them
// with a View rather than decode the whole tree into maps.
//
// A tree lives until its arena is reset or freed; then every reference
// into it, in Go and in C, fails with [hffi.ESTALE]. The package reads
// arena memory only through the arena package ([arena.ResolveExtent] and
// [arena.Check]), so it follows the same generation checks as C.
package values
