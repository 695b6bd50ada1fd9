// SPDX-License-Identifier: Apache-2.0

package callconv_test

import (
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cc "github.com/hffi-go/hffi/internal/callconv"
)

// deep recurses n times: 100000 levels grow the goroutine's stack by
// megabytes, so the runtime copies the stack to a new, larger one and
// frees the old one. (Plain recursion: with -asan, the compiler moves
// address-taken locals, such as large arrays, to the heap.)
//
//go:noinline
func deep(n int64) int64 {
	if n <= 0 {
		return 1
	}
	return deep(n-1)*3 + n
}

var growCB struct {
	once sync.Once
	fn   uintptr
}

const (
	cbPanic  = -1
	cbGoexit = -2
)

// growCallback returns a C function pointer int64_t (*)(int64_t n) that
// calls deep(n) in Go, or panics (cbPanic) or calls runtime.Goexit
// (cbGoexit). purego callbacks work in cgo and purego builds alike, and a
// process gets a bounded number of them: make one.
func growCallback() uintptr {
	growCB.once.Do(func() {
		growCB.fn = purego.NewCallback(func(n int64) int64 {
			switch n {
			case cbPanic:
				deep(1000)
				panic("callback panics")
			case cbGoexit:
				deep(1000)
				runtime.Goexit()
			}
			return deep(n)
		})
	})
	return growCB.fn
}

// onFreshStack runs f on a new goroutine, whose stack starts small, and
// reports whether that stack moved while f ran. With -asan the marker
// lives on the heap and never moves: it reports true then.
func onFreshStack(f func()) (moved bool) {
	done := make(chan bool)
	go func() {
		var marker byte
		before := uintptr(unsafe.Pointer(&marker))
		f()
		done <- asan || uintptr(unsafe.Pointer(&marker)) != before
	}()
	return <-done
}

// TestCallbackGrowsStack calls C functions that call back into Go, and
// the callback grows the calling goroutine's stack (several MB): a
// frame on that stack would move while C and the trampoline still use
// its old address, so the result registers would be stored, and a struct
// result written, into freed memory. The frames must not move.
func TestCallbackGrowsStack(t *testing.T) {
	cb := growCallback()
	inUse := cc.FramesInUse()
	defer func() { assert.Equal(t, inUse, cc.FramesInUse(), "frames not given back") }()
	const depth = 100000

	t.Run("registers", func(t *testing.T) {
		fn := sym(t, "cc_cb9")
		p := prep(t, -1, int64(0), uintptr(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0))
		for range 3 {
			var r int64
			args := []int64{depth, 2, 3, 4, 5, 6, 7, 8}
			moved := onFreshStack(func() {
				ptrs := []unsafe.Pointer{unsafe.Pointer(&cb)}
				for i := range args {
					ptrs = append(ptrs, unsafe.Pointer(&args[i]))
				}
				cc.Invoke(p, fn, ptrs, unsafe.Pointer(&r))
			})
			require.True(t, moved, "the callback did not move the stack: the test tests nothing")
			assert.Equal(t, deep(depth)+2*depth+3*2+4*3+5*4+6*5+7*6+8*7+9*8, r)
		}
	})

	t.Run("struct in memory", func(t *testing.T) {
		fn := sym(t, "cc_cb_big")
		p := prep(t, -1, big40{}, uintptr(0), int64(0), big40{}, float64(0))
		for range 3 {
			var r big40
			k, v, d := int64(depth), big40{[5]int64{1, 2, 3, 4, -5}}, 100.0
			moved := onFreshStack(func() {
				cc.Invoke(p, fn, []unsafe.Pointer{unsafe.Pointer(&cb), unsafe.Pointer(&k), unsafe.Pointer(&v), unsafe.Pointer(&d)}, unsafe.Pointer(&r))
			})
			require.True(t, moved, "the callback did not move the stack: the test tests nothing")
			var want big40
			for i := range want.W {
				want.W[i] = v.W[i]*k + deep(depth) + 100 + int64(i)
			}
			assert.Equal(t, want, r)
		}
	})
}

// TestCallbackUnwinds checks that a frame is given back when a callback
// made during its call panics or calls runtime.Goexit, which unwind the
// C frames and run the Go caller's defers.
func TestCallbackUnwinds(t *testing.T) {
	cb := growCallback()
	fn := sym(t, "cc_cb_big")
	p := prep(t, -1, big40{}, uintptr(0), int64(0), big40{}, float64(0))
	inUse := cc.FramesInUse()
	call := func(k int64) {
		var r big40
		v, d := big40{}, 1.0
		cc.Invoke(p, fn, []unsafe.Pointer{unsafe.Pointer(&cb), unsafe.Pointer(&k), unsafe.Pointer(&v), unsafe.Pointer(&d)}, unsafe.Pointer(&r))
	}

	assert.PanicsWithValue(t, "callback panics", func() { call(cbPanic) })
	assert.Equal(t, inUse, cc.FramesInUse(), "frames not given back after a panic")

	done := make(chan struct{})
	go func() {
		defer close(done)
		call(cbGoexit)
		t.Error("Goexit returned")
	}()
	<-done
	assert.Equal(t, inUse, cc.FramesInUse(), "frames not given back after Goexit")

	// The pool still works.
	call(1)
	assert.Equal(t, inUse, cc.FramesInUse())
}
