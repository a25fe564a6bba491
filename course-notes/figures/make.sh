#!/bin/sh
# course-notes/figures/make.sh TRAPEZE INCLUDE_DIR OUTDIR [--no-svg]
#
# Makes the figures of the course notes from the running system: each is
# a graphviz source written by `trapeze dot` from a run of an example
# (NAME.dot), rendered to NAME.svg by graphviz's `dot`.  `make notes`
# writes them into course-notes/figures/, where they are committed;
# `make check-notes` writes them into a scratch folder and compares.
#
# The .dot sources are trapeze's output and must match byte for byte.
# The SVGs are graphviz's rendering of them, which changes from one
# graphviz version to the next (layout, ids, the version in a comment):
# they must match only when the installed `dot` is the version that made
# the committed ones (tools/check-figures.sh says which it compares).
# --no-svg makes the sources only.
set -eu
if [ $# -lt 3 ]; then
	echo "usage: $0 TRAPEZE INCLUDE_DIR OUTDIR [--no-svg]" >&2
	exit 2
fi
TRAPEZE=$1
INC=$2
OUT=$3
SVG=${4:-}
mkdir -p "$OUT"

# figure NAME TRAPEZE-DOT-ARGUMENTS...
figure() {
	name=$1
	shift
	"$TRAPEZE" dot "$@" > "$OUT/$name.dot"
	if [ "$SVG" != --no-svg ]; then
		dot -Tsvg "$OUT/$name.dot" > "$OUT/$name.svg"
	fi
}

# Chapter 3: where the exits of a small kernel go (03-syscall.s).
figure exits-03-syscall exits --vmm -I "$INC" examples/03-syscall.s
# Chapter 3: ring compression: the guest's table and the VMM's three
# shadows at the end of 06-usermode.s.
figure pagetables-06-usermode pagetables --vmm -I "$INC" examples/06-usermode.s
# Chapter 2: the probe on the leaky machine under --patch: the exits that
# the patched sensitive instructions become.
figure exits-08-patch exits --vmm --mode=leaky --patch -I "$INC" \
	examples/08-sensitive.s
# Chapter 5: the guest's table and the VMM's shadows of 05-paging.s (the
# run ends with the guest's paging off, so the phys shadow is live).
figure pagetables-05-paging pagetables --vmm -I "$INC" examples/05-paging.s
