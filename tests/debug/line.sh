#!/bin/sh
# tests/debug/line.sh TRAPEZE OUTDIR - trapeze debug's line mode, driven
# through tmux as a student would type: readline's prompt, Tab completion
# of a command, Ctrl-C stopping a continue that never ends, and the
# history kept in ~/.trapeze_history (HOME is OUTDIR here).
#
# Prints "PASS line/NAME" or "FAIL line/NAME: reason" per check, then
# "line: N passed, M failed"; exit status 1 if anything failed.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 TRAPEZE OUTDIR" >&2
	exit 2
fi
case $1 in
/*) TRAPEZE=$1 ;;
*) TRAPEZE=$(pwd)/$1 ;;
esac
SRC=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$2" || exit 2
OUT=$(cd "$2" && pwd)
passed=0
failed=0

report() { # report NAME REASON ("" = pass)
	if [ -z "$2" ]; then
		echo "PASS line/$1"
		passed=$((passed + 1))
	else
		echo "FAIL line/$1: $2"
		failed=$((failed + 1))
	fi
}

if ! command -v tmux > /dev/null 2>&1; then
	report tmux "tmux is not installed (apt-get install tmux)"
	echo "line: $passed passed, $failed failed"
	exit 1
fi

SOCK=trapeze-line-$$
tmx() { tmux -L "$SOCK" "$@"; }
trap 'tmx kill-server > /dev/null 2>&1; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"' EXIT INT TERM

# wait_for TEXT: polls the screen for up to 5 s; true once TEXT shows.
wait_for() {
	i=0
	while [ $i -lt 50 ]; do
		if tmx capture-pane -p -t dbg 2> /dev/null | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

"$TRAPEZE" as "$SRC/tests/e2e/progs/loop.s" -o "$OUT/loop.elf" || exit 2
rm -f "$OUT/.trapeze_history"
tmx new-session -d -s dbg -x 100 -y 30 \
	"cd '$OUT' && HOME='$OUT' '$TRAPEZE' debug --vmm loop.elf; echo SESSION-ENDED; sleep 30"

wait_for "(trapeze)"
report prompt "$(wait_for '(trapeze)' || echo 'no (trapeze) prompt')"

# Tab completes a unique prefix of a command.
tmx send-keys -t dbg "disas" Tab
report complete "$(wait_for '(trapeze) disassemble' || echo 'disas<Tab> did not complete')"
tmx send-keys -t dbg Enter
report disassemble "$(wait_for '0x1004 <loop>' || echo 'no disassembly')"

# Ctrl-C stops a continue that would never end.
tmx send-keys -t dbg "continue" Enter
sleep 0.5
tmx send-keys -t dbg C-c
report interrupt "$(wait_for 'interrupted' || echo 'Ctrl-C did not stop continue')"
tmx send-keys -t dbg "info vms" Enter
report usable "$(wait_for 'running' || echo 'no answer after Ctrl-C')"

tmx send-keys -t dbg "quit" Enter
report quit "$(wait_for 'SESSION-ENDED' || echo 'quit did not end the session')"
if grep -qx "continue" "$OUT/.trapeze_history" 2> /dev/null; then
	report history ""
else
	report history "~/.trapeze_history does not hold 'continue'"
fi

echo "line: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
