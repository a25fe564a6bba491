#!/bin/sh
# tests/guest/attack/run.sh TRAPEZE OUTDIR [NAME...] - the isolation suite.
#
# Each tests/guest/attack/NAME.s (but neighbour.s) is an adversarial guest:
# it tries one way out of its machine (memory beyond its RAM, frames it
# does not own, page tables pointing anywhere, device pages, DMA, exit
# storms, a spin with interrupts off, ...) or, on the leaky machine, one
# way to see through binary patching (code the scan never reached, code
# remapped or rewritten under it, patched code read as data), and checks
# that it gets exactly what the bare machine gives it.  It is self-checking like the guest tests
# (tests/guest/lib/test.inc): PASS/FAIL lines, a SUMMARY, exit status =
# failures.  The comment at the top of each says what it tries and what
# the bare machine answers.
#
# Each attack is assembled (-I tests/guest/lib -I OUTDIR/../include) and run
#   native     on the bare machine;
#   vmm        under --vmm, alone;
#   neighbour  under --vmm as vm1, next to vm0 running neighbour.s, a
#              well-behaved program that computes, checks its own memory
#              and prints a line at a time over several scheduling quanta.
#   hw, hw-shadow  under --vmm --hw and --vmm --hw=shadow, alone: hardware
#              assist (guest mode; nested paging, or the first
#              generation's shadow paging), checked as the vmm run is;
#   hw-neighbour   under --vmm --hw as vm1 next to the neighbour, checked
#              as the neighbour run is.  (A leaky attack runs these on the
#              leaky machine, with no patching: "[leaky-hw]", ...)
# Checks, one result line per run ("PASS attack/NAME [mode]"):
#   native, vmm   stdout equals NAME.expected byte for byte, exit status
#                 is the expected one (0 unless NAME.status says otherwise;
#                 then the VMM's message on stderr must be the native one);
#   neighbour     the "[vm1] " lines, prefix removed, equal NAME.expected;
#                 the "[vm0] " lines, prefix removed, equal neighbour.expected
#                 (its solo output, itself checked natively first); the
#                 overall status is 0 (1 if NAME.status is not 0: then
#                 only vm1 may be named in the error messages).
# Directives, in the first 15 lines of NAME.s:
#   # disk: yes             the attack gets a fresh disk image (8 sectors;
#                           sector k: "SECTOR" k '\n' and 504 letters) as
#                           IMAGE,disk=FILE, its own in the neighbour run
#   # preempt: first|last   one more run, "[preempt]": the attack as vm0
#                           (so it has the CPU first) and the neighbour as
#                           vm1; the outputs are checked as in the
#                           neighbour run, and the neighbour's first line
#                           ("first") or its last line ("last") must come
#                           before the attack's last line: an attack that
#                           spins or storms must not keep the CPU until it
#                           ends.  ("last" needs an attack whose own clock
#                           runs longer than the neighbour's, 7.2M cycles.)
#   # vm-only: yes          the attack is on a device only a VM has (the
#                           paravirtual block device, isa/ISA.md 8.7): its
#                           native run must print NAME.native.expected
#                           (the bare machine: no such device), every
#                           other run NAME.expected
#   # mode: leaky           the attack is about binary patching: it runs
#                           on the leaky machine instead of the clean one:
#                           "[leaky]" natively with --mode=leaky (this run
#                           makes NAME.expected), "[patch]" under --vmm
#                           --mode=leaky --patch, "[patch-neighbour]" the
#                           same as vm1 next to the neighbour (and
#                           "[patch-preempt]" for "# preempt:"), checked
#                           as the native, vmm, neighbour and preempt runs
#                           are: the promise is that a patched guest sees
#                           exactly what the bare leaky machine shows it.
# HYBRID=1 in the environment: every run under the VMM uses the hybrid VMM
# instead (--vmm --hybrid, Theorem 3; the leaky attacks with no patching),
# tagged "[hybrid]", "[hybrid-neighbour]", ... ("[leaky-hybrid...]" on the
# leaky machine): the same promises, kept by interpreting the guest kernel.
# Known failures: tests/guest/attack/KNOWN_FAILING lists attacks that show
# the VMM differing while the VMM is being fixed, one a line: NAME and a
# one-line reason ('#' starts a comment).  Each run of a listed attack
# under the VMM (every run but [native] and [leaky], which make the
# expected output) reports "XFAIL attack/NAME [mode]: what differs
# (known: the reason)" without the diff and does not count as failed; one
# that passes reports "XPASS ...: remove it from KNOWN_FAILING" and counts
# as failed, and so does a line naming no attack, so the list cannot go
# stale.
# The last line is "attack: N passed, M failed" (", K known failures"
# when there are any); the status is 1 on failure.
# With NAMEs, only those attacks run (and the neighbour, natively, which
# the others need): how a lab's grader runs one attack as one test
# (labs/grade.sh, kind "attack").  A NAME with no NAME.s is a failure.
#
# Decisions: the attacks share attack.inc (one page-table layout: identity
# of the 16 MiB of RAM, the device page, an empty "window" leaf table at
# 0x40000000 where each attack maps what it tries; patch.inc adds what
# the leaky ones share); every expected output is the bare machine's, and
# an attack that shows the VMM differing stays failing (or, in
# KNOWN_FAILING, known failing) until the VMM is fixed.
# A guest that the machine stops (double fault, deadlock) has NAME.status.

