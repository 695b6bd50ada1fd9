// SPDX-License-Identifier: Apache-2.0

package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/hffi-go/hffi/internal/cbuild"
)

func TestRun(t *testing.T) {
	handlestest.Track(t)
	var out strings.Builder
	err := run(&out)
	if errors.Is(err, cbuild.ErrNoCC) || errors.Is(err, cbuild.ErrTrimpath) {
		t.Skip(err)
	}
	require.NoError(t, err)
	got := out.String()
	t.Log("\n" + got)
	assert.Contains(t, got, "C fires while Go holds the handle: ok")
	assert.Contains(t, got, "C fires after Go deleted it:       refused: HFFI_EDELETED")
	assert.Regexp(t, `C fires after the slot's reuse: +refused: HFFI_E(STALE|DELETED)`, got)
}
