// SPDX-License-Identifier: Apache-2.0

//go:build (linux || darwin) && (amd64 || arm64)

package shm

import (
	"os"
	"strconv"
	"sync/atomic"

	"github.com/hffi-go/hffi/internal/abi"
)

// DebugEnv is the environment variable read once at start-up: a value that
// strconv.ParseBool accepts as true turns debug mode on.
const DebugEnv = "HFFI_DEBUG"

var debug atomic.Bool

func debugFromEnv() bool {
	on, err := strconv.ParseBool(os.Getenv(DebugEnv))
	return err == nil && on
}

// Debug reports whether debug mode is on.
func Debug() bool {
	Root()
	return debug.Load()
}

// DebugRooted is Debug for a caller that knows Root has run (it holds
// memory made after it): one load, no call.
func DebugRooted() bool { return debug.Load() }

// SetDebug turns debug mode on or off for objects created from now on and
// returns the previous setting. It is mirrored in hffi_rt.flags for C.
func SetDebug(on bool) bool {
	rt := Root()
	old := debug.Swap(on)
	if on {
		atomic.OrUint32(&rt.Flags, abi.RTDebug)
	} else {
		atomic.AndUint32(&rt.Flags, ^uint32(abi.RTDebug))
	}
	return old
}
