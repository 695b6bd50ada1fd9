// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
)

// cstringBatch is how many strings the hffi side copies before one Reset
// releases them all, like the strings of a batch of calls into C.
const cstringBatch = 64

var sinkAddr uintptr

// BenchmarkCString: copy a Go string to C-readable memory and release it.
// hffi: a goroutine's [arena.Local] copies, one Reset per batch;
// hffi-must: the same with [arena.Local.MustCopyString] (no error result);
// hffi-concurrent: the same with [arena.Arena.CopyString], the path that is
// safe for concurrent use (one atomic compare-and-swap per string);
// C.CString: C.CString and C.free per string.
func BenchmarkCString(b *testing.B) {
	for _, size := range []int{16, 1024} {
		s := strings.Repeat("x", size)
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			b.Run("hffi", func(b *testing.B) { benchLocalCString(b, s) })
			b.Run("hffi-must", func(b *testing.B) { benchLocalMustCString(b, s) })
			b.Run("hffi-concurrent", func(b *testing.B) { benchArenaCString(b, s) })
			b.Run("C.CString", func(b *testing.B) {
				if cstringPeer == nil {
					b.Skip("C.CString needs cgo")
				}
				cstringPeer(b, s)
			})
		})
	}
}

func benchLocalCString(b *testing.B, s string) {
	a, err := arena.New(arena.WithMaxSize(1<<20), arena.WithDebug(false))
	require.NoError(b, err)
	defer a.Free()
	l := a.Local()
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	n := 0
	for b.Loop() {
		p, err := l.CopyString(s)
		if err != nil {
			b.Fatal(err)
		}
		sinkAddr += uintptr(p)
		if n++; n == cstringBatch {
			a.Reset()
			n = 0
		}
	}
}

func benchLocalMustCString(b *testing.B, s string) {
	a, err := arena.New(arena.WithMaxSize(1<<20), arena.WithDebug(false))
	require.NoError(b, err)
	defer a.Free()
	l := a.Local()
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	n := 0
	for b.Loop() {
		sinkAddr += uintptr(l.MustCopyString(s))
		if n++; n == cstringBatch {
			a.Reset()
			n = 0
		}
	}
}

func benchArenaCString(b *testing.B, s string) {
	a, err := arena.New(arena.WithMaxSize(1<<20), arena.WithDebug(false))
	require.NoError(b, err)
	defer a.Free()
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	n := 0
	for b.Loop() {
		p, err := a.CopyString(s)
		if err != nil {
			b.Fatal(err)
		}
		sinkAddr += uintptr(p)
		if n++; n == cstringBatch {
			a.Reset()
			n = 0
		}
	}
}

// BenchmarkCStringCopy is the floor of BenchmarkCString: the copy alone,
// with Go's copy (memmove) into the same 64-string window of memory that
// the hffi side fills before each Reset, and the NUL. Any implementation
// that copies pays it; C.CString pays it too, plus malloc, free and two
// cgo calls.
func BenchmarkCStringCopy(b *testing.B) {
	for _, size := range []int{16, 1024} {
		s := strings.Repeat("x", size)
		stride := (size + 1 + 7) &^ 7
		buf := make([]byte, cstringBatch*stride)
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			off := 0
			for b.Loop() {
				copy(buf[off:off+size], s)
				buf[off+size] = 0
				if off += stride; off == len(buf) {
					off = 0
				}
			}
		})
	}
}

// BenchmarkCStringCopyCall is BenchmarkCStringCopy with the copy in a
// function that is not inlined, as any library's CopyString is not: the
// floor of an API (one call, the copy, the NUL) rather than of a loop the
// compiler sees whole. Against BenchmarkCStringCopy it measures the call
// alone.
func BenchmarkCStringCopyCall(b *testing.B) {
	for _, size := range []int{16, 1024} {
		s := strings.Repeat("x", size)
		stride := (size + 1 + 7) &^ 7
		buf := make([]byte, cstringBatch*stride)
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			off := 0
			for b.Loop() {
				sinkAddr += uintptr(copyCString(buf[off:], s))
				if off += stride; off == len(buf) {
					off = 0
				}
			}
		})
	}
}

// BenchmarkCStringCopyCallErr is BenchmarkCStringCopyCall with the
// function returning an error too, as [arena.Local.CopyString] does: the
// floor of any API that reports a failure as an error result.
func BenchmarkCStringCopyCallErr(b *testing.B) {
	for _, size := range []int{16, 1024} {
		s := strings.Repeat("x", size)
		stride := (size + 1 + 7) &^ 7
		buf := make([]byte, cstringBatch*stride)
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			off := 0
			for b.Loop() {
				p, err := copyCStringErr(buf[off:], s)
				if err != nil {
					b.Fatal(err)
				}
				sinkAddr += uintptr(p)
				if off += stride; off == len(buf) {
					off = 0
				}
			}
		})
	}
}

var errCopy = errors.New("bench: no room")

//go:noinline
func copyCStringErr(dst []byte, s string) (unsafe.Pointer, error) {
	if len(dst) <= len(s) {
		return nil, errCopy
	}
	copy(dst[:len(s)], s)
	dst[len(s)] = 0
	return unsafe.Pointer(&dst[0]), nil
}

//go:noinline
func copyCString(dst []byte, s string) unsafe.Pointer {
	copy(dst[:len(s)], s)
	dst[len(s)] = 0
	return unsafe.Pointer(&dst[0])
}

// TestCStringSides checks that both sides of BenchmarkCString copy the
// string, NUL included, and that the hffi side makes no Go heap allocation.
func TestCStringSides(t *testing.T) {
	a, err := arena.New(arena.WithMaxSize(1 << 20))
	require.NoError(t, err)
	defer a.Free()
	l := a.Local()
	for _, size := range []int{0, 16, 1024} {
		s := strings.Repeat("y", size)
		p, err := a.CopyString(s)
		require.NoError(t, err)
		require.Equal(t, s+"\x00", string(unsafe.Slice((*byte)(p), size+1)))
		p, err = l.CopyString(s)
		require.NoError(t, err)
		require.Equal(t, s+"\x00", string(unsafe.Slice((*byte)(p), size+1)))
		p = l.MustCopyString(s)
		require.Equal(t, s+"\x00", string(unsafe.Slice((*byte)(p), size+1)))
		if cstringRoundTrip != nil {
			require.Equal(t, s, cstringRoundTrip(s))
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		for range cstringBatch {
			_, _ = a.CopyString("sixteen bytes...")
			_, _ = l.CopyString("sixteen bytes...")
			_ = l.MustCopyString("sixteen bytes...")
		}
		a.Reset()
	})
	require.Zero(t, allocs)
}
