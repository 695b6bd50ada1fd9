// SPDX-License-Identifier: Apache-2.0

package callconv_test

import (
	"sync"
	"testing"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/cbuild"
)

var testLib struct {
	once sync.Once
	h    uintptr
	err  error
}

// sym returns the address of name in testdata/cc.c, compiled once per
// process (the test skips when no C compiler is installed).
func sym(tb testing.TB, name string) uintptr {
	tb.Helper()
	testLib.once.Do(func() {
		path := cbuild.SharedLib(tb, "libcc.so", []string{"internal/callconv/testdata/cc.c"})
		testLib.h, testLib.err = purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	})
	require.NoError(tb, testLib.err)
	require.NotZero(tb, testLib.h, "C test library")
	a, err := purego.Dlsym(testLib.h, name)
	require.NoError(tb, err)
	return a
}
