// SPDX-License-Identifier: Apache-2.0

package storm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/internal/cbuild"
	"github.com/hffi-go/hffi/internal/shm"
)

// Config says how long and how hard a storm blows. The zero Config is a
// two-second storm with four C threads.
type Config struct {
	Duration time.Duration // how long the workers run (default 2 s)
	CThreads int           // C threads (default 4, at most 16)
	// Stall is how long any worker, Go or C, may go without finishing an
	// operation (and how long the storm may take to wind down) before the
	// watchdog calls OnStall (default 5 s).
	Stall time.Duration
	Seed  uint64 // 0: from the clock (Report.Seed says which)
	// NoHandles and NoArenas leave out the goroutines of one half of the
	// storm (C threads skip what nobody publishes), to time one race.
	NoHandles, NoArenas bool
	// OnStall gets the watchdog's message, with every goroutine's stack.
	// The default prints it to stderr and panics: a goroutine that hangs
	// cannot be stopped, so the process must end.
	OnStall func(msg string)
}

// Report is what a storm did and found.
type Report struct {
	Seed     uint64
	Elapsed  time.Duration
	Failures []string // empty if every check held

	RNew, DNew, KNew, ArenaCycles, GoResolves uint64 // operations of the goroutines
	COps, CRetains, CResolves, CDead          uint64 // of the C threads
}

func (r Report) String() string {
	return fmt.Sprintf("storm (seed %d) ran %v: goroutines %d New+Get+Delete racing C's retains, "+
		"%d New+Retain then Delete racing C's release, %d New+Delete of never-retained handles, "+
		"%d arena create/reset/free cycles, %d Go resolves; "+
		"C threads %d operations (%d retains held, %d resolves, %d checks of dead handles and refs); %d failures",
		r.Seed, r.Elapsed.Round(time.Millisecond), r.RNew, r.DNew, r.KNew, r.ArenaCycles, r.GoResolves,
		r.COps, r.CRetains, r.CResolves, r.CDead, len(r.Failures))
}

// lib is the C side: csrc/*.c and clib/storm.c, built once per process.
var lib struct {
	once    sync.Once
	err     error
	ctlSize func() uint64
	start   func(rt, ctl uintptr) int32
	join    func() int32
	mu      sync.Mutex // one storm at a time: the C threads are process-wide
}

func load() error {
	lib.once.Do(func() {
		dir, err := os.MkdirTemp("", "hffi-storm")
		if err != nil {
			lib.err = err
			return
		}
		defer os.RemoveAll(dir) // the loaded library stays mapped
		var flags []string
		if ub := []string{"-fsanitize=undefined", "-fno-sanitize-recover=all"}; cbuild.Accepts(ub...) {
			flags = ub
		}
		path, err := cbuild.LibraryFlags(dir, "libhffi_storm.so", flags, "internal/storm/clib/storm.c")
		if err != nil {
			lib.err = err
			return
		}
		h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
		if err != nil {
			lib.err = err
			return
		}
		purego.RegisterLibFunc(&lib.ctlSize, h, "st_ctl_size")
		purego.RegisterLibFunc(&lib.start, h, "st_start")
		purego.RegisterLibFunc(&lib.join, h, "st_join")
		if n := lib.ctlSize(); n != uint64(unsafe.Sizeof(ctl{})) {
			lib.err = fmt.Errorf("storm: st_ctl is %d bytes in C, %d in Go", n, unsafe.Sizeof(ctl{}))
		}
	})
	return lib.err
}

// ErrNoCC is returned by Run when no C compiler is installed.
var ErrNoCC = cbuild.ErrNoCC

