#!/bin/sh
# tests/e2e-guestos/run.sh TRAPEZE MKDISK INCDIR OUTDIR - guestos, end to end.
#
# Builds guestos from the sources into OUTDIR (the kernel with -I INCDIR,
# where the Makefile generates pg32.inc; the user programs; their disk
# made with MKDISK) and boots it on the bare machine:
#
#   boot         the whole console output equals expected.out byte for
#                byte, and the exit status is 0
#   summary      exactly one summary line, the last one, with 5 processes,
#                at least 10 context switches and at least 1 page fault
#   determinism  a second boot prints the very same bytes
#   quantum500   the kernel built with a 500-cycle quantum
#                (quantum500.s): every process prints exactly the lines
#                it prints in expected.out, each process ends the same
#                way, with more context switches, status 0
#   crash        crash.s thirteen times on one disk: each copy commits
#                one fault (divide by zero, illegal, misaligned, ...) and
#                must be killed with the line in expected-crash.out, or
#                checks refused system calls / the idle loop; status 0
#   nodisk       no disk attached: the panic line of expected-nodisk.out,
#                status 1
#
# and then under the VMM (`trapeze run --vmm`), where the guest OS must
# not be able to tell that it is not on the bare machine:
#
#   vmm-boot        one VM: the very bytes of expected.out, status 0
#   vmm-two         two VMs at once, each attaching guestos.disk (the same
#                   file: guestos only reads its disk): every line carries a "[vm0] " or "[vm1] " prefix, and
#                   each VM's lines without it are expected.out, status 0
#   vmm-four        the same with four VMs
#   vmm-many        MANY_VMS (100) guest OSes at once, each with 4 MiB of RAM
#                   (the least it needs) and guestos.disk: each VM's
#                   lines are expected.out, status 0
#   vmm-shadow-flood  the guest OS as vm0 next to 7 copies of the attack
#                   tests/guest/attack/shadow_flood.s with 120 MiB of RAM
#                   each, which map and touch 1023 regions over and over:
#                   with a shadow pool per VM the guest OS prints
#                   expected.out and each flood its shadow_flood.expected
#                   (test_vmm's test_shadow_flood_takes_no_neighbour_frame
#                   is the case the old shared pool failed; this one
#                   checks the pools at scale)
#   vmm-quantum500  the 500-cycle kernel under --vmm: the very bytes the
#                   bare machine printed for it (quantum500.out), status 0
#   vmm-quantum5000 a small VMM quantum, --quantum=5000 (a VM switch every
#                   5000 instructions, in the middle of the guest's own
#                   time slices): two VMs of guestos as in vmm-two, then
#                   quantum500 alone, the very bytes of quantum500.out
#   vmm-crash       the crash disk: the very bytes of expected-crash.out
#   vmm-nodisk      no disk: expected-nodisk.out, status 1
#   debug-unperturbed  `trapeze debug` on two VMs with a small quantum,
#                   stopping at a breakpoint, single-stepping, catching
#                   exits and injections, running handlers one by one:
#                   each VM's console lines are expected.out and the exit
#                   trace is the very one `trapeze run --trace` writes
#
# and the x86 problem (--mode=leaky), where trap-and-emulate breaks:
#
#   leaky-vmm       the plain VMM: the boot check's rdpsw runs silently in
#                   real user mode and sees MODE = 0; the kernel panics
#                   with expected-leaky-vmm.out, status 1
#   leaky-patch     --vmm --patch: the bare leaky machine's bytes
#                   (expected.out), one VM and two at once
#
# and the paravirtualized flavour (-I guestos/pv, hypercalls instead of
# privileged instructions):
#
#   pv-native       on the bare machine: expected-pv-native.out, status 1
#   pv-vmm          under --vmm, clean and leaky: expected.out, status 0,
#                   with at most a third of the native kernel's exits
#                   under --vmm (hypercall ABI 2: the shared page)
#   pv-vmm-more     the paravirtualized flavour, clean and leaky, as the
#                   native one is checked: two VMs at once (each VM's
#                   lines are expected.out), the 500-cycle kernel (the
#                   bare machine's quantum500.out), the crash disk
#                   (expected-crash.out)
#
# and under hardware assist (guest mode; no patching, whatever the mode):
#
#   hw-boot         --hw (nested paging), clean and leaky: one VM and two
#                   at once, each the bytes of expected.out, status 0; the
#                   paravirtual kernel too (its hypercalls still exit)
#   hw-shadow-boot  the same with --hw=shadow (first generation: the VMM's
#                   shadow page tables)
# and the hybrid VMM (--vmm --hybrid, Theorem 3), clean and leaky:
#
#   hybrid-MODE     the bare machine's bytes with no patching: one VM and
#                   two, quantum500, the crash disk (compared with a run
#                   on the bare machine of that mode), the paravirtual
#                   kernel
#
# and the paravirtual block device:
#
#   pv-ring         its disk through the paravirtual block device: no
#                   exit on the emulated disk's page, one NOTIFY a batch
#                   (2), expected.out; three VMs in clean mode (PV, native,
#                   PV) and in leaky mode (PV x3), each expected.out
#
# Prints "PASS guestos/NAME" or "FAIL guestos/NAME: reason" per test and
# ends with "guestos: N passed, M failed"; exits 1 if anything failed.

