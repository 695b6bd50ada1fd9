// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

// Defaults of the options.
const (
	DefaultMaxSize = 1 << 30 // WithMaxSize
	DefaultRetain  = 4 << 20 // WithRetain
	// MaxSize is the largest maximum size an arena can have: offsets in a
	// Ref have 29 bits in units of 8 bytes.
	MaxSize = uintptr(abi.ArenaMaxSize)
)

// growStep is the commit granularity: when an allocation passes the
// committed end, this many more bytes (a page multiple) are made
// read-write at once.
var growStep = max(64<<10, shm.PageSize())

type config struct {
	maxSize uintptr
	retain  uintptr
	debug   bool
}

func defaultConfig() config {
	return config{maxSize: DefaultMaxSize, retain: DefaultRetain, debug: shm.Debug()}
}

// Option configures [New] and [NewPool].
type Option func(*config)

// WithMaxSize sets the arena's maximum size in bytes (rounded up to a page):
// address space reserved at once, committed as allocations reach it.
// Allocations beyond it fail with [hffi.ENOMEM]. The default is
// [DefaultMaxSize]; at most [MaxSize].
func WithMaxSize(n uintptr) Option { return func(c *config) { c.maxSize = n } }

// WithDebug turns debug mode on or off for this arena (see the package
// documentation); the default is [Debug] at the time the arena is made.
func WithDebug(on bool) Option { return func(c *config) { c.debug = on } }

// WithRetain sets how many committed bytes a [Arena.Reset] keeps for reuse;
// memory committed beyond it is returned to the OS. The default is
// [DefaultRetain].
func WithRetain(n uintptr) Option { return func(c *config) { c.retain = n } }

// Arena is a region of off-heap memory that C may read and write: an mmap'd
// reservation from which allocations are bumped and which is released all at
// once. Memory never moves and is never scanned or freed by the Go garbage
// collector, so its addresses may be kept by C (until Reset or Free) and
// passed through cgo freely; it must not hold Go pointers.
//
// Alloc, AllocUninit, CopyString, CopyBytes, Ref, ID and Used are safe for
// concurrent use by goroutines and, through hffi_arena_alloc, by C threads.
// Reset and Free must not run concurrently with any other use of the arena.
//
// An Arena must be released with [Arena.Free] (or returned to its [Pool]):
// it is not freed by the garbage collector, because Go code may hold
// pointers into it that the collector cannot see. The zero Arena is not
// usable (it behaves like a freed one); make arenas with [New].
type Arena struct {
	hdr   *abi.ArenaHdr  // registry entry; nil once freed or dead
	base  unsafe.Pointer // the reservation: offset 0 of Refs
	limit uint64         // end of the reservation: floor + maximum size
	floor uint64         // the slot's floor: the arena proper starts here
	grow  uint64
	high  uint64 // highest used of a generation that minted a Ref, or floor

	epoch uint64 // bumped by Reset and Free: tells a Local its chunk is gone

	_      noCopy // go vet reports an Arena copied by value (see local.go)
	busy   uint64 // 1 while Reset or Free runs; see lock
	resets uint64 // Reset calls; written under lock, read atomically by ReadStats
	slot   uint32
	genMax uint32 // the slot retires at this generation (shm.ArenaLimits)
	pooled uint32 // 1 from Pool.Put until Pool.Get hands it out again
	debug  bool
	retain uint64 // committed bytes above floor that Reset keeps
	err    error  // why hdr is nil
}

// New reserves a new arena. It allocates (the Arena, and a registry slot
// under a global lock) and makes a system call; use a [Pool] for per-call
// scratch arenas. It fails with [hffi.ERANGE] for a bad maximum size,
// [hffi.EEXHAUSTED] if every registry slot is in use (retired slots are
// recycled, see [Arena.Reset]), or [hffi.ENOMEM].
func New(opts ...Option) (*Arena, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	return newArena(cfg)
}

