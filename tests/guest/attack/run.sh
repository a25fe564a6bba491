#!/bin/sh
# tests/guest/attack/run.sh TRAPEZE OUTDIR - the isolation suite.
#
# Each tests/guest/attack/NAME.s (but neighbour.s) is an adversarial guest:
# it tries one way out of its machine (memory beyond its RAM, frames it
# does not own, page tables pointing anywhere, device pages, DMA, exit
# storms, a spin with interrupts off, ...) and checks that it gets exactly
# what the bare machine gives it.  It is self-checking like the guest tests
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
# The last line is "attack: N passed, M failed"; the status is 1 on failure.
#
# Decisions: the attacks share attack.inc (one page-table layout: identity
# of the 16 MiB of RAM, the device page, an empty "window" leaf table at
# 0x40000000 where each attack maps what it tries); every expected output
# is the bare machine's, and an attack that shows the VMM differing stays
# failing until the VMM is fixed (pte_self_access: see its header).
# A guest that the machine stops (double fault, deadlock) has NAME.status.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 TRAPEZE OUTDIR" >&2
	exit 2
fi
TRAPEZE=$1
OUT=$2
SRC=$(cd "$(dirname "$0")" && pwd)
LIB=$SRC/../lib
INC=$OUT/../include
MAX_CYCLES=400000000
DISK_SECTORS=8

mkdir -p "$OUT" || exit 2
exec 3>&1 # check_output shows its diff here, in line with the results
passed=0
failed=0

# report NAME TAG REASON: one result line ("" as REASON: a pass).
report() {
	if [ -z "$3" ]; then
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

# make_disk FILE: the fixture image, DISK_SECTORS sectors of 512 bytes.
make_disk() {
	: > "$1"
	k=0
	for letter in a b c d e f g h; do
		[ "$k" -lt "$DISK_SECTORS" ] || break
		printf 'SECTOR%d\n' "$k" >> "$1"
		dd if=/dev/zero bs=504 count=1 2>/dev/null | tr '\0' "$letter" >> "$1"
		k=$((k + 1))
	done
}

# assemble NAME.s ELF: 0 if it assembled (errors shown indented).
assemble() {
	if ! "$TRAPEZE" as -I "$LIB" -I "$INC" "$1" -o "$2" > "$2.err" 2>&1; then
		sed 's/^/    /' "$2.err"
		return 1
	fi
}

# check_output EXPECTED GOT: "" if equal, else a reason (diff shown).
check_output() {
	if cmp -s "$1" "$2"; then
		echo ""
	else
		diff -u "$1" "$2" | sed 's/^/    /' >&3
		echo "stdout differs from $(basename "$1")"
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

for src in "$SRC"/*.s; do
	name=$(basename "$src" .s)
	[ "$name" = neighbour ] && continue
	preempt=$(directive "$src" preempt)
	elf=$OUT/$name.elf
	if ! assemble "$src" "$elf"; then
		for tag in " [native]" " [vmm]" " [neighbour]" ${preempt:+" [preempt]"}; do
			report "$name" "$tag" "does not assemble"
		done
		continue
	fi
	want_status=0
	[ -e "$SRC/$name.status" ] && want_status=$(cat "$SRC/$name.status")
	use_disk=$(directive "$src" disk)
	expected=$SRC/$name.expected

	for mode in native vmm neighbour ${preempt:+preempt}; do
		base=$OUT/$name.$mode
		image=$elf
		if [ "$use_disk" = yes ]; then
			make_disk "$base.disk"
			image="$elf,disk=$base.disk"
		fi
		reason=""
		case $mode in
		native | vmm)
			tag=" [native]"
			vmm_opt=""
			if [ "$mode" = vmm ]; then
				tag=" [vmm]"
				vmm_opt="--vmm"
			fi
			# shellcheck disable=SC2086
			"$TRAPEZE" run --max-cycles=$MAX_CYCLES $vmm_opt "$image" \
				< /dev/null > "$base.out" 2> "$base.err"
			status=$?
			reason=$(check_output "$expected" "$base.out")
			if [ "$status" -ne "$want_status" ]; then
				sed 's/^/    /' "$base.err"
				reason="${reason:+$reason; }exit status $status, want $want_status"
			fi
			# A guest the machine stops (double fault, deadlock): the
			# VMM must give the same reason as the bare machine.
			if [ "$mode" = vmm ] && [ "$want_status" -ne 0 ] &&
			   ! cmp -s "$OUT/$name.native.err" "$base.err"; then
				diff -u "$OUT/$name.native.err" "$base.err" | sed 's/^/    /'
				reason="${reason:+$reason; }stderr differs from the native run's"
			fi
			;;
		neighbour | preempt)
			tag=" [$mode]"
			if ! $nb_ok; then
				report "$name" "$tag" "the neighbour does not assemble"
				continue
			fi
			if [ "$mode" = neighbour ]; then
				me=1 nb=0
				"$TRAPEZE" run --max-cycles=$MAX_CYCLES --vmm "$NB" "$image" \
					< /dev/null > "$base.out" 2> "$base.err"
			else
				me=0 nb=1
				"$TRAPEZE" run --max-cycles=$MAX_CYCLES --vmm "$image" "$NB" \
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
				sed 's/^/    /' "$base.err"
				reason="${reason:+$reason; }exit status $status, want $nb_status"
			fi
			if grep -q "vm$nb" "$base.err"; then
				sed 's/^/    /' "$base.err"
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
		report "$name" "$tag" "$reason"
	done
done

echo "attack: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
