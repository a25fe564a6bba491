#!/bin/sh
# tests/examples.sh TRAPEZE INCLUDE_DIR - run the ladder of examples/.
#
# Each examples/NN-NAME.s is run with `TRAPEZE run -I INCLUDE_DIR`
# (where the Makefile generates pg32.inc) natively and under the VMM
# (--vmm): both must exit 0 and print exactly examples/expected/NN-NAME.out,
# the same bytes, as the chapters of course-notes/ say.  08-sensitive.s is
# also run in the modes that tell the machines apart, each against its own
# file:
#   --mode=leaky                     expected/08-sensitive.leaky.out
#   --vmm --mode=leaky               expected/08-sensitive.vmm-leaky.out
#   --vmm --mode=leaky --patch       expected/08-sensitive.leaky.out
# (with --patch the VMM must give the bare leaky machine's bytes back).
# Prints "PASS examples/NAME [mode]" or "FAIL ..." with a diff, then
# "examples: N passed, M failed"; exits 1 if anything failed.
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 TRAPEZE INCLUDE_DIR" >&2
	exit 2
fi
TRAPEZE=$1
INC=$2
DIR=$(cd "$(dirname "$0")/../examples" && pwd)
MAX_CYCLES=10000000 # each example needs under 100000; a loop stops here
passed=0
failed=0
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT

# run_one NAME EXPECTED OPTIONS...: one run, compared byte for byte.
run_one() {
	name=$1
	expected=$2
	shift 2
	label="examples/$name${*:+ [$*]}"
	"$TRAPEZE" run --max-cycles=$MAX_CYCLES -I "$INC" "$@" \
		"$DIR/$name.s" > "$out" 2>&1 < /dev/null
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $label: exit status $rc"
		sed 's/^/    /' "$out"
		failed=$((failed + 1))
	elif ! cmp -s "$out" "$DIR/expected/$expected"; then
		echo "FAIL $label: output differs from expected/$expected"
		diff -u "$DIR/expected/$expected" "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	else
		echo "PASS $label"
		passed=$((passed + 1))
	fi
}

count=0
for src in "$DIR"/[0-9][0-9]-*.s; do
	name=$(basename "$src" .s)
	count=$((count + 1))
	run_one "$name" "$name.out"
	run_one "$name" "$name.out" --vmm
done
if [ "$count" -eq 0 ]; then
	echo "FAIL examples: no examples/NN-NAME.s found in $DIR"
	failed=$((failed + 1))
fi
run_one 08-sensitive 08-sensitive.leaky.out --mode=leaky
run_one 08-sensitive 08-sensitive.vmm-leaky.out --vmm --mode=leaky
run_one 08-sensitive 08-sensitive.leaky.out --vmm --mode=leaky --patch

echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
