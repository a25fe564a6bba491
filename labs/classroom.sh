#!/bin/sh
# labs/classroom.sh N [HANDOUT [OUTDIR]] - lab N's starter repository for
# GitHub Classroom (make classroom LAB=N): OUTDIR/labN/ (default
# build/classroom/), the handout plus .github/workflows/classroom.yml.
#
# Make it a repository (git init, commit, push) and choose it as the
# assignment's template.  On each push the workflow installs the packages
# (quickstart.sh's Debian list), builds, then grades each test of the
# lab's tests file as its own step of GitHub's command grader
# (classroom-resources/autograding-command-grader: a test's points when
# its command exits 0) running `make grade LAB=N GRADE_ONLY=NAME`; the
# grading reporter (classroom-resources/autograding-grading-reporter)
# adds them up for Classroom.  The secret and hidden tests are not there:
# the student's repository is the student's to read (labs/README.md).
#
# HANDOUT, if given, is a handout of lab N already cut; else it is cut
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
lab_dir "$LAB" classroom.sh
OUT=${3:-build/classroom}
DEST=$OUT/lab$LAB
WORKFLOW=$DEST/.github/workflows/classroom.yml
SECONDS_PER_MINUTE=60
debian_packages classroom.sh

rm -rf "$DEST"
copy_handout "$LAB" "${2:-}" "$OUT" "$DEST" classroom.sh
mkdir -p "$(dirname "$WORKFLOW")" || exit 2

# The lab's tests, "NAME POINTS SECONDS", as the workflow's steps; the
# command grader's timeout is in minutes: the test's limit rounded up,
# plus one for make to see that the build is done.
tests=$(awk '$1 !~ /^#/ && NF >= 4 && $4 != "secret" && $4 != "hidden" {
	print $1, $2, $3 }' "$LABDIR/tests")

{
	cat << EOF
# GitHub Classroom's autograding for lab $LAB (labs/classroom.sh made it):
# each test of $LABDIR/tests is one step, worth its points
# when \`make grade LAB=$LAB GRADE_ONLY=NAME\` exits 0.
name: Autograding Tests
'on':
- push
- repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
    - name: Checkout code
      uses: actions/checkout@v4
    - name: Install the packages and build
      run: |
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES
        make -s -j2 all build/tests/test_vmm build/include/pg32.inc ||
          echo "the build fails: each test below says why"
EOF
	echo "$tests" | while read -r name points secs; do
		minutes=$(((secs + SECONDS_PER_MINUTE - 1) / SECONDS_PER_MINUTE + 1))
		cat << EOF
    - name: $name
      id: $name
      uses: classroom-resources/autograding-command-grader@v1
      with:
        test-name: $name
        setup-command: ''
        command: make grade LAB=$LAB GRADE_ONLY=$name
        timeout: $minutes
        max-score: $points
EOF
	done
	cat << EOF
    - name: Autograding Reporter
      uses: classroom-resources/autograding-grading-reporter@v1
      env:
EOF
	echo "$tests" | while read -r name points secs; do
		upper=$(echo "$name" | tr '[:lower:]' '[:upper:]')
		echo "        ${upper}_RESULTS: \"\${{steps.$name.outputs.result}}\""
	done
	echo "      with:"
	echo "        runners: $(echo "$tests" | cut -d' ' -f1 | paste -sd, -)"
} > "$WORKFLOW"

echo "classroom: $DEST/ (lab $LAB's handout; $WORKFLOW grades its" \
	"$(echo "$tests" | wc -l) tests, $(echo "$tests" |
		awk '{ p += $2 } END { print p }') points)"
