#!/bin/sh
# tests/check.sh - the body of `make check`: every test suite in the normal
# build (build/) and in the sanitizer build (build/asan/), then one total.
# Each suite ends its output with "SUITE: N passed, M failed"; this script
# adds them up and ends with "check: N passed, M failed".
set -u
MAKE=${MAKE:-make}
total_passed=0
total_failed=0
status=0

suite() { # suite LABEL MAKE-ARGS...
	label=$1
	shift
	out=$($MAKE --no-print-directory -s "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s/^/[$label] /"
	counts=$(printf '%s\n' "$out" | sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	if [ -z "$counts" ] && [ "$rc" -ne 0 ]; then
		total_failed=$((total_failed + 1)) # broke before counting
	fi
	for pair in $(printf '%s\n' "$counts" | tr ' ' ':'); do
		total_passed=$((total_passed + ${pair%%:*}))
		total_failed=$((total_failed + ${pair##*:}))
	done
	[ "$rc" -eq 0 ] || status=1
}

suite build check-isa-md check-tools
suite build unit guest attack e2e guestos-test diff-test fuzz-replay debug-test
suite asan O=build/asan SAN=1 CFLAGS="-O1 -g" unit guest attack e2e guestos-test diff-test

echo "check: $total_passed passed, $total_failed failed"
exit $status
