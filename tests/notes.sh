#!/bin/sh
# tests/notes.sh TRAPEZE - tests of the course notes' checker itself
# (tools/check-notes.sh), on the fixtures in tests/notes/:
#   good.md       every checked block right: exit 0, each block PASS; the
#                 unmarked block (a command that does not exist) and the
#                 one shown inside four backquotes (wrong on purpose) not run
#   bad.md        one block's expected output is wrong: exit 1, that block
#                 FAIL with its file:line, the command and the diff; the
#                 right block still PASS
#   malformed.md  output before any command: exit 1, named
#   slow.md       a command longer than TIMEOUT (2 s here): stopped, exit
#                 1, and the failure says it was the timeout
# Prints PASS/FAIL per case, then "notes-checker: N passed, M failed".
set -u
if [ $# -ne 1 ]; then
	echo "usage: $0 TRAPEZE" >&2
	exit 2
fi
TRAPEZE=$1
cd "$(dirname "$0")/.." || exit 2
CHECK=tools/check-notes.sh
passed=0
failed=0
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT

# expect NAME STATUS FIXTURE LINE...: the checker on FIXTURE exits with
# STATUS and prints each LINE (a fixed string) somewhere.
expect() {
	name=$1
	want=$2
	fixture=$3
	shift 3
	env TIMEOUT="$timeout" "$CHECK" "$TRAPEZE" "tests/notes/$fixture" \
		> "$out" 2>&1
	rc=$?
	why=""
	[ "$rc" -eq "$want" ] || why="exit status $rc, want $want"
	for line in "$@"; do
		grep -qxF -- "$line" "$out" || why="${why:+$why; }no line '$line'"
	done
	if [ -z "$why" ]; then
		echo "PASS notes-checker/$name"
		passed=$((passed + 1))
	else
		echo "FAIL notes-checker/$name: $why; its output:"
		sed 's/^/    /' "$out"
		failed=$((failed + 1))
	fi
}

timeout=60
expect good 0 good.md \
	"PASS tests/notes/good.md:12" "PASS tests/notes/good.md:24" \
	"notes: 2 passed, 0 failed"
expect bad 1 bad.md \
	"PASS tests/notes/bad.md:5" "FAIL tests/notes/bad.md:11" \
	"    at tests/notes/bad.md:11: \$ trapeze run -I build/include examples/01-loop.s" \
	"    -sum of 1..100 = 5051" "    +sum of 1..100 = 5050" \
	"notes: 1 passed, 1 failed"
expect malformed 1 malformed.md \
	"FAIL tests/notes/malformed.md: malformed checked block (above)"
timeout=2
expect slow 1 slow.md "FAIL tests/notes/slow.md:5" \
	"    (stopped after 2 seconds: TIMEOUT)"

echo "notes-checker: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
