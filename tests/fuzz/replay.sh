#!/bin/sh
# tests/fuzz/replay.sh BINDIR - the body of `make fuzz-replay`: every file
# of tests/fuzz/corpus/NAME/ goes once through BINDIR/replay_NAME (the
# harness fuzz_NAME.c linked with replay.c, built with sanitizers).
# All of a corpus goes through one process; if that fails, each file is
# replayed alone to name the ones that crash.  Ends with
# "fuzz-replay: N passed, M failed", N counting files replayed cleanly.
set -u
if [ $# -ne 1 ]; then
	echo "usage: $0 BINDIR" >&2
	exit 2
fi
bindir=$1
passed=0 failed=0
for name in asm elf machine vmm; do
	bin=$bindir/replay_$name
	dir=tests/fuzz/corpus/$name
	n=$(find "$dir" -type f | wc -l)
	if find "$dir" -type f -print0 | xargs -0 "$bin" > /dev/null 2>&1; then
		passed=$((passed + n))
		echo "PASS fuzz-replay/$name: $n files"
		continue
	fi
	for f in $(find "$dir" -type f | sort); do
		if "$bin" "$f" > /dev/null 2> "$bindir/replay.err"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "FAIL fuzz-replay/$name: $f"
			grep -E 'ERROR|runtime error|broken invariant|^    #[0-9] ' \
				"$bindir/replay.err" | head -8 | sed 's/^/  /'
		fi
	done
done
rm -f "$bindir/replay.err"
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
