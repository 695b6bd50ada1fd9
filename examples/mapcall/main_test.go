// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun runs the whole story; the naive part (a child process built
// with GOEXPERIMENT=cgocheck2) only without -short.
func TestRun(t *testing.T) {
	var out strings.Builder
	require.NoError(t, run(&out, !testing.Short()))
	s := out.String()
	t.Log("\n" + s)
	if strings.Contains(s, "no C compiler") {
		t.Skip("no C compiler: the C side was not built")
	}
	if haveCgo && !testing.Short() {
		assert.Contains(t, s, "the child died, as it should: fatal error: unpinned Go pointer stored into non-Go memory")
	}
	assert.Contains(t, s, "C read nested fields: user.name=Ada user.tags[1]=poetry order.total=99.50 order.items=3")
	assert.Contains(t, s, "later, C fired the Go callback with a reply it built: map[items:3 status:shipped total:99.5]")
	assert.Contains(t, s, "3. After Reset, C's kept reference is rejected: HFFI_ESTALE")
	assert.Contains(t, s, "and so is Go's: values: decode value: arena: resolve: stale generation")
}
