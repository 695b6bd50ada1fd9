// SPDX-License-Identifier: Apache-2.0

package ffi

import "unsafe"

// Helpers that copy C memory into Go values. The memory must be readable
// for as many bytes as they read; they cannot check it. A nil p gives the
// zero value.

// GoString copies the NUL-terminated C string at p into a Go string.
func GoString(p unsafe.Pointer) string { return goString(uintptr(p)) }

// GoStringN copies at most n bytes of the C string at p, stopping early at
// a NUL, into a Go string.
func GoStringN(p unsafe.Pointer, n int) string {
	if p == nil || n <= 0 {
		return ""
	}
	b := unsafe.Slice((*byte)(p), n)
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// GoBytes copies the n bytes at p into a new []byte.
func GoBytes(p unsafe.Pointer, n int) []byte {
	if p == nil || n <= 0 {
		return nil
	}
	return append([]byte(nil), unsafe.Slice((*byte)(p), n)...)
}

// GoPointers copies a C array of pointers (void **) into Go: n elements,
// or, if n < 0, the elements before the first NULL.
func GoPointers(p unsafe.Pointer, n int) []unsafe.Pointer {
	if p == nil {
		return nil
	}
	if n < 0 {
		n = 0
		for *(*unsafe.Pointer)(unsafe.Add(p, n*ptrSize)) != nil {
			n++
		}
	}
	return append([]unsafe.Pointer(nil), unsafe.Slice((*unsafe.Pointer)(p), n)...)
}

// GoStrings copies a C array of strings (char **argv) into Go: n strings,
// or, if n < 0, the strings before the first NULL (argv, environ). A NULL
// element among the first n gives "".
func GoStrings(p unsafe.Pointer, n int) []string {
	ps := GoPointers(p, n)
	if ps == nil {
		return nil
	}
	s := make([]string, len(ps))
	for i, q := range ps {
		s[i] = GoString(q)
	}
	return s
}

const ptrSize = int(unsafe.Sizeof(uintptr(0)))
