// SPDX-License-Identifier: Apache-2.0

//go:build (!cgo || hffi_purego) && !(linux && (amd64 || arm64))

package ffi

// Elsewhere the purego backend enters Go through purego.NewCallback: one
// C function pointer per trampoline shape and one for the closures'
// handler, made on first use. There are no stubs (each would take one
// of purego's 2000 callbacks): callbacks without user data are libffi
// closures.
const (
	havePgEntry = false
	haveStubs   = false
)

func stubAddr(uint32) uintptr        { return 0 }
func pgTrampAddr(uint32) uintptr     { return 0 }
func pgNotifyAddr(int) uintptr       { return 0 }
func pgHandlerAddr() uintptr         { return 0 }
func pgEntryAddrForTest(int) uintptr { return 0 }
