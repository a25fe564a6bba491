#!/bin/sh
# labs/lab4-x86/expected.sh KEY - what trapeze itself reports for the
# question KEY of part A (labs/lab4-x86/answers): the grader's `answer`
# kind (labs/grade.sh) compares the student's answer with what this
# prints.  Nothing is hard-coded: each value comes from running the
# guests with bin/trapeze, the way README.md section 3.1 asks the student
# to find it.  Run from the project's top folder, after `make`.
#
#   divergence-step         --lockstep on kernel.s: the steps after which
#                           the bare machine and the VMM first differ
#   divergence-pc           the address of the instruction of that step
#                           (trapeze debug: stepi to it, then disassemble)
#   divergence-instruction  its mnemonic
#   divergence-why          the reason, from README.md's list, that what
#                           differs says: a general register after rdpsw
#                           or rdtvec (the real PSW or TVEC was read),
#                           the PSW after wrpsw (the write was ignored)
#   silent-rdpsw, silent-wrpsw, silent-rdtvec
#                           --stats of kernel.s under --vmm --mode=leaky:
#                           how many of each ran without an exit
#   redpill-tvec            --lockstep on tests/guest/redpill.s: the
#                           value the VMM's side read into the register
#                           that differs (what rdtvec sees in a VM)
#
# Exit status 0 with the value on stdout; 1 with a message on stderr if
# trapeze does not report what the question needs (then the guest no
# longer shows what the lab is about: the instructor's mistake, and every
# answer to that question fails).
set -u
TRAPEZE=${TRAPEZE:-bin/trapeze}
INC="-I tests/guest/lib -I build/include"
KERNEL=labs/lab4-x86/kernel.s
REDPILL=tests/guest/redpill.s
LEAKY=--mode=leaky
MAX_CYCLES=50000000

fail() {
	echo "expected.sh: $*" >&2
	exit 1
}

# lockstep SRC: trapeze's report of SRC run on the bare leaky machine and
# under the VMM, side by side.
lockstep() {
	# Its report is on stderr; the guest's own output goes.
	# shellcheck disable=SC2086,SC2069 # INC is words; stderr only
	"$TRAPEZE" run --lockstep $LEAKY $INC --max-cycles=$MAX_CYCLES "$1" \
		2>&1 > /dev/null
}

# what_differs SRC: "STEPS WHAT", e.g. "427 control register psw".
what_differs() {
	lockstep "$1" | sed -n 's/^lockstep: the two differ after \([0-9]*\) steps: /\1 /p'
}

# divergence: sets STEPS, PC, MNEMONIC and WHAT for kernel.s.
divergence() {
	d=$(what_differs "$KERNEL")
	[ -n "$d" ] || fail "lockstep finds no difference in $KERNEL"
	STEPS=${d%% *}
	WHAT=${d#* }
	# Stop before the step that made them differ, and show that
	# instruction: the debugger's ">" line, "> ADDR: WORD MNEMONIC ...".
	cmds=disassemble
	[ "$STEPS" -gt 1 ] && cmds="stepi $((STEPS - 1))
disassemble"
	# shellcheck disable=SC2086
	at=$(echo "$cmds" | "$TRAPEZE" debug --batch $LEAKY $INC "$KERNEL" 2>&1 |
		sed -n 's/^>[[:space:]]*//p' | head -n 1)
	PC=$(echo "$at" | awk '{ sub(/:$/, "", $1); print $1 }')
	MNEMONIC=$(echo "$at" | awk '{ print $3 }')
	if [ -z "$PC" ] || [ -z "$MNEMONIC" ]; then
		fail "the debugger shows no instruction at step $STEPS of $KERNEL"
	fi
}

# silent OP: how many OP ran without an exit in kernel.s under the VMM.
silent() {
	# shellcheck disable=SC2086,SC2069 # INC is words; stderr only
	"$TRAPEZE" run --vmm $LEAKY $INC --max-cycles=$MAX_CYCLES --stats \
		"$KERNEL" 2>&1 > /dev/null |
		sed -n 's/.*sensitive instructions that ran without an exit://p' |
		awk -v op="$1" '{ for (i = 1; i < NF; i += 2) if ($i == op) n = $(i + 1) }
			END { print n + 0 }'
}

case ${1:-} in
divergence-step) divergence; echo "$STEPS" ;;
divergence-pc) divergence; echo "$PC" ;;
divergence-instruction) divergence; echo "$MNEMONIC" ;;
divergence-why)
	divergence
	case $MNEMONIC:$WHAT in
	rdpsw:register*) echo real-psw ;;
	rdtvec:register*) echo real-tvec ;;
	wrpsw:"control register psw") echo write-ignored ;;
	*) fail "no reason in README.md's list fits $MNEMONIC, after which the $WHAT differs" ;;
	esac
	;;
silent-rdpsw | silent-wrpsw | silent-rdtvec) silent "${1#silent-}" ;;
redpill-tvec)
	reg=$(what_differs "$REDPILL" | sed -n 's/^[0-9]* register //p')
	[ -n "$reg" ] || fail "lockstep finds no register differing in $REDPILL"
	lockstep "$REDPILL" | awk -v r="$reg" '$1 == r && $4 == "<--" { print $3 }'
	;;
*) fail "no question '${1:-}' (see the list at the top of this file)" ;;
esac
