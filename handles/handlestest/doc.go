// SPDX-License-Identifier: Apache-2.0

// Package handlestest fails a test that leaves handles behind, in the
// spirit of goleak:
//
//	func TestSomething(t *testing.T) {
//		defer handlestest.VerifyNone(t)
//		...
//	}
//
// It uses only the public API of package handles ([handles.Table.Snapshot]
// and [handles.Table.LeakReport]); a table in debug mode (HFFI_DEBUG=1)
// adds where each leaked handle was created.
package handlestest
