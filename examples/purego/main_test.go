// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/cbuild"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	err := run(&out)
	if errors.Is(err, cbuild.ErrNoCC) || errors.Is(err, cbuild.ErrTrimpath) {
		t.Skip(err)
	}
	require.NoError(t, err)
	want := strings.Join([]string{
		"backend: " + ffi.Backend(),
		"tk_add(40, 2) = 42",
		`tk_count("mississippi", 's') = 4`,
		"tick 0 from a C thread",
		"tick 1 from a C thread",
		"tick 2 from a C thread",
		"the C thread stopped: handle already deleted (hffi.EDELETED: true)",
		"",
	}, "\n")
	assert.Equal(t, want, out.String())
}
