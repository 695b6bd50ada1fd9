// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/shm"
)

// Table is a generational table of Go values (and of C objects) that C
// can check on its own. Its slot words live off the Go heap (see
// csrc/hffi.h), its Go values in a Go-side array indexed by slot.
//
// All methods are safe for concurrent use by goroutines, and C threads may
// check, retain, release and register handles of the table at the same
// time, except that Close must not race with other use of the table (Len,
// Reap, Snapshot and LeakReport excepted). A closed Table stays closed even
// after a new table reuses its id.
type Table struct {
	id    uint32
	key   atomic.Uint32      // id while open, closedKey after Close: one load checks both
	hdr   *abi.Table         // off-heap header (shm.TableHdr(id))
	base  unsafe.Pointer     // off-heap hffi_slot[limit]; never moves
	segs  [32]unsafe.Pointer // numSegs used; 32 so that k&31 needs no bounds check
	osegs [32]unsafe.Pointer // owners of the runs of segs[k] (see owner), nil in debug mode
	elem  string             // element type of an Of[T] table, "" otherwise
	dbg   *debugState        // non-nil in debug mode
	segMu sync.Mutex

	shards   []shard       // per-P free slots in front of the shared list; nil in debug mode
	cmu      sync.Mutex    // held by compact, which uses cbuf
	cbuf     []uint32      // compact's buffer: shardCountMax + 1 slot indexes
	reaping  atomic.Int32  // Reap walks in progress: they hold the slots they recycle
	users    atomic.Int32  // Len, Reap and Snapshot calls that passed their closed check; Close waits for them
	returned atomic.Uint64 // Reap walks and quarantine drains completed
}

// gslot is the Go side of a slot: a copy of the generation and state of
// the slot word as Go last set them, with the index of the value's
// dynamic type (see typeIndex), and the data word of the interface. A
// lookup reads data between two loads of meta (a seqlock whose sequence
// is the generation), so it never returns a torn interface and touches
// one 16-byte slot, none of the off-heap memory. meta is LIVE exactly
// while Go's owner has not deleted the handle; every other state sends a
// lookup to the off-heap word, which stays the authority.
//
// Only whoever owns the slot writes it, with plain stores: New after
// popping it, Delete and Reap after the CAS or the reap list that made
// them its only user, before they recycle it. A Delete of a handle that C
// retains never owns the slot (C's last release hands it to Reap), so it
// marks meta RELEASED with a CAS before it marks the word, never after.
type gslot struct {
	meta uint64 // gen | state<<28 (the low half of the slot word) | type index<<32
	data unsafe.Pointer
}

type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// The Go side grows in segments that never move: segment k holds
// 256<<k slots, so 17 segments cover 1<<24 slots.
const (
	segShift = 8
	numSegs  = abi.HandleIndexBits - segShift + 1
	gslotSz  = unsafe.Sizeof(gslot{})
)

func segOf(idx uint32) (k int, off uintptr) {
	j := idx + 1<<segShift
	n := bits.Len32(j) - 1 // j's top bit: segment k starts at 1<<n - 1<<segShift
	return n - segShift, uintptr(j &^ (1 << n))
}

// gslot returns the Go side of slot idx, or nil if it was never used by Go.
func (t *Table) gslot(idx uint32) *gslot {
	k, off := segOf(idx)
	seg := atomic.LoadPointer(&t.segs[k&31])
	if seg == nil {
		return nil
	}
	return (*gslot)(unsafe.Add(seg, off*gslotSz))
}

// gslotMake is gslot that allocates the segment on first use.
func (t *Table) gslotMake(idx uint32) *gslot {
	if g := t.gslot(idx); g != nil {
		return g
	}
	t.segMake(idx)
	return t.gslot(idx)
}

// segMake allocates the segment of slot idx (and its run owners) unless
// it exists.
func (t *Table) segMake(idx uint32) {
	k, _ := segOf(idx)
	if atomic.LoadPointer(&t.segs[k&31]) != nil {
		return
	}
	t.segMu.Lock()
	if atomic.LoadPointer(&t.segs[k&31]) == nil {
		if t.shards != nil { // first: a segment's owners exist once the segment does
			own := make([]atomic.Uint32, 1<<(k+segShift-runShift))
			atomic.StorePointer(&t.osegs[k&31], unsafe.Pointer(&own[0]))
		}
		seg := make([]gslot, 1<<(k+segShift))
		atomic.StorePointer(&t.segs[k&31], unsafe.Pointer(&seg[0]))
	}
	t.segMu.Unlock()
}

