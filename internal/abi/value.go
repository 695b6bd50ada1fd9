// SPDX-License-Identifier: Apache-2.0

package abi

// Values: the "Values" section of hffi.h (HFFI_VAL_*, hffi_val,
// hffi_val_entry). value_test.go checks them against the header.
const (
	ValNull      = 0
	ValBool      = 1
	ValInt       = 2
	ValUint      = 3
	ValFloat     = 4
	ValStr       = 5
	ValBytes     = 6
	ValList      = 7
	ValMap       = 8
	ValHandle    = 9
	ValKindMax   = 9
	ValSize      = 16
	ValEntrySize = 32
	ValLenMax    = 1<<32 - 1
	ValInlineMax = 7 // strings and bytes this short live in Val.Data
	ValMaxDepth  = 10000
	ValNTS       = ^uint64(0)
)

// Val mirrors hffi_val: one node of a value tree.
type Val struct {
	Kind uint32 // ValNull..ValHandle; higher bits reserved, 0
	Len  uint32 // Str, Bytes: bytes without the NUL; List, Map: count
	Data uint64 // scalar bits, or arena offset of the payload
}

// ValEntry mirrors hffi_val_entry: one map entry.
type ValEntry struct {
	Key Val // a ValStr
	Val Val
}
