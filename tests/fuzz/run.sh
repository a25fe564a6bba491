#!/bin/sh
# tests/fuzz/run.sh SECONDS MERGE NAME... - the body of `make fuzz`.
#
# For each harness NAME (asm, elf, machine, vmm), built by make as
# build/fuzz/fuzz_NAME: copies tests/fuzz/corpus/NAME/ to a scratch
# corpus build/fuzz/corpus-NAME/ (kept between runs, so that a second run
# goes on where the first stopped), and runs libFuzzer on it for SECONDS
# seconds on one core, in the empty folder build/fuzz/wd-NAME/ (so that
# the assembler's .include finds no file of the tree).  A crash or
# sanitizer report leaves its input in build/fuzz/NAME-crash-* (minimise
# it with `build/fuzz/fuzz_NAME -minimize_crash=1 -runs=10000 FILE`, then
# put it in tests/fuzz/corpus/NAME/ so that make check replays it).
# MERGE=1 adds the scratch inputs that reach new coverage to
# tests/fuzz/corpus/NAME/ (libFuzzer's -merge=1).
# Ends with "fuzz: N passed, M failed" (a harness fails when it crashed).
set -u
if [ $# -lt 3 ]; then
	echo "usage: $0 SECONDS MERGE NAME..." >&2
	exit 2
fi
seconds=$1 merge=$2
shift 2
top=$(pwd)
passed=0 failed=0
# ASan options for speed, unless the caller sets its own: no allocation
# stacks in reports (replay the input with build/fuzz/replay_NAME for
# them) and a 16 MB quarantine instead of 256 MB.  Every input frees its
# memory when it ends, so a use after free within one input is still
# caught.  The assembler's harness runs about 1.4 times as fast.
: "${ASAN_OPTIONS=malloc_context_size=0:quarantine_size_mb=16}"
export ASAN_OPTIONS
for name in "$@"; do
	bin=$top/build/fuzz/fuzz_$name
	scratch=$top/build/fuzz/corpus-$name
	wd=$top/build/fuzz/wd-$name
	seeds=$top/tests/fuzz/corpus/$name
	mkdir -p "$scratch" "$wd"
	cp "$seeds"/* "$scratch"/ 2>/dev/null
	log=$top/build/fuzz/$name.log
	echo "fuzz: $name for ${seconds}s (log: build/fuzz/$name.log)"
	(cd "$wd" && "$bin" -max_total_time="$seconds" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$top/build/fuzz/$name-" \
		"$scratch") > "$log" 2>&1
	rc=$?
	sed -n 's/^stat::number_of_executed_units: */  executions: /p;
		s/^stat::average_exec_per_sec: */  exec\/s: /p' "$log"
	grep -E '^(#[0-9]+[[:space:]]+DONE|Done )' "$log" | sed 's/^/  /'
	if [ "$rc" -ne 0 ]; then
		echo "FAIL fuzz/$name: see build/fuzz/$name.log"
		grep -E 'ERROR|broken invariant|Test unit written' "$log" | sed 's/^/  /'
		failed=$((failed + 1))
		continue
	fi
	if [ "$merge" = 1 ]; then
		(cd "$wd" && "$bin" -merge=1 "$seeds" "$scratch") >> "$log" 2>&1
		echo "  merged: $(ls "$seeds" | wc -l) files in tests/fuzz/corpus/$name"
	fi
	echo "PASS fuzz/$name"
	passed=$((passed + 1))
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
