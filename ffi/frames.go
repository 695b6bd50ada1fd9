// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"sync"
	"unsafe"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/callconv"
)

// Call frames live off the Go heap and off the goroutine stack: a C
// function may call back into Go on the calling goroutine, whose stack
// can then grow and move, and the trampoline writes the results into the
// frame after the C function returns. A frame is taken for one call and
// given back after it; the free lists only grow, up to the number of
// calls in flight at once.
//
// (internal/callconv is moving its frames off the stack itself; this pool
// is ffi's until then.)
var frames struct {
	mu           sync.Mutex
	mem          *arena.Arena
	small, large []unsafe.Pointer
}

func getFrame(large bool) *callconv.Frame {
	frames.mu.Lock()
	l := &frames.small
	if large {
		l = &frames.large
	}
	if n := len(*l); n > 0 {
		f := (*l)[n-1]
		*l = (*l)[:n-1]
		frames.mu.Unlock()
		return (*callconv.Frame)(f)
	}
	defer frames.mu.Unlock()
	if frames.mem == nil {
		a, err := arena.New()
		if err != nil {
			panic("ffi: call frames: " + err.Error())
		}
		frames.mem = a
	}
	size := unsafe.Sizeof(callconv.Frame{})
	if large {
		size = unsafe.Sizeof(callconv.LargeFrame{})
	}
	f, err := frames.mem.AllocUninit(size, 64)
	if err != nil {
		panic("ffi: call frames: " + err.Error())
	}
	return (*callconv.Frame)(f)
}

func putFrame(f *callconv.Frame, large bool) {
	frames.mu.Lock()
	if large {
		frames.large = append(frames.large, unsafe.Pointer(f))
	} else {
		frames.small = append(frames.small, unsafe.Pointer(f))
	}
	frames.mu.Unlock()
}
