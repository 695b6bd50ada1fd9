// SPDX-License-Identifier: Apache-2.0

//go:build !race && !asan

package ffi_test

const valInstrumented = false
