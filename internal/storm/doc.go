// SPDX-License-Identifier: Apache-2.0

// Package storm runs goroutines and C threads against the same handle
// tables and arenas at once, under a watchdog, and checks what each side
// sees. TestStorm runs it for a few seconds (-storm.time); cmd/hffi-soak
// runs it for as long as asked.
//
// # The storm
//
// C threads (clib/storm.c, linked with csrc/*.c into a library built at
// run time and loaded with purego, so the storm runs in cgo and
// CGO_ENABLED=0 builds alike) loop over integers that goroutines publish
// in an off-heap control block. The two halves, handles and references,
// run together (Config) or alone (NoHandles, NoArenas; TestStorm runs
// them one after the other, -storm.time each):
//
//   - Handles of table R: C retains, checks and releases them (holding up
//     to four retains at a time) while goroutines create handles in R,
//     Get them and Delete the previous ones. Other goroutines retain
//     their handles once on C's behalf, keep them for 100 ms, and delete
//     them while C threads release those retains. Delete thus finds a
//     retain and races C's last release, after which the next New
//     anywhere reaps and reissues the slot at once. A handle C holds a
//     retain on must check live; Get must return a handle's own value,
//     promptly, for as long as it lives.
//   - Handles of table K, which C never retains: once Delete returned,
//     neither C's hffi_handle_check nor Go's handles.Check may say live,
//     and hffi_handle_retain must fail.
//   - References: goroutines create arenas of random sizes, publish a
//     reference with the address Go got for it (under a sequence lock),
//     then reset or free the arena and make a new one, which often takes
//     the freed registry slot. A successful hffi_ref_resolve (or Go's
//     arena.Resolve) must return exactly the published address; a
//     reference whose arena was reset or freed must never resolve again.
//
// # The watchdog
//
// Every worker counts its finished operations. If a count does not move
// for Config.Stall (5 s by default), or the workers do not finish within
// Stall of being told to stop, the watchdog prints every goroutine's stack
// and panics: a goroutine spinning in a lookup cannot be stopped any other
// way, and a hang must fail loudly rather than time the whole test run
// out.
//
// # Sanitizers
//
// The C library is built with -fsanitize=undefined when the compiler can.
// Go's race detector (go test -race) watches the Go side; it cannot share
// a process with ThreadSanitizer, so the C-only twin of this storm,
// csrc/tests/storm_thread_test.c, runs under TSan and ASan in make -C csrc
// test.
package storm
