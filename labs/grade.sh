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

# vmm_expect LOG SECONDS WHAT WANT_OUT WANT_STATUS DESC -- RUN ARGS...:
# runs RUN ARGS with --vmm; the VM must print the bytes of the file
# WANT_OUT and exit with WANT_STATUS, which are DESC's ("the bare
# machine's", or an expected file's for what the bare machine cannot run
# as it is: a hypercall is no instruction of the bare machine).
vmm_expect() {
	log=$1
	t=$2
	base=$OUT/tests/$3
	want_out=$4
	want=$5
	desc=$6
	shift 6
	REPRO="$TRAPEZE run --vmm $*"
	timeout -k 5 "$t" "$TRAPEZE" run --vmm "$@" < /dev/null > "$base.vmm.out" \
		2> "$base.vmm.err"
	got=$?
	REASON=""
	if [ "$got" -eq 124 ] || [ "$got" -eq 137 ]; then
		REASON="timed out after $t s under --vmm"
	elif ! cmp -s "$want_out" "$base.vmm.out"; then
		REASON="under --vmm the console output differs from $desc"
	elif [ "$got" -ne "$want" ]; then
		REASON="exit status $got under --vmm, $want is $desc"
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
			echo "$desc (-) and --vmm (+), first lines:"
			diff -u "$want_out" "$base.vmm.out" | head -n 40
			echo "exit status: $desc $want, --vmm $got"
		fi
	} >> "$log"
}

# compare LOG SECONDS WHAT -- RUN ARGS...: runs RUN ARGS on the bare
# machine and with --vmm; the VM must print the same bytes and exit with
# the same status.
compare() {
	log=$1
	t=$2
	what=$3
	shift 3
	base=$OUT/tests/$what
	timeout -k 5 "$t" "$TRAPEZE" run "$@" < /dev/null > "$base.native.out" \
		2> "$base.native.err"
	vmm_expect "$log" "$t" "$what" "$base.native.out" $? \
		"the bare machine's" "$@"
	if [ -n "$REASON" ]; then
		echo "find the first instruction where they part:" >> "$log"
		echo "    $TRAPEZE run --lockstep $*" >> "$log"
	fi
}

# assemble_guest LOG NAME: tests/guest/NAME.s into $elf ($src: the
# source); if it does not assemble, sets REASON and REPRO and fails.
assemble_guest() {
	src=tests/guest/$2.s
	elf=$OUT/tests/$2.elf
	mkdir -p "$(dirname "$elf")" # NAME may be in a folder: pv/console
	"$TRAPEZE" as -I tests/guest/lib -I build/include "$src" -o "$elf" \
		>> "$1" 2>&1 && return 0
	REASON="$src does not assemble"
	REPRO="$TRAPEZE as -I tests/guest/lib -I build/include $src -o $elf"
	return 1
}

# run_guest LOG SECONDS NAME: tests/guest/NAME.s
run_guest() {
	assemble_guest "$1" "$3" || return
	opts=$(directive "$src" run | sed "s|@SRC@|tests/guest|g")
	# shellcheck disable=SC2086 # the options are words
	compare "$1" "$2" "$3" --max-cycles=$MAX_CYCLES $opts "$elf"
}

# run_guestos LOG SECONDS
run_guestos() {
	compare "$1" "$2" guestos --max-cycles=$MAX_CYCLES \
		--disk=build/guestos.disk build/guestos.elf
}

# run_guest_vmm LOG SECONDS NAME: tests/guest/NAME.s under --vmm, compared
# with tests/guest/NAME.vmm.expected (exit status: NAME.vmm.status, or
# 0): a program that tells a VM from the bare machine on purpose.
run_guest_vmm() {
	assemble_guest "$1" "$3" || return
	want=0
	[ -e "tests/guest/$3.vmm.status" ] && want=$(cat "tests/guest/$3.vmm.status")
	vmm_expect "$1" "$2" "$3" "tests/guest/$3.vmm.expected" "$want" \
		"tests/guest/$3.vmm.expected" --max-cycles=$MAX_CYCLES "$elf"
}

