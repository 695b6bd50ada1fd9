// SPDX-License-Identifier: Apache-2.0

//go:build !race

package handles_test

const raceEnabled = false