// Run blows one storm. It returns an error only if the storm could not
// start; what it found is in Report.Failures. A hang ends the process
// (see Config.OnStall).
func Run(cfg Config) (Report, error) {
	if cfg.Duration <= 0 {
		cfg.Duration = 2 * time.Second
	}
	if cfg.CThreads <= 0 {
		cfg.CThreads = 4
	}
	cfg.CThreads = min(cfg.CThreads, maxThreads)
	if cfg.Stall <= 0 {
		cfg.Stall = 5 * time.Second
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	if cfg.OnStall == nil {
		cfg.OnStall = func(msg string) {
			fmt.Fprintln(os.Stderr, msg)
			panic("storm: watchdog: a worker hangs (see the stacks above)")
		}
	}
	if err := load(); err != nil {
		return Report{}, err
	}
	lib.mu.Lock()
	defer lib.mu.Unlock()
	s, err := newStorm(cfg)
	if err != nil {
		return Report{}, err
	}
	defer s.close()
	return s.run(), nil
}

type storm struct {
	cfg  Config
	c    *ctl
	mem  unsafe.Pointer
	size uintptr
	r, k *handles.Table

	fmu   sync.Mutex
	fails []string

	// live[d] holds D goroutine d's live handles, oldest batch first: Go
	// owns them and holds one retain each.
	live [nD][]*batch

	rNew, dNew, kNew, cycles, goRes atomic.Uint64
	stop                            atomic.Bool
}

func newStorm(cfg Config) (*storm, error) {
	s := &storm{cfg: cfg, size: shm.RoundUp(unsafe.Sizeof(ctl{}), shm.PageSize())}
	p, err := shm.Reserve(s.size)
	if err != nil {
		return nil, err
	}
	if err := shm.Commit(p, s.size); err != nil {
		_ = shm.Release(p, s.size)
		return nil, err
	}
	s.mem, s.c = p, (*ctl)(p)
	if s.r, err = handles.NewTable(handles.WithDebug(false)); err != nil {
		s.close()
		return nil, err
	}
	if s.k, err = handles.NewTable(handles.WithDebug(false)); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *storm) close() {
	for _, t := range []*handles.Table{s.r, s.k} {
		if t != nil {
			_ = t.Close()
		}
	}
	_ = shm.Release(s.mem, s.size)
}

func (s *storm) fail(format string, args ...any) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if len(s.fails) < 50 {
		s.fails = append(s.fails, fmt.Sprintf(format, args...))
	}
}

// run starts the C threads and the goroutines, lets them blow for the
// configured time under the watchdog, and winds everything down.
func (s *storm) run() Report {
	c := s.c
	c.NThreads, c.Seed, c.Parts = uint64(s.cfg.CThreads), s.cfg.Seed, 0
	if !s.cfg.NoHandles {
		c.Parts |= partHandles
	}
	if !s.cfg.NoArenas {
		c.Parts |= partArenas
	}
	start := time.Now()
	if rc := lib.start(uintptr(hffi.Runtime()), uintptr(unsafe.Pointer(c))); rc != 0 {
		s.fail("st_start failed: %d", rc)
		return s.report(start)
	}
	wd := newWatchdog(s.cfg.Stall, s.cfg.OnStall)
	for i := range s.cfg.CThreads {
		wd.watch(fmt.Sprintf("C thread %d", i), func() uint64 { return atomic.LoadUint64(&c.Progress[i]) })
	}
	var wg sync.WaitGroup
	spawn := func(name string, f func(p *atomic.Uint64, rng *rand.Rand)) {
		p := new(atomic.Uint64)
		wd.watch(name, p.Load)
		rng := rand.New(rand.NewPCG(s.cfg.Seed, uint64(len(wd.probes))))
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(p, rng)
		}()
	}
	rWorkers, dWorkers, kWorkers, aWorkers := 2, nD, 1, 2
	if s.cfg.NoHandles {
		rWorkers, dWorkers, kWorkers = 0, 0, 0
	}
	if s.cfg.NoArenas {
		aWorkers = 0
	}
	for w := range rWorkers {
		spawn(fmt.Sprintf("goroutine R%d (New, Get, Delete racing C's retain and release)", w),
			func(p *atomic.Uint64, _ *rand.Rand) { s.rWorker(p, w, rWorkers) })
	}
	for d := range dWorkers {
		spawn(fmt.Sprintf("goroutine D%d (New and Retain, then Delete racing C's release)", d),
			func(p *atomic.Uint64, _ *rand.Rand) { s.dWorker(p, d) })
	}
	for range kWorkers {
		spawn("goroutine K (New, Get, Delete of handles C only checks)", func(p *atomic.Uint64, _ *rand.Rand) { s.kWorker(p) })
	}
	for w := range aWorkers {
		spawn(fmt.Sprintf("goroutine A%d (arena New, Alloc, Ref, Reset, Free)", w),
			func(p *atomic.Uint64, rng *rand.Rand) { s.aWorker(p, rng, w, aWorkers) })
	}
	if aWorkers > 0 {
		spawn("goroutine G (arena.Resolve of what C resolves)", func(p *atomic.Uint64, _ *rand.Rand) { s.gWorker(p) })
	}
	go wd.run()

	time.Sleep(s.cfg.Duration)
	s.stop.Store(true)
	atomic.StoreUint64(&c.Stop, 1)
	wd.windDown() // from now on, everything must finish within Stall
	wg.Wait()
	lib.join()
	s.cleanup() // under the watchdog too: a lookup in it may hang
	wd.done()
	return s.report(start)
}

