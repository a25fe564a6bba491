#!/bin/sh
# Runs each cmocka unit-test binary given as an argument and ends with one
# summary line, "unit: N passed, M failed", counting test binaries.
set -u
passed=0
failed=0
for t in "$@"; do
	if "$t" >"$t.log" 2>&1; then
		passed=$((passed + 1))
		echo "PASS unit/$(basename "$t") ($(grep -c '^\[       OK \]' "$t.log") tests)"
	else
		failed=$((failed + 1))
		echo "FAIL unit/$(basename "$t")"
		cat "$t.log"
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
