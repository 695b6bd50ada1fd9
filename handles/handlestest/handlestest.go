// SPDX-License-Identifier: Apache-2.0

package handlestest

import (
	"fmt"
	"strings"

	"github.com/hffi-go/hffi/handles"
)

// TB is the part of *testing.T and *testing.B that VerifyNone and Track
// use.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// VerifyNone fails t if any of tables (the default table if none is given)
// holds a live handle, with the LeakReport of each. Use Track instead when
// other code may hold handles in the same table.
func VerifyNone(t TB, tables ...*handles.Table) {
	t.Helper()
	if len(tables) == 0 {
		tables = []*handles.Table{handles.Default()}
	}
	for _, tab := range tables {
		if rep := tab.LeakReport(); rep != "" {
			t.Errorf("handles: leaked handles\n%s", rep)
		}
	}
}

// Track records the live handles of tables (the default table if none is
// given) now and, when the test ends, fails it if handles created since
// are still live, listing each with its type and, in a debug table, its
// creation site. It allocates.
func Track(t TB, tables ...*handles.Table) {
	t.Helper()
	if len(tables) == 0 {
		tables = []*handles.Table{handles.Default()}
	}
	before := make([]map[handles.Handle]bool, len(tables))
	for i, tab := range tables {
		before[i] = map[handles.Handle]bool{}
		for _, in := range tab.Snapshot() {
			before[i][in.Handle] = true
		}
	}
	t.Cleanup(func() {
		t.Helper()
		for i, tab := range tables {
			var b strings.Builder
			n := 0
			for _, in := range tab.Snapshot() {
				if !before[i][in.Handle] {
					n++
					describe(&b, in)
				}
			}
			if n != 0 {
				t.Errorf("handles: %d handle(s) created during the test are still live in %s\n%s", n, tab, b.String())
			}
		}
	})
}

// describe writes one leaked handle: its number, what it holds and, if the
// table recorded it, where it was created (without the frames of package
// handles, the runtime and the testing package).
func describe(b *strings.Builder, in handles.Info) {
	fmt.Fprintf(b, "\thandle %#x: ", uint64(in.Handle))
	switch {
	case in.CObject:
		b.WriteString("C object")
	case in.Released:
		fmt.Fprintf(b, "%s (deleted by Go, retained by C)", in.Type)
	default:
		b.WriteString(in.Type)
	}
	if len(in.Site) == 0 {
		b.WriteString("\n")
		return
	}
	b.WriteString(", created at:\n")
	for _, f := range in.Site {
		if strings.HasPrefix(f.Function, "github.com/hffi-go/hffi/handles.") && !strings.Contains(f.File, "_test.go") {
			continue
		}
		if strings.HasPrefix(f.Function, "runtime.") || strings.HasPrefix(f.Function, "testing.") {
			break
		}
		fmt.Fprintf(b, "\t\t%s\n\t\t\t%s:%d\n", f.Function, f.File, f.Line)
	}
}
