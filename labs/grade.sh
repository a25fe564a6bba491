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
#
# The environment may add tests and change how grading runs (each is
# described in labs/README.md, "Secret tests" and "Grading options"):
#   GRADE_SEED=S       secret tests: random programs from the differential
#                      generator, drawn from the instructor's seed S
#   GRADE_SECRETS=K    how many (default: the lab's `secret` line, else 8)
#   HIDDEN=DIR         the instructor's own guest programs, DIR/*.s (or the
#                      tests of DIR/tests)
#   GRADE_FAIL_FAST=1  after the first failed test the others fail unrun
#   GRADE_SKIP=KINDS   tests of these kinds (comma-separated) are skipped:
#                      not run, not counted
#   GRADE_ONLY=NAME    only the test NAME (GitHub Classroom runs each test
#                      as its own step)
#   GRADE_BUDGET=S     the whole grading's time, builds excepted (default
#                      120 s; 0: none): a test that would pass it is cut to
#                      what is left, and once it is spent the remaining
#                      tests fail unrun
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
UNIT_HW=build/tests/test_hw # the hardware-assist backend's (kind unit-hw)
ASAN_O=build/asan
MAX_CYCLES=50000000 # as tests/guest/run.sh
KERNEL_MAX_CYCLES=2000000 # lab 0's kernel needs about 38,000
VMM_OPTS=--vmm # how compare runs the VM (run_leaky adds --patch)
BUILD_SECONDS=600
UNIT_UNDER_SAN_SECONDS=30
LOG_LINES=60 # of a test's output, in results.json
GEN=build/diffgen
# Secret and hidden tests, when the lab's tests file has no `secret` or
# `hidden` line to weigh them.
SECRET_COUNT=8
SECRET_POINTS=1
SECRET_SECONDS=10
HIDDEN_POINTS=2
HIDDEN_SECONDS=10
BUDGET=${GRADE_BUDGET:-120}
FAIL_FAST=${GRADE_FAIL_FAST:-}
SKIP=${GRADE_SKIP:-}
case $BUDGET in '' | *[!0-9]*)
	echo "grade.sh: GRADE_BUDGET must be a number of seconds, not '$BUDGET'" >&2
	exit 2 ;;
esac

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
# runs RUN ARGS with $VMM_OPTS (--vmm); the VM must print the bytes of the file
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
	REPRO="$TRAPEZE run $VMM_OPTS $*"
	# shellcheck disable=SC2086 # the options are words
	timeout -k 5 "$t" "$TRAPEZE" run $VMM_OPTS "$@" < /dev/null \
		> "$base.vmm.out" 2> "$base.vmm.err"
	got=$?
	REASON=""
	if [ "$got" -eq 124 ] || [ "$got" -eq 137 ]; then
		REASON="timed out after $t s under $VMM_OPTS"
	elif ! cmp -s "$want_out" "$base.vmm.out"; then
		REASON="under $VMM_OPTS the console output differs from $desc"
	elif [ "$got" -ne "$want" ]; then
		REASON="exit status $got under $VMM_OPTS, $want is $desc"
	fi
	# What the VMM said when it stopped the VM, e.g. a stub's "lab 1:
	# vm_rfe (vmm/emulate.c) is not written yet: ...".
	said=$(head -n 1 "$base.vmm.err" | tr -cd '\40-\176')
	if [ -n "$REASON" ] && [ -n "$said" ]; then
		REASON="$REASON; it said: $said"
	fi
	{
		echo "\$ $REPRO"
		cat "$base.vmm.err"
		if [ -n "$REASON" ]; then
			echo "$desc (-) and $VMM_OPTS (+), first lines:"
			diff -u "$want_out" "$base.vmm.out" | head -n 40
			echo "exit status: $desc $want, $VMM_OPTS $got"
		fi
	} >> "$log"
}

# compare LOG SECONDS WHAT -- RUN ARGS...: runs RUN ARGS on the bare
# machine and with $VMM_OPTS (--vmm); the VM must print the same bytes and exit with
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
		echo "    $TRAPEZE run --lockstep ${VMM_OPTS#--vmm} $*" >> "$log"
	fi
}