func (s *storm) report(start time.Time) Report {
	c := s.c
	n, cmsgs := c.cFailures()
	r := Report{
		Seed: s.cfg.Seed, Elapsed: time.Since(start),
		RNew: s.rNew.Load(), DNew: s.dNew.Load(), KNew: s.kNew.Load(), ArenaCycles: s.cycles.Load(), GoResolves: s.goRes.Load(),
		COps: sum(&c.Progress), CRetains: sum(&c.Retained), CResolves: sum(&c.Resolved), CDead: sum(&c.DeadSeen),
	}
	r.Failures = append(r.Failures, cmsgs...)
	if n > maxFails {
		r.Failures = append(r.Failures, fmt.Sprintf("C: %d more failures", n-maxFails))
	}
	s.fmu.Lock()
	r.Failures = append(r.Failures, s.fails...)
	s.fmu.Unlock()
	return r
}

// rWorker cycles the handles of table R in its entries: a new handle in,
// Get (which must give its value, promptly), the previous one deleted,
// while C threads retain, check and release whatever is in the entries.
// Delete then often finds a retain and races C's last release; Get on a
// handle whose slot was just reaped and reissued must not hang.
func (s *storm) rWorker(p *atomic.Uint64, w, n int) {
	vals := make([]int, nR) // the value of the handle in each entry
	for v := w; !s.stop.Load(); v += n {
		for j := w; j < nR; j += n {
			h, err := s.r.New(v)
			if err != nil {
				s.fail("R: New: %v", err)
				return
			}
			if got, err := s.r.Value(h); err != nil || got != v {
				s.fail("R: Get(%#x) of a new handle gives %v, %v; want %d", h, got, err, v)
			}
			old := handles.Handle(atomic.SwapUint64(&s.c.R[j], uint64(h)))
			if old != 0 {
				// Since the last round, C retained and released it, and
				// other goroutines' Deletes raced C's releases of theirs.
				if got, err := s.r.Value(old); err != nil || got != vals[j] {
					s.fail("R: Get(%#x) gives %v, %v; want %d", old, got, err, vals[j])
				}
				if err := s.r.Delete(old); err != nil {
					s.fail("R: Delete(%#x): %v", old, err)
				}
			}
			vals[j] = v
			s.rNew.Add(1)
			p.Add(1)
		}
	}
}

// batch is a D goroutine's handles made in one round.
type batch struct {
	h    [nRel]handles.Handle
	v    [nRel]int
	born time.Time
}

