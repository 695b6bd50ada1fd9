// SPDX-License-Identifier: Apache-2.0

// Command hffi-soak runs hffi's long tests, which CI does not: the storm
// of internal/storm for as long as asked, 1e8 handle New/Delete pairs,
// 1e6 arena New/Free pairs and the retirement of one handle slot after
// all of its 2^28-1 generations, and prints the process's resident memory
// (VmRSS) at the start, in the middle and at the end of each part. It
// exits with status 1 if any check failed. See README.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/storm"
)

func main() {
	stormTime := flag.Duration("storm", time.Minute, "how long the storm blows (0: no storm)")
	stall := flag.Duration("stall", 10*time.Second, "how long a storm worker may make no progress")
	parts := flag.String("storm-parts", "handles,arenas", "which half of the storm blows: handles, arenas or both")
	nHandles := flag.Int64("handles", 100_000_000, "handle New+Delete pairs")
	nArenas := flag.Int64("arenas", 1_000_000, "arena New+Ref+Free cycles")
	retireGens := flag.Int64("retire", abi.HandleGenMax-1,
		"New+Delete pairs on one handle slot; at the default, all of its generations, and the slot must retire")
	flag.Parse()

	s := &soak{}
	s.rss("start")
	if *stormTime > 0 {
		s.storm(storm.Config{Duration: *stormTime, Stall: *stall,
			NoHandles: !strings.Contains(*parts, "handles"), NoArenas: !strings.Contains(*parts, "arenas")})
	}
	if *nHandles > 0 {
		s.handles(*nHandles)
	}
	if *nArenas > 0 {
		s.arenas(*nArenas)
	}
	if *retireGens > 0 {
		s.retire(*retireGens)
	}
	s.rss("end")
	if s.failed {
		fmt.Println("hffi-soak: FAILED")
		os.Exit(1)
	}
	fmt.Println("hffi-soak: ok")
}

type soak struct{ failed bool }

func (s *soak) fail(format string, args ...any) {
	s.failed = true
	fmt.Printf("FAIL: "+format+"\n", args...)
}

// rss prints the resident set size from /proc/self/status (Linux).
func (s *soak) rss(when string) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Printf("  RSS %-36s unknown (%v)\n", when+":", err)
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fmt.Printf("  RSS %-36s %s\n", when+":", strings.TrimSpace(v))
			return
		}
	}
}

// phase runs n steps of f, printing RSS in the middle and at the end,
// and the time per step.
func (s *soak) phase(name string, n int64, f func(i int64) error) {
	fmt.Printf("%s: %d\n", name, n)
	start := time.Now()
	for i := range n {
		if err := f(i); err != nil {
			s.fail("%s: step %d: %v", name, i, err)
			return
		}
		if i == n/2 {
			s.rss(name + ", middle")
		}
	}
	d := time.Since(start)
	fmt.Printf("  %v, %.1f ns each\n", d.Round(time.Millisecond), float64(d.Nanoseconds())/float64(n))
	s.rss(name + ", end")
}

func (s *soak) storm(cfg storm.Config) {
	fmt.Printf("storm: %v\n", cfg.Duration)
	rep, err := storm.Run(cfg)
	if errors.Is(err, storm.ErrNoCC) {
		fmt.Println("  skipped: no C compiler (the storm builds its C threads at run time)")
		return
	}
	if err != nil {
		s.fail("storm: %v", err)
		return
	}
	fmt.Printf("  %v\n", rep)
	for _, f := range rep.Failures {
		s.fail("storm: %s", f)
	}
	s.rss("storm, end")
}

func (s *soak) handles(n int64) {
	tab, err := handles.NewTable(handles.WithDebug(false))
	if err != nil {
		s.fail("handles: %v", err)
		return
	}
	defer tab.Close()
	s.phase("handle New+Delete", n, func(i int64) error {
		h, err := tab.New(i)
		if err != nil {
			return err
		}
		return tab.Delete(h)
	})
	if l := tab.Len(); l != 0 {
		s.fail("handles: %d left in the table", l)
	}
}

func (s *soak) arenas(n int64) {
	var last arena.Ref
	s.phase("arena New+Ref+Free", n, func(i int64) error {
		a, err := arena.New(arena.WithMaxSize(1 << 20))
		if err != nil {
			return err
		}
		p, err := a.Alloc(64, 8)
		if err != nil {
			return err
		}
		if last, err = a.Ref(p); err != nil {
			return err
		}
		if err := a.Free(); err != nil {
			return err
		}
		if err := arena.Check(last); !errors.Is(err, hffi.ECLOSED) && !errors.Is(err, hffi.ESTALE) {
			return fmt.Errorf("a reference into the freed arena checks %v", err)
		}
		return nil
	})
	if last != 0 {
		fmt.Printf("  last arena: registry slot %d, generation %d\n", abi.RefSlot(uint64(last)), abi.RefGen(uint64(last)))
	}
	st := arena.ReadStats()
	fmt.Printf("  %+v\n", st)
}

// retire cycles the one slot of a one-slot table through n generations.
// At HandleGenMax-1 the slot must be retired: New then fails, the last
// handle is deleted and one of the next generation is retired (handles.Check
// is the twin of hffi_handle_check).
func (s *soak) retire(n int64) {
	tab, err := handles.NewTable(handles.WithLimit(1), handles.WithDebug(false))
	if err != nil {
		s.fail("retire: %v", err)
		return
	}
	defer tab.Close()
	var last handles.Handle
	s.phase("New+Delete on one slot", n, func(i int64) error {
		h, err := tab.New(nil)
		if err != nil {
			return err
		}
		if last != 0 && uint32(h)&abi.HandleIndexMax != uint32(last)&abi.HandleIndexMax {
			return fmt.Errorf("handle %#x is not in the slot of %#x", h, last)
		}
		last = h
		return tab.Delete(h)
	})
	if last == 0 {
		return
	}
	gen := abi.HandleGen(uint64(last))
	fmt.Printf("  last handle %#x, generation %d of %d\n", last, gen, abi.HandleGenMax-1)
	if gen < abi.HandleGenMax-1 {
		fmt.Println("  (not every generation was used: retirement not checked)")
		return
	}
	if h, err := tab.New(nil); !errors.Is(err, hffi.ENOMEM) {
		s.fail("retire: New on a table whose only slot is retired gives %#x, %v; want ENOMEM", h, err)
	}
	if err := handles.Check(last); !errors.Is(err, hffi.EDELETED) {
		s.fail("retire: the last handle checks %v; want EDELETED", err)
	}
	future := handles.Handle(abi.MakeHandle(tab.ID(), abi.HandleGenMax, uint32(last)&abi.HandleIndexMax))
	if err := handles.Check(future); !errors.Is(err, hffi.ERETIRED) {
		s.fail("retire: a handle of the retired generation checks %v; want ERETIRED", err)
	}
	fmt.Println("  the slot is retired: New fails with ENOMEM, the last handle is EDELETED, the next generation ERETIRED")
}
