// SPDX-License-Identifier: Apache-2.0

//go:build !asan

package handles_test

const asanEnabled = false
