// SPDX-License-Identifier: Apache-2.0

//go:build !((linux || darwin) && (amd64 || arm64))

package shm

// See the root package's unsupported.go: shm is built before it, so it
// must be the one to say why the build stops.
var _ = hffi_supports_only_linux_and_darwin_on_amd64_and_arm64
