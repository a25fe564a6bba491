#!/bin/sh
# bench/debug.sh TRAPEZE GUESTOS.elf GUESTOS.disk - what the debugger costs.
#
# The guest OS boots under --vmm, BENCH_RUNS times (default 5) each way,
# interleaved; medians of the wall-clock time of the whole command:
#
#   run        trapeze run --vmm
#   continue   trapeze debug --vmm, `continue`: the VMM in whole turns
#   break      the same with a breakpoint that is never reached: the
#              guest goes one instruction per tick (a world switch in and
#              out around each), so that every pc can be checked
#   catch      the same with `catch exit all` and a `continue` per exit:
#              a stop at every exit of the boot
#
# and the ratios to `run`.  Nothing here asserts a time; the exit status
# is 1 if a run did not print the boot's last line.
set -u
if [ $# -ne 3 ]; then
	echo "usage: $0 TRAPEZE GUESTOS.elf GUESTOS.disk" >&2
	exit 2
fi
T=$1 G=$2 D=$3
RUNS=${BENCH_RUNS:-5}
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT
status=0

# now_ms: the wall clock in milliseconds.
now_ms() { date +%s%N | cut -c1-13; }

printf 'continue\n' > "$TMP/continue.x"
printf 'break 0xfffffff0\ncontinue\n' > "$TMP/break.x"
{ echo 'catch exit all'; i=0; while [ $i -lt 12000 ]; do echo continue; i=$((i + 1)); done; } > "$TMP/catch.x"

# sample KIND: one timed boot, its milliseconds appended to TMP/KIND.
sample() {
	start=$(now_ms)
	case $1 in
	run) "$T" run --vmm "--disk=$D" "$G" > "$TMP/out" 2>&1 ;;
	*) "$T" debug --vmm -x "$TMP/$1.x" "--disk=$D" "$G" > "$TMP/out" 2>&1 ;;
	esac
	end=$(now_ms)
	grep -q 'guestos: halt after 5 processes' "$TMP/out" || {
		echo "bench/debug.sh: $1: the guest OS did not finish" >&2
		status=1
	}
	echo $((end - start)) >> "$TMP/$1"
}

median() { sort -n "$TMP/$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

i=0
while [ $i -lt "$RUNS" ]; do
	for k in run continue break catch; do sample $k; done
	i=$((i + 1))
done
base=$(median run)
echo "debugger: the guest OS under --vmm, median of $RUNS (wall clock, whole command)"
for k in run continue break catch; do
	m=$(median $k)
	awk -v k="$k" -v m="$m" -v b="$base" 'BEGIN {
		printf "  %-9s %6d ms   %5.2fx run\n", k, m, (b > 0 ? m / b : 0) }'
done
exit $status
