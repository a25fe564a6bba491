#!/bin/sh
# bench/hw.sh TRAPEZE GUESTOS.elf GUESTOS.disk - hardware assist measured
# (bench/README.md, "Hardware assist").
#
# 1. CPU-bound: bench/crc.s on the bare machine and under `--vmm --hw`,
#    interleaved in one run (BENCH_RUNS times each, default 3), each
#    timed by `trapeze run --stats`; prints each pair and the median
#    MIPS of each, and their ratio (the issue's target: --hw at least
#    0.95 of native).
# 2. The guest OS boot under trap-and-emulate (--vmm), --hw=shadow and
#    --hw: the exits of vm0, the host cycles of the machine's clock (the
#    guest's own cycles are the same in all three), and the host seconds
#    (median of BENCH_RUNS).
# Nothing here asserts a time: the status is 0 if every run printed what
# it must (the right CRC, the guest OS's status 0), 1 if not.
set -u

if [ $# -ne 3 ]; then
	echo "usage: bench/hw.sh TRAPEZE GUESTOS.elf GUESTOS.disk" >&2
	exit 2
fi
trapeze=$1
guestos=$2
disk=$3
runs=${BENCH_RUNS:-3}
here=$(dirname "$0")
expected="crc 402791ec"
max_cycles=100000000000
status=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/trapeze-bench-hw.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$trapeze" as "$here/crc.s" -o "$tmp/crc.elf"; then
	echo "bench-hw: cannot assemble $here/crc.s" >&2
	exit 1
fi

# median: the median of the numbers on stdin, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "?"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# seconds ERRFILE: the host seconds `trapeze run --stats` printed (the
# bare machine: "..., S s, M MIPS"; the VMM: "vmm: N host cycles, S s").
seconds() {
	sed -n -e 's/^trapeze run: .*, \([0-9.]*\) s, [0-9.]* MIPS$/\1/p' \
		-e 's/^vmm: [0-9]* host cycles, \([0-9.]*\) s$/\1/p' "$1"
}

# --- 1. CPU-bound: native and --hw, interleaved -----------------------------
echo "bench-hw: crc32 (bench/crc.s), native and --vmm --hw interleaved, $runs runs each"
: > "$tmp/native.mips"
: > "$tmp/hw.mips"
i=1
while [ "$i" -le "$runs" ]; do
	for how in native hw; do
		opts=""
		[ $how = hw ] && opts="--vmm --hw"
		# shellcheck disable=SC2086
		"$trapeze" run --stats --max-cycles=$max_cycles $opts "$tmp/crc.elf" \
			> "$tmp/out" 2> "$tmp/err"
		rc=$?
		if [ $rc -ne 0 ] || [ "$(cat "$tmp/out")" != "$expected" ]; then
			echo "bench-hw: $how run $i: status $rc, output '$(cat "$tmp/out")'" >&2
			status=1
			continue
		fi
		if [ $how = native ]; then
			insns=$(sed -n 's/^trapeze run: \([0-9]*\) instructions.*/\1/p' "$tmp/err")
		else
			insns=$(sed -n 's/^vm0: \([0-9]*\) guest instructions.*/\1/p' "$tmp/err")
		fi
		s=$(seconds "$tmp/err")
		mips=$(awk -v n="$insns" -v s="$s" 'BEGIN { printf "%.1f", (s > 0 ? n / s / 1e6 : 0) }')
		echo "$mips" >> "$tmp/$how.mips"
		echo "  run $i $how: $insns instructions, $s s, $mips MIPS"
	done
	i=$((i + 1))
done
n=$(median < "$tmp/native.mips")
h=$(median < "$tmp/hw.mips")
echo "crc32 under --hw: median $h MIPS, native $n MIPS: ratio" \
	"$(awk -v h="$h" -v n="$n" 'BEGIN { printf "%.3f", (n > 0 ? h / n : 0) }')"

# --- 2. the guest OS boot under each technique -------------------------------
echo "bench-hw: the guest OS boot (one VM), median of $runs runs"
printf '%-22s %10s %16s %10s\n' technique exits "host cycles" seconds
for how in vmm hw=shadow hw; do
	opts="--vmm"
	[ $how = vmm ] || opts="--vmm --$how"
	: > "$tmp/secs"
	i=1
	while [ "$i" -le "$runs" ]; do
		cp "$disk" "$tmp/guestos.disk"
		# shellcheck disable=SC2086
		"$trapeze" run --stats $opts --disk="$tmp/guestos.disk" "$guestos" \
			> "$tmp/out" 2> "$tmp/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			echo "bench-hw: guest OS under $opts: status $rc" >&2
			sed 's/^/    /' "$tmp/err" >&2
			status=1
		fi
		seconds "$tmp/err" >> "$tmp/secs"
		i=$((i + 1))
	done
	exits=$(sed -n 's/^vm0: .* guest cycles; \([0-9]*\) exits.*/\1/p' "$tmp/err")
	host=$(sed -n 's/^vmm: \([0-9]*\) host cycles.*/\1/p' "$tmp/err")
	case $how in
	vmm) name="trap-and-emulate" ;;
	hw=shadow) name="--hw=shadow" ;;
	hw) name="--hw" ;;
	esac
	printf '%-22s %10s %16s %10s\n' "$name" "$exits" "$host" "$(median < "$tmp/secs")"
done
exit $status
