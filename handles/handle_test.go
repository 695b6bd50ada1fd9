// SPDX-License-Identifier: Apache-2.0

package handles_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/hffi-go/hffi/internal/abi"
)

// The cases of Go's runtime/cgo/handle_test.go, on the drop-in API.
func TestHandle(t *testing.T) {
	handlestest.Track(t)
	v := 42
	tests := []struct {
		name   string
		v1, v2 any
	}{
		{"int", v, v},
		{"pointer", &v, &v},
		{"nil", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h1 := handles.NewHandle(tt.v1)
			h2 := handles.NewHandle(tt.v2)
			require.NotZero(t, uintptr(h1))
			require.NotZero(t, uintptr(h2))
			require.NotEqual(t, h1, h2, "equal values get distinct handles")
			assert.Equal(t, tt.v1, h1.Value())
			assert.Equal(t, tt.v1, h2.Value())
			h1.Delete()
			h2.Delete()
		})
	}
	assert.Zero(t, handles.Default().Len(), "the table is empty afterwards")
}

func TestInvalidHandle(t *testing.T) {
	handlestest.Track(t)
	live := handles.NewHandle(42)
	defer live.Delete()
	deleted := handles.NewHandle(43)
	deleted.Delete()
	other := newTable(t)
	foreign, err := other.New(1)
	require.NoError(t, err)
	defer func() { require.NoError(t, other.Delete(foreign)) }()

	tests := []struct {
		name string
		h    handles.Handle
		code hffi.Code
		msg  string
	}{
		{"zero", 0, hffi.EZERO, "handles: Delete of zero handle 0x0 (HFFI_EZERO)"},
		// Not h+1 (that is another slot): the same slot, a generation
		// that was never issued.
		{"forged", forge(live, genOf(live)+1), hffi.EFORGED, "forged handle"},
		{"deleted", deleted, hffi.EDELETED, fmt.Sprintf("handles: Delete of deleted handle %#x (HFFI_EDELETED)", uint64(deleted))},
		{"other table", foreign, hffi.ETABLE, "handle of another table"},
		{"reference", handles.Handle(abi.RefTag | 1), hffi.EKIND, "arena reference"},
		{"out of range", handles.Handle(abi.MakeHandle(abi.TableDefault, 1, abi.HandleIndexMax)), hffi.ERANGE, "out-of-range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, op := range []func(){func() { tt.h.Delete() }, func() { tt.h.Value() }} {
				r := catch(op)
				require.NotNil(t, r, "misuse must panic")
				err, ok := r.(error)
				require.True(t, ok, "the panic value is an error")
				assert.ErrorIs(t, err, tt.code)
			}
			r, _ := catch(func() { tt.h.Delete() }).(error)
			require.NotNil(t, r)
			assert.Contains(t, r.Error(), tt.msg)
			_, err := handles.Default().Value(tt.h)
			assert.ErrorIs(t, err, tt.code, "Lookup gives the code as an error")
			assert.ErrorIs(t, handles.Default().Delete(tt.h), tt.code)
		})
	}
	assert.Equal(t, 42, live.Value(), "misuse did not disturb the live handle")
}

func catch(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

func TestPanicMessage(t *testing.T) {
	handlestest.Track(t)
	h := handles.NewHandle("x")
	h.Delete()
	r := catch(func() { h.Value() })
	assert.Equal(t, fmt.Sprintf("handles: Value of deleted handle %#x (HFFI_EDELETED)", uint64(h)), r.(error).Error())
	var he *handles.Error
	require.True(t, errors.As(r.(error), &he))
	assert.Equal(t, h, he.Handle)
	assert.Equal(t, "Value", he.Op)
}

func TestSafeAPI(t *testing.T) {
	handlestest.Track(t)
	h := handles.NewHandle([]string{"a"})
	v, err := handles.Default().Value(h)
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, v)
	require.NoError(t, handles.Check(h))
	require.NoError(t, handles.Default().Delete(h))
	_, err = handles.Default().Value(h)
	assert.ErrorIs(t, err, hffi.EDELETED)
	assert.Equal(t, hffi.EDELETED, hffi.ErrCode(err))
	assert.ErrorIs(t, handles.Default().Delete(h), hffi.EDELETED, "double delete is an error, not a crash")
	assert.ErrorIs(t, handles.Check(h), hffi.EDELETED)
	assert.Contains(t, handles.Default().Delete(h).Error(), "handles: delete 0x")
}

// Every 64-bit integer is rejected or accepted without a panic, and the
// codes of the table's Get agree with the table-less Check.
func TestNeverPanics(t *testing.T) {
	for _, v := range []uint64{0, 1, ^uint64(0), 1 << 52, 1<<52 | 1<<24, abi.RefTag, 0x7fff_ffff_ffff_ffff} {
		h := handles.Handle(v)
		assert.NotPanics(t, func() {
			_, _ = handles.Default().Value(h)
			_ = handles.Default().Delete(h)
			_ = handles.Check(h)
			_ = handles.Retain(h)
			_ = handles.Release(h)
			_, _, _ = handles.CObject(h)
			_, _, _ = handles.TakeCObject(h)
		}, "%#x", v)
	}
}

// More dynamic types than the type cache has entries (New inlines its
// hit), interleaved with nil interfaces, whose entry other types take
// over: every value comes back with its own type.
func TestTypeCacheCollisions(t *testing.T) {
	handlestest.Track(t)
	var hs []handles.Handle
	var want []any
	for round := 0; round < 2; round++ { // the second round finds the types numbered
		for n := 1; n <= 600; n++ {
			v := reflect.New(reflect.ArrayOf(n, reflect.TypeOf(byte(0)))).Elem()
			v.Index(0).SetUint(uint64(n))
			p := reflect.New(v.Type()) // pointer-shaped too
			for _, x := range []any{v.Interface(), nil, p.Interface()} {
				hs = append(hs, handles.NewHandle(x))
				want = append(want, x)
			}
		}
	}
	for i, h := range hs {
		got := h.Value()
		require.Equal(t, reflect.TypeOf(want[i]), reflect.TypeOf(got), "handle %d", i)
		require.Equal(t, want[i], got, "handle %d", i)
		h.Delete()
	}
}

// Handle.Delete and Handle.Value of a process that has no default table
// yet (their fast paths load it without creating it) fail cleanly, and
// NewHandle creates it (checked in a child process, where nothing made
// the table before).
func TestBeforeDefaultTable(t *testing.T) {
	if os.Getenv("HFFI_TEST_NODEFAULT_CHILD") == "1" {
		require.False(t, handles.DefaultExists(), "the default table exists before the test")
		h := handles.Handle(abi.MakeHandle(abi.TableDefault, 1, 0))
		r, _ := catch(func() { h.Delete() }).(error)
		assert.ErrorIs(t, r, hffi.ERANGE, "Delete before the default table")
		r, _ = catch(func() { handles.Handle(abi.MakeHandle(abi.TableDefault, 1, 1)).Value() }).(error)
		assert.ErrorIs(t, r, hffi.ERANGE, "Value before the default table")
		h = handles.NewHandle("first")
		assert.Equal(t, "first", h.Value())
		h.Delete()
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBeforeDefaultTable$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "HFFI_TEST_NODEFAULT_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child:\n%s", out)
	assert.Contains(t, string(out), "--- PASS: TestBeforeDefaultTable")
}
