#!/bin/sh
# bench/ab.sh OLD_TRAPEZE NEW_TRAPEZE - the CPU-bound benchmark on two
# builds, interleaved (bench/README.md, "Comparing two builds").
#
# Runs bench/run.sh with one run on OLD, then one on NEW, BENCH_RUNS times
# (default 9), and prints each build's median MIPS.  On a shared host the
# speed of one build drifts from one minute to the next, so two builds are
# only comparable measured turn about, in one session.  Nothing here
# asserts a speed: the exit status is 0 if every run computed the right
# CRC, 1 if not, 2 for a bad command line.
set -u

if [ $# -ne 2 ]; then
	echo "usage: bench/ab.sh OLD_TRAPEZE NEW_TRAPEZE" >&2
	exit 2
fi
runs=${BENCH_RUNS:-9}
case $runs in
'' | *[!0-9]* | 0)
	echo "bench: BENCH_RUNS must be a positive number, not '$runs'" >&2
	exit 2
	;;
esac
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/trapeze-ab.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

i=1
while [ "$i" -le "$runs" ]; do
	for side in old new; do
		if [ $side = old ]; then build=$1; else build=$2; fi
		out=$(BENCH_RUNS=1 "$here/run.sh" "$build") || {
			echo "$out" >&2
			exit 1
		}
		mips=$(echo "$out" | sed -n 's/^crc32 bench.* \([0-9.]*\) MIPS.*/\1/p')
		echo "$mips" >>"$tmp/$side"
		echo "run $i $side: $mips MIPS"
	done
	i=$((i + 1))
done

for side in old new; do
	sort -n "$tmp/$side" | awk -v side="$side" '
		{ v[NR] = $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%s: median %.1f MIPS (%d runs)\n", side, m, NR
		}'
done
