// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"runtime"
	"sync"
	"sync/atomic"
)

const errDoublePut = "arena: Pool.Put: the arena was already put back (a double Put would hand it to two users)"

// Pool keeps reset arenas for reuse, so that a hot path that needs scratch
// memory for one call (strings and buffers handed to C) reuses committed
// memory instead of mapping new memory:
//
//	a := pool.Get()
//	defer pool.Put(a)
//	cs, err := a.CopyString(name)
//
// Unlike a sync.Pool, a Pool never drops arenas behind the caller's back:
// idle arenas are kept (up to a bound; the rest are freed on Put) until
// [Pool.Close]. A Pool is safe for concurrent use; Get and Put make no Go
// heap allocation in steady state.
type Pool struct {
	cfg     config
	mu      sync.Mutex
	idle    []*Arena
	maxIdle int
	closed  bool
}

// NewPool returns a pool whose arenas are made with opts (see [New]). It
// keeps at most 4 x GOMAXPROCS idle arenas.
func NewPool(opts ...Option) *Pool {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	n := 4 * runtime.GOMAXPROCS(0)
	return &Pool{cfg: cfg, maxIdle: n, idle: make([]*Arena, 0, n)}
}

// Get returns an empty arena, reused or new; the caller owns it until Put.
// Get never returns nil: if no arena can be made (no registry slot or no
// memory left), it returns one whose allocations fail with the reason.
func (p *Pool) Get() *Arena {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		a := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		atomic.StoreUint32(&a.pooled, 0)
		return a
	}
	p.mu.Unlock()
	a, err := newArena(p.cfg)
	if err != nil {
		return &Arena{err: err}
	}
	return a
}

// Put resets a (see [Arena.Reset]: pointers into it and Refs minted from it
// are invalid from now on) and keeps it for a later Get, or frees it if the
// pool is full or closed. Put(nil) is a no-op. The caller must not use a
// after Put. Put panics if a was already put back and not taken out again
// with Get since: kept twice, it would go to two users.
func (p *Pool) Put(a *Arena) {
	if a == nil {
		return
	}
	// One compare-and-swap: Put is once per use of a pooled arena. The
	// mark stays on an arena Put freed, so a second Put of it panics too.
	if !atomic.CompareAndSwapUint32(&a.pooled, 0, 1) {
		panic(errDoublePut)
	}
	a.Reset()
	if a.hdr == nil {
		return
	}
	p.mu.Lock()
	if !p.closed && len(p.idle) < p.maxIdle {
		p.idle = append(p.idle, a)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	_ = a.Free()
}

// Close frees the idle arenas; arenas Put later are freed at once. Get
// still works (it makes new arenas). Close is idempotent.
func (p *Pool) Close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, a := range idle {
		_ = a.Free()
	}
}
