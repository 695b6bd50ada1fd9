// SPDX-License-Identifier: Apache-2.0

package abi_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/abi"
	"github.com/hffi-go/hffi/internal/cbuild"
)

// u turns a Go constant of any integer type into the 64-bit pattern the C
// program prints with (unsigned long long)(expr).
func u[T ~int | ~int32 | ~uint32 | ~uint64 | ~uintptr](v T) uint64 { return uint64(v) }

// constants maps a C expression to the Go value it must equal.
var constants = []struct {
	c    string
	want uint64
}{
	{"HFFI_VERSION_MAJOR", u(abi.VersionMajor)},
	{"HFFI_VERSION_MINOR", u(abi.VersionMinor)},
	{"HFFI_VERSION_PATCH", u(abi.VersionPatch)},
	{"HFFI_VERSION_NUMBER", u(abi.VersionNumber)},
	{"hffi_version()", u(abi.VersionNumber)},
	{"HFFI_ABI_VERSION", u(abi.ABIVersion)},
	{"HFFI_RT_MAGIC", u(abi.RTMagic)},
	{"HFFI_RT_DEBUG", u(abi.RTDebug)},

	{"HFFI_REF_TAG", u(abi.RefTag)},
	{"HFFI_REF_SLOT_SHIFT", u(abi.RefSlotShift)},
	{"HFFI_REF_SLOT_BITS", u(abi.RefSlotBits)},
	{"HFFI_REF_GEN_SHIFT", u(abi.RefGenShift)},
	{"HFFI_REF_GEN_BITS", u(abi.RefGenBits)},
	{"HFFI_REF_OFF_BITS", u(abi.RefOffBits)},
	{"HFFI_REF_OFF_SCALE", u(abi.RefOffScale)},
	{"HFFI_ARENA_SLOTS", u(abi.ArenaSlots)},
	{"HFFI_ARENA_GEN_MAX", u(abi.ArenaGenMax)},
	{"HFFI_ARENA_MAX_SIZE", u(abi.ArenaMaxSize)},
	{"HFFI_ARENA_PREFIX", u(abi.ArenaPrefix)},
	{"HFFI_ARENA_FREE", u(abi.ArenaFree)},
	{"HFFI_ARENA_LIVE", u(abi.ArenaLive)},
	{"HFFI_ARENA_RETIRED", u(abi.ArenaRetired)},
	{"HFFI_ARENA_STATE_SHIFT", u(abi.ArenaStateShift)},
	{"HFFI_ARENA_GEN_MASK", u(abi.ArenaGenMask)},
	{"HFFI_ARENA_FLOOR_SHIFT", u(abi.ArenaFloorShift)},
	{"HFFI_ARENA_FLOOR_MASK", u(abi.ArenaFloorMask)},
	{"HFFI_ARENA_F_DEBUG", u(abi.ArenaFDebug)},

	{"HFFI_HANDLE_TABLE_SHIFT", u(abi.HandleTableShift)},
	{"HFFI_HANDLE_TABLE_BITS", u(abi.HandleTableBits)},
	{"HFFI_HANDLE_GEN_SHIFT", u(abi.HandleGenShift)},
	{"HFFI_HANDLE_GEN_BITS", u(abi.HandleGenBits)},
	{"HFFI_HANDLE_INDEX_BITS", u(abi.HandleIndexBits)},
	{"HFFI_TABLE_SLOTS", u(abi.TableSlots)},
	{"HFFI_HANDLE_GEN_MAX", u(abi.HandleGenMax)},
	{"HFFI_HANDLE_INDEX_MAX", u(abi.HandleIndexMax)},
	{"HFFI_SLOT_GEN_MASK", u(abi.SlotGenMask)},
	{"HFFI_SLOT_STATE_SHIFT", u(abi.SlotStateShift)},
	{"HFFI_SLOT_KIND_SHIFT", u(abi.SlotKindShift)},
	{"HFFI_SLOT_RETAIN_SHIFT", u(abi.SlotRetainShift)},
	{"HFFI_SLOT_FREE", u(abi.SlotFree)},
	{"HFFI_SLOT_LIVE", u(abi.SlotLive)},
	{"HFFI_SLOT_RELEASED", u(abi.SlotReleased)},
	{"HFFI_SLOT_RETIRED", u(abi.SlotRetired)},
	{"HFFI_KIND_GO", u(abi.KindGo)},
	{"HFFI_KIND_COBJ", u(abi.KindCObj)},
	{"HFFI_TABLE_UNUSED", u(abi.TableUnused)},
	{"HFFI_TABLE_LIVE", u(abi.TableLive)},
	{"HFFI_TABLE_CLOSED", u(abi.TableClosed)},
	{"HFFI_TABLE_F_DEBUG", u(abi.TableFDebug)},
	{"HFFI_TABLE_DEFAULT", u(abi.TableDefault)},
	{"HFFI_LIST_TAG_SHIFT", u(abi.ListTagShift)},
	{"HFFI_LIST_INDEX_MASK", u(abi.ListIndexMask)},

	{"sizeof(hffi_ref)", 8},
	{"sizeof(hffi_arena)", 8},
	{"sizeof(hffi_handle)", 8},
	{"sizeof(hffi_err)", 4},
}

