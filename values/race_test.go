// SPDX-License-Identifier: Apache-2.0

//go:build race || asan

package values_test

// valInstrumented: the race detector and ASan allocate behind the code's
// back, so allocation counts are not checked.
const valInstrumented = true
