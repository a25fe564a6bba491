#!/bin/sh
# bench/labs.sh - what grading costs, lab by lab (make bench-labs).
#
# For each lab (labs/labN-NAME/): `labs/grade.sh N` on the reference,
# BENCH_RUNS times (default 3, one after the other; everything already
# built by make), and the median wall time; then its handout, cut into a
# scratch folder, built with its own `make` and graded once, as a student
# or the autograder would from nothing: both wall times, and the score
# (the reference must get full marks, the handout what its stubs earn).
# It asserts nothing about time; it exits 1 if a grading went wrong.
set -u
cd "$(dirname "$0")/.." || exit 2
RUNS=${BENCH_RUNS:-3}
SCRATCH=build/bench-labs
status=0
mkdir -p "$SCRATCH" || exit 2

now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-4s %-18s %-10s %-12s %-12s %s\n' lab "grade (reference)" score \
	"make (handout)" "grade (handout)" score
for dir in labs/lab[0-9]*-*; do
	[ -f "$dir/tests" ] || continue
	n=${dir#labs/lab}
	n=${n%%-*}
	times=""
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		t0=$(now_ms)
		labs/grade.sh "$n" "$SCRATCH/grade$n" > "$SCRATCH.out" 2>&1
		times="$times $(($(now_ms) - t0))"
		r=$((r + 1))
	done
	ref=$(tail -n 1 "$SCRATCH.out" | sed 's/^Score: //')
	hand=$SCRATCH/handout
	rm -rf "$hand"
	if ! labs/cut.sh "$n" "$hand" > "$SCRATCH.out" 2>&1; then
		echo "lab $n: the handout could not be cut" >&2
		status=1
		continue
	fi
	t0=$(now_ms)
	(cd "$hand/lab$n" && ${MAKE:-make} -s -j2) > "$SCRATCH.out" 2>&1 || status=1
	built=$(($(now_ms) - t0))
	t0=$(now_ms)
	(cd "$hand/lab$n" && labs/grade.sh "$n") > "$SCRATCH.out" 2>&1
	graded=$(($(now_ms) - t0))
	got=$(tail -n 1 "$SCRATCH.out" | sed 's/^Score: //')
	case $ref in *[!0-9/]* | '') status=1 ;; esac
	[ "${ref%/*}" = "${ref#*/}" ] || status=1
	printf '%-4s %-18s %-10s %-12s %-12s %s\n' "$n" \
		"$(secs "$(echo "$times" | tr ' ' '\n' | sed '/^$/d' | median)") s" \
		"$ref" "$(secs "$built") s" "$(secs "$graded") s" "$got"
done
rm -rf "$SCRATCH" "$SCRATCH.out"
exit $status
