// SPDX-License-Identifier: Apache-2.0

//go:build cgo

package main

// haveCgo says whether the child process of the naive way can be built.
const haveCgo = true
