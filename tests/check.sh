#!/bin/sh
# tests/check.sh - the body of `make check`: every test suite in the normal
# build (build/) and in the sanitizer build (build/asan/), then one total.
#
# Each suite (a make target) ends its output with "SUITE: N passed, M
# failed"; this script adds them up and ends with "check: N passed, M
# failed".  While it runs it says what it is doing: a line when a suite
# starts, a line every TICK seconds while it runs (how long, and the
# PASS/FAIL lines so far), and a line when it ends (its counts, how long
# it took and the total so far).  A suite's whole output goes to CHECK_LOG/LABEL-SUITE.log;
# at the end, the failures are listed again, each with its log, so that
# they are found without scrolling back.
set -u
MAKE=${MAKE:-make}
LOG=${CHECK_LOG:-build/check}
TICK=${CHECK_TICK:-30} # seconds between two "still running" lines
total_passed=0
total_failed=0
status=0
failed_logs=""

rm -rf "$LOG"
mkdir -p "$LOG" || exit 2

# ticker LABEL TARGET LOGFILE: every TICK seconds, what is known so far.
ticker() {
	seconds=0
	while sleep "$TICK" > /dev/null 2>&1; do # not holding a pipe open
		seconds=$((seconds + TICK))
		p=$(grep -c '^PASS' "$3")
		f=$(grep -c '^FAIL' "$3")
		echo "check: [$1] $2: running for ${seconds}s; $p PASS, $f FAIL lines so far"
	done
}

# suite LABEL TARGET [MAKE-ARGS...]: runs one make target and counts it.
suite() {
	label=$1
	target=$2
	shift 2
	log=$LOG/$label-$target.log
	echo "check: [$label] $target ..."
	start=$(date +%s)
	ticker "$label" "$target" "$log" &
	tick=$!
	$MAKE --no-print-directory -s "$@" "$target" > "$log" 2>&1
	rc=$?
	kill "$tick" 2> /dev/null
	wait "$tick" 2> /dev/null
	counts=$(sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log")
	passed=0
	failed=0
	for pair in $(printf '%s\n' "$counts" | tr ' ' ':'); do
		passed=$((passed + ${pair%%:*}))
		failed=$((failed + ${pair##*:}))
	done
	if [ -z "$counts" ] && [ "$rc" -ne 0 ]; then
		failed=$((failed + 1)) # broke before counting
	fi
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
	if [ "$rc" -ne 0 ]; then
		status=1
		failed_logs="$failed_logs $label:$target:$log"
	fi
	echo "check: [$label] $target: $passed passed, $failed failed" \
		"in $(($(date +%s) - start))s (so far: $total_passed passed," \
		"$total_failed failed)"
}

# The failures of one suite: its FAIL lines, or the end of its output if
# it broke before printing any.
show_failures() {
	echo "check: [$1] $2 failed; its whole output: $3"
	if grep -q '^FAIL' "$3"; then
		grep '^FAIL' "$3" | sed 's/^/    /'
	else
		tail -n 20 "$3" | sed 's/^/    /'
	fi
}

suite build check-isa-md
suite build check-tools
for t in unit guest attack e2e guestos-test diff-test fuzz-replay debug-test \
	examples-test check-notes; do
	suite build "$t"
done
# The labs: each cut, built and graded (labs/check.sh); it grades the
# reference in build/ and build/asan, so it runs after their suites.
suite build check-labs
for t in unit guest attack e2e guestos-test diff-test examples-test; do
	suite asan "$t" O=build/asan SAN=1 CFLAGS="-O1 -g"
done

for entry in $failed_logs; do
	label=${entry%%:*}
	rest=${entry#*:}
	show_failures "$label" "${rest%%:*}" "${rest#*:}"
done
echo "check: $total_passed passed, $total_failed failed"
exit $status
