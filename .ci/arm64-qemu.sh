#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The linux/arm64 purego backend, run under qemu-user: hffi's own
# assembly for arm64 (internal/pgentry's callback entry points,
# internal/callconv's call trampoline, the AAPCS64 frames) and the real
# libraries, with Debian's arm64 builds of them. The C fixtures the tests
# compile at run time use the aarch64 cross compiler. -test.short skips
# the tests that re-run the test binary as a child process (no binfmt
# here to run it).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(internal/pgentry internal/callconv ffi ffi/libtest handles arena values)
libs=(libc6:arm64 libffi8:arm64 libsqlite3-0:arm64 zlib1g:arm64 libglib2.0-0:arm64 libcurl4:arm64)

if ! command -v qemu-aarch64 >/dev/null || ! command -v aarch64-linux-gnu-gcc >/dev/null ||
	! dpkg -s "${libs[@]}" >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	# A mirror without arm64 packages is not a failure of hffi: say so
	# loudly and stop here; a test that fails below is one.
	if ! { dpkg --add-architecture arm64 && apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends qemu-user gcc-aarch64-linux-gnu \
			libc6-dev-arm64-cross "${libs[@]}"; } >"${TMPDIR:-/tmp}/hffi-arm64-apt.log" 2>&1; then
		tail -n 20 "${TMPDIR:-/tmp}/hffi-arm64-apt.log"
		echo "NOT RUN: linux/arm64 under qemu (could not install qemu-user and Debian's arm64 libraries; log above)"
		dpkg --remove-architecture arm64 2>/dev/null || true
		exit 0
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for p in "${pkgs[@]}"; do
	GOARCH=arm64 CGO_ENABLED=0 go test -c -o "$tmp/t.test" "./$p"
	start=$(date +%s)
	(cd "$p" && CC=aarch64-linux-gnu-gcc timeout -s KILL 900 qemu-aarch64 "$tmp/t.test" \
		-test.short -test.count=1 -test.timeout 600s)
	printf 'ok  %-22s linux/arm64 under qemu, %d s\n' "./$p" $(( $(date +%s) - start ))
done
