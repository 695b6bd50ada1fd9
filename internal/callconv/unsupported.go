// SPDX-License-Identifier: Apache-2.0

//go:build !((linux || darwin) && (amd64 || arm64))

package callconv

// This target's C calling convention is not implemented: calls through it
// would be silently wrong, so the package does not build here.
var _ = callconv_supports_only_linux_and_darwin_on_amd64_and_arm64
