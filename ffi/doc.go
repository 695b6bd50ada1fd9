// SPDX-License-Identifier: Apache-2.0

// Package ffi calls C functions from Go and lets C call Go back, through
// cgo or, with no C toolchain at build time, through purego, with one
// behaviour. Across the boundary only integers (handles, arena
// references), floats and pointers to memory Go does not own travel: no Go
// pointer ever reaches C, so every program is clean under
// GOEXPERIMENT=cgocheck2 by construction.
//
// # Backends
//
// The cgo backend is used when cgo is enabled; the purego backend with
// CGO_ENABLED=0, or in a cgo build with the hffi_purego build tag.
// [Backend] tells which one a program runs on. Both pass the same tests;
// they differ in cost:
//
//   - cgo: a call of up to 15 integer and pointer arguments costs one
//     cgo call through a small C helper, with no Go heap allocation; a
//     callback costs one //export call plus a handle lookup.
//   - purego: every call fills one of hffi's call frames (below) and
//     enters it through runtime.cgocall, with no Go heap allocation
//     (purego.SyscallN allocates). Callbacks enter Go through hffi's own entry
//     points on linux, amd64 and arm64 (internal/pgentry: one runtime.cgocallback,
//     no reflection) and through purego.NewCallback trampolines made
//     once per callback shape elsewhere; callbacks without user data are
//     precompiled stubs, then libffi closures. The number of callbacks is
//     unlimited (purego alone allows 2000 per process, never freed).
//
// Every other call (floats, more parameters, structs by value, copied
// arguments, variadics) fills one of hffi's own call frames
// (internal/callconv) and enters it the same way in both backends, with
// no Go heap allocation.
//
// # Libraries and symbols
//
// [Open] loads a shared library, [Library.Sym] finds a function or a
// variable in it, [SymbolAt] wraps a C address obtained otherwise, such as
// a function pointer returned by C. A failed lookup gives a [Symbol] that
// carries its error, and binding it returns that error: one check per
// symbol. Errors name the library and the symbol.
//
// # Calls
//
// [Bind2] and its siblings ([Bind0] to [Bind15], [BindVoid0] to
// [BindVoid15] for functions returning void) bind a symbol to a variable of
// Go function type. The type is checked by reflection once, at bind time;
// calls convert their arguments without reflection:
//
//	lib, err := ffi.Open("libfoo.so")
//	var add func(int, int) int             // int64_t foo_add(int64_t, int64_t)
//	err = ffi.Bind2(&add, lib.Sym("foo_add"))
//	fmt.Println(add(2, 3))
//
// Integers of every size, bool, float32, float64, handles (handles.Handle),
// arena references (arena.Ref), unsafe.Pointer to off-heap memory (arena
// memory, C memory) and structs of scalars pass by value as C passes
// them. Strings are copied into a scratch arena for the duration of the
// call; *T and []T of pointer-free T (out-parameters, output buffers) are
// copied there and back, so C's writes reach the Go variables (an [In]
// slice, which C only reads, is not copied back); an [OffHeap] slice is
// passed with no copy. C must not keep any of these
// pointers. [Symbol.Variadic] binds a variadic function, a [WithErrno]
// result reads errno, [Symbol.FreeResult] frees a char * result the
// caller owns, and [GoString], [GoBytes], [GoStrings] and [GoPointers]
// copy C memory into Go. Types that would put a Go pointer into C are
// refused when binding, with an error naming the parameter.
//
// For hot calls, the command github.com/hffi-go/hffi/cmd/hffi-gen writes a
// bound function's work out per signature, as methods generated from an
// interface that names the C functions: no plan is read at call time, and
// pointer arguments such as &n stay on the caller's stack. The generated
// code fills the words itself with a [Scratch] (copies in and back) and
// calls a [WordFunc]; both can be used by hand the same way.
//
// # Callbacks
//
// [NewCallback2] and its siblings turn a Go function into a [Callback]: a
// C function pointer ([Callback.Fn]) and a handle to pass as the C
// callback's void *user_data ([Callback.Handle]). The user data comes
// first, last or anywhere ([UserDataFirst], [UserDataLast],
// [UserDataAt]), is found through an accessor of a context argument
// ([UserDataVia], for sqlite3_user_data), or is not passed at all
// ([NoUserData]: qsort's comparator, SQLite's xFunc), and then the
// callback has a function pointer of its own. C may call from any
// thread, including threads it created, at any time until
// [Callback.Close]; after that, or with a forged user data, C gets a
// failure value ([FailureValue], or an error value such as HFFI_EDELETED)
// instead of a crash. A panic in the Go function is recovered before it
// reaches C frames: C gets HFFI_EPANIC, Go gets a [*CallbackError]
// ([Callback.Err], [SetCallbackErrorHook]). [CloseNotify] and
// [ReleaseNotify] are destroy notifies for C APIs that take one (GLib's
// GDestroyNotify, SQLite's xDestroy).
//
// # C objects
//
// An [Object] holds a C object (a pointer and its destructor) as a handle:
// [Object.Close] runs the destructor exactly once, a cleanup runs it if
// the program forgets, and an object that C destroyed first is a stale
// handle error rather than a use after free.
//
// # Errors
//
// Errors wrap the codes of the root package; test for them with errors.Is
// and its constants: [hffi.ENOTFOUND], [hffi.ECLOSED], [hffi.EINVAL],
// [hffi.EDELETED], [hffi.ESTALE], [hffi.EFORGED], [hffi.EPANIC], ... To
// pass Go values (maps, slices, structs) to C as one tree in an arena, see
// package [github.com/hffi-go/hffi/values].
package ffi
