#!/bin/sh
# tools/check-notes.sh TRAPEZE FILE.md... - run the checked command blocks
# of course notes and compare their output with what the notes say.
#
# A checked block is a fenced code block with the info string `console`
# whose opening line directly follows a line holding only the HTML
# comment <!-- check --> (invisible on any Markdown host):
#
#     <!-- check -->
#     ```console
#     $ trapeze run -I build/include examples/01-loop.s
#     sum of 1..100 = 5050
#     ```
#
# Inside it, a line starting with "$ " is a command; the lines after it,
# up to the next command or the end of the block, are its expected
# output, byte for byte (standard output and standard error together, as
# a terminal shows them).  A line starting with "> " continues the
# previous command (a second line of the same shell command, as a shell
# prompts for it).  Each command runs with `sh -c`, from the repository's
# root, with a PATH whose first folder holds `trapeze` (a link to
# TRAPEZE), with the environment variable SCRATCH naming an empty folder
# for files the command writes (one per block, shared by its commands),
# stdin from /dev/null and a timeout of TIMEOUT seconds (default 60).
# The exit status is not checked: a command that must fail shows it in
# its output (`...; echo "status $?"`).
#
# Prints "PASS FILE:LINE" per block, or "FAIL FILE:LINE" with the
# command and a diff of the expected and the actual output; then
# "notes: N passed, M failed".  Exits 1 if a block failed, 2 on a usage
# error or a file with no checked block when one was promised.
set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 TRAPEZE FILE.md..." >&2
	exit 2
fi
TRAPEZE=$1
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TIMEOUT=${TIMEOUT:-60}
case $TRAPEZE in
/*) ;;
*) TRAPEZE=$(pwd)/$TRAPEZE ;;
esac
[ -x "$TRAPEZE" ] || { echo "$0: $TRAPEZE: not an executable" >&2; exit 2; }

WORK=$(mktemp -d) || exit 2
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/bin"
ln -s "$TRAPEZE" "$WORK/bin/trapeze"

passed=0
failed=0

# split_blocks FILE: for the K-th command of the N-th checked block,
# writes WORK/blocks/N.K.cmd (the command), N.K.out (its expected
# output) and N.K.line (its line number in FILE).
split_blocks() {
	rm -rf "$WORK/blocks"
	mkdir "$WORK/blocks"
	awk -v dir="$WORK/blocks" '
	function flush() {
		if (ncmd > 0) {
			f = dir "/" block "." ncmd
			printf "%s", cmd > (f ".cmd"); close(f ".cmd")
			printf "%s", out > (f ".out"); close(f ".out")
			print line > (f ".line"); close(f ".line")
		}
		cmd = ""; out = ""
	}
	# a block fenced with four backquotes shows Markdown: never run
	!inblock && /^````/ { quoted = !quoted; next }
	quoted { next }
	/^<!-- check -->[ \t]*$/ { armed = NR + 1; next }
	NR == armed && /^```console[ \t]*$/ { inblock = 1; block++; ncmd = 0; start = NR; next }
	inblock && /^```[ \t]*$/ { flush(); inblock = 0; next }
	inblock && /^\$ / { flush(); ncmd++; line = NR; cmd = substr($0, 3) "\n"; next }
	inblock && /^> / && ncmd > 0 && out == "" { cmd = cmd substr($0, 3) "\n"; next }
	inblock && ncmd == 0 { print FILENAME ":" NR ": output before the first command of the block at line " start > "/dev/stderr"; bad = 1; next }
	inblock { out = out $0 "\n"; next }
	END { if (inblock) { print FILENAME ":" start ": checked block not closed" > "/dev/stderr"; bad = 1 }
	      exit bad }
	' "$1"
}

check_file() {
	file=$1
	if ! split_blocks "$file"; then
		echo "FAIL $file: malformed checked block (above)"
		failed=$((failed + 1))
		return
	fi
	block=1
	while [ -e "$WORK/blocks/$block.1.cmd" ]; do
		scratch="$WORK/scratch-$block"
		rm -rf "$scratch"
		mkdir "$scratch"
		ok=1
		blockline=$(cat "$WORK/blocks/$block.1.line")
		n=1
		while [ -e "$WORK/blocks/$block.$n.cmd" ]; do
			base="$WORK/blocks/$block.$n"
			(cd "$ROOT" && PATH="$WORK/bin:$PATH" SCRATCH="$scratch" \
				timeout "$TIMEOUT" sh -c "$(cat "$base.cmd")" \
				< /dev/null > "$base.actual" 2>&1)
			rc=$?
			if ! cmp -s "$base.out" "$base.actual"; then
				[ $ok -eq 1 ] && echo "FAIL $file:$blockline"
				ok=0
				echo "    at $file:$(cat "$base.line"): \$ $(head -n 1 "$base.cmd")"
				[ $rc -eq 124 ] && echo "    (stopped after $TIMEOUT seconds: TIMEOUT)"
				diff -u "$base.out" "$base.actual" \
					| sed -e '1s/.*/--- expected (the notes)/' \
					      -e '2s/.*/+++ actual/' -e 's/^/    /'
			fi
			n=$((n + 1))
		done
		if [ $ok -eq 1 ]; then
			echo "PASS $file:$blockline"
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
		block=$((block + 1))
	done
}

for f in "$@"; do
	if [ ! -r "$f" ]; then
		echo "FAIL $f: cannot read it"
		failed=$((failed + 1))
		continue
	fi
	check_file "$f"
done
echo "notes: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
