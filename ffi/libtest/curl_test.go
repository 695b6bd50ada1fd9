// SPDX-License-Identifier: Apache-2.0

package libtest

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
)

const (
	curloptWriteData       = 10001
	curloptURL             = 10002
	curloptNoProgress      = 43
	curloptResumeFromLarge = 30116
)

// TestCurlFileDownload configures a file:// download through variadic
// curl_easy_setopt, bound once per extra type: a string (the URL), a long,
// a pointer (a FILE * from fopen) and a curl_off_t (where to resume).
func TestCurlFileDownload(t *testing.T) {
	var (
		initEasy   func() unsafe.Pointer
		setoptStr  func(h unsafe.Pointer, opt int32, v string) int32
		setoptLong func(h unsafe.Pointer, opt int32, v int64) int32
		setoptPtr  func(h unsafe.Pointer, opt int32, v unsafe.Pointer) int32
		setoptOff  func(h unsafe.Pointer, opt int32, v int64) int32
		perform    func(h unsafe.Pointer) int32
		cleanup    func(h unsafe.Pointer)
		fopen      func(path, mode string) unsafe.Pointer
		fclose     func(f unsafe.Pointer) int32
	)
	setopt := curl.sym(t, "curl_easy_setopt").Variadic(2)
	bind(t, curl, &initEasy, "curl_easy_init", ffi.Bind0)
	require.NoError(t, ffi.Bind3(&setoptStr, setopt))
	require.NoError(t, ffi.Bind3(&setoptLong, setopt))
	require.NoError(t, ffi.Bind3(&setoptPtr, setopt))
	require.NoError(t, ffi.Bind3(&setoptOff, setopt))
	bind(t, curl, &perform, "curl_easy_perform", ffi.Bind1)
	bind(t, curl, &cleanup, "curl_easy_cleanup", ffi.BindVoid1)
	bind(t, libc, &fopen, "fopen", ffi.Bind2)
	bind(t, libc, &fclose, "fclose", ffi.Bind1)

	dir := t.TempDir()
	content := testData(100 << 10)
	src := filepath.Join(dir, "src.txt")
	require.NoError(t, os.WriteFile(src, content, 0o600))
	dst := filepath.Join(dir, "dst.txt")

	h := initEasy()
	require.NotNil(t, h)
	defer cleanup(h)
	f := fopen(dst, "wb")
	require.NotNil(t, f)
	require.Equal(t, int32(0), setoptStr(h, curloptURL, "file://"+src))
	require.Equal(t, int32(0), setoptLong(h, curloptNoProgress, 1))
	require.Equal(t, int32(0), setoptPtr(h, curloptWriteData, f))
	require.Equal(t, int32(0), setoptOff(h, curloptResumeFromLarge, 1000))
	require.Equal(t, int32(0), perform(h))
	require.Equal(t, int32(0), fclose(f))

	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Equal(t, len(content)-1000, len(got), "resumed at the curl_off_t offset")
	assert.Equal(t, content[1000:], got)
}
