// SPDX-License-Identifier: Apache-2.0

//go:build (!cgo || hffi_purego) && (amd64 || arm64)

package ffi

import (
	"unsafe"

	"github.com/hffi-go/hffi/internal/pgentry"
)

// On linux (amd64, arm64) the purego backend enters Go through hffi's own entry
// points (internal/pgentry) instead of purego.NewCallback: one
// runtime.cgocallback per call, no reflection, no lock, the frame on the
// C stack, and no use of purego's 2000 callbacks. Entry point 0 is the
// handler of every libffi closure, 1..clReserved are the stubs of
// callbacks without user data (as the cgo backend's C stubs), and the
// trampolines follow, then the two destroy notifies.
const (
	havePgEntry = true
	haveStubs   = true

	pgTrampBase  = clReserved + 1
	pgNotifyBase = pgTrampBase + len(tshapes)
)

// The entry points must cover every index, and ffi's frame must fit in
// pgentry's, with the registers where pgentry's assembly puts them.
const (
	_ = uint(pgentry.N - pgNotifyBase - 2)
	_ = uint(len(pgentry.Frame{}.Words)*8 - int(unsafe.Sizeof(cbFrame{})))
	_ = uint(unsafe.Offsetof(cbFrame{}.ints)) - 0
	_ = -uint(unsafe.Offsetof(cbFrame{}.ints))
	_ = uint(unsafe.Offsetof(cbFrame{}.floats)) - 48
	_ = uint(48 - unsafe.Offsetof(cbFrame{}.floats))
	_ = uint(unsafe.Offsetof(cbFrame{}.ret)) - 112
	_ = uint(112 - unsafe.Offsetof(cbFrame{}.ret))
)

func init() { pgentry.SetHandler(pgRun) }

// stubAddr returns the code address of the stub of slot i.
func stubAddr(i uint32) uintptr { return pgentry.Addr(int(i)) }

func pgTrampAddr(shape uint32) uintptr { return pgentry.Addr(pgTrampBase + int(shape)) }

func pgHandlerAddr() uintptr { return pgentry.Addr(0) }

// pgNotifyAddr returns the close notify (0) or the release notify (1).
func pgNotifyAddr(i int) uintptr { return pgentry.Addr(pgNotifyBase + i) }

// pgRun runs on every entry. The frame lives on the C stack for the
// call: only what dispatch reads is written.
func pgRun(p *pgentry.Frame) {
	f := (*cbFrame)(unsafe.Pointer(&p.Words))
	switch i := uint32(p.Index); {
	case i == 0:
		cif, ret, args, ud := f.ints[0], f.ints[1], f.ints[2], f.ints[3]
		clRunFrame(f, cif, ret, args, ud)
	case i <= clReserved:
		f.shape, f.aux, f.ret = 0, i, 0
		clDispatch(f)
	case i < pgTrampBase+uint32(len(tshapes)):
		f.shape, f.aux, f.ret = i-pgTrampBase, 0, 0
		dispatch(f)
	case i == uint32(pgNotifyBase):
		closeNotify(f.ints[0])
	case i == uint32(pgNotifyBase)+1:
		releaseNotify(f.ints[0])
	default:
		f.ret = 0 // an entry point hffi never hands out
	}
}
func pgEntryAddrForTest(i int) uintptr { return pgentry.Addr(i) }