// layouts lists every shared struct with the C names of its fields, in
// the order of the Go mirror's fields.
var layouts = []struct {
	c      string
	goType reflect.Type
	fields []string
}{
	{"hffi_rt", reflect.TypeFor[abi.RT](),
		[]string{"magic", "abi_version", "flags", "arenas", "tables", "page_size", "reserved"}},
	{"hffi_arena_hdr", reflect.TypeFor[abi.ArenaHdr](),
		[]string{"word", "base", "limit", "used", "committed", "grow", "minted", "flags"}},
	{"hffi_slot", reflect.TypeFor[abi.Slot](),
		[]string{"word", "cptr", "cdtor", "next"}},
	{"hffi_table", reflect.TypeFor[abi.Table](),
		[]string{"state", "slots", "cap", "limit", "free_head", "reap_head", "flags", "grow_lock"}},
}

// samples are 64-bit words whose reference and handle fields both sides
// unpack.
var samples = []uint64{
	0, 1, ^uint64(0), abi.RefTag, abi.RefTag - 1, 0x8000_0000_2000_0008,
	0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 0x5555_5555_5555_5555, 0xaaaa_aaaa_aaaa_aaaa,
}

// cOutput is what the generated C program printed: "key\tvalue" lines.
type cOutput map[string]string

func genProgram() string {
	var b strings.Builder
	b.WriteString("#include <stddef.h>\n#include <stdio.h>\n#include \"hffi.h\"\n")
	b.WriteString("#define P(k, e) printf(\"%s\\t%llu\\n\", k, (unsigned long long)(e))\n")
	b.WriteString("int main(void) {\n")
	for _, c := range constants {
		fmt.Fprintf(&b, "\tP(%q, %s);\n", c.c, c.c)
	}
	for _, l := range layouts {
		fmt.Fprintf(&b, "\tP(\"sizeof(%s)\", sizeof(%s));\n", l.c, l.c)
		for _, f := range l.fields {
			fmt.Fprintf(&b, "\tP(\"offsetof(%s, %s)\", offsetof(%s, %s));\n", l.c, f, l.c, f)
			fmt.Fprintf(&b, "\tP(\"sizeof(%s.%s)\", sizeof(((%s *)0)->%s));\n", l.c, f, l.c, f)
		}
	}
	for i, s := range samples {
		fmt.Fprintf(&b, "\t{ uint64_t s = UINT64_C(%d);\n", s)
		for _, fn := range []string{"hffi_ref_slot", "hffi_ref_gen", "hffi_ref_offset",
			"hffi_handle_table", "hffi_handle_gen", "hffi_handle_index"} {
			fmt.Fprintf(&b, "\t  P(\"%s(%d)\", %s(s));\n", fn, i, fn)
		}
		fmt.Fprintf(&b, "\t  P(\"hffi_ref_make(%d)\", hffi_ref_make(hffi_ref_slot(s), hffi_ref_gen(s), hffi_ref_offset(s)));\n", i)
		fmt.Fprintf(&b, "\t  P(\"_hffi_arena_floor(%d)\", _hffi_arena_floor(s));\n", i)
		fmt.Fprintf(&b, "\t  P(\"hffi_handle_make(%d)\", hffi_handle_make(hffi_handle_table(s), hffi_handle_gen(s), hffi_handle_index(s)));\n", i)
		b.WriteString("\t}\n")
	}
	b.WriteString("\tprintf(\"HFFI_VERSION_STRING\\t%s\\n\", HFFI_VERSION_STRING);\n")
	b.WriteString("\treturn 0;\n}\n")
	return b.String()
}

// runC compiles the generated program with csrc/hffi.c and parses its
// output.
func runC(t *testing.T) cOutput {
	t.Helper()
	src := filepath.Join(t.TempDir(), "abicheck.c")
	require.NoError(t, os.WriteFile(src, []byte(genProgram()), 0o644))
	bin := cbuild.Program(t, "abicheck", []string{src, "csrc/hffi.c"})
	out, err := exec.Command(bin).Output()
	require.NoError(t, err)
	vals := cOutput{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		require.Len(t, f, 2, sc.Text())
		vals[f[0]] = f[1]
	}
	return vals
}

