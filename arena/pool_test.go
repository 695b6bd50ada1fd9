// SPDX-License-Identifier: Apache-2.0

package arena

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoolReuse(t *testing.T) {
	p := NewPool(WithMaxSize(1 << 20))
	defer p.Close()
	a := p.Get()
	s, err := a.CopyString("scratch")
	require.NoError(t, err)
	r, err := a.Ref(s)
	require.NoError(t, err)
	p.Put(a)

	b := p.Get()
	assert.Same(t, a, b, "an idle arena is reused")
	assert.Zero(t, b.Used(), "Put resets")
	_, err = Resolve(r, 1)
	require.ErrorIs(t, err, hffi.ESTALE)
	p.Put(b)
	p.Put(nil)
}

func TestPoolClose(t *testing.T) {
	before := ReadStats().LiveArenas
	p := NewPool(WithMaxSize(page))
	as := []*Arena{p.Get(), p.Get(), p.Get()}
	assert.Equal(t, before+3, ReadStats().LiveArenas)
	for _, a := range as {
		p.Put(a)
	}
	assert.Equal(t, before+3, ReadStats().LiveArenas, "idle arenas stay live")
	p.Close()
	assert.Equal(t, before, ReadStats().LiveArenas)
	a := p.Get()
	_, err := a.Alloc(8, 8)
	require.NoError(t, err)
	p.Put(a) // freed at once
	assert.Equal(t, before, ReadStats().LiveArenas)
	p.Close()
}

func TestPoolBounded(t *testing.T) {
	before := ReadStats().LiveArenas
	p := NewPool(WithMaxSize(page))
	defer p.Close()
	var as []*Arena
	for range p.maxIdle + 5 {
		as = append(as, p.Get())
	}
	for _, a := range as {
		p.Put(a)
	}
	assert.Equal(t, before+uint64(p.maxIdle), ReadStats().LiveArenas)
}

func TestPoolConcurrent(t *testing.T) {
	p := NewPool(WithMaxSize(1 << 20))
	defer p.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 300 {
				a := p.Get()
				want := fmt.Sprintf("g%d-i%d", g, i)
				s, err := a.CopyString(want)
				if !assert.NoError(t, err) {
					return
				}
				r, err := a.Ref(s)
				if !assert.NoError(t, err) {
					return
				}
				q, err := Resolve(r, uintptr(len(want)))
				if !assert.NoError(t, err) {
					return
				}
				assert.Equal(t, want, string(bytesAt(q, uintptr(len(want)))))
				p.Put(a)
			}
		})
	}
	wg.Wait()
}

// A second Put of the same arena would put it on the idle list twice, and
// two later Gets would hand one arena to two users. It panics instead,
// whether the first Put kept the arena or freed it (pool full or closed).
func TestPoolDoublePutPanics(t *testing.T) {
	const msg = "arena: Pool.Put: the arena was already put back (a double Put would hand it to two users)"
	p := NewPool(WithMaxSize(page))
	defer p.Close()
	before := ReadStats().LiveArenas

	a := p.Get()
	p.Put(a)
	require.PanicsWithValue(t, msg, func() { p.Put(a) })
	b, c := p.Get(), p.Get()
	assert.Same(t, a, b, "the pool kept a once")
	assert.NotSame(t, b, c, "and hands it to one user only")
	_, err := b.Alloc(8, 8)
	require.NoError(t, err, "an arena taken out again works")
	p.Put(b)
	p.Put(c)

	// Freed by Put because the pool is closed: still a double Put.
	q := NewPool(WithMaxSize(page))
	q.Close()
	d := q.Get()
	q.Put(d)
	require.PanicsWithValue(t, msg, func() { q.Put(d) })

	// Get, Put, Get, Put is fine, and so is Put of an arena from New.
	e := p.Get()
	p.Put(e)
	e = p.Get()
	p.Put(e)
	f := mustNew(t, WithMaxSize(page))
	p.Put(f)
	p.Close()
	assert.Equal(t, before, ReadStats().LiveArenas)
}
