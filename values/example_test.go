// SPDX-License-Identifier: Apache-2.0

package values_test

import (
	"errors"
	"fmt"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/values"
)

// Encode a map for C, and see its reference go stale when the arena is
// reset. The C side of the same exchange:
//
//	hffi_ref v;
//	int64_t year;
//	int32_t rc = hffi_val_path(rt, ref, "tags[1]", &v);
//	if (rc == 0) rc = hffi_val_get_int(rt, v, &year);   // 1843
//	// after Go's Reset: rc == HFFI_ESTALE, nothing was read
func ExampleEncode() {
	a, err := arena.New()
	if err != nil {
		panic(err)
	}
	defer a.Free()

	ref, err := values.Encode(a, map[string]any{"name": "Ada", "tags": []any{"math", 1843}})
	if err != nil {
		panic(err)
	}
	v, err := values.Decode(ref)
	fmt.Println(v, err)

	a.Reset()
	_, err = values.Decode(ref)
	fmt.Println(errors.Is(err, hffi.ESTALE))
	// Output:
	// map[name:Ada tags:[math 1843]] <nil>
	// true
}

// Values without an encoding are reported with their path.
func ExampleEncoder() {
	a, err := arena.New()
	if err != nil {
		panic(err)
	}
	defer a.Free()

	enc := values.Encoder{Name: "payload"}
	_, err = enc.Encode(a, map[string]any{
		"user": map[string]any{"tags": []any{"a", "b", "c", make(chan int)}},
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, hffi.ETYPE))
	// Output:
	// values: encode payload.user.tags[3]: unsupported type chan int
	// true
}

// Decode a tree (here encoded by Go, usually built by C) into a struct.
func ExampleDecodeInto() {
	a, err := arena.New()
	if err != nil {
		panic(err)
	}
	defer a.Free()

	ref, err := values.Encode(a, map[string]any{"name": "Ada", "born": 1815, "extra": true})
	if err != nil {
		panic(err)
	}
	var p struct {
		Name string `json:"name"`
		Born int16  `json:"born"`
	}
	err = values.DecodeInto(ref, &p)
	fmt.Printf("%+v %v\n", p, err)

	var small struct {
		Born int8 `json:"born"`
	}
	fmt.Println(values.DecodeInto(ref, &small))
	// Output:
	// {Name:Ada Born:1815} <nil>
	// values: decode value.born: 1815 overflows int8
}

// Read a few fields of a tree (usually one C built) in place, without
// decoding it: the Go side of hffi_val_path and hffi_val_get_*. Each read
// checks the arena's generation first, so after a Reset the view fails
// with ESTALE instead of reading reused memory.
func ExampleOpen() {
	a, err := arena.New()
	if err != nil {
		panic(err)
	}
	defer a.Free()

	ref, err := values.Encode(a, map[string]any{
		"name": "Ada", "born": 1815, "tags": []any{"math", "poetry"},
		"address": map[string]any{"city": "London"},
	})
	if err != nil {
		panic(err)
	}
	v, err := values.Open(ref)
	if err != nil {
		panic(err)
	}
	born, _ := v.Find("born")
	year, err := born.Int()
	fmt.Println(year, err)

	city, _ := v.Path("address.city")
	s, err := city.Str() // a copy; UnsafeStr reads it in place
	fmt.Println(s, err)

	tags, _ := v.Find("tags")
	for tag, err := range tags.Elems() {
		if err != nil {
			panic(err)
		}
		t, _ := tag.UnsafeStr() // valid until a.Reset: printed at once
		fmt.Println(t)
	}

	_, err = v.Find("email")
	fmt.Println(errors.Is(err, hffi.ENOTFOUND))

	a.Reset()
	_, err = born.Int()
	fmt.Println(errors.Is(err, hffi.ESTALE))
	// Output:
	// 1815 <nil>
	// London <nil>
	// math
	// poetry
	// true
	// true
}
