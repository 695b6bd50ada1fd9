// SPDX-License-Identifier: Apache-2.0

//go:build asan

package gentest

// The address sanitizer changes escape analysis: allocation counts do not
// hold under -asan.
const asanEnabled = true
