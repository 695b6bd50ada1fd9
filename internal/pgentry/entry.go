// SPDX-License-Identifier: Apache-2.0

//go:build linux && (amd64 || arm64)

// Package pgentry holds C entry points into Go for the purego backend:
// N code addresses, each a C function (SysV amd64, AAPCS64) that saves
// its argument registers into a Frame on the C stack and runs the handler
// with that frame through crosscall2, the entry every cgo export uses
// (runtime/cgo's in a cgo build, purego's fakecgo without cgo). A call
// costs one runtime.cgocallback; purego.NewCallback's path adds a mutex,
// a slice allocation and a reflect.Call per call, and makes at most 2000
// function pointers per process.
//
// It is a package of its own because the go command does not accept Go
// assembly in a package that uses cgo.
package pgentry

import "unsafe"

// N is the number of entry points.
const N = 512

// Frame is what an entry point saves, and where its result comes from.
// Words is laid out for the caller (package ffi's callback frame): the
// entry writes the first six integer argument registers (amd64: RDI, RSI,
// RDX, RCX, R8, R9; arm64: X0-X5) to Words[0:6] and the eight float
// argument registers (XMM0-7, D0-D7) to Words[6:14], and returns
// Words[14] in both the integer and the float result register. The other
// words are scratch for the handler: they start as whatever the C stack
// held.
type Frame struct {
	Words [64]uint64
	Index uintptr // which entry point C called
}

// Layout the assembly relies on (entry_*.s): any change is a build error
// here.
const (
	_ = -uint(unsafe.Offsetof(Frame{}.Index) - 512)
	_ = uint(unsafe.Offsetof(Frame{}.Index) - 512)
	_ = -uint(unsafe.Sizeof(Frame{}) - 520)
	_ = uint(unsafe.Sizeof(Frame{}) - 520)
)

// table is the address of entry point 0 (set by the assembly); entry
// point i is entrySize bytes further per index.
var table uintptr

// Addr returns the C function pointer of entry point i (0 <= i < N).
func Addr(i int) uintptr {
	if i < 0 || i >= N {
		panic("pgentry: no entry point")
	}
	return table + entrySize*uintptr(i)
}

var handler func(*Frame)

// SetHandler sets the Go function every entry point runs. Set it once,
// before any entry point's address is handed to C.
func SetHandler(h func(*Frame)) { handler = h }

// entryCall is entry as a func value: the assembly loads the code
// pointer of its ABIInternal entry from it, which is what crosscall2
// (runtime.cgocallback) calls.
var entryCall = entry

func entry(f *Frame) { handler(f) }