set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 TRAPEZE OUTDIR [NAME...]" >&2
	exit 2
fi
TRAPEZE=$1
OUT=$2
shift 2
ONLY=" $* " # the attacks to run, or "  ": all of them
SRC=$(cd "$(dirname "$0")" && pwd)
LIB=$SRC/../lib
INC=$OUT/../include
MAX_CYCLES=400000000

KNOWN=$SRC/KNOWN_FAILING
HYBRID=${HYBRID-}

mkdir -p "$OUT" || exit 2
exec 3>&1 # check_output shows its diff here, in line with the results
passed=0
failed=0
xfailed=0

# known_failing NAME: the reason KNOWN_FAILING gives for NAME, or "".
known_failing() {
	[ -e "$KNOWN" ] || return 0
	sed -e 's/#.*//' "$KNOWN" | awk -v n="$1" '$1 == n {
		sub(/^[[:space:]]*[^[:space:]]+[[:space:]]*/, ""); print; exit }'
}

# report NAME TAG REASON [KNOWN]: one result line ("" as REASON: a pass;
# KNOWN not "": the run is a known failure, so a pass is the surprise).
report() {
	if [ -n "${4:-}" ]; then
		if [ -n "$3" ]; then
			echo "XFAIL attack/$1$2: $3 (known: $4)"
			xfailed=$((xfailed + 1))
		else
			echo "XPASS attack/$1$2: it passes now, remove it from KNOWN_FAILING"
			failed=$((failed + 1))
		fi
	elif [ -z "$3" ]; then
		echo "PASS attack/$1$2"
		passed=$((passed + 1))
	else
		echo "FAIL attack/$1$2: $3"
		failed=$((failed + 1))
	fi
}

# directive NAME.s KEY: the text after "# KEY:" in the first 15 lines.
directive() {
	head -n 15 "$1" | sed -n "s/^# $2:[[:space:]]*//p" | head -n 1
}

. "$SRC/../disk_fixture.sh" # DISK_SECTORS, make_disk: the guest tests' image

# assemble NAME.s ELF: 0 if it assembled (errors shown indented).
assemble() {
	if ! "$TRAPEZE" as -I "$LIB" -I "$INC" "$1" -o "$2" > "$2.err" 2>&1; then
		sed 's/^/    /' "$2.err"
		return 1
	fi
}

# check_output EXPECTED GOT: "" if equal, else a reason naming the first
# line that differs (the whole diff shown on fd 3).
check_output() {
	if [ ! -e "$1" ]; then
		echo "there is no $(basename "$1")"
	elif cmp -s "$1" "$2"; then
		echo ""
	else
		diff -u "$1" "$2" | sed 's/^/    /' >&3
		first=$(diff "$1" "$2" | sed -n 's/^> //p' | head -n 1)
		if [ -n "$first" ]; then
			echo "stdout differs from $(basename "$1"), first at: $first"
		else
			echo "stdout differs from $(basename "$1"): lines missing"
		fi
	fi
}

