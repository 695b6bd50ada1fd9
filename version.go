// SPDX-License-Identifier: Apache-2.0

package hffi

// Version is the version of hffi, HFFI_VERSION_STRING in hffi.h; C gets
// the same number from hffi_version().
const Version = "0.1.0"

// ABIVersion is HFFI_ABI_VERSION: it changes whenever a layout or bit
// packing shared with C changes. A C library built against another ABI
// version gets EVERSION from every check of the root.
const ABIVersion = 2
