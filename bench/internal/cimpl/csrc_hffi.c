/* SPDX-License-Identifier: Apache-2.0 */
//go:build cgo

#include "../../../csrc/hffi.c"
