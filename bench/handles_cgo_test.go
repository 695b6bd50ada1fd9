// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package bench

import (
	"runtime/cgo"
	"testing"
)

// runtime/cgo.Handle is the peer. It cannot be linked without cgo, and the
// hffi_purego mode measures a build that must not need it, hence this
// file's constraint.
var cgoPeer handlePeer

func init() {
	cgoPeer = handlePeer{
		name:           "cgo.Handle",
		new:            func(v any) uintptr { return uintptr(cgo.NewHandle(v)) },
		value:          func(h uintptr) any { return cgo.Handle(h).Value() },
		del:            func(h uintptr) { cgo.Handle(h).Delete() },
		benchNewDelete: cgoNewDelete,
		benchValue:     cgoValue,
	}
	handlePeers = append(handlePeers, cgoPeer)
}

func cgoNewDelete(b *testing.B, v any) {
	b.ReportAllocs()
	for b.Loop() {
		cgo.NewHandle(v).Delete()
	}
}

func cgoValue(b *testing.B, n int) {
	order, done := liveSet(cgoPeer, n)
	defer done()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sink = cgo.Handle(order[i]).Value()
		if i++; i == len(order) {
			i = 0
		}
	}
}
