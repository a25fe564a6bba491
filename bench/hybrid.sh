#!/bin/sh
# bench/hybrid.sh TRAPEZE GUESTOS.elf GUESTOS.disk - the guest OS's boot
# under the three ways this VMM runs an unmodified kernel (bench/README.md,
# "The hybrid VMM"):
#
#   trap-and-emulate  --vmm (clean mode: on the leaky machine it breaks)
#   patched           --vmm --mode=leaky --patch (binary patching)
#   hybrid            --vmm --hybrid, clean and leaky (Theorem 3: the
#                     kernel interpreted, its processes run directly)
#
# For each: exits (world switches), instructions interpreted, host cycles
# (the machine's clock: the guest's cycles plus what the VMM charges,
# VMM_COSTS in vmm/vmm.h) and guest cycles, from one --stats run (the
# machine is deterministic), and the host time of one boot: the mean
# --stats time (the run loop only) of a batch of GUESTOS_BOOTS boots
# (default 5), median of BENCH_RUNS batches (default 5), the techniques'
# batches interleaved so that a change in the host's speed hits all alike.
#
# Nothing here asserts a time: the exit status is 0 if every boot printed
# the bytes of tests/e2e-guestos/expected.out and exited 0, 1 if not, 2
# for a bad command line.
set -u

if [ $# -ne 3 ]; then
	echo "usage: bench/hybrid.sh TRAPEZE GUESTOS.elf GUESTOS.disk" >&2
	exit 2
fi
trapeze=$1
guestos=$2
disk=$3
runs=${BENCH_RUNS:-5}
boots=${GUESTOS_BOOTS:-5}
for n in "$runs" "$boots"; do
	case $n in
	'' | *[!0-9]* | 0)
		echo "bench: BENCH_RUNS and GUESTOS_BOOTS must be positive numbers, not '$n'" >&2
		exit 2
		;;
	esac
done
expected=$(dirname "$0")/../tests/e2e-guestos/expected.out

tmp=$(mktemp -d "${TMPDIR:-/tmp}/trapeze-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# The techniques: a name, then its options (one word each).
TECHNIQUES="trap-and-emulate:--vmm patched:--vmm,--mode=leaky,--patch \
hybrid-clean:--vmm,--hybrid hybrid-leaky:--vmm,--mode=leaky,--hybrid"

status=0
# boot NAME OPTS: one boot with --stats into $tmp/NAME.{out,err}; checks it
boot() {
	# shellcheck disable=SC2046 # the options are split on purpose
	"$trapeze" run --stats $(echo "$2" | tr , ' ') "--disk=$disk" "$guestos" \
		< /dev/null > "$tmp/$1.out" 2> "$tmp/$1.err"
	rc=$?
	if [ $rc -ne 0 ] || ! cmp -s "$expected" "$tmp/$1.out"; then
		echo "bench: the guest OS did not boot right under $1 (status $rc)" >&2
		sed 's/^/    /' "$tmp/$1.err" >&2
		status=1
	fi
}

# Host time: per run, each technique's batch of boots in turn.
for _ in $(seq "$runs"); do
	for t in $TECHNIQUES; do
		name=${t%%:*}
		total=0
		for _ in $(seq "$boots"); do
			boot "$name" "${t#*:}"
			s=$(sed -n 's/^vmm: [0-9]* host cycles, \([0-9.]*\) s$/\1/p' "$tmp/$name.err")
			total=$(awk -v a="$total" -v b="${s:-0}" 'BEGIN { print a + b }')
		done
		awk -v t="$total" -v n="$boots" 'BEGIN { print t / n * 1000 }' \
			>> "$tmp/$name.ms"
	done
done

median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'
}

printf '%-18s %8s %12s %12s %12s %10s\n' "guest OS boot" exits interpreted \
	"host cycles" "guest cycles" "host ms"
for t in $TECHNIQUES; do
	name=${t%%:*}
	err=$tmp/$name.err
	exits=$(sed -n 's/^vm0: .* guest cycles; \([0-9]*\) exits.*/\1/p' "$err")
	guest=$(sed -n 's/^vm0: .*; \([0-9]*\) guest cycles;.*/\1/p' "$err")
	host=$(sed -n 's/^vmm: \([0-9]*\) host cycles.*/\1/p' "$err")
	interp=$(sed -n 's/^vm0: hybrid: \([0-9]*\) instructions interpreted.*/\1/p' "$err")
	printf '%-18s %8s %12s %12s %12s %10s\n' "$name" "$exits" "${interp:-0}" \
		"$host" "$guest" "$(median "$tmp/$name.ms")"
done
echo "(host ms: median of $runs batches of $boots boots, the run loop only)"
exit $status
