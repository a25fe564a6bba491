# trapeze - one Makefile, explicit object lists.
#
#   make              bin/trapeze
#   make check        every test, in this build and in a second one built
#                     with -fsanitize=address,undefined (build/asan/)
#   make bench        the benchmarks
#   make install      PREFIX=/usr/local DESTDIR=
#   make clean
#
# O is the object directory; the sanitizer build is this same Makefile
# run with O=build/asan SAN=1.

.DEFAULT_GOAL := all

O ?= build
PREFIX ?= /usr/local
CC ?= cc

WARN = -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
       -Wshadow -Wpointer-arith -Wvla
CFLAGS ?= -O2 -g
comma := ,
SANFLAGS = $(if $(SAN),-fsanitize=address$(comma)undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all,)
# CPPFLAGS and LDFLAGS as usual, for libraries outside the compiler's
# default paths (Homebrew on macOS: CPPFLAGS=-I$(brew --prefix)/include
# LDFLAGS=-L$(brew --prefix)/lib; quickstart.sh passes them).
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS)
DEPFLAGS = -MMD -MP # only when compiling: each .o gets its .d
LDLIBS_CMOCKA = $(LDFLAGS) -lcmocka

# Quiet by default, as kernels build: one short line per file made
# ("  CC  vmm/vmm.c"); V=1 prints the whole commands instead, and make -s
# prints neither.  $(Q) hides a command, $(call say,WHAT,FILE) names it.
V ?= 0
ifeq ($(V),1)
Q :=
say = @:
else
Q := @
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
say = @:
else
say = @printf '  %-3s %s\n' '$(1)' '$(2)'
endif
endif

# --- the layers, bottom up ---------------------------------------------
ISA_SRCS = isa/isa.c isa/asm.c isa/elf.c
MACHINE_SRCS = machine/machine.c machine/cpu.c machine/mmu.c \
	       machine/dev_console.c machine/dev_timer.c machine/dev_disk.c \
	       machine/dev_test.c machine/dev_bus.c machine/vmx.c
VMM_SRCS = vmm/vmm.c vmm/emulate.c vmm/reflect.c vmm/shadow.c vmm/mmio.c \
	   vmm/hcall.c vmm/patch.c vmm/hw.c vmm/hybrid.c vmm/virtio_blk.c
TOOLS_SRCS = tools/trapeze.c tools/cmd_as.c tools/cmd_dis.c tools/cmd_run.c tools/target.c \
	     tools/explain.c \
	     tools/cmd_audit.c tools/audit.c tools/lockstep.c tools/cmd_debug.c
DEBUG_SRCS = tools/debug/session.c tools/debug/stops.c tools/debug/commands.c \
	     tools/debug/view.c tools/debug/dot.c tools/debug/tui.c

ISA_OBJS = $(ISA_SRCS:%.c=$(O)/%.o)
MACHINE_OBJS = $(MACHINE_SRCS:%.c=$(O)/%.o)
VMM_OBJS = $(VMM_SRCS:%.c=$(O)/%.o)
TOOLS_OBJS = $(TOOLS_SRCS:%.c=$(O)/%.o)
DEBUG_OBJS = $(DEBUG_SRCS:%.c=$(O)/%.o)
LDLIBS_DEBUG = $(LDFLAGS) -lreadline -lncurses

# bin/trapeze is the program of the normal build; the sanitizer build
# keeps its own copy under $(O).
ifeq ($(O),build)
TRAPEZE = bin/trapeze
else
TRAPEZE = $(O)/bin/trapeze
endif

# --- unit tests (cmocka), each linked with the layers it tests ----------
UNIT_TESTS = test_isa test_asm test_elf test_cpu test_mmu test_devices \
	     test_monitor test_audit test_vmm test_vmx test_hw test_hybrid test_vblk
UNIT_BINS = $(UNIT_TESTS:%=$(O)/tests/%)

