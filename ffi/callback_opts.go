// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"reflect"
)

// NoUserData gives the callback a C function pointer of its own, for C
// APIs that pass no user data to the function: libc's qsort, bsearch and
// atexit, SQLite's xFunc, xStep and xFinal. C calls [Callback.Fn] with
// exactly fn's parameters. Such callbacks are unlimited in number and
// released by [Callback.Close] like the others; a released function
// pointer called late gets the failure value (see [FailureValue]) until it
// is reused for a new callback of the same C signature, which happens only
// after 1024 others of that signature were released (65536 in debug mode).
// On the cgo backend the first 128 such callbacks of each result class
// (integer or pointer, float) whose parameters travel in registers are
// precompiled stubs, never reused; the others, and all of them on the
// purego backend, are libffi closures and need libffi at run time
// (libffi.so.8; its closures, not executable memory written by hffi):
// without it such a callback is not made and the error says what to
// install.
func NoUserData() CallbackOption { return func(c *cbConfig) { c.ud = udNone } }

// UserDataAt makes C pass the user data as C parameter i (counting from
// 0, the user data included): UserDataAt(1) for sqlite3_trace_v2's
//
//	int (*xCallback)(unsigned mask, void *ctx, void *p, void *x)
//
// with fn taking the other parameters in order. It needs libffi only when
// the user data is not in an integer register.
func UserDataAt(i int) CallbackOption {
	return func(c *cbConfig) { c.ud, c.udAt = udAt, i }
}

// UserDataVia makes the callback find its user data by calling accessor,
// a C function void *accessor(void *ctx), on fn's parameter argIndex
// (from 0), as SQLite's functions get theirs from sqlite3_user_data(ctx);
// the user data given to C (the pApp of sqlite3_create_function_v2) is
// then [Callback.Handle], and fn takes every C parameter. All callbacks
// of one C signature and accessor share one function pointer (it needs
// libffi, see [NoUserData]); a handle of another kind of callback reached
// through it is refused with hffi.ETYPE.
func UserDataVia(accessor Symbol, argIndex int) CallbackOption {
	return func(c *cbConfig) { c.ud, c.via, c.viaArg = udVia, accessor.Addr(), argIndex }
}

// FailureValue sets what C gets when the callback cannot run its Go
// function (the call came after Close, the function panicked, the user
// data was not this callback): v, converted to the result type. Choose a
// value the C API reads as "stop" or "no": FALSE for a GLib source
// function (the default, a negative HFFI_E* code, is TRUE to GLib, and the
// source would fire forever), 0 for a comparator. Without it C gets the
// negative HFFI_E* code for an integer result, NULL for a pointer and NaN
// for a float. A late call through a trampoline gets v only while the
// handle's slot was not reused (then it gets the default), and only
// through a trampoline of the callback's own signature (another gets its
// own default).
func FailureValue(v any) CallbackOption { return func(c *cbConfig) { c.fail = v } }

// failValue is a FailureValue as the bits of the result register.
type failValue struct {
	bits uint64
	set  bool
}

func makeFailValue(v any, out reflect.Type, k argKind) (failValue, error) {
	if v == nil {
		return failValue{}, nil
	}
	if out == nil {
		return failValue{}, invalidf("FailureValue(%v): the callback returns void, C gets no value", v)
	}
	rv := reflect.ValueOf(v)
	if k == kError || k == kString || !rv.CanConvert(out) {
		return failValue{}, invalidf("FailureValue(%v): a %T cannot be the result, of type %s", v, v, out)
	}
	p := reflect.New(out)
	p.Elem().Set(rv.Convert(out))
	if k.isFloat() {
		return failValue{bits: floatBitsOf(p.UnsafePointer(), k), set: true}, nil
	}
	return failValue{bits: uint64(wordOf(p.UnsafePointer(), k)), set: true}, nil
}