func (t *Table) slot(idx uint32) *abi.Slot { return slotAt(t.base, idx) }

// closedKey never equals the table bits of a 64-bit integer (at most 12 bits).
const closedKey = ^uint32(0)

func (t *Table) closed() bool { return t.key.Load() != t.id }

// enter admits a call that reaps or walks the shared slot words unless the
// table is closed; leave ends it. The id of a closed table goes to the next
// table of its limit, with the same off-heap words and lists, so no call
// on the closed object may touch them. Close marks the table closed and
// then waits for the calls already admitted: either enter sees the mark or
// Close sees the call (both are sequentially consistent atomics), and the
// id is reused only after that. New, Get and Delete check the key without
// this (their cost matters), which is why Close must not race with them.
func (t *Table) enter() bool {
	t.users.Add(1)
	if t.closed() {
		t.users.Add(-1)
		return false
	}
	if f := testHookEnter.Load(); f != nil {
		(*f)(t)
	}
	return true
}

// testHookEnter, set only by tests, runs in enter once a call is admitted.
var testHookEnter atomic.Pointer[func(*Table)]

func (t *Table) leave() { t.users.Add(-1) }

// TableOption configures NewTable.
type TableOption func(*tableConfig)

type tableConfig struct {
	limit      int
	debug      bool
	quarantine int
	elem       string
}

// DefaultLimit is the default slot limit of a table made by NewTable.
const DefaultLimit = 1 << 20

// WithLimit sets how many handles the table may hold at once (1 to
// MaxLimit; default DefaultLimit). The slot array reserves limit*32 bytes
// of address space, of which only what the peak of live handles needs is
// ever committed.
func WithLimit(n int) TableOption { return func(c *tableConfig) { c.limit = n } }

// WithDebug turns debug mode on or off for the table (default: the
// process-wide setting, see Debug): creation sites are recorded for
// LeakReport, and freed slots are quarantined before reuse.
func WithDebug(on bool) TableOption { return func(c *tableConfig) { c.debug = on } }

// WithQuarantine sets how many freed slots a debug table holds back before
// reusing the oldest (default 1024).
func WithQuarantine(n int) TableOption { return func(c *tableConfig) { c.quarantine = n } }

func withElem(name string) TableOption { return func(c *tableConfig) { c.elem = name } }

// registry hands out table ids. Id 1 is the default table; a closed table's
// id is reused only by a table of the same limit, on the same slot array,
// whose generations continue where they were: every handle of the closed
// table stays stale forever.
var registry struct {
	mu     sync.Mutex
	next   uint32              // next never-used id
	closed map[uint64][]uint32 // closed ids by limit
	tables [abi.TableSlots]atomic.Pointer[Table]
}

var defTable atomic.Pointer[Table]

// def returns the process-wide default table, creating it on first use.
func def() *Table {
	if t := defTable.Load(); t != nil {
		return t
	}
	return initDefault()
}

func initDefault() *Table {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if t := defTable.Load(); t != nil {
		return t
	}
	t, err := openTable(abi.TableDefault, tableConfig{limit: MaxLimit, debug: shm.Debug(), quarantine: 1024})
	if err != nil {
		panic(fmt.Sprintf("handles: cannot create the default table: %v", err))
	}
	defTable.Store(t)
	return t
}

// Default returns the process-wide table behind NewHandle, Handle.Value
// and Handle.Delete; Default().Value(h) and Default().Delete(h) are their
// forms with an error. It has id 1 and MaxLimit slots and cannot be
// closed.
func Default() *Table { return def() }

// NewTable creates a table with its own id and limits. A handle of one
// table given to another is rejected with hffi.ETABLE. It allocates; it fails
// with hffi.EEXHAUSTED when all 2046 user table ids are in use. A table keeps
// its id and its memory until Close, even if it becomes unreachable.
func NewTable(opts ...TableOption) (*Table, error) {
	return newTable(opts...)
}

