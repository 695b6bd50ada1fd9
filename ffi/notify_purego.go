// SPDX-License-Identifier: Apache-2.0

//go:build !cgo || hffi_purego

package ffi

import (
	"sync"

	"github.com/hffi-go/hffi/handles"
)

// Each notify is one purego callback, made on first use.
var (
	notifyMu              sync.Mutex
	closeNotifyP, relNotP uintptr
)

func closeNotifyFn() (uintptr, error) {
	notifyMu.Lock()
	defer notifyMu.Unlock()
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
	if relNotP == 0 {
		p, err := pgNewCallback(func(h uintptr) {
			if err := handles.Release(handles.Handle(h)); err != nil {
				failures.Add(1)
				if hk := hook.Load(); hk != nil {
					callHook(*hk, &CallbackError{UserData: h, Code: codeOf(err)})
				}
			}
		})
		if err != nil {
			return 0, err
		}
		relNotP = p
	}
	return relNotP, nil
}
