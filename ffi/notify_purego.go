// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import (
	"sync"

	"github.com/hffi-go/hffi/handles"
)

// Each notify is an entry point of hffi's own on linux, amd64 and arm64 (see
// entry_purego_linux.go), elsewhere one purego callback, made on
// first use.
var (
	notifyMu              sync.Mutex
	closeNotifyP, relNotP uintptr
)

func closeNotifyFn() (uintptr, error) {
	notifyMu.Lock()
	defer notifyMu.Unlock()
	if havePgEntry {
		return pgNotifyAddr(0), nil
	}
	if closeNotifyP == 0 {
		p, err := pgNewCallback(func(ud uintptr) { closeNotify(ud) })
		if err != nil {
			return 0, err
		}
		closeNotifyP = p
	}
	return closeNotifyP, nil
}

// releaseNotifyFn is the Go twin of the C notify of the cgo backend
// (hffi_handle_release on the shared root).
func releaseNotifyFn() (uintptr, error) {
	notifyMu.Lock()
	defer notifyMu.Unlock()
	if havePgEntry {
		return pgNotifyAddr(1), nil
	}
	if relNotP == 0 {
		p, err := pgNewCallback(releaseNotify)
		if err != nil {
			return 0, err
		}
		relNotP = p
	}
	return relNotP, nil
}

func releaseNotify(h uintptr) {
	if err := handles.Release(handles.Handle(h)); err != nil {
		failures.Add(1)
		if hk := hook.Load(); hk != nil {
			callHook(*hk, &CallbackError{UserData: h, Code: codeOf(err)})
		}
	}
}