set -u

if [ $# -ne 4 ]; then
	echo "usage: $0 TRAPEZE MKDISK INCDIR OUTDIR" >&2
	exit 2
fi
TRAPEZE=$1
MKDISK=$2
INC=$3
OUT=$4
SRC=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$SRC/../.." && pwd)
GUESTOS=$TOP/guestos
MAX_CYCLES=50000000
# The demo's programs, in disk order (the same list as GUESTOS_PROGS in
# the Makefile): the first one gets pid 1.
PROGS="primes ticker heap stack faulty"
NCRASH=13
# vmm-many: this many guest OSes at once (2 s, also under the sanitizers)
MANY_VMS=${MANY_VMS:-100}
# vmm-shadow-flood: the attack, how many copies, and the RAM of each
FLOOD_SRC=$TOP/tests/guest/attack/shadow_flood
FLOOD_VMS=7
FLOOD_MEM=120M

mkdir -p "$OUT" || exit 2
passed=0
failed=0

# report NAME REASON: one result line ("" as REASON: a pass).
report() {
	if [ -z "$2" ]; then
		echo "PASS guestos/$1"
		passed=$((passed + 1))
	else
		echo "FAIL guestos/$1: $2"
		failed=$((failed + 1))
	fi
}

# assemble SRC OUT.elf [-I DIR]...: "" or prints the errors and fails.
assemble() {
	src=$1
	elf=$2
	shift 2
	if ! "$TRAPEZE" as "$@" "$src" -o "$elf" > "$elf.err" 2>&1; then
		sed 's/^/    /' "$elf.err"
		return 1
	fi
}

# boot KERNEL DISK OUTFILE [options]: runs it; sets $status.
boot() {
	kernel=$1
	disk=$2
	outfile=$3
	shift 3
	if [ -n "$disk" ]; then
		set -- "--disk=$disk" "$@"
	fi
	"$TRAPEZE" run --max-cycles=$MAX_CYCLES "$@" "$kernel" \
		< /dev/null > "$outfile" 2> "$outfile.err"
	status=$?
}

# same_bytes WANT GOT: "" if equal, else prints the diff and fails.
same_bytes() {
	if cmp -s "$1" "$2"; then
		return 0
	fi
	diff -u "$1" "$2" | head -n 40 | sed 's/^/    /'
	return 1
}

# --- build ------------------------------------------------------------------
build_ok=1
assemble "$GUESTOS/guestos.s" "$OUT/guestos.elf" -I "$GUESTOS/native" -I "$INC" ||
	build_ok=0
assemble "$GUESTOS/guestos.s" "$OUT/guestos-pv.elf" -I "$GUESTOS/pv" -I "$INC" ||
	build_ok=0
assemble "$SRC/quantum500.s" "$OUT/quantum500.elf" -I "$GUESTOS" \
	-I "$GUESTOS/native" -I "$INC" ||
	build_ok=0
assemble "$SRC/quantum500.s" "$OUT/quantum500-pv.elf" -I "$GUESTOS" \
	-I "$GUESTOS/pv" -I "$INC" ||
	build_ok=0
assemble "$SRC/crash.s" "$OUT/crash.elf" -I "$GUESTOS/user" || build_ok=0
assemble "$FLOOD_SRC.s" "$OUT/shadow_flood.elf" -I "$TOP/tests/guest/lib" \
	-I "$INC" || build_ok=0
disk_args=""
for p in $PROGS; do
	assemble "$GUESTOS/user/$p.s" "$OUT/$p.elf" || build_ok=0
	disk_args="$disk_args $p=$OUT/$p.elf"
done
crash_args=""
i=1
while [ $i -le $NCRASH ]; do
	crash_args="$crash_args crash$i=$OUT/crash.elf"
	i=$((i + 1))
done
if [ $build_ok -eq 1 ]; then
	# shellcheck disable=SC2086 # the NAME=FILE arguments split on purpose
	"$MKDISK" "$OUT/guestos.disk" $disk_args || build_ok=0
	# shellcheck disable=SC2086
	"$MKDISK" "$OUT/crash.disk" $crash_args || build_ok=0
fi
if [ $build_ok -ne 1 ]; then
	report build "the kernel, a program or a disk did not build"
	echo "guestos: $passed passed, $failed failed"
	exit 1
fi

# --- boot -------------------------------------------------------------------
boot "$OUT/guestos.elf" "$OUT/guestos.disk" "$OUT/boot.out"
reason=""
same_bytes "$SRC/expected.out" "$OUT/boot.out" ||
	reason="output differs from expected.out"
if [ "$status" -ne 0 ]; then
	sed 's/^/    /' "$OUT/boot.out.err"
	reason="${reason:+$reason; }exit status $status"
fi
report boot "$reason"

# --- summary ------------------------------------------------------------------
reason=""
nhalt=$(grep -c '^guestos: halt' "$OUT/boot.out")
last=$(tail -n 1 "$OUT/boot.out")
k=$(echo "$last" | sed -n 's/^guestos: halt after 5 processes, \([0-9]*\) context switches, [0-9]* page faults$/\1/p')
f=$(echo "$last" | sed -n 's/^guestos: halt after 5 processes, [0-9]* context switches, \([0-9]*\) page faults$/\1/p')
if [ "$nhalt" -ne 1 ] || [ -z "$k" ] || [ -z "$f" ]; then
	reason="want exactly one summary line, last: '$last'"
elif [ "$k" -lt 10 ] || [ "$f" -lt 1 ]; then
	reason="$k context switches (want >= 10), $f page faults (want >= 1)"
fi
report summary "$reason"

# --- determinism ----------------------------------------------------------------
boot "$OUT/guestos.elf" "$OUT/guestos.disk" "$OUT/boot2.out"
reason=""
same_bytes "$OUT/boot.out" "$OUT/boot2.out" ||
	reason="a second boot printed different bytes"
report determinism "$reason"

# --- quantum500 -------------------------------------------------------------------
# lines_of FILE: each process's lines, grouped by process: first every
# "[name] " line of each program in PROGS order, then the kernel's
# "guestos: pid N exited/killed" lines sorted by pid.
lines_of() {
	for p in $PROGS; do
		grep "^\[$p\] " "$1"
	done
	grep -E '^guestos: pid [0-9]+ (exited|killed)' "$1" | sort -n -k3
}
boot "$OUT/quantum500.elf" "$OUT/guestos.disk" "$OUT/quantum500.out"
reason=""
lines_of "$SRC/expected.out" > "$OUT/quantum500.want"
lines_of "$OUT/quantum500.out" > "$OUT/quantum500.got"
same_bytes "$OUT/quantum500.want" "$OUT/quantum500.got" ||
	reason="a process printed other lines"
k500=$(tail -n 1 "$OUT/quantum500.out" | sed -n 's/^guestos: halt after 5 processes, \([0-9]*\) context switches, [0-9]* page faults$/\1/p')
if [ -z "$k500" ]; then
	reason="${reason:+$reason; }no summary line at the end"
elif [ -n "$k" ] && [ "$k500" -le "$k" ]; then
	reason="${reason:+$reason; }$k500 context switches, not more than $k"
fi
if [ "$status" -ne 0 ]; then
	reason="${reason:+$reason; }exit status $status"
fi
report quantum500 "$reason"

# --- crash --------------------------------------------------------------------
boot "$OUT/guestos.elf" "$OUT/crash.disk" "$OUT/crash.out"
reason=""
same_bytes "$SRC/expected-crash.out" "$OUT/crash.out" ||
	reason="output differs from expected-crash.out"
if [ "$status" -ne 0 ]; then
	reason="${reason:+$reason; }exit status $status"
fi
report crash "$reason"

# --- nodisk -------------------------------------------------------------------
boot "$OUT/guestos.elf" "" "$OUT/nodisk.out"
reason=""
same_bytes "$SRC/expected-nodisk.out" "$OUT/nodisk.out" ||
	reason="output differs from expected-nodisk.out"
if [ "$status" -ne 1 ]; then
	reason="${reason:+$reason; }exit status $status, want 1"
fi
report nodisk "$reason"

# --- under the VMM -------------------------------------------------------------
# vmm_boot OUTFILE ARGS...: `trapeze run --vmm ARGS...`; sets $status.
vmm_boot() {
	outfile=$1
	shift
	"$TRAPEZE" run --vmm --max-cycles=$MAX_CYCLES "$@" \
		< /dev/null > "$outfile" 2> "$outfile.err"
	status=$?
}

# check_status WANT [WHAT]: adds to $reason if $status is not WANT (and
# shows the stderr of the last boot).
check_status() {
	if [ "$status" -ne "$1" ]; then
		sed 's/^/    /' "$outfile.err"
		reason="${reason:+$reason; }${2:+$2: }exit status $status, want $1"
	fi
}

# vm_lines FILE I: FILE.vmI, the lines of vmI in FILE without "[vmI] ".
vm_lines() {
	grep "^\[vm$2\] " "$1" | sed "s/^\[vm$2\] //" > "$1.vm$2"
}

# per_vm FILE N WANT: "" if FILE is the output of N VMs each of which
# printed exactly WANT (after "[vmI] " is taken off its lines) and no line
# lacks a prefix; else prints the diff and fails.
per_vm() {
	file=$1
	n=$2
	want=$3
	ok=0
	i=0
	while [ $i -lt "$n" ]; do
		vm_lines "$file" $i
		same_bytes "$want" "$file.vm$i" || ok=1
		i=$((i + 1))
	done
	stray=$(grep -c -v '^\[vm[0-9][0-9]*\] ' "$file")
	if [ "$stray" -ne 0 ]; then
		echo "    $stray lines without a [vmN] prefix"
		ok=1
	fi
	return $ok
}

D=$OUT/guestos.disk
G=$OUT/guestos.elf

vmm_boot "$OUT/vmm-boot.out" "--disk=$D" "$G"
reason=""
same_bytes "$SRC/expected.out" "$OUT/vmm-boot.out" ||
	reason="output differs from expected.out"
check_status 0
report vmm-boot "$reason"

vmm_boot "$OUT/vmm-two.out" "$G,disk=$D" "$G,disk=$D"
reason=""
per_vm "$OUT/vmm-two.out" 2 "$SRC/expected.out" ||
	reason="a VM's output differs from expected.out"
check_status 0
report vmm-two "$reason"

vmm_boot "$OUT/vmm-four.out" "--disk=$D" "$G" "$G" "$G" "$G"
reason=""
per_vm "$OUT/vmm-four.out" 4 "$SRC/expected.out" ||
	reason="a VM's output differs from expected.out"
check_status 0
report vmm-four "$reason"

# Many VMs: MANY_VMS guest OSes of the least RAM it needs (4 MiB) at
# once, each printing the bytes of a solo run.
many=""
i=0
while [ $i -lt $MANY_VMS ]; do
	many="$many $G,mem=4M"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # one argument per VM
vmm_boot "$OUT/vmm-many.out" "--disk=$D" $many
reason=""
per_vm "$OUT/vmm-many.out" $MANY_VMS "$SRC/expected.out" ||
	reason="a VM's output differs from expected.out"
check_status 0
report vmm-many "$reason"

# The shadow flood: vm0 is the guest OS, and next to it FLOOD_VMS copies
# of the attack tests/guest/attack/shadow_flood.s, which maps 1023 regions
# in 8 address spaces over and over, each with FLOOD_MEM of RAM so that
# the machine's RAM (1 GiB at most) is nearly all guest memory.  Each VM
# has its own shadow pool, so the floods cannot take the guest OS's
# shadow tables: every VM prints what it prints alone.
flood=""
i=0
while [ $i -lt $FLOOD_VMS ]; do
	flood="$flood $OUT/shadow_flood.elf,mem=$FLOOD_MEM"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # one argument per VM
vmm_boot "$OUT/vmm-shadow-flood.out" "$G,disk=$D" $flood
reason=""
vm_lines "$OUT/vmm-shadow-flood.out" 0
same_bytes "$SRC/expected.out" "$OUT/vmm-shadow-flood.out.vm0" ||
	reason="the guest OS's output differs from expected.out"
i=1
while [ $i -le $FLOOD_VMS ]; do
	vm_lines "$OUT/vmm-shadow-flood.out" $i
	same_bytes "$FLOOD_SRC.expected" "$OUT/vmm-shadow-flood.out.vm$i" ||
		reason="${reason:+$reason; }vm$i's output differs from shadow_flood.expected"
	i=$((i + 1))
done
check_status 0
report vmm-shadow-flood "$reason"

vmm_boot "$OUT/vmm-quantum500.out" "--disk=$D" "$OUT/quantum500.elf"
reason=""
same_bytes "$OUT/quantum500.out" "$OUT/vmm-quantum500.out" ||
	reason="output differs from the bare machine's (quantum500.out)"
check_status 0
report vmm-quantum500 "$reason"

reason=""
vmm_boot "$OUT/vmm-quantum5000.out" --quantum=5000 "--disk=$D" "$G" "$G"
per_vm "$OUT/vmm-quantum5000.out" 2 "$SRC/expected.out" ||
	reason="a VM's output differs from expected.out"
check_status 0 "two VMs"
vmm_boot "$OUT/vmm-quantum5000-500.out" --quantum=5000 "--disk=$D" \
	"$OUT/quantum500.elf"
same_bytes "$OUT/quantum500.out" "$OUT/vmm-quantum5000-500.out" ||
	reason="${reason:+$reason; }quantum500's output differs from the bare machine's"
check_status 0 quantum500
report vmm-quantum5000 "$reason"

vmm_boot "$OUT/vmm-crash.out" "--disk=$OUT/crash.disk" "$G"
reason=""
same_bytes "$SRC/expected-crash.out" "$OUT/vmm-crash.out" ||
	reason="output differs from expected-crash.out"
check_status 0
report vmm-crash "$reason"

vmm_boot "$OUT/vmm-nodisk.out" "$G"
reason=""
same_bytes "$SRC/expected-nodisk.out" "$OUT/vmm-nodisk.out" ||
	reason="output differs from expected-nodisk.out"
check_status 1
report vmm-nodisk "$reason"

vmm_boot "$OUT/leaky-vmm.out" --mode=leaky "--disk=$D" "$G"
reason=""
same_bytes "$SRC/expected-leaky-vmm.out" "$OUT/leaky-vmm.out" ||
	reason="output differs from expected-leaky-vmm.out"
check_status 1
report leaky-vmm "$reason"

reason=""
"$TRAPEZE" run --mode=leaky --max-cycles=$MAX_CYCLES "--disk=$D" "$G" \
	< /dev/null > "$OUT/leaky-native.out" 2>&1 || reason="the bare leaky machine: status $?"
same_bytes "$SRC/expected.out" "$OUT/leaky-native.out" ||
	reason="${reason:+$reason; }the bare leaky machine's output differs from expected.out"
vmm_boot "$OUT/leaky-patch.out" --mode=leaky --patch "--disk=$D" "$G"
same_bytes "$SRC/expected.out" "$OUT/leaky-patch.out" ||
	reason="output differs from expected.out"
check_status 0
vmm_boot "$OUT/leaky-patch-two.out" --mode=leaky --patch "--disk=$D" "$G" "$G"
per_vm "$OUT/leaky-patch-two.out" 2 "$SRC/expected.out" ||
	reason="${reason:+$reason; }two VMs: a VM's output differs from expected.out"
check_status 0 "two VMs"
report leaky-patch "$reason"

P=$OUT/guestos-pv.elf
reason=""
"$TRAPEZE" run --max-cycles=$MAX_CYCLES "--disk=$D" "$P" \
	< /dev/null > "$OUT/pv-native.out" 2>&1
status=$?
same_bytes "$SRC/expected-pv-native.out" "$OUT/pv-native.out" ||
	reason="output differs from expected-pv-native.out"
[ "$status" -eq 1 ] || reason="${reason:+$reason; }exit status $status, want 1"
report pv-native "$reason"

# exits_of FILE: the exit count in a --stats stderr file.
exits_of() {
	sed -n 's/^vm0: .* guest cycles; \([0-9]*\) exits.*/\1/p' "$1"
}
reason=""
for mode in clean leaky; do
	vmm_boot "$OUT/pv-$mode.out" --stats --mode=$mode "--disk=$D" "$P"
	same_bytes "$SRC/expected.out" "$OUT/pv-$mode.out" ||
		reason="${reason:+$reason; }$mode: output differs from expected.out"
	check_status 0 $mode
done
vmm_boot "$OUT/te-clean.out" --stats "--disk=$D" "$G"
pv_exits=$(exits_of "$OUT/pv-clean.out.err")
te_exits=$(exits_of "$OUT/te-clean.out.err")
if [ -z "$pv_exits" ] || [ -z "$te_exits" ] ||
	[ $((3 * pv_exits)) -gt "$te_exits" ]; then
	reason="${reason:+$reason; }exits: paravirtual ${pv_exits:-?}, more than a third of trap-and-emulate's ${te_exits:-?}"
fi
report pv-vmm "$reason"

for hw in hw hw=shadow; do
	tag=$(echo "$hw" | tr = -)
	reason=""
	for mode in clean leaky; do
		vmm_boot "$OUT/$tag-$mode.out" "--$hw" --mode=$mode "--disk=$D" "$G"
		same_bytes "$SRC/expected.out" "$OUT/$tag-$mode.out" ||
			reason="${reason:+$reason; }$mode: output differs from expected.out"
		check_status 0 "$mode"
		vmm_boot "$OUT/$tag-$mode-two.out" "--$hw" --mode=$mode \
			"$G,disk=$D" "$G,disk=$D"
		per_vm "$OUT/$tag-$mode-two.out" 2 "$SRC/expected.out" ||
			reason="${reason:+$reason; }$mode, two VMs: a VM's output differs from expected.out"
		check_status 0 "$mode, two VMs"
	done
	vmm_boot "$OUT/$tag-pv.out" "--$hw" "--disk=$D" "$P"
	same_bytes "$SRC/expected.out" "$OUT/$tag-pv.out" ||
		reason="${reason:+$reason; }paravirtual: output differs from expected.out"
	check_status 0 paravirtual
	report "$tag-boot" "$reason"
done

# The hybrid VMM (--hybrid, Popek-Goldberg's Theorem 3): the guest kernel
# is interpreted, its processes run directly.  On the clean and on the
# leaky machine, with no patching: the bare machine's bytes for one VM and
# two, the 500-cycle kernel (timer interrupts at the same instructions),
# the crash disk (every kind of fault a process commits) and the
# paravirtual kernel (its hypercalls come from interpreted code).
for mode in clean leaky; do
	reason=""
	vmm_boot "$OUT/hybrid-$mode.out" --hybrid --mode=$mode "--disk=$D" "$G"
	same_bytes "$SRC/expected.out" "$OUT/hybrid-$mode.out" ||
		reason="output differs from expected.out"
	check_status 0
	vmm_boot "$OUT/hybrid-$mode-two.out" --hybrid --mode=$mode "--disk=$D" \
		"$G" "$G"
	per_vm "$OUT/hybrid-$mode-two.out" 2 "$SRC/expected.out" ||
		reason="${reason:+$reason; }two VMs: a VM's output differs from expected.out"
	check_status 0 "two VMs"
	vmm_boot "$OUT/hybrid-$mode-500.out" --hybrid --mode=$mode "--disk=$D" \
		"$OUT/quantum500.elf"
	same_bytes "$OUT/quantum500.out" "$OUT/hybrid-$mode-500.out" ||
		reason="${reason:+$reason; }quantum500's output differs from the bare machine's"
	check_status 0 quantum500
	# crash.s runs a sensitive instruction in user mode: on the leaky
	# machine it does not trap, so the bare leaky machine's bytes are
	# not expected-crash.out; they are what the hybrid VMM must give.
	"$TRAPEZE" run --mode=$mode --max-cycles=$MAX_CYCLES \
		"--disk=$OUT/crash.disk" "$G" < /dev/null \
		> "$OUT/hybrid-$mode-crash.want" 2>&1
	vmm_boot "$OUT/hybrid-$mode-crash.out" --hybrid --mode=$mode \
		"--disk=$OUT/crash.disk" "$G"
	same_bytes "$OUT/hybrid-$mode-crash.want" "$OUT/hybrid-$mode-crash.out" ||
		reason="${reason:+$reason; }crash: output differs from the bare machine's"
	check_status 0 crash
	vmm_boot "$OUT/hybrid-$mode-pv.out" --hybrid --mode=$mode "--disk=$D" "$P"
	same_bytes "$SRC/expected.out" "$OUT/hybrid-$mode-pv.out" ||
		reason="${reason:+$reason; }paravirtual: output differs from expected.out"
	check_status 0 paravirtual
	report hybrid-$mode "$reason"
done

reason=""
for mode in clean leaky; do
	vmm_boot "$OUT/pv-two-$mode.out" --mode=$mode "$P,disk=$D" "$P,disk=$D"
	per_vm "$OUT/pv-two-$mode.out" 2 "$SRC/expected.out" ||
		reason="${reason:+$reason; }$mode, two VMs: a VM's output differs from expected.out"
	check_status 0 "$mode, two VMs"
	vmm_boot "$OUT/pv-q500-$mode.out" --mode=$mode "--disk=$D" "$OUT/quantum500-pv.elf"
	same_bytes "$OUT/quantum500.out" "$OUT/pv-q500-$mode.out" ||
		reason="${reason:+$reason; }$mode, quantum500: output differs from the bare machine's"
	check_status 0 "$mode, quantum500"
	# (the bare leaky machine lets crash.s's user-mode rdpsw pass: its
	# own output is the reference there)
	"$TRAPEZE" run --mode=$mode --max-cycles=$MAX_CYCLES \
		"--disk=$OUT/crash.disk" "$G" < /dev/null \
		> "$OUT/crash-bare-$mode.out" 2>&1
	vmm_boot "$OUT/pv-crash-$mode.out" --mode=$mode "--disk=$OUT/crash.disk" "$P"
	same_bytes "$OUT/crash-bare-$mode.out" "$OUT/pv-crash-$mode.out" ||
		reason="${reason:+$reason; }$mode, crash disk: output differs from the bare machine's"
	check_status 0 "$mode, crash disk"
done
report pv-vmm-more "$reason"

# pv-ring: the paravirtualized kernel reads its disk through the
# paravirtual block device's rings, in batches: no exit on the emulated
# disk's page, and two NOTIFYs (the table of contents, then every
# program's pages at once); and it prints expected.out in VMs next to
# others, in clean mode next to the native kernel, in leaky mode alone.
reason=""
vmm_boot "$OUT/pv-ring.out" --trace="$OUT/pv-ring.trace" "--disk=$D" "$P"
same_bytes "$SRC/expected.out" "$OUT/pv-ring.out" ||
	reason="output differs from expected.out"
check_status 0 "one VM"
disk_exits=$(grep -c '"badva":"0xf0002' "$OUT/pv-ring.trace")
notifies=$(grep -c '"badva":"0xf0003020"' "$OUT/pv-ring.trace")
[ "$disk_exits" -eq 0 ] ||
	reason="${reason:+$reason; }$disk_exits exits on the emulated disk's page, want 0"
[ "$notifies" -eq 2 ] ||
	reason="${reason:+$reason; }$notifies NOTIFY exits, want 2 (one a batch)"
vmm_boot "$OUT/pv-ring-clean.out" --quantum=5000 "--disk=$D" "$P" "$G" "$P"
per_vm "$OUT/pv-ring-clean.out" 3 "$SRC/expected.out" ||
	reason="${reason:+$reason; }clean, 3 VMs: a VM's output differs from expected.out"
check_status 0 "clean, 3 VMs"
vmm_boot "$OUT/pv-ring-leaky.out" --mode=leaky --quantum=5000 "--disk=$D" \
	"$P" "$P" "$P"
per_vm "$OUT/pv-ring-leaky.out" 3 "$SRC/expected.out" ||
	reason="${reason:+$reason; }leaky, 3 VMs: a VM's output differs from expected.out"
check_status 0 "leaky, 3 VMs"
report pv-ring "$reason"

reason=""
vmm_boot "$OUT/dbg-run.out" --quantum=5000 --trace="$OUT/dbg-run.trace" \
	"--disk=$D" "$G" "$G"
check_status 0 "trapeze run"
printf '%s\n' "break trap_entry vm 1" continue "stepi 20" \
	"catch exit syscall" continue step-handler "catch inject" continue \
	next-exit step-handler delete continue > "$OUT/dbg.x"
"$TRAPEZE" debug --vmm --quantum=5000 --max-cycles=$MAX_CYCLES \
	--trace="$OUT/dbg-debug.trace" -x "$OUT/dbg.x" "--disk=$D" "$G" "$G" \
	< /dev/null > "$OUT/dbg-debug.out" 2> "$OUT/dbg-debug.out.err"
status=$?
outfile=$OUT/dbg-debug.out
check_status 0 "trapeze debug"
grep '^\[vm' "$OUT/dbg-debug.out" > "$OUT/dbg-debug.console"
per_vm "$OUT/dbg-debug.console" 2 "$SRC/expected.out" ||
	reason="${reason:+$reason; }a VM's console differs from expected.out"
same_bytes "$OUT/dbg-run.trace" "$OUT/dbg-debug.trace" ||
	reason="${reason:+$reason; }the exit trace differs from trapeze run's"
grep -q '^breakpoint 1, vm1 ' "$OUT/dbg-debug.out" ||
	reason="${reason:+$reason; }the breakpoint did not stop vm1"
report debug-unperturbed "$reason"

echo "guestos: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
