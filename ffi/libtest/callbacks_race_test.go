// SPDX-License-Identifier: Apache-2.0

//go:build race

package libtest

// cbRace scales the callback stress tests down under the race detector.
const cbRace = true
