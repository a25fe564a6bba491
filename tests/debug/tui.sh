#!/bin/sh
# tests/debug/tui.sh TRAPEZE IMAGE [RUN-OPTION...]
# tests/debug/tui.sh TRAPEZE OUTDIR
# - the full-screen debugger (`trapeze debug --vmm --tui`), driven through
# tmux.  The second form is the one of `make debug-test`: the image is
# tests/e2e/progs/dbgdemo.s, assembled into OUTDIR, where the test works.
#
# The debugger runs in a detached tmux session of a private tmux server
# (-L trapeze-test-PID), 80x24 as the smallest screen it must fit.  The
# test types keys into it (tmux send-keys) and reads the screen as text
# (tmux capture-pane -p), polling for up to 5 s for what it expects, so
# that a slow (sanitizer) build only takes longer.  RUN-OPTIONs go before
# IMAGE, e.g. tests/debug/tui.sh bin/trapeze build/guestos.elf
# --disk=build/guestos.disk.  HOME is the test's own directory: line mode
# keeps its history there.
#
# Output: "PASS tui/NAME" or "FAIL tui/NAME: reason" (with the screen) per
# check, then "tui: N passed, M failed"; the exit status is 1 if anything
# failed.

set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 TRAPEZE IMAGE [RUN-OPTION...] | TRAPEZE OUTDIR" >&2
	exit 2
fi
abs() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
TRAPEZE=$(abs "$1")
if [ -f "$2" ]; then
	IMAGE=$(abs "$2")
	DIR=$(mktemp -d) || exit 2
	CLEAN=$DIR
else
	mkdir -p "$2" || exit 2
	DIR=$(cd "$2" && pwd)
	CLEAN=
	IMAGE=$DIR/dbgdemo.elf
	SRC=$(cd "$(dirname "$0")/../.." && pwd)
	"$TRAPEZE" as "$SRC/tests/e2e/progs/dbgdemo.s" -o "$IMAGE" || exit 2
