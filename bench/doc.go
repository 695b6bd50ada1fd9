// SPDX-License-Identifier: Apache-2.0

// Package bench holds hffi's comparative benchmarks; it has no API. Each
// benchmark has sub-benchmarks named `hffi` and after the peer it is
// measured against. Peers that need cgo (C.CString, runtime/cgo.Handle)
// live in files built only with cgo, so `CGO_ENABLED=0 go test -bench .`
// runs the hffi side alone.
//
// # Running
//
//	go test ./bench -run x -bench . -count 6 | tee /tmp/bench.txt
//	benchstat /tmp/bench.txt
//
// # Benchmarks
//
// BenchmarkCString copies a Go string into memory C can read and releases
// it: arena copies with one Reset per batch of 64 strings (hffi: through a
// goroutine's arena.Local; hffi-must: Local.MustCopyString, C.CString's
// contract with no error result; hffi-concurrent: Arena.CopyString, one
// atomic compare-and-swap per string), against C.CString and C.free per
// string. BenchmarkCStringCopy is its floor (the copy alone, inlined);
// BenchmarkCStringCopyCall and BenchmarkCStringCopyCallErr the same copy
// behind a non-inlined call, without and with an error result.
package bench
