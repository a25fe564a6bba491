#!/bin/sh
# labs/grade.sh N [OUTDIR] - grade lab N (make grade LAB=N).
#
# Builds the project, then runs each test of labs/labN-NAME/tests (its
# format is described at the top of that file), each under `timeout` with
# its own time limit, and prints one line per test:
#
#   NAME: OK (POINTS/POINTS, SECONDS s)
#   NAME: FAIL (0/POINTS, SECONDS s)
#       reason: WHY
#       reproduce: THE COMMAND
#
# then "Score: X/Y".  It exits 0 at full marks and 1 below.  It also writes
# OUTDIR/results.json (default build/grade/labN/; relative to the
# project's top folder) in Gradescope's format:
# score, execution_time, output, and tests[] with name, score, max_score,
# status, output and visibility; each test's whole output is in
# OUTDIR/tests/NAME.log.  A project that does not build still gets its
# results.json: every test failed, the compiler's messages in the output.
# Outputs are cut to ASCII and to their first lines, so that a program
# printing garbage cannot make the file unreadable.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 N [OUTDIR]" >&2
	exit 2
fi
LAB=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
. labs/lab.sh
lab_dir "$LAB" grade.sh
OUT=${2:-build/grade/lab$LAB}
MAKE=${MAKE:-make}
TRAPEZE=bin/trapeze
UNIT=build/tests/test_vmm
ASAN_O=build/asan
MAX_CYCLES=50000000 # as tests/guest/run.sh
BUILD_SECONDS=600
UNIT_UNDER_SAN_SECONDS=30
LOG_LINES=60 # of a test's output, in results.json

rm -rf "$OUT"
mkdir -p "$OUT/tests" || exit 2

now_ms() { date +%s%3N; }

# seconds FROM_MS: the time since FROM_MS, "1.234".
seconds() {
	echo "$1 $(now_ms)" | awk '{ printf "%.2f", ($2 - $1) / 1000 }'
}

# ascii FILE: keeps tabs, newlines and printable ASCII (garbage in, valid
# JSON out).
ascii() {
	tr -cd '\11\12\40-\176' < "$1" > "$1.tmp" && mv "$1.tmp" "$1"
}

# timed SECONDS LOG CMD...: CMD under `timeout`, its output to LOG; its
# exit status (124: it ran out of time).
timed() {
	t=$1
	log=$2
	shift 2
	timeout -k 5 "$t" "$@" >> "$log" 2>&1 < /dev/null
}

# directive SRC KEY: what tests/guest/run.sh reads from "# KEY:" lines.
directive() {
	head -n 10 "$1" | sed -n "s/^# $2:[[:space:]]*//p" | head -n 1
}

# --- the kinds of test: each sets REASON ("" if it passed) and REPRO --------

# run_unit LOG SECONDS PATTERN [BINARY]
run_unit() {
	bin=${4:-$UNIT}
	REPRO="UNIT_FILTER='$3' $bin"
	timed "$2" "$1" env UNIT_FILTER="$3" "$bin"
	rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		REASON="timed out after $2 s"
	elif [ "$rc" -ne 0 ]; then
		# cmocka's first complaint, and where: "[  ERROR   ] --- 5 != 6"
		# and "[   LINE   ] --- tests/unit/test_vmm.c:487: error: ...".
		what=$(sed -n 's/^\[  ERROR   \] --- //p' "$1" | head -n 1)
		where=$(sed -n 's/^\[   LINE   \] --- \([^:]*:[0-9]*\):.*/\1/p' \
			"$1" | head -n 1)
		REASON="the unit test failed${what:+: $what}${where:+ at $where}"
		[ -n "$what" ] || REASON="$REASON (exit status $rc): see its output"
	elif ! grep -q '^\[  PASSED  \] [1-9]' "$1"; then
		REASON="no unit test matches '$3'"
	else
		REASON=""
	fi
}

