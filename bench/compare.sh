#!/bin/sh
# bench/compare.sh TRAPEZE INCLUDE GUESTOS.elf GUESTOS-PV.elf GUESTOS.disk
#
# The comparison table in the style of Adams & Agesen (ASPLOS 2006, "A
# Comparison of Software and Hardware Techniques for x86
# Virtualization"): nine nanobenchmarks and the guest OS's boot, one
# column per technique (the list `columns` below: natively, then each way
# the VMM runs a guest), printed as three tables: exits, host cycles and
# host time per operation.
# bench/README.md ("Comparing the techniques") says how to read it.
#
# INCLUDE is the folder holding the generated pg32.inc (build/include).
#
# How a figure is made.  Each nanobenchmark (bench/nano/NAME.s) does its
# operation N times; bench/nano/empty.s is the same program with nothing
# in its loops.  Both are assembled with the same N (a count.inc this
# script writes) and flavour, and run in the same mode, one right after
# the other; per operation = (benchmark - empty) / N.  Exits and cycles
# are the same in every run (the machine is deterministic); the host time
# is the median over BENCH_RUNS runs (default 3) of that difference, where
# a run's time is what `trapeze run --stats` measures around the run loop
# (start-up not included).  Natively the time is taken as instructions /
# MIPS, which --stats prints with more digits than the seconds.
#
# The cycles are the machine's clock: natively the program's own cycles;
# under the VMM the host cycles ("vmm: H host cycles"), i.e. the guest's
# cycles plus what the VMM charges for its work (VMM_COSTS in vmm/vmm.h).
# The guest's own clock ("vmN: ... guest cycles") is not shown per
# operation: by design it equals the native figure.
#
# The guest OS row is one boot.  Its host time is the mean --stats time of
# a batch of GUESTOS_BOOTS boots (default 10), median of BENCH_RUNS
# batches: one boot takes a few milliseconds, and the VMM's --stats prints
# whole milliseconds.  Every boot's output must be the bytes of
# tests/e2e-guestos/expected.out.
#
# A cell that went wrong (a program that did not exit 0, the console
# benchmark not printing exactly N bytes, the guest OS printing something
# else) says FAIL and the script exits 1 at the end; 0 if every cell is
# good, 2 for a bad command line.  Nothing here asserts a time.
set -u

if [ $# -ne 5 ]; then
	echo "usage: bench/compare.sh TRAPEZE INCLUDE GUESTOS.elf GUESTOS-PV.elf GUESTOS.disk" >&2
	exit 2
fi
trapeze=$1
include=$2
guestos=$3
guestos_pv=$4
disk=$5
runs=${BENCH_RUNS:-3}
boots=${GUESTOS_BOOTS:-10}
for n in "$runs" "$boots"; do
	case $n in
	'' | *[!0-9]* | 0)
		echo "bench: BENCH_RUNS and GUESTOS_BOOTS must be positive numbers, not '$n'" >&2
		exit 2
		;;
	esac
done

here=$(dirname "$0")
nano=$here/nano
expected_os=$here/../tests/e2e-guestos/expected.out
max_cycles=10000000000 # a guard: a broken program stops instead of spinning

# The rows: program, N, name.  N is chosen so that each run under the VMM
# takes a few tenths of a second: enough for stable figures, and the
# whole script well under two minutes.  pgfault.s maps at most 262144
# fresh pages (bench/nano/nano.inc, FAULT_LEAVES).
rows="syscall:200000:syscall round trip
mmio:1000000:console MMIO write
mtcr:1000000:control-register write
callret:10000000:call/ret
pgfault:200000:page fault
divzero:200000:divide-by-zero trap
pte:1000000:PTE update + tlbinv
ctxsw:200000:context switch (PTBR)
irq:200000:timer interrupt"

