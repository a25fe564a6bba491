#!/bin/sh
# labs/autograder.sh N [HANDOUT [OUTDIR]] - lab N's Gradescope autograder
# (make autograder LAB=N): OUTDIR/labN.zip (default build/autograder/).
#
# Gradescope unpacks the zip in /autograder/source, runs setup.sh there
# once, when it builds the image, then, for each submission, runs
# run_autograder (copied to /autograder/run_autograder) with the
# student's files in /autograder/submission, and reads
# /autograder/results/results.json.  The zip holds:
#
#   setup.sh          installs the Debian packages the build needs (those
#                     of quickstart.sh) and builds the handout once, the
#                     sanitizer flavour too: a submission then compiles
#                     only its own files
#   run_autograder    takes the submission's files into the handout,
#                     grades it (labs/grade.sh), writes results.json
#   trapeze/          the handout of lab N (labs/cut.sh), the tree a
#                     submission is built in
#   submission-files  the files a student hands in: those that hold lab
#                     N's regions (for lab 1, vmm/emulate.c and
#                     vmm/reflect.c)
#   handout-files/    the handout's own copies of them, graded in place of
#                     a file the submission lacks
#   grading.env       the grading's settings: GRADE_SEED and GRADE_SECRETS,
#                     HIDDEN (then hidden/, a copy of the folder)
#   lab               the lab's number
#
# The environment of `make autograder` chooses the secret and hidden
# tests (GRADE_SEED, GRADE_SECRETS, HIDDEN: labs/README.md); the zip keeps
# them, so keep the zip from students.  HANDOUT, if given, is a handout of
# lab N already cut (labs/check.sh passes its own); else the handout is cut
# into OUTDIR/handout/.
set -u

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
	echo "usage: $0 N [HANDOUT [OUTDIR]]" >&2
	exit 2
fi
LAB=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
. labs/lab.sh
lab_dir "$LAB" autograder.sh
OUT=${3:-build/autograder}
STAGE=$OUT/lab$LAB
ZIP=$OUT/lab$LAB.zip
debian_packages autograder.sh # what setup.sh installs
case ${GRADE_SEED:-}${GRADE_SECRETS:-} in *[!A-Za-z0-9_.-]*)
	echo "autograder.sh: GRADE_SEED and GRADE_SECRETS take letters, digits, '.', '_' and '-'" >&2
	exit 2 ;;
esac

rm -rf "$STAGE" "$ZIP"
mkdir -p "$STAGE/handout-files" || exit 2
ZIP=$(cd "$OUT" && pwd)/lab$LAB.zip
copy_handout "$LAB" "${2:-}" "$OUT" "$STAGE/trapeze" autograder.sh

# The files with lab N's regions, from the reference.
region_files "$LAB" > "$STAGE/submission-files"
if [ ! -s "$STAGE/submission-files" ]; then
	echo "autograder.sh: lab $LAB has no region in the project" >&2
	exit 1
fi
while read -r f; do
	mkdir -p "$STAGE/handout-files/$(dirname "$f")" &&
		cp "$STAGE/trapeze/$f" "$STAGE/handout-files/$f" || exit 1
done < "$STAGE/submission-files"
echo "$LAB" > "$STAGE/lab"

: > "$STAGE/grading.env"
[ -z "${GRADE_SEED:-}" ] || echo "GRADE_SEED='$GRADE_SEED'" >> "$STAGE/grading.env"
[ -z "${GRADE_SECRETS:-}" ] ||
	echo "GRADE_SECRETS='$GRADE_SECRETS'" >> "$STAGE/grading.env"
if [ -n "${HIDDEN:-}" ]; then
	if [ ! -d "$HIDDEN" ]; then
		echo "autograder.sh: HIDDEN=$HIDDEN is not a folder" >&2
		exit 2
	fi
	cp -R "$HIDDEN" "$STAGE/hidden" || exit 1
	echo "HIDDEN=hidden" >> "$STAGE/grading.env"
fi

cat > "$STAGE/setup.sh" << EOF
#!/bin/sh
# Gradescope runs this once, in /autograder/source, as root: the packages
# the build needs, then the handout built (the sanitizer flavour too), so
# that grading a submission compiles only the files it brings.
set -eu
cd "\$(dirname "\$0")/trapeze"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES
make -s -j2 all build/tests/test_vmm build/include/pg32.inc build/diffgen
make -s -j2 O=build/asan SAN=1 CFLAGS='-O1 -g' build/asan/tests/test_vmm
EOF

cat > "$STAGE/run_autograder" << 'EOF'
#!/bin/sh
# Gradescope runs this for each submission (as /autograder/run_autograder).
# AUTOGRADER_ROOT (default /autograder) lets a test run it elsewhere.
set -u
ROOT=${AUTOGRADER_ROOT:-/autograder}
SRC=$ROOT/source
TREE=$SRC/trapeze
SUB=$ROOT/submission
RESULTS=$ROOT/results/results.json
LAB=$(cat "$SRC/lab")
OUT=build/grade/autograder # in TREE
mkdir -p "$ROOT/results" || exit 2

# Each expected file from the submission: at its path in the project
# (a GitHub or zip upload of the tree), else by its name anywhere in it
# (files dragged in one by one); if absent, the handout's copy, stubs
# and all.  cp gives each a new time, so make compiles it again; a file
# the same as the tree's is left alone (nothing to compile).
notes=""
while read -r f; do
	name=$(basename "$f")
	if [ -f "$SUB/$f" ]; then
		from=$SUB/$f
	else
		from=$(find "$SUB" -type f -name "$name" 2> /dev/null | sort | head -n 1)
	fi
	if [ -n "$from" ]; then
		notes="${notes}submission: $f taken\n"
	else
		from=$SRC/handout-files/$f
		notes="${notes}submission: $f is missing: the handout's is graded\n"
	fi
	cmp -s "$from" "$TREE/$f" || cp "$from" "$TREE/$f"
done < "$SRC/submission-files"
printf "$notes"

set -a
. "$SRC/grading.env"
set +a
[ -z "${HIDDEN:-}" ] || HIDDEN=$SRC/$HIDDEN
(cd "$TREE" && labs/grade.sh "$LAB" "$OUT")

if [ -s "$TREE/$OUT/results.json" ]; then
	# The notes on top of the summary the student sees (sed makes "\n"
	# of "\\n": JSON's escape for a newline).
	escaped=$(printf '%s' "$notes" | sed 's/\\/\\\\/g')
	sed "0,/\"output\": \"/s||\"output\": \"$escaped|" \
		"$TREE/$OUT/results.json" > "$RESULTS"
else
	printf '{"score": 0, "output": "%sthe grader failed before writing its results: tell your instructor\\n", "tests": []}\n' \
		"$notes" > "$RESULTS"
fi
EOF
chmod +x "$STAGE/setup.sh" "$STAGE/run_autograder"

(cd "$STAGE" && zip -q -r -X "$ZIP" .) || exit 1
echo "autograder: $ZIP (lab $LAB; the student hands in" \
	"$(tr '\n' ' ' < "$STAGE/submission-files")$([ -s "$STAGE/grading.env" ] &&
		echo "; with $(cut -d= -f1 "$STAGE/grading.env" | tr '\n' ' ')"))"