func newArena(cfg config) (*Arena, error) {
	page := shm.PageSize()
	if cfg.maxSize == 0 || cfg.maxSize > MaxSize {
		return nil, fmt.Errorf("arena: maximum size %d not in [1, %d]: %w", cfg.maxSize, MaxSize, hffi.ERANGE)
	}
	size := uint64(shm.RoundUp(cfg.maxSize, page))
	a := &Arena{
		epoch:  1,
		grow:   uint64(growStep),
		debug:  cfg.debug,
		retain: uint64(shm.RoundUp(min(cfg.retain, uintptr(size)), page)),
	}
	// Reserved for a floor of 0 first: that is what nearly every slot
	// has, and it keeps the system call outside the registry lock.
	if err := a.reserve(0, size); err != nil {
		return nil, err
	}
	reg.mu.Lock()
	c, ok := claimLocked(size, a.debug)
	if ok && c.floor == 0 {
		publishLocked(c, a, 0)
		reg.live[a] = struct{}{}
	}
	reg.mu.Unlock()
	if !ok {
		_ = shm.Release(a.base, uintptr(a.limit))
		return nil, errNoSlot
	}
	if c.floor != 0 { // a recycled slot
		_ = shm.Release(a.base, uintptr(a.limit))
		err := a.reserve(c.floor, size)
		reg.mu.Lock()
		if err == nil {
			publishLocked(c, a, c.floor)
			reg.live[a] = struct{}{}
		} else {
			unclaimLocked(c)
		}
		reg.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

// reserve maps a's memory for a slot whose floor is floor: size bytes from
// offset floor, and below them, from offset 0, read-only address space that
// is never written. Refs are offsets from offset 0, so they reach exactly
// the memory the slot's incarnation may name; the read-only part lets a
// reader that checks offsets against the arena prefix only, not the floor
// (ffi's Go decoder), read zeros there instead of faulting.
func (a *Arena) reserve(floor, size uint64) error {
	base, err := shm.Reserve(uintptr(floor + size))
	if err == nil && floor > 0 {
		if err = shm.ReadOnly(base, uintptr(floor)); err != nil {
			_ = shm.Release(base, uintptr(floor+size))
		}
	}
	if err != nil {
		return fmt.Errorf("arena: %w (%w)", err, hffi.ENOMEM)
	}
	a.base, a.floor, a.limit = base, floor, floor+size
	return nil
}

// size is the arena's maximum size.
func (a *Arena) size() uint64 { return a.limit - a.floor }

// highAtEnd is a.high updated for the generation that ends now. The caller
// holds a's lock.
func (a *Arena) highAtEnd() uint64 {
	if atomic.LoadUint64(&a.hdr.Minted) != 0 {
		return max(a.high, atomic.LoadUint64(&a.hdr.Used))
	}
	return a.high
}

// deadErr says why a is unusable.
func (a *Arena) deadErr() error {
	if a.err != nil {
		return a.err
	}
	return errFreed
}

// Alloc returns size zeroed bytes aligned to align, a power of two no
// larger than the page size. The memory stays valid until [Arena.Reset] or
// [Arena.Free]. A zero size returns an address that must not be
// dereferenced and may equal the next allocation's. Alloc makes no Go heap
// allocation. It fails with [hffi.EALIGN], [hffi.ENOMEM] (the maximum size is
// reached; the arena stays usable), or [hffi.ECLOSED] after Free.
func (a *Arena) Alloc(size, align uintptr) (unsafe.Pointer, error) {
	p, err := a.bump(uint64(size), uint64(align))
	if err == nil && size > 0 {
		clear(unsafe.Slice((*byte)(p), size))
	}
	return p, err
}

// AllocUninit is [Arena.Alloc] without zeroing: the bytes are whatever the
// arena held before (in debug mode, the [Poison] pattern after a Reset).
func (a *Arena) AllocUninit(size, align uintptr) (unsafe.Pointer, error) {
	return a.bump(uint64(size), uint64(align))
}

// ResizeLast changes the size of the allocation at p, of size bytes, to
// newSize bytes in place, and reports whether it did. It does if the
// allocation is still the arena's last one (nothing was allocated after
// it; a zero-size allocation may have been, see [Arena.Alloc]) and the
// new size fits in the arena's maximum size. Growing does not zero the
// added bytes (as [Arena.AllocUninit]); shrinking gives the tail back to
// the next allocations, as it is. It lets a writer that does not know how
// much it will write reserve a guess, grow it, and give back what it did
// not use, without a second copy. p and size must describe an allocation
// made by a since its last Reset; otherwise ResizeLast may resize whatever
// allocation now ends there. It makes no Go heap allocation and is safe
// for concurrent use with a's allocations (a concurrent allocation makes
// it fail, or follows the new end).
func (a *Arena) ResizeLast(p unsafe.Pointer, size, newSize uintptr) bool {
	h := a.hdr
	if h == nil {
		return false
	}
	off := uint64(uintptr(p)) - uint64(uintptr(a.base)) // wraps if p is below base
	end, newEnd := off+uint64(size), off+uint64(newSize)
	if off < a.floor+abi.ArenaPrefix || off > a.limit ||
		uint64(size) > a.limit-off || uint64(newSize) > a.limit-off {
		return false
	}
	if atomic.LoadUint64(&h.Used) != end {
		return false
	}
	if newEnd > atomic.LoadUint64(&h.Committed) && a.commit(h, newEnd) != nil {
		return false
	}
	return end == newEnd || atomic.CompareAndSwapUint64(&h.Used, end, newEnd)
}

// CopyString copies s with a terminating NUL into the arena and returns
// the copy's address, 8-aligned, usable as a C `char *` (so a [Ref] may be
// minted for it). An s that contains NUL bytes is copied whole; C sees it
// end at the first. It makes no Go heap allocation.
func (a *Arena) CopyString(s string) (unsafe.Pointer, error) {
	// Fast path, small enough to inline: the copy fits in committed
	// memory and the CAS wins. Everything else takes bump.
	if h := a.hdr; h != nil {
		old := atomic.LoadUint64(&h.Used)
		off := (old + 7) &^ 7
		end := off + uint64(len(s)) + 1
		if end <= atomic.LoadUint64(&h.Committed) && end > off &&
			atomic.CompareAndSwapUint64(&h.Used, old, end) {
			return copyString(unsafe.Add(a.base, off), s), nil
		}
	}
	p, err := a.bump(uint64(len(s))+1, abi.RefOffScale)
	if err != nil {
		return nil, err
	}
	return copyString(p, s), nil
}

func copyString(p unsafe.Pointer, s string) unsafe.Pointer {
	// The NUL after the copy: stores in ascending order, which the
	// hardware's prefetchers follow.
	copy(unsafe.Slice((*byte)(p), len(s)), s)
	*(*byte)(unsafe.Add(p, len(s))) = 0
	return p
}

// CopyBytes copies b into the arena, 8-aligned, and returns the copy's
// address. An empty b is a zero-size allocation. It makes no Go heap
// allocation.
func (a *Arena) CopyBytes(b []byte) (unsafe.Pointer, error) {
	p, err := a.bump(uint64(len(b)), abi.RefOffScale)
	if err == nil && len(b) > 0 {
		copy(unsafe.Slice((*byte)(p), len(b)), b)
	}
	return p, err
}

// bump is the allocation protocol shared with hffi_arena_alloc in C: make
// [0, end) read-write first, then publish end with a CAS on hdr.used, so
// used <= committed at every instant. Its first access to the header is an
// atomic load of used, on which Reset's release stores rely (see Reset).
func (a *Arena) bump(size, align uint64) (unsafe.Pointer, error) {
	h := a.hdr
	if h == nil {
		return nil, a.deadErr()
	}
	if align-1 >= uint64(shm.PageSize()) || align&(align-1) != 0 {
		return nil, allocErrs.of(hffi.EALIGN)
	}
	old := atomic.LoadUint64(&h.Used)
	for {
		off := (old + align - 1) &^ (align - 1)
		if off < old || off > a.limit || size > a.limit-off {
			return nil, allocErrs.of(hffi.ENOMEM)
		}
		end := off + size
		if end > atomic.LoadUint64(&h.Committed) {
			if err := a.commit(h, end); err != nil {
				return nil, err
			}
		}
		if end == old || atomic.CompareAndSwapUint64(&h.Used, old, end) {
			return unsafe.Add(a.base, off), nil
		}
		old = atomic.LoadUint64(&h.Used)
	}
}

// commit makes [0, end) read-write, growing hdr.committed in steps of
// a.grow. Two threads may mprotect the same pages; that is harmless, and
// the CAS keeps committed monotonic.
func (a *Arena) commit(h *abi.ArenaHdr, end uint64) error {
	page := uint64(shm.PageSize())
	c := atomic.LoadUint64(&h.Committed)
	for end > c {
		target := (end + a.grow - 1) &^ (a.grow - 1)
		if target > a.limit || target < end {
			target = a.limit
		}
		from := c &^ (page - 1)
		if err := shm.Commit(unsafe.Add(a.base, from), uintptr(target-from)); err != nil {
			return fmt.Errorf("arena: alloc: %w (%w)", err, hffi.ENOMEM)
		}
		if atomic.CompareAndSwapUint64(&h.Committed, c, target) {
			return nil
		}
		c = atomic.LoadUint64(&h.Committed)
	}
	return nil
}

// Used returns the number of bytes allocated since the last Reset,
// alignment padding included; 0 once freed.
func (a *Arena) Used() uintptr {
	h := a.hdr
	if h == nil {
		return 0
	}
	return uintptr(atomic.LoadUint64(&h.Used) - a.floor - abi.ArenaPrefix)
}

// MaxSize returns the arena's maximum size in bytes, as set by
// [WithMaxSize] (0 once freed). The first 64 bytes are reserved (the
// arena's C handle, [Arena.CArena], names them), so at most MaxSize()-64
// bytes can be allocated.
func (a *Arena) MaxSize() uintptr {
	if a.hdr == nil {
		return 0
	}
	return uintptr(a.size())
}

// Reset frees every allocation at once; the arena keeps its memory (up to
// [WithRetain] bytes) for the next allocations. If a [Ref] or the arena's
// [Arena.CArena] was handed out since the last Reset, the arena's
// generation is bumped, so those now resolve to [hffi.ESTALE], in Go and
// in C. Raw pointers into the arena must no longer be used; in debug mode
// (see [WithDebug]) the memory is poisoned and made inaccessible so that a
// stale access faults at once.
//
// When the arena's registry slot runs out of generations (about a million
// minting Resets), Reset retires it and moves the arena to another slot:
// a fresh or freed one, or else a retired slot that starts over behind a
// floor above every offset it ever handed out, so that no Ref of its past
// can resolve (this maps new memory). If no slot is left, the arena's
// memory is released and later allocations fail with [hffi.EEXHAUSTED].
// Reset of a freed arena is a no-op. Reset must not run concurrently with
// other uses of the arena; it makes no Go heap allocation except when
// moving slots.
func (a *Arena) Reset() {
	// The common Reset (no slot to move, no memory to give back, not
	// debug) is straight-line code with no defer; the rest takes
	// resetSlow, which unlocks in a defer.
	a.lock()
	h := a.hdr
	if h == nil {
		a.unlock()
		return
	}
	// Counted per arena with a plain store, not in one process-wide
	// counter: an atomic add here cost a fifth of a Reset. Counted before
	// a move, which may forget the arena.
	storeRelease(&a.resets, a.resets+1)
	// Release stores suffice: nothing else may use the arena during
	// Reset, and a reader (a C thread checking a reference) must see the
	// new generation before any write that reuses the memory. Every path
	// that reuses it (bump, CopyString, Local) begins with an atomic load
	// or CAS of h.Used, which is ordered after these stores: amd64 keeps
	// stores in order, and on arm64 an acquire after a release (LDAR or
	// CAS after STLR) is ordered too. See RATIONALE.md, "Why is Reset a
	// handful of plain stores?".
	if atomic.LoadUint64(&h.Minted) != 0 {
		// Refs up to used were handed out: a later incarnation of the
		// slot must start above them (see registry.go).
		if used := atomic.LoadUint64(&h.Used); used > a.high {
			a.high = used
		}
		w := atomic.LoadUint64(&h.Word)
		if wordGen(w) >= a.genMax {
			a.resetSlow(h, true)
			return
		}
		// The generation is the word's low bits: +1 bumps it and keeps
		// state and floor.
		storeRelease(&h.Word, w+1)
		storeRelease(&h.Minted, 0)
	}
	if a.debug || atomic.LoadUint64(&h.Committed) > a.floor+a.retain {
		a.resetSlow(h, false)
		return
	}
	a.epoch++
	storeRelease(&h.Used, a.floor+abi.ArenaPrefix)
	a.unlock()
}

// resetSlow ends a Reset that scrubs memory (see scrub) and, if move, moves
// a to another slot. The caller holds a's lock, which resetSlow releases.
func (a *Arena) resetSlow(h *abi.ArenaHdr, move bool) {
	defer a.unlock()
	a.epoch++
	a.scrub(h)
	storeRelease(&h.Used, a.floor+abi.ArenaPrefix)
	if move {
		a.move()
	}
}

// lock and unlock serialise Reset and Free. They must not overlap (see
// their docs), so the lock is never contended in a correct program, and it
// costs one compare-and-swap and one release store: a sync.Mutex costs a
// second atomic read-modify-write in Unlock, which on the machines we
// measure on made up a quarter of a Reset. Should Resets or Frees overlap
// anyway, they take turns, as they did under a mutex.
func (a *Arena) lock() {
	for !atomic.CompareAndSwapUint64(&a.busy, 0, 1) {
		runtime.Gosched()
	}
}

func (a *Arena) unlock() { storeRelease(&a.busy, 0) }

// scrub runs the memory side of a Reset: poison and decommit in debug
// mode, otherwise give back what exceeds the retained size.
func (a *Arena) scrub(h *abi.ArenaHdr) {
	committed, lo := atomic.LoadUint64(&h.Committed), a.floor+abi.ArenaPrefix
	if a.debug {
		if used := atomic.LoadUint64(&h.Used); used > lo {
			poison(unsafe.Add(a.base, lo), uintptr(used-lo))
		}
		// The whole arena: a racing commit may have made pages
		// read-write beyond the committed mark it lost. The read-only
		// part below the floor stays as it is.
		if committed > a.floor && shm.Decommit(unsafe.Add(a.base, a.floor), uintptr(a.size()), false) == nil {
			atomic.StoreUint64(&h.Committed, a.floor)
		}
		return
	}
	if keep := a.floor + a.retain; committed > keep {
		if shm.Decommit(unsafe.Add(a.base, keep), uintptr(a.limit-keep), true) == nil {
			atomic.StoreUint64(&h.Committed, keep)
		}
	}
}

// move retires a's slot, whose generations are exhausted, and moves the
// arena to another slot; if there is none, a dies. A slot with another
// floor needs the memory mapped anew: nothing in the arena is live after a
// Reset, so its old memory simply goes.
func (a *Arena) move() {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	old, h := a.slot, a.hdr
	committed := atomic.LoadUint64(&h.Committed)
	reg.high[old] = a.high
	retireLocked(old, wordGen(atomic.LoadUint64(&h.Word)), a.floor)
	c, ok := claimLocked(a.size(), a.debug)
	if !ok {
		a.die(errLostSlot)
		return
	}
	if c.floor != a.floor {
		oldBase, oldLimit := a.base, a.limit
		if err := a.reserve(c.floor, a.size()); err != nil {
			unclaimLocked(c)
			a.die(fmt.Errorf("arena: reset: moving to another registry slot: %w", err))
			return
		}
		a.releaseRange(oldBase, oldLimit)
		committed = c.floor
	}
	publishLocked(c, a, committed)
}

// die makes a unusable for reason and releases its memory. The caller
// holds reg.mu and a's lock; a's slot is no longer its own.
func (a *Arena) die(reason error) {
	a.hdr, a.err = nil, reason
	forgetLocked(a)
	_ = a.releaseMemory()
}

// Free returns the arena's memory to the OS (in debug mode it stays
// reserved and inaccessible for a while, so stale C pointers fault) and its
// registry slot to the registry. Refs into the arena then resolve to
// [hffi.ECLOSED] until the slot is reused, then to [hffi.ESTALE]; allocations
// fail with [hffi.ECLOSED]. Free is idempotent; it must not run concurrently
// with other uses of the arena.
func (a *Arena) Free() error {
	a.lock()
	defer a.unlock()
	if a.hdr == nil {
		return nil
	}
	a.epoch++
	reg.mu.Lock()
	releaseLocked(a)
	a.hdr, a.err = nil, errFreed
	forgetLocked(a)
	reg.mu.Unlock()
	return a.releaseMemory()
}

func (a *Arena) releaseMemory() error { return a.releaseRange(a.base, a.limit) }

func (a *Arena) releaseRange(base unsafe.Pointer, n uint64) error {
	if a.debug {
		quarantine(base, uintptr(n))
		return nil
	}
	if err := shm.Release(base, uintptr(n)); err != nil {
		return fmt.Errorf("arena: free: %w", err)
	}
	return nil
}
