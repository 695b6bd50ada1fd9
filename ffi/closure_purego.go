// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import (
	"sync"
	"unsafe"
)

// The one handler of every libffi closure of the purego backend: an
// entry point of hffi's own on linux (amd64, arm64), elsewhere a single purego
// callback (of purego's 2000) made on first use. It reads the
// leading fields of libffi's ffi_cif and ffi_type (stable since libffi
// 3.0) to copy the arguments into a frame laid out as a trampoline's.
var (
	clHandlerOnce sync.Once
	clHandlerAddr uintptr
)

func clHandler() uintptr {
	if havePgEntry {
		return pgHandlerAddr()
	}
	clHandlerOnce.Do(func() {
		p, err := pgNewCallback(clRun)
		if err != nil {
			panic("ffi: " + err.Error())
		}
		clHandlerAddr = p
	})
	return clHandlerAddr
}

type ffiType struct {
	size      uintptr
	alignment uint16
	typ       uint16
}

type ffiCif struct {
	abi      int32
	nargs    uint32
	argTypes uintptr
	rtype    uintptr
}

const (
	ffiVoid   = 0
	ffiFloat  = 2
	ffiDouble = 3
)

// clPlace gives a struct its offset in the frame's struct area, as
// layoutStructs does.
func clPlace(off *uintptr, t *ffiType) uintptr {
	a := max(uintptr(t.alignment), 1)
	o := (*off + a - 1) / a * a
	*off = o + t.size
	return o
}

func clRun(cifp, ret, args, ud uintptr) {
	f := pgFrames.Get().(*cbFrame)
	clRunFrame(f, cifp, ret, args, ud)
	pgFrames.Put(f)
}

// clRunFrame runs a closure call with frame f, which it fills.
func clRunFrame(f *cbFrame, cifp, ret, args, ud uintptr) {
	cif := (*ffiCif)(ptrFromAddr(cifp))
	// Only what is read is written: the pooled frame's other words are
	// never read for this call.
	f.shape, f.aux, f.ret = 0, uint32(ud), 0
	ni, nf := 0, 0
	var soff uintptr
	for i := range uintptr(cif.nargs) {
		t := (*ffiType)(ptrFromAddr(*(*uintptr)(ptrFromAddr(cif.argTypes + 8*i))))
		a := ptrFromAddr(*(*uintptr)(ptrFromAddr(args + 8*i)))
		if t.typ == ffiStruct {
			if o := clPlace(&soff, t); soff <= maxCbStructBytes {
				copy(f.sbuf[o:soff], unsafe.Slice((*byte)(a), t.size))
			}
			continue
		}
		var v uint64
		switch t.size {
		case 1:
			v = uint64(*(*uint8)(a))
		case 2:
			v = uint64(*(*uint16)(a))
		case 4:
			v = uint64(*(*uint32)(a))
		default:
			v = *(*uint64)(a)
		}
		if t.typ == ffiFloat || t.typ == ffiDouble {
			if nf < maxFloatArgs {
				f.floats[nf] = v
				nf++
			}
		} else if ni < maxIntArgs {
			f.ints[ni] = uintptr(v)
			ni++
		} else if ni < maxClInts {
			f.more[ni-maxIntArgs] = uintptr(v)
			ni++
		}
	}
	rt := (*ffiType)(ptrFromAddr(cif.rtype))
	var roff uintptr
	if rt.typ == ffiStruct {
		roff = clPlace(&soff, rt)
		if soff <= maxCbStructBytes {
			clear(f.sbuf[roff:soff]) // what C gets when the Go function cannot run
		}
	}
	clDispatch(f)
	switch rt.typ {
	case ffiStruct:
		if soff <= maxCbStructBytes {
			copy(unsafe.Slice((*byte)(ptrFromAddr(ret)), rt.size), f.sbuf[roff:soff])
		}
	case ffiVoid:
	case ffiFloat:
		*(*uint32)(ptrFromAddr(ret)) = uint32(f.ret)
	default:
		*(*uint64)(ptrFromAddr(ret)) = f.ret
	}
}