# plain_guestos SECONDS: the plain guest OS on the bare machine, its
# output in $OUT/tests/guestos.native.out; its exit status.
plain_guestos() {
	timeout -k 5 "$1" "$TRAPEZE" run --max-cycles=$MAX_CYCLES \
		--disk=build/guestos.disk build/guestos.elf < /dev/null \
		> "$OUT/tests/guestos.native.out" 2> /dev/null
}

# run_guestos_pv LOG SECONDS: the paravirtualized guest OS
# (build/guestos-pv.elf) under --vmm must print what the plain one prints
# on the bare machine.
run_guestos_pv() {
	plain_guestos "$2"
	vmm_expect "$1" "$2" guestos-pv "$OUT/tests/guestos.native.out" $? \
		"the plain guest OS's on the bare machine" --max-cycles=$MAX_CYCLES \
		--disk=build/guestos.disk build/guestos-pv.elf
}

# stat_of ERRFILE WORD: the count after WORD in the "vm0: by what was
# done:" line of a --stats output (0 if the action never happened).
stat_of() {
	n=$(sed -n "s/^vm0: by what was done:.* $2 \([0-9]*\).*/\1/p" "$1")
	echo "${n:-0}"
}

# run_exits_saved LOG SECONDS ACTION: the plain and the paravirtualized
# guest OS under --vmm --stats.  Each byte the plain one prints is a store
# to the console's TX, one exit of kind ACTION (mmio); the paravirtualized
# one must print the same bytes and save at least 9 in 10 of those exits.
run_exits_saved() {
	plain_guestos "$2"
	for flavour in guestos guestos-pv; do
		timeout -k 5 "$2" "$TRAPEZE" run --vmm --stats \
			--max-cycles=$MAX_CYCLES --disk=build/guestos.disk \
			"build/$flavour.elf" < /dev/null \
			> "$OUT/tests/$flavour.stats.out" 2> "$OUT/tests/$flavour.stats.err"
		echo "\$ $TRAPEZE run --vmm --stats --disk=build/guestos.disk build/$flavour.elf"
		cat "$OUT/tests/$flavour.stats.err"
	done >> "$1"
	REPRO="$TRAPEZE run --vmm --stats --disk=build/guestos.disk build/guestos-pv.elf > /dev/null"
	bytes=$(wc -c < "$OUT/tests/guestos.native.out")
	plain=$(stat_of "$OUT/tests/guestos.stats.err" "$3")
	pv=$(stat_of "$OUT/tests/guestos-pv.stats.err" "$3")
	saved=$((plain - pv))
	least=$((bytes * 9 / 10))
	REASON=""
	if ! cmp -s "$OUT/tests/guestos.native.out" "$OUT/tests/guestos-pv.stats.out"; then
		REASON="the paravirtualized guest OS does not print what the plain one prints"
		said=$(grep -v '^vm[0-9]*: \|^vmm: ' "$OUT/tests/guestos-pv.stats.err" |
			head -n 1 | tr -cd '\40-\176')
		[ -z "$said" ] || REASON="$REASON; it said: $said"
	elif [ "$saved" -lt "$least" ]; then
		REASON="$3 exits: plain guest OS $plain, paravirtualized $pv: $saved saved,"
		REASON="$REASON want at least $least (9 in 10 of the $bytes bytes it prints)"
	fi
	echo "$3 exits: plain $plain, paravirtualized $pv, saved $saved (want >= $least)" >> "$1"
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
		guest-vmm) run_guest_vmm "$log" "$secs" "$arg" ;;
		guestos-pv) run_guestos_pv "$log" "$secs" ;;
		exits-saved) run_exits_saved "$log" "$secs" "$arg" ;;
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
