#!/bin/sh
# tests/gen/run.sh TRAPEZE GEN OUTDIR FIRST_SEED COUNT [GEN_FLAG] -
# differential testing of the VMM against the bare machine with random
# programs.
#
# For each seed from FIRST_SEED to FIRST_SEED + COUNT - 1:
#   1. GEN [GEN_FLAG] SEED writes a random PG32 program (tests/gen/gen.c
#      says what is in it; GEN_FLAG --large makes the large programs that
#      stress binary patching); `TRAPEZE as` assembles it;
#   2. it runs on the bare machine and under the VMM (--vmm), and on the
#      leaky (x86-like) machine bare and under the VMM with binary patching
#      (--mode=leaky --vmm --patch); the pairs hw-clean, hw-leaky,
#      shadow-clean and shadow-leaky (PAIRS below) compare the bare
#      machine of each mode with the VMM under hardware assist, --hw and
#      --hw=shadow, which need no patching;
#   3. the VMM's run must print the same bytes and exit with the same
#      status as the bare machine's, in each pair; the bare run must exit 0
#      and end with the line "end" (else the generator made a bad program).
#
# To keep it fast (a VMM starts slowly under the sanitizers) the VMM runs
# BATCH programs at once, as BATCH VMs of one `trapeze run --vmm`, and each
# VM's lines (prefixed "[vmN] ") are compared with its program's bare run.
# That also checks that a VM's result does not depend on its neighbours.
# If anything in a batch differs, each of its programs is run again alone
# under the VMM, and the report is made from that run (or says that the
# program differs only next to other VMs).
#
# A difference prints
#     FAIL seed N: line L: native "..." vmm "..."
# ("FAIL seed N (leaky, --patch): ..." for the second pair; "seed N
# (--large)" names a seed of GEN_FLAG --large), and keeps the program and
# its outputs as OUTDIR/seed-N.*.  The last line is
#     diff: N passed, M failed
# counting seeds ("$DIFF_LABEL:" instead of "diff:" if set, to tell runs
# apart); the exit status is 1 if any seed failed.  PAIRS in the
# environment chooses the pairs (default "clean leaky"; e.g. PAIRS=clean
# compares only that one, PAIRS="hw-clean hw-leaky" hardware assist).
#
# HYBRID=1 in the environment runs the hybrid VMM instead (--vmm --hybrid,
# Theorem 3) in both pairs: clean and leaky alike, with no patching.
#
# tests/gen/known-failures lists "SEED PAIR [GEN_FLAG]" (PAIR: clean or
# leaky) for VMM bugs not fixed yet: that pair of that seed (made with
# that flag) is not compared, and a line before the summary says how many
# were skipped.
#
# Reproduce one seed by hand (build/diffgen is the generator):
#     build/diffgen [GEN_FLAG] SEED > p.s && bin/trapeze as p.s -o p.elf
#     bin/trapeze run p.elf > native.out; bin/trapeze run --vmm p.elf > vmm.out
set -u

if [ $# -ne 5 ] && [ $# -ne 6 ]; then
	echo "usage: $0 TRAPEZE GEN OUTDIR FIRST_SEED COUNT [GEN_FLAG]" >&2
	exit 2
fi
TRAPEZE=$1
GEN=$2
OUT=$3
FIRST=$4
COUNT=$5
FLAG=${6-}
PAIRS=${PAIRS:-clean leaky} # the environment may choose fewer pairs
HYBRID=${HYBRID-}
gtag= # how a seed is named in reports: "seed N" or "seed N (--large)"
[ -z "$FLAG" ] || gtag=" ($FLAG)"
SRC=$(cd "$(dirname "$0")" && pwd)
MAX_CYCLES=5000000 # the programs need well under 2M
BATCH=8            # VMs per VMM run (trapeze's limit is 8)
KEEP=50            # keep the files of at most this many failed seeds
kept=0

mkdir -p "$OUT" || exit 2
rm -f "$OUT"/cur.* "$OUT"/b.*
known=$(sed -e 's/#.*//' "$SRC/known-failures" 2>/dev/null |
	awk -v flag="$FLAG" 'NF >= 2 && $3 == flag { printf " %s:%s", $1, $2 }')
known="$known "
nknown=0

# first_diff A B: 'line L: native "..." vmm "..."' for the first line where
# files A and B differ (a missing line shows as <eof>).
first_diff() {
	awk 'NR == FNR { a[NR] = $0; na = NR; next }
	     { nb = FNR; if (!done && (FNR > na || a[FNR] != $0)) {
		 printf "line %d: native \"%s\" vmm \"%s\"\n", FNR,
		   (FNR > na ? "<eof>" : a[FNR]), $0; done = 1 } }
	     END { if (!done && na > nb)
		 printf "line %d: native \"%s\" vmm \"<eof>\"\n", nb + 1, a[nb + 1] }' \
		"$1" "$2"
}

# pair_mode PAIR: the machine's mode of a pair; pair_opts PAIR: its VMM's
# options; pair_tag PAIR: how reports name it (nothing for clean).  With
# HYBRID set, the pairs clean and leaky run the hybrid VMM instead.
pair_mode() {
	case $1 in
	*leaky) echo leaky ;;
	*) echo clean ;;
	esac
}
pair_opts() {
	case $HYBRID:$1 in
	?*:clean | ?*:leaky) echo --hybrid ;;
	*:leaky) echo --patch ;;
	*:hw-*) echo --hw ;;
	*:shadow-*) echo --hw=shadow ;;
	esac
}
pair_tag() {
	case $HYBRID:$1 in
	:clean) ;;
	:leaky) echo " (leaky, --patch)" ;;
	*) echo " ($(pair_mode "$1"), $(pair_opts "$1"))" ;;
	esac
}