# assemble LOG SRC ELF: SRC into ELF, with the guest library, the
# generated constants and SRC's own folder on the include path; if it
# does not assemble, REASON and REPRO say so and the status is 1.
assemble() {
	mkdir -p "$(dirname "$3")" # a guest may be in a folder: pv/console
	inc="-I tests/guest/lib -I build/include -I $(dirname "$2")"
	# shellcheck disable=SC2086 # the options are words
	if ! "$TRAPEZE" as $inc "$2" -o "$3" >> "$1" 2>&1; then
		REASON="$2 does not assemble"
		REPRO="$TRAPEZE as $inc $2 -o $3"
		return 1
	fi
}

# assemble_guest LOG NAME: tests/guest/NAME.s into $elf ($src: the
# source), as assemble.
assemble_guest() {
	src=tests/guest/$2.s
	elf=$OUT/tests/$2.elf
	assemble "$1" "$src" "$elf"
}

# run_guest LOG SECONDS NAME: tests/guest/NAME.s
run_guest() {
	run_program "$1" "$2" "tests/guest/$3.s" "$3"
}

# run_program LOG SECONDS SRC [WHAT]: the assembly program SRC (its
# folder, tests/guest/lib and build/include on the include path), as a
# guest test; WHAT names its files in OUTDIR/tests (default: the test's).
run_program() {
	src=$3
	what=${4:-$name}
	elf=$OUT/tests/$what.elf
	assemble "$1" "$src" "$elf" || return
	opts=$(directive "$src" run | sed -e "s|@SRC@|$(dirname "$src")|g" \
		-e "s|@OUT@|$OUT/tests|g")
	# shellcheck disable=SC2086 # the options are words
	compare "$1" "$2" "$what" --max-cycles=$MAX_CYCLES $opts "$elf"
}

# run_diffgen LOG SECONDS SEED: the differential generator's program of
# SEED (tests/gen), as a guest test.
run_diffgen() {
	src=$OUT/tests/$name.s
	if ! "$GEN" "$3" > "$src" 2>> "$1"; then
		REASON="the generator failed (its message is in the log)"
		REPRO="$GEN $3"
		return
	fi
	run_program "$1" "$2" "$src"
}

# secret_seed S I: the seed of the I-th secret program, drawn from the
# instructor's seed S by a hash: neither a test's name nor its output says
# which program it is, so a student cannot run the secret tests beforehand.
secret_seed() {
	printf 'trapeze secret test %s %s' "$1" "$2" | sha256sum |
		sed 's/^\(.\{15\}\).*/0x\1/'
}

# run_secret LOG SECONDS I: the I-th secret program (GRADE_SEED).  What
# reproduces it stays with the grader: the program is in OUTDIR/tests
# and its seed in OUTDIR/secret-seeds, neither in results.json.
run_secret() {
	run_diffgen "$1" "$2" "$(secret_seed "$GRADE_SEED" "$3")"
	REPRO="(a secret test: the instructor has its program, $OUT/tests/$name.s)"
}

# run_guestdisk LOG SECONDS NAME: tests/guest/NAME.s as run_guest, with
# the guest tests' disk image (tests/guest/disk_fixture.sh) as @OUT@/test.disk.
# The image is made fresh once; the bare machine's run, then the VM's, use
# it (such a program writes a sector before it reads it back, so both runs
# see the same disk), and after the VM's run it must hold what the program
# wrote ("# disk-after: SECTOR"): the VM's DMA reached the disk.
run_guestdisk() {
	. tests/guest/disk_fixture.sh
	disk=$OUT/tests/test.disk
	make_disk "$disk"
	run_guest "$@"
	after=$(directive "tests/guest/$3.s" disk-after)
	if [ -z "$REASON" ] && [ -n "$after" ]; then
		make_disk_after "$disk.expected" "$after"
		cmp -s "$disk.expected" "$disk" ||
			REASON="after the run under --vmm, the disk image is not what the program wrote"
	fi
}

