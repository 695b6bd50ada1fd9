// SPDX-License-Identifier: Apache-2.0

package ffi

// SetLibffiNamesForTest makes the next closure load libffi from names
// (none that exists plays a system without libffi) and returns a function
// that restores the real names.
func SetLibffiNamesForTest(names []string) (restore func()) {
	lffiMu.Lock()
	oldNames, oldL, oldErr, oldDone := libffiNames, lffi, lffiErr, lffiDone
	libffiNames, lffi, lffiErr, lffiDone = names, nil, nil, false
	lffiMu.Unlock()
	return func() {
		lffiMu.Lock()
		libffiNames, lffi, lffiErr, lffiDone = oldNames, oldL, oldErr, oldDone
		lffiMu.Unlock()
	}
}

// SlowDetector is true under the race detector or ASan, where stress
// tests scale down.
const SlowDetector = raceEnabled || asanEnabled

// StubsLeft returns how many stubs of the integer class are unused.
func StubsLeft() int {
	if !haveStubs {
		return 0
	}
	return stubsPerClass - int(min(stubNext[0].Load(), stubsPerClass))
}

// OwnCallbackEntry is true where callbacks enter Go without
// purego.NewCallback: always on cgo, on linux (amd64, arm64) on purego.
var OwnCallbackEntry = havePgEntry || Backend() == "cgo"

// PgEntryAddr is the address of entry point i of the purego backend on
// linux (amd64, arm64; 0 elsewhere).
func PgEntryAddr(i int) uintptr {
	if !havePgEntry {
		return 0
	}
	return pgEntryAddrForTest(i)
}

// UnusedStubAddrs returns the code addresses of the integer-class stubs
// not handed out yet.
func UnusedStubAddrs() []uintptr {
	if !haveStubs {
		return nil
	}
	var a []uintptr
	for i := stubNext[0].Load() + 1; i <= stubsPerClass; i++ {
		a = append(a, stubAddr(i))
	}
	return a
}

// PuregoCallbacksMade is how many purego.NewCallback function pointers
// hffi made in this process (0 on cgo).
func PuregoCallbacksMade() int { return puregoCallbacksMade() }

// ClosureQuarantine is closureQuarantine, for TestClosureMany.
func ClosureQuarantine() int { return closureQuarantine() }
