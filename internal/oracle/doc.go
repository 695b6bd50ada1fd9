// SPDX-License-Identifier: Apache-2.0

// Package oracle holds a test that throws hundreds of thousands of random
// and bit-flipped 64-bit integers at every C entry point of hffi.h that
// takes a handle, an arena id or a reference, and judges every answer by
// what Go actually issued. It has no API; everything is in its test.
//
// # How it works
//
// Go builds a world through the public API: tables with live, deleted,
// reused, retained and closed handles and C objects; arenas that are live,
// reset, freed, freed and reused, in normal and debug mode; value trees
// encoded with values.Encode. It records every integer it was given and what
// became of it. It then derives a pool of integers (at least 1<<18 by
// default, -oracle.n to change): everything it issued, then mutations of
// those (one to three flipped bits, a field off by one, a generation from
// the future) and plain random ones.
//
// testdata/oracle.c, linked with every csrc/*.c into a shared library at
// test time and loaded with purego (so the test runs in cgo and
// CGO_ENABLED=0 builds alike), calls every entry point with every integer
// of the pool and writes the codes and outputs into off-heap memory:
// hffi_handle_check, _check_in, _retain, _release, hffi_cobj_get,
// _destroy, _register, hffi_ref_resolve, hffi_arena_check, _alloc,
// _strdup, _memdup, hffi_ref_of and every hffi_val_* reader, plus
// hffi_val_new.
//
// # What it proves
//
//   - No wrong acceptance: a call succeeds only for an integer Go issued
//     and that is still live (for references: one whose arena slot and
//     generation are live, within the bounds the arena allocated), and it
//     gives back what Go issued (the C object's pointer, the address, the
//     scalar Go encoded).
//   - Integers Go issued and then deleted, reset or freed give the
//     documented code, exactly: HFFI_EDELETED, HFFI_ESTALE or
//     HFFI_ECLOSED, as the history of the slot says.
//   - Every code a call returns is one that hffi.h documents for it, and
//     the C code equals what Go's twin (handles.Check, arena.Resolve,
//     arena.Check) says for the same integer.
//   - Calls that fail change nothing: after all of them, every Go value,
//     retain count, table size and Go allocation is as Go left it.
//
// # Sanitizers
//
// The library is built with -fsanitize=undefined in every mode (UBSan's
// runtime loads fine into a process that was not built with it), and with
// -fsanitize=address,undefined when the test binary runs under go test
// -asan (the Go binary then carries the ASan runtime, which a dlopen'd
// ASan library needs). A report aborts the test binary. The state the
// integers are judged against is created by Go, not by a C imitation of
// Go, which is why this is a Go test and not one of csrc/tests.
package oracle