# compare LOG SECONDS WHAT NATIVE_REPRO -- RUN ARGS...: runs RUN ARGS on
# the bare machine and with --vmm; the VM must print the same bytes and
# exit with the same status.
compare() {
	log=$1
	t=$2
	what=$3
	shift 3
	base=$OUT/tests/$what
	REPRO="$TRAPEZE run --vmm $*"
	timeout -k 5 "$t" "$TRAPEZE" run "$@" < /dev/null > "$base.native.out" \
		2> "$base.native.err"
	want=$?
	timeout -k 5 "$t" "$TRAPEZE" run --vmm "$@" < /dev/null > "$base.vmm.out" \
		2> "$base.vmm.err"
	got=$?
	REASON=""
	if [ "$got" -eq 124 ] || [ "$got" -eq 137 ]; then
		REASON="timed out after $t s under --vmm"
	elif ! cmp -s "$base.native.out" "$base.vmm.out"; then
		REASON="under --vmm the console output differs from the bare machine's"
	elif [ "$got" -ne "$want" ]; then
		REASON="exit status $got under --vmm, $want on the bare machine"
	fi
	# What the VMM said when it stopped the VM, e.g. a stub's "lab 1:
	# vm_rfe (vmm/emulate.c) is not written yet: ...".
	said=$(head -n 1 "$base.vmm.err" | tr -cd '\40-\176')
	if [ -n "$REASON" ] && [ -n "$said" ]; then
		REASON="$REASON; it said: $said"
	fi
	{
		echo "\$ $TRAPEZE run --vmm $*"
		cat "$base.vmm.err"
		if [ -n "$REASON" ]; then
			echo "the bare machine (-) and --vmm (+), first lines:"
			diff -u "$base.native.out" "$base.vmm.out" | head -n 40
			echo "exit status: bare machine $want, --vmm $got"
			echo "find the first instruction where they part:"
			echo "    $TRAPEZE run --lockstep $*"
		fi
	} >> "$log"
}

# run_guest LOG SECONDS NAME: tests/guest/NAME.s
run_guest() {
	src=tests/guest/$3.s
	elf=$OUT/tests/$3.elf
	if ! "$TRAPEZE" as -I tests/guest/lib -I build/include "$src" -o "$elf" \
		>> "$1" 2>&1; then
		REASON="$src does not assemble"
		REPRO="$TRAPEZE as -I tests/guest/lib -I build/include $src -o $elf"
		return
	fi
	opts=$(directive "$src" run | sed "s|@SRC@|tests/guest|g")
	# shellcheck disable=SC2086 # the options are words
	compare "$1" "$2" "$3" --max-cycles=$MAX_CYCLES $opts "$elf"
}

# run_guestos LOG SECONDS
run_guestos() {
	compare "$1" "$2" guestos --max-cycles=$MAX_CYCLES \
		--disk=build/guestos.disk build/guestos.elf
}

# run_sanitizers LOG SECONDS PATTERNS: builds the unit tests with the
# sanitizers, then runs each comma-separated pattern there.
run_sanitizers() {
	build="$MAKE O=$ASAN_O SAN=1 CFLAGS='-O1 -g' $ASAN_O/tests/test_vmm"
	REPRO=$build
	start=$(now_ms)
	timed "$2" "$1" $MAKE -s -j2 O=$ASAN_O SAN=1 CFLAGS="-O1 -g" \
		"$ASAN_O/tests/test_vmm"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		REASON="the sanitizer build failed (exit status $rc)"
		return
	fi
	# Each run gets what the build left of the time limit, at least
	# 10 s and at most UNIT_UNDER_SAN_SECONDS (a loop must not cost all).
	left=$(($2 - ($(now_ms) - start) / 1000))
	[ "$left" -gt 10 ] || left=10
	[ "$left" -le $UNIT_UNDER_SAN_SECONDS ] || left=$UNIT_UNDER_SAN_SECONDS
	for p in $(echo "$3" | tr ',' ' '); do
		run_unit "$1" "$left" "$p" "$ASAN_O/tests/test_vmm"
		if [ -n "$REASON" ]; then
			REASON="under the sanitizers: $REASON"
			REPRO="$build && $REPRO"
			return
		fi
	done
}

