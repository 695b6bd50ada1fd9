// SPDX-License-Identifier: Apache-2.0

//go:build darwin && (amd64 || arm64)

package shm

import "golang.org/x/sys/unix"

// Darwin ignores MAP_NORESERVE; PROT_NONE pages are not charged anyway.
const mapFlags = unix.MAP_PRIVATE | unix.MAP_ANON
