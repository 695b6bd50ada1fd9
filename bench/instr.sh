#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# instr.sh counts the instructions one iteration of a benchmark executes,
# with valgrind's callgrind: the difference between a run of N+1000 and a
# run of 1000 iterations, divided by N. Unlike ns/op on a shared, loaded
# machine, the count is the same from run to run (within a few tenths of
# a percent with GOGC=off, which keeps garbage collections from landing in
# one run and not the other; allocation itself is still counted), so a
# change of a few percent shows at once. It does not see cache misses or
# memory bandwidth: confirm a gain in time with ab.sh.
#
#   bench/instr.sh [-r REV] [-n N] [-p PKG] BENCH...
#
#   -r REV  also count the test binary of revision REV (default: only the
#           working tree)
#   -n N    iterations (default 20000)
#   -p PKG  the package (default ./bench)
#
# BENCH is a full benchmark name such as BenchmarkMapFromC/hffi-view.
# Needs valgrind. Example:
#
#   GOGC=off bench/instr.sh -r main BenchmarkMapToC/hffi BenchmarkMapIterGo
set -euo pipefail

rev="" n=20000 pkg=./bench
while getopts "r:n:p:" opt; do
	case $opt in
	r) rev=$OPTARG ;;
	n) n=$OPTARG ;;
	p) pkg=$OPTARG ;;
	*) sed -n '4,21p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ] || ! command -v valgrind >/dev/null; then
	sed -n '4,21p' "$0" >&2
	exit 2
fi

root=$(git rev-parse --show-toplevel)
cd "$root"
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/old" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
bins=()
if [ -n "$rev" ]; then
	git worktree add --detach -q "$tmp/old" "$rev"
	(cd "$tmp/old" && go test -c -o "$tmp/old.test" "$pkg")
	bins+=("$tmp/old.test")
fi
go test -c -o "$tmp/new.test" "$pkg"
bins+=("$tmp/new.test")

# anchored BENCH is the -test.bench pattern that matches BENCH alone: go
# test matches each /-separated level on its own, so ^A/B$ would also run
# A2/B (BenchmarkNewDelete/hffi ran BenchmarkNewDeleteParallel/hffi too).
anchored() { printf '^%s$' "$(printf %s "$1" | sed 's|/|$/^|g')"; }

# count BIN BENCH ITERATIONS: the instructions of a whole run. Go's
# asynchronous preemption signals upset callgrind, so they are off.
count() {
	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$1" -test.run '^$' -test.bench "$(anchored "$2")" -test.benchtime "$3x" -test.cpu 1 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

# Fixtures that benchmarks compile at run time are built by a first run
# outside callgrind and reused (internal/cbuild): callgrind aborts on the
# SIGCHLD of the compiler (and of `go env CC`, hence CC). A revision
# older than that reuse cannot be counted when its benchmark compiles a
# fixture.
export HFFI_CBUILD_CACHE="$tmp/cbuild"
CC=$(go env CC)
export CC
cd "$pkg"
for bench in "$@"; do
	for bin in "${bins[@]}"; do
		"$bin" -test.run '^$' -test.bench "$(anchored "$bench")" -test.benchtime 1x >/dev/null
	done
done
for bench in "$@"; do
	for bin in "${bins[@]}"; do
		a=$(count "$bin" "$bench" 1000)
		b=$(count "$bin" "$bench" $((n + 1000)))
		awk -v a="$a" -v b="$b" -v n="$n" -v name="$bench" -v side="$(basename "$bin" .test)" \
			'BEGIN { printf "%-4s %-45s %10.0f instructions/op\n", side, name, (b - a) / n }'
	done
done
