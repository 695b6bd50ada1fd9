// SPDX-License-Identifier: Apache-2.0

package handles

// TestingT is the part of *testing.T that VerifyNone and Track use.
type TestingT interface {
	Helper()
	Errorf(format string, args ...any)
}

// TestingTC is a TestingT with Cleanup, as *testing.T and *testing.B are.
type TestingTC interface {
	TestingT
	Cleanup(func())
}

// VerifyNone fails t if any of tables (the default table if none is given)
// holds a live handle, with a LeakReport of each, in the spirit of goleak:
//
//	func TestSomething(t *testing.T) {
//		defer handles.VerifyNone(t)
//		...
//	}
//
// Use Track instead when other code may hold handles in the same table.
func VerifyNone(t TestingT, tables ...*Table) {
	t.Helper()
	if len(tables) == 0 {
		d := defTable.Load()
		if d == nil {
			return // never used
		}
		tables = []*Table{d}
	}
	for _, tab := range tables {
		if infos := tab.Snapshot(); len(infos) != 0 {
			t.Errorf("handles: leaked handles\n%s", report(tab, infos))
		}
	}
}

// Track records the live handles of tables (the default table if none is
// given) now and, when the test ends, fails it if handles created since
// are still live, listing them by creation site. It allocates.
func Track(t TestingTC, tables ...*Table) {
	t.Helper()
	if len(tables) == 0 {
		tables = []*Table{def()}
	}
	before := make([]map[Handle]bool, len(tables))
	for i, tab := range tables {
		before[i] = map[Handle]bool{}
		for _, in := range tab.Snapshot() {
			before[i][in.Handle] = true
		}
	}
	t.Cleanup(func() {
		t.Helper()
		for i, tab := range tables {
			var leaked []Info
			for _, in := range tab.Snapshot() {
				if !before[i][in.Handle] {
					leaked = append(leaked, in)
				}
			}
			if len(leaked) != 0 {
				t.Errorf("handles: %d handle(s) created during the test are still live\n%s",
					len(leaked), report(tab, leaked))
			}
		}
	})
}
