// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/ffi"
)

const (
	zOK        = 0
	zStreamEnd = 1
	zFinish    = 4
	zDeflated  = 8
)

// zStream mirrors z_stream on 64-bit targets; C pointers are uintptr.
type zStream struct {
	NextIn   uintptr
	AvailIn  uint32
	TotalIn  uint64
	NextOut  uintptr
	AvailOut uint32
	TotalOut uint64
	Msg      uintptr
	State    uintptr
	Zalloc   uintptr
	Zfree    uintptr
	Opaque   uintptr
	DataType int32
	Adler    uint64
	Reserved uint64
}

// testData is compressible but not trivially so.
func testData(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"hffi ", "handle ", "arena ", "call ", "frame ", "zlib ", "\n"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.Bytes()[:n]
}

func TestZlibRoundTrip(t *testing.T) {
	// src of compress2 is const: an In is copied in, not back.
	var compress2 func(dst []byte, dstLen *uint64, src ffi.In[byte], srcLen uint64, level int32) int32
	var uncompress func(dst []byte, dstLen *uint64, src []byte, srcLen uint64) int32
	var bound func(uint64) uint64
	bind(t, zlib, &compress2, "compress2", ffi.Bind5)
	bind(t, zlib, &uncompress, "uncompress", ffi.Bind4)
	bind(t, zlib, &bound, "compressBound", ffi.Bind1)

	// 1 MiB takes scratch memory from an arena; 300 bytes fit a small
	// block (the cgo backend's copy path).
	for _, size := range []int{1 << 20, 300} {
		src := testData(size)
		dst := make([]byte, bound(uint64(len(src))))
		n := uint64(len(dst))
		require.Equal(t, int32(zOK), compress2(dst, &n, src, uint64(len(src)), 9))
		require.Less(t, n, uint64(len(src)), "compressed length written back through *uint64")
		dst = dst[:n]

		out := make([]byte, len(src))
		m := uint64(len(out))
		require.Equal(t, int32(zOK), uncompress(out, &m, dst, n))
		assert.Equal(t, uint64(len(src)), m)
		assert.True(t, bytes.Equal(src, out), "round trip of %d bytes", size)
	}
}

// TestZlibGzip drives deflate with a z_stream in an arena (zlib keeps a
// pointer to it in its state between calls, so it must not be scratch
// memory) and 8-parameter deflateInit2_ for gzip output, read back with
// Go's compress/gzip.
func TestZlibGzip(t *testing.T) {
	var version func() string
	var initGzip func(strm unsafe.Pointer, level, method, windowBits, memLevel, strategy int32, version string, size int32) int32
	var deflate func(strm unsafe.Pointer, flush int32) int32
	var deflateEnd func(strm unsafe.Pointer) int32
	bind(t, zlib, &version, "zlibVersion", ffi.Bind0)
	bind(t, zlib, &initGzip, "deflateInit2_", ffi.Bind8)
	bind(t, zlib, &deflate, "deflate", ffi.Bind2)
	bind(t, zlib, &deflateEnd, "deflateEnd", ffi.Bind1)

	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	p, err := a.Alloc(unsafe.Sizeof(zStream{}), 8)
	require.NoError(t, err)
	zs := (*zStream)(p)
	src := testData(256 << 10)
	in, err := ffi.MakeOffHeap[byte](a, len(src))
	require.NoError(t, err)
	copy(in, src)
	out, err := ffi.MakeOffHeap[byte](a, len(src)+1024)
	require.NoError(t, err)

	require.Equal(t, int32(zOK), initGzip(p, 6, zDeflated, 15+16, 8, 0, version(), int32(unsafe.Sizeof(zStream{}))))
	zs.NextIn, zs.AvailIn = uintptr(unsafe.Pointer(&in[0])), uint32(len(in))
	zs.NextOut, zs.AvailOut = uintptr(unsafe.Pointer(&out[0])), uint32(len(out))
	require.Equal(t, int32(zStreamEnd), deflate(p, zFinish))
	gz := bytes.Clone(out[:zs.TotalOut])
	require.Equal(t, int32(zOK), deflateEnd(p))

	r, err := gzip.NewReader(bytes.NewReader(gz))
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(src, got), "gzip output of zlib read back by compress/gzip")
}
