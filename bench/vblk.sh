#!/bin/sh
# bench/vblk.sh TRAPEZE INCDIR - reading the disk in a VM: the emulated
# disk against the paravirtual block device (vmm/README.md, "The
# paravirtual block device").
#
# Assembles bench/vblk/emulated.s and bench/vblk/ring.s (-I INCDIR, where
# the Makefile puts pg32.inc), each of which reads 4 MiB of a 64 KiB disk
# image, a page (4 KiB) a request: the emulated disk one polled command a
# page, the ring 16 pages a NOTIFY.  Runs each under `trapeze run --vmm
# --stats` BENCH_RUNS times (default 5), interleaved, and prints one row
# each and their ratio:
#
#   exits/KiB     world switches per KiB read (the same in every run: the
#                 machine is deterministic)
#   cycles/KiB    host cycles per KiB: the guest's own and the VMM's
#                 charged costs (also deterministic)
#   us/KiB        host time per KiB, microseconds: the median of the runs
#                 of the VMM's run loop as --stats reports it
#
# Every run must exit 0 (a failed read halts with 1); nothing asserts a
# time.  The exit status is 1 if a run went wrong, 2 for a bad command line.
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 TRAPEZE INCDIR" >&2
	exit 2
fi
T=$1 INC=$2
RUNS=${BENCH_RUNS:-5}
KIB=4096 # what each guest reads: KIB in bench/vblk/read.inc
SRC=$(cd "$(dirname "$0")" && pwd)/vblk
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT
status=0

for w in emulated ring; do
	"$T" as -I "$INC" "$SRC/$w.s" -o "$TMP/$w.elf" || exit 1
done
# The disk: 64 KiB of bytes that are not all zero.
i=0
while [ $i -lt 64 ]; do
	printf '%01024d' "$i"
	i=$((i + 1))
done > "$TMP/disk"

# sample WAY: one run; appends "exits cycles seconds" to TMP/r.WAY.
sample() {
	if ! "$T" run --vmm --stats "--disk=$TMP/disk" "$TMP/$1.elf" \
		< /dev/null > /dev/null 2> "$TMP/err"; then
		echo "bench/vblk.sh: $1: the run failed:" >&2
		cat "$TMP/err" >&2
		status=1
		return
	fi
	e=$(sed -n 's/^vm0: .* guest cycles; \([0-9]*\) exits.*/\1/p' "$TMP/err")
	sed -n "s/^vmm: \([0-9]*\) host cycles, \([0-9.]*\) s$/$e \1 \2/p" \
		"$TMP/err" >> "$TMP/r.$1"
}

n=0
while [ $n -lt "$RUNS" ]; do
	sample emulated
	sample ring
	n=$((n + 1))
done
[ $status -eq 0 ] || exit 1

# row WAY: "exits/KiB cycles/KiB us/KiB", from the median run.
row() {
	sort -n -k3 "$TMP/r.$1" | awk -v n="$RUNS" -v kib=$KIB '
		NR == int((n + 1) / 2) {
			printf "%.3f %.1f %.3f\n", $1 / kib, $2 / kib, $3 * 1e6 / kib
		}'
}

echo
echo "vblk: reading the disk in a VM, $KIB KiB a page at a time (4 KiB requests),"
echo "      the median of $RUNS runs of each (bench/vblk.sh)"
printf "  %-34s %12s %12s %10s\n" "" "exits/KiB" "cycles/KiB" "host us/KiB"
emu=$(row emulated)
ring=$(row ring)
echo "$emu" | awk '{ printf "  %-34s %12s %12s %10s\n", "emulated disk (a polled command)", $1, $2, $3 }'
echo "$ring" | awk '{ printf "  %-34s %12s %12s %10s\n", "paravirtual ring (16 a NOTIFY)", $1, $2, $3 }'
echo "$emu $ring" | awk '{
	printf "  %-34s %11.0fx %11.0fx %9.1fx\n", "emulated / ring", \
		($4 > 0 ? $1 / $4 : 0), ($5 > 0 ? $2 / $5 : 0), ($6 > 0 ? $3 / $6 : 0) }'
