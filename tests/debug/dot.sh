#!/bin/sh
# tests/debug/dot.sh TRAPEZE [OUTDIR] - checks the debugger's diagrams (tools/debug/dot.c):
# `dot pagetables FILE` and `dot exits FILE` in batch sessions over the
# guest OS, under the VMM and on the bare machine, and `trapeze dot`.
#
# Each file must be a graph graphviz accepts (`dot -Tsvg` when graphviz is
# installed; else it must at least open with "digraph"), hold the clusters
# and nodes the state implies, and come out byte for byte the same on a
# second run.  Needs build/guestos.elf and build/guestos.disk (make all).
#
# Output: "PASS dot/NAME" or "FAIL dot/NAME: reason" per check, then
# "dot: N passed, M failed"; the exit status is 1 if anything failed.

set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 TRAPEZE [OUTDIR]" >&2
	exit 2
fi
case $1 in
/*) TRAPEZE=$1 ;;
*) TRAPEZE=$(pwd)/$1 ;;
esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ELF=$ROOT/build/guestos.elf
DISK=$ROOT/build/guestos.disk
for f in "$TRAPEZE" "$ELF" "$DISK"; do
	[ -e "$f" ] || { echo "$0: no $f (make all)" >&2; exit 2; }
done
if [ $# -eq 2 ]; then
	mkdir -p "$2" && OUT=$(cd "$2" && pwd) || exit 2
else
	OUT=$(mktemp -d) || exit 2
	trap 'rm -rf "$OUT"' EXIT
fi
cd "$OUT" || exit 2
HAVE_DOT=no
command -v dot > /dev/null 2>&1 && HAVE_DOT=yes
passed=0
failed=0

# report NAME REASON: one result line ("" as REASON: a pass).
report() {
	if [ -z "$2" ]; then
		echo "PASS dot/$1"
		passed=$((passed + 1))
	else
		echo "FAIL dot/$1: $2"
		failed=$((failed + 1))
	fi
}

# session NAME COMMANDS ARGS...: a batch session running COMMANDS (one per
# line) with the run options ARGS; its output goes to NAME.log.
session() {
	name=$1 cmds=$2
	shift 2
	rm -f ./*.dot ./*.png # a stale file must not pass for a new one
	printf '%s\n' "$cmds" | "$TRAPEZE" debug --batch "$@" > "$name.log" 2>&1
}

# why_invalid FILE: empty if FILE is a graph graphviz accepts, else why.
why_invalid() {
	if [ ! -s "$1" ]; then
		echo "$1 is missing or empty"
	elif ! head -n 1 "$1" | grep -q '^digraph '; then
		echo "$1 does not start with 'digraph'"
	elif [ "$HAVE_DOT" = yes ] && ! dot -Tsvg "$1" > /dev/null 2> "$1.err"; then
		echo "dot rejects $1: $(head -n 1 "$1.err")"
	elif [ "$HAVE_DOT" = yes ] && [ -s "$1.err" ]; then
		echo "dot warns on $1: $(head -n 1 "$1.err")"
	fi
}

# check NAME FILE PATTERN...: FILE is valid and has a line matching each
# PATTERN (grep -E); a PATTERN starting with "!" must match no line.
check() {
	name=$1 file=$2
	shift 2
	why=$(why_invalid "$file")
	for pat in "$@"; do
		[ -n "$why" ] && break
		case $pat in
		!*) ! grep -qE -- "${pat#!}" "$file" || why="$file has /${pat#!}/" ;;
		*) grep -qE -- "$pat" "$file" || why="$file lacks /$pat/" ;;
		esac
	done
	report "$name" "$why"
}

# count_is NAME FILE PATTERN N: exactly N lines of FILE match PATTERN.
count_is() {
	n=$(grep -cE -- "$3" "$2" 2> /dev/null)
	if [ "${n:-0}" -eq "$4" ] && [ -s "$2" ]; then
		report "$1" ""
	else
		report "$1" "$n lines of $2 match /$3/, not $4"
	fi
}

MID='break schedule
continue'
DOTS='dot pagetables pt.dot
dot exits ex.dot'

# --- under the VMM, at the first schedule: paging on, processes loaded ---
session vmm "$MID
$DOTS" --vmm --disk="$DISK" "$ELF"
check vmm/pagetables pt.dot 'subgraph cluster_guest' \
	'label="guest page table \(GPA\)' 'g_root .*root table' \
	'label="shadow phys \(HPA\)' 'label="shadow super \(HPA\)' \
	'label="shadow user \(HPA\)' 'label="guest frames \(GPA\)"' \
	'label="host frames"' \
	'label="va 0x[0-9a-f]{8} -> HPA 0x[0-9a-f]{8}( [RWXUAD])+"' \
	'label="va 0x[0-9a-f]{8}-0x[0-9a-f]{8} \([0-9]+ pages\)\\n-> GPA 0x[0-9a-f]{8}-0x[0-9a-f]{8}( [RWXUAD])+"' \
	'label="GPA 0x[0-9a-f]{8}-0x[0-9a-f]{8}\\n[0-9]+ frames"' \
	'-> gf_[0-9a-f]{8}' '-> hf_[0-9a-f]{8}' '\.\.\. [0-9]+ more' \
	'paging on' '!PSW\.PG = 0'
count_is vmm/one-live-shadow pt.dot '\(HPA\), live' 1
check vmm/exits ex.dot 'label="PRIV' 'label="emulate_privileged"' \
	'label="emulated"' 'label="shadow_page_fault"' 'penwidth=' \
	'label="exits so far: [1-9]' '!no exits yet' '!cluster_vm'
cp pt.dot pt.dot.first 2> /dev/null
cp ex.dot ex.dot.first 2> /dev/null
session vmm-again "$MID
$DOTS" --vmm --disk="$DISK" "$ELF"
if cmp -s pt.dot pt.dot.first && cmp -s ex.dot ex.dot.first; then
	report vmm/deterministic ""
else
	report vmm/deterministic "a second run drew different bytes"
fi

# --- under the VMM before the first instruction: no exits, paging off ---
session start "$DOTS" --vmm --disk="$DISK" "$ELF"
check start/pagetables pt.dot "the guest's paging is off" \
	'label="shadow phys \(HPA\), live' 'PTBR 0x00000000'
check start/exits ex.dot 'label="no exits yet"' 'exits so far: 0'

# --- two VMs: a cluster each ---
session two "$MID
$DOTS" --vmm "$ELF,disk=$DISK" "$ELF,disk=$DISK"
check two/exits ex.dot 'subgraph cluster_vm0' 'subgraph cluster_vm1' \
	'label="vm0: [1-9][0-9]* exits"' 'label="vm1: [0-9]+ exits"'
check two/pagetables pt.dot 'label="guest page table \(GPA\)' 'vm[01]: PSW'

# --- under --hw (nested paging): no shadows; the nested table and the
# 2-D walk of the pc, its 8 references numbered, each joined to a table ---
session hw "$MID
$DOTS" --vmm --hw --disk="$DISK" "$ELF"
check hw/pagetables pt.dot 'label="guest page table \(GPA\)' \
	'label="nested table \(HPA\), live' 'n_root .*root table' \
	'label="gpa 0x[0-9a-f]{8}(-0x[0-9a-f]{8} \([0-9]+ pages\)\\n)? ?-> HPA' \
	"label=\"2-D walk of a fetch at the guest's pc, gva 0x[0-9a-f]{8}\\\\n8 references\"" \
	'w1 -> n_root .*label="1"' 'w3 -> g_root .*label="3"' \
	'w6 -> g_t[0-9a-f]{8} .*label="6"' 'w8 -> n_t[0-9a-f]{8} .*label="8"' \
	'w8 -> w_end' 'w_end .*-> GPA 0x[0-9a-f]{8}\\n-> HPA 0x[0-9a-f]{8}' \
	'!shadow' '!-> hf_[0-9a-f]{8} \[style=dashed'
count_is hw/eight-references pt.dot '^		w[0-9]+ \[color=red' 8
cp pt.dot pt.dot.first 2> /dev/null
session hw-again "$MID
$DOTS" --vmm --hw --disk="$DISK" "$ELF"
if cmp -s pt.dot pt.dot.first; then
	report hw/deterministic ""
else
	report hw/deterministic "a second run drew different bytes"
fi

# --- --walk VA: the walk of a load at VA.  The user stack's page, at GPA
# 0x1c000 under the guest table at 0x1d000, is past the 16 runs the nested
# table shows: the entries on the walk are drawn anyway ---
"$TRAPEZE" dot pagetables --vmm --hw --disk="$DISK" "$ELF" --at-cycle 500000 \
	--walk 0x7ffef010 > walk.dot 2> walk.err
check hw/walk walk.dot '2-D walk of a load, gva 0x7ffef010\\n8 references' \
	'n_t[0-9a-f]{8} -> hf_[0-9a-f]{8} \[label="gpa 0x0001c000 -> HPA' \
	'n_t[0-9a-f]{8} -> hf_[0-9a-f]{8} \[label="gpa 0x0001d000 -> HPA' \
	'w_end .*gva 0x7ffef010\\n-> GPA 0x0001c010' 'n_t[0-9a-f]{8}_more'
"$TRAPEZE" dot pagetables --vmm --hw --disk="$DISK" "$ELF" --at-cycle 500000 \
	> nowalk.dot 2>> walk.err
check hw/bounded nowalk.dot 'n_t[0-9a-f]{8}_more' '!label="gpa 0x0001c000 -> HPA'
if [ -s walk.err ]; then
	report hw/walk-quiet "trapeze dot wrote to stderr: $(head -n 1 walk.err)"
else
	report hw/walk-quiet ""
fi
session hw-walk-cmd "$MID
dot pagetables pt.dot --walk \$sp" --vmm --hw --disk="$DISK" "$ELF"
check hw/walk-command pt.dot '2-D walk of a load, gva 0x[0-9a-f]{8}'
session walk-no-hw "$MID
dot pagetables pt.dot --walk 0x1000" --vmm --disk="$DISK" "$ELF"
if [ ! -e pt.dot ] && grep -q 'it needs --vmm --hw' walk-no-hw.log; then
	report walk-no-hw ""
else
	report walk-no-hw "--walk without --hw: not refused ($(head -n 1 walk-no-hw.log))"
fi

# --- the bare machine: its own table and physical frames, no exits ---
session bare "$MID
$DOTS" --disk="$DISK" "$ELF"
check bare/pagetables pt.dot 'label="page table \(PA\)' \
	'label="physical frames"' 'label="va 0x[0-9a-f]{8}' \
	'the bare machine: PSW' '!shadow' '!host frames'
if grep -q 'not under the VMM (--vmm): no exits' bare.log; then
	report bare/exits ""
else
	report bare/exits "no 'not under the VMM' error in bare.log"
fi

# --- a picture one can read: the guest OS's page tables, late in its run,
# a few dozen nodes per cluster at most, not one per page (a run of pages
# mapping contiguous frames is one edge, contiguous frames one node) ---
"$TRAPEZE" dot pagetables --vmm --disk="$DISK" "$ELF" --at-cycle 500000 \
	> late.dot 2> late.err
# most_nodes FILE: the largest number of nodes declared in one cluster
most_nodes() {
	awk '/subgraph cluster_/ { n = 0; inside = 1; next }
	     inside && /^\t}/ { if (n > most) most = n; inside = 0; next }
	     inside && /\[.*label=/ { n++ }
	     END { print most + 0 }' "$1"
}
most=$(most_nodes late.dot)
if [ -s late.err ] || [ ! -s late.dot ]; then
	report late/summarised "trapeze dot failed: $(head -n 1 late.err)"
elif [ "$most" -gt 40 ]; then
	report late/summarised "a cluster of late.dot holds $most nodes (at most 40)"
else
	report late/summarised ""
fi

# --- --png: FILE is the PNG, nothing else is written.  A stand-in for
# graphviz's dot (first on PATH) shows what it was asked to do ---
mkdir -p fakebin
printf '%s\n' '#!/bin/sh' \
	'# dot -Tpng -o FILE: the graph from stdin, marked, into FILE' \
	'[ "$1" = -Tpng ] && [ "$2" = -o ] || exit 9' \
	'{ echo "fake PNG"; cat; } > "$3"' > fakebin/dot
chmod +x fakebin/dot
rm -f ./*.png ./*.dot
PATH="$OUT/fakebin:$PATH" "$TRAPEZE" dot exits --vmm --disk="$DISK" "$ELF" \
	--at-cycle 1000 -o named.png --png > named.log 2>&1 < /dev/null
if [ "$(head -n 1 named.png 2> /dev/null)" != "fake PNG" ] ||
	! grep -q '^digraph exits' named.png; then
	report png/named "named.png is not the rendered diagram ($(head -n 1 named.log))"
elif [ -n "$(ls ./*.dot ./*.png.png 2> /dev/null)" ]; then
	report png/named "other files written: $(ls ./*.dot ./*.png.png 2> /dev/null)"
elif [ "$(cat named.log)" != "wrote named.png" ]; then
	report png/named "it said: $(head -n 1 named.log)"
else
	report png/named ""
fi
if PATH="$OUT/fakebin:$PATH" "$TRAPEZE" dot exits --vmm --disk="$DISK" "$ELF" \
	--at-cycle 1000 -o named.dot --png > named-dot.log 2>&1 < /dev/null ||
	[ -e named.dot ] || ! grep -q "names the PNG file" named-dot.log; then
	report png/dot-name "-o named.dot --png: not refused ($(head -n 1 named-dot.log))"
else
	report png/dot-name ""
fi

# --- --png, when graphviz is there to render it ---
if [ "$HAVE_DOT" = yes ]; then
	session png "$MID
dot exits ex.png --png" --vmm --disk="$DISK" "$ELF"
	if [ -s ex.png ] && head -c 4 ex.png | grep -q PNG; then
		report png ""
	else
		report png "no PNG in ex.png (see png.log: $(head -n 1 png.log))"
	fi
	# The PNG of the late page tables is one a screen can show: its
	# height (bytes 21-24, big-endian) at most 4000 pixels.
	"$TRAPEZE" dot pagetables --vmm --disk="$DISK" "$ELF" --at-cycle 500000 \
		-o late.png --png > /dev/null 2>&1
	height=$(od -An -tu1 -j20 -N4 late.png 2> /dev/null |
		awk '{ print ((($1 * 256 + $2) * 256 + $3) * 256 + $4) }')
	if [ "${height:-0}" -gt 0 ] && [ "$height" -le 4000 ]; then
		report png/readable ""
	else
		report png/readable "late.png is ${height:-no} pixels tall (at most 4000)"
	fi
fi

# --- trapeze dot, the command-line form ---
"$TRAPEZE" dot exits --vmm --disk="$DISK" "$ELF" --at-cycle 300000 > cli-ex.dot 2> cli.err
check cli/exits cli-ex.dot 'label="PRIV' '!no exits yet'
"$TRAPEZE" dot pagetables --vmm --disk="$DISK" "$ELF" --at-cycle 300000 > cli-pt.dot 2>> cli.err
check cli/pagetables cli-pt.dot 'label="shadow user \(HPA\)' 'g_root'

if [ -s cli.err ]; then
	report cli/quiet "trapeze dot wrote to stderr: $(head -n 1 cli.err)"
else
	report cli/quiet ""
fi
if "$TRAPEZE" dot exits --disk="$DISK" "$ELF" --at-cycle 1000 > cli-bare.dot \
	2> cli-bare.err; then
	report cli/bare-exits "trapeze dot exits succeeded on the bare machine"
elif ! grep -q 'not under the VMM' cli-bare.err; then
	report cli/bare-exits "no 'not under the VMM' error: $(head -n 1 cli-bare.err)"
else
	report cli/bare-exits ""
fi

# --- the sanitizer build reports to the logs; nothing may be there ---
if grep -lE 'AddressSanitizer|runtime error|LeakSanitizer' ./*.log ./*.err \
	> sanitizer.txt 2> /dev/null; then
	report sanitizers "reports in $(tr '\n' ' ' < sanitizer.txt)"
else
	report sanitizers ""
fi

echo "dot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
