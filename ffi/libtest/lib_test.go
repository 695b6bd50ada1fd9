// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
)

// A system library, opened once per test binary.
type sysLib struct {
	name, pkg string // file name, Debian package that installs it
	once      sync.Once
	lib       *ffi.Library
	err       error
}

var (
	libc   = &sysLib{name: "libc.so.6", pkg: "libc6"}
	sqlite = &sysLib{name: "libsqlite3.so.0", pkg: "libsqlite3-0"}
	zlib   = &sysLib{name: "libz.so.1", pkg: "zlib1g"}
	curl   = &sysLib{name: "libcurl.so.4", pkg: "libcurl4"}
	glib   = &sysLib{name: "libglib-2.0.so.0", pkg: "libglib2.0-0"}
)

// open returns the library, or skips tb naming what is missing.
func (l *sysLib) open(tb testing.TB) *ffi.Library {
	tb.Helper()
	l.once.Do(func() { l.lib, l.err = ffi.Open(l.name) })
	if l.err != nil {
		tb.Skipf("%s is not installed (Debian package %s): %v", l.name, l.pkg, l.err)
	}
	return l.lib
}

// sym looks name up in l, failing tb if it is missing.
func (l *sysLib) sym(tb testing.TB, name string) ffi.Symbol {
	tb.Helper()
	s := l.open(tb).Sym(name)
	require.NoError(tb, s.Err())
	return s
}

// bind binds l's function name to *fn with bind (one of the ffi.Bind*).
func bind[F any](tb testing.TB, l *sysLib, fn *F, name string, bind func(*F, ffi.Symbol) error) {
	tb.Helper()
	require.NoError(tb, bind(fn, l.sym(tb, name)))
}