$(O)/tests/test_isa: $(O)/tests/unit/test_isa.o $(ISA_OBJS)
$(O)/tests/test_asm: $(O)/tests/unit/test_asm.o $(ISA_OBJS)
$(O)/tests/test_elf: $(O)/tests/unit/test_elf.o $(ISA_OBJS)
$(O)/tests/test_cpu: $(O)/tests/unit/test_cpu.o $(MACHINE_OBJS) $(ISA_OBJS)
$(O)/tests/test_mmu: $(O)/tests/unit/test_mmu.o $(MACHINE_OBJS) $(ISA_OBJS)
$(O)/tests/test_devices: $(O)/tests/unit/test_devices.o $(MACHINE_OBJS) $(ISA_OBJS)
$(O)/tests/test_monitor: $(O)/tests/unit/test_monitor.o $(MACHINE_OBJS) $(ISA_OBJS)
$(O)/tests/test_vmx: $(O)/tests/unit/test_vmx.o $(MACHINE_OBJS) $(ISA_OBJS)
$(O)/tests/test_audit: $(O)/tests/unit/test_audit.o $(O)/tools/audit.o \
		       $(MACHINE_OBJS) $(ISA_OBJS)
$(O)/tests/test_vmm: $(O)/tests/unit/test_vmm.o $(VMM_OBJS) $(MACHINE_OBJS) $(ISA_OBJS)
$(O)/tests/test_hw: $(O)/tests/unit/test_hw.o $(VMM_OBJS) $(MACHINE_OBJS) $(ISA_OBJS)
$(O)/tests/test_hybrid: $(O)/tests/unit/test_hybrid.o $(VMM_OBJS) $(MACHINE_OBJS) $(ISA_OBJS)
$(O)/tests/test_vblk: $(O)/tests/unit/test_vblk.o $(VMM_OBJS) $(MACHINE_OBJS) $(ISA_OBJS)

.PHONY: all demo check check-build unit guest e2e isa-md check-isa-md bench bench-labs \
	install clean

all: $(TRAPEZE) build/guestos.elf build/guestos-pv.elf build/guestos.disk

$(TRAPEZE): $(TOOLS_OBJS) $(DEBUG_OBJS) $(VMM_OBJS) $(MACHINE_OBJS) $(ISA_OBJS)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_DEBUG)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# The interpreter (machine/cpu.c) ends every instruction with its own
# indirect jump, so that the host's branch predictor learns what follows
# each PG32 instruction.  gcc's cross-jumping may merge those jumps into
# one, which cost the earlier interpreter 30% of its MIPS (bench/README.md,
# "What the figure depends on"); clang neither merges them nor knows the
# flag.
NO_CROSSJUMPING := $(shell $(CC) -fno-crossjumping -x c -c -o /dev/null \
		     /dev/null 2>/dev/null && echo -fno-crossjumping)
$(O)/machine/cpu.o: ALL_CFLAGS += $(NO_CROSSJUMPING)

$(UNIT_BINS):
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)

# test_devices makes the devices run out of memory on demand: its own
# malloc and calloc stand in front of the C library's (see the test).
$(O)/tests/test_devices: LDLIBS_CMOCKA += -Wl,--wrap=malloc,--wrap=calloc

# --- the debugger's own suites (tests/debug/): line mode and the TUI
# driven through tmux, the diagrams, and the walkthrough of
# docs/debugger.md reproduced byte for byte.  (Its batch transcripts are
# e2e cases: tests/e2e/cases/debug-*.)
DEBUG_TESTS = line dot tui walkthrough
.PHONY: debug-test
debug-test: $(TRAPEZE)
	@rc=0; for t in $(DEBUG_TESTS); do \
	  tests/debug/$$t.sh $(TRAPEZE) $(O)/debug-test/$$t || rc=1; done; exit $$rc