# The columns, one line each: key|title|flavour|trapeze run options.
# The title is short (the tables are narrow); the legend under the tables
# says what each column runs.
columns="native|native|native|
tae|t&e|native|--vmm
patched|patched|native|--vmm --mode=leaky --patch
pv|paravirt|pv|--vmm
hybrid|hybrid|native|--vmm --mode=leaky --hybrid
hw-shadow|hw-shadow|native|--vmm --hw=shadow
hw|hw|native|--vmm --hw"
column() { echo "$columns" | awk -F'|' -v k="$1" -v f="$2" '$1 == k { print $f }'; }
modes=$(echo "$columns" | cut -d'|' -f1 | tr '\n' ' ')
mode_flavour() { column "$1" 3; }
mode_opts() { column "$1" 4; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/trapeze-compare.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# --- assemble: every program in both flavours, empty.s once per N --------
# asm NAME N FLAVOUR: $tmp/NAME-N-FLAVOUR.elf
asm() {
	mkdir -p "$tmp/n$2"
	[ -f "$tmp/n$2/count.inc" ] || printf '\t.equ\tN, %s\n' "$2" > "$tmp/n$2/count.inc"
	"$trapeze" as -I "$tmp/n$2" -I "$nano/$3" -I "$include" "$nano/$1.s" \
		-o "$tmp/$1-$2-$3.elf"
}
echo "$rows" | while IFS=: read -r prog n _; do
	for fl in native pv; do
		[ -f "$tmp/empty-$n-$fl.elf" ] || asm empty "$n" "$fl" || exit 1
		asm "$prog" "$n" "$fl" || exit 1
	done
done || { echo "bench: cannot assemble the nanobenchmarks" >&2; exit 1; }

# measure ELF MODE WANT-BYTES: runs ELF in column MODE with --stats; on
# success prints "exits cycles seconds", else nothing and returns 1.
# WANT-BYTES is how many bytes the console must print.
measure() {
	# shellcheck disable=SC2046 # the options are words on purpose
	"$trapeze" run --stats --max-cycles=$max_cycles $(mode_opts "$2") "$1" \
		< /dev/null > "$tmp/out" 2> "$tmp/err"
	rc=$?
	bytes=$(wc -c < "$tmp/out" | tr -d ' ')
	echo "$(basename "$1"): exit status $rc, $bytes bytes of output (want 0 and $3)" > "$tmp/why"
	[ "$rc" -eq 0 ] && [ "$bytes" = "$3" ] || return 1
	if [ "$2" = native ]; then
		# trapeze run: I instructions, C cycles, S s, M MIPS
		sed -n 's/^trapeze run: \([0-9]*\) instructions, \([0-9]*\) cycles, \([0-9.]*\) s, \([0-9.]*\) MIPS$/0 \2 \1 \3 \4/p' \
			"$tmp/err" | awk '{ printf "%s %s %.9f\n", $1, $2,
				($5 > 0 ? $3 / ($5 * 1e6) : $4) }'
	else
		# vm0: ...; G guest cycles; E exits, ...   vmm: H host cycles, S s
		e=$(sed -n 's/^vm0: .* guest cycles; \([0-9]*\) exits.*/\1/p' "$tmp/err")
		sed -n "s/^vmm: \([0-9]*\) host cycles, \([0-9.]*\) s$/$e \1 \2/p" "$tmp/err"
	fi | grep . || return 1
}

# --- the nanobenchmarks ------------------------------------------------------
# $tmp/r.PROG.MODE gets one line per run: "exits cycles seconds" of the
# benchmark minus empty.s, divided by N; or FAIL.
echo "bench/compare.sh: $runs runs of each (BENCH_RUNS), medians in the table"
i=1
while [ "$i" -le "$runs" ]; do
	echo "$rows" | while IFS=: read -r prog n _; do
		want=0
		[ "$prog" = mmio ] && want=$n
		for m in $modes; do
			fl=$(mode_flavour "$m")
			if b=$(measure "$tmp/$prog-$n-$fl.elf" "$m" "$want") &&
				e=$(measure "$tmp/empty-$n-$fl.elf" "$m" 0); then
				echo "$b $e" | awk -v n="$n" '{
					printf "%.6f %.6f %.6e\n", ($1 - $4) / n,
					       ($2 - $5) / n, ($3 - $6) / n }'
			else
				echo "bench: $prog ($m, run $i) failed: $(cat "$tmp/why")" >&2
				head -n 5 "$tmp/err" >&2
				echo FAIL
			fi >> "$tmp/r.$prog.$m"
		done
	done
	echo "  run $i of $runs done"
	i=$((i + 1))
done

# --- the guest OS ------------------------------------------------------------
os_image() { case $1 in pv) echo "$guestos_pv" ;; *) echo "$guestos" ;; esac; }

