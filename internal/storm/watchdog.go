// SPDX-License-Identifier: Apache-2.0

package storm

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// watchdog fails the storm when a worker stops making progress: every
// worker, goroutine or C thread, counts the operations it finished, and
// a count that does not move for `stall` means a call that does not
// return. A goroutine stuck in a loop cannot be stopped, so the watchdog
// reports every goroutine's stack and leaves the rest to onStall.
type watchdog struct {
	stall   time.Duration
	onStall func(string)

	mu      sync.Mutex
	probes  []*probe
	winding time.Time // when the workers were told to stop; zero before
	quit    chan struct{}
	exited  chan struct{}
}

type probe struct {
	name  string
	read  func() uint64
	last  uint64
	since time.Time
}

func newWatchdog(stall time.Duration, onStall func(string)) *watchdog {
	return &watchdog{stall: stall, onStall: onStall, quit: make(chan struct{}), exited: make(chan struct{})}
}

func (w *watchdog) watch(name string, read func() uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.probes = append(w.probes, &probe{name: name, read: read, since: time.Now()})
}

// windDown tells the watchdog that the workers were told to stop: they
// stop counting, and all must be gone within stall.
func (w *watchdog) windDown() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.winding = time.Now()
}

// done stops the watchdog.
func (w *watchdog) done() {
	close(w.quit)
	<-w.exited
}

func (w *watchdog) run() {
	defer close(w.exited)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-w.quit:
			return
		case now := <-tick.C:
			if msg := w.check(now); msg != "" {
				w.onStall(msg + "\n\n" + stacks())
				return
			}
		}
	}
}

// check returns a message naming the stalled workers, or "".
func (w *watchdog) check(now time.Time) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.winding.IsZero() {
		if d := now.Sub(w.winding); d > w.stall {
			return fmt.Sprintf("storm: watchdog: the workers did not finish within %v of being told to stop; "+
				"last progress:%s", w.stall, w.summary(now))
		}
		return ""
	}
	var stalled []string
	for _, p := range w.probes {
		if v := p.read(); v != p.last {
			p.last, p.since = v, now
		} else if now.Sub(p.since) > w.stall {
			stalled = append(stalled, p.name)
		}
	}
	if len(stalled) == 0 {
		return ""
	}
	return fmt.Sprintf("storm: watchdog: no progress for %v: %s; last progress:%s",
		w.stall, strings.Join(stalled, ", "), w.summary(now))
}

func (w *watchdog) summary(now time.Time) string {
	var b strings.Builder
	for _, p := range w.probes {
		fmt.Fprintf(&b, "\n\t%s: %d operations, the last %v ago", p.name, p.last, now.Sub(p.since).Round(time.Millisecond))
	}
	return b.String()
}

// stacks returns every goroutine's stack, the storm's own first.
func stacks() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	gs := strings.Split(string(buf), "\n\n")
	sort.SliceStable(gs, func(i, j int) bool {
		return strings.Contains(gs[i], "internal/storm.") && !strings.Contains(gs[j], "internal/storm.")
	})
	return "goroutines:\n\n" + strings.Join(gs, "\n\n")
}
