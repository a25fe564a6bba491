#!/bin/sh
# bench/vms.sh TRAPEZE GUESTOS.elf GUESTOS.disk EXPECTED - many VMs at once.
#
# Runs 1, 10 and 100 VMs of the guest OS in one `trapeze run --vmm`, each
# VM with 4 MiB of RAM (the least the guest OS needs: guestos/README.md)
# and the same disk file (the guest OS only reads it), BENCH_RUNS times
# each (default 3, interleaved: 1, 10, 100, 1, 10, 100, ...), and prints
# for each count the medians of:
#
#   wall s     the whole command, start-up and loading included
#   max RSS    the host memory the process held at its peak (GNU time's
#              "Maximum resident set size"; "n/a" without /usr/bin/time)
#
# and, from one --stats run of each count, the fairness line (vmm/README.md,
# "Fairness").  Every run must exit 0 and every VM print EXPECTED (the
# solo run's bytes) under its "[vmN] " prefix; nothing asserts a time.
# The exit status is 1 if a run went wrong, 2 for a bad command line.
set -u
if [ $# -ne 4 ]; then
	echo "usage: $0 TRAPEZE GUESTOS.elf GUESTOS.disk EXPECTED" >&2
	exit 2
fi
T=$1 G=$2 D=$3 WANT=$4
RUNS=${BENCH_RUNS:-3}
COUNTS="1 10 100"
MEM=4M
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT
status=0
have_time=false
[ -x /usr/bin/time ] && have_time=true

# images N: the command line's N images.
images() {
	i=0
	while [ "$i" -lt "$1" ]; do
		printf '%s,mem=%s ' "$G" "$MEM"
		i=$((i + 1))
	done
}

# check N OUT: every VM printed WANT (alone: the bytes themselves).
check() {
	if [ "$1" -eq 1 ]; then
		cmp -s "$WANT" "$2"
		return
	fi
	i=0
	while [ "$i" -lt "$1" ]; do
		sed -n "s/^\[vm$i\] //p" "$2" | cmp -s "$WANT" - || return 1
		i=$((i + 1))
	done
}

# sample N: one timed run of N VMs; appends its seconds and its max RSS
# in KiB to TMP/wall.N and TMP/rss.N.
sample() {
	start=$(date +%s.%N)
	# shellcheck disable=SC2046 # one argument per image
	if $have_time; then
		/usr/bin/time -v -o "$TMP/time" "$T" run --vmm "--disk=$D" \
			$(images "$1") > "$TMP/out" 2> "$TMP/err"
	else
		"$T" run --vmm "--disk=$D" $(images "$1") > "$TMP/out" 2> "$TMP/err"
	fi
	rc=$?
	end=$(date +%s.%N)
	if [ "$rc" -ne 0 ] || ! check "$1" "$TMP/out"; then
		echo "bench/vms.sh: $1 VMs: exit status $rc, or a VM's output differs from $WANT" >&2
		head -n 5 "$TMP/err" >&2
		status=1
	fi
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }' >> "$TMP/wall.$1"
	if $have_time; then
		sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' \
			"$TMP/time" >> "$TMP/rss.$1"
	fi
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "Many VMs: the guest OS, mem=$MEM each, one disk file; medians of $RUNS runs"
echo
r=1
while [ "$r" -le "$RUNS" ]; do
	for n in $COUNTS; do
		sample "$n"
	done
	r=$((r + 1))
done

printf '    %5s %10s %12s %14s\n' VMs "wall s" "max RSS MB" "RSS per VM MB"
for n in $COUNTS; do
	wall=$(median "$TMP/wall.$n")
	if $have_time; then
		rss=$(median "$TMP/rss.$n")
		printf '    %5d %10.3f %12.1f %14.2f\n' "$n" "$wall" \
			"$(echo "$rss" | awk '{ print $1 / 1024 }')" \
			"$(echo "$rss $n" | awk '{ print $1 / 1024 / $2 }')"
	else
		printf '    %5d %10.3f %12s %14s\n' "$n" "$wall" n/a n/a
	fi
done
echo
for n in $COUNTS; do
	[ "$n" -gt 1 ] || continue
	# shellcheck disable=SC2046
	"$T" run --vmm --stats "--disk=$D" $(images "$n") 2>&1 > /dev/null |
		grep '^vmm: fairness' | sed "s/^/    $n VMs: /"
done
$have_time || echo "    (max RSS: n/a, /usr/bin/time is missing: install the 'time' package)"
exit $status
