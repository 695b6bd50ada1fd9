// SPDX-License-Identifier: Apache-2.0

package hffi_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/internal/shm"
)

// goCodes names every Go constant; the C program lists every X-macro entry.
var goCodes = map[string]hffi.Code{
	"HFFI_OK": hffi.OK, "HFFI_EINVAL": hffi.EINVAL, "HFFI_EZERO": hffi.EZERO,
	"HFFI_EKIND": hffi.EKIND, "HFFI_ERANGE": hffi.ERANGE, "HFFI_ESTALE": hffi.ESTALE,
	"HFFI_EDELETED": hffi.EDELETED, "HFFI_EFORGED": hffi.EFORGED, "HFFI_ETABLE": hffi.ETABLE,
	"HFFI_ETYPE": hffi.ETYPE, "HFFI_EBOUNDS": hffi.EBOUNDS, "HFFI_ENOMEM": hffi.ENOMEM,
	"HFFI_EEXHAUSTED": hffi.EEXHAUSTED, "HFFI_EALIGN": hffi.EALIGN, "HFFI_ECLOSED": hffi.ECLOSED,
	"HFFI_EPANIC": hffi.EPANIC, "HFFI_ECORRUPT": hffi.ECORRUPT, "HFFI_ENOTFOUND": hffi.ENOTFOUND,
	"HFFI_EVERSION": hffi.EVERSION, "HFFI_ERETIRED": hffi.ERETIRED, "HFFI_EBUSY": hffi.EBUSY,
	"HFFI_ECALLBACK": hffi.ECALLBACK,
}

const codesProgram = `#include <stdio.h>
#include "hffi.h"
int main(void) {
#define E(name, code, msg) printf("err\t%d\t%s\t%s\t%s\t%s\n", (int)HFFI_##name, "HFFI_" #name, msg, hffi_err_name(code), hffi_strerror(code));
	HFFI_ERRORS(E)
	printf("min\t%d\n", (int)HFFI_ERR_MIN_);
	printf("unknown\t%s\t%s\n", hffi_err_name(HFFI_ERR_MIN_ - 1), hffi_strerror(HFFI_ERR_MIN_ - 1));
	printf("version\t%s\n", HFFI_VERSION_STRING);
	printf("abi\t%d\n", HFFI_ABI_VERSION);
	return 0;
}
`

// TestCodesMatchHeader compiles a C program with csrc/hffi.c that prints
// every code of the X-macro with hffi_err_name and hffi_strerror, and the
// versions, and compares them with the Go side.
func TestCodesMatchHeader(t *testing.T) {
	src := filepath.Join(t.TempDir(), "codes.c")
	require.NoError(t, os.WriteFile(src, []byte(codesProgram), 0o644))
	bin := cbuild.Program(t, "codes", []string{src, "csrc/hffi.c"})
	out, err := exec.Command(bin).Output()
	require.NoError(t, err)

	var errs [][]string
	vals := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if f[0] == "err" {
			require.Len(t, f, 6, sc.Text())
			errs = append(errs, f[1:])
			continue
		}
		vals[f[0]] = f[1:]
	}

	require.Len(t, goCodes, len(errs), "one Go constant per X-macro entry")
	for i, e := range errs {
		code, err := strconv.Atoi(e[0])
		require.NoError(t, err)
		name, msg, cName, cMsg := e[1], e[2], e[3], e[4]
		assert.Equal(t, -i, code, "X-macro codes are 0, -1, -2, ... in order")
		goCode, ok := goCodes[name]
		if assert.True(t, ok, "Go has no constant for %s", name) {
			assert.Equal(t, hffi.Code(code), goCode, name)
		}
		assert.Equal(t, name, cName, "hffi_err_name(%d)", code)
		assert.Equal(t, msg, cMsg, "hffi_strerror(%d)", code)
		assert.Equal(t, name, hffi.Code(code).Name())
		assert.Equal(t, msg, hffi.Code(code).Error())
	}
	assert.Equal(t, []string{strconv.Itoa(1 - len(errs))}, vals["min"], "HFFI_ERR_MIN_")

	// For unknown codes Go adds the number to the message; C cannot, its
	// messages are static strings.
	unknown := hffi.Code(-len(errs))
	require.Len(t, vals["unknown"], 2)
	assert.Equal(t, vals["unknown"][0], unknown.Name())
	assert.True(t, strings.HasPrefix(unknown.Error(), vals["unknown"][1]), "%q, %q", unknown.Error(), vals["unknown"][1])

	assert.Equal(t, []string{hffi.Version}, vals["version"])
	assert.Equal(t, abi.VersionString, hffi.Version, "the internal mirror agrees")
	assert.Equal(t, abi.ABIVersion, hffi.ABIVersion, "the internal mirror agrees")
	assert.Equal(t, []string{strconv.Itoa(hffi.ABIVersion)}, vals["abi"])
}

func TestErrCode(t *testing.T) {
	assert.Equal(t, hffi.OK, hffi.ErrCode(nil))
	assert.Equal(t, hffi.ESTALE, hffi.ErrCode(hffi.ESTALE))
	assert.Equal(t, hffi.ESTALE, hffi.ErrCode(fmt.Errorf("arena: resolve: %w", hffi.ESTALE)))
	assert.Equal(t, hffi.EINVAL, hffi.ErrCode(errors.New("not from hffi")), "an error of another origin is not a success")
	assert.Equal(t, hffi.EINVAL, hffi.ErrCode(fmt.Errorf("wrapped: %w", hffi.OK)), "a non-nil error is never OK")
	assert.Equal(t, hffi.EINVAL, hffi.ErrCode(hffi.OK), "a non-nil error is never OK")
}

func TestCodeIsASentinel(t *testing.T) {
	err := fmt.Errorf("handles: get: %w", hffi.EDELETED)
	assert.ErrorIs(t, err, hffi.EDELETED)
	assert.NotErrorIs(t, err, hffi.ESTALE)
	assert.Equal(t, "HFFI_EDELETED", hffi.EDELETED.Name())
	assert.Equal(t, "handle already deleted", fmt.Sprint(hffi.EDELETED), "fmt prints an error's Error()")
	assert.Equal(t, "handles: get: handle already deleted", err.Error())
}

func TestSetDebug(t *testing.T) {
	prev := hffi.SetDebug(true)
	defer hffi.SetDebug(prev)
	assert.True(t, hffi.Debug())
	assert.True(t, hffi.SetDebug(false))
	assert.False(t, hffi.Debug())
	assert.Equal(t, shm.DebugEnv, hffi.DebugEnv, "the variable internal/shm reads")
	assert.NotNil(t, hffi.Runtime())
}