# run_guestos LOG SECONDS
run_guestos() {
	compare "$1" "$2" guestos --max-cycles=$MAX_CYCLES \
		--disk=build/guestos.disk build/guestos.elf
}

# run_leaky LOG SECONDS WHAT: the x86-like machine (--mode=leaky), bare,
# against the VMM with binary patching (--vmm --patch).  WHAT is a
# guest's source file (its "# run:" options apply; an attack guest's
# "# mode: leaky" is what --mode=leaky gives it) or "guestos".
run_leaky() {
	VMM_OPTS="--vmm --patch"
	leaky_compare "$@"
	VMM_OPTS=--vmm
}

# leaky_compare LOG SECONDS WHAT: as run_leaky, the VM run with $VMM_OPTS.
leaky_compare() {
	if [ "$3" = guestos ]; then
		compare "$1" "$2" guestos-leaky --mode=leaky \
			--max-cycles=$MAX_CYCLES --disk=build/guestos.disk \
			build/guestos.elf
	else
		guest=$(basename "$3" .s)
		elf=$OUT/tests/$guest.elf
		if assemble "$1" "$3" "$elf"; then
			opts=$(directive "$3" run | sed -e "s|@SRC@|tests/guest|g" \
				-e "s/--mode=[a-z]*//")
			# shellcheck disable=SC2086 # the options are words
			compare "$1" "$2" "$guest" --mode=leaky \
				--max-cycles=$MAX_CYCLES $opts "$elf"
		fi
	fi
}

# run_hw LOG SECONDS KIND:ARG: the test of kind KIND (guest, guestos,
# guestos-pv, leaky, diffgen) and argument ARG, its VM run with hardware
# assist and nested paging (--vmm --hw) instead of --vmm -- and for
# leaky, instead of --vmm --patch: guest mode needs no patching.
HW_OPTS="--vmm --hw"
run_hw() {
	VMM_OPTS=$HW_OPTS
	arg=${3#*:}
	case ${3%%:*} in
	guest) run_guest "$1" "$2" "$arg" ;;
	guestos) run_guestos "$1" "$2" ;;
	guestos-pv) run_guestos_pv "$1" "$2" ;;
	leaky) leaky_compare "$1" "$2" "$arg" ;;
	diffgen) run_diffgen "$1" "$2" "$arg" ;;
	*) echo "grade.sh: $LABDIR/tests: kind hw: unknown '${3%%:*}'" >&2; exit 2 ;;
	esac
	VMM_OPTS=--vmm
}

# vmexit_reasons: the exit reasons of isa/ISA.md's table (section 15.3),
# as --stats names them: NESTED_FAULT is nested-fault.
vmexit_reasons() {
	sed -n '/BEGIN GENERATED: vmx-exits/,/END GENERATED: vmx-exits/p' isa/ISA.md |
		sed -n 's/^| `\([A-Z_]*\)` |.*/\1/p' | tr 'A-Z_' 'a-z-'
}

# run_hw_exits LOG SECONDS REASONS: the guest OS under --vmm --hw --stats
# must print the bare machine's bytes and exit alike, making exits of the
# comma-separated REASONS only (as --stats names them; each a reason of
# isa/ISA.md, section 15.3): the exit controls select nothing else.
run_hw_exits() {
	known=$(vmexit_reasons)
	for r in $(echo "$3" | tr ',' ' '); do
		if ! echo "$known" | grep -qx -- "$r"; then
			echo "grade.sh: $LABDIR/tests: '$r' is no exit reason of isa/ISA.md" >&2
			exit 2
		fi
	done
	VMM_OPTS="$HW_OPTS --stats"
	run_guestos "$1" "$2"
	VMM_OPTS=--vmm
	[ -z "$REASON" ] || return
	err=$OUT/tests/guestos.vmm.err
	# "vm0: 5580 VM entries; exits by reason: wfi 41 nested-fault 4889"
	seen=$(sed -n 's/^vm0: .*exits by reason://p' "$err")
	if ! grep -q '^vm0: .*exits by reason:' "$err"; then
		REASON="--stats printed no exits by reason"
		return
	fi
	allowed=$3
	echo "exits by reason:$seen (allowed: $allowed)" >> "$1"
	# shellcheck disable=SC2086 # reason, count, reason, count...
	set -- $seen
	while [ $# -ge 2 ]; do
		case ",$allowed," in *",$1,"*) ;; *)
			REASON="${REASON:+$REASON; }$2 $1 exits"
			;;
		esac
		shift 2
	done
	[ -z "$REASON" ] ||
		REASON="$REASON: the exit controls should not select them (allowed: $allowed)"
}

