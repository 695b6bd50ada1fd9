// SPDX-License-Identifier: Apache-2.0

//go:build !race && !asan

package values_test

const valInstrumented = false
