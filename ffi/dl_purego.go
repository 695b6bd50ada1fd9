// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import (
	"runtime"

	"github.com/hffi-go/hffi"

	"github.com/ebitengine/purego"
)

const backendName = "purego"

// purego's Dlopen and Dlsym call dlerror in a second C call; the thread is
// locked so that both run on the same thread and the message is the right
// one.

func dlopen(path string) (uintptr, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return 0, newDLError(dlMsg(err), hffi.ENOTFOUND)
	}
	return h, nil
}

func dlsym(h uintptr, name string) (uintptr, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	a, err := purego.Dlsym(h, name)
	if err != nil {
		return 0, newDLError(dlMsg(err), hffi.ENOTFOUND)
	}
	return a, nil
}

func dlclose(h uintptr) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := purego.Dlclose(h); err != nil {
		return newDLError(dlMsg(err), hffi.EINVAL)
	}
	return nil
}

func dlMsg(err error) string {
	return err.Error()
}