# --- the guest OS (issue 4) ---------------------------------------------
# build/guestos.elf is the kernel (guestos/guestos.s and what it includes,
# with the generated pg32.inc); build/guestos.disk holds the user programs
# (guestos/user/NAME.s), put on a disk by $(O)/mkdisk (tools/mkdisk.c) in
# GUESTOS_PROGS order: the first gets pid 1.  See guestos/README.md.
#   bin/trapeze run --disk=build/guestos.disk build/guestos.elf
GUESTOS_PROGS = primes ticker heap stack faulty
GUESTOS_USER_ELFS = $(GUESTOS_PROGS:%=$(O)/guestos/%.elf)
GUESTOS_SRCS = $(wildcard guestos/*.s guestos/*.inc guestos/*/priv.inc guestos/*/diskdrv.s) \
	       guestos/user/usys.inc

$(O)/mkdisk: $(O)/tools/mkdisk.o $(O)/isa/elf.o
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^

build/guestos.elf: $(GUESTOS_SRCS) $(TRAPEZE) $(O)/include/pg32.inc
	$(call say,AS,$@)
	$(Q)$(TRAPEZE) as -I guestos/native -I $(O)/include guestos/guestos.s -o $@

# The paravirtualized flavour: the same kernel, pv/priv.inc's macros.
build/guestos-pv.elf: $(GUESTOS_SRCS) $(TRAPEZE) $(O)/include/pg32.inc
	$(call say,AS,$@)
	$(Q)$(TRAPEZE) as -I guestos/pv -I $(O)/include guestos/guestos.s -o $@

$(O)/guestos/%.elf: guestos/user/%.s guestos/user/usys.inc \
		    guestos/user/ulib.inc $(TRAPEZE)
	@mkdir -p $(@D)
	$(call say,AS,$@)
	$(Q)$(TRAPEZE) as $< -o $@

build/guestos.disk: $(O)/mkdisk $(GUESTOS_USER_ELFS)
	$(call say,GEN,$@)
	$(Q)$(O)/mkdisk $@ $(foreach p,$(GUESTOS_PROGS),$(p)=$(O)/guestos/$(p).elf)

# The OS's end-to-end test (tests/e2e-guestos/run.sh) builds its own
# kernel, programs and disks with this build's trapeze and mkdisk.
.PHONY: guestos-test
guestos-test: $(TRAPEZE) $(O)/mkdisk $(O)/include/pg32.inc
	@tests/e2e-guestos/run.sh $(TRAPEZE) $(O)/mkdisk $(O)/include \
	  $(O)/guestos-test

# --- the demo: the guest OS on the bare machine and under the VMM; then
# the x86 problem and its two fixes.
demo: all
	@echo '$$ trapeze run --disk=build/guestos.disk build/guestos.elf'
	@$(TRAPEZE) run --disk=build/guestos.disk build/guestos.elf
	@echo
	@echo '$$ trapeze run --vmm --stats --disk=build/guestos.disk build/guestos.elf 2>&1 | tail -6'
	@$(TRAPEZE) run --vmm --stats --disk=build/guestos.disk build/guestos.elf 2>&1 | tail -6
	@echo
	@echo '$$ trapeze audit --mode=leaky | grep -E "^Theorem [13] (holds|fails)"   # why x86 was hard to virtualize'
	@$(TRAPEZE) audit --mode=leaky | grep -E '^Theorem [13] (holds|fails)' || true
	@echo
	@echo '$$ trapeze run --vmm --mode=leaky --disk=build/guestos.disk build/guestos.elf'
	@$(TRAPEZE) run --vmm --mode=leaky --disk=build/guestos.disk build/guestos.elf || true
	@echo
	@echo '$$ trapeze run --vmm --mode=leaky --patch --disk=build/guestos.disk build/guestos.elf | tail -1'
	@$(TRAPEZE) run --vmm --mode=leaky --patch --disk=build/guestos.disk build/guestos.elf | tail -1
	@echo
	@echo '$$ trapeze run --vmm --mode=leaky --disk=build/guestos.disk build/guestos-pv.elf | tail -1'
	@$(TRAPEZE) run --vmm --mode=leaky --disk=build/guestos.disk build/guestos-pv.elf | tail -1
	@echo
	@echo '$$ trapeze run --vmm --mode=leaky --hybrid --disk=build/guestos.disk build/guestos.elf | tail -1'
	@$(TRAPEZE) run --vmm --mode=leaky --hybrid --disk=build/guestos.disk build/guestos.elf | tail -1
	@echo
	@echo '$$ trapeze run --vmm --mode=leaky --hw --disk=build/guestos.disk build/guestos.elf | tail -1'
	@$(TRAPEZE) run --vmm --mode=leaky --hw --disk=build/guestos.disk build/guestos.elf | tail -1
	@echo
	@echo '$$ printf "next-exit\nnext-exit\nstep-handler\n" | trapeze debug --batch --vmm build/guestos.elf   # one world switch'
	@printf 'next-exit\nnext-exit\nstep-handler\n' | $(TRAPEZE) debug --batch --vmm build/guestos.elf

# --- ISA.md: its tables are generated from isa/isa_table.h -------------
$(O)/gen_isa_md: $(O)/tools/gen_isa_md.o $(ISA_OBJS)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^

isa-md: $(O)/gen_isa_md
	$(O)/gen_isa_md isa/ISA.md > $(O)/ISA.md.new && mv $(O)/ISA.md.new isa/ISA.md

check-isa-md: $(O)/gen_isa_md
	@$(O)/gen_isa_md isa/ISA.md | diff -u isa/ISA.md - \
	  || { echo "isa/ISA.md is out of date: run 'make isa-md'"; exit 1; }
	@echo "isa/ISA.md: tables match isa/isa_table.h"

# --- the tools students expect: manual pages, bash completion, editors ---
# The manual pages (docs/man/) are the `trapeze help` texts as roff
# (tools/gen_man.sh); the editors' syntax files (editors/) are generated
# from the instruction table (tools/gen_editors.c).  Both are committed,
# so they can be read and installed without a build; `make man` and
# `make editors` rewrite them.  check-tools (in `make check`) fails while
# they differ from what the generators make now, or when the bash
# completion (tools/completion.bash, tests/completion.sh), `make install`
# or quickstart.sh (tests/quickstart.sh) misbehaves.
.PHONY: man check-man editors check-editors check-completion check-install \
	check-quickstart check-tools
MAN_PAGES = $(wildcard docs/man/*.1)

man: $(TRAPEZE)
	rm -f docs/man/*.1
	tools/gen_man.sh $(TRAPEZE) docs/man

check-man: $(TRAPEZE)
	@rm -rf $(O)/man && tools/gen_man.sh $(TRAPEZE) $(O)/man
	@diff -ru docs/man $(O)/man \
	  || { echo "docs/man is out of date: run 'make man'"; exit 1; }
	@echo "docs/man: the manual pages match 'trapeze help'"
	@tests/man.sh $(TRAPEZE) docs/man

$(O)/gen_editors: $(O)/tools/gen_editors.o $(ISA_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $^

EDITOR_FILES = editors/vim/syntax/pg32.vim \
	       editors/vscode/syntaxes/pg32.tmLanguage.json
editors: $(O)/gen_editors
	$(O)/gen_editors vim > $(O)/pg32.vim.new
	$(O)/gen_editors textmate > $(O)/pg32.tmLanguage.json.new
	mv $(O)/pg32.vim.new editors/vim/syntax/pg32.vim
	mv $(O)/pg32.tmLanguage.json.new editors/vscode/syntaxes/pg32.tmLanguage.json

check-editors: $(O)/gen_editors
	@rc=0; \
	$(O)/gen_editors vim | diff -u editors/vim/syntax/pg32.vim - || rc=1; \
	$(O)/gen_editors textmate \
	  | diff -u editors/vscode/syntaxes/pg32.tmLanguage.json - || rc=1; \
	if [ $$rc -ne 0 ]; then echo "editors/ is out of date: run 'make editors'"; \
	  exit 1; fi
	@echo "editors/: the syntax files match isa/isa_table.h"
	@tests/editors.sh

check-completion: $(TRAPEZE)
	@tests/completion.sh tools/completion.bash $(TRAPEZE)

# make install into a scratch DESTDIR: every file where it belongs.
check-install: $(TRAPEZE)
	@rm -rf $(O)/install-test
	@$(MAKE) --no-print-directory -s install DESTDIR=$(O)/install-test PREFIX=/usr
	@cd $(O)/install-test/usr && for f in bin/trapeze \
	  share/bash-completion/completions/trapeze \
	  share/vim/vimfiles/syntax/pg32.vim share/vim/vimfiles/ftdetect/pg32.vim \
	  $(MAN_PAGES:docs/man/%=share/man/man1/%); do \
	  test -s $$f || { echo "make install: $$f missing"; exit 1; }; done
	@echo "make install: program, $(words $(MAN_PAGES)) manual pages, completion, Vim files"

# quickstart.sh against stub package managers (tests/quickstart.sh).
check-quickstart:
	@tests/quickstart.sh

check-tools: check-man check-editors check-completion check-install \
	     check-quickstart

# --- tests ----------------------------------------------------------------
check-build: all $(UNIT_BINS) $(O)/diffgen

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

# pg32.inc: the hardware constants for guest programs, generated from the
# headers (tools/gen_pg32_inc.c); guest programs find it with -I $(O)/include.
$(O)/gen_pg32_inc: $(O)/tools/gen_pg32_inc.o
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^

$(O)/include/pg32.inc: $(O)/gen_pg32_inc
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)$(O)/gen_pg32_inc > $@.new && mv $@.new $@

guest: $(TRAPEZE) $(O)/include/pg32.inc
	@tests/guest/run.sh $(TRAPEZE) $(O)/guest

# The isolation suite: adversarial guests, natively, under the VMM and
# next to a neighbour VM; the binary-patching ones on the leaky machine,
# under --patch (tests/guest/attack/run.sh); then all again under the
# hybrid VMM (HYBRID=1: --hybrid, the leaky ones with no patching).
.PHONY: attack
attack: $(TRAPEZE) $(O)/include/pg32.inc
	@tests/guest/attack/run.sh $(TRAPEZE) $(O)/attack
	@HYBRID=1 tests/guest/attack/run.sh $(TRAPEZE) $(O)/attack-hybrid

e2e: $(TRAPEZE)
	@tests/e2e/run.sh $(TRAPEZE) $(O)/e2e

# --- fuzzing (tests/fuzz/): libFuzzer harnesses for the assembler, the
# ELF reader, the bare machine and the VMM.  `make fuzz` builds them with
# clang into build/fuzz/ and runs each for FUZZ_SECONDS on its corpus
# (FUZZ_MERGE=1 keeps new inputs in tests/fuzz/corpus/NAME/; FUZZ=NAME
# runs one; FUZZ_SANITIZE=undefined trades ASan for speed, which the VMM
# harness needs: ASan makes each 1 GiB host RAM cost ~0.1 s).
# fuzz-replay (make check) runs every corpus file once through each
# harness linked with tests/fuzz/replay.c, by $(CC), with sanitizers.
.PHONY: fuzz fuzz-replay
FUZZ ?= asm elf machine vmm
FUZZ_SECONDS ?= 60
FUZZ_MERGE ?= 0
FUZZ_CC ?= clang
FUZZ_SANITIZE ?= address,undefined
FUZZ_SAN = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
FUZZ_HDRS = $(wildcard isa/*.h machine/*.h vmm/*.h tests/fuzz/fuzz.h) tools/commands.h
FUZZ_SRCS_asm = tests/fuzz/fuzz_asm.c $(ISA_SRCS)
FUZZ_SRCS_elf = tests/fuzz/fuzz_elf.c $(ISA_SRCS)
FUZZ_SRCS_machine = tests/fuzz/fuzz_machine.c $(MACHINE_SRCS) $(ISA_SRCS)
FUZZ_SRCS_vmm = tests/fuzz/fuzz_vmm.c tools/lockstep.c $(VMM_SRCS) $(MACHINE_SRCS) $(ISA_SRCS)
# Comparison tracing costs the interpreters 5x and finds little there.
FUZZ_NOCMP = -fno-sanitize-coverage=trace-cmp
FUZZ_BUILD = @mkdir -p $(@D) && $(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L \
	$(WARN) -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all \
	-fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $@ $(filter %.c,$^)
REPLAY_BUILD = @mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) $(FUZZ_SAN) -o $@ \
	$(filter %.c,$^)

build/fuzz/fuzz_asm: $(FUZZ_SRCS_asm) tests/fuzz/fuzz_common.c $(FUZZ_HDRS)
	$(call say,LD,$@)
	$(FUZZ_BUILD)
build/fuzz/fuzz_elf: $(FUZZ_SRCS_elf) tests/fuzz/fuzz_common.c $(FUZZ_HDRS)
	$(call say,LD,$@)
	$(FUZZ_BUILD)
build/fuzz/fuzz_machine: $(FUZZ_SRCS_machine) tests/fuzz/fuzz_common.c $(FUZZ_HDRS)
	$(call say,LD,$@)
	$(FUZZ_BUILD) $(FUZZ_NOCMP)
build/fuzz/fuzz_vmm: $(FUZZ_SRCS_vmm) tests/fuzz/fuzz_common.c $(FUZZ_HDRS)
	$(call say,LD,$@)
	$(FUZZ_BUILD) $(FUZZ_NOCMP)

fuzz: $(FUZZ:%=build/fuzz/fuzz_%)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_MERGE) $(FUZZ)

# What each corpus covers of its harness's target code (clang source-based
# coverage; tests/fuzz/cov.sh).  FUZZ_CORPUS=build/fuzz/corpus- measures a
# campaign's scratch corpora instead of the committed ones.
.PHONY: fuzz-cov
fuzz-cov:
	@tests/fuzz/cov.sh build/fuzz-cov $(FUZZ_CORPUS)

$(O)/fuzz/replay_asm: $(FUZZ_SRCS_asm) tests/fuzz/fuzz_common.c tests/fuzz/replay.c $(FUZZ_HDRS)
	$(call say,LD,$@)
	$(REPLAY_BUILD)
$(O)/fuzz/replay_elf: $(FUZZ_SRCS_elf) tests/fuzz/fuzz_common.c tests/fuzz/replay.c $(FUZZ_HDRS)
	$(call say,LD,$@)
	$(REPLAY_BUILD)
$(O)/fuzz/replay_machine: $(FUZZ_SRCS_machine) tests/fuzz/fuzz_common.c tests/fuzz/replay.c $(FUZZ_HDRS)
	$(call say,LD,$@)
	$(REPLAY_BUILD)
$(O)/fuzz/replay_vmm: $(FUZZ_SRCS_vmm) tests/fuzz/fuzz_common.c tests/fuzz/replay.c $(FUZZ_HDRS)
	$(call say,LD,$@)
	$(REPLAY_BUILD)

# Seeds for the machine and VMM harnesses from ELF images (gather.sh).
$(O)/fuzz/mkseed: tests/fuzz/mkseed.c isa/elf.c isa/elf.h
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^)

fuzz-replay: $(O)/fuzz/replay_asm $(O)/fuzz/replay_elf $(O)/fuzz/replay_machine \
	     $(O)/fuzz/replay_vmm
	@tests/fuzz/replay.sh $(O)/fuzz

# Differential testing (tests/gen/): random programs from $(O)/diffgen,
# each run bare and under the VMM, must print the same.  `make check`
# runs seeds 1-800 in the normal build and 801-1000 in the sanitizer
# build; `make fuzz-diff N=100000 FIRST=1000000` runs more
# (GEN_FLAG=--large: of the large programs).
$(O)/diffgen: $(O)/tests/gen/gen.o $(ISA_OBJS)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^

.PHONY: diff-test fuzz-diff patch-regression
# REGRESSION_SEEDS: seeds that once failed, run in both builds.
# 3057840: the generator set EPC with interrupts on, and livelocked.
REGRESSION_SEEDS = 3057840
# Large programs (diffgen --large; tests/gen/gen.c, "large programs"),
# made to find the bounds of binary patching: seeds 1-32 in the normal
# build, 33-48 in the sanitizer build, both pairs (clean, and leaky with
# --patch).  The hybrid VMM (HYBRID=1, both pairs with --hybrid) runs a
# representative subset: random seeds 1-200 and large 1-16 in the normal
# build, 801-850 and 33-40 in the sanitizer build (about 25 s).
# PATCH_REGRESSION_SEEDS: FLAG:SEED of large programs whose leaky pair
# the execution-driven patcher (before whole-page scanning) failed, by
# what they need: fans of over 1024 pending branches, whose dropped
# targets ran unscanned (--large=fan); main-line code reached only by
# `ret` (--large=pad); a page remapped, then entered where code scanned
# before the remap jumps (--large=enter,remap,copy); a patched page
# remapped to an identical copy with no flush, its hcall served as a
# hypercall (--large=stale); and two programs of every kind (--large).
# diff-test runs them in the normal build (make patch-regression alone).
PATCH_REGRESSION_SEEDS = --large=fan:1 --large=fan:3 --large=fan:4 \
	--large=pad:1 --large=pad:2 --large=enter,remap,copy:1 \
	--large=enter,remap,copy:5 --large=enter,remap,copy:10 \
	--large=stale:1 --large=stale:3 --large=stale:6 --large:1 --large:2
diff-test: $(TRAPEZE) $(O)/diffgen
	@echo "diff: random programs, seeds $(if $(SAN),801-1000 (1-800: the normal build),1-800 (801-1000: the sanitizer build))"
	@tests/gen/run.sh $(TRAPEZE) $(O)/diffgen $(O)/diff \
	  $(if $(SAN),801 200,1 800)
	@echo "diff-regression: seeds that once failed: $(REGRESSION_SEEDS)"
	@for s in $(REGRESSION_SEEDS); do \
	  DIFF_LABEL=diff-regression \
	  tests/gen/run.sh $(TRAPEZE) $(O)/diffgen $(O)/diff-regression $$s 1 \
	  || exit 1; done
	@echo "diff-hw: random programs under --hw and --hw=shadow, clean and leaky, seeds $(if $(SAN),801-824,1-96)"
	@PAIRS="hw-clean hw-leaky shadow-clean shadow-leaky" DIFF_LABEL=diff-hw \
	  tests/gen/run.sh $(TRAPEZE) $(O)/diffgen $(O)/diff-hw $(if $(SAN),801 24,1 96)
	@echo "diff-large: large programs (diffgen --large), seeds $(if $(SAN),33-48,1-32)"
	@DIFF_LABEL=diff-large tests/gen/run.sh $(TRAPEZE) $(O)/diffgen \
	  $(O)/diff-large $(if $(SAN),33 16,1 32) --large
	@echo "diff-hybrid: the hybrid VMM (--hybrid), clean and leaky: random programs $(if $(SAN),801-850,1-200), large $(if $(SAN),33-40,1-16)"
	@HYBRID=1 DIFF_LABEL=diff-hybrid tests/gen/run.sh $(TRAPEZE) \
	  $(O)/diffgen $(O)/diff-hybrid $(if $(SAN),801 50,1 200)
	@HYBRID=1 DIFF_LABEL=diff-hybrid-large tests/gen/run.sh $(TRAPEZE) \
	  $(O)/diffgen $(O)/diff-hybrid-large $(if $(SAN),33 8,1 16) --large
	@$(if $(SAN),,$(MAKE) --no-print-directory patch-regression)

patch-regression: $(TRAPEZE) $(O)/diffgen
	@echo "patch-regression: large programs the execution-driven patcher failed"
	@rc=0; for fs in $(PATCH_REGRESSION_SEEDS); do \
	  d=$(O)/patch-regression/$$(printf %s "$$fs" | tr -c 'a-z0-9' _); \
	  DIFF_LABEL=patch-regression tests/gen/run.sh $(TRAPEZE) $(O)/diffgen "$$d" \
	    "$${fs##*:}" 1 "$${fs%:*}" || rc=1; done; exit $$rc

N ?= 1000
FIRST ?= 1000000
GEN_FLAG ?=
fuzz-diff: $(TRAPEZE) $(O)/diffgen
	@tests/gen/run.sh $(TRAPEZE) $(O)/diffgen $(O)/fuzz-diff $(FIRST) $(N) \
	  $(GEN_FLAG)

# --- the examples and the course notes (examples/, course-notes/) ---------
# examples-test: every rung of examples/ natively and under the VMM, and
# 08-sensitive.s in its four modes, each against examples/expected/.
# check-notes: the checker's own tests (tests/notes.sh), then every
# checked command block of course-notes/*.md and examples/README.md
# reproduced byte for byte (tools/check-notes.sh), then the figures of
# course-notes/figures/ compared with what `make notes` makes now
# (tools/check-figures.sh: the graphviz sources always, the SVGs when the
# same graphviz made them).  `make notes` rewrites the figures.
.PHONY: examples-test check-notes notes
NOTES_MD = $(sort $(wildcard course-notes/*.md)) examples/README.md
examples-test: $(TRAPEZE) $(O)/include/pg32.inc
	@tests/examples.sh $(TRAPEZE) $(O)/include

check-notes: all $(O)/include/pg32.inc
	@rc=0; tests/notes.sh $(TRAPEZE) || rc=1; \
	tools/check-notes.sh $(TRAPEZE) $(NOTES_MD) || rc=1; \
	tools/check-figures.sh $(TRAPEZE) $(O)/include $(O)/notes-figures || rc=1; \
	exit $$rc

notes: $(TRAPEZE) $(O)/include/pg32.inc
	course-notes/figures/make.sh $(TRAPEZE) $(O)/include course-notes/figures

# --- labs (labs/README.md, the instructor's guide) ------------------------
# make handout LAB=N   build/handout/labN/ and labN.tar.gz: the project with
#                      lab N's solution regions replaced by their stubs
# make grade LAB=N     lab N's tests, scored; build/grade/labN/results.json
# make check-labs      each lab: its handout builds and scores at most 10%,
#                      the reference scores 100% (labs/check.sh)
# make grade-mutants LAB=N   delete each statement of lab N's solution in
#                      turn: which do the tests catch? (labs/mutants.sh)
# make autograder LAB=N  build/autograder/labN.zip for Gradescope
# make classroom LAB=N   build/classroom/labN/: a GitHub Classroom starter
.PHONY: handout grade check-labs grade-mutants autograder classroom
LAB ?=
handout:
	@labs/cut.sh "$(LAB)" build/handout

grade-mutants:
	@MAKE="$(MAKE)" labs/mutants.sh "$(LAB)"

autograder:
	@labs/autograder.sh "$(LAB)"

classroom:
	@labs/classroom.sh "$(LAB)"

grade:
	@MAKE="$(MAKE)" labs/grade.sh "$(LAB)"

check-labs:
	@MAKE="$(MAKE)" labs/check.sh

# The whole suite: build both flavours, then tests/check.sh runs every
# suite in each and ends with the total, "check: N passed, M failed".
check:
	$(MAKE) check-build
	$(MAKE) O=build/asan SAN=1 CFLAGS="-O1 -g" check-build
	@MAKE="$(MAKE)" tests/check.sh

# What grading each lab costs (bench/labs.sh): apart, since it grades
# every lab four times and builds every handout (a few minutes).
bench-labs: all $(O)/tests/test_vmm $(O)/include/pg32.inc
	@bench/labs.sh

bench: $(TRAPEZE) build/guestos.elf build/guestos-pv.elf build/guestos.disk $(O)/include/pg32.inc
	@bench/run.sh $(TRAPEZE)
	@bench/vmm.sh $(TRAPEZE) build/guestos.elf build/guestos.disk
	@bench/compare.sh $(TRAPEZE) $(O)/include build/guestos.elf build/guestos-pv.elf build/guestos.disk
	@bench/hybrid.sh $(TRAPEZE) build/guestos.elf build/guestos.disk
	@bench/debug.sh $(TRAPEZE) build/guestos.elf build/guestos.disk
	@bench/vms.sh $(TRAPEZE) build/guestos.elf build/guestos.disk tests/e2e-guestos/expected.out
	@bench/hw.sh $(TRAPEZE) build/guestos.elf build/guestos.disk
	@bench/vblk.sh $(TRAPEZE) $(O)/include

# Beside the program: the manual pages, the bash completion (where
# bash-completion looks for it: loaded on the first Tab after `trapeze`)
# and the Vim syntax files.  The VS Code extension (editors/vscode/) is
# installed by copying its folder: see editors/README.md.
install: $(TRAPEZE)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(TRAPEZE) $(DESTDIR)$(PREFIX)/bin/trapeze
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 tools/completion.bash \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/trapeze
	install -d $(DESTDIR)$(PREFIX)/share/vim/vimfiles/syntax \
	  $(DESTDIR)$(PREFIX)/share/vim/vimfiles/ftdetect
	install -m 644 editors/vim/syntax/pg32.vim \
	  $(DESTDIR)$(PREFIX)/share/vim/vimfiles/syntax/
	install -m 644 editors/vim/ftdetect/pg32.vim \
	  $(DESTDIR)$(PREFIX)/share/vim/vimfiles/ftdetect/

clean:
	rm -rf build bin

-include $(shell find $(O) -name '*.d' 2>/dev/null)
