// SPDX-License-Identifier: Apache-2.0

//go:build (!cgo || hffi_purego) && (linux || darwin) && (amd64 || arm64)

package callconv

// purego makes runtime.cgocall usable without cgo: its fakecgo installs
// the runtime's cgo hooks (thread creation on pthreads, iscgo).
import _ "github.com/ebitengine/purego"

// Backend names the build's backend.
const Backend = "purego"
