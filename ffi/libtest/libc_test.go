// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"fmt"
	"math"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
)

func TestSnprintf(t *testing.T) {
	var snprintf func(buf []byte, n uint64, format string, d int32, f float64, s string, l int64) int32
	require.NoError(t, ffi.Bind7(&snprintf, libc.sym(t, "snprintf").Variadic(3)))
	for _, c := range []struct {
		d int32
		f float64
		s string
		l int64
	}{
		{42, 3.14159, "pi", 1 << 40},
		{-7, -0.0005, "", math.MinInt64},
		{math.MaxInt32, 1e10, "a longer string", -1},
	} {
		buf := make([]byte, 128)
		n := snprintf(buf, uint64(len(buf)), "%d %.3f %s %ld", c.d, c.f, c.s, c.l)
		want := fmt.Sprintf("%d %.3f %s %d", c.d, c.f, c.s, c.l)
		require.Equal(t, int32(len(want)), n)
		assert.Equal(t, want, string(buf[:n]))
	}
	// The case of issue 9: a float extra.
	var snprintf1 func(buf []byte, n uint64, format string, f float64) int32
	require.NoError(t, ffi.Bind4(&snprintf1, libc.sym(t, "snprintf").Variadic(3)))
	buf := make([]byte, 16)
	n := snprintf1(buf, 16, "%.2f", 3.14)
	assert.Equal(t, "3.14", string(buf[:n]))
}

type divT struct{ Quot, Rem int32 }
type ldivT struct{ Quot, Rem int64 }

func TestDiv(t *testing.T) {
	var div func(int32, int32) divT
	var ldiv func(int64, int64) ldivT
	bind(t, libc, &div, "div", ffi.Bind2)
	bind(t, libc, &ldiv, "ldiv", ffi.Bind2)
	assert.Equal(t, divT{3, 2}, div(17, 5))
	assert.Equal(t, divT{-3, -2}, div(-17, 5))
	assert.Equal(t, ldivT{1 << 30, 1}, ldiv(1<<40+1, 1<<10))
	x, y := int64(-(1<<62)-3), int64(2)
	assert.Equal(t, ldivT{x / y, x % y}, ldiv(x, y))
}

func TestErrno(t *testing.T) {
	var open func(path string, flags int32) ffi.WithErrno[int32]
	require.NoError(t, ffi.Bind2(&open, libc.sym(t, "open").Variadic(2)))
	r := open("/nonexistent/hffi", syscall.O_RDONLY)
	assert.Equal(t, int32(-1), r.Value)
	assert.Equal(t, syscall.ENOENT, r.Errno)

	var closeFd func(int32) ffi.WithErrno[int32]
	bind(t, libc, &closeFd, "close", ffi.Bind1)
	r = closeFd(-1)
	assert.Equal(t, ffi.WithErrno[int32]{Value: -1, Errno: syscall.EBADF}, r)
}

func TestFreeResult(t *testing.T) {
	if asanEnabled {
		// strdup's malloc goes through the PLT to ASan's interposer, but
		// free looked up in libc.so.6 itself is glibc's own: a pair that
		// does not match. (Functions that free through the PLT, such as
		// g_free or sqlite3_free, are fine.)
		t.Skip("under -asan, libc.so.6's own free cannot free ASan's malloc")
	}
	var strdup func(string) string
	require.NoError(t, ffi.Bind1(&strdup, libc.sym(t, "strdup").FreeResult(libc.sym(t, "free"))))
	for range 1000 {
		assert.Equal(t, "copied, then freed", strdup("copied, then freed"))
	}
}

func TestGLibPrintf(t *testing.T) {
	var printf func(format, s string, d int32, f float64) string
	sym := glib.sym(t, "g_strdup_printf").Variadic(1).FreeResult(glib.sym(t, "g_free"))
	require.NoError(t, ffi.Bind4(&printf, sym))
	assert.Equal(t, "glib-42-2.5", printf("%s-%d-%.1f", "glib", 42, 2.5))
}