# One boot is a few milliseconds, and --stats gives the VMM's time in whole
# milliseconds, so a batch of $boots boots is one sample: the mean of their
# --stats times (native: instructions / MIPS).  $tmp/os.MODE holds
# "exits cycles guest-cycles" (the same in every boot), $tmp/os.MODE.t one
# mean per batch; FAIL in $tmp/os.MODE if a boot exited other than 0 or
# printed other than expected.out.
i=1
while [ "$i" -le "$runs" ]; do
	for m in $modes; do
		[ -f "$tmp/os.$m" ] && grep -q FAIL "$tmp/os.$m" && continue
		: > "$tmp/os.$m.batch"
		k=0
		while [ $k -lt "$boots" ]; do
			# shellcheck disable=SC2046
			"$trapeze" run --stats --max-cycles=$max_cycles \
				$(mode_opts "$m") "--disk=$disk" "$(os_image "$m")" \
				< /dev/null > "$tmp/out" 2> "$tmp/err"
			rc=$?
			if [ "$rc" -ne 0 ] || ! cmp -s "$expected_os" "$tmp/out"; then
				echo "bench: the guest OS ($m) failed: exit status $rc;" \
					"its output against $expected_os:" >&2
				diff "$expected_os" "$tmp/out" | head -n 5 >&2
				head -n 5 "$tmp/err" >&2
				echo FAIL > "$tmp/os.$m"
				break
			fi
			if [ "$m" = native ]; then
				# trapeze run: I instructions, C cycles, S s, M MIPS
				sed -n 's/^trapeze run: \([0-9]*\) instructions, \([0-9]*\) cycles, \([0-9.]*\) s, \([0-9.]*\) MIPS$/0 \2 \2 \1 \3 \4/p' \
					"$tmp/err" | awk '{ printf "%s %s %s %.9f\n", $1, $2, $3,
						($6 > 0 ? $4 / ($6 * 1e6) : $5) }'
			else
				e=$(sed -n 's/^vm0: .* guest cycles; \([0-9]*\) exits.*/\1/p' "$tmp/err")
				g=$(sed -n 's/^vm0: .*; \([0-9]*\) guest cycles;.*/\1/p' "$tmp/err")
				sed -n "s/^vmm: \([0-9]*\) host cycles, \([0-9.]*\) s$/$e \1 $g \2/p" "$tmp/err"
			fi >> "$tmp/os.$m.batch"
			k=$((k + 1))
		done
		[ -f "$tmp/os.$m" ] && grep -q FAIL "$tmp/os.$m" && continue
		tail -n 1 "$tmp/os.$m.batch" | cut -d' ' -f1-3 > "$tmp/os.$m"
		awk '{ s += $4 } END { printf "%.9f\n", NR ? s / NR : 0 }' \
			"$tmp/os.$m.batch" >> "$tmp/os.$m.t"
	done
	echo "  guest OS batch $i of $runs done ($boots boots per column)"
	i=$((i + 1))
done

