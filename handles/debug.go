// SPDX-License-Identifier: Apache-2.0

package handles

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/internal/abi"
)

// debugState is what a debug table keeps on the side: the creation site
// of each live handle and the quarantine of freed slots.
type debugState struct {
	mu    sync.Mutex
	sites map[uint32][]uintptr
	quar  []uint32 // FIFO of freed slots waiting to be reused
	qlen  int
}

func newDebugState(quarantine int) *debugState {
	return &debugState{sites: make(map[uint32][]uintptr), qlen: quarantine}
}

func (d *debugState) record(idx uint32, skip int) {
	var pcs [32]uintptr
	n := runtime.Callers(skip+1, pcs[:])
	d.mu.Lock()
	d.sites[idx] = append([]uintptr(nil), pcs[:n]...)
	d.mu.Unlock()
}

func (d *debugState) forget(idx uint32) {
	d.mu.Lock()
	delete(d.sites, idx)
	d.mu.Unlock()
}

func (d *debugState) site(idx uint32) []uintptr {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sites[idx]
}

// quarantine queues idx and returns the slot that leaves the quarantine,
// if one does.
func (d *debugState) quarantine(idx uint32) (uint32, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.quar = append(d.quar, idx)
	if len(d.quar) <= d.qlen {
		return 0, false
	}
	out := d.quar[0]
	d.quar = d.quar[1:]
	return out, true
}

// drain empties the quarantine.
func (d *debugState) drain() []uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.quar
	d.quar = nil
	return q
}

// Info describes one live handle of a table (see Snapshot).
type Info struct {
	Handle   Handle
	CObject  bool   // a C object (see RegisterCObject), not a Go value
	Type     string // the dynamic type of the Go value, "" for a C object
	Retains  uint32 // C retains
	Released bool   // Go deleted it; C retains keep it alive
	// Site is where the handle was created, innermost call first, in a
	// debug table; nil otherwise.
	Site []runtime.Frame
}

// Snapshot reaps and returns the live handles of the table, in slot order;
// nil after Close. It allocates and takes time proportional to the table's
// capacity.
func (t *Table) Snapshot() []Info {
	if !t.enter() {
		return nil
	}
	defer t.leave()
	t.reap()
	var out []Info
	c := uint32(atomic.LoadUint64(&t.hdr.Cap))
	for i := uint32(0); i < c; i++ {
		w := atomic.LoadUint64(&t.slot(i).Word)
		st := wordState(w)
		if st != abi.SlotLive && st != abi.SlotReleased {
			continue
		}
		in := Info{
			Handle:   makeHandle(t.id, wordGen(w), i),
			CObject:  wordKind(w) == abi.KindCObj,
			Retains:  uint32(wordCount(w)),
			Released: st == abi.SlotReleased,
		}
		if !in.CObject {
			if e, code := t.lookupSlow(in.Handle); code == hffi.OK {
				in.Type = fmt.Sprintf("%T", *(*any)(unsafe.Pointer(&e)))
			}
		}
		if t.dbg != nil {
			in.Site = frames(t.dbg.site(i))
		}
		out = append(out, in)
	}
	return out
}

func frames(pcs []uintptr) []runtime.Frame {
	if len(pcs) == 0 {
		return nil
	}
	var out []runtime.Frame
	fs := runtime.CallersFrames(pcs)
	for {
		f, more := fs.Next()
		out = append(out, f)
		if !more {
			return out
		}
	}
}

// LeakReport describes the live handles of the table grouped by creation
// site (in a debug table) or by type, most numerous first; "" if there
// are none. It allocates.
func (t *Table) LeakReport() string {
	return report(t, t.Snapshot())
}

func report(t *Table, infos []Info) string {
	if len(infos) == 0 {
		return ""
	}
	type group struct {
		key     string
		handles []Handle
	}
	groups := map[string]*group{}
	for _, in := range infos {
		key := describeSite(in)
		g := groups[key]
		if g == nil {
			g = &group{key: key}
			groups[key] = g
		}
		g.handles = append(g.handles, in.Handle)
	}
	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool {
		if len(list[i].handles) != len(list[j].handles) {
			return len(list[i].handles) > len(list[j].handles)
		}
		return list[i].key < list[j].key
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d live handle(s)\n", t, len(infos))
	for _, g := range list {
		fmt.Fprintf(&b, "%d x %s", len(g.handles), g.key)
		const show = 4
		for i, h := range g.handles {
			if i == show {
				fmt.Fprintf(&b, "\t... and %d more\n", len(g.handles)-show)
				break
			}
			fmt.Fprintf(&b, "\thandle %#x\n", uint64(h))
		}
	}
	if t.dbg == nil {
		b.WriteString("(turn debug mode on, HFFI_DEBUG=1 or hffi.SetDebug(true), to see where they were created)\n")
	}
	return b.String()
}

// describeSite is the grouping key of a leaked handle: kind, type and the
// creation stack without the frames of this package.
func describeSite(in Info) string {
	var b strings.Builder
	switch {
	case in.CObject:
		b.WriteString("C object")
	case in.Released:
		fmt.Fprintf(&b, "%s (deleted by Go, retained by C)", in.Type)
	default:
		b.WriteString(in.Type)
	}
	if len(in.Site) == 0 {
		b.WriteString("\n")
		return b.String()
	}
	b.WriteString(" created at:\n")
	for _, f := range in.Site {
		if strings.HasPrefix(f.Function, "github.com/hffi-go/hffi/handles.") && !strings.Contains(f.File, "_test.go") {
			continue
		}
		if strings.HasPrefix(f.Function, "runtime.") || strings.HasPrefix(f.Function, "testing.") {
			break
		}
		fmt.Fprintf(&b, "\t%s\n\t\t%s:%d\n", f.Function, f.File, f.Line)
	}
	return b.String()
}
