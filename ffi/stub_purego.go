// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

const haveStubs = false

func stubAddr(uint32) uintptr { return 0 }
