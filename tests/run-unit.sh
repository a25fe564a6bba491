#!/bin/sh
# Runs each cmocka unit-test binary given as an argument.  A binary's log
# is shown only when it fails.  The last line counts test cases over all
# binaries: "unit: N passed, M failed".
set -u
passed=0
failed=0
status=0
for t in "$@"; do
	"$t" >"$t.log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$t.log")
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$t.log")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -eq 0 ]; then
		echo "PASS unit/$(basename "$t") (${p:-0} tests)"
	else
		status=1
		# a crash may leave no cmocka summary: count the binary as failed
		[ -n "$f" ] || failed=$((failed + 1))
		echo "FAIL unit/$(basename "$t")"
		cat "$t.log"
	fi
done
echo "unit: $passed passed, $failed failed"
exit $status
