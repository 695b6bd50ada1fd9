// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/cbuild"
)

func TestQuickstart(t *testing.T) {
	if cbuild.CC() == nil {
		t.Skip("no C compiler found (go env CC): the quickstart builds its C side at run time")
	}
	var out bytes.Buffer
	require.NoError(t, run(&out))
	got := out.String()
	for _, want := range []string{
		`1. C read a Go string from the arena: "hello from Go, wörld" (21 bytes)`,
		"2. After Reset, C's kept reference is rejected: HFFI_ESTALE",
		"3. C read nested fields of an encoded map: user.name=Ada items[1]=ink len(items)=3 total=12.50",
		"4. C fired the Go callback later with n=3",
		"5. After Close, C's call with the old handle is refused: HFFI_EDELETED",
	} {
		require.True(t, strings.Contains(got, want), "missing %q in:\n%s", want, got)
	}
}
