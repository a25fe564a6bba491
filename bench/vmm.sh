#!/bin/sh
# bench/vmm.sh TRAPEZE GUESTOS.elf GUESTOS.disk - what the VMM costs
# (bench/README.md, "The VMM"; issue 5, "Performance").
#
# Three measurements, each repeated BENCH_RUNS times (default 5); the
# medians are printed in one table at the end:
#
#   (a) crc32 (bench/crc.s) on the bare machine and under --vmm, the runs
#       interleaved (native, vmm, native, vmm, ...) so that a change in
#       the host's speed during the benchmark hits both alike.  MIPS is
#       guest instructions per host second, from each run's --stats (the
#       run loop only).  Prints the ratio vmm/native (target >= 0.95).
#   (b) the guest OS (GUESTOS.elf with GUESTOS.disk), natively and under
#       --vmm.  One boot runs only a few milliseconds, about as long as
#       starting trapeze, so each sample is a batch of GUESTOS_BOOTS boots
#       (default 20) timed by the wall clock, minus a batch of as many
#       runs of bench/halt.s (which halts at once) with the same options:
#       what is left is the host time of the boots themselves.  The exit
#       counts and the cycle counts come from one --stats run of each (the
#       machine is deterministic: every run has the same counts).
#       Also: eight VMs of the guest OS at once,
#       timed by --stats (the run loop only), per VM.
#   (c) the privileged-instruction round trip: bench/mtcr.s, 1 000 000 x
#       `mtcr scratch, t0` under --vmm; host ns per exit = the --stats time
#       of the run / its exits (target <= 200 ns).
#
# Nothing here asserts a time: the exit status is 0 if every run printed
# what it must and exited 0 (the guest OS: the bytes of
# tests/e2e-guestos/expected.out), 1 if not, 2 for a bad command line.
set -u

if [ $# -ne 3 ]; then
	echo "usage: bench/vmm.sh TRAPEZE GUESTOS.elf GUESTOS.disk" >&2
	exit 2
fi
trapeze=$1
guestos=$2
disk=$3
runs=${BENCH_RUNS:-5}
boots=${GUESTOS_BOOTS:-20}
for n in "$runs" "$boots"; do
	case $n in
	'' | *[!0-9]* | 0)
		echo "bench: BENCH_RUNS and GUESTOS_BOOTS must be positive numbers, not '$n'" >&2
		exit 2
		;;
	esac
done

here=$(dirname "$0")
expected_os=$here/../tests/e2e-guestos/expected.out
max_cycles=100000000000 # a guard: a broken build stops instead of spinning

