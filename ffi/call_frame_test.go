// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/arena"
	"github.com/hffi-go/hffi/internal/cbuild"
)

// The general path's fixture (testdata/ffiframe.c), built once per test
// binary.
var fr struct {
	once sync.Once
	lib  *Library
	err  error
}

func frSym(tb testing.TB, name string) Symbol {
	tb.Helper()
	fr.once.Do(func() {
		path := cbuild.SharedLib(tb, "libffiframe.so", []string{"ffi/testdata/ffiframe.c"})
		fr.lib, fr.err = Open(path)
	})
	if fr.lib == nil {
		if cbuild.CC() == nil {
			tb.Skip("no C compiler found (go env CC): skipping a test that needs the C fixture")
		}
		tb.Fatalf("fixture library: %v", fr.err)
	}
	s := fr.lib.Sym(name)
	require.NoError(tb, s.Err())
	return s
}

func frBind[F any](tb testing.TB, fn *F, name string, bind func(*F, Symbol) error) {
	tb.Helper()
	require.NoError(tb, bind(fn, frSym(tb, name)))
}

type frS24 struct {
	X, Y float64
	N    int32
}

type frS16 struct {
	S float64
	N int64
}

type frS56 struct {
	Tag uint8
	F   [3]float32
	W   [4]int64
}

func TestCallManyParams(t *testing.T) {
	var sum9 func(int64, int64, int64, int64, int64, int64, int64, int64, int64) int64
	frBind(t, &sum9, "fr_sum9", Bind9)
	assert.Equal(t, int64(1+4+9+16+25+36+49+64+81), sum9(1, 2, 3, 4, 5, 6, 7, 8, 9))
	assert.Equal(t, int64(-9), sum9(0, 0, 0, 0, 0, 0, 0, 0, -1))

	var mix15 func(int8, float64, uint16, float32, int32, float64, int64, float32, uint8, float64, int16, float64, int64, float64, int32) float64
	frBind(t, &mix15, "fr_mix15", Bind15)
	want := -1 + 2*1.5 + 3*65535 + 4*0.25 + 5*-7 + 6*2.5 + 7*1e6 + 8*-0.5 + 9*255 + 10*3.25 + 11*-300 + 12*0.125 + 13*-5 + 14*1e-3 + 15*-9.0
	assert.InDelta(t, want, mix15(-1, 1.5, 65535, 0.25, -7, 2.5, 1e6, -0.5, 255, 3.25, -300, 0.125, -5, 1e-3, -9), 1e-9)

	var void15 func(*int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64)
	frBind(t, &void15, "fr_void15", BindVoid15)
	var out int64
	void15(&out, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)
	assert.Equal(t, int64(105), out)
}

// TestCallManyIntWidths binds 15 integer parameters of every width, 7 to
// 15 of them on the stack: the cgo fast path passes each as a uintptr_t,
// the purego backend through call frames; both must give what C computes.
func TestCallManyIntWidths(t *testing.T) {
	var ints15 func(int8, uint8, int16, uint16, int32, uint32, int64, bool, int8, uint16, int32, uint32, unsafe.Pointer, int16, int8) int64
	frBind(t, &ints15, "fr_ints15", Bind15)
	m := ptrFromAddr(0x1000)
	want := int64(-1 + 2*255 + 3*-300 + 4*65535 + 5*-70000 + 6*4000000000 + 7*-(1<<40) + 8*1 + 9*-128 +
		10*65535 + 11*-2147483648 + 12*4294967295 + 13*0x1000 + 14*-32768 + 15*127)
	assert.Equal(t, want, ints15(-1, 255, -300, 65535, -70000, 4000000000, -(1<<40), true, -128, 65535,
		-2147483648, 4294967295, m, -32768, 127))
	assert.Equal(t, int64(0), ints15(0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0, nil, 0, 0))
	i64 := reflect.TypeFor[int64]()
	p, err := newPlan(frSym(t, "fr_sum9"), i64, slices.Repeat([]reflect.Type{i64}, 9)...)
	require.NoError(t, err)
	assert.Equal(t, wantBackend == "cgo", p.words, "9 words take the fast path on cgo only")
}

func TestCallStructs(t *testing.T) {
	var s24 func(frS24) frS16
	frBind(t, &s24, "fr_struct24", Bind1)
	assert.Equal(t, frS16{S: 1.5 + 2*2.25, N: -21}, s24(frS24{X: 1.5, Y: 2.25, N: -7}))

	var big func(int64, int64, int64, int64, int64, int64, int64, frS56, float64) frS56
	frBind(t, &big, "fr_big", Bind9)
	in := frS56{Tag: 254, F: [3]float32{1, -2, 0.5}, W: [4]int64{10, 20, 30, -40}}
	got := big(1, 2, 3, 4, 5, 6, 7, in, 100)
	assert.Equal(t, frS56{Tag: 255, F: [3]float32{2, -4, 1}, W: [4]int64{138, 148, 158, 88}}, got)
}

