#!/bin/sh
# labs/mutants.sh N - how many mistakes lab N's tests catch (make
# grade-mutants LAB=N).
#
# A mutant is the reference with one statement of one of lab N's solution
# regions deleted: the kind of mistake a student makes by forgetting a
# line.  Each mutant is graded (labs/grade.sh) in a scratch copy of the
# project, build/mutants/labN/, and is *caught* when some test fails.  A
# mutant no test catches shows a missing test.  Prints one line a mutant:
#
#   mutant 3/31 vmm/emulate.c:26: caught by emulate-mtcr-ptbr: shadow_flush(vm);
#   mutant 9/31 vmm/emulate.c:50: SURVIVED: vm->vcpu.pc = vm->vcpu.cr[CR_EPC];
#
# and ends with "mutants: K of M caught".  The whole report is also in
# build/mutants/labN.log.
#
# What is a statement (one mutant each): in C, a line or the lines of a
# statement that ends with ";" (a call, an assignment, break, return...);
# not blank lines, comments, braces, lines ending in "{" (an if, a switch,
# a loop: deleting only its head would not compile), case and default
# labels, a break that ends the switch (deleting it changes nothing),
# nor declarations (a variable the code after it uses: deleting it
# would not compile).  In assembly, each instruction or directive line;
# not labels nor comments.  A mutant that does not build all the same is
# listed as "does not build" and not counted in M: the compiler, not the
# tests, caught it.
#
# To be fast, a mutant is graded with GRADE_FAIL_FAST=1 (the first failed
# test catches it; the others are not run) and GRADE_SKIP=sanitizers (the
# sanitizer build would double each mutant's cost and catches memory
# errors, which deleting a line seldom makes), and the scratch copy keeps
# its build folder, so only the mutated file compiles again.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 N" >&2
	exit 2
fi
LAB=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
. labs/lab.sh
lab_dir "$LAB" mutants.sh
if [ -e labs/HANDOUT ]; then
	echo "mutants.sh: a handout has no solutions to mutate" >&2
	exit 2
fi
SCRATCH=build/mutants/lab$LAB
REPORT=build/mutants/lab$LAB.log
GRADE_OUT=build/grade/mutant # inside the scratch copy
MAKE=${MAKE:-make}
mkdir -p "$SCRATCH" || exit 2

# The scratch copy: the project's files (as labs/cut.sh lists them) over
# the previous copy, whose build folder stays.  tar keeps the files'
# times; the files that were mutated last time are touched so that make
# compiles them again.
git ls-files -co --exclude-standard | while read -r f; do
	[ -f "$f" ] && echo "$f"
done > "$SCRATCH.files"
tar -cf - -T "$SCRATCH.files" | tar -xf - -C "$SCRATCH" || exit 1
region_files "$LAB" > "$SCRATCH.marked"
if [ ! -s "$SCRATCH.marked" ]; then
	echo "mutants.sh: lab $LAB has no region in the project" >&2
	exit 1
fi
# shellcheck disable=SC2046 # file names have no blanks
touch $(sed "s|^|$SCRATCH/|" "$SCRATCH.marked")

# statements FILE: "FIRST LAST TEXT" for each statement of lab N's regions
# in FILE (the rules above).
statements() {
	asm=0
	case $1 in *.s | *.inc) asm=1 ;; esac
	awk -v lab="$LAB" -v mode=lines -f labs/regions.awk "$1" |
		awk -F '\t' -v asm="$asm" '
	{
		n = $1
		t = $0
		sub(/^[0-9]+\t/, "", t)
		sub(/^[ \t]+/, "", t)
		sub(/[ \t]+$/, "", t)
	}
	asm {
		sub(/[ \t]*#.*$/, "", t)
		if (t == "" || t ~ /^[A-Za-z_.][A-Za-z0-9_.]*:$/)
			next
		print n, n, t
		next
	}
	# a break right before the switch closes changes nothing: not a mutant
	pending != "" { if (t !~ /^}/) print pending; pending = "" }
	incomment { if (t ~ /\*\//) incomment = 0; next }
	t ~ /^\/\*/ { if (t !~ /\*\//) incomment = 1; next }
	t == "" || t ~ /^\/\// { next }
	# braces, heads of blocks, labels: deleting them would not compile
	t ~ /^[{}]/ || t ~ /[{:]$/ { first = ""; next }
	# declarations: the code after them uses what they declare
	first == "" && t ~ /^(const |static |unsigned |signed |struct [A-Za-z_0-9]+ |enum [A-Za-z_0-9]+ |(u?int(8|16|32|64)_t|int|bool|char|size_t|long|short|double|float) )/ { next }
	{
		if (first == "") { first = n; text = t } else text = text " " t
		if (t ~ /;$/) {
			if (text == "break;") pending = first " " n " " text
			else print first, n, text
			first = ""
		}
	}
	END { if (pending != "") print pending }'
}

# grade DIR: grades the scratch copy, fast; prints the first failed
# test's name, or "" if all passed, or "(build)" if it does not build.
grade() {
	(cd "$SCRATCH" && GRADE_FAIL_FAST=1 GRADE_SKIP=sanitizers MAKE="$MAKE" \
		labs/grade.sh "$LAB" "$GRADE_OUT") > "$SCRATCH.grade" 2>&1
	if grep -q '^build: FAIL' "$SCRATCH.grade"; then
		echo "(build)"
	else
		sed -n 's/^\([^ :]*\): FAIL .*/\1/p' "$SCRATCH.grade" | head -n 1
	fi
}

: > "$REPORT"
say() {
	echo "$*" | tee -a "$REPORT"
}

while read -r f; do
	statements "$f" | sed "s|^|$f |"
done < "$SCRATCH.marked" > "$SCRATCH.mutants"
total=$(wc -l < "$SCRATCH.mutants")

t0=$(date +%s)
say "mutants: lab $LAB, $total statements in $(wc -l < "$SCRATCH.marked") files" \
	"($(tr '\n' ' ' < "$SCRATCH.marked"))"
first=$(grade)
if [ -n "$first" ]; then
	say "mutants: the reference itself does not pass (first failure: $first);" \
		"see $SCRATCH.grade"
	exit 1
fi

i=0
caught=0
nobuild=0
survived=0
while read -r f a b text; do
	i=$((i + 1))
	# The mutant: lines a..b blanked (line numbers stay as they were).
	awk -v a="$a" -v b="$b" 'FNR >= a && FNR <= b { print ""; next } { print }' \
		"$f" > "$SCRATCH/$f"
	first=$(grade)
	cat "$f" > "$SCRATCH/$f" # back to the reference, with a new time
	case $first in
	'(build)')
		nobuild=$((nobuild + 1))
		what="does not build (not counted)" ;;
	'')
		survived=$((survived + 1))
		what="SURVIVED" ;;
	*)
		caught=$((caught + 1))
		what="caught by $first" ;;
	esac
	say "mutant $i/$total $f:$a: $what: $text"
done < "$SCRATCH.mutants"

counted=$((total - nobuild))
say "mutants: $caught of $counted caught" \
	"($survived survived; $nobuild did not build and are not counted;" \
	"$(($(date +%s) - t0)) s)"