# native SEED MODE: the bare run, into cur.SEED.MODE.{out,err,rc}
native() {
	"$TRAPEZE" run --max-cycles=$MAX_CYCLES --mode="$2" "$OUT/cur.$1.elf" \
		>"$OUT/cur.$1.$2.out" 2>"$OUT/cur.$1.$2.err" </dev/null
	echo $? >"$OUT/cur.$1.$2.rc"
}

# vmm_alone SEED PAIR: the program alone under the VMM, into
# cur.SEED.PAIR-vmm.{out,err,rc}
vmm_alone() {
	# shellcheck disable=SC2046 # pair_opts: --patch, --hw, or nothing at all
	"$TRAPEZE" run --max-cycles=$MAX_CYCLES --vmm --mode="$(pair_mode "$2")" \
		$(pair_opts "$2") "$OUT/cur.$1.elf" \
		>"$OUT/cur.$1.$2-vmm.out" 2>"$OUT/cur.$1.$2-vmm.err" </dev/null
	echo $? >"$OUT/cur.$1.$2-vmm.rc"
}

# compare SEED PAIR: prints why the pair differs and returns 1, or returns 0
compare() {
	s=$1
	m=$2
	tag=$(pair_tag "$m")
	a=$OUT/cur.$s.$(pair_mode "$m")
	b=$OUT/cur.$s.$m-vmm
	if ! cmp -s "$a.out" "$b.out"; then
		echo "FAIL seed $s$gtag$tag: $(first_diff "$a.out" "$b.out")"
		return 1
	fi
	if [ "$(cat "$a.rc")" != "$(cat "$b.rc")" ]; then
		echo "FAIL seed $s$gtag$tag: exit status: native $(cat "$a.rc")" \
			"vmm $(cat "$b.rc"): $(head -n 1 "$b.err")"
		return 1
	fi
	if [ "$(cat "$a.rc")" != 0 ] || [ "$(tail -n 1 "$a.out")" != end ]; then
		echo "FAIL seed $s$gtag$tag: bad program: native exit status" \
			"$(cat "$a.rc"): $(head -n 1 "$a.err")"
		return 1
	fi
	return 0
}

