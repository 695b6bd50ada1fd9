// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
)

func cbCmpInt64(a, b unsafe.Pointer) int32 {
	x, y := *(*int64)(a), *(*int64)(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// TestCallbackQsort sorts 100,000 int64 (10,000 under the race detector)
// with qsort, whose comparator gets no user data (ffi.NoUserData), and
// with qsort_r, which passes it last.
func TestCallbackQsort(t *testing.T) {
	cbNeedLibffi(t)
	cbNoLeaks(t)
	libc := cbLib(t, "libc.so.6", "libc6")
	var qsort func(base unsafe.Pointer, n, size, cmp uintptr)
	cbBind(t, libc, &qsort, "qsort", ffi.BindVoid4)
	var qsortR func(base unsafe.Pointer, n, size, cmp, arg uintptr)
	cbBind(t, libc, &qsortR, "qsort_r", ffi.BindVoid5)

	n := 100_000
	if cbRace {
		n = 10_000
	}
	p, err := cbMem(t).Alloc(uintptr(8*n), 8)
	require.NoError(t, err)
	xs := unsafe.Slice((*int64)(p), n)
	r := rand.New(rand.NewPCG(3, 4))
	fill := func() []int64 {
		for i := range xs {
			xs[i] = r.Int64N(1 << 40)
		}
		want := slices.Clone(xs)
		slices.Sort(want)
		return want
	}

	want := fill()
	cmp, err := ffi.NewCallback2(cbCmpInt64, ffi.NoUserData(), ffi.FailureValue(0))
	require.NoError(t, err)
	defer cmp.Close()
	qsort(p, uintptr(n), 8, cmp.Fn())
	require.Equal(t, want, xs)
	require.NoError(t, cmp.Err())

	want = fill()
	cmpR, err := ffi.NewCallback2(cbCmpInt64, ffi.UserDataLast())
	require.NoError(t, err)
	defer cmpR.Close()
	qsortR(p, uintptr(n), 8, cmpR.Fn(), uintptr(cmpR.Handle()))
	require.Equal(t, want, xs)
	require.NoError(t, cmpR.Err())
}