// dWorker makes handles in table R, each retained once on C's behalf,
// and keeps them for dLife; then it checks them (Get must give each
// one's value, promptly) and deletes them while C threads release them.
// Every such Delete finds a retain and leaves the slot RELEASED, and C's
// release, coming any time after, hands the slot to whichever
// goroutine's New reaps first, which reissues it at once. If that Delete
// is still finishing its bookkeeping (its goroutine preempted, say), it
// must not disturb the new handle; that shows only if the new handle is
// still there when the Delete resumes, which can be tens of
// milliseconds later: hence the long life.
func (s *storm) dWorker(p *atomic.Uint64, d int) {
	const dLife = 100 * time.Millisecond
	free := []*batch{}
	for round := 0; !s.stop.Load(); round++ {
		if q := s.live[d]; len(q) > 0 && (len(q) >= nBatches || time.Since(q[0].born) > dLife) {
			old := q[0]
			s.live[d] = q[1:]
			if !s.retireBatch(d, round%nBuf, old) {
				return
			}
			free = append(free, old)
		}
		var b *batch
		if n := len(free); n > 0 {
			b, free = free[n-1], free[:n-1]
		} else {
			b = new(batch)
		}
		for i := range nRel {
			v := round*nRel + i
			h, err := s.r.New(v)
			if err != nil {
				s.fail("D: New: %v", err)
				return
			}
			if err := handles.Retain(h); err != nil {
				s.fail("D: Retain(%#x): %v", h, err)
			}
			b.h[i], b.v[i] = h, v
		}
		b.born = time.Now()
		s.live[d] = append(s.live[d], b)
		s.dNew.Add(nRel)
		p.Add(1)
	}
}

// retireBatch checks the handles of old, hands their retains to C
// through buffer buf and deletes them. It reports false if the storm is
// stopping (old then stays with cleanup).
func (s *storm) retireBatch(d, buf int, old *batch) bool {
	for i, h := range old.h {
		if got, err := s.r.Value(h); err != nil || got != old.v[i] {
			s.fail("D: Get(%#x) gives %v, %v; want %d", h, got, err, old.v[i])
		}
	}
	// C had nBuf-1 rounds to release what this buffer held. If it has
	// not yet (the kernel did not run a C thread), Go drops the retains
	// itself, which races the same way: waiting would cost a scheduling
	// quantum, as no goroutine here ever blocks.
	rel := &s.c.Rel[d][buf]
	for i := range nRel {
		for k := 0; atomic.LoadUint64(&rel[i]) != 0; k++ {
			if k < 200 {
				continue
			}
			if h := atomic.SwapUint64(&rel[i], 0); h != 0 {
				if err := handles.Release(handles.Handle(h)); err != nil {
					s.fail("D: Unretain(%#x): %v", h, err)
				}
			}
		}
	}
	if s.stop.Load() {
		s.live[d] = append(s.live[d], old)
		return false
	}
	atomic.StoreUint64(&s.c.RelPhase[d][buf], 0)
	for i, h := range old.h {
		atomic.StoreUint64(&rel[i], uint64(h))
	}
	atomic.StoreUint64(&s.c.RelPhase[d][buf], 1)
	for _, h := range old.h {
		if err := s.r.Delete(h); err != nil {
			s.fail("D: Delete(%#x): %v", h, err)
		}
	}
	return true
}

// kWorker does the same in table K, whose handles C only checks: once
// Delete returned, C (and Go) must never find one live again.
func (s *storm) kWorker(p *atomic.Uint64) {
	for v := 0; !s.stop.Load(); v++ {
		for j := range nK {
			h, err := s.k.New(v)
			if err != nil {
				s.fail("K: New: %v", err)
				return
			}
			if got, err := s.k.Value(h); err != nil || got != v {
				s.fail("K: Get(%#x) of a new handle gives %v, %v; want %d", h, got, err, v)
			}
			old := handles.Handle(atomic.SwapUint64(&s.c.KLive[j], uint64(h)))
			if old != 0 {
				if err := s.k.Delete(old); err != nil {
					s.fail("K: Delete(%#x): %v", old, err)
				}
				if handles.Check(old) == nil {
					s.fail("K: handles.Check(%#x) is nil after Delete", old)
				}
				atomic.StoreUint64(&s.c.KDead[j], uint64(old))
			}
			s.kNew.Add(1)
			p.Add(1)
		}
	}
}

