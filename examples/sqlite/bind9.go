// SPDX-License-Identifier: Apache-2.0

package main

import (
	"unsafe"

	"github.com/hffi-go/hffi/ffi"
	"github.com/hffi-go/hffi/internal/callconv"
)

// bind9 binds sqlite3_create_function_v2 (9 parameters) through
// internal/callconv until ffi.Bind9 lands.
func bind9(fn *func(db unsafe.Pointer, name uintptr, nArg, textRep int32, app, xFunc, xStep, xFinal, xDestroy uintptr) int32, sym ffi.Symbol) error {
	if err := sym.Err(); err != nil {
		return err
	}
	p, i32 := callconv.Scalar(callconv.Pointer), callconv.Scalar(callconv.Int32)
	plan, err := callconv.Prepare(callconv.Native, -1, i32, p, p, i32, i32, p, p, p, p, p)
	if err != nil {
		return err
	}
	addr := sym.Addr()
	*fn = func(db unsafe.Pointer, name uintptr, nArg, textRep int32, app, xFunc, xStep, xFinal, xDestroy uintptr) int32 {
		f := plan.GetFrame()
		defer callconv.PutFrame(f)
		for i, w := range []uint64{uint64(uintptr(db)), uint64(name), uint64(uint32(nArg)), uint64(uint32(textRep)),
			uint64(app), uint64(xFunc), uint64(xStep), uint64(xFinal), uint64(xDestroy)} {
			plan.Word(f, i, w)
		}
		plan.Call(f, addr)
		var r int32
		plan.Result(f, unsafe.Pointer(&r))
		return r
	}
	return nil
}