fi
shift 2
OPTS=
for o in "$@"; do # --disk=FILE: a relative FILE from here
	case $o in
	--disk=/*) ;;
	--disk=*) o=--disk=$(abs "${o#--disk=}") ;;
	esac
	OPTS="$OPTS '$o'"
done
passed=0
failed=0

if ! command -v tmux > /dev/null 2>&1; then
	echo "FAIL tui/tmux: tmux is not installed (apt-get install tmux)"
	echo "tui: 0 passed, 1 failed"
	exit 1
fi

unset TMUX # a test run inside tmux still gets its own server
tm() { tmux -L "trapeze-test-$$" -f /dev/null "$@"; }
# (The server leaves its socket behind: remove it too.)
SOCKET=${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/trapeze-test-$$
trap 'tm kill-server > /dev/null 2>&1; rm -f "$SOCKET"
	[ -z "$CLEAN" ] || rm -rf "$CLEAN"' EXIT
trap 'exit 1' INT TERM
rm -f "$DIR/status" "$DIR/stderr" "$DIR/screen" "$DIR/.trapeze_history"

# The debugger, its stderr and exit status kept for the checks.
cat > "$DIR/run.sh" << EOF
#!/bin/sh
HOME='$DIR'
export HOME
'$TRAPEZE' debug --vmm --tui $OPTS '$IMAGE' 2> '$DIR/stderr'
echo \$? > '$DIR/status'
EOF
chmod +x "$DIR/run.sh"

# report NAME REASON: one result line ("" as REASON: a pass).
report() {
	if [ -z "$2" ]; then
		echo "PASS tui/$1"
		passed=$((passed + 1))
	else
		echo "FAIL tui/$1: $2"
		sed 's/^/  | /' "$DIR/screen" 2> /dev/null
		failed=$((failed + 1))
	fi
}

# why_gone: why the debugger is no longer there, in one line.
why_gone() {
	echo "the debugger has exited (status $(cat "$DIR/status" 2> /dev/null)):" \
		"$(head -n 3 "$DIR/stderr" 2> /dev/null | tr '\n' ' ')"
}

# wait_for REGEX: polls the screen (into $DIR/screen) for up to 5 s until
# a line matches the extended regular expression.  Fails at once if the
# debugger has exited.  With CAPTURE=-pe the screen keeps its attributes
# as escape sequences.
CAPTURE=-p
wait_for() {
	i=0
	while [ $i -lt 50 ]; do
		tm capture-pane $CAPTURE -t tui > "$DIR/screen" 2> /dev/null || return 1
		grep -Eq -- "$1" "$DIR/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# check NAME REGEX...: a pass if every REGEX shows up on the screen.
check() {
	name=$1
	shift
	for re in "$@"; do
		if ! tm has-session -t tui 2> /dev/null; then
			report "$name" "$(why_gone)"
			return
		fi
		if ! wait_for "$re"; then
			report "$name" "no line matches /$re/"
			return
		fi
	done
	report "$name" ""
}

# keys KEY...: types the keys, a pause after each as a person would make
# (so that Esc and the next key are not read as one Alt-key).  A KEY is
# a tmux key name (Enter, Escape) or text.
keys() {
	for k in "$@"; do
		tm send-keys -t tui "$k" 2> /dev/null
		sleep 0.1
	done
}

# ended: has the debugger exited (its tmux session is gone)?
ended() {
	i=0
	while [ $i -lt 50 ]; do
		tm has-session -t tui 2> /dev/null || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

FOOTER='letter\+Enter: +s stepi +n next-exit +h step-handler +c continue +q quit'

if ! tm new-session -d -s tui -x 80 -y 24 "$DIR/run.sh"; then
	echo "FAIL tui/start: tmux cannot start a session"
	echo "tui: 0 passed, 1 failed"
	exit 1
fi

# --- the windows at 80x24 ---------------------------------------------
check footer "$FOOTER"
check registers 'real cpu +vm0 vcpu' '^.* zero +[0-9a-f]{8} [0-9a-f]{8} ' \
	' ptbr +[0-9a-f]{8} [0-9a-f]{8}'
check code '^> ?\*?[0-9a-f]{8} [a-z]'

# --- a command typed by name: its first letter is no shortcut ----------
keys next-exit Enter
check typed-next-exit '^.* :next-exit *$' 'exit #0 of vm0'
keys step-handler Enter
check typed-step-handler '^.* :step-handler *$' 'shadow_page_fault: shadow-fill'
if grep -q 'unknown command' "$DIR/screen"; then
	report typed-no-shortcut "a letter of a typed command ran a shortcut"
else
	report typed-no-shortcut ""
fi

# --- stepping: a letter and Enter; one world switch out, then its handler
keys n Enter h Enter
check log 'vm0 +[A-Z_]+ +[0-9a-f]{8} +[a-z_]+ +[a-z-]+ +-> +[0-9a-f]{8}'

# --- a typed command; its output in the output window -------------------
keys ':info vcpu' Enter
check command '^.* :info vcpu' 'virtual CPU'

# Esc throws a half-typed command away: the next line starts afresh.
keys ':xyz' Escape s Enter
check esc '^.* :stepi *$'
if grep -q ':xyz' "$DIR/screen"; then
	report esc-cleared "the cancelled ':xyz' is still there"
else
	report esc-cleared ""
fi
# The step moved the pc: its value is highlighted, an attribute starting
# right before it (other values follow a name or a space).
ESC=$(printf '\033')
CAPTURE=-pe check changed "$ESC\[[0-9;]*m[0-9a-f]{8}"

# --- a larger window: the layout follows -------------------------------
tm resize-window -t tui -x 100 -y 30 2> /dev/null
check resize "$FOOTER +PgUp/PgDn output"
if [ "$(wc -l < "$DIR/screen")" -eq 30 ] &&
	tail -n 1 "$DIR/screen" | grep -Eq "$FOOTER"; then
	report resize-footer-last ""
else
	report resize-footer-last "the footer is not the last of 30 lines"
fi

# --- `layout line` goes to line mode, `layout tui` back ----------------
keys ':layout line' Enter
check layout-line '^\(trapeze\)'
keys 'layout tui' Enter
check layout-tui "$FOOTER"
if grep -q '^(trapeze)' "$DIR/screen"; then # the whole screen is the TUI's
	report layout-tui-redrawn "line mode is still on the screen"
else
	report layout-tui-redrawn ""
fi

# --- q and Enter quits ---------------------------------------------------
keys q Enter
if ! ended; then
	report quit "the debugger still runs after q"
elif [ "$(cat "$DIR/status" 2> /dev/null)" != 0 ] || [ -s "$DIR/stderr" ]; then
	report quit "$(why_gone)"
else
	report quit ""
fi

echo "tui: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
