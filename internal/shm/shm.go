// SPDX-License-Identifier: Apache-2.0

//go:build (linux || darwin) && (amd64 || arm64)

// Package shm owns the process-wide shared-memory root (hffi_rt in
// csrc/hffi.h) and the page-level primitives that arena and handles build
// on: reserving address space, committing and decommitting pages, and
// returning them to the OS. It uses golang.org/x/sys/unix only, so it
// behaves the same with and without cgo.
package shm

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/hffi-go/hffi/internal/abi"
)

var pageSize = uintptr(os.Getpagesize())

// PageSize returns the system page size.
func PageSize() uintptr { return pageSize }

// RoundUp rounds n up to a multiple of a, a power of two.
func RoundUp(n, a uintptr) uintptr { return (n + a - 1) &^ (a - 1) }

// Reserve maps n bytes (a page multiple) of inaccessible address space.
// Reserved pages cost no memory until Commit makes them read-write.
func Reserve(n uintptr) (unsafe.Pointer, error) {
	p, err := unix.MmapPtr(-1, 0, nil, n, unix.PROT_NONE, mapFlags)
	if err != nil {
		return nil, fmt.Errorf("reserve %d bytes: %w", n, err)
	}
	return p, nil
}

// Commit makes [p, p+n) readable and writable.
func Commit(p unsafe.Pointer, n uintptr) error {
	if n == 0 {
		return nil
	}
	if err := unix.Mprotect(unsafe.Slice((*byte)(p), n), unix.PROT_READ|unix.PROT_WRITE); err != nil {
		return fmt.Errorf("commit %d bytes: %w", n, err)
	}
	return nil
}

// Decommit makes [p, p+n) inaccessible, so that any access faults at once.
// If discard is true the contents are dropped and the pages returned to
// the OS (they read as zero when committed again).
func Decommit(p unsafe.Pointer, n uintptr, discard bool) error {
	if n == 0 {
		return nil
	}
	b := unsafe.Slice((*byte)(p), n)
	if discard {
		if err := unix.Madvise(b, unix.MADV_DONTNEED); err != nil {
			return fmt.Errorf("discard %d bytes: %w", n, err)
		}
	}
	if err := unix.Mprotect(b, unix.PROT_NONE); err != nil {
		return fmt.Errorf("decommit %d bytes: %w", n, err)
	}
	return nil
}

// Discard returns the pages of [p, p+n) to the OS but keeps them
// accessible; they read as zero afterwards on Linux.
func Discard(p unsafe.Pointer, n uintptr) error {
	if n == 0 {
		return nil
	}
	return unix.Madvise(unsafe.Slice((*byte)(p), n), unix.MADV_DONTNEED)
}

// Release unmaps [p, p+n).
func Release(p unsafe.Pointer, n uintptr) error {
	if err := unix.MunmapPtr(p, n); err != nil {
		return fmt.Errorf("release %d bytes: %w", n, err)
	}
	return nil
}

// The root mapping: hffi_rt, then the arena registry, then the table
// registry. It is created once and never unmapped.
var (
	rootOnce sync.Once
	root     *abi.RT
	rootErr  error
)

const (
	arenasOff  = 64
	tablesOff  = arenasOff + abi.ArenaSlots*unsafe.Sizeof(abi.ArenaHdr{})
	rootLength = tablesOff + abi.TableSlots*unsafe.Sizeof(abi.Table{})
)

func initRoot() {
	n := RoundUp(rootLength, pageSize)
	p, err := Reserve(n)
	if err == nil {
		err = Commit(p, n)
	}
	if err != nil {
		rootErr = fmt.Errorf("hffi: cannot map the shared root: %w", err)
		return
	}
	rt := (*abi.RT)(p)
	rt.ABIVersion = abi.ABIVersion
	rt.Arenas = uint64(uintptr(p) + arenasOff)
	rt.Tables = uint64(uintptr(p) + tablesOff)
	rt.PageSize = uint64(pageSize)
	if debugFromEnv() {
		rt.Flags = abi.RTDebug
		debug.Store(true)
	}
	atomic.StoreUint64(&rt.Magic, abi.RTMagic)
	root = rt
}

// Root returns the process-wide root, creating it on first use. It panics
// if the root cannot be mapped: nothing in hffi works without it, and this
// happens only when the process is out of address space at start-up.
func Root() *abi.RT {
	rootOnce.Do(initRoot)
	if rootErr != nil {
		panic(rootErr)
	}
	return root
}

// RootPtr returns the address of the root, for passing to C.
func RootPtr() unsafe.Pointer { return unsafe.Pointer(Root()) }

// ArenaHdr returns the registry entry of arena slot i (i < abi.ArenaSlots).
func ArenaHdr(i uint32) *abi.ArenaHdr {
	return (*abi.ArenaHdr)(unsafe.Add(RootPtr(), arenasOff+uintptr(i)*unsafe.Sizeof(abi.ArenaHdr{})))
}

// TableHdr returns the registry entry of table i (i < abi.TableSlots).
func TableHdr(i uint32) *abi.Table {
	return (*abi.Table)(unsafe.Add(RootPtr(), tablesOff+uintptr(i)*unsafe.Sizeof(abi.Table{})))
}

// ReadOnly makes [p, p+n) readable and not writable. Pages never written
// read as zeros and cost no memory.
func ReadOnly(p unsafe.Pointer, n uintptr) error {
	if n == 0 {
		return nil
	}
	if err := unix.Mprotect(unsafe.Slice((*byte)(p), n), unix.PROT_READ); err != nil {
		return fmt.Errorf("protect %d bytes read-only: %w", n, err)
	}
	return nil
}
