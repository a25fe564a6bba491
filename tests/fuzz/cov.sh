#!/bin/sh
# tests/fuzz/cov.sh OUTDIR [PREFIX] - the body of `make fuzz-cov`: how
# much of each harness's target code its corpus reaches.
#
# Each harness (fuzz_NAME.c with replay.c, no libFuzzer) is built by clang
# with source-based coverage, every file of the folder PREFIXNAME (PREFIX
# tests/fuzz/corpus/ by default; build/fuzz/corpus- for the larger scratch
# corpora of a campaign) goes through it once, and llvm-cov reports the line and region coverage of
# the code that harness targets:
#   asm       isa/asm.c
#   elf       isa/elf.c
#   machine   machine/*.c
#   vmm       vmm/*.c
# Prints one line per harness; writes OUTDIR/NAME.txt (the per-file
# report).  Needs clang, llvm-profdata and llvm-cov.
set -u
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OUTDIR [PREFIX]" >&2
	exit 2
fi
out=$1
prefix=${2:-tests/fuzz/corpus/}
mkdir -p "$out" || exit 2
for tool in clang llvm-profdata llvm-cov; do
	command -v $tool > /dev/null 2>&1 || { echo "$0: no $tool" >&2; exit 2; }
done
isa="isa/isa.c isa/asm.c isa/elf.c"
machine="machine/machine.c machine/cpu.c machine/mmu.c machine/dev_console.c
	 machine/dev_timer.c machine/dev_disk.c machine/dev_test.c machine/dev_bus.c
	 machine/vmx.c"
vmm="vmm/vmm.c vmm/emulate.c vmm/reflect.c vmm/shadow.c vmm/mmio.c vmm/hcall.c
     vmm/patch.c"
status=0
for name in asm elf machine vmm; do
	case $name in
	asm) srcs=$isa targets=isa/asm.c ;;
	elf) srcs=$isa targets=isa/elf.c ;;
	machine) srcs="$machine $isa" targets=$machine ;;
	vmm) srcs="tools/lockstep.c $vmm $machine $isa" targets=$vmm ;;
	esac
	bin=$out/cov_$name
	# shellcheck disable=SC2086 # the lists are words
	if ! clang -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g \
		-fprofile-instr-generate -fcoverage-mapping -o "$bin" \
		tests/fuzz/fuzz_$name.c tests/fuzz/fuzz_common.c \
		tests/fuzz/replay.c $srcs; then
		echo "FAIL fuzz-cov/$name: does not build"
		status=1
		continue
	fi
	rm -f "$out/$name".*.profraw
	find "$prefix$name" -type f -print0 |
		LLVM_PROFILE_FILE="$out/$name.%p.profraw" xargs -0 "$bin" > /dev/null 2>&1
	llvm-profdata merge -o "$out/$name.profdata" "$out/$name".*.profraw || {
		echo "FAIL fuzz-cov/$name: no profile"
		status=1
		continue
	}
	# shellcheck disable=SC2086
	llvm-cov report "$bin" -instr-profile="$out/$name.profdata" $targets \
		> "$out/$name.txt"
	files=$(find "$prefix$name" -type f | wc -l)
	# TOTAL  regions missed cover  functions missed executed  lines missed cover ...
	awk -v n="$name" -v f="$files" '/^TOTAL/ {
		printf "fuzz-cov %-8s %5d inputs: lines %s, regions %s, functions %s\n",
		       n, f, $10, $4, $7 }' "$out/$name.txt"
done
exit $status
