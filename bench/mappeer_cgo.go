// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package bench

/*
#cgo CFLAGS: -I${SRCDIR}/../csrc
#include <stdlib.h>
#include <string.h>
#include "hffi.h"

// The benchmark map as a C library would produce it in JSON.
static const char mapcall_json[] =
    "{\"active\":true,\"address\":{\"city\":\"London\",\"floor\":2,\"zip\":\"W1\"},"
    "\"age\":36,\"email\":\"ada@example.com\",\"id\":1815,\"name\":\"Ada Lovelace\","
    "\"note\":\"first programmer\",\"ratio\":0.125,\"score\":99.5,"
    "\"tags\":[\"math\",\"poetry\",1843,3.14]}";

static const char *mapcall_json_ptr(void) { return mapcall_json; }
static size_t mapcall_json_len(void) { return sizeof mapcall_json - 1; }

// The same map built with hffi's builders in an arena Go gave C.
#define MC_TRY(x) do { int32_t rc_ = (x); if (rc_ < 0) return rc_; } while (0)
static int32_t mapcall_build(const hffi_rt *rt, hffi_arena a, hffi_ref *out) {
    hffi_ref root = 0, v = 0, e = 0;
    MC_TRY(hffi_val_new(rt, a, &root));
    MC_TRY(hffi_val_set_map(rt, root, 10));
    MC_TRY(hffi_val_map_set_key(rt, root, 0, "active", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_bool(rt, v, true));
    MC_TRY(hffi_val_map_set_key(rt, root, 1, "address", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_map(rt, v, 3));
    MC_TRY(hffi_val_map_set_key(rt, v, 0, "city", HFFI_VAL_NTS, &e));
    MC_TRY(hffi_val_set_str(rt, e, "London", HFFI_VAL_NTS));
    MC_TRY(hffi_val_map_set_key(rt, v, 1, "floor", HFFI_VAL_NTS, &e));
    MC_TRY(hffi_val_set_int(rt, e, 2));
    MC_TRY(hffi_val_map_set_key(rt, v, 2, "zip", HFFI_VAL_NTS, &e));
    MC_TRY(hffi_val_set_str(rt, e, "W1", HFFI_VAL_NTS));
    MC_TRY(hffi_val_map_sort(rt, v));
    MC_TRY(hffi_val_map_set_key(rt, root, 2, "age", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_int(rt, v, 36));
    MC_TRY(hffi_val_map_set_key(rt, root, 3, "email", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_str(rt, v, "ada@example.com", HFFI_VAL_NTS));
    MC_TRY(hffi_val_map_set_key(rt, root, 4, "id", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_int(rt, v, 1815));
    MC_TRY(hffi_val_map_set_key(rt, root, 5, "name", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_str(rt, v, "Ada Lovelace", HFFI_VAL_NTS));
    MC_TRY(hffi_val_map_set_key(rt, root, 6, "note", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_str(rt, v, "first programmer", HFFI_VAL_NTS));
    MC_TRY(hffi_val_map_set_key(rt, root, 7, "ratio", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_float(rt, v, 0.125));
    MC_TRY(hffi_val_map_set_key(rt, root, 8, "score", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_float(rt, v, 99.5));
    MC_TRY(hffi_val_map_set_key(rt, root, 9, "tags", HFFI_VAL_NTS, &v));
    MC_TRY(hffi_val_set_list(rt, v, 4));
    MC_TRY(hffi_val_list_at(rt, v, 0, &e));
    MC_TRY(hffi_val_set_str(rt, e, "math", HFFI_VAL_NTS));
    MC_TRY(hffi_val_list_at(rt, v, 1, &e));
    MC_TRY(hffi_val_set_str(rt, e, "poetry", HFFI_VAL_NTS));
    MC_TRY(hffi_val_list_at(rt, v, 2, &e));
    MC_TRY(hffi_val_set_int(rt, e, 1843));
    MC_TRY(hffi_val_list_at(rt, v, 3, &e));
    MC_TRY(hffi_val_set_float(rt, e, 3.14));
    MC_TRY(hffi_val_map_sort(rt, root));
    *out = root;
    return HFFI_OK;
}

static int32_t mapcall_build_go(uintptr_t rt, uint64_t a, uint64_t *out) {
    return mapcall_build((const hffi_rt *)rt, a, out);
}
*/
import "C"

import (
	"encoding/json"
	"unsafe"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	_ "github.com/hffi-go/hffi/bench/internal/cimpl"
)

// mapPeerMarshalToC is the usual way to make a Go map readable by C:
// JSON, copied into C memory, freed after C is done with it.
func mapPeerMarshalToC(m map[string]any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	p := C.CBytes(b)
	C.free(p)
	return nil
}

// mapPeerJSONFromC copies the JSON a C library produced and unmarshals it.
func mapPeerJSONFromC() (map[string]any, error) {
	b := C.GoBytes(unsafe.Pointer(C.mapcall_json_ptr()), C.int(C.mapcall_json_len()))
	var m map[string]any
	err := json.Unmarshal(b, &m)
	return m, err
}

// mapPeerJSONFromCInto is mapPeerJSONFromC into a Go value.
func mapPeerJSONFromCInto(dst any) error {
	b := C.GoBytes(unsafe.Pointer(C.mapcall_json_ptr()), C.int(C.mapcall_json_len()))
	return json.Unmarshal(b, dst)
}

// mapPeerBuildInC has C build the benchmark map in a with hffi's builders.
func mapPeerBuildInC(a *arena.Arena) (arena.Ref, error) {
	var out C.uint64_t
	rc := C.mapcall_build_go(C.uintptr_t(uintptr(hffi.Runtime())), C.uint64_t(a.CArena()), &out)
	if rc != 0 {
		return 0, hffi.Code(rc)
	}
	return arena.Ref(out), nil
}
