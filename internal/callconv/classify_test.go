// SPDX-License-Identifier: Apache-2.0

package callconv

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// where names the frame location at off for abi: a register, a stack
// offset or a memory block offset.
func where(abi ABI, p *Plan, off uint32) string {
	regs := []string{"rdi", "rsi", "rdx", "rcx", "r8", "r9"}
	fregs := "xmm"
	if abi != SysV {
		regs = []string{"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"}
		fregs = "v"
	}
	stack := uint32(p.top.stackBytes)
	switch {
	case off >= offInts && off < offFloats:
		return regs[(off-offInts)/8]
	case off >= offFloats && off < offRet:
		return fmt.Sprintf("%s%d", fregs, (off-offFloats)/8)
	case off >= offTail && off < offTail+stack:
		return fmt.Sprintf("sp+%d", off-offTail)
	case off >= offTail+stack:
		return fmt.Sprintf("mem+%d", off-offTail-stack)
	}
	return fmt.Sprintf("?%d", off)
}

// layout renders each parameter's pieces as "loc:bytes" and the words
// that point into memory as "loc=&mem+N".
func layout(abi ABI, p *Plan) []string {
	var out []string
	for i := range p.nparam {
		var s []string
		for _, m := range p.moves[p.argAt[i]:p.argAt[i+1]] {
			s = append(s, fmt.Sprintf("%s:%d", where(abi, p, m.dst), m.n))
		}
		out = append(out, strings.Join(s, " "))
	}
	for _, l := range p.lits {
		out = append(out, fmt.Sprintf("%s=&%s", where(abi, p, l.dst), where(abi, p, uint32(l.val))))
	}
	return out
}

func i64() *Type { return Scalar(Int64) }
func f64() *Type { return Scalar(Float64) }

func rep(t *Type, n int) []*Type {
	out := make([]*Type, n)
	for i := range out {
		out[i] = t
	}
	return out
}

func TestClassify(t *testing.T) {
	hfa3 := StructOf(Float32, Float32, Float32)
	big24 := StructOf(Int64, Int64, Int32)
	pair := StructOf(Int64, Int64)
	for _, tc := range []struct {
		name   string
		abi    ABI
		fixed  int
		result *Type
		params []*Type
		want   []string
		al     uintptr
	}{
		// Apple: small stack arguments packed at natural alignment; Linux: 8-byte slots.
		{"stack small ints apple", AppleA64, -1, nil,
			append(rep(i64(), 8), Scalar(Int8), Scalar(Int16), Scalar(Int32)),
			[]string{"x0:8", "x1:8", "x2:8", "x3:8", "x4:8", "x5:8", "x6:8", "x7:8", "sp+0:1", "sp+2:2", "sp+4:4"}, 0},
		{"stack small ints linux", AAPCS64, -1, nil,
			append(rep(i64(), 8), Scalar(Int8), Scalar(Int16), Scalar(Int32)),
			[]string{"x0:8", "x1:8", "x2:8", "x3:8", "x4:8", "x5:8", "x6:8", "x7:8", "sp+0:1", "sp+8:2", "sp+16:4"}, 0},
		// printf(fmt, int, double): Apple puts every extra on the stack.
		{"variadic apple", AppleA64, 1, Scalar(Int32), []*Type{Scalar(Pointer), Scalar(Int32), f64(), Scalar(Float32)},
			[]string{"x0:8", "sp+0:4", "sp+8:8", "sp+16:8"}, 0},
		{"variadic linux arm64", AAPCS64, 1, Scalar(Int32), []*Type{Scalar(Pointer), Scalar(Int32), f64(), Scalar(Float32)},
			[]string{"x0:8", "x1:4", "v0:8", "v1:8"}, 0},
		{"variadic sysv", SysV, 1, Scalar(Int32), []*Type{Scalar(Pointer), Scalar(Int32), f64(), Scalar(Float32)},
			[]string{"rdi:8", "rsi:4", "xmm0:8", "xmm1:8"}, 2},
		// An HFA takes one vector register per member, or goes whole on the stack.
		{"hfa regs", AAPCS64, -1, nil, []*Type{hfa3}, []string{"v0:4 v1:4 v2:4"}, 0},
		{"hfa stack linux", AAPCS64, -1, nil, append(rep(f64(), 6), hfa3, f64()),
			[]string{"v0:8", "v1:8", "v2:8", "v3:8", "v4:8", "v5:8", "sp+0:12", "sp+16:8"}, 0},
		{"hfa stack apple", AppleA64, -1, nil, append(rep(f64(), 6), hfa3, Scalar(Float32)),
			[]string{"v0:8", "v1:8", "v2:8", "v3:8", "v4:8", "v5:8", "sp+0:12", "sp+12:4"}, 0},
		// Large composites: a copy passed by address; results through x8.
		{"big arg arm64", AAPCS64, -1, big24, []*Type{big24, i64()},
			[]string{"mem+32:24", "x1:8", "x8=&mem+0", "x0=&mem+32"}, 0},
		// A struct that does not fit the remaining x registers goes on the
		// stack, and so does every later integer (NGRN = 8).
		{"pair split arm64", AAPCS64, -1, nil, append(rep(i64(), 7), pair, i64()),
			[]string{"x0:8", "x1:8", "x2:8", "x3:8", "x4:8", "x5:8", "x6:8", "sp+0:16", "sp+16:8"}, 0},
		// SysV: the same struct goes on the stack, but r9 stays usable.
		{"pair split sysv", SysV, -1, nil, append(rep(i64(), 5), pair, i64()),
			[]string{"rdi:8", "rsi:8", "rdx:8", "rcx:8", "r8:8", "sp+0:16", "r9:8"}, 0},
		{"mixed eightbytes sysv", SysV, -1, nil, []*Type{StructOf(Float64, Int64), StructOf(Int32, Float32, Float64), hfa3},
			[]string{"xmm0:8 rdi:8", "rsi:8 xmm1:8", "xmm2:8 xmm3:4"}, 4},
		{"memory result sysv", SysV, -1, big24, []*Type{big24, i64()},
			[]string{"sp+0:24", "rsi:8", "rdi=&mem+0"}, 0},
		{"15 mixed sysv", SysV, -1, f64(), append(append(rep(f64(), 9), Scalar(Float32)), rep(i64(), 7)...),
			[]string{"xmm0:8", "xmm1:8", "xmm2:8", "xmm3:8", "xmm4:8", "xmm5:8", "xmm6:8", "xmm7:8", "sp+0:8", "sp+8:4",
				"rdi:8", "rsi:8", "rdx:8", "rcx:8", "r8:8", "r9:8", "sp+16:8"}, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Prepare(tc.abi, tc.fixed, tc.result, tc.params...)
			require.NoError(t, err)
			assert.Equal(t, tc.want, layout(tc.abi, p))
			assert.Equal(t, tc.al, p.top.al, "%%al")
			assert.Zero(t, p.top.stackBytes%16, "stack area is 16-byte aligned")
		})
	}
}

