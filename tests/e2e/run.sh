#!/bin/sh
# tests/e2e/run.sh TRAPEZE OUTDIR [NAME...] - end-to-end tests of the
# trapeze command.  With NAMEs, only those cases run (not the Ctrl-C
# tests at the end): how a lab's grader runs one case as one test
# (labs/grade.sh, kind "e2e"); a NAME with no NAME.cmd is a failure.
#
# The tests are data, one case per name in tests/e2e/cases/:
#   NAME.cmd     the arguments after "trapeze", one line, split like a shell
#                command line (quotes work; no expansions)
#   NAME.out     the exact expected standard output   (missing: empty)
#   NAME.err     the exact expected standard error    (missing: empty)
#   NAME.status  the expected exit status             (missing: 0)
#   NAME.filter  optional: a sed script applied to stdout and stderr before
#                they are compared (for host timings, e.g. "s/[0-9.]* s$/S s/")
#   NAME.check   optional: a shell command that must succeed afterwards,
#                e.g. "test ! -e bad.elf"
# Each case runs in OUTDIR with stdin from /dev/null, so the file names in
# messages are the short names below, the same whatever OUTDIR is.
#
# Inputs, prepared in OUTDIR before the cases run:
#   tests/e2e/progs/NAME.s  assembled into OUTDIR/NAME.elf (a failure here is
#                           reported as a failed case "e2e/progs/NAME")
#   tests/e2e/files/*       copied as they are, folders too (sources for `trapeze as`,
#                           malformed images)
#
# Output: "PASS e2e/NAME" or "FAIL e2e/NAME: reason" (with a diff) per case,
# then "e2e: N passed, M failed"; the exit status is 1 if anything failed.

set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 TRAPEZE OUTDIR [NAME...]" >&2
	exit 2
fi
case $1 in
/*) TRAPEZE=$1 ;;
*) TRAPEZE=$(pwd)/$1 ;;
esac
OUT=$2
shift 2
ONLY=" $* " # the cases to run, or "  ": all of them
SRC=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd)
passed=0
failed=0

# report NAME REASON: one result line ("" as REASON: a pass).
report() {
	if [ -z "$2" ]; then
		echo "PASS e2e/$1"
		passed=$((passed + 1))
	else
		echo "FAIL e2e/$1: $2"
		failed=$((failed + 1))
	fi
}

# --- inputs ---------------------------------------------------------------
rm -f "$OUT"/*.elf "$OUT"/*.s
cp -R "$SRC"/files/* "$OUT"/ || exit 2
# With NAMEs, only the programs their command lines name.
wanted=""
for name in $ONLY; do
	wanted="$wanted $(cat "$SRC/cases/$name.cmd" 2> /dev/null)"
done
for src in "$SRC"/progs/*.s; do
	name=${src##*/}
	name=${name%.s}
	case "$ONLY" in "  ") ;; *)
		case " $wanted " in *[\ /]"$name.elf"[\ ,]*) ;; *) continue ;; esac
	esac
	if ! "$TRAPEZE" as "$src" -o "$OUT/$name.elf" 2> "$OUT/$name.as.err"; then
		sed 's/^/    /' "$OUT/$name.as.err"
		report "progs/$name" "does not assemble"
	fi
done

# expect NAME WHAT EXPECTED-FILE ACTUAL-FILE: "" if equal, else a reason
# (and the diff on stdout).
expect() {
	if [ -f "$3" ]; then
		want=$3
	else
		want=/dev/null
	fi
	if cmp -s "$want" "$4"; then
		return 0
	fi
	diff -u "$want" "$4" | sed 's/^/    /'
	return 1
}

# --- cases ----------------------------------------------------------------
for name in $ONLY; do
	[ -e "$SRC/cases/$name.cmd" ] || report "$name" "there is no case $name.cmd"
done
# run_case NAME ARGS RES TAG: runs `trapeze ARGS` in OUTDIR into RES.out,
# RES.err and checks them against case NAME's files; reports NAME TAG.
run_case() {
	name=$1
	args=$2
	res=$3
	base=$SRC/cases/$name
	(
		cd "$OUT" || exit 99
		# The arguments are split by the shell; they hold no expansions.
		eval "set -- $args"
		exec "$TRAPEZE" "$@" < /dev/null > "$res.out" 2> "$res.err"
	)
	status=$?
	if [ -f "$base.filter" ]; then
		for f in "$res.out" "$res.err"; do
			sed -f "$base.filter" "$f" > "$f.filtered" && mv "$f.filtered" "$f"
		done
	fi
	want_status=0
	if [ -f "$base.status" ]; then
		want_status=$(cat "$base.status")
	fi
	reason=""
	if ! expect "$name" stdout "$base.out" "$res.out"; then
		reason="stdout differs"
	fi
	if ! expect "$name" stderr "$base.err" "$res.err"; then
		reason="${reason:+$reason; }stderr differs"
	fi
	if [ "$status" -ne "$want_status" ]; then
		reason="${reason:+$reason; }exit status $status, want $want_status"
	fi
	if [ -f "$base.check" ] &&
		! (cd "$OUT" && sh -c "$(cat "$base.check")") > /dev/null 2>&1; then
		reason="${reason:+$reason; }check failed: $(cat "$base.check")"
	fi
	report "$name$4" "$reason"
}

