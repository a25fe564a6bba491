#!/bin/sh
# bench/run.sh TRAPEZE - the CPU-bound benchmark (bench/README.md).
#
# Assembles bench/crc.s, runs it BENCH_RUNS times (default 5) on the bare
# machine with `trapeze run --stats`, checks that every run prints the
# right CRC and exits 0, and prints each run's figures and then the
# median:
#
#   crc32 bench (paging on): N instructions, median S s, M MIPS (R runs)
#
# MIPS is simulated instructions retired per host second.  The host time
# is what `trapeze run --stats` measures around the run loop (so not
# loading the image); if its stats line has no time, the script's own
# wall clock for the whole command is used instead.  Nothing here asserts
# a time: the exit status is 0 if every run computed the right CRC, 1 if
# not, 2 for a bad command line.
set -u

if [ $# -ne 1 ]; then
	echo "usage: bench/run.sh TRAPEZE" >&2
	exit 2
fi
trapeze=$1
runs=${BENCH_RUNS:-5}
case $runs in
'' | *[!0-9]* | 0)
	echo "bench: BENCH_RUNS must be a positive number, not '$runs'" >&2
	exit 2
	;;
esac

here=$(dirname "$0")
expected="crc 402791ec"
bytes=$((36000 * 4096)) # what crc.s processes: 36000 buffers of 4 KiB
# A guard, far above the ~1.33e9 cycles a run takes: a broken build stops
# instead of spinning for ever.
max_cycles=100000000000

tmp=$(mktemp -d "${TMPDIR:-/tmp}/trapeze-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$trapeze" as "$here/crc.s" -o "$tmp/crc.elf"; then
	echo "bench: cannot assemble $here/crc.s" >&2
	exit 1
fi

# Wall-clock seconds since the epoch, with a fraction if date has %N.
now() {
	date +%s.%N 2>/dev/null | sed 's/\.N$/.0/; s/\.%N$/.0/'
}

i=1
: >"$tmp/times"
instructions=
while [ "$i" -le "$runs" ]; do
	t0=$(now)
	"$trapeze" run --stats --max-cycles=$max_cycles "$tmp/crc.elf" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	t1=$(now)
	out=$(cat "$tmp/out")
	if [ "$rc" -ne 0 ] || [ "$out" != "$expected" ]; then
		echo "bench: run $i failed (exit status $rc): expected '$expected', got:" >&2
		cat "$tmp/out" "$tmp/err" >&2
		exit 1
	fi
	# trapeze run: I instructions, C cycles, S.SSS s, M MIPS
	stats=$(grep '^trapeze run: [0-9]* instructions' "$tmp/err")
	n=$(echo "$stats" | sed -n 's/^trapeze run: \([0-9]*\) instructions.*/\1/p')
	secs=$(echo "$stats" | sed -n 's/.* \([0-9][0-9.]*\) s,.*/\1/p')
	if [ -z "$n" ]; then
		echo "bench: no '--stats' line from $trapeze run:" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
	if [ -z "$secs" ]; then
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	fi
	instructions=$n
	echo "$secs" >>"$tmp/times"
	awk -v i="$i" -v n="$n" -v s="$secs" 'BEGIN {
		printf "run %d: %d instructions, %.3f s, %.1f MIPS\n", i, n, s,
		       (s > 0 ? n / s / 1e6 : 0) }'
	i=$((i + 1))
done

sort -n "$tmp/times" | awk -v n="$instructions" -v runs="$runs" -v bytes="$bytes" '
	{ t[NR] = $1 }
	END {
		m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
		printf "crc32 bench (paging on): %d instructions, median %.3f s, %.1f MIPS (%d runs)\n",
		       n, m, (m > 0 ? n / m / 1e6 : 0), runs
		printf "  %.2f instructions per byte of data (inner loops: fill 1.25, crc 7)\n",
		       n / bytes
	}'