func TestClassifyResults(t *testing.T) {
	for _, tc := range []struct {
		abi    ABI
		result *Type
		want   string
	}{
		{SysV, StructOf(Float64, Int64), "fret0:8->0 ret0:8->8"},
		{SysV, StructOf(Float32, Float32, Float32), "fret0:8->0 fret1:4->8"},
		{SysV, StructOf(Int32, Int32), "ret0:8->0"},
		{AAPCS64, StructOf(Float32, Float32, Float32), "fret0:4->0 fret1:4->4 fret2:4->8"},
		{AppleA64, StructOf(Float64, Float64, Float64, Float64), "fret0:8->0 fret1:8->8 fret2:8->16 fret3:8->24"},
		{AAPCS64, StructOf(Int64, Float64), "ret0:8->0 ret1:8->8"},
		{AAPCS64, StructOf(Int8, Int8, Int8), "ret0:3->0"},
	} {
		p, err := Prepare(tc.abi, -1, tc.result)
		require.NoError(t, err)
		var s []string
		for _, m := range p.res {
			name := fmt.Sprintf("ret%d", (m.src-offRet)/8)
			if m.src >= offFret {
				name = fmt.Sprintf("fret%d", (m.src-offFret)/8)
			}
			s = append(s, fmt.Sprintf("%s:%d->%d", name, m.n, m.dst))
		}
		assert.Equal(t, tc.want, strings.Join(s, " "), "%v %+v", tc.abi, tc.result)
	}
}

// TestFrameOffsets checks the offsets the trampolines use
// (tramp/frame_offsets.h) against the header struct.
func TestFrameOffsets(t *testing.T) {
	var h header
	assert.Equal(t, uintptr(0), unsafe.Offsetof(h.fn))
	assert.Equal(t, uintptr(8), unsafe.Offsetof(h.stackBytes))
	assert.Equal(t, uintptr(16), unsafe.Offsetof(h.al))
	assert.Equal(t, uintptr(24), unsafe.Offsetof(h.nreloc))
	assert.Equal(t, uintptr(32), unsafe.Offsetof(h.reloc))
	assert.Equal(t, uintptr(offInts), unsafe.Offsetof(h.ints))
	assert.Equal(t, uintptr(offFloats), unsafe.Offsetof(h.floats))
	assert.Equal(t, uintptr(offRet), unsafe.Offsetof(h.ret))
	assert.Equal(t, uintptr(offFret), unsafe.Offsetof(h.fret))
	assert.Equal(t, uintptr(offTail), unsafe.Sizeof(h))
	assert.Equal(t, []int{64, 136, 200, 216, 248}, []int{offInts, offFloats, offRet, offFret, offTail}, "frame_offsets.h")
}
