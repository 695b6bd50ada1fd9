// SPDX-License-Identifier: Apache-2.0

//go:build linux && (amd64 || arm64)

package shm

import "golang.org/x/sys/unix"

// MAP_NORESERVE: reserved address space is not charged against overcommit.
const mapFlags = unix.MAP_PRIVATE | unix.MAP_ANON | unix.MAP_NORESERVE