# batch SEED...: generate, assemble and compare a batch of seeds; adds
# the number that failed to $failed
batch() {
	good=
	for s in "$@"; do
		if ! "$GEN" ${FLAG:+"$FLAG"} "$s" >"$OUT/cur.$s.s" 2>"$OUT/cur.$s.gen.err"; then
			echo "FAIL seed $s$gtag: generator: $(head -n 1 "$OUT/cur.$s.gen.err")"
			echo "$s" >>"$OUT/b.failed"
		elif ! "$TRAPEZE" as "$OUT/cur.$s.s" -o "$OUT/cur.$s.elf" \
			2>"$OUT/cur.$s.as.err"; then
			echo "FAIL seed $s$gtag: assembler: $(head -n 1 "$OUT/cur.$s.as.err")"
			echo "$s" >>"$OUT/b.failed"
		else
			good="$good $s"
		fi
	done
	[ -n "$good" ] || { finish_batch; return; }
	for m in $PAIRS; do
		mode=$(pair_mode "$m")
		elfs=
		for s in $good; do
			# the bare run of each mode once, for every pair of it
			[ -e "$OUT/cur.$s.$mode.rc" ] || native "$s" "$mode"
			elfs="$elfs $OUT/cur.$s.elf"
		done
		# shellcheck disable=SC2046,SC2086 # the lists are split on purpose
		"$TRAPEZE" run --max-cycles=$MAX_CYCLES --vmm --mode=$mode \
			$(pair_opts "$m") \
			$elfs >"$OUT/b.out" 2>"$OUT/b.err" </dev/null
		rc=$?
		# One VM's output is not prefixed; several VMs' lines are.
		awk -v dir="$OUT" -v m="$m" -v list="$good" '
			BEGIN { n = split(list, seed, " ") }
			n == 1 { print > (dir "/cur." seed[1] "." m "-vmm.out"); next }
			match($0, /^\[vm[0-9]+\] /) {
				i = substr($0, 4, RLENGTH - 5) + 1
				print substr($0, RLENGTH + 1) > (dir "/cur." seed[i] "." m "-vmm.out")
			}' "$OUT/b.out"
		i=0
		for s in $good; do
			touch "$OUT/cur.$s.$m-vmm.out"
			cp "$OUT/b.err" "$OUT/cur.$s.$m-vmm.err"
			echo $rc >"$OUT/cur.$s.$m-vmm.rc"
			# rc is the batch's: 0 if every VM exited 0, else one
			# line on stderr names each VM that did not
			if { [ $rc != 0 ] && [ "$(echo "$good" | wc -w)" = 1 ]; } ||
				grep -q "^trapeze run: vm$i:" "$OUT/b.err" ||
				! cmp -s "$OUT/cur.$s.$mode.out" "$OUT/cur.$s.$m-vmm.out" ||
				[ "$(cat "$OUT/cur.$s.$mode.rc")" != 0 ] ||
				{ [ $rc != 0 ] && ! grep -q "^trapeze run: vm" "$OUT/b.err"; }
			then
				echo "$s $m $i" >>"$OUT/b.suspect"
			fi
			i=$((i + 1))
		done
	done
	# Anything suspect runs again alone and is reported from that run.
	while read -r s m i; do
		[ -n "$s" ] || continue
		case "$known" in
		*" $s:$m "*) nknown=$((nknown + 1)); continue ;;
		esac
		mv "$OUT/cur.$s.$m-vmm.out" "$OUT/cur.$s.$m-vmmbatch.out"
		mv "$OUT/cur.$s.$m-vmm.err" "$OUT/cur.$s.$m-vmmbatch.err"
		rm -f "$OUT/cur.$s.$m-vmm.rc"
		vmm_alone "$s" "$m"
		if compare "$s" "$m"; then
			tag=$(pair_tag "$m")
			echo "FAIL seed $s$gtag$tag: differs only next to other VMs" \
				"(vm$i of seeds$good):" \
				"$(first_diff "$OUT/cur.$s.$(pair_mode "$m").out" "$OUT/cur.$s.$m-vmmbatch.out")" \
				"$(grep "^trapeze run: vm$i:" "$OUT/cur.$s.$m-vmmbatch.err")"
		fi
		echo "$s" >>"$OUT/b.failed"
	done <<EOF_SUSPECT
$(cat "$OUT/b.suspect" 2>/dev/null)
EOF_SUSPECT
	# A listed pair that was compared and agreed: the bug may be fixed.
	for s in $good; do
		for m in $PAIRS; do
			case "$known" in
			*" $s:$m "*)
				grep -q "^$s $m " "$OUT/b.suspect" 2>/dev/null ||
					echo "note: seed $s$gtag $m is in tests/gen/known-failures but passes now" ;;
			esac
		done
	done
	finish_batch
}

# finish_batch: keep the files of the failed seeds (the first KEEP of
# them), count them, clean up
finish_batch() {
	for s in $(sort -u "$OUT/b.failed" 2>/dev/null); do
		kept=$((kept + 1))
		[ $kept -le $KEEP ] || continue
		for f in "$OUT"/cur."$s".*; do
			mv "$f" "$OUT/seed-$s.${f#"$OUT"/cur."$s".}"
		done
	done
	failed=$((failed + $(sort -u "$OUT/b.failed" 2>/dev/null | wc -l)))
	rm -f "$OUT"/cur.* "$OUT"/b.*
}

passed=0
failed=0
seed=$FIRST
last=$((FIRST + COUNT))
while [ "$seed" -lt "$last" ]; do
	list=
	n=0
	while [ $n -lt $BATCH ] && [ "$seed" -lt "$last" ]; do
		list="$list $seed"
		seed=$((seed + 1))
		n=$((n + 1))
	done
	before=$failed
	# shellcheck disable=SC2086
	batch $list
	passed=$((passed + n - (failed - before)))
	if [ "$COUNT" -ge 5000 ] && [ $(((seed - FIRST) % 1000)) -lt $BATCH ]; then
		echo "progress: $((seed - FIRST)) of $COUNT seeds run," \
			"$failed with a difference" >&2
	fi
done
label=${DIFF_LABEL:-diff}
[ "$nknown" = 0 ] ||
	echo "$label: $nknown known failures not compared (tests/gen/known-failures)"
echo "$label: $passed passed, $failed failed"
[ "$failed" = 0 ]
