// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package cimpl

// #cgo CFLAGS: -I${SRCDIR}/../../../csrc
// #include "hffi.h"
import "C"

// Version returns hffi_version() as compiled into this binary.
func Version() int32 { return int32(C.hffi_version()) }

// ErrName returns hffi_err_name(code). It allocates the Go string.
func ErrName(code int32) string { return C.GoString(C.hffi_err_name(C.int32_t(code))) }

// StrError returns hffi_strerror(code). It allocates the Go string.
func StrError(code int32) string { return C.GoString(C.hffi_strerror(C.int32_t(code))) }
