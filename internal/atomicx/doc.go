// SPDX-License-Identifier: Apache-2.0

// Package atomicx has the atomic operations on shared (off-heap) memory
// that sync/atomic lacks.
package atomicx