# number TEXT: TEXT as a decimal number if it is one (decimal, or hex
# with 0x), else TEXT itself, lower case: how answers are compared.
number() {
	case $1 in
	0[xX]*[!0-9a-fA-F]* | 0[xX]) echo "$1" | tr '[:upper:]' '[:lower:]' ;;
	0[xX]*) printf '%d\n' "$1" ;;
	*[!0-9]* | '') echo "$1" | tr '[:upper:]' '[:lower:]' ;;
	*) printf '%d\n' "$(echo "$1" | sed 's/^0*\([0-9]\)/\1/')" ;;
	esac
}

# run_answer LOG SECONDS KEY: the answer to KEY in LABDIR/answers must be
# what LABDIR/expected.sh KEY prints, which runs trapeze to find it.
run_answer() {
	REPRO="grep '^$3:' $LABDIR/answers"
	given=$(sed -n "s/^$3:[[:space:]]*//p" "$LABDIR/answers" 2> /dev/null |
		head -n 1 | sed 's/[[:space:]]*$//')
	echo "your answer to $3: '$given'" >> "$1"
	want=$(timeout -k 5 "$2" sh "$LABDIR/expected.sh" "$3" 2>> "$1" < /dev/null)
	rc=$?
	REASON=""
	if [ "$rc" -ne 0 ] || [ -z "$want" ]; then
		REASON="trapeze did not report what the question needs (exit status $rc): see the output"
	elif [ -z "$given" ]; then
		REASON="$LABDIR/answers has no answer to $3"
	elif [ "$(number "$given")" != "$(number "$want")" ]; then
		REASON="the answer to $3 is not what trapeze reports"
	fi
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

# run_kernel LOG SECONDS CHECK: the lab's own kernel, $LABDIR/kernel.s
# (lab 0), assembled and run on the bare machine; its console output is
# held against $LABDIR/kernel.expected, one line per milestone.  CHECK:
#   upto LINE  kernel.expected's lines up to LINE (a checkpoint) are in the
#              output, in their order (other lines may come between)
#   exact      the output is kernel.expected byte for byte, exit status 0
#   vmm        exact, and under --vmm the same bytes and status: the
#              kernel is a guest like any other
run_kernel() {
	src=$LABDIR/kernel.s
	expected=$LABDIR/kernel.expected
	elf=$OUT/tests/kernel.elf
	output=$OUT/tests/kernel.out
	run="$TRAPEZE run --max-cycles=$KERNEL_MAX_CYCLES -I build/include $src"
	REPRO="$run | diff $expected -"
	if ! "$TRAPEZE" as -I build/include "$src" -o "$elf" >> "$1" 2>&1; then
		REASON="$src does not assemble: $(grep -m 1 ': error: ' "$1")"
		REPRO="$TRAPEZE as -I build/include $src"
		return
	fi
	timeout -k 5 "$2" "$TRAPEZE" run --max-cycles=$KERNEL_MAX_CYCLES "$elf" \
		< /dev/null > "$output" 2> "$output.err"
	rc=$?
	{
		echo "\$ $run"
		head -n $LOG_LINES "$output"
		cat "$output.err"
		echo "exit status: $rc"
	} >> "$1"
	# Its last line, and what trapeze said on stderr (a double fault, the
	# cycle limit): the likeliest clue, e.g. a stub's "lab 0: ... is not
	# written yet: ...".
	last=$(tail -n 1 "$output" | tr -cd '\40-\176')
	said=$(head -n 1 "$output.err" | tr -cd '\40-\176')
	clue="${last:+; its last line: $last}${said:+; trapeze said: $said}"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		clue="$clue; timed out after $2 s"
	fi
	case $3 in
	upto\ *)
		line=${3#upto }
		if ! grep -qxF "$line" "$expected"; then
			echo "grade.sh: $LABDIR/tests: '$line' is not a line of $expected" >&2
			exit 2
		fi
		# The expected lines up to LINE must come out in order: a
		# subsequence of the output.
		if awk -v line="$line" '
			NR == FNR { if (!done) { w[++n] = $0; done = ($0 == line) }; next }
			i < n && $0 == w[i + 1] { i++ }
			END { exit !(i == n) }' "$expected" "$output"; then
			REASON=""
		else
			REASON="the kernel did not get as far as '$line'$clue"
		fi
		;;
	exact | vmm)
		if ! cmp -s "$expected" "$output"; then
			REASON="the output differs from $expected$clue"
			diff -u "$expected" "$output" | head -n 40 >> "$1"
		elif [ "$rc" -ne 0 ]; then
			REASON="exit status $rc, not 0$clue"
		elif [ "$3" = vmm ]; then
			compare "$1" "$2" kernel --max-cycles=$KERNEL_MAX_CYCLES "$elf"
		else
			REASON=""
		fi
		;;
	*)
		echo "grade.sh: $LABDIR/tests: unknown kernel check '$3'" >&2
		exit 2
		;;
	esac
}