# tag MODE: the result tag of a run ("native", "vmm", "neighbour",
# "preempt") of the current attack on its machine ($machine).
tag() {
	if [ -n "$HYBRID" ]; then
		prefix=hybrid
		[ "$machine" = leaky ] && prefix=leaky-hybrid
		case $1 in
		native) [ "$machine" = leaky ] && echo " [leaky]" || echo " [native]" ;;
		vmm) echo " [$prefix]" ;;
		*) echo " [$prefix-$1]" ;;
		esac
	elif [ "$machine" = leaky ]; then
		case $1 in
		native) echo " [leaky]" ;;
		vmm) echo " [patch]" ;;
		hw*) echo " [leaky-$1]" ;;
		*) echo " [patch-$1]" ;;
		esac
	else
		echo " [$1]"
	fi
}

# --- the neighbour: a well-behaved VM whose output must never change ---
NB=$OUT/neighbour.elf
nb_ok=true
if ! assemble "$SRC/neighbour.s" "$NB"; then
	report neighbour " [native]" "does not assemble"
	nb_ok=false
else
	"$TRAPEZE" run --max-cycles=$MAX_CYCLES "$NB" < /dev/null \
		> "$OUT/neighbour.out" 2> "$OUT/neighbour.err"
	status=$?
	reason=$(check_output "$SRC/neighbour.expected" "$OUT/neighbour.out")
	if [ "$status" -ne 0 ]; then
		sed 's/^/    /' "$OUT/neighbour.err"
		reason="${reason:+$reason; }exit status $status, want 0"
	fi
	report neighbour " [native]" "$reason"
fi

for name in $ONLY; do
	[ -e "$SRC/$name.s" ] || report "$name" "" "there is no attack $name.s"
done

