// SPDX-License-Identifier: Apache-2.0

//go:build asan

package callconv_test

const asan = true