func newTable(opts ...TableOption) (*Table, error) {
	cfg := tableConfig{limit: DefaultLimit, debug: shm.Debug(), quarantine: 1024}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.limit < 1 || cfg.limit > MaxLimit || cfg.quarantine < 0 {
		return nil, &Error{Op: "new table", Code: hffi.EINVAL,
			Detail: fmt.Sprintf("limit %d not in 1..%d", cfg.limit, MaxLimit)}
	}
	def() // id 1 is the default table's
	registry.mu.Lock()
	defer registry.mu.Unlock()
	var id uint32
	if ids := registry.closed[uint64(cfg.limit)]; len(ids) > 0 {
		id = ids[len(ids)-1]
		registry.closed[uint64(cfg.limit)] = ids[:len(ids)-1]
	} else {
		if registry.next == 0 {
			registry.next = abi.TableDefault + 1
		}
		if registry.next >= abi.TableSlots {
			return nil, &Error{Op: "new table", Code: hffi.EEXHAUSTED, Detail: "all table ids are in use"}
		}
		id = registry.next
		registry.next++
	}
	t, err := openTable(id, cfg)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// openTable makes id LIVE: on a fresh reservation the first time, on the
// id's existing slot array when a closed id is reused. The caller holds
// registry.mu.
func openTable(id uint32, cfg tableConfig) (*Table, error) {
	hdr := shm.TableHdr(id)
	base := baseOf(id)
	if base == nil {
		n := shm.RoundUp(uintptr(cfg.limit)*slotSize, shm.PageSize())
		p, err := shm.Reserve(n)
		if err != nil {
			return nil, &Error{Op: "new table", Code: hffi.ENOMEM, Detail: err.Error()}
		}
		base = p
		hdr.Slots = uint64(uintptr(p))
		hdr.Limit = uint64(cfg.limit)
		atomic.StoreUint64(&hdr.Cap, 0)
		atomic.StoreUint64(&hdr.FreeHead, 0)
		atomic.StoreUint64(&hdr.ReapHead, 0)
		atomic.StoreUint64(&hdr.GrowLock, 0)
		atomic.StorePointer(&bases[id], p)
	}
	t := &Table{id: id, hdr: hdr, base: base, elem: cfg.elem}
	t.key.Store(id)
	flags := uint64(0)
	if cfg.debug {
		t.dbg = newDebugState(cfg.quarantine)
		flags = abi.TableFDebug
	} else {
		t.shards = newShards()
		t.cbuf = make([]uint32, shardCountMax+1)
	}
	atomic.StoreUint64(&hdr.Flags, flags)
	registry.tables[id].Store(t)
	atomic.StoreUint64(&hdr.State, abi.TableLive)
	return t, nil
}

// ID returns the table id that C sees in the handle (bits 62..52) and
// passes to hffi_cobj_register and hffi_handle_check_in.
func (t *Table) ID() uint32 { return t.id }

// Limit returns the maximum number of handles the table holds at once.
func (t *Table) Limit() int { return int(t.hdr.Limit) }

// Debug reports whether the table records creation sites and quarantines
// freed slots.
func (t *Table) Debug() bool { return t.dbg != nil }

// Len reaps slots C released and returns the number of live handles: Go
// values not yet deleted, values deleted by Go but still retained by C,
// and C objects; 0 after Close. It takes time proportional to the table's
// capacity.
func (t *Table) Len() int {
	if !t.enter() {
		return 0
	}
	defer t.leave()
	return t.len()
}

func (t *Table) len() int {
	t.reap()
	n := 0
	c := uint32(atomic.LoadUint64(&t.hdr.Cap))
	for i := uint32(0); i < c; i++ {
		switch wordState(atomic.LoadUint64(&t.slot(i).Word)) {
		case abi.SlotLive, abi.SlotReleased:
			n++
		}
	}
	return n
}

// Reap recycles the slots whose last C retain went away after Go deleted
// them, dropping their Go values. New does this too; call Reap to let the
// garbage collector have those values sooner. It does nothing after Close.
func (t *Table) Reap() {
	if atomic.LoadUint64(&t.hdr.ReapHead)&listMask == 0 || !t.enter() {
		return
	}
	defer t.leave()
	t.reap()
}

// reap is Reap for callers that know the table is open.
func (t *Table) reap() {
	if atomic.LoadUint64(&t.hdr.ReapHead)&listMask == 0 {
		return
	}
	t.reaping.Add(1) // before the slots leave the list: alloc waits for us
	defer t.reaping.Add(-1)
	i1 := listTakeAll(&t.hdr.ReapHead)
	if i1 != 0 {
		defer t.returned.Add(1)
	}
	for i1 != 0 {
		idx := uint32(i1 - 1)
		s := t.slot(idx)
		i1 = atomic.LoadUint64(&s.Next) & listMask
		w := atomic.LoadUint64(&s.Word)
		switch {
		case wordState(w) == abi.SlotReleased && wordCount(w) == 0:
			freed := freedWord(w)
			t.dropValue(idx, freed)
			atomic.StoreUint64(&s.Word, freed)
			t.recycle(idx, freed)
		case wordState(w) == abi.SlotFree: // a C object destroyed in a debug table
			t.recycle(idx, w)
		}
	}
}

// dropValue forgets the Go value of slot idx, which the caller freed
// (freed is the slot's new word).
func (t *Table) dropValue(idx uint32, freed uint64) {
	if g := t.gslot(idx); g != nil {
		storeMeta(&g.meta, uint64(uint32(freed)))
		storePtr(&g.data, nil)
	}
}

// recycle makes a slot the caller freed available again: at once, or
// after the quarantine of a debug table. Retired slots are never reused.
func (t *Table) recycle(idx uint32, freed uint64) {
	if wordState(freed) == abi.SlotRetired {
		return
	}
	if t.dbg != nil {
		t.dbg.forget(idx)
		if out, ok := t.dbg.quarantine(idx); ok {
			listPush(&t.hdr.FreeHead, t.base, out, out)
		}
		return
	}
	t.recycleGo(idx)
}

// Close closes an empty table: its handles are rejected with hffi.ECLOSED
// and its id may be reused by a later NewTable (with generations that go
// on from where they were, so no old handle ever becomes valid again).
// It fails with hffi.EBUSY if the table holds handles and with hffi.EINVAL for
// the default table. Closing twice is a no-op. Close must not race with
// other use of the table, from Go or C, except Len, Reap, Snapshot and
// LeakReport, which it waits for. Afterwards those act on nothing (Len
// returns 0, Snapshot nil) and every other method fails with hffi.ECLOSED,
// also once a new table has the id.
func (t *Table) Close() error {
	if t.id == abi.TableDefault {
		return &Error{Op: "close", Code: hffi.EINVAL, Detail: "the default table cannot be closed"}
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if t.closed() {
		return nil
	}
	if n := t.len(); n != 0 {
		return &Error{Op: "close", Code: hffi.EBUSY, Detail: fmt.Sprintf("table %d holds %d handles", t.id, n)}
	}
	t.key.Store(closedKey)
	for t.users.Load() != 0 { // a Reap admitted before the key changed may still recycle slots
		runtime.Gosched()
	}
	t.unquarantine()
	if t.shards != nil {
		t.flushShards()
	}
	atomic.StoreUint64(&t.hdr.State, abi.TableClosed)
	registry.tables[t.id].Store(nil)
	if t.retired() {
		return nil // its id is not reused: a new table would be short of slots
	}
	if registry.closed == nil {
		registry.closed = make(map[uint64][]uint32)
	}
	registry.closed[t.hdr.Limit] = append(registry.closed[t.hdr.Limit], t.id)
	return nil
}

// retired reports whether a slot of the table is retired.
func (t *Table) retired() bool {
	c := uint32(atomic.LoadUint64(&t.hdr.Cap))
	for i := uint32(0); i < c; i++ {
		if wordState(atomic.LoadUint64(&t.slot(i).Word)) == abi.SlotRetired {
			return true
		}
	}
	return false
}

func (t *Table) String() string {
	if t.elem != "" {
		return fmt.Sprintf("table %d (Of[%s])", t.id, t.elem)
	}
	return fmt.Sprintf("table %d", t.id)
}