# suite_reason LOG SECONDS STATUS SUITE: REASON after a run of one of the
# project's suites, which print PASS and FAIL lines: "" if it passed, else
# its first FAIL line.
suite_reason() {
	if [ "$3" -eq 124 ] || [ "$3" -eq 137 ]; then
		REASON="timed out after $2 s"
	elif [ "$3" -ne 0 ]; then
		REASON=$(grep -m 1 '^FAIL ' "$1" | cut -c 1-300)
		REASON=${REASON:-"$4 failed (exit status $3)"}
	else
		REASON=""
	fi
}

# run_attack LOG SECONDS NAME: the attack guest tests/guest/attack/NAME.s,
# run as `make attack` runs it (tests/guest/attack/run.sh): natively, under
# --vmm alone, next to the well-behaved neighbour (and first, with
# "# preempt:"); passes when it is contained: it gets exactly what the
# bare machine gives it and the neighbour's output does not change.
run_attack() {
	REPRO="tests/guest/attack/run.sh $TRAPEZE build/attack $3"
	timed "$2" "$1" tests/guest/attack/run.sh "$TRAPEZE" build/attack "$3"
	suite_reason "$1" "$2" $? "the attack suite"
}

# run_e2e LOG SECONDS CASES: the comma-separated cases of tests/e2e/cases
# (NAME.cmd, NAME.out, ...), run as `make e2e` runs them
# (tests/e2e/run.sh); passes when each prints what NAME.out and NAME.err
# say and exits as NAME.status says.
run_e2e() {
	cases=$(echo "$3" | tr ',' ' ')
	REPRO="tests/e2e/run.sh $TRAPEZE build/e2e $cases"
	# shellcheck disable=SC2086 # the cases are words
	timed "$2" "$1" tests/e2e/run.sh "$TRAPEZE" build/e2e $cases
	suite_reason "$1" "$2" $? tests/e2e/run.sh
}

# run_vms LOG SECONDS N[:QUANTUM]: N guest OSes at once under --vmm (turns
# of QUANTUM guest instructions if given); each VM's lines, their "[vmK] "
# prefix removed, must be what the guest OS prints on the bare machine,
# and the status 0 if the bare machine's is.
run_vms() {
	n=${3%%:*}
	q=""
	[ "$n" = "$3" ] || q="--quantum=${3#*:}"
	base=$OUT/tests/vms$n
	opts="--max-cycles=$MAX_CYCLES --disk=build/guestos.disk"
	images=""
	k=0
	while [ "$k" -lt "$n" ]; do
		images="$images build/guestos.elf"
		k=$((k + 1))
	done
	REPRO="$TRAPEZE run --vmm $q $opts$images"
	# shellcheck disable=SC2086 # the options and images are words
	timeout -k 5 "$2" "$TRAPEZE" run $opts build/guestos.elf \
		< /dev/null > "$base.native.out" 2> "$base.native.err"
	want=$?
	[ "$want" -eq 0 ] || want=1 # several VMs: 1 unless all exited 0
	# shellcheck disable=SC2086
	timeout -k 5 "$2" "$TRAPEZE" run --vmm $q $opts $images \
		< /dev/null > "$base.vmm.out" 2> "$base.vmm.err"
	got=$?
	{ echo "\$ $REPRO"; cat "$base.vmm.err"; } >> "$1"
	REASON=""
	if [ "$got" -eq 124 ] || [ "$got" -eq 137 ]; then
		REASON="timed out after $2 s under --vmm"
		return
	fi
	k=0
	while [ "$k" -lt "$n" ] && [ -z "$REASON" ]; do
		sed -n "s/^\[vm$k\] //p" "$base.vmm.out" > "$base.vm$k.out"
		if ! cmp -s "$base.native.out" "$base.vm$k.out"; then
			REASON="vm$k's lines differ from the bare machine's output"
			echo "the bare machine (-) and vm$k (+), first lines:" >> "$1"
			diff -u "$base.native.out" "$base.vm$k.out" | head -n 40 >> "$1"
		fi
		k=$((k + 1))
	done
	stray=$(grep -v -c '^\[vm[0-9]*\] ' "$base.vmm.out")
	if [ -z "$REASON" ] && [ "$stray" -ne 0 ]; then
		REASON="$stray lines without a [vmK] prefix"
	elif [ -z "$REASON" ] && [ "$got" -ne "$want" ]; then
		REASON="exit status $got under --vmm, want $want"
	fi
	said=$(head -n 1 "$base.vmm.err" | tr -cd '\40-\176')
	if [ -n "$REASON" ] && [ -n "$said" ]; then
		REASON="$REASON; it said: $said"
	fi
}