for src in "$SRC"/*.s; do
	name=${src##*/} # no basename: a fork per attack is slow
	name=${name%.s}
	[ "$name" = neighbour ] && continue
	case $ONLY in "  " | *" $name "*) ;; *) continue ;; esac
	preempt=$(directive "$src" preempt)
	machine=clean
	native_opts=""
	vmm_opts="--vmm${HYBRID:+ --hybrid}"
	if [ "$(directive "$src" mode)" = leaky ]; then
		machine=leaky
		native_opts="--mode=leaky"
		vmm_opts="--vmm --mode=leaky --patch"
		[ -n "$HYBRID" ] && vmm_opts="--vmm --mode=leaky --hybrid"
	fi
	known=$(known_failing "$name")
	elf=$OUT/$name.elf
	modes="native vmm neighbour ${preempt:+preempt} hw hw-shadow hw-neighbour"
	if ! assemble "$src" "$elf"; then
		for mode in $modes; do
			report "$name" "$(tag "$mode")" "does not assemble"
		done
		continue
	fi
	want_status=0
	[ -e "$SRC/$name.status" ] && want_status=$(cat "$SRC/$name.status")
	use_disk=$(directive "$src" disk)
	vm_only=$(directive "$src" vm-only)
	expected=$SRC/$name.expected

	for mode in $modes; do
		base=$OUT/$name.$mode
		# the VMM's options of this run: hardware assist needs no patching
		case $mode in
		hw | hw-neighbour) opts="--vmm --hw $native_opts" ;;
		hw-shadow) opts="--vmm --hw=shadow $native_opts" ;;
		*) opts=$vmm_opts ;;
		esac
		image=$elf
		if [ "$use_disk" = yes ]; then
			make_disk "$base.disk"
			image="$elf,disk=$base.disk"
		fi
		reason=""
		xfail=""
		[ "$mode" != native ] && xfail=$known
		if [ -n "$xfail" ]; then
			exec 3>/dev/null # a known failure: its reason is enough
		else
			exec 3>&1
		fi
		tag=$(tag "$mode")
		case $mode in
		native | vmm | hw | hw-shadow)
			run_opts=$native_opts
			[ "$mode" != native ] && run_opts=$opts
			# shellcheck disable=SC2086
			"$TRAPEZE" run --max-cycles=$MAX_CYCLES $run_opts "$image" \
				< /dev/null > "$base.out" 2> "$base.err"
			status=$?
			want=$expected
			[ "$mode" = native ] && [ "$vm_only" = yes ] &&
				want=$SRC/$name.native.expected
			reason=$(check_output "$want" "$base.out")
			if [ "$status" -ne "$want_status" ]; then
				sed 's/^/    /' "$base.err" >&3
				reason="${reason:+$reason; }exit status $status, want $want_status"
			fi
			# A guest the machine stops (double fault, deadlock): the
			# VMM must give the same reason as the bare machine.
			if [ "$mode" != native ] && [ "$want_status" -ne 0 ] &&
			   ! cmp -s "$OUT/$name.native.err" "$base.err"; then
				diff -u "$OUT/$name.native.err" "$base.err" | sed 's/^/    /' >&3
				reason="${reason:+$reason; }stderr differs from the native run's"
			fi
			;;
		neighbour | preempt | hw-neighbour)
			if ! $nb_ok; then
				report "$name" "$tag" "the neighbour does not assemble" "$xfail"
				continue
			fi
			# shellcheck disable=SC2086
			if [ "$mode" != preempt ]; then
				me=1 nb=0
				"$TRAPEZE" run --max-cycles=$MAX_CYCLES $opts "$NB" "$image" \
					< /dev/null > "$base.out" 2> "$base.err"
			else
				me=0 nb=1
				"$TRAPEZE" run --max-cycles=$MAX_CYCLES $opts "$image" "$NB" \
					< /dev/null > "$base.out" 2> "$base.err"
			fi
			status=$?
			sed -n "s/^\[vm$me\] //p" "$base.out" > "$base.attack"
			sed -n "s/^\[vm$nb\] //p" "$base.out" > "$base.neighbour"
			reason=$(check_output "$expected" "$base.attack")
			r0=$(check_output "$SRC/neighbour.expected" "$base.neighbour")
			[ -n "$r0" ] && reason="${reason:+$reason; }the neighbour's output changed"
			stray=$(grep -v -c '^\[vm[01]\] ' "$base.out")
			[ "$stray" -ne 0 ] && reason="${reason:+$reason; }$stray unprefixed lines"
			nb_status=0
			[ "$want_status" -ne 0 ] && nb_status=1
			if [ "$status" -ne "$nb_status" ]; then
				sed 's/^/    /' "$base.err" >&3
				reason="${reason:+$reason; }exit status $status, want $nb_status"
			fi
			if grep -q "vm$nb" "$base.err"; then
				sed 's/^/    /' "$base.err" >&3
				reason="${reason:+$reason; }the neighbour vm$nb did not end well"
			fi
			if [ "$mode" = preempt ]; then
				lines=$(grep -n "^\[vm$nb\] " "$base.out" | cut -d: -f1)
				if [ "$preempt" = first ]; then
					nb_line=$(echo "$lines" | head -n 1)
				else
					nb_line=$(echo "$lines" | tail -n 1)
				fi
				my_last=$(grep -n "^\[vm$me\] " "$base.out" | tail -n 1 | cut -d: -f1)
				if [ -z "$nb_line" ] || [ -z "$my_last" ] ||
				   [ "$nb_line" -gt "$my_last" ]; then
					reason="${reason:+$reason; }the neighbour's $preempt line came after the attack's end: the attack kept the CPU"
				fi
			fi
			;;
		esac
		report "$name" "$tag" "$reason" "$xfail"
	done
done
exec 3>&1

# A known failure must name an attack that exists, or the list goes stale.
if [ -e "$KNOWN" ]; then
	stale=$(sed -e 's/#.*//' "$KNOWN" | awk 'NF { print $1 }' |
		while read -r name; do
			[ -e "$SRC/$name.s" ] || echo "$name"
		done)
	for name in $stale; do
		echo "FAIL attack/KNOWN_FAILING: $name: no attack $name.s"
		failed=$((failed + 1))
	done
fi

known_note=""
[ "$xfailed" -gt 0 ] && known_note=", $xfailed known failures"
echo "attack: $passed passed, $failed failed$known_note"
[ "$failed" -eq 0 ]
