// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/hffi-go/hffi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCallbackCatchGoexit: with CatchGoexit, runtime.Goexit in the Go
// function (what t.FailNow and require do) fails that call like a panic,
// on a C thread and on a call from Go, and everything goes on.
func TestCallbackCatchGoexit(t *testing.T) {
	ftNoLeaks(t)
	hook := ftSetHook(t)
	var (
		call     func(uintptr, uintptr, int, int) int
		onThread func(uintptr, uintptr, int, int) int
		callF    func(uintptr, uintptr, float64, float64) float64
	)
	ftBind(t, &call, "ft_call_cb2", Bind4)
	ftBind(t, &onThread, "ft_call_cb2_thread", Bind4)
	ftBind(t, &callF, "ft_call_cb_dd", Bind4)

	var deferred atomic.Int32
	c := ftMust(t)(NewCallback2(func(a, b int) int {
		defer deferred.Add(1) // Goexit runs the function's defers
		switch a {
		case 0:
			runtime.Goexit()
		case 1:
			panic("boom")
		}
		return a + b
	}, CatchGoexit()))
	callers := []struct {
		name string
		call func(uintptr, uintptr, int, int) int
	}{{"Go thread", call}, {"C thread", onThread}}
	for _, caller := range callers {
		t.Run(caller.name, func(t *testing.T) {
			deferred.Store(0)
			assert.Equal(t, 5, caller.call(c.Fn(), uintptr(c.Handle()), 2, 3))

			assert.Equal(t, int(hffi.EPANIC), caller.call(c.Fn(), uintptr(c.Handle()), 0, 0), "Goexit")
			err := c.Err()
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrGoexit)
			assert.ErrorIs(t, err, hffi.EPANIC)
			assert.Equal(t, "ffi: callback "+hex(uintptr(c.Handle()))+": runtime.Goexit called in the Go function", err.Error())
			var ce *CallbackError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, string(ce.Stack), "TestCallbackCatchGoexit", "the stack of the Goexit")
			errs := hook.take()
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrGoexit)

			assert.Equal(t, int(hffi.EPANIC), caller.call(c.Fn(), uintptr(c.Handle()), 1, 0), "panic")
			require.ErrorAs(t, c.Err(), &ce)
			assert.NotErrorIs(t, ce, ErrGoexit)
			assert.Equal(t, "boom", ce.Panic)
			assert.Contains(t, string(ce.Stack), "TestCallbackCatchGoexit", "the stack of the panic, on the coroutine")
			assert.Len(t, hook.take(), 1)

			assert.Equal(t, 9, caller.call(c.Fn(), uintptr(c.Handle()), 4, 5), "the callback still works")
			assert.Equal(t, int32(4), deferred.Load())
		})
	}

	t.Run("float result", func(t *testing.T) {
		f := ftMust(t)(NewCallback2(func(a, b float64) float64 {
			if a < 0 {
				runtime.Goexit()
			}
			return a * b
		}, CatchGoexit(), UserDataFirst()))
		assert.Equal(t, 6.0, callF(f.Fn(), uintptr(f.Handle()), 2, 3))
		assert.True(t, math.IsNaN(callF(f.Fn(), uintptr(f.Handle()), -1, 3)))
		assert.ErrorIs(t, f.Err(), ErrGoexit)
		hook.take()
	})

	t.Run("many", func(t *testing.T) {
		// Each caught Goexit ends its coroutine: no goroutine is left behind.
		before := runtime.NumGoroutine()
		for range 200 {
			require.Equal(t, int(hffi.EPANIC), onThread(c.Fn(), uintptr(c.Handle()), 0, 0))
			require.Equal(t, int(hffi.EPANIC), call(c.Fn(), uintptr(c.Handle()), 0, 0))
		}
		assert.LessOrEqual(t, runtime.NumGoroutine(), before+2)
		assert.Len(t, hook.take(), 400)
	})
}

// TestCallbackGoexitUncaught pins down what runtime.Goexit does in a
// callback made without CatchGoexit: the error is recorded before the
// goroutine goes on exiting; on a call from Go, the goroutine that called
// C ends; on a C thread, the runtime aborts the process (checked in a
// child process).
func TestCallbackGoexitUncaught(t *testing.T) {
	if os.Getenv("HFFI_TEST_GOEXIT_CHILD") == "1" {
		goexitOnCThread(t)
		return
	}
	ftNoLeaks(t)
	hook := ftSetHook(t)
	var call func(uintptr, uintptr, int, int) int
	ftBind(t, &call, "ft_call_cb2", Bind4)
	c := ftMust(t)(NewCallback2(func(a, b int) int {
		if a == 0 {
			runtime.Goexit()
		}
		return a + b
	}))

	var after atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		call(c.Fn(), uintptr(c.Handle()), 0, 0)
		after.Store(true) // never: the goroutine exits
	}()
	<-done
	assert.False(t, after.Load(), "the goroutine that called C exited")
	assert.ErrorIs(t, c.Err(), ErrGoexit)
	errs := hook.take()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrGoexit)
	assert.Equal(t, 3, call(c.Fn(), uintptr(c.Handle()), 1, 2), "the callback still works")

	t.Run("C thread", func(t *testing.T) {
		if testing.Short() {
			t.Skip("starts a child process")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCallbackGoexitUncaught$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HFFI_TEST_GOEXIT_CHILD=1")
		out, err := cmd.CombinedOutput()
		require.Error(t, err, "the child must die:\n%s", out)
		assert.Contains(t, string(out), "hook: ffi: callback 0x", "the hook ran before the abort")
		assert.Contains(t, string(out), "runtime.Goexit called in the Go function")
		assert.Contains(t, string(out), "make the callback with ffi.CatchGoexit()", "hffi says what to do before the abort")
		assert.Contains(t, string(out), "fatal error: runtime.Goexit called in a thread that was not created by the Go runtime")
	})
}

// goexitOnCThread is the child of TestCallbackGoexitUncaught: it does not
// return.
func goexitOnCThread(t *testing.T) {
	var onThread func(uintptr, uintptr, int, int) int
	ftBind(t, &onThread, "ft_call_cb2_thread", Bind4)
	SetCallbackErrorHook(func(e *CallbackError) { fmt.Fprintln(os.Stderr, "hook:", e) })
	c, err := NewCallback2(func(a, b int) int { runtime.Goexit(); return 0 })
	require.NoError(t, err)
	fmt.Fprintln(os.Stderr, "returned to Go:", onThread(c.Fn(), uintptr(c.Handle()), 0, 0))
}
