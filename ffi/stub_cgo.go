// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package ffi

/*
#include <stdint.h>
uintptr_t hffi_stub(uint32_t slot);
*/
import "C"

const haveStubs = true

// havePgEntry is about the purego backend (entry_purego_*.go).
const havePgEntry = false

// stubAddr returns the code address of the stub of slot i.
func stubAddr(i uint32) uintptr      { return uintptr(C.hffi_stub(C.uint32_t(i))) }
func pgEntryAddrForTest(int) uintptr { return 0 }

func puregoCallbacksMade() int { return 0 }
