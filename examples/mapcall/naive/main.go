// SPDX-License-Identifier: Apache-2.0

//go:build cgo

// Command naive is the way not to do it, run by examples/mapcall in a child
// process built with GOEXPERIMENT=cgocheck2: it stores a pointer to a Go
// map in a C struct so that C can keep it for later. That breaks the cgo
// pointer rules (Go memory handed to C may not hold Go pointers, and Go
// may not store a Go pointer in C memory); full pointer checking makes it
// a fatal error, while the default checks let it through and the garbage
// collector is free to reclaim what C still holds.
package main

/*
#include <stdlib.h>

typedef struct request {
    void *payload; // the Go map, kept by C
} request;

static void *kept; // C holds on to it for a later callback

static request *request_new(void) { return (request *)calloc(1, sizeof(request)); }
static void request_submit(request *r) { kept = r->payload; }
static void request_free(request *r) { free(r); }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

func main() {
	payload := map[string]any{
		"user":  map[string]any{"name": "Ada", "tags": []any{"math", "poetry"}},
		"order": map[string]any{"total": 99.5},
	}
	req := C.request_new()
	defer C.request_free(req)
	req.payload = unsafe.Pointer(&payload) // a Go pointer stored in C memory
	C.request_submit(req)
	fmt.Println("naive: C now holds a Go pointer that the garbage collector does not know about")
}
