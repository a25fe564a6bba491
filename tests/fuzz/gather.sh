#!/bin/sh
# tests/fuzz/gather.sh TRAPEZE INCLUDE_DIR MKSEED DIFFGEN - (re)makes the
# seed corpora in tests/fuzz/corpus/ from the project's own programs.
#
#   asm/      every .s of tests/guest (with attack/), guestos/ (with user/),
#             examples/, bench/ (with nano/), tests/e2e/progs,
#             tests/e2e-guestos and tests/fuzz/seeds, each with its .include lines replaced by
#             the included text, so that a seed needs no file on disk
#   elf/      a handful of those assembled, and malformed variants of one
#             (truncated, bad magic, wrong class, wrong machine, ...)
#   machine/  the memory images of the assembled ones (tests/fuzz/mkseed.c),
#   vmm/      under a few header flag bytes (see fuzz_machine.c, fuzz_vmm.c);
#             vmm/ also gets large programs from `DIFFGEN --fuzz-seed N`
#             (tests/gen/gen.c): over a thousand pending branches, pages
#             of gadgets entered at many points, remapped and copied, so
#             that the VMM's corpus starts from programs that reach the
#             bounds of binary patching
#
# INCLUDE_DIR is where the build put pg32.inc (build/include); MKSEED is
# build/fuzz/mkseed (make build/fuzz/mkseed); DIFFGEN is build/diffgen.
# Run from
# the top of the tree; the seeds are kept in git, so this only needs
# running when the programs change.  Files the fuzzer added are kept.
set -eu
if [ $# -ne 4 ]; then
	echo "usage: $0 TRAPEZE INCLUDE_DIR MKSEED DIFFGEN" >&2
	exit 2
fi
trapeze=$1 incdir=$2 mkseed=$3 diffgen=$4
out=tests/fuzz/corpus
mkdir -p "$out/asm" "$out/elf" "$out/machine" "$out/vmm"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The folders .include searches, after the including file's own.
dirs="tests/guest/lib tests/guest/attack $incdir guestos guestos/native \
guestos/user bench/nano bench/nano/native"

# inline FILE: FILE's text with every .include replaced, recursively.
inline() {
	awk -v dirs="$dirs" '
	function exists(p,   line, r) {
		r = (getline line < p); close(p); return r >= 0
	}
	function emit(path,   line, name, here, found, n, d, k) {
		here = path; sub(/\/[^\/]*$/, "", here)
		while ((getline line < path) > 0) {
			if (line ~ /^[ \t]*\.include[ \t]+"[^"]+"/) {
				name = line
				sub(/^[ \t]*\.include[ \t]+"/, "", name)
				sub(/".*$/, "", name)
				found = ""
				if (exists(here "/" name))
					found = here "/" name
				n = split(dirs, d, " ")
				for (k = 1; k <= n && found == ""; k++)
					if (exists(d[k] "/" name))
						found = d[k] "/" name
				if (found == "") { print line; continue }
				print "# --- " name
				emit(found)
			} else
				print line
		}
		close(path)
	}
	BEGIN { emit(ARGV[1]); exit }' "$1"
}

n=0
for f in $(find tests/guest guestos examples bench tests/e2e/progs \
	       tests/e2e-guestos tests/fuzz/seeds -name '*.s' | sort); do
	name=$(printf '%s' "$f" | tr '/' '-')
	inline "$f" > "$out/asm/$name"
	n=$((n + 1))
done
echo "gather: $n assembler seeds"

# Assembled programs: the ELF seeds and the memory-image seeds.
progs="tests/e2e/progs/hello.s tests/e2e/progs/loop.s tests/e2e/progs/trapit.s
tests/e2e/progs/deadlock.s tests/guest/alu.s tests/guest/traps.s
tests/guest/paging.s tests/guest/tlb.s tests/guest/timer.s
tests/guest/usermode.s tests/guest/memory.s tests/guest/leaky.s
tests/guest/redpill.s tests/guest/hcall.s tests/guest/console.s
tests/guest/disk.s tests/guest/attack/exit_flood.s
tests/guest/attack/nested_trap.s tests/guest/attack/mmio_widths.s
tests/guest/attack/alias_own_frames.s bench/crc.s bench/mtcr.s
guestos/user/primes.s tests/fuzz/seeds/hypercalls.s
tests/fuzz/seeds/dma-of-patched-code.s"
for f in $progs; do
	base=$(basename "$f" .s)
	name=$(printf '%s' "${f%.s}" | tr '/' '-')
	"$trapeze" as -I tests/guest/lib -I "$incdir" "$f" -o "$tmp/$base.elf"
	cp "$tmp/$base.elf" "$out/elf/$name.elf"
	"$mkseed" 0 "$tmp/$base.elf" > "$out/machine/$name"
	"$mkseed" 0 "$tmp/$base.elf" > "$out/vmm/$name"
done
# A few modes of the same programs: machine flags (fuzz_machine.c)
# 0x01 leaky, 0x02 monitor, 0x40 run vs step; vmm flags (fuzz_vmm.c)
# 0x01 two VMs, 0x06 leaky with --patch, 0x08 against the bare machine,
# 0x18 and in lockstep, 0x1e leaky with --patch against the leaky bare
# machine, in lockstep too.
for base in alu traps paging timer usermode leaky hypercalls \
	    dma-of-patched-code; do
	f=$(echo $progs | tr ' ' '\n' | grep "/$base.s")
	for fl in 0x01 0x02 0x40; do
		"$mkseed" $fl "$tmp/$base.elf" > "$out/machine/$base-$fl"
	done
	for fl in 0x01 0x06 0x07 0x08 0x18 0x1e; do
		"$mkseed" $fl "$tmp/$base.elf" > "$out/vmm/$base-$fl"
	done
done

# Large programs for the VMM (diffgen --fuzz-seed: each has a fan of over
# 1024 forward branches and a remap to an identical copy with no flush).
# Flags: 0x00 clean, 0x06 leaky with --patch, 0x08 clean against the bare
# machine, 0x18 and in lockstep, 0x0e and 0x1e leaky with --patch against
# the leaky bare machine (the execution-driven patcher failed those).
for n in 2 4 6 8; do
	"$diffgen" --fuzz-seed $n > "$tmp/large-$n.s"
	"$trapeze" as "$tmp/large-$n.s" -o "$tmp/large-$n.elf"
	for fl in 0x00 0x06 0x08 0x18 0x0e 0x1e; do
		"$mkseed" $fl "$tmp/large-$n.elf" > "$out/vmm/diffgen-fuzz-seed-$n-$fl"
	done
done

# Malformed ELF files, each from hello.elf with one thing wrong.
src=$tmp/hello.elf
size=$(wc -c < "$src")
patch_byte() { # patch_byte OFFSET OCTAL-BYTE NAME
	cp "$src" "$out/elf/bad-$3.elf"
	printf "\\$2" | dd of="$out/elf/bad-$3.elf" bs=1 seek="$1" conv=notrunc \
		2>/dev/null
}
head -c 40 "$src" > "$out/elf/bad-truncated-header.elf"
head -c $((size / 2)) "$src" > "$out/elf/bad-truncated-half.elf"
head -c $((size - 1)) "$src" > "$out/elf/bad-truncated-last.elf"
: > "$out/elf/bad-empty.elf"
patch_byte 0 000 magic
patch_byte 4 002 class64
patch_byte 5 002 bigendian
patch_byte 16 003 type
patch_byte 18 076 machine
patch_byte 24 002 entry-misaligned
patch_byte 28 377 phoff
patch_byte 44 377 phnum
patch_byte 48 377 shnum
patch_byte 50 177 shstrndx
echo "gather: $(ls "$out/elf" | wc -l) ELF seeds," \
     "$(ls "$out/machine" | wc -l) machine seeds, $(ls "$out/vmm" | wc -l) vmm seeds"
