// SPDX-License-Identifier: Apache-2.0

package ffi

import "fmt"

// symOpts says how a function symbol is called, beyond its Go type. The
// zero value is a plain C function.
type symOpts struct {
	fixed int     // variadic: number of fixed parameters + 1; 0: not variadic
	free  *Symbol // the result is a char * to copy and then free with it
	err   error   // a bad option, reported when binding
}

func (o *symOpts) plain() bool { return o.fixed == 0 && o.free == nil && o.err == nil }

// Variadic returns s marked as a variadic C function with fixed fixed
// parameters (snprintf has 3: buf, size, format): the Go function it is
// bound to lists the fixed parameters first, then the extra arguments of
// this one binding, each of a fixed Go type. C promotes the extras (float32
// to double, integers narrower than int to int) and on Apple arm64 passes
// them on the stack; both happen for the Go types given:
//
//	var snprintf func(unsafe.Pointer, uint64, string, int32, float64) int32
//	err := ffi.Bind5(&snprintf, sym.Variadic(3))
//
// Binding a variadic function without Variadic is wrong on every target
// for floating-point extras (amd64 needs the count of vector registers in
// %al) and for all extras on Apple arm64; hffi cannot detect it.
func (s Symbol) Variadic(fixed int) Symbol {
	if fixed < 0 || fixed > 255 {
		s.opts.err = invalidf("Variadic(%d): the number of fixed parameters must be in [0, 255]", fixed)
		return s
	}
	s.opts.fixed = fixed + 1
	return s
}

// FreeResult returns s marked as a function whose char * result the
// caller owns (strdup, sqlite3_mprintf, g_strdup_printf): bound with a Go
// string result, each call copies the C string into Go and then calls
// free, a C function void free(void *), on the pointer (not on NULL,
// which gives ""). Without FreeResult a string result is copied and left
// alone, right for the const char * most functions return.
func (s Symbol) FreeResult(free Symbol) Symbol {
	if free.err != nil {
		s.opts.err = fmt.Errorf("FreeResult: %w", free.Err())
		return s
	}
	if free.addr == nil {
		s.opts.err = invalidf("FreeResult: nil free function")
		return s
	}
	s.opts.free = &free
	return s
}

// check reports a bad option, or an option that does not fit the
// signature, at bind time.
func (o *symOpts) check(nparam int, resultIsString bool) error {
	if o.err != nil {
		return o.err
	}
	if o.fixed > nparam+1 {
		return invalidf("Variadic(%d), but the Go function has %d parameters", o.fixed-1, nparam)
	}
	if o.free != nil && !resultIsString {
		return invalidf("FreeResult needs a string result (the C char * is copied, then freed)")
	}
	return nil
}

// fixedCount is callconv's count of fixed parameters: -1 for a function
// that is not variadic.
func (o *symOpts) fixedCount() int { return o.fixed - 1 }
