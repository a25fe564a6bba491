#!/bin/sh
# tests/man.sh TRAPEZE MANDIR - each manual page, as a reader sees it,
# says what `trapeze help` says: groff renders the page, and its SYNOPSIS
# and DESCRIPTION, without their indentation, must be the help text line
# for line (its "usage: " dropped).  This catches what roff would do to
# the text (a line starting with "'" or "." taken for a request, a "\"
# taken for an escape); `make check-man` also compares the pages with
# what tools/gen_man.sh writes now.  Without groff the test is skipped
# (said so on the output).
# Output: "PASS man/PAGE" or "FAIL ..." per page, then
# "man: N passed, M failed".
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 TRAPEZE MANDIR" >&2
	exit 2
fi
trapeze=$1
mandir=$2
if ! command -v groff > /dev/null 2>&1; then
	echo "man: groff not installed: the pages are not rendered"
	exit 0
fi
tmp=${TMPDIR:-/tmp}/trapeze-man.$$
mkdir -p "$tmp" || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# rendered PAGE: SYNOPSIS and DESCRIPTION (with the empty line between
# sections), as plain text
# without the 7-column indentation of man's body text.
rendered() {
	groff -man -Tascii -P-cbou "$1" 2> /dev/null | awk '
		/^[A-Z][A-Z ]*$/ { section = $0; next }
		section == "SYNOPSIS" || section == "DESCRIPTION" { print substr($0, 8) }' |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' # drop the trailing empty lines
}

# check PAGE HELP-ARGS...: the page against `trapeze help HELP-ARGS`.
check() {
	page=$1
	shift
	"$trapeze" help "$@" | sed '1s/^usage: //' > "$tmp/want"
	rendered "$mandir/$page" > "$tmp/got"
	if cmp -s "$tmp/want" "$tmp/got"; then
		echo "PASS man/$page"
		passed=$((passed + 1))
	else
		diff -u "$tmp/want" "$tmp/got" | sed 's/^/    /'
		echo "FAIL man/$page: differs from 'trapeze help $*'"
		failed=$((failed + 1))
	fi
}

check trapeze.1
for name in $("$trapeze" help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
	check "trapeze-$name.1" "$name"
done
echo "man: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
