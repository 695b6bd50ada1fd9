// SPDX-License-Identifier: Apache-2.0

package amalg_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/amalg"
)

func write(t *testing.T, dir string, files map[string]string) {
	for name, src := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
}

const hdr = "/* SPDX-License-Identifier: Apache-2.0 */\n#ifndef H\n#define H\nint f(void);\n#endif\n#ifdef IMPL\n#include \"hffi.c\"\n#endif\n"

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"hffi.h": hdr,
		"hffi.c": "/* c */\n#include \"hffi.h\"\n#include <string.h>\nint f(void) { return 1; }",
	})
	got, err := amalg.Build(dir)
	require.NoError(t, err)
	assert.Equal(t, "/* SPDX-License-Identifier: Apache-2.0 */\n"+amalg.Generated+"\n"+
		"#ifndef H\n#define H\nint f(void);\n#endif\n#ifdef IMPL\n"+
		"/* ---- hffi.c ---- */\n/* c */\n#include <string.h>\nint f(void) { return 1; }\n/* ---- end of hffi.c ---- */\n"+
		"#endif\n", string(got))
}

// A .c file that the header does not include would be missing from every
// embedded copy.
func TestBuildMissingFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"hffi.h": hdr, "hffi.c": "int f(void) { return 1; }\n", "hffi_new.c": "int g(void);\n"})
	_, err := amalg.Build(dir)
	assert.ErrorContains(t, err, "hffi_new.c is not included")

	dir = t.TempDir()
	write(t, dir, map[string]string{"hffi.h": "/* SPDX-License-Identifier: Apache-2.0 */\nint f(void);\n"})
	_, err = amalg.Build(dir)
	assert.ErrorContains(t, err, "includes no hffi*.c file")
}
