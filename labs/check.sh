#!/bin/sh
# labs/check.sh - make check-labs: the region reader, labs/regions.awk,
# then every lab (labs/labN-NAME/) end to end; each step a PASS or FAIL
# line, then "check-labs: N passed, M failed" (a suite of tests/check.sh).
#
#   regions-awk     regions.awk on small files in C and in assembly: lab
#                   7's region cut to its stub, lab 8's cut leaving it as
#                   it is; a region without stub, nested, closed by
#                   another lab's END, a stray END, a file ending in a
#                   region or a stub: each refused
#
# For lab N:
#
#   labN-cut        labs/cut.sh cuts the handout; no solution line
#                   survives in it (what that means precisely: cut.sh)
#   labN-builds     the handout builds with its own `make` (-Werror)
#   labN-reference  the reference scores full marks, and its results.json
#                   parses and adds up (the tests' scores sum to the score,
#                   none above its max_score)
#   labN-handout    the handout scores at most 10% of the points, exits
#                   non-zero, its results.json parses and adds up, and
#                   it names a stub ("... is not written yet: ..."): the
#                   stubs build and are reached, not failed before
#   labN-secret     the reference with two secret tests (GRADE_SEED) and a
#                   hidden one (HIDDEN, a copy of tests/guest/alu.s): full
#                   marks; exactly those three are after_due_date, the
#                   others visible; the summary names none of them
#   labN-autograder labs/autograder.sh makes the Gradescope zip from the
#                   handout just cut; its run_autograder, run against a
#                   fake /autograder (AUTOGRADER_ROOT) whose handout is
#                   already built (what setup.sh does, taken from the
#                   handout's build), gives at most 10% to the handout's
#                   files (handed in at their paths) and full marks to the
#                   reference's (handed in flat, by name); both
#                   results.json parse and add up
#   labN-classroom  labs/classroom.sh makes the starter from the handout:
#                   its workflow parses (YAML) and has, for each test of
#                   the lab, a command-grader step running make grade
#                   LAB=N GRADE_ONLY=NAME worth the test's points, and the
#                   reporter with every step; and GRADE_ONLY=NAME grades
#                   the reference on that test alone
#   labN-no-build   the handout with a syntax error (in its first C file
#                   with a region of lab N; in a lab of assembly alone, in
#                   its first assembly file): the grader still writes a
#                   results.json, score 0, the compiler's or the
#                   assembler's FILE:LINE:COL: error message in its output
#
# Its work goes to build/check-labs/.  In a handout (labs/HANDOUT exists)
# there is nothing to check: the solutions are not there.
set -u
MAKE=${MAKE:-make}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
OUT=build/check-labs
passed=0
failed=0

if [ -e labs/HANDOUT ]; then
	echo "check-labs: a handout has no solutions to check"
	echo "check-labs: 0 passed, 0 failed"
	exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT" || exit 2

# report NAME REASON LOG: one result line ("" as REASON: a pass); on a
# failure, the end of LOG.
report() {
	if [ -z "$2" ]; then
		echo "PASS labs/$1"
		passed=$((passed + 1))
	else
		echo "FAIL labs/$1: $2"
		[ -n "${3:-}" ] && [ -e "$3" ] && tail -n 30 "$3" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}

