// SPDX-License-Identifier: Apache-2.0

package arena

import "testing"

var sinkRef Ref

// BenchmarkResetCycle is the life of a per-call scratch arena: one
// allocation, a Ref for C, and the Reset that invalidates it (spending a
// generation each time, the costly case).
func BenchmarkResetCycle(b *testing.B) {
	a := mustNew(b, WithMaxSize(1<<20), WithDebug(false))
	for b.Loop() {
		p, err := a.AllocUninit(512, 8)
		if err != nil {
			b.Fatal(err)
		}
		if sinkRef, err = a.Ref(p); err != nil {
			b.Fatal(err)
		}
		a.Reset()
	}
}
