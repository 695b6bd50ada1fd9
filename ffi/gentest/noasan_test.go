// SPDX-License-Identifier: Apache-2.0

//go:build !asan

package gentest

const asanEnabled = false
