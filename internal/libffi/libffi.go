// SPDX-License-Identifier: Apache-2.0

//go:build (linux || darwin) && (amd64 || arm64)

// Package libffi is the measured prototype of the libffi call mechanism
// (see internal/callconv/RATIONALE_callconv.md): libffi opened at run
// time, its cif and ffi_type structures in memory mapped outside the Go
// heap, and ffi_call reached through a plain 4-word call. It is kept for
// the benchmarks that justify callconv's own frames and as the starting
// point for closures; it is not used by ffi.
package libffi

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
	"golang.org/x/sys/unix"
)

// Type codes and the default ABI of libffi 3.x on x86-64 (ffi.h, ffitarget.h).
const (
	TypeStruct = 13
	abiUnix64  = 2
)

// Lib is an opened libffi.
type Lib struct {
	prepCif uintptr
	Call    uintptr // ffi_call
	types   map[string]uintptr
	mem     []byte // off-heap: cifs, types, element arrays
	used    uintptr
}

// ErrNotFound is returned by Open when libffi is not installed.
var ErrNotFound = errors.New("libffi: libffi.so.8 not found (install libffi8)")

// Open loads libffi and maps 64 KiB of memory for cifs and types. The
// prototype supports linux/amd64 only.
func Open() (*Lib, error) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return nil, fmt.Errorf("%w: the prototype knows only linux/amd64's ABI constants", ErrNotFound)
	}
	h, err := purego.Dlopen("libffi.so.8", purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	l := &Lib{types: map[string]uintptr{}}
	if l.prepCif, err = purego.Dlsym(h, "ffi_prep_cif"); err != nil {
		return nil, err
	}
	if l.Call, err = purego.Dlsym(h, "ffi_call"); err != nil {
		return nil, err
	}
	for _, n := range []string{"sint32", "sint64", "double", "void"} {
		if l.types[n], err = purego.Dlsym(h, "ffi_type_"+n); err != nil {
			return nil, err
		}
	}
	if l.mem, err = unix.Mmap(-1, 0, 64<<10, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON); err != nil {
		return nil, err
	}
	return l, nil
}

// Type returns libffi's ffi_type of a scalar name ("sint64", "double", ...).
func (l *Lib) Type(name string) uintptr { return l.types[name] }

func (l *Lib) alloc(n uintptr) unsafe.Pointer {
	l.used = (l.used + 15) &^ 15
	p := unsafe.Pointer(&l.mem[l.used])
	l.used += n
	return p
}

// Struct returns a new ffi_type of a struct of the given element types.
func (l *Lib) Struct(elems ...uintptr) uintptr {
	arr := unsafe.Slice((*uintptr)(l.alloc(8*uintptr(len(elems)+1))), len(elems)+1)
	copy(arr, elems)
	t := l.alloc(24)
	*(*uint16)(unsafe.Add(t, 10)) = TypeStruct
	*(*uintptr)(unsafe.Add(t, 16)) = uintptr(unsafe.Pointer(&arr[0]))
	return uintptr(t)
}

// Prep returns a cif for the given result and parameter types.
func (l *Lib) Prep(ret uintptr, params ...uintptr) (uintptr, error) {
	arr := unsafe.Slice((*uintptr)(l.alloc(8*uintptr(len(params)+1))), len(params)+1)
	copy(arr, params)
	cif := l.alloc(64)
	r, _, _ := purego.SyscallN(l.prepCif, uintptr(cif), abiUnix64, uintptr(len(params)), ret, uintptr(unsafe.Pointer(&arr[0])))
	if int32(r) != 0 {
		return 0, fmt.Errorf("libffi: ffi_prep_cif: status %d", int32(r))
	}
	return uintptr(cif), nil
}
