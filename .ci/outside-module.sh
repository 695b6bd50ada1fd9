#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The README's "From C" steps, run as a new user runs them: in temporary
# directories outside this checkout, in a module that requires hffi (with a
# replace directive pointing at the checkout instead of go get). Called by
# .ci/run; runnable on its own from anywhere: bash .ci/outside-module.sh
#
#   (a) a cgo package that includes hffi.h (written by cmd/hffi-header)
#       and calls inline and non-inline C functions, under
#       GOEXPERIMENT=cgocheck2, next to hffi's own C (ffi's cgo backend);
#   (b) a C library built with pkg-config against an installed hffi
#       (make -C csrc install PREFIX=...), loaded with ffi.Open from a
#       CGO_ENABLED=0 program;
#   (c) a cgo package that links the installed libhffi with
#       #cgo pkg-config: hffi.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { printf -- '--- %s\n' "$*"; }

# new_module DIR: a module that requires hffi from the checkout (a user
# runs `go get github.com/hffi-go/hffi@latest` instead).
new_module() {
	mkdir -p "$1" && cd "$1"
	go mod init example.com/"$(basename "$1")" >/dev/null 2>&1
	go mod edit -replace github.com/hffi-go/hffi="$repo" \
		-require github.com/hffi-go/hffi@v0.0.0-00010101000000-000000000000
}

say "(a) cgo package in another module: hffi.h from cmd/hffi-header"
new_module "$work/cgouser"
# README step 1:
go run github.com/hffi-go/hffi/cmd/hffi-header -o .
# README step 2: the 15-line example, as main.go
cat > main.go <<'EOF'
package main

/*
#define HFFI_IMPLEMENTATION
#include "hffi.h"

static int32_t keep(const hffi_rt *rt, hffi_handle h, hffi_ref doc, const char **name) {
    int32_t rc = hffi_handle_check(rt, h);        // inline: a few loads, no call into Go
    hffi_ref v;
    if (rc == 0) rc = hffi_handle_retain(rt, h);   // the rest is compiled in above
    if (rc == 0) rc = hffi_val_path(rt, doc, "user.name", &v);
    if (rc == 0) rc = hffi_val_get_str(rt, v, name, NULL);
    return rc;
}
*/
import "C"

import (
	"fmt"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/values"
)

func main() {
	rt := (*C.hffi_rt)(hffi.Runtime())
	a, _ := arena.New()
	defer a.Free()
	doc, _ := values.Encode(a, map[string]any{"user": map[string]any{"name": "Ada"}})
	h := handles.NewHandle("session")
	var name *C.char
	fmt.Println("keep:", C.keep(rt, C.hffi_handle(h), C.hffi_ref(doc), &name), C.GoString(name))
	handles.Release(h)
	h.Delete()
	fmt.Println("after Delete:", C.GoString(C.hffi_err_name(C.hffi_handle_check(rt, C.hffi_handle(h)))))
}
EOF
# Beyond the README: a second file with the same preamble and an //export,
# whose preamble cgo also compiles into _cgo_export.c: three private copies
# in one package.
cat > export.go <<'EOF'
package main

/*
#define HFFI_IMPLEMENTATION
#include "hffi.h"
*/
import "C"

//export user_version
func user_version() C.int32_t { return C.hffi_version() }
EOF
go mod tidy >/dev/null 2>&1 || go mod tidy
GOEXPERIMENT=cgocheck2 go run . | tee out.txt
grep -qx 'keep: 0 Ada' out.txt
grep -qx 'after Delete: HFFI_EDELETED' out.txt

say "(b) C library built with pkg-config against the installed hffi, loaded from CGO_ENABLED=0 Go"
prefix="$work/prefix"
# README step 1:
make -s -C "$repo/csrc" install PREFIX="$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
new_module "$work/clib"
cat > greet.c <<'EOF'
#include <stdio.h>
#include <hffi.h>

/* greet reads doc.user.name from a tree Go encoded; links libhffi. */
int32_t greet(const hffi_rt *rt, hffi_ref doc) {
    hffi_ref v;
    const char *name;
    int32_t rc = hffi_val_path(rt, doc, "user.name", &v);
    if (rc == 0) rc = hffi_val_get_str(rt, v, &name, NULL);
    if (rc == 0) printf("C: hello, %s\n", name);
    else printf("C: %s\n", hffi_err_name(rc));
    fflush(stdout);
    return rc;
}
EOF
# README step 2:
cc -shared -fPIC -o libgreet.so greet.c $(pkg-config --cflags --libs hffi) \
	-Wl,-rpath,"$(pkg-config --variable=libdir hffi)"
cat > main.go <<'EOF'
package main

import (
	"fmt"
	"log"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/values"
)

func main() {
	lib, err := ffi.Open("./libgreet.so")
	if err != nil {
		log.Fatal(err)
	}
	var greet func(rt unsafe.Pointer, doc arena.Ref) error
	if err := ffi.Bind2(&greet, lib.Sym("greet")); err != nil {
		log.Fatal(err)
	}
	a, _ := arena.New()
	defer a.Free()
	doc, _ := values.Encode(a, map[string]any{"user": map[string]any{"name": "Ada"}})
	fmt.Println("Go:", greet(hffi.Runtime(), doc), "backend", ffi.Backend())
	a.Reset()
	fmt.Println("Go:", greet(hffi.Runtime(), doc))
}
EOF
go mod tidy >/dev/null 2>&1 || go mod tidy
CGO_ENABLED=0 go run . | tee out.txt
grep -qx 'C: hello, Ada' out.txt
grep -q '^Go: <nil> backend purego' out.txt
grep -qx 'C: HFFI_ESTALE' out.txt

say "(c) cgo package that links the installed libhffi: #cgo pkg-config: hffi"
new_module "$work/pkgconfiguser"
cat > main.go <<'EOF'
package main

// #cgo pkg-config: hffi
// #include <hffi.h>
import "C"

import (
	"fmt"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/handles"
)

func main() {
	rt := (*C.hffi_rt)(hffi.Runtime())
	h := handles.NewHandle("x")
	fmt.Println("libhffi", C.hffi_version(), C.GoString(C.hffi_err_name(C.hffi_handle_retain(rt, C.hffi_handle(h)))))
	handles.Release(h)
	h.Delete()
}
EOF
go mod tidy >/dev/null 2>&1 || go mod tidy
# libhffi.so is found through LD_LIBRARY_PATH here (pkg-config sets no rpath).
LD_LIBRARY_PATH="$prefix/lib" GOEXPERIMENT=cgocheck2 go run . | tee out.txt
grep -qx 'libhffi 1000 HFFI_OK' out.txt

make -s -C "$repo/csrc" uninstall PREFIX="$prefix"
test -z "$(find "$prefix" -type f)"
say "outside-module: ok"