# --- the build ---------------------------------------------------------------

t0=$(now_ms)
BUILD_LOG=$OUT/build.log
timed $BUILD_SECONDS "$BUILD_LOG" $MAKE -s -j2 all "$UNIT" build/include/pg32.inc
build_rc=$?
ascii "$BUILD_LOG"
if [ "$build_rc" -eq 0 ]; then
	echo "build: OK ($(seconds "$t0") s)" | tee "$OUT/output"
else
	{
		echo "build: FAIL (exit status $build_rc): every test fails;" \
			"the build's messages:"
		tail -n 40 "$BUILD_LOG" | sed 's/^/    /'
		echo "    reproduce: $MAKE"
	} | tee "$OUT/output"
fi

# --- the tests --------------------------------------------------------------------

score=0
max=0
: > "$OUT/records"
while read -r name points secs kind arg; do
	case $name in '' | '#'*) continue ;; esac
	log=$OUT/tests/$name.log
	: > "$log"
	start=$(now_ms)
	if [ "$build_rc" -ne 0 ]; then
		REASON="the project does not build"
		REPRO=$MAKE
		tail -n 40 "$BUILD_LOG" > "$log"
	else
		case $kind in
		unit) run_unit "$log" "$secs" "$arg" ;;
		guest) run_guest "$log" "$secs" "$arg" ;;
		guestos) run_guestos "$log" "$secs" ;;
		sanitizers) run_sanitizers "$log" "$secs" "$arg" ;;
		attack) run_attack "$log" "$secs" "$arg" ;;
		e2e) run_e2e "$log" "$secs" "$arg" ;;
		vms) run_vms "$log" "$secs" "$arg" ;;
		*) echo "grade.sh: $LABDIR/tests: unknown kind '$kind'" >&2; exit 2 ;;
		esac
	fi
	ascii "$log"
	took=$(seconds "$start")
	max=$((max + points))
	if [ -z "$REASON" ]; then
		got=$points
		line="$name: OK ($points/$points, $took s)"
		status=passed
	else
		got=0
		line="$name: FAIL (0/$points, $took s)
    reason: $REASON
    reproduce: $REPRO"
		status=failed
		{ echo "reason: $REASON"; echo "reproduce: $REPRO"; } >> "$log"
	fi
	score=$((score + got))
	echo "$line" | tee -a "$OUT/output"
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$got" "$points" "$status" "$log" \
		>> "$OUT/records"
done < "$LABDIR/tests"

echo "Score: $score/$max" | tee -a "$OUT/output"

# --- results.json -------------------------------------------------------------------

awk -F '\t' -v score="$score" -v took="$(seconds "$t0")" \
    -v summary="$OUT/output" -v lines="$LOG_LINES" '
function esc(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	gsub(/\t/, "\\t", s)
	gsub(/\n/, "\\n", s)
	return "\"" s "\""
}
function slurp(f, lines,    l, s, n) {
	s = ""
	n = 0
	while ((getline l < f) > 0)
		if (++n <= lines)
			s = s l "\n"
	close(f)
	if (n > lines)
		s = s "... (" n - lines " more lines in " f ")\n"
	return s
}
BEGIN {
	printf "{\n  \"score\": %d,\n  \"execution_time\": %s,\n", score, took
	printf "  \"output\": %s,\n  \"tests\": [", esc(slurp(summary, 1000))
}
{
	printf "%s\n    {\"name\": %s, \"score\": %d, \"max_score\": %d, " \
	       "\"status\": %s, \"visibility\": \"visible\", \"output\": %s}",
	       (NR > 1 ? "," : ""), esc($1), $2, $3, esc($4), esc(slurp($5, lines))
}
END { printf "\n  ]\n}\n" }' "$OUT/records" > "$OUT/results.json"
rm -f "$OUT/records"
[ "$score" -eq "$max" ]
