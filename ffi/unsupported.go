// SPDX-License-Identifier: Apache-2.0

//go:build !((linux || darwin) && (amd64 || arm64))

package ffi

// ffi calls C through the calling conventions of internal/callconv (SysV
// amd64, AAPCS64, Apple arm64): on any other target calls would be
// silently wrong, so the package does not build.
var _ = ffi_calls_c_only_on_linux_and_darwin_on_amd64_and_arm64