# results JSON: "SCORE MAX" if JSON is a Gradescope results file whose
# tests add up, else a message on stderr and exit status 1.
results() {
	python3 - "$1" << 'EOF'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        r = json.load(f)
    tests = r["tests"]
    for k in ("score", "execution_time", "output"):
        r[k]
    for t in tests:
        for k in ("name", "score", "max_score", "status", "output", "visibility"):
            t[k]
        assert 0 <= t["score"] <= t["max_score"], t["name"] + ": score out of range"
        assert t["status"] in ("passed", "failed"), t["name"] + ": bad status"
    total = sum(t["score"] for t in tests)
    assert total == r["score"], "tests add up to %s, score says %s" % (total, r["score"])
    print(r["score"], sum(t["max_score"] for t in tests))
except Exception as e:
    print("%s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(1)
EOF
}

# hidden_from_students JSON NAMES...: the tests NAMES, and only they, are
# after_due_date in JSON, and its summary does not name them.
hidden_from_students() {
	python3 - "$@" << 'EOF'
import json, sys
path, names = sys.argv[1], set(sys.argv[2:])
with open(path, encoding="utf-8") as f:
    r = json.load(f)
later = {t["name"] for t in r["tests"] if t["visibility"] == "after_due_date"}
others = {t["visibility"] for t in r["tests"] if t["name"] not in names}
problems = []
if later != names:
    problems.append("after_due_date: %s, not %s" % (sorted(later), sorted(names)))
if others - {"visible"}:
    problems.append("the lab's tests are %s, not visible" % sorted(others))
problems += ["the summary names " + n for n in names if n + ":" in r["output"]]
if problems:
    print("%s: %s" % (path, "; ".join(problems)), file=sys.stderr)
    sys.exit(1)
EOF
}

# autograde ROOT FROM FLAT LOG: hands in FROM's copies of the submission
# files (FLAT=flat: all in one folder, by name; else at their paths) to
# the autograder unpacked in ROOT, runs it (its output to LOG); "SCORE
# MAX" of its results.
autograde() {
	rm -rf "$1/submission" "$1/results"
	while read -r f; do
		if [ "$3" = flat ]; then to=$1/submission/$(basename "$f")
		else to=$1/submission/$f; fi
		mkdir -p "$(dirname "$to")" && cp "$2/$f" "$to" || return 1
	done < "$1/source/submission-files"
	AUTOGRADER_ROOT=$1 "$1/run_autograder" >> "$4" 2>&1 || return 1
	results "$1/results/results.json"
}

# check_autograder N HANDOUT LOG: labN-autograder's reason, or "".
check_autograder() {
	root=$OUT/autograder-root
	rm -rf "$root"
	mkdir -p "$root/source"
	if ! labs/autograder.sh "$1" "$2" "$OUT/autograder" >> "$3" 2>&1 ||
		! unzip -q "$OUT/autograder/lab$1.zip" -d "$root/source" >> "$3" 2>&1
	then
		echo "labs/autograder.sh $1 failed"
		return
	fi
	# setup.sh's build, taken from the handout's (make sees it up to date)
	if ! cp "$root/source/run_autograder" "$root/" ||
		! cp -pR "$2/build" "$2/bin" "$root/source/trapeze/"; then
		echo "could not set up the fake /autograder"
		return
	fi
	# (the grades of the handout are not part of setup's build)
	rm -rf "$root/source/trapeze/build/grade"
	# The handout first: its files are the tree's, nothing compiles.
	if ! got=$(autograde "$root" "$2" tree "$3" 2>> "$3"); then
		echo "run_autograder wrote no valid results.json for the handout"
	elif [ $((${got% *} * 10)) -gt "${got#* }" ]; then
		echo "the handout's files score $(slash "$got") in the autograder"
	elif ! got=$(autograde "$root" . flat "$3" 2>> "$3"); then
		echo "run_autograder wrote no valid results.json for the reference"
	elif [ "${got% *}" != "${got#* }" ]; then
		echo "the reference's files score $(slash "$got") in the autograder"
	fi
}

# workflow_grades YAML N TESTS: the GitHub Classroom workflow YAML grades
# lab N's tests (TESTS: the lab's tests file) as labs/classroom.sh says.
workflow_grades() {
	python3 - "$@" << 'EOF'
import sys
path, lab, tests_file = sys.argv[1:]
want = {}
with open(tests_file) as f:
    for line in f:
        w = line.split()
        if len(w) >= 4 and not w[0].startswith("#") and w[3] not in ("secret", "hidden"):
            want[w[0]] = int(w[1])
try:
    import yaml
except ImportError:
    yaml = None
problems = []
if yaml is None:
    # no YAML module: the lines the workflow must have, as text
    text = open(path).read()
    for name, points in want.items():
        for line in ("command: make grade LAB=%s GRADE_ONLY=%s" % (lab, name),
                     "id: " + name):
            if line not in text:
                problems.append("no line '%s'" % line)
else:
    with open(path) as f:
        doc = yaml.safe_load(f)
    steps = doc["jobs"]["run-autograding-tests"]["steps"]
    graders = {s["id"]: s for s in steps
               if str(s.get("uses", "")).startswith("classroom-resources/autograding-command-grader@")}
    reporter = [s for s in steps
                if str(s.get("uses", "")).startswith("classroom-resources/autograding-grading-reporter@")]
    if set(graders) != set(want):
        problems.append("graded steps %s, not the lab's tests %s" % (sorted(graders), sorted(want)))
    for name, points in want.items():
        w = graders.get(name, {}).get("with", {})
        if w.get("command") != "make grade LAB=%s GRADE_ONLY=%s" % (lab, name):
            problems.append("%s: command %r" % (name, w.get("command")))
        if w.get("max-score") != points:
            problems.append("%s: max-score %r, not %d" % (name, w.get("max-score"), points))
    if len(reporter) != 1:
        problems.append("%d reporter steps" % len(reporter))
    else:
        runners = reporter[0]["with"]["runners"].split(",")
        env = reporter[0]["env"]
        if sorted(runners) != sorted(want):
            problems.append("the reporter's runners are %s" % runners)
        for name in want:
            if env.get(name.upper() + "_RESULTS") != "${{steps.%s.outputs.result}}" % name:
                problems.append("the reporter has no %s_RESULTS" % name.upper())
if problems:
    print("%s: %s" % (path, "; ".join(problems)), file=sys.stderr)
    sys.exit(1)
EOF
}

# seed_build HANDOUT: the reference's objects, copied into the handout
# with their times (bin/, build/ and build/asan/, less the suites'
# outputs), so that its make recompiles only what the cut changed (the
# files with a region of the lab: newer than every object) and relinks.
# The handout still builds with its own make and -Werror; building the
# other files again, byte for byte the reference's, would only cost time
# (a minute or two per lab, eight labs in make check).
seed_build() {
	[ -d build ] || return 0
	mkdir -p "$1/build"
	[ -d bin ] && cp -pR bin "$1/"
	tar -cf - --exclude='./check-labs' --exclude='./grade' --exclude='./handout' \
		--exclude='./mutants' --exclude='./autograder' --exclude='./classroom' \
		--exclude='./fuzz' --exclude='./diff' --exclude='./guestos-test' \
		--exclude='./attack' --exclude='./e2e' --exclude='./asan/fuzz' \
		--exclude='./asan/diff' --exclude='./asan/guestos-test' \
		--exclude='./asan/attack' --exclude='./asan/e2e' -C build . |
		tar -xpf - -C "$1/build"
}

# score_of GRADE-OUTPUT: X and Y of its "Score: X/Y" line.
score_of() {
	sed -n 's|^Score: \([0-9]*\)/\([0-9]*\)$|\1 \2|p' "$1" | tail -n 1
}

# slash "X Y": "X/Y".
slash() {
	echo "$1" | tr ' ' /
}

# regions.awk alone, on small files in both comment syntaxes: a lab's
# regions cut, another lab's kept, and each malformed region refused.
# cut_is NAME LAB INPUT EXPECTED: INPUT and EXPECTED are lines joined by |.
cut_is() {
	printf '%s\n' "$3" | tr '|' '\n' > "$OUT/regions-$1"
	printf '%s\n' "$4" | tr '|' '\n' > "$OUT/regions-$1.want"
	awk -v lab="$2" -v mode=cut -f labs/regions.awk "$OUT/regions-$1" \
		> "$OUT/regions-$1.got" 2>&1 &&
		cmp -s "$OUT/regions-$1.want" "$OUT/regions-$1.got"
}
# refused NAME INPUT: regions.awk must fail on INPUT.
refused() {
	printf '%s\n' "$2" | tr '|' '\n' > "$OUT/regions-$1"
	! awk -v lab=7 -v mode=cut -f labs/regions.awk "$OUT/regions-$1" \
		> /dev/null 2>&1
}
C_REGION='int a;|/* BEGIN LAB 7: x */|int b = 1;|/* END LAB 7 */|/* STUB LAB 7|int b = 0;|*/|int c;'
S_REGION='a|# BEGIN LAB 7: x|	li t0, 1|# END LAB 7|# STUB LAB 7|# 	li t0, 0|# END STUB LAB 7|b'
reason=""
cut_is c 7 "$C_REGION" 'int a;|/* LAB 7: x */|int b = 0;|int c;' ||
	reason="$reason C region not cut as expected;"
cut_is c-other 8 "$C_REGION" "$C_REGION" || reason="$reason lab 8 changed lab 7's C region;"
cut_is s 7 "$S_REGION" 'a|# LAB 7: x|	li t0, 0|b' ||
	reason="$reason assembly region not cut as expected;"
cut_is s-other 8 "$S_REGION" "$S_REGION" || reason="$reason lab 8 changed lab 7's assembly region;"
refused no-stub '/* BEGIN LAB 7: x */|int b;|/* END LAB 7 */|int c;' ||
	reason="$reason a region without stub accepted;"
refused nested '/* BEGIN LAB 7: x */|/* BEGIN LAB 7: y */' ||
	reason="$reason a region inside a region accepted;"
refused other-end '/* BEGIN LAB 7: x */|int b;|/* END LAB 8 */|/* STUB LAB 7|*/' ||
	reason="$reason END LAB 8 closed LAB 7;"
refused stray-end 'int a;|/* END LAB 7 */' || reason="$reason a stray END accepted;"
refused eof-region '/* BEGIN LAB 7: x */|int b;' ||
	reason="$reason a file ending in a region accepted;"
refused eof-stub '# BEGIN LAB 7: x|li t0, 1|# END LAB 7|# STUB LAB 7|# li t0, 0' ||
	reason="$reason a file ending in a stub accepted;"
report regions-awk "$reason"

for dir in labs/lab[0-9]*-*; do
	[ -f "$dir/tests" ] || continue
	n=${dir#labs/lab}
	n=${n%%-*}
	lab=lab$n
	hand=$OUT/handout/$lab

	if labs/cut.sh "$n" "$OUT/handout" > "$OUT/$lab-cut.log" 2>&1; then
		report "$lab-cut" ""
	else
		report "$lab-cut" "make handout LAB=$n failed" "$OUT/$lab-cut.log"
		continue
	fi

	seed_build "$hand"
	if (cd "$hand" && $MAKE -s -j2) > "$OUT/$lab-builds.log" 2>&1; then
		report "$lab-builds" ""
	else
		report "$lab-builds" "the handout does not build" "$OUT/$lab-builds.log"
		continue
	fi

	log=$OUT/$lab-reference.log
	labs/grade.sh "$n" "$OUT/grade-reference/$lab" > "$log" 2>&1
	rc=$?
	reason=""
	if ! sums=$(results "$OUT/grade-reference/$lab/results.json" 2>> "$log"); then
		reason="its results.json is not valid"
	elif [ "$rc" -ne 0 ] || [ "$(score_of "$log")" != "$sums" ] ||
		[ "${sums% *}" != "${sums#* }" ]; then
		reason="the reference scores $(slash "$(score_of "$log")"), not"
		reason="$reason full marks (results.json: $(slash "$sums");"
		reason="$reason exit status $rc)"
	fi
	report "$lab-reference" "$reason" "$log"

	log=$OUT/$lab-handout.log
	(cd "$hand" && labs/grade.sh "$n") > "$log" 2>&1
	rc=$?
	reason=""
	if ! sums=$(results "$hand/build/grade/$lab/results.json" 2>> "$log"); then
		reason="its results.json is not valid"
	elif [ "$rc" -eq 0 ] || [ "$(score_of "$log")" != "$sums" ] ||
		[ $((${sums% *} * 10)) -gt "${sums#* }" ]; then
		reason="the handout scores $(slash "$(score_of "$log")") (exit status $rc)"
		reason="$reason: more than 10% of the points, or full marks"
	elif ! grep -q 'is not written yet' "$hand/build/grade/$lab/results.json"; then
		reason="no test reached a stub: 'is not written yet' is nowhere in"
		reason="$reason its results.json (do the stubs build, and run?)"
	fi
	report "$lab-handout" "$reason" "$log"

	log=$OUT/$lab-secret.log
	mkdir -p "$OUT/hidden" && cp tests/guest/alu.s "$OUT/hidden/" || exit 2
	json=$OUT/grade-secret/$lab/results.json
	GRADE_SEED=check-labs GRADE_SECRETS=2 HIDDEN=$OUT/hidden \
		GRADE_SKIP=sanitizers labs/grade.sh "$n" "$OUT/grade-secret/$lab" \
		> "$log" 2>&1
	rc=$?
	reason=""
	if ! sums=$(results "$json" 2>> "$log"); then
		reason="its results.json is not valid"
	elif [ "$rc" -ne 0 ] || [ "${sums% *}" != "${sums#* }" ]; then
		reason="the reference with secret and hidden tests scores"
		reason="$reason $(slash "$sums") (exit status $rc)"
	elif ! hidden_from_students "$json" secret-1 secret-2 hidden-alu \
		2>> "$log"; then
		reason="the secret and hidden tests are not kept from students"
	fi
	report "$lab-secret" "$reason" "$log"

	log=$OUT/$lab-autograder.log
	reason=$(check_autograder "$n" "$hand" "$log" 2>> "$log")
	report "$lab-autograder" "$reason" "$log"

	log=$OUT/$lab-classroom.log
	reason=""
	first=$(awk '$1 !~ /^#/ && NF >= 4 { print $1; exit }' "$dir/tests")
	if ! labs/classroom.sh "$n" "$hand" "$OUT/classroom" > "$log" 2>&1; then
		reason="labs/classroom.sh $n failed"
	elif ! workflow_grades "$OUT/classroom/$lab/.github/workflows/classroom.yml" \
		"$n" "$dir/tests" 2>> "$log"; then
		reason="the workflow does not grade lab $n's tests"
	elif ! GRADE_ONLY=$first labs/grade.sh "$n" "$OUT/grade-only/$lab" \
		>> "$log" 2>&1 ||
		[ "$(results "$OUT/grade-only/$lab/results.json")" != \
		  "$(awk -v t="$first" '$1 == t { print $2, $2 }' "$dir/tests")" ]; then
		reason="GRADE_ONLY=$first does not grade that test alone"
	fi
	report "$lab-classroom" "$reason" "$log"

	# A submission that does not compile: append a line no compiler takes
	# to the first C file of the lab's regions, or, in a lab written in
	# assembly alone (lab 0), to its first assembly file.
	log=$OUT/$lab-no-build.log
	src=$(grep -lE '^/\* BEGIN LAB '"$n"': ' vmm/*.c machine/*.c isa/*.c \
		2> /dev/null | head -n 1)
	junk="this is not C"
	if [ -z "$src" ]; then
		src=$(grep -rlE --include='*.s' --include='*.inc' --exclude-dir=build \
			'^[[:space:]]*# BEGIN LAB '"$n"': ' . | sed 's|^\./||' | sort |
			head -n 1)
		junk="this is not PG32 assembly"
	fi
	if [ -n "$src" ]; then
		echo "$junk" >> "$hand/$src"
		(cd "$hand" && labs/grade.sh "$n" build/grade/no-build) > "$log" 2>&1
		rc=$?
		json=$hand/build/grade/no-build/results.json
		reason=""
		if ! sums=$(results "$json" 2>> "$log"); then
			reason="no valid results.json"
		elif [ "$rc" -eq 0 ] || [ "${sums% *}" -ne 0 ]; then
			reason="a handout that does not build scores $(slash "$sums") (exit status $rc)"
		elif ! grep -q "$src:[0-9]*:[0-9]*: error" "$json"; then
			reason="the compiler's (or assembler's) FILE:LINE:COL: error"
			reason="$reason message is not in results.json"
		fi
		report "$lab-no-build" "$reason" "$log"
	fi
done

echo "check-labs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