# --- the table -----------------------------------------------------------------
# One line per cell for awk: ROW MODE exits cycles seconds (or ROW MODE FAIL).
median() { sort -g | awk '{ v[NR] = $1 }
	END { if (NR) print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: > "$tmp/cells"
status=0
echo "$rows" | while IFS=: read -r prog n _; do
	for m in $modes; do
		f=$tmp/r.$prog.$m
		if grep -q FAIL "$f"; then
			echo "$prog $m FAIL"
		else
			echo "$prog $m $(awk '{ print $1 }' "$f" | median)" \
				"$(awk '{ print $2 }' "$f" | median)" \
				"$(awk '{ print $3 }' "$f" | median)"
		fi
	done
done >> "$tmp/cells"
for m in $modes; do
	if grep -q FAIL "$tmp/os.$m"; then
		echo "boot $m FAIL"
	else
		read -r e c g < "$tmp/os.$m"
		echo "boot $m $e $c $(median < "$tmp/os.$m.t") $g"
	fi
done >> "$tmp/cells"
grep -q FAIL "$tmp/cells" && status=1

names=$(echo "$rows" | cut -d: -f1,3)
counts=$(echo "$rows" | awk -F: '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')
awk -v runs="$runs" -v boots="$boots" -v names="$names" -v counts="$counts" \
    -v columns="$columns" '
# Whole numbers (to within 0.005) without decimals; others with two
# decimals below 10, one above.
function num(x,   r) {
	r = int(x + (x < 0 ? -0.5 : 0.5))
	if (x - r < 0.005 && r - x < 0.005) return sprintf("%d", r)
	if (x < 10 && x > -10) return sprintf("%.2f", x)
	return sprintf("%.1f", x)
}
function timefmt(s) {
	if (s >= 1e-3) return sprintf("%.2f ms", s * 1e3)
	if (s >= 1e-6) return sprintf("%.2f us", s * 1e6)
	if (s * 1e9 >= 100) return sprintf("%.0f ns", s * 1e9)
	return sprintf("%.1f ns", s * 1e9)
}
function cell(k, m, what) {
	if ((k, m) in fail || !((k, m) in ex)) return "FAIL"
	if (what == "exits") return num(ex[k, m])
	if (what == "cycles") return num(cy[k, m])
	return timefmt(t[k, m])
}
# One table: a row per operation, a column per technique.
function table(what, heading,   i, j, k, line) {
	printf "\n%s\n", heading
	line = sprintf("%-*s", w, "operation")
	for (j = 1; j <= nm; j++) line = line sprintf(" %10s", title[mode[j]])
	print line
	for (i = 1; i <= nrows; i++) {
		k = key[i]
		line = sprintf("%-*s", w, label[k])
		for (j = 1; j <= nm; j++) line = line sprintf(" %10s", cell(k, mode[j], what))
		print line
	}
}
BEGIN {
	nrows = split(names, r, "\n")
	for (i = 1; i <= nrows; i++) {
		k = index(r[i], ":")
		key[i] = substr(r[i], 1, k - 1)
		label[key[i]] = substr(r[i], k + 1)
	}
	key[++nrows] = "boot"
	label["boot"] = "guest OS boot (one boot)"
	nm = split(columns, c, "\n")
	for (j = 1; j <= nm; j++) {
		split(c[j], f, "|")
		mode[j] = f[1]; title[f[1]] = f[2]; opts[f[1]] = f[4]
		flavour[f[1]] = f[3]
	}
	w = 26
}
{
	if ($3 == "FAIL") { fail[$1, $2] = 1; next }
	ex[$1, $2] = $3; cy[$1, $2] = $4; t[$1, $2] = $5
	if ($1 == "boot" && $2 != "native") gc[$2] = $6
}
END {
	printf "\nOne operation on PG32, natively and under each technique\n"
	printf "(per operation: (benchmark - empty loop) / N; medians of %d runs)\n", runs
	table("exits", "Exits to the VMM (world switches out; none natively)")
	table("cycles", "Cycles: the machine'"'"'s clock (natively the program'"'"'s own; under the VMM host\ncycles, i.e. the guest'"'"'s cycles plus the VMM'"'"'s charged costs)")
	table("time", sprintf("Host time (the run loop only, start-up not included; the guest OS: the mean of %d boots)", boots))
	printf "\nThe columns (trapeze run ...):\n"
	for (j = 1; j <= nm; j++) {
		m = mode[j]
		printf "  %-10s %s%s\n", title[m], (opts[m] == "" ? "(the bare machine)" : opts[m]),
		       (flavour[m] == "pv" ? ", the paravirtual flavour (bench/nano/pv, build/guestos-pv.elf)" : "")
	}
	printf "N: %s\n", counts
	printf "\nThe guest OS, one boot, in total:\n"
	for (j = 1; j <= nm; j++) {
		m = mode[j]
		if (("boot", m) in fail || !(("boot", m) in ex)) {
			printf "  %-10s FAIL\n", title[m]
			continue
		}
		printf "  %-10s %6d exits", title[m], ex["boot", m]
		# each technique against trap-and-emulate (the target for
		# the paravirtual kernel: at most a third of its exits)
		if (m != "native" && m != "tae" && ex["boot", "tae"] > 0)
			printf " (%.2f of t&e'"'"'s)", ex["boot", m] / ex["boot", "tae"]
		printf ", %s host time", timefmt(t["boot", m])
		if (m != "native" && t["boot", "native"] > 0)
			printf " (%.2f x native), %d guest cycles", t["boot", m] / t["boot", "native"], gc[m]
		else
			printf ", %d cycles", cy["boot", m]
		printf "\n"
	}
}' "$tmp/cells"
exit $status
