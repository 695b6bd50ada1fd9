// SPDX-License-Identifier: Apache-2.0

package arena_test

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
)

// Copy Go strings into C-readable memory and release them all at once.
func ExampleArena_CopyString() {
	a, err := arena.New(arena.WithMaxSize(1 << 20))
	if err != nil {
		panic(err)
	}
	defer a.Free()

	for _, s := range []string{"alpha", "beta"} {
		p, err := a.CopyString(s)
		if err != nil {
			panic(err)
		}
		// p is a NUL-terminated char * that C may read (and keep until
		// Reset or Free); here Go reads it back.
		fmt.Printf("%q\n", unsafe.Slice((*byte)(p), len(s)+1))
	}
	fmt.Println("used:", a.Used())
	a.Reset()
	fmt.Println("after reset:", a.Used())
	// Output:
	// "alpha\x00"
	// "beta\x00"
	// used: 13
	// after reset: 0
}

// A Ref outlives nothing: once the arena is reset it resolves to an error,
// in Go as in C.
func ExampleResolve() {
	a, err := arena.New(arena.WithMaxSize(1 << 20))
	if err != nil {
		panic(err)
	}
	defer a.Free()

	p, _ := a.CopyString("kept by C")
	r, _ := a.Ref(p) // give r to C as a uint64_t

	q, err := arena.Resolve(r, 10)
	fmt.Println(q == p, err)

	a.Reset()
	_, err = arena.Resolve(r, 10)
	fmt.Println(errors.Is(err, hffi.ESTALE))
	fmt.Println(err)

	p, _ = a.CopyString("new generation")
	r, _ = a.Ref(p)
	a.Free()
	_, err = arena.Resolve(r, 10)
	fmt.Println(errors.Is(err, hffi.ECLOSED))
	// Output:
	// true <nil>
	// true
	// arena: resolve: stale generation: the slot was reused or the arena reset
	// true
}

// A Pool hands out scratch arenas for one call and takes them back, so a
// hot path maps no new memory.
func ExamplePool() {
	pool := arena.NewPool(arena.WithMaxSize(1 << 20))
	defer pool.Close()

	call := func(name string) {
		a := pool.Get()
		defer pool.Put(a) // resets: pointers into a die here
		cname, err := a.CopyString(name)
		if err != nil {
			panic(err)
		}
		_ = cname // pass to C for the duration of the call
		fmt.Println("scratch bytes:", a.Used())
	}
	call("first")
	call("second")
	// Output:
	// scratch bytes: 6
	// scratch bytes: 7
}

// Exceeding the arena's maximum size is an error, not a crash.
func ExampleWithMaxSize() {
	a, err := arena.New(arena.WithMaxSize(64 << 10))
	if err != nil {
		panic(err)
	}
	defer a.Free()
	_, err = a.Alloc(1<<20, 8)
	fmt.Println(errors.Is(err, hffi.ENOMEM))
	fmt.Println(err)
	// Output:
	// true
	// arena: alloc: out of memory or size limit reached
}

// One goroutine copying many strings uses a Local: no atomic operation per
// string.
func ExampleArena_Local() {
	a, err := arena.New(arena.WithMaxSize(1 << 20))
	if err != nil {
		panic(err)
	}
	defer a.Free()

	l := a.Local()
	var argv []unsafe.Pointer // a char *argv[] for C
	for _, s := range []string{"prog", "-v", "file.txt"} {
		p, err := l.CopyString(s)
		if err != nil {
			panic(err)
		}
		argv = append(argv, p)
	}
	for _, p := range argv {
		fmt.Println(cString(p))
	}
	// Output:
	// prog
	// -v
	// file.txt
}

// cString reads a NUL-terminated string, as C would.
func cString(p unsafe.Pointer) string {
	n := 0
	for *(*byte)(unsafe.Add(p, n)) != 0 {
		n++
	}
	return unsafe.String((*byte)(p), n)
}