type frNested struct {
	P struct{ X, Y float32 }
	V [3]int16
	T uint8
}

func TestCallNestedStruct(t *testing.T) {
	var nest func(frNested, float64) frNested
	frBind(t, &nest, "fr_nest", Bind2)
	in := frNested{V: [3]int16{1, -2, 300}, T: 255}
	in.P.X, in.P.Y = 1.5, -2
	want := frNested{V: [3]int16{600, -4, 2}, T: 0}
	want.P.X, want.P.Y = -1.5, 1.5
	assert.Equal(t, want, nest(in, 0.5))
}

func TestCallOutParams(t *testing.T) {
	var out func(*int64, *float64, []byte, uintptr, *unsafe.Pointer) int32
	frBind(t, &out, "fr_out", Bind5)
	n, d := int64(20), 0.0
	buf := []byte{10, 20, 30}
	var obj unsafe.Pointer
	require.Equal(t, int32(7), out(&n, &d, buf, uintptr(len(buf)), &obj))
	assert.Equal(t, int64(41), n)
	assert.Equal(t, 0.5, d)
	assert.Equal(t, []byte{11, 22, 33}, buf, "C's writes to a []byte reach the Go slice")
	var isObj func(unsafe.Pointer) int32
	frBind(t, &isObj, "fr_is_object", Bind1)
	assert.Equal(t, int32(1), isObj(obj))

	// Copies larger than a small scratch block come from a pooled arena.
	big := make([]byte, 3*smallBlock)
	require.Equal(t, int32(7), out(&n, nil, big, uintptr(len(big)), nil))
	assert.Equal(t, byte(1), big[0])
	assert.Equal(t, byte(len(big)%256), big[len(big)-1])
	assert.Equal(t, int64(83), n)

	// nil pointers and slices are NULL.
	require.Equal(t, int32(7), out(nil, nil, nil, 5, nil))

	var fill func(*frS24, []int32, uintptr)
	frBind(t, &fill, "fr_fill", BindVoid3)
	var s frS24
	xs := []int32{1, 2, 3, -10}
	fill(&s, xs, uintptr(len(xs)))
	assert.Equal(t, frS24{X: -4, Y: -1, N: 4}, s)
	assert.Equal(t, []int32{1, 2, 3, -10}, xs)
}

func TestCallOffHeap(t *testing.T) {
	var out func(*int64, *float64, OffHeap[byte], uintptr, *unsafe.Pointer) int32
	frBind(t, &out, "fr_out", Bind5)
	a, err := arena.New()
	require.NoError(t, err)
	defer a.Free()
	buf, err := MakeOffHeap[byte](a, 4)
	require.NoError(t, err)
	copy(buf, []byte{1, 1, 1, 1})
	out(nil, nil, buf, 4, nil)
	assert.Equal(t, OffHeap[byte]{2, 3, 4, 5}, buf)

	goBuf := make([]byte, 4)
	assert.PanicsWithValue(t, "ffi: call "+frSym(t, "fr_out").String()+": parameter 3: an OffHeap slice points into the Go heap; make it with MakeOffHeap or OffHeapAt",
		func() { out(nil, nil, OffHeap[byte](goBuf), 4, nil) })

	_, err = MakeOffHeap[*int](a, 1)
	assert.ErrorIs(t, err, hffi.EINVAL)
}

func TestCallVariadic(t *testing.T) {
	var vsum func(string, int32, float64, int64, string, float32, int8) float64
	frBind(t, &vsum, "fr_vsum", func(f *func(string, int32, float64, int64, string, float32, int8) float64, s Symbol) error {
		return Bind7(f, s.Variadic(1))
	})
	want := 1*-3 + 2*2.5 + 3*float64(1<<40) + 4*5 + 5*0.25 + 6*-2
	assert.Equal(t, want, vsum("idlsdi", -3, 2.5, 1<<40, "hello", 0.25, -2))

	var vsum2 func(string, float64) float64
	frBind(t, &vsum2, "fr_vsum", func(f *func(string, float64) float64, s Symbol) error { return Bind2(f, s.Variadic(1)) })
	assert.Equal(t, 3.14, vsum2("d", 3.14), "a float extra needs the variadic convention")
}

func TestCallErrno(t *testing.T) {
	var fail func(int32) WithErrno[int32]
	frBind(t, &fail, "fr_fail", Bind1)
	r := fail(int32(syscall.ENOENT))
	assert.Equal(t, WithErrno[int32]{Value: -1, Errno: syscall.ENOENT}, r)
	assert.Equal(t, syscall.Errno(0), fail(0).Errno)

	var setErrno func(int32) WithErrno[struct{}]
	frBind(t, &setErrno, "fr_void_errno", Bind1)
	assert.Equal(t, syscall.EAGAIN, setErrno(int32(syscall.EAGAIN)).Errno)
}

