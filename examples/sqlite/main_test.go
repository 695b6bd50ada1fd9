// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	require.NoError(t, run(&out))
	s := out.String()
	t.Log("\n" + s)
	if strings.Contains(s, "not installed") {
		t.Skip("SQLite or libffi is not installed")
	}
	assert.Contains(t, s, "sum(gofn(x)) over 100000 rows = 333338333350000 (want 333338333350000)")
	assert.Contains(t, s, "gosum(x) = 15000150000 (want 15000150000)")
	assert.Contains(t, s, "xStep saw 100000 rows")
	assert.Contains(t, s, "after sqlite3_close_v2: pApp handle released: true; callbacks left: 0")
}
