// SPDX-License-Identifier: Apache-2.0

package hffi

import (
	"unsafe"

	"github.com/hffi-go/hffi/internal/shm"
)

// Runtime returns the address of the process-wide shared root (hffi_rt in
// hffi.h) that every C function of hffi takes as its first argument. The
// root is created on first use, lives outside the Go heap and is never
// moved or freed, so C may keep the address for the life of the process.
func Runtime() unsafe.Pointer { return shm.RootPtr() }

// DebugEnv is the environment variable read once at start-up: a value that
// strconv.ParseBool accepts as true ("1", "true") turns debug mode on.
const DebugEnv = "HFFI_DEBUG"

// Debug reports whether debug mode is on for tables, arenas and pools
// created from now on: the value of HFFI_DEBUG at start-up, or the last
// SetDebug.
func Debug() bool { return shm.Debug() }

// SetDebug turns debug mode on or off for tables, arenas and pools created
// from now on and returns the previous setting. Objects that exist keep
// their mode; the default handle table takes the setting in force when it
// is first used. C sees the setting as HFFI_RT_DEBUG in hffi_rt.flags.
// Safe for concurrent use.
func SetDebug(on bool) (previous bool) { return shm.SetDebug(on) }
