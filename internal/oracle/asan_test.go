// SPDX-License-Identifier: Apache-2.0

//go:build asan

package oracle

// The test binary carries the ASan runtime, so the C library may use it.
const asanEnabled = true
