// SPDX-License-Identifier: Apache-2.0

package ffi

// glibc's and musl's errno accessor; glibc's library first.
var libcNames = []string{"libc.so.6", "libc.so"}

const errnoFuncName = "__errno_location"
