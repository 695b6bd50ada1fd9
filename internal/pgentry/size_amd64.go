// SPDX-License-Identifier: Apache-2.0

//go:build linux

package pgentry

// entrySize is one CALL rel32 (entry_amd64.s).
const entrySize = 5
