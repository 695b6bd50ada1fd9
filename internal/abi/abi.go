// SPDX-License-Identifier: Apache-2.0

// Package abi mirrors csrc/hffi.h: the layouts of the structures that live
// in shared (off-heap) memory, the bit packing of references and handles,
// and the error codes. hffi.h is the source of truth; abi_test.go compiles
// a C program at test time and checks every size, offset and constant here
// against it.
package abi

// Versions, as in hffi.h.
const (
	VersionMajor  = 0
	VersionMinor  = 1
	VersionPatch  = 0
	VersionNumber = VersionMajor*1000000 + VersionMinor*1000 + VersionPatch
	VersionString = "0.1.0"
	ABIVersion    = 2
)

// Root.
const (
	RTMagic = 0x3146464948464648
	RTDebug = 1
)

// RT mirrors hffi_rt.
type RT struct {
	Magic      uint64
	ABIVersion uint32
	Flags      uint32 // atomic
	Arenas     uint64 // address of ArenaHdr[ArenaSlots]
	Tables     uint64 // address of Table[TableSlots]
	PageSize   uint64
	Reserved   [3]uint64
}

// References.
const (
	RefTag          = uint64(1) << 63
	RefSlotShift    = 49
	RefSlotBits     = 14
	RefGenShift     = 29
	RefGenBits      = 20
	RefOffBits      = 29
	RefOffScale     = 8
	ArenaSlots      = 1 << RefSlotBits
	ArenaGenMax     = 1<<RefGenBits - 1
	ArenaMaxSize    = uint64(1) << (RefOffBits + 3)
	ArenaPrefix     = 64
	ArenaFree       = 0
	ArenaLive       = 1
	ArenaRetired    = 2
	ArenaStateShift = 20
	ArenaGenMask    = uint64(1)<<RefGenBits - 1
	ArenaFloorShift = 22
	ArenaFloorMask  = uint64(1)<<RefOffBits - 1
	ArenaFDebug     = 1
)

// ArenaHdr mirrors hffi_arena_hdr.
type ArenaHdr struct {
	Word      uint64 // atomic: [19:0] gen, [21:20] state, [50:22] floor/8
	Base      uint64 // atomic: address of offset 0
	Limit     uint64 // floor + the arena's maximum size
	Used      uint64 // atomic
	Committed uint64 // atomic: [floor, Committed) is read-write
	Grow      uint64
	Minted    uint64 // atomic
	Flags     uint64
}

// ArenaWord packs a slot word; ArenaWordFloor unpacks its floor offset.
func ArenaWord(gen uint32, state, floor uint64) uint64 {
	return uint64(gen) | state<<ArenaStateShift | floor/RefOffScale<<ArenaFloorShift
}
func ArenaWordFloor(w uint64) uint64 { return w >> ArenaFloorShift & ArenaFloorMask * RefOffScale }

// MakeRef packs a reference.
func MakeRef(slot, gen uint32, off uint64) uint64 {
	return RefTag | uint64(slot)<<RefSlotShift | uint64(gen)<<RefGenShift | off/RefOffScale
}

// RefSlot, RefGen and RefOffset unpack a reference.
func RefSlot(r uint64) uint32   { return uint32(r>>RefSlotShift) & (1<<RefSlotBits - 1) }
func RefGen(r uint64) uint32    { return uint32(r>>RefGenShift) & uint32(ArenaGenMask) }
func RefOffset(r uint64) uint64 { return (r & (1<<RefOffBits - 1)) * RefOffScale }

// Handles.
const (
	HandleTableShift = 52
	HandleTableBits  = 11
	HandleGenShift   = 24
	HandleGenBits    = 28
	HandleIndexBits  = 24
	TableSlots       = 1 << HandleTableBits
	HandleGenMax     = 1<<HandleGenBits - 1
	HandleIndexMax   = 1<<HandleIndexBits - 1

	SlotGenMask     = uint64(1)<<HandleGenBits - 1
	SlotStateShift  = 28
	SlotKindShift   = 30
	SlotRetainShift = 32
	SlotFree        = 0
	SlotLive        = 1
	SlotReleased    = 2
	SlotRetired     = 3
	KindGo          = 0
	KindCObj        = 1

	TableUnused = 0
	TableLive   = 1
	TableClosed = 2
	TableFDebug = 1

	TableDefault  = 1 // Go's process-wide table
	ListTagShift  = 25
	ListIndexMask = uint64(1)<<ListTagShift - 1
)

// Slot mirrors hffi_slot.
type Slot struct {
	Word  uint64 // atomic
	CPtr  uint64
	CDtor uint64
	Next  uint64
}

// Table mirrors hffi_table.
type Table struct {
	State    uint64 // atomic
	Slots    uint64
	Cap      uint64 // atomic
	Limit    uint64
	FreeHead uint64 // atomic
	ReapHead uint64 // atomic
	Flags    uint64 // atomic: TableFDebug
	GrowLock uint64 // atomic
}

// MakeHandle packs a handle.
func MakeHandle(table, gen, index uint32) uint64 {
	return uint64(table)<<HandleTableShift | uint64(gen)<<HandleGenShift | uint64(index)
}

// HandleTable, HandleGen and HandleIndex unpack a handle.
func HandleTable(h uint64) uint32 { return uint32(h>>HandleTableShift) & (1<<HandleTableBits - 1) }
func HandleGen(h uint64) uint32   { return uint32(h>>HandleGenShift) & uint32(SlotGenMask) }
func HandleIndex(h uint64) uint32 { return uint32(h) & HandleIndexMax }
