#!/bin/sh
# tests/debug/walkthrough.sh TRAPEZE OUTDIR - the walkthrough in
# docs/debugger.md reproduces byte for byte.
#
# The chapter's transcript is the fenced blocks whose info string is
# "transcript", in order; their concatenation must be exactly what
#   cd OUTDIR && TRAPEZE debug --vmm -x debugger-walkthrough.x dbgdemo.elf
# prints, with dbgdemo.elf assembled from tests/e2e/progs/dbgdemo.s and
# the script copied from docs/debugger-walkthrough.x.  The session runs in
# OUTDIR so that the image's name in the transcript is the short one.  The
# session must also end with status 0: the walk runs dbgdemo to its end.
#
# Prints "PASS debug/walkthrough" or "FAIL debug/walkthrough: reason" (with
# a diff), then "walkthrough: N passed, M failed"; exit status 1 on failure.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 TRAPEZE OUTDIR" >&2
	exit 2
fi
case $1 in
/*) TRAPEZE=$1 ;;
*) TRAPEZE=$(pwd)/$1 ;;
esac
SRC=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$2" || exit 2
OUT=$(cd "$2" && pwd)
DOC=$SRC/docs/debugger.md
passed=0
failed=0

report() { # report NAME REASON ("" = pass)
	if [ -z "$2" ]; then
		echo "PASS debug/$1"
		passed=$((passed + 1))
	else
		echo "FAIL debug/$1: $2"
		failed=$((failed + 1))
	fi
}

# The transcript blocks of the chapter, concatenated: the lines between
# a line "```transcript" and the next line "```".
extract() {
	awk '
		!inside && $0 == "```transcript" { inside = 1; blocks++; next }
		inside && $0 == "```" { inside = 0; next }
		inside { print }
		END {
			if (inside) { print "unterminated transcript block" > "/dev/stderr"; exit 1 }
			if (!blocks) { print "no transcript block" > "/dev/stderr"; exit 1 }
		}' "$1"
}

why=
rm -f "$OUT/dbgdemo.elf" "$OUT/debugger-walkthrough.x" "$OUT/actual.out" \
	"$OUT/expected.out"
if ! "$TRAPEZE" as "$SRC/tests/e2e/progs/dbgdemo.s" -o "$OUT/dbgdemo.elf" \
	2> "$OUT/as.err"; then
	why="dbgdemo.s does not assemble: $(head -n 1 "$OUT/as.err")"
elif ! cp "$SRC/docs/debugger-walkthrough.x" "$OUT/"; then
	why="cannot copy docs/debugger-walkthrough.x"
elif ! extract "$DOC" > "$OUT/expected.out" 2> "$OUT/extract.err"; then
	why="docs/debugger.md: $(head -n 1 "$OUT/extract.err")"
else
	(cd "$OUT" && "$TRAPEZE" debug --vmm -x debugger-walkthrough.x \
		dbgdemo.elf < /dev/null > actual.out 2> actual.err)
	status=$?
	if ! cmp -s "$OUT/expected.out" "$OUT/actual.out"; then
		diff -u "$OUT/expected.out" "$OUT/actual.out" | sed 's/^/    /'
		why="the session's output differs from the chapter's transcript"
	elif [ -s "$OUT/actual.err" ]; then
		why="the session wrote to stderr: $(head -n 1 "$OUT/actual.err")"
	elif [ "$status" -ne 0 ]; then
		why="the session exited with status $status, not 0"
	fi
fi
report walkthrough "$why"

echo "walkthrough: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
