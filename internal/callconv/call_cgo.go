// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego && (linux || darwin) && (amd64 || arm64)

package callconv

// Importing C links runtime/cgo, which runtime.cgocall needs, the way any
// cgo package does.

import "C"

// Backend names the build's backend.
const Backend = "cgo"
