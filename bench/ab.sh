#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# ab.sh compares the benchmarks of ./bench (or another package) at a git
# revision with the working tree, alternating the two test binaries so
# that both see the same machine load. On a shared, noisy machine this is
# the reliable way to measure a change of a few percent.
#
#   bench/ab.sh [-r REV] [-n ROUNDS] [-p PKG] BENCH-REGEXP
#
#   -r REV     the old side (default HEAD)
#   -n ROUNDS  runs of each binary, alternating (default 10)
#   -p PKG     the package (default ./bench)
#
# It writes old.txt and new.txt into a temporary directory and runs
# benchstat on them if it is installed
# (go install golang.org/x/perf/cmd/benchstat@latest).
set -euo pipefail

rev=HEAD rounds=10 pkg=./bench
while getopts "r:n:p:" opt; do
	case $opt in
	r) rev=$OPTARG ;;
	n) rounds=$OPTARG ;;
	p) pkg=$OPTARG ;;
	*) sed -n '4,17p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ]; then
	sed -n '4,17p' "$0" >&2
	exit 2
fi
pattern=$1

root=$(git rev-parse --show-toplevel)
cd "$root"
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/old" >/dev/null 2>&1 || true; rm -rf "$tmp/old"' EXIT
git worktree add --detach -q "$tmp/old" "$rev"
(cd "$tmp/old" && go test -c -o "$tmp/old.test" "$pkg")
go test -c -o "$tmp/new.test" "$pkg"

# Run from the package directory, as go test does.
cd "$pkg"
for i in $(seq "$rounds"); do
	"$tmp/old.test" -test.run '^$' -test.bench "$pattern" -test.count 1 | grep '^Benchmark' >> "$tmp/old.txt"
	"$tmp/new.test" -test.run '^$' -test.bench "$pattern" -test.count 1 | grep '^Benchmark' >> "$tmp/new.txt"
	printf 'round %d of %d\r' "$i" "$rounds" >&2
done
echo >&2
echo "results: $tmp/old.txt ($rev) and $tmp/new.txt (working tree)"
if command -v benchstat >/dev/null; then
	benchstat "$tmp/old.txt" "$tmp/new.txt"
elif [ -x "$(go env GOPATH)/bin/benchstat" ]; then
	"$(go env GOPATH)/bin/benchstat" "$tmp/old.txt" "$tmp/new.txt"
else
	echo "benchstat not found: go install golang.org/x/perf/cmd/benchstat@latest" >&2
fi