# run_measure LOG SECONDS FILE:TECHNIQUE:ROW:KINDS: lab 8's kind.  The
# microbenchmark FILE (in the lab's folder) prints a table, one row a
# line, its name first and its figure, cycles per operation, last.  It
# runs under TECHNIQUE (te: --vmm; patch: --vmm --mode=leaky --patch;
# leaky: --vmm --mode=leaky) twice: as it is, where rdcycle reads the
# VM's clock (the bare machine's), and with --host-time, where rdcycle
# also counts the VMM's work.  ROW's figure must grow by what the VMM
# charged for one operation: one exit of each kind in KINDS (trace
# actions joined by "+"; "-" for no exit), each kind costing what the
# run's own --trace says such an exit cost (the most common cost among
# them).  Within MEASURE_TOLERANCE_CYCLES, or MEASURE_TOLERANCE_PERCENT of
# the charge if that is more.  The tests of one FILE under one TECHNIQUE
# share its two runs: the first test makes them, under its time limit.
MEASURE_TOLERANCE_CYCLES=2
MEASURE_TOLERANCE_PERCENT=5
run_measure() {
	log=$1
	IFS=: read -r file tech row kinds << EOF_ARG
$3
EOF_ARG
	case $tech in
	te) opts="--vmm" ;;
	patch) opts="--vmm --mode=leaky --patch" ;;
	leaky) opts="--vmm --mode=leaky" ;;
	*) echo "grade.sh: $LABDIR/tests: unknown technique '$tech'" >&2; exit 2 ;;
	esac
	base=$OUT/tests/$(basename "$file" .s)-$tech
	# The rows of one program under one technique share its two runs.
	[ -e "$base.reason" ] || measure_runs "$LABDIR/$file" "$opts" "$2" "$base"
	cat "$base.log" >> "$log"
	REASON=$(cat "$base.reason")
	REPRO=$(cat "$base.repro")
	[ -z "$REASON" ] || return
	plain=$(measure_figure "$base.plain.out" "$row")
	host=$(measure_figure "$base.host.out" "$row")
	if [ -z "$plain" ] || [ -z "$host" ]; then
		# The stub's line for this row if there is one, else the first.
		said=$(grep -m 1 -F "op_$row," "$base.host.out")
		[ -n "$said" ] || said=$(grep -m 1 'not written yet' "$base.host.out")
		said=$(echo "$said" | tr -cd '\40-\176')
		REASON="the table has no figure for row '$row'${said:+; it said: $said}"
		return
	fi
	charged=0
	for kind in $(echo "$kinds" | tr '+' ' '); do
		[ "$kind" = - ] && continue
		cost=$(awk -v kind="$kind" '$1 == kind { print $2 }' "$base.costs")
		if [ -z "$cost" ]; then
			REASON="row '$row': the run made no exit of kind '$kind' (its trace: $base.trace.json)"
			return
		fi
		charged=$((charged + cost))
	done
	seen=$((host - plain))
	slack=$((charged * MEASURE_TOLERANCE_PERCENT / 100))
	[ "$slack" -ge $MEASURE_TOLERANCE_CYCLES ] || slack=$MEASURE_TOLERANCE_CYCLES
	off=$((seen - charged))
	echo "row $row: $plain cycles, $host with --host-time: the VMM's share $seen;" \
		"it charged $charged ($kinds), tolerance $slack" >> "$log"
	if [ "${off#-}" -gt "$slack" ]; then
		REASON="row '$row' grows by $seen cycles with --host-time ($plain, then $host)"
		REASON="$REASON; the VMM charged $charged per operation ($kinds), +-$slack"
	fi
}