func TestCallFreeResult(t *testing.T) {
	free := frSym(t, "fr_free")
	var dup func(string) string
	require.NoError(t, Bind1(&dup, frSym(t, "fr_strdup").FreeResult(free)))
	var null func() string
	require.NoError(t, Bind0(&null, frSym(t, "fr_null").FreeResult(free)))
	var count func() int64
	frBind(t, &count, "fr_free_count", Bind0)

	before := count()
	assert.Equal(t, "owned by the caller", dup("owned by the caller"))
	assert.Equal(t, "", null())
	assert.Equal(t, before+1, count(), "one free per non-NULL result")
}

func TestCMemHelpers(t *testing.T) {
	var argv func() unsafe.Pointer
	frBind(t, &argv, "fr_argv", Bind0)
	p := argv()
	assert.Equal(t, []string{"prog", "-v", "", "last"}, GoStrings(p, -1))
	assert.Equal(t, []string{"prog", "-v"}, GoStrings(p, 2))
	assert.Len(t, GoPointers(p, -1), 4)
	first := GoPointers(p, 1)[0]
	assert.Equal(t, "prog", GoString(first))
	assert.Equal(t, "pr", GoStringN(first, 2))
	assert.Equal(t, "prog", GoStringN(first, 100))
	assert.Equal(t, []byte("pro"), GoBytes(first, 3))
	assert.Nil(t, GoStrings(nil, -1))
	assert.Equal(t, "", GoString(nil))
}

func TestCallGeneralAllocs(t *testing.T) {
	if asanEnabled {
		t.Skip("allocation counts do not hold under -asan")
	}
	var sum9 func(int64, int64, int64, int64, int64, int64, int64, int64, int64) int64
	frBind(t, &sum9, "fr_sum9", Bind9)
	var s24 func(frS24) frS16
	frBind(t, &s24, "fr_struct24", Bind1)
	var out func(*int64, *float64, []byte, uintptr, *unsafe.Pointer) int32
	frBind(t, &out, "fr_out", Bind5)
	n, d, buf := int64(1), 0.0, make([]byte, 64)
	var obj unsafe.Pointer
	assert.Zero(t, testing.AllocsPerRun(200, func() { sum9(1, 2, 3, 4, 5, 6, 7, 8, 9) }), "sum9")
	assert.Zero(t, testing.AllocsPerRun(200, func() { s24(frS24{1, 2, 3}) }), "struct24")
	assert.Zero(t, testing.AllocsPerRun(200, func() { out(&n, &d, buf, 64, &obj) }), "out-parameters")
}

// Before the general path, a []byte argument was copied into scratch
// memory and never copied back: C's writes were silently lost.
func TestCallBytesCopiedBack(t *testing.T) {
	var out func(unsafe.Pointer, unsafe.Pointer, []byte, uintptr, unsafe.Pointer) int32
	frBind(t, &out, "fr_out", Bind5)
	buf := []byte{10, 20, 30}
	require.Equal(t, int32(7), out(nil, nil, buf, uintptr(len(buf)), nil))
	assert.Equal(t, []byte{11, 22, 33}, buf)
}

// Before the general path, a float extra of a variadic function was
// passed without setting %al on amd64: snprintf("%.2f", 3.14) gave 0.00.
// On Apple arm64 variadic extras go on the stack, so forgetting Variadic
// is wrong there whatever hffi does.
func TestCallVariadicFloatUnmarked(t *testing.T) {
	if runtime.GOOS == "darwin" && runtime.GOARCH == "arm64" {
		t.Skip("Apple arm64 passes variadic extras on the stack: Variadic is required")
	}
	var vsum func(string, float64, float64) float64
	frBind(t, &vsum, "fr_vsum", Bind3)
	assert.Equal(t, 0.5+2*1.25, vsum("dd", 0.5, 1.25))
}

// A target whose C calling convention hffi does not implement fails to
// build, with the reason in the compiler's message.
func TestUnsupportedTargetFailsToBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gobin, "build", "-o", os.DevNull, ".")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=riscv64", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "supports_only_linux_and_darwin_on_amd64_and_arm64")
}

// TestGeneralBoolResult: a bool result is true for any nonzero low byte
// and is stored as Go's true (1), as the fast path, the copy path and
// WordFunc's callers (cmd/hffi-gen) make it; the general path (here, for
// the float parameter) stored the byte as it came, a bool that is
// neither true nor false to Go's code (b == true and !b both misbehave).
func TestGeneralBoolResult(t *testing.T) {
	var f func(x float64, v int32) bool
	frBind(t, &f, "fr_truthy", Bind2)
	var fe func(x float64, v int32) WithErrno[bool]
	frBind(t, &fe, "fr_truthy", Bind2)
	for _, v := range []int32{0, 1, 2, 0x80, 0xff, 0x100, 0x102} {
		want := uint8(0)
		if uint8(v) != 0 {
			want = 1
		}
		b := f(1, v)
		assert.Equal(t, want, *(*uint8)(unsafe.Pointer(&b)), "v %#x", v)
		r := fe(1, v)
		assert.Equal(t, want, *(*uint8)(unsafe.Pointer(&r.Value)), "WithErrno, v %#x", v)
	}
}
