// SPDX-License-Identifier: Apache-2.0

package abi_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/cbuild"
)

// TestValueLayout checks the Go mirror of hffi.h's Values section against
// a C program compiled from the header at test time.
func TestValueLayout(t *testing.T) {
	var v abi.Val
	var e abi.ValEntry
	checks := []struct {
		c    string
		want uint64
	}{
		{"HFFI_VAL_NULL", abi.ValNull},
		{"HFFI_VAL_BOOL", abi.ValBool},
		{"HFFI_VAL_INT", abi.ValInt},
		{"HFFI_VAL_UINT", abi.ValUint},
		{"HFFI_VAL_FLOAT", abi.ValFloat},
		{"HFFI_VAL_STR", abi.ValStr},
		{"HFFI_VAL_BYTES", abi.ValBytes},
		{"HFFI_VAL_LIST", abi.ValList},
		{"HFFI_VAL_MAP", abi.ValMap},
		{"HFFI_VAL_HANDLE", abi.ValHandle},
		{"HFFI_VAL_KIND_MAX", abi.ValKindMax},
		{"HFFI_VAL_SIZE", abi.ValSize},
		{"HFFI_VAL_ENTRY_SIZE", abi.ValEntrySize},
		{"HFFI_VAL_LEN_MAX", abi.ValLenMax},
		{"HFFI_VAL_INLINE_MAX", abi.ValInlineMax},
		{"HFFI_VAL_MAX_DEPTH", abi.ValMaxDepth},
		{"HFFI_VAL_NTS", abi.ValNTS},
		{"sizeof(hffi_val)", uint64(unsafe.Sizeof(v))},
		{"offsetof(hffi_val, kind)", uint64(unsafe.Offsetof(v.Kind))},
		{"offsetof(hffi_val, len)", uint64(unsafe.Offsetof(v.Len))},
		{"offsetof(hffi_val, data)", uint64(unsafe.Offsetof(v.Data))},
		{"sizeof(hffi_val_entry)", uint64(unsafe.Sizeof(e))},
		{"offsetof(hffi_val_entry, key)", uint64(unsafe.Offsetof(e.Key))},
		{"offsetof(hffi_val_entry, val)", uint64(unsafe.Offsetof(e.Val))},
	}
	var src strings.Builder
	src.WriteString("#include <stddef.h>\n#include <stdio.h>\n#include \"hffi.h\"\nint main(void) {\n")
	for _, c := range checks {
		fmt.Fprintf(&src, "\tprintf(\"%%llu\\n\", (unsigned long long)(%s));\n", c.c)
	}
	src.WriteString("\treturn 0;\n}\n")
	file := filepath.Join(t.TempDir(), "value_layout.c")
	require.NoError(t, os.WriteFile(file, []byte(src.String()), 0o644))
	prog := cbuild.Program(t, "value_layout", []string{file})
	out, err := exec.Command(prog).Output()
	require.NoError(t, err)
	lines := strings.Fields(string(out))
	require.Len(t, lines, len(checks))
	for i, c := range checks {
		got, err := strconv.ParseUint(lines[i], 10, 64)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, c.c)
	}
	assert.Equal(t, uintptr(abi.ValSize), unsafe.Sizeof(v))
	assert.Equal(t, uintptr(abi.ValEntrySize), unsafe.Sizeof(e))
}
