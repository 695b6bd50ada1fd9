// SPDX-License-Identifier: Apache-2.0

package ffi

var libcNames = []string{"/usr/lib/libSystem.B.dylib"}

const errnoFuncName = "__error"
