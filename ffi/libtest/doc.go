// SPDX-License-Identifier: Apache-2.0

// Package libtest holds the tests that bind real system libraries through
// package ffi, in every build mode: SQLite, zlib, libcurl, GLib and the C
// library, plus a struct-by-value fixture of every size from 1 to 64
// bytes. A test whose library is not installed skips with a message that
// names the library and the package that provides it. The package itself
// holds only the interfaces of gen.go and their generated methods.
package libtest