func (o cOutput) num(t *testing.T, key string) uint64 {
	t.Helper()
	s, ok := o[key]
	require.True(t, ok, "C program printed no %s", key)
	n, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err, key)
	return n
}

func TestABIMatchesHeader(t *testing.T) {
	vals := runC(t)

	t.Run("constants", func(t *testing.T) {
		for _, c := range constants {
			assert.Equal(t, c.want, vals.num(t, c.c), c.c)
		}
		assert.Equal(t, abi.VersionString, vals["HFFI_VERSION_STRING"])
	})

	t.Run("layouts", func(t *testing.T) {
		for _, l := range layouts {
			t.Run(l.c, func(t *testing.T) {
				require.Equal(t, len(l.fields), l.goType.NumField(), "fields of %s", l.goType)
				assert.Equal(t, u(l.goType.Size()), vals.num(t, "sizeof("+l.c+")"))
				for i, f := range l.fields {
					gf := l.goType.Field(i)
					assert.Equal(t, u(gf.Offset), vals.num(t, "offsetof("+l.c+", "+f+")"), gf.Name)
					assert.Equal(t, u(gf.Type.Size()), vals.num(t, "sizeof("+l.c+"."+f+")"), gf.Name)
				}
			})
		}
	})

	t.Run("packing", func(t *testing.T) {
		for i, s := range samples {
			k := fmt.Sprintf("(%d)", i)
			assert.Equal(t, u(abi.RefSlot(s)), vals.num(t, "hffi_ref_slot"+k))
			assert.Equal(t, u(abi.RefGen(s)), vals.num(t, "hffi_ref_gen"+k))
			assert.Equal(t, abi.RefOffset(s), vals.num(t, "hffi_ref_offset"+k))
			assert.Equal(t, u(abi.HandleTable(s)), vals.num(t, "hffi_handle_table"+k))
			assert.Equal(t, u(abi.HandleGen(s)), vals.num(t, "hffi_handle_gen"+k))
			assert.Equal(t, u(abi.HandleIndex(s)), vals.num(t, "hffi_handle_index"+k))
			assert.Equal(t, abi.MakeRef(abi.RefSlot(s), abi.RefGen(s), abi.RefOffset(s)),
				vals.num(t, "hffi_ref_make"+k))
			assert.Equal(t, abi.ArenaWordFloor(s), vals.num(t, "_hffi_arena_floor"+k))
			w := abi.ArenaWord(uint32(s&abi.ArenaGenMask), s>>abi.ArenaStateShift&3, abi.ArenaWordFloor(s))
			assert.Equal(t, s&(1<<(abi.ArenaFloorShift+abi.RefOffBits)-1), w, "ArenaWord packs what it unpacks")
			assert.Equal(t, abi.MakeHandle(abi.HandleTable(s), abi.HandleGen(s), abi.HandleIndex(s)),
				vals.num(t, "hffi_handle_make"+k))
		}
	})
}

// checkedElsewhere are the names of hffi.h that this file does not compare
// and why: everything else the header defines must be in constants or
// layouts, so a new macro or struct without a Go mirror fails here.
var checkedElsewhere = []struct{ pattern, why string }{
	{`^HFFI_H$`, "include guard"},
	{`^HFFI_ERRORS$|^HFFI_ERR_MIN_$`, "the codes: the root package's code_test.go"},
	{`^HFFI_VERSION_STRING$`, "compared as a string"},
	{`^HFFI_VAL_|^hffi_val`, "the Values section: value_test.go"},
	{`^HFFI_API$`, "linkage of C declarations (static for HFFI_IMPLEMENTATION), no layout: csrc/tests/embed"},
}

var (
	defineRE  = regexp.MustCompile(`(?m)^#define\s+(HFFI_[A-Z0-9_]+)`)
	typedefRE = regexp.MustCompile(`(?m)^typedef\s+struct\s+(\w+)`)
)

func TestEveryHeaderNameIsChecked(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(cbuild.CSrcDir(), "hffi.h"))
	require.NoError(t, err)
	known := map[string]bool{}
	for _, c := range constants {
		known[c.c] = true
	}
	for _, l := range layouts {
		known[l.c] = true
	}
	elsewhere := func(name string) bool {
		for _, e := range checkedElsewhere {
			if regexp.MustCompile(e.pattern).MatchString(name) {
				return true
			}
		}
		return false
	}
	var names []string
	for _, m := range defineRE.FindAllStringSubmatch(string(src), -1) {
		names = append(names, m[1])
	}
	for _, m := range typedefRE.FindAllStringSubmatch(string(src), -1) {
		names = append(names, m[1])
	}
	require.NotEmpty(t, names)
	for _, n := range names {
		assert.True(t, known[n] || elsewhere(n), "hffi.h defines %s but abi_test.go does not compare it with the Go mirror", n)
	}
}
