// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"sync"
	"testing"

	"github.com/ebitengine/purego"

	"github.com/hffi-go/hffi/ffi"
)

// purego.NewCallback can make 2000 callbacks per process and never frees
// them: the peer makes its one callback once.
var puregoPeerCallback = sync.OnceValue(func() uintptr {
	return purego.NewCallback(func(ud, a, b uintptr) uintptr { return a + b })
})

// BenchmarkCallback measures calls from C into Go: one call into C runs a
// C loop (ft_cb_loop) that calls the callback b.N times as
// intptr_t cb(void *user_data, intptr_t a, intptr_t b).
func BenchmarkCallback(b *testing.B) {
	var loop func(uintptr, uintptr, int) int
	if err := ffi.Bind3(&loop, ffiSym(b, "ft_cb_loop")); err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, fn, ud uintptr) {
		b.ReportAllocs()
		b.ResetTimer()
		callSink = loop(fn, ud, b.N)
	}
	b.Run("hffi", func(b *testing.B) {
		cb, err := ffi.NewCallback2(func(a, b int) int { return a + b })
		if err != nil {
			b.Fatal(err)
		}
		defer cb.Close()
		run(b, cb.Fn(), uintptr(cb.Handle()))
	})
	if cgoExportPeer != nil {
		b.Run("cgo.export", func(b *testing.B) { run(b, cgoExportPeer(), 0) })
	}
	b.Run("purego.NewCallback", func(b *testing.B) { run(b, puregoPeerCallback(), 0) })
}