tmp=$(mktemp -d "${TMPDIR:-/tmp}/trapeze-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

for p in crc mtcr halt; do
	if ! "$trapeze" as "$here/$p.s" -o "$tmp/$p.elf"; then
		echo "bench: cannot assemble $here/$p.s" >&2
		exit 1
	fi
done

# Wall-clock seconds since the epoch, with a fraction if date has %N.
now() {
	date +%s.%N 2>/dev/null | sed 's/\.N$/.0/; s/\.%N$/.0/'
}

# fail WHAT: the run that went wrong, with its output; exits 1.
fail() {
	echo "bench: $1 failed, its output:" >&2
	cat "$tmp/out" "$tmp/err" >&2
	exit 1
}

# run_ok WANT-STATUS ARGS...: trapeze run ARGS > out 2> err; 0 if the
# status is WANT-STATUS.
run_ok() {
	want=$1
	shift
	"$trapeze" run --max-cycles=$max_cycles "$@" < /dev/null \
		> "$tmp/out" 2> "$tmp/err"
	[ $? -eq "$want" ]
}

# field REGEX: the first \(...\) of REGEX in the first matching line of
# the last run's stderr.
field() {
	sed -n "s/$1/\\1/p" "$tmp/err" | head -n 1
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Native --stats: trapeze run: I instructions, C cycles, S s, M MIPS
native_re_i='^trapeze run: \([0-9]*\) instructions.*'
native_re_c='^trapeze run: [0-9]* instructions, \([0-9]*\) cycles.*'
native_re_s='^trapeze run: [0-9]* instructions, [0-9]* cycles, \([0-9.]*\) s.*'
# VMM --stats: vm0: I guest instructions, ...; G guest cycles; E exits, ...
#              vmm: H host cycles, S s
vmm_re_i='^vm0: \([0-9]*\) guest instructions.*'
vmm_re_g='^vm0: .*; \([0-9]*\) guest cycles;.*'
vmm_re_e='^vm0: .* guest cycles; \([0-9]*\) exits.*'
vmm_re_h='^vmm: \([0-9]*\) host cycles.*'
vmm_re_s='^vmm: [0-9]* host cycles, \([0-9.]*\) s$'

echo "bench/vmm.sh: $runs runs of each (BENCH_RUNS), medians at the end"

# --- (a) crc32, native and vmm interleaved ---------------------------------
: > "$tmp/a.native"
: > "$tmp/a.vmm"
i=1
while [ "$i" -le "$runs" ]; do
	if ! run_ok 0 --stats "$tmp/crc.elf" ||
		[ "$(cat "$tmp/out")" != "crc 402791ec" ]; then
		fail "crc32 native run $i"
	fi
	crc_n=$(field "$native_re_i")
	ns=$(field "$native_re_s")
	if ! run_ok 0 --vmm --stats "$tmp/crc.elf" ||
		[ "$(cat "$tmp/out")" != "crc 402791ec" ]; then
		fail "crc32 vmm run $i"
	fi
	crc_v=$(field "$vmm_re_i")
	crc_exits=$(field "$vmm_re_e")
	vs=$(field "$vmm_re_s")
	if [ -z "$ns" ] || [ -z "$vs" ] || [ -z "$crc_n" ] || [ -z "$crc_v" ]; then
		fail "crc32 run $i (no --stats figures)"
	fi
	echo "$ns" >> "$tmp/a.native"
	echo "$vs" >> "$tmp/a.vmm"
	awk -v i="$i" -v n="$crc_n" -v ns="$ns" -v v="$crc_v" -v vs="$vs" 'BEGIN {
		printf "(a) run %d: native %.3f s %7.1f MIPS | vmm %.3f s %7.1f MIPS\n",
		       i, ns, (ns > 0 ? n / ns / 1e6 : 0), vs, (vs > 0 ? v / vs / 1e6 : 0) }'
	i=$((i + 1))
done

# --- (b) the guest OS -------------------------------------------------------
# The counts, once each.
if ! run_ok 0 --stats "--disk=$disk" "$guestos" ||
	! cmp -s "$expected_os" "$tmp/out"; then
	fail "guestos native run"
fi
os_instr=$(field "$native_re_i")
os_cycles=$(field "$native_re_c")
if ! run_ok 0 --vmm --stats "--disk=$disk" "$guestos" ||
	! cmp -s "$expected_os" "$tmp/out"; then
	fail "guestos vmm run"
fi
os_vinstr=$(field "$vmm_re_i")
os_gcycles=$(field "$vmm_re_g")
os_exits=$(field "$vmm_re_e")
os_hcycles=$(field "$vmm_re_h")

# batch ARGS...: runs `trapeze run ARGS...` $boots times; prints the
# wall-clock seconds the batch took.  Fails (prints why, exits 1: it runs
# in a subshell, so the caller must exit too) if one exits other than 0.
batch() {
	t0=$(now)
	k=0
	while [ $k -lt "$boots" ]; do
		"$trapeze" run "$@" < /dev/null > "$tmp/out" 2> "$tmp/err" ||
			fail "guestos batch run ($*)"
		k=$((k + 1))
	done
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}

: > "$tmp/b.native"
: > "$tmp/b.vmm"
: > "$tmp/b.four"
i=1
while [ "$i" -le "$runs" ]; do
	tn=$(batch "--disk=$disk" "$guestos") || exit 1
	tn0=$(batch "--disk=$disk" "$tmp/halt.elf") || exit 1
	tv=$(batch --vmm "--disk=$disk" "$guestos") || exit 1
	tv0=$(batch --vmm "--disk=$disk" "$tmp/halt.elf") || exit 1
	run_ok 0 --vmm --stats "--disk=$disk" "$guestos" "$guestos" "$guestos" "$guestos" \
		"$guestos" "$guestos" "$guestos" "$guestos" ||
		fail "guestos, eight VMs"
	t4=$(field "$vmm_re_s")
	# seconds per boot, start-up taken off
	pn=$(awk -v a="$tn" -v b="$tn0" -v k="$boots" 'BEGIN { printf "%.6f", (a - b) / k }')
	pv=$(awk -v a="$tv" -v b="$tv0" -v k="$boots" 'BEGIN { printf "%.6f", (a - b) / k }')
	p4=$(awk -v a="$t4" 'BEGIN { printf "%.6f", a / 8 }')
	echo "$pn" >> "$tmp/b.native"
	echo "$pv" >> "$tmp/b.vmm"
	echo "$p4" >> "$tmp/b.four"
	awk -v i="$i" -v pn="$pn" -v pv="$pv" -v p4="$p4" -v k="$boots" 'BEGIN {
		printf "(b) run %d: per boot (%d boots, start-up off): native %.2f ms | vmm %.2f ms | 8 VMs at once %.2f ms per VM\n",
		       i, k, pn * 1e3, pv * 1e3, p4 * 1e3 }'
	i=$((i + 1))
done

# --- (c) the privileged-instruction round trip -------------------------------
: > "$tmp/c.vmm"
i=1
while [ "$i" -le "$runs" ]; do
	run_ok 0 --vmm --stats "$tmp/mtcr.elf" || fail "mtcr vmm run $i"
	mt_exits=$(field "$vmm_re_e")
	mt_instr=$(field "$vmm_re_i")
	mt_hcycles=$(field "$vmm_re_h")
	mt_gcycles=$(field "$vmm_re_g")
	cs=$(field "$vmm_re_s")
	if [ -z "$cs" ] || [ -z "$mt_exits" ]; then
		fail "mtcr vmm run $i (no --stats figures)"
	fi
	echo "$cs" >> "$tmp/c.vmm"
	awk -v i="$i" -v s="$cs" -v e="$mt_exits" 'BEGIN {
		printf "(c) run %d: %d exits, %.3f s, %.1f ns per exit\n", i, e, s, s / e * 1e9 }'
	i=$((i + 1))
