// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"crypto/rand"
	"crypto/sha256"
	"hash"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
)

const (
	curlOptWriteData     = 10001
	curlOptURL           = 10002
	curlOptWriteFunction = 20011
)

// TestCallbackCurlWrite downloads a file:// URL of 1 MiB through libcurl,
// whose write callback size_t (*)(char *p, size_t size, size_t n, void
// *userdata) gets the user data last, and compares the checksum.
func TestCallbackCurlWrite(t *testing.T) {
	if runtime.GOOS == "darwin" && runtime.GOARCH == "arm64" {
		t.Skip("curl_easy_setopt is variadic: bound here with fixed parameters, which Apple's arm64 ABI passes differently")
	}
	cbNoLeaks(t)
	lib := cbLib(t, "libcurl.so.4", "libcurl4")
	var (
		initEasy  func() unsafe.Pointer
		cleanup   func(h unsafe.Pointer)
		perform   func(h unsafe.Pointer) int32
		setoptPtr func(h unsafe.Pointer, opt int32, v uintptr) int32
	)
	cbBind(t, lib, &initEasy, "curl_easy_init", ffi.Bind0)
	cbBind(t, lib, &cleanup, "curl_easy_cleanup", ffi.BindVoid1)
	cbBind(t, lib, &perform, "curl_easy_perform", ffi.Bind1)
	// A long or pointer variadic argument travels as a fixed one would on
	// SysV amd64 and AAPCS64 Linux.
	cbBind(t, lib, &setoptPtr, "curl_easy_setopt", ffi.Bind3)

	data := make([]byte, 1<<20)
	_, _ = rand.Read(data)
	path := filepath.Join(t.TempDir(), "payload.bin")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	want := sha256.Sum256(data)

	var got hash.Hash = sha256.New()
	total := 0
	write, err := ffi.NewCallback3(func(p unsafe.Pointer, size, n uintptr) uintptr {
		b := unsafe.Slice((*byte)(p), size*n)
		got.Write(b)
		total += len(b)
		return size * n
	}, ffi.UserDataLast(), ffi.FailureValue(0))
	require.NoError(t, err)
	defer write.Close()

	h := initEasy()
	require.NotNil(t, h)
	defer cleanup(h)
	url := cbCString(t, cbMem(t), "file://"+path)
	require.Zero(t, setoptPtr(h, curlOptURL, uintptr(url)))
	require.Zero(t, setoptPtr(h, curlOptWriteFunction, write.Fn()))
	require.Zero(t, setoptPtr(h, curlOptWriteData, uintptr(write.Handle())))
	require.Zero(t, perform(h))
	require.NoError(t, write.Err())
	require.Equal(t, len(data), total)
	require.Equal(t, want[:], got.Sum(nil))
}
