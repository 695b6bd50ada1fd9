// SPDX-License-Identifier: Apache-2.0

package storm

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
)

// The control block that goroutines and C threads share, off the Go heap:
// the Go twin of st_ctl in clib/storm.c (sizes checked against
// st_ctl_size at start-up).
const (
	maxThreads = 16
	maxFails   = 32
	nR         = 1024
	nK         = 32
	nA         = 8
	nD         = 4
	nRel       = 32
	nBuf       = 4
	nBatches   = 4096 // at most this many batches of live handles per D goroutine
)

const (
	partHandles = 1
	partArenas  = 2
)

type cFail struct{ Kind, Value, Want, Got, Code uint64 }

type aEnt struct{ Seq, Ref, Addr, _ uint64 }

type ctl struct {
	Stop     uint64
	NThreads uint64
	Seed     uint64
	Parts    uint64 // partHandles | partArenas
	NFails   uint64
	Progress [maxThreads]uint64
	Retained [maxThreads]uint64
	Resolved [maxThreads]uint64
	DeadSeen [maxThreads]uint64
	Fail     [maxFails]cFail
	R        [nR]uint64
	KLive    [nK]uint64
	KDead    [nK]uint64
	A        [nA]aEnt
	ADead    [nA]uint64
	RelPhase [nD][nBuf]uint64
	Rel      [nD][nBuf][nRel]uint64
}

// Failure kinds of storm.c.
var failNames = map[uint64]string{
	1: "a handle C holds a retain on does not check live",
	2: "release of a handle C retained failed",
	3: "a handle Go deleted (never retained) checks live",
	4: "a handle Go deleted (never retained) can be retained",
	5: "hffi_ref_resolve succeeded at an address that is not the one Go got for the reference (a stale reference into the arena that reuses the slot)",
	6: "a reference into a freed arena resolves",
	7: "a code that cannot happen here",
}

// cFailures reads the failures C recorded.
func (c *ctl) cFailures() (n uint64, msgs []string) {
	n = atomic.LoadUint64(&c.NFails)
	for i := range min(n, maxFails) {
		f := &c.Fail[i]
		kind := atomic.LoadUint64(&f.Kind)
		if kind == 0 {
			continue // still being written
		}
		msg := fmt.Sprintf("C: %s: %#x", failNames[kind], f.Value)
		switch kind {
		case 5:
			msg += fmt.Sprintf(": address %#x, Go's address %#x", f.Got, f.Want)
		case 6:
			msg += fmt.Sprintf(": address %#x", f.Got)
		default:
			msg += ": " + hffi.Code(int32(f.Code)).Name()
		}
		msgs = append(msgs, msg)
	}
	return n, msgs
}

// publish writes entry i of a under its sequence lock (odd while it
// writes). Each entry has one writer.
func (c *ctl) publish(i int, ref uint64, addr unsafe.Pointer) {
	e := &c.A[i]
	if atomic.LoadUint64(&e.Seq)&1 == 0 {
		atomic.AddUint64(&e.Seq, 1)
	}
	atomic.StoreUint64(&e.Ref, ref)
	atomic.StoreUint64(&e.Addr, uint64(uintptr(addr)))
	atomic.AddUint64(&e.Seq, 1)
}

// withdraw marks entry i as being rewritten, before Go resets or frees
// the arena it names: readers skip it until the next publish.
func (c *ctl) withdraw(i int) {
	if atomic.LoadUint64(&c.A[i].Seq)&1 == 0 {
		atomic.AddUint64(&c.A[i].Seq, 1)
	}
}

// read reads entry i under its sequence lock.
func (c *ctl) read(i int) (ref, addr uint64, ok bool) {
	e := &c.A[i]
	s1 := atomic.LoadUint64(&e.Seq)
	if s1&1 != 0 {
		return 0, 0, false
	}
	ref, addr = atomic.LoadUint64(&e.Ref), atomic.LoadUint64(&e.Addr)
	return ref, addr, atomic.LoadUint64(&e.Seq) == s1 && ref != 0
}

func sum(a *[maxThreads]uint64) uint64 {
	var s uint64
	for i := range a {
		s += atomic.LoadUint64(&a[i])
	}
	return s
}
