#!/bin/sh
# tests/completion.sh COMPLETION TRAPEZE - the bash completion offers what
# it should: each case is a command line being typed (the last word is
# the one completed) and the words Tab must offer, in sorted order.
# Runs bash on the real file in a scratch folder holding prog.s, prog.elf,
# notes.txt and a folder lib/.
# Output: "PASS completion/N" or "FAIL ..." per case, then
# "completion: N passed, M failed".
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 COMPLETION TRAPEZE" >&2
	exit 2
fi
completion=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
case $2 in /*) trapeze=$2 ;; *) trapeze=$(pwd)/$2 ;; esac
if ! command -v bash > /dev/null 2>&1; then
	echo "completion: bash not installed"
	echo "completion: 0 passed, 1 failed"
	exit 1
fi
tmp=${TMPDIR:-/tmp}/trapeze-completion.$$
mkdir -p "$tmp/lib" || exit 2
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/prog.s" "$tmp/prog.elf" "$tmp/notes.txt"

# LINE|WANT: LINE is split into words as bash does by default ("=" is a
# word of its own); WANT is the offered words, sorted, space-separated.
cases='trapeze |--help --version as audit debug dis dot help run
trapeze d|debug dis dot
trapeze as |lib prog.s
trapeze run |lib prog.elf prog.s
trapeze dis p|prog.elf
trapeze debug --b|--batch
trapeze debug --t|--trace= --tui
trapeze run --mo|--mode=
trapeze run --ho|--host-time
trapeze run --mode = |clean leaky
trapeze audit --mode = l|leaky
trapeze run --disk = n|notes.txt
trapeze dot |exits pagetables
trapeze dot exits --at|--at-cycle
trapeze dot pagetables --wa|--walk
trapeze as prog.s -o |lib prog.elf
trapeze help r|run'

bash --norc --noprofile -c '
cd "$1" || exit 2
. "$2" || exit 2
trapeze=$3
n=0 passed=0 failed=0
while IFS="|" read -r line want; do
	n=$((n + 1))
	read -r -a COMP_WORDS <<< "$line"
	COMP_WORDS[0]=$trapeze
	# A line ending in a space completes a new, empty word.
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_trapeze
	got=$(printf "%s\n" "${COMPREPLY[@]}" | sed "/^$/d" | LC_ALL=C sort | tr "\n" " ")
	got=${got% }
	if [[ $got == "$want" ]]; then
		echo "PASS completion/$n ($line)"
		passed=$((passed + 1))
	else
		echo "FAIL completion/$n ($line): offered \"$got\", want \"$want\""
		failed=$((failed + 1))
	fi
done <<< "$4"
echo "completion: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
' sh "$tmp" "$completion" "$trapeze" "$cases"
