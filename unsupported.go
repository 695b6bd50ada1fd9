// SPDX-License-Identifier: Apache-2.0

//go:build !((linux || darwin) && (amd64 || arm64))

package hffi

// hffi needs 64-bit words, mmap and a C calling convention it implements:
// on another target it would not build or, worse, call C wrongly, so it
// says so here instead.
var _ = hffi_supports_only_linux_and_darwin_on_amd64_and_arm64
