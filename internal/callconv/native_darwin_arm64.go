// SPDX-License-Identifier: Apache-2.0

package callconv

// Native is the C calling convention of this build's target.
const Native = AppleA64
