// SPDX-License-Identifier: Apache-2.0

//go:build asan

package handles_test

// asanEnabled: -asan moves every address-taken local to the heap, so the
// allocation counts of the normal build do not apply.
const asanEnabled = true
