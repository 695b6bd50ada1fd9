// SPDX-License-Identifier: Apache-2.0

//go:build cgo && !hffi_purego

package bench

func init() {
	mapPeerToC = mapPeerMarshalToC
	mapPeerFromC = mapPeerJSONFromC
	mapPeerFromCInto = mapPeerJSONFromCInto
	mapBuildInC = mapPeerBuildInC
}