# measure_runs SOURCE OPTIONS SECONDS BASE: assembles SOURCE, runs it with
# OPTIONS, then with OPTIONS --host-time --trace; BASE.plain.out,
# BASE.host.out, BASE.trace.json and, from it, BASE.costs (each action
# and its most common cost), what it did in BASE.log, and the
# reason it failed ("" if it did not) and the command to reproduce it in
# BASE.reason and BASE.repro.
measure_runs() {
	inc="-I tests/guest/lib -I build/include"
	: > "$4.log"
	echo "$TRAPEZE run $2 --host-time $inc $1" > "$4.repro"
	# shellcheck disable=SC2086 # the options are words
	if ! "$TRAPEZE" as $inc "$1" -o "$4.elf" >> "$4.log" 2>&1; then
		echo "$1 does not assemble" > "$4.reason"
		echo "$TRAPEZE as $inc $1 -o $4.elf" > "$4.repro"
		return
	fi
	for how in plain host; do
		extra=""
		[ "$how" = host ] && extra="--host-time --trace=$4.trace.json"
		echo "\$ $TRAPEZE run $2${extra:+ $extra} $inc $1" >> "$4.log"
		# shellcheck disable=SC2086 # the options are words
		timeout -k 5 "$3" "$TRAPEZE" run $2 $extra --max-cycles=$MAX_CYCLES \
			"$4.elf" < /dev/null > "$4.$how.out" 2> "$4.$how.err"
		rc=$?
		cat "$4.$how.out" "$4.$how.err" | head -n 20 >> "$4.log"
		why=""
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			why="timed out after $3 s"
		elif [ "$rc" -ne 0 ]; then
			why="exit status $rc"
		fi
		said=$(head -n 1 "$4.$how.err" | tr -cd '\40-\176')
		if [ -n "$why" ]; then
			echo "under $2${extra:+ $extra}: $why${said:+; it said: $said}" > "$4.reason"
			return
		fi
	done
	# Each action's most common cost, "ACTION COST" a line, for the rows.
	sed -n 's/.*"action":"\([a-z-]*\)".*"cost":\([0-9]*\).*/\1 \2/p' \
		"$4.trace.json" | sort | uniq -c | sort -k1,1nr |
		awk '!seen[$2]++ { print $2, $3 }' > "$4.costs"
	: > "$4.reason"
}

# measure_figure TABLE ROW: the last field of ROW's line, if a number.
measure_figure() {
	awk -v row="$2" '$1 == row { print $NF; exit }' "$1" | grep -E '^[0-9]{1,9}$'
}