done
run_ok 0 --stats "$tmp/mtcr.elf" || fail "mtcr native run"
mt_native_s=$(field "$native_re_s")

# --- the table -----------------------------------------------------------------
a_n=$(median "$tmp/a.native")
a_v=$(median "$tmp/a.vmm")
b_n=$(median "$tmp/b.native")
b_v=$(median "$tmp/b.vmm")
b_4=$(median "$tmp/b.four")
c_v=$(median "$tmp/c.vmm")
awk -v runs="$runs" -v boots="$boots" \
    -v crc_n="$crc_n" -v crc_v="$crc_v" -v crc_exits="$crc_exits" \
    -v a_n="$a_n" -v a_v="$a_v" \
    -v os_instr="$os_instr" -v os_cycles="$os_cycles" -v os_vinstr="$os_vinstr" \
    -v os_gcycles="$os_gcycles" -v os_exits="$os_exits" -v os_hcycles="$os_hcycles" \
    -v b_n="$b_n" -v b_v="$b_v" -v b_4="$b_4" \
    -v mt_exits="$mt_exits" -v mt_instr="$mt_instr" -v mt_hcycles="$mt_hcycles" \
    -v mt_gcycles="$mt_gcycles" -v c_v="$c_v" -v mt_native_s="$mt_native_s" '
function mips(n, s) { return s > 0 ? n / s / 1e6 : 0 }
BEGIN {
	printf "\nVMM benchmarks: medians of %d runs\n", runs
	printf "\n(a) crc32 (bench/crc.s), CPU-bound, paging on, in user mode\n"
	printf "    %-8s %12s %10s %10s %8s\n", "", "instructions", "host s", "MIPS", "exits"
	printf "    %-8s %12d %10.3f %10.1f %8s\n", "native", crc_n, a_n, mips(crc_n, a_n), "-"
	printf "    %-8s %12d %10.3f %10.1f %8d\n", "vmm", crc_v, a_v, mips(crc_v, a_v), crc_exits
	r = mips(crc_n, a_n) > 0 ? mips(crc_v, a_v) / mips(crc_n, a_n) : 0
	printf "    ratio vmm/native MIPS: %.3f (target >= 0.95)\n", r

	printf "\n(b) the guest OS, one boot (median of batches of %d, start-up taken off)\n", boots
	printf "    guest: %d instructions, %d cycles (native); under the VMM %d instructions, %d guest cycles\n",
	       os_instr, os_cycles, os_vinstr, os_gcycles
	printf "    %-34s %12s\n", "", "per boot"
	printf "    %-34s %9.3f ms\n", "host time, native", b_n * 1e3
	printf "    %-34s %9.3f ms\n", "host time, vmm", b_v * 1e3
	printf "    %-34s %9.3f ms\n", "host time, vmm, 8 VMs at once (/8)", b_4 * 1e3
	printf "    %-34s %9.2f x\n", "slowdown in host time", (b_n > 0 ? b_v / b_n : 0)
	printf "    %-34s %9.3f x  (%d host cycles / %d native cycles)\n",
	       "slowdown in simulated cycles", (os_cycles > 0 ? os_hcycles / os_cycles : 0),
	       os_hcycles, os_cycles
	printf "    %-34s %9d\n", "exits", os_exits
	printf "    %-34s %9.2f\n", "exits per 1000 guest instructions",
	       (os_vinstr > 0 ? os_exits * 1000 / os_vinstr : 0)
	printf "    %-34s %9.0f\n", "exits per host second", (b_v > 0 ? os_exits / b_v : 0)
	printf "    %-34s %9.0f ns  (all of the vmm run / exits)\n", "host time per exit",
	       (os_exits > 0 ? b_v / os_exits * 1e9 : 0)
	printf "    %-34s %9.0f ns  ((vmm - native) / exits)\n", "added host time per exit",
	       (os_exits > 0 ? (b_v - b_n) / os_exits * 1e9 : 0)

	printf "\n(c) privileged-instruction round trip: bench/mtcr.s, 1000000 x mtcr scratch, under --vmm\n"
	printf "    %d exits, %d guest instructions, median %.3f s\n", mt_exits, mt_instr, c_v
	printf "    host time per exit: %.1f ns (target <= 200 ns)\n",
	       (mt_exits > 0 ? c_v / mt_exits * 1e9 : 0)
	printf "    simulated: %.1f host cycles per exit ((%d host - %d guest cycles) / exits)\n",
	       (mt_exits > 0 ? (mt_hcycles - mt_gcycles) / mt_exits : 0), mt_hcycles, mt_gcycles
	printf "    the same program natively: %.3f s\n", mt_native_s
}'