for cmd in "$SRC"/cases/*.cmd; do
	name=${cmd##*/} # no basename: a fork per case is slow
	name=${name%.cmd}
	case $ONLY in "  " | *" $name "*) ;; *) continue ;; esac
	run_case "$name" "$(cat "$cmd")" "$OUT/$name" ""
done

# --- the hybrid VMM ----------------------------------------------------------
# Every case that runs programs under the VMM runs again under the hybrid
# VMM (--vmm --hybrid, Theorem 3), against the same expected files: its
# output, messages and status are the bare machine's, as the plain VMM's
# are.  Not the cases whose output is the VMM's own by design (--stats,
# --trace, --host-time) nor lockstep.  The disk files are copied afresh
# first: the cases write through to them.
if [ "$ONLY" = "  " ]; then
	cp -R "$SRC"/files/* "$OUT"/ || exit 2
	for cmd in "$SRC"/cases/*.cmd; do
		name=${cmd##*/}
		name=${name%.cmd}
		args=$(cat "$cmd")
		case $args in
		*--stats* | *--trace* | *--host-time* | *--lockstep*) continue ;;
		"run --vmm "*) ;;
		*) continue ;;
		esac
		run_case "$name" "run --vmm --hybrid ${args#run --vmm }" \
			"$OUT/$name.hybrid" " [hybrid]"
	done
fi

# --- hardware assist -----------------------------------------------------------
# Every case that runs VMs under the VMM must give the very same output,
# messages and status under --hw and --hw=shadow -- except where the
# VMM's own workings show by design (--stats, --trace, --host-time,
# --lockstep, --patch) or the case checks files the first run has changed
# (NAME.check).
for cmd in "$SRC"/cases/*.cmd; do
	name=${cmd##*/}
	name=${name%.cmd}
	case $ONLY in "  " | *" $name "*) ;; *) continue ;; esac
	args=$(cat "$cmd")
	case $args in "run --vmm "*) ;; *) continue ;; esac
	case $args in *--stats* | *--trace* | *--host-time* | *--lockstep* | *--patch*) continue ;; esac
	[ -e "$SRC/cases/$name.check" ] && continue
	for hw in --hw --hw=shadow; do
		run_case "$name" "run --vmm $hw ${args#run --vmm }" \
			"$OUT/$name.${hw#--}" " [$hw]"
	done
done

# --- Ctrl-C ------------------------------------------------------------------
# `trapeze run` of an endless loop, in the background; SIGINT once it has
# installed its handler must stop it with one line and status 130.  (Not
# a case file: a case cannot send a signal.)

# sigint_caught PID: true once PID catches SIGINT (Linux: bit 1 of the
# SigCgt mask in /proc).  Elsewhere, give it a second.
sigint_caught() {
	if [ ! -r "/proc/$1/status" ]; then
		sleep 1
		return 0
	fi
	mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status")
	last=${mask#"${mask%?}"} # SIGINT is bit 1: the last hex digit
	[ -n "$last" ] && [ $((0x$last & 2)) -ne 0 ]
}

# interrupt NAME PATTERN ARGS...: runs trapeze ARGS, interrupts it, and
# expects status 130 and one line of stderr matching PATTERN (an ERE).
interrupt() {
	name=$1
	pattern=$2
	shift 2
	res=$OUT/$name
	(cd "$OUT" && exec "$TRAPEZE" "$@" < /dev/null > "$res.out" 2> "$res.err") &
	pid=$!
	tries=0
	# A bound on waiting, not a timing: the check is the line and status.
	while ! sigint_caught "$pid" && [ "$tries" -lt 200 ]; do
		sleep 0.05
		tries=$((tries + 1))
	done
	kill -INT "$pid"
	tries=0
	while kill -0 "$pid" 2> /dev/null && [ "$tries" -lt 200 ]; do
		sleep 0.05
		tries=$((tries + 1))
	done
	kill -KILL "$pid" 2> /dev/null # SIGINT did not stop it: fail, not hang
	wait "$pid"
	status=$?
	reason=""
	if [ "$status" -ne 130 ]; then
		reason="exit status $status, want 130"
	fi
	if [ "$(wc -l < "$res.err")" -ne 1 ] || ! grep -Eq "$pattern" "$res.err"; then
		sed 's/^/    /' "$res.err"
		reason="${reason:+$reason; }stderr is not one line matching $pattern"
	fi
	report "$name" "$reason"
}

if [ "$ONLY" != "  " ]; then
	echo "e2e: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi
where='pc 0x0000100[0-9a-f] \(loop(\+0x[0-9a-f]+)?\)'
interrupt sigint-native "^trapeze run: interrupted at $where after [0-9]+ instructions\$" \
	run loop.elf
interrupt sigint-vmm "^trapeze run: interrupted: vm0 at $where, [0-9]+ instructions; vm1 at $where, [0-9]+ instructions\$" \
	run --vmm loop.elf loop.elf

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
