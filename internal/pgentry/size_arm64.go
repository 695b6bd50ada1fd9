// SPDX-License-Identifier: Apache-2.0

//go:build linux

package pgentry

// entrySize is a MOVD to R12 and a B (entry_arm64.s).
const entrySize = 8
