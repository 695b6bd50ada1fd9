// SPDX-License-Identifier: Apache-2.0

//go:build !cgo

package main

const haveCgo = false