// aWorker cycles arenas through its entries of a: each entry names a
// 16-byte allocation at offset 64 of a fresh arena of a random size (so
// that a new arena in the same registry slot usually gets another
// address); the next round resets it (a quarter of the time) or frees it
// and makes a new one, after withdrawing the entry, while C threads
// resolve what they read from it.
func (s *storm) aWorker(p *atomic.Uint64, rng *rand.Rand, w, n int) {
	live := make([]*arena.Arena, nA)
	defer func() {
		for _, a := range live {
			if a != nil {
				_ = a.Free()
			}
		}
	}()
	for !s.stop.Load() {
		for j := w; j < nA; j += n {
			ref, _, _ := s.c.read(j)
			s.c.withdraw(j)
			a := live[j]
			if a != nil && rng.IntN(4) == 0 {
				a.Reset()
			} else {
				if a != nil {
					if err := a.Free(); err != nil {
						s.fail("A: Free: %v", err)
					}
				}
				var err error
				if a, err = arena.New(arena.WithMaxSize(uintptr(64<<10) * uintptr(1+rng.IntN(16)))); err != nil {
					s.fail("A: New: %v", err)
					return
				}
				live[j] = a
			}
			if ref != 0 {
				atomic.StoreUint64(&s.c.ADead[j], ref) // reset or freed: never live again
			}
			ptr, err := a.Alloc(16, 8)
			if err != nil {
				s.fail("A: Alloc: %v", err)
				return
			}
			r, err := a.Ref(ptr)
			if err != nil {
				s.fail("A: Ref: %v", err)
				return
			}
			s.c.publish(j, uint64(r), ptr)
			s.cycles.Add(1)
			p.Add(1)
		}
	}
}

// gWorker is the Go twin of C's resolves: arena.Resolve of a published
// reference succeeds only at Go's address, of a dead one never.
func (s *storm) gWorker(p *atomic.Uint64) {
	for !s.stop.Load() {
		for j := range nA {
			if ref, addr, ok := s.c.read(j); ok {
				if q, err := arena.Resolve(arena.Ref(ref), 16); err == nil && uint64(uintptr(q)) != addr {
					s.fail("Go: arena.Resolve(%#x) = %p, Go's address %#x", ref, q, addr)
				}
			}
			if d := atomic.LoadUint64(&s.c.ADead[j]); d != 0 {
				if err := arena.Check(arena.Ref(d)); err == nil {
					s.fail("Go: arena.Check(%#x) of a reset or freed arena's reference is nil", d)
				}
			}
			s.goRes.Add(1)
		}
		p.Add(1)
	}
}

// cleanup deletes what the workers left and checks that both tables are
// empty: every C retain was released, every slot came back.
func (s *storm) cleanup() {
	for d := range nD {
		for half := range nBuf {
			for i := range nRel {
				if h := handles.Handle(atomic.SwapUint64(&s.c.Rel[d][half][i], 0)); h != 0 {
					if err := handles.Release(h); err != nil {
						s.fail("cleanup: Unretain(%#x): %v", h, err)
					}
				}
			}
		}
		for _, b := range s.live[d] {
			for _, h := range b.h {
				if err := handles.Release(h); err != nil {
					s.fail("cleanup: Unretain(%#x): %v", h, err)
				}
				if err := s.r.Delete(h); err != nil {
					s.fail("cleanup: Delete(%#x): %v", h, err)
				}
			}
		}
	}
	for j := range nR {
		if h := handles.Handle(atomic.SwapUint64(&s.c.R[j], 0)); h != 0 {
			if err := s.r.Delete(h); err != nil {
				s.fail("cleanup: Delete(%#x): %v", h, err)
			}
		}
	}
	for j := range nK {
		if h := handles.Handle(atomic.SwapUint64(&s.c.KLive[j], 0)); h != 0 {
			if err := s.k.Delete(h); err != nil {
				s.fail("cleanup: Delete(%#x): %v", h, err)
			}
		}
	}
	for _, t := range []*handles.Table{s.r, s.k} {
		if n := t.Len(); n != 0 {
			var b strings.Builder
			for _, in := range t.Snapshot() {
				fmt.Fprintf(&b, " %#x(retains %d, released %v)", in.Handle, in.Retains, in.Released)
			}
			s.fail("cleanup: %s holds %d handles after the storm:%s", t, n, b.String())
		}
	}
}
