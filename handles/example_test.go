// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"errors"
	"fmt"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/handles"
)

// The drop-in API: the same calls as runtime/cgo.Handle, but misuse is an
// error with a name instead of a crash of the process.
func Example() {
	h := handles.NewHandle("hello")
	fmt.Println(h.Value())
	h.Delete()

	_, err := handles.Default().Value(h)
	fmt.Println(errors.Is(err, hffi.EDELETED), hffi.ErrCode(err).Name())
	// Output:
	// hello
	// true HFFI_EDELETED
}

// A slot is reused, but its generation moves on: the old handle never
// names the new value, even when it is the same value.
func Example_stale() {
	tab, _ := handles.NewTable(handles.WithLimit(1), handles.WithDebug(false))
	defer tab.Close()
	v := "same value"
	old, _ := tab.New(v)
	_ = tab.Delete(old)
	h, _ := tab.New(v)
	_, err := tab.Value(old)
	fmt.Printf("%s: %v\n", hffi.ErrCode(err).Name(), hffi.ErrCode(err))
	_ = tab.Delete(h)
	// Output:
	// HFFI_ESTALE: stale generation: the slot was reused or the arena reset
}

// Typed tables return T without an assertion and reject handles of
// another type at run time.
func ExampleOf() {
	type user struct{ Name string }
	users, _ := handles.NewOf[*user]()
	defer users.Close()
	ids, _ := handles.NewOf[int]()
	defer ids.Close()

	h, _ := users.New(&user{"ada"})
	u, _ := users.Value(h)
	fmt.Println(u.Name)

	_, err := ids.Value(h)
	fmt.Println(errors.Is(err, hffi.ETYPE), errors.Is(err, hffi.ETABLE))
	_ = users.Delete(h)
	// Output:
	// ada
	// true true
}

// What C does with hffi_handle_retain and hffi_handle_release, from Go:
// a value deleted by its Go owner stays available while C holds it.
func ExampleRetain() {
	h := handles.NewHandle(42)
	_ = handles.Retain(h) // C keeps h, say as a callback's user_data
	h.Delete()            // the Go owner is done with it

	v, err := handles.Default().Value(h)
	fmt.Println(v, err)
	_ = handles.Release(h) // C's last release: the value goes away
	fmt.Println(handles.Check(h) != nil)
	// Output:
	// 42 <nil>
	// true
}