# --- what runs: the plan ------------------------------------------------------
# OUTDIR/plan: one test a line, "VISIBILITY NAME POINTS SECONDS KIND ARG":
# the lab's tests (visible), then the secret and the hidden ones
# (after_due_date: Gradescope shows them to the student after the due
# date).  A `secret` or `hidden` line of the lab's tests file is not a test
# but the weight of each secret or hidden test (labs/README.md).

# weight KIND POINTS SECONDS: "NAME POINTS SECONDS COUNT" from the lab's
# line of KIND (secret or hidden), else KIND and the defaults given.
weight() {
	awk -v kind="$1" -v p="$2" -v t="$3" '
		$1 !~ /^#/ && $4 == kind { w = $1 " " $2 " " $3 " " $5; exit }
		END { print (w != "" ? w : kind " " p " " t " -") }' "$LABDIR/tests"
}

# plan_secret: GRADE_SECRETS (or the lab's `secret` line's count, or
# SECRET_COUNT) programs of the generator, from GRADE_SEED.
plan_secret() {
	[ -n "${GRADE_SEED:-}" ] || return 0
	# shellcheck disable=SC2046 # four words
	set -- $(weight secret $SECRET_POINTS $SECRET_SECONDS)
	count=${GRADE_SECRETS:-$4}
	[ "$count" != - ] || count=$SECRET_COUNT
	case $count in '' | *[!0-9]*)
		echo "grade.sh: GRADE_SECRETS must be a number, not '$count'" >&2
		exit 2 ;;
	esac
	i=1
	while [ "$i" -le "$count" ]; do
		echo "after_due_date $1-$i $2 $3 secret $i"
		printf '%s-%s\t%s\n' "$1" "$i" "$(secret_seed "$GRADE_SEED" "$i")" \
			>> "$OUT/secret-seeds"
		i=$((i + 1))
	done
}

