// SPDX-License-Identifier: Apache-2.0

//go:build linux || darwin || freebsd

package values

import (
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestEncWord: encWord packs like the byte-wise encPackBytes (and the
// reference encoder's refPack) for every length, and strings and keys
// encode as the reference encoder encodes them, with s at the very end of
// readable memory, so that a load past s faults.
func TestEncWord(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	require.NoError(t, err)
	defer syscall.Munmap(mem)
	require.NoError(t, syscall.Mprotect(mem[page:], syscall.PROT_NONE))
	for n := 0; n <= 20; n++ {
		for seed := range 50 {
			b := mem[page-n : page]
			for i := range b {
				b[i] = byte(seed*31 + i*7 + 1)
			}
			s := unsafe.String(unsafe.SliceData(b), n)
			if n == 0 {
				s = ""
			}
			require.Equal(t, encPackBytes(s), encWord(s), "length %d", n)
			require.Equal(t, refPack(s), encWord(s), "length %d", n)
		}
	}
	for n := 0; n <= 40; n++ {
		s := unsafe.String(unsafe.SliceData(mem[page-n:page]), n)
		diffEncode(t, s, diffOpts{})
		diffEncode(t, []any{s}, diffOpts{})
		diffEncode(t, map[string]any{s: s, "k": s}, diffOpts{})
	}
}
