// SPDX-License-Identifier: Apache-2.0

//go:build asan

package libtest

// Under -asan, malloc and free are the sanitizer's: see TestFreeResult.
const asanEnabled = true