# plan_hidden: HIDDEN's tests file if it has one (a relative ARGUMENT of
# kind program is taken in HIDDEN), else each HIDDEN/*.s as a program;
# their names get "hidden-" in front.
plan_hidden() {
	[ -n "${HIDDEN:-}" ] || return 0
	if [ ! -d "$HIDDEN" ]; then
		echo "grade.sh: HIDDEN=$HIDDEN is not a folder" >&2
		exit 2
	fi
	dir=$(cd "$HIDDEN" && pwd)
	if [ -f "$dir/tests" ]; then
		awk -v dir="$dir" '$1 !~ /^#/ && NF >= 4 {
			if ($4 == "program" && $5 !~ /^\//) $5 = dir "/" $5
			print "after_due_date hidden-" $0 }' "$dir/tests"
		return
	fi
	# shellcheck disable=SC2046 # four words
	set -- $(weight hidden $HIDDEN_POINTS $HIDDEN_SECONDS)
	for src in "$dir"/*.s; do
		[ -f "$src" ] || continue
		echo "after_due_date hidden-$(basename "$src" .s) $2 $3 program $src"
	done
}

plan() {
	awk '$1 !~ /^#/ && NF >= 4 && $4 != "secret" && $4 != "hidden" {
		print "visible", $0 }' "$LABDIR/tests"
	plan_secret
	plan_hidden
}
plan > "$OUT/plan" || exit 2
if [ -n "${GRADE_ONLY:-}" ]; then
	awk -v only="$GRADE_ONLY" '$2 == only' "$OUT/plan" > "$OUT/plan.only"
	mv "$OUT/plan.only" "$OUT/plan"
	if [ ! -s "$OUT/plan" ]; then
		echo "grade.sh: GRADE_ONLY=$GRADE_ONLY: no such test in $LABDIR/tests" >&2
		exit 2
	fi
fi

# not_run SECONDS: true, with REASON and REPRO set, if the test must not
# run: an earlier test failed under GRADE_FAIL_FAST, or the budget is
# spent.  Else sets LIMIT, its time limit (cut to what the budget leaves).
not_run() {
	REPRO="(not run)"
	if [ -n "$FAIL_FAST" ] && [ "$score" -lt "$max" ]; then
		REASON="not run: an earlier test failed (GRADE_FAIL_FAST)"
		return 0
	fi
	LIMIT=$1
	[ "$BUDGET" -gt 0 ] || return 1
	left=$((BUDGET - ($(now_ms) - tests_t0) / 1000))
	if [ "$left" -le 0 ]; then
		REASON="out of grading time: the grading's $BUDGET s (GRADE_BUDGET) are spent"
		return 0
	fi
	[ "$left" -ge "$LIMIT" ] || LIMIT=$left
	return 1
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
# the generator only when a test needs it
gen=$(awk -v gen="$GEN" '$5 == "secret" || $5 == "diffgen" ||
	($5 == "hw" && $6 ~ /^diffgen:/) { print gen; exit }' "$OUT/plan")
# and the hardware-assist unit tests only when a test runs them
unit_hw=$(awk -v bin="$UNIT_HW" '$5 == "unit-hw" { print bin; exit }' "$OUT/plan")
timed $BUILD_SECONDS "$BUILD_LOG" $MAKE -s -j2 all "$UNIT" build/include/pg32.inc $gen \
	$unit_hw
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
tests_t0=$(now_ms)
: > "$OUT/records"
while read -r vis name points secs kind arg; do
	case ",$SKIP," in *",$kind,"*)
		echo "$name: SKIPPED (GRADE_SKIP=$SKIP)"
		continue ;;
	esac
	log=$OUT/tests/$name.log
	: > "$log"
	start=$(now_ms)
	if [ "$build_rc" -ne 0 ]; then
		REASON="the project does not build"
		REPRO=$MAKE
		tail -n 40 "$BUILD_LOG" > "$log"
	elif not_run "$secs"; then
		:
	else
		secs=$LIMIT
		case $kind in
		unit) run_unit "$log" "$secs" "$arg" ;;
		guest) run_guest "$log" "$secs" "$arg" ;;
		guestdisk) run_guestdisk "$log" "$secs" "$arg" ;;
		guestos) run_guestos "$log" "$secs" ;;
		attack) run_attack "$log" "$secs" "$arg" ;;
		leaky) run_leaky "$log" "$secs" "$arg" ;;
		hw) run_hw "$log" "$secs" "$arg" ;;
		hw-exits) run_hw_exits "$log" "$secs" "$arg" ;;
		unit-hw) run_unit "$log" "$secs" "$arg" "$UNIT_HW" ;;
		answer) run_answer "$log" "$secs" "$arg" ;;
		sanitizers) run_sanitizers "$log" "$secs" "$arg" ;;
		kernel) run_kernel "$log" "$secs" "$arg" ;;
		measure) run_measure "$log" "$secs" "$arg" ;;
		program) run_program "$log" "$secs" "$arg" ;;
		diffgen) run_diffgen "$log" "$secs" "$arg" ;;
		secret) run_secret "$log" "$secs" "$arg" ;;
		guest-vmm) run_guest_vmm "$log" "$secs" "$arg" ;;
		guestos-pv) run_guestos_pv "$log" "$secs" ;;
		exits-saved) run_exits_saved "$log" "$secs" "$arg" ;;
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
	echo "$line"
	# results.json's summary, which the student sees at once, names only
	# the visible tests.
	[ "$vis" != visible ] || echo "$line" >> "$OUT/output"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$got" "$points" "$status" \
		"$log" "$vis" >> "$OUT/records"
done < "$OUT/plan"

later=$(grep -vc '^visible ' "$OUT/plan")
[ "$later" -eq 0 ] || echo "($later more tests are shown after the due date)" \
	>> "$OUT/output"
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
	       "\"status\": %s, \"visibility\": %s, \"output\": %s}",
	       (NR > 1 ? "," : ""), esc($1), $2, $3, esc($4), esc($6),
	       esc(slurp($5, lines))
}
END { printf "\n  ]\n}\n" }' "$OUT/records" > "$OUT/results.json"
rm -f "$OUT/records"
[ "$score" -eq "$max" ]
