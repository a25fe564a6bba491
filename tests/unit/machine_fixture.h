/*
 * machine_fixture.h - a small test bench for the bare machine, shared by
 * test_cpu.c, test_mmu.c and test_monitor.c.  Static inline helpers only.
 *
 * A test makes a machine, writes a few PG32 instructions into its RAM with
 * the emit_*() helpers (each encoded by isa_encode, so the tests and the
 * assembler agree on one encoder), sets registers from the host, runs, and
 * checks the architectural state.  The memory map of the fixture (RAM is
 * FIX_RAM_SIZE = 1 MiB; nothing answers between its end and the devices
 * at 0xF0000000):
 *
 *   0x00001000  FIX_CODE     supervisor test code; pc starts here
 *   0x00008000  FIX_HANDLER  the trap handler (TVEC): halts the machine
 *   0x00010000  FIX_DATA     data the tests load and store
 *   0x00020000  FIX_USER     code the tests run in user mode
 *   0x00040000  FIX_PT       page tables built by pt_map() (FIX_PT_PAGES)
 *   0x00080000  FIX_FREE     free frames for tests
 *   0x00100000  FIX_RAM_SIZE end of RAM
 *
 * The trap handler.  TVEC = FIX_HANDLER, where the fixture puts
 *
 *      lui  t3, 0xf001            # t3 = 0xf0010000
 *      sw   zero, -0x1000(t3)     # test device EXIT (0xf000f000) <- 0
 *
 * Writing EXIT halts the machine, so a program that traps ends mach_run()
 * with MACH_STOP_HALT and pc = FIX_HANDLER + 8, leaving EPC, EPSW, CAUSE and
 * BADVA for the test to read.  The handler clobbers t3 and nothing else.
 * A program that reaches its end halts the same way from its own code
 * (emit_done()), at another pc: that is how fix_run_to_done() tells "ran to
 * the end" from "trapped".
 *
 * Two ways to run:
 *   fix_run_to_trap / fix_run_to_done   whole programs, through mach_run()
 *   fix_step / fix_step_trap            exactly one instruction, through
 *                                       mach_step(); a trapping instruction
 *                                       leaves pc = TVEC without running the
 *                                       handler, so one machine can take
 *                                       many traps in one test.
 */
#ifndef TRAPEZE_MACHINE_FIXTURE_H
#define TRAPEZE_MACHINE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../isa/isa.h"
#include "../../machine/machine.h"

#define FIX_RAM_SIZE 0x00100000u
#define FIX_CODE 0x00001000u
#define FIX_HANDLER 0x00008000u
#define FIX_DATA 0x00010000u
#define FIX_USER 0x00020000u
#define FIX_PT 0x00040000u
#define FIX_PT_PAGES 16u
#define FIX_FREE 0x00080000u
#define FIX_BUDGET 1000000u /* cycles: every test program is far shorter */

/* Register numbers by their ABI names (isa/ISA.md section 2). */
enum fix_reg {
	R_ZERO, R_RA, R_SP, R_GP,
	R_A0, R_A1, R_A2, R_A3,
	R_T0, R_T1, R_T2, R_T3,
	R_S0, R_S1, R_S2, R_S3,
};

struct fix {
	struct machine *m;
	struct cpu *cpu;  /* mach_cpu(m): registers, pc, control registers */
	uint32_t at;      /* where the next emit_*() puts its instruction */
	uint32_t done;    /* pc after the last emit_done(), 0 if none */
	uint32_t pt_next; /* next free page-table frame for pt_map() */
	char out[512];    /* console output, captured */
	size_t outlen;
};

/* ---- making and freeing ------------------------------------------------- */

static inline void fix_output(void *ctx, uint8_t byte)
{
	struct fix *f = ctx;
	if (f->outlen + 1 < sizeof f->out)
		f->out[f->outlen++] = (char)byte;
}

static inline uint32_t fix_encode(unsigned op, unsigned rd, unsigned rs1,
				  unsigned rs2, int32_t imm)
{
	struct isa_insn in = {.op = (uint8_t)op, .rd = (uint8_t)rd,
			      .rs1 = (uint8_t)rs1, .rs2 = (uint8_t)rs2,
			      .imm = imm};
	uint32_t word = 0;
	if (!isa_encode(&in, &word)) {
		const struct isa_opinfo *info = isa_info(op);
		fail_msg("cannot encode %s rd=%u rs1=%u rs2=%u imm=%d",
			 info ? info->mnemonic : "?", rd, rs1, rs2, (int)imm);
	}
	return word;
}

static inline void fix_poke32(struct fix *f, uint32_t pa, uint32_t value)
{
	uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8),
			(uint8_t)(value >> 16), (uint8_t)(value >> 24)};
	assert_true(mach_phys_write(f->m, pa, b, 4));
}

static inline uint32_t fix_peek32(struct fix *f, uint32_t pa)
{
	uint8_t b[4];
	assert_true(mach_phys_read(f->m, pa, b, 4));
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint8_t fix_peek8(struct fix *f, uint32_t pa)
{
	uint8_t b;
	assert_true(mach_phys_read(f->m, pa, &b, 1));
	return b;
}

/*
 * Makes a machine with cfg (ram_size 0 means FIX_RAM_SIZE), the trap
 * handler at FIX_HANDLER, TVEC pointing at it, pc = FIX_CODE and the
 * console captured into f->out.  Returns the fixture (never NULL: a
 * failure fails the test).
 */
static inline struct fix *fix_new(struct mach_config cfg)
{
	if (cfg.ram_size == 0)
		cfg.ram_size = FIX_RAM_SIZE;
	struct machine *m = mach_new(&cfg);
	assert_non_null(m);
	struct fix *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->m = m;
	f->cpu = mach_cpu(f->m);
	dev_console_set_output(mach_console(f->m), fix_output, f);

	fix_poke32(f, FIX_HANDLER, fix_encode(OP_LUI, R_T3, 0, 0, 0xf001));
	fix_poke32(f, FIX_HANDLER + 4,
		   fix_encode(OP_SW, 0, R_T3, R_ZERO, -0x1000));
	mach_set_cr(f->m, CR_TVEC, FIX_HANDLER);
	f->cpu->pc = FIX_CODE;
	f->at = FIX_CODE;
	f->pt_next = FIX_PT + PAGE_SIZE;
	return f;
}

static inline void fix_free(struct fix *f)
{
	if (f) {
		mach_free(f->m);
		free(f);
	}
}

/* cmocka setup and teardown: *state is a struct fix. */
static inline int fix_setup(void **state)
{
	*state = fix_new((struct mach_config){0});
	return 0;
}

static inline int fix_setup_leaky(void **state)
{
	*state = fix_new((struct mach_config){.leaky = true});
	return 0;
}

static inline int fix_setup_monitor(void **state)
{
	*state = fix_new((struct mach_config){.monitor = true});
	return 0;
}

static inline int fix_teardown(void **state)
{
	fix_free(*state);
	return 0;
}

/* ---- writing code -------------------------------------------------------- */

/* Puts word at f->at and moves on.  Returns the word's address. */
static inline uint32_t emit_word(struct fix *f, uint32_t word)
{
	uint32_t addr = f->at;
	fix_poke32(f, addr, word);
	f->at += 4;
	return addr;
}

/*
 * Emits one instruction, with the fields of struct isa_insn: for stores
 * rs2 is the data and rs1 the base; for branches and jal imm is a byte
 * offset from the instruction itself.  Returns its address.
 */
static inline uint32_t emit(struct fix *f, unsigned op, unsigned rd,
			    unsigned rs1, unsigned rs2, int32_t imm)
{
	return emit_word(f, fix_encode(op, rd, rs1, rs2, imm));
}

/* op rd, rs1, rs2 */
static inline uint32_t emit_r(struct fix *f, unsigned op, unsigned rd,
			      unsigned rs1, unsigned rs2)
{
	return emit(f, op, rd, rs1, rs2, 0);
}

/* op rd, rs1, imm (addi ... srai, also jalr rd, imm(rs1)) */
static inline uint32_t emit_i(struct fix *f, unsigned op, unsigned rd,
			      unsigned rs1, int32_t imm)
{
	return emit(f, op, rd, rs1, 0, imm);
}

/* lw/lh/lhu/lb/lbu rd, off(base) */
static inline uint32_t emit_load(struct fix *f, unsigned op, unsigned rd,
				 int32_t off, unsigned base)
{
	return emit(f, op, rd, base, 0, off);
}

/* sw/sh/sb src, off(base) */
static inline uint32_t emit_store(struct fix *f, unsigned op, unsigned src,
				  int32_t off, unsigned base)
{
	return emit(f, op, 0, base, src, off);
}

/* beq ... bgeu rs1, rs2, target (an absolute address) */
static inline uint32_t emit_branch(struct fix *f, unsigned op, unsigned rs1,
				   unsigned rs2, uint32_t target)
{
	return emit(f, op, 0, rs1, rs2, (int32_t)(target - f->at));
}

/* jal rd, target (an absolute address) */
static inline uint32_t emit_jal(struct fix *f, unsigned rd, uint32_t target)
{
	return emit(f, OP_JAL, rd, 0, 0, (int32_t)(target - f->at));
}

/* Instructions without operands: syscall break hcall rfe tlbflush wfi. */
static inline uint32_t emit_op(struct fix *f, unsigned op)
{
	return emit(f, op, 0, 0, 0, 0);
}

static inline uint32_t emit_mfcr(struct fix *f, unsigned rd, unsigned cr)
{
	return emit(f, OP_MFCR, rd, 0, 0, (int32_t)cr);
}

static inline uint32_t emit_mtcr(struct fix *f, unsigned cr, unsigned rs)
{
	return emit(f, OP_MTCR, 0, rs, 0, (int32_t)cr);
}

/* li rd, value as lui + ori: always two instructions, so layouts are
 * predictable.  Returns the address of the first. */
static inline uint32_t emit_li(struct fix *f, unsigned rd, uint32_t value)
{
	uint32_t addr = emit(f, OP_LUI, rd, 0, 0, (int32_t)(value >> 16));
	emit(f, OP_ORI, rd, rd, 0, (int32_t)(value & 0xffff));
	return addr;
}

/* A loop that burns about 2 * n cycles: reg = n; do reg-- while reg. */
static inline void emit_spin(struct fix *f, unsigned reg, uint32_t n)
{
	emit_li(f, reg, n);
	uint32_t loop = emit_i(f, OP_ADDI, reg, reg, -1);
	emit_branch(f, OP_BNE, reg, R_ZERO, loop);
}

/* The end of a program: halt through the test device (clobbers t3). */
static inline uint32_t emit_done(struct fix *f)
{
	uint32_t addr = emit(f, OP_LUI, R_T3, 0, 0, 0xf001);
	emit_store(f, OP_SW, R_ZERO, -0x1000, R_T3);
	f->done = f->at;
	return addr;
}

/* ---- running -------------------------------------------------------------- */

static inline const char *fix_cause_name(uint32_t cause)
{
	const char *name = isa_cause_name(cause);
	return name ? name : "?";
}

/* Says what the machine did instead of what the test expected. */
static inline void fix_explain(struct fix *f, enum mach_stop stop,
			       const char *expected)
{
	struct cpu *c = f->cpu;
	fail_msg("expected %s; the run stopped with %s at pc 0x%08x "
		 "(CAUSE 0x%08x %s, EPC 0x%08x, BADVA 0x%08x)",
		 expected, mach_stop_name(stop), c->pc, c->cr[CR_CAUSE],
		 fix_cause_name(c->cr[CR_CAUSE]), c->cr[CR_EPC],
		 c->cr[CR_BADVA]);
}

/* Runs until the trap handler halts the machine.  Returns CAUSE. */
static inline uint32_t fix_run_to_trap(struct fix *f)
{
	enum mach_stop stop = mach_run(f->m, FIX_BUDGET);
	if (stop != MACH_STOP_HALT || f->cpu->pc != FIX_HANDLER + 8)
		fix_explain(f, stop, "a trap into the handler");
	return f->cpu->cr[CR_CAUSE];
}

/* Runs until the program halts at its emit_done(), with no trap. */
static inline void fix_run_to_done(struct fix *f)
{
	enum mach_stop stop = mach_run(f->m, FIX_BUDGET);
	if (stop != MACH_STOP_HALT || f->cpu->pc != f->done)
		fix_explain(f, stop, "the program to run to its end");
}

/* Runs expecting exactly the stop `want` (pc is not checked). */
static inline void fix_run_expect(struct fix *f, uint64_t budget,
				  enum mach_stop want)
{
	enum mach_stop stop = mach_run(f->m, budget);
	if (stop != want)
		fix_explain(f, stop, mach_stop_name(want));
}

/* Executes the one instruction at pc, which must complete (pc + 4). */
static inline void fix_step(struct fix *f)
{
	uint32_t pc = f->cpu->pc;
	mach_step(f->m);
	if (f->cpu->pc != pc + 4)
		fail_msg("the instruction at 0x%08x did not complete: pc is "
			 "0x%08x (CAUSE 0x%08x %s, EPC 0x%08x)",
			 pc, f->cpu->pc, f->cpu->cr[CR_CAUSE],
			 fix_cause_name(f->cpu->cr[CR_CAUSE]),
			 f->cpu->cr[CR_EPC]);
}

/* Executes the one instruction at pc, which must trap: pc lands on TVEC
 * and EPC on the instruction.  Returns CAUSE. */
static inline uint32_t fix_step_trap(struct fix *f)
{
	uint32_t pc = f->cpu->pc;
	mach_step(f->m);
	if (f->cpu->pc != f->cpu->cr[CR_TVEC] || f->cpu->cr[CR_EPC] != pc)
		fail_msg("the instruction at 0x%08x did not trap: pc is "
			 "0x%08x, EPC 0x%08x", pc, f->cpu->pc,
			 f->cpu->cr[CR_EPC]);
	return f->cpu->cr[CR_CAUSE];
}

/* ---- page tables ------------------------------------------------------------
 *
 * PTBR = FIX_PT, the root table; leaf tables are taken from the frames
 * after it.  A root entry is a pointer (V only) to a leaf table; a leaf
 * maps one 4 KiB page: frame | flags | V.
 */

static inline void pt_init(struct fix *f)
{
	mach_set_cr(f->m, CR_PTBR, FIX_PT);
}

/* Physical address of the root entry that covers va. */
static inline uint32_t pt_root_entry(uint32_t va)
{
	return FIX_PT + (va >> 22) * 4;
}

/* Physical address of the leaf entry for va; makes the leaf table (and
 * the root entry pointing to it) if there is none yet. */
static inline uint32_t pt_leaf_entry(struct fix *f, uint32_t va)
{
	uint32_t root = fix_peek32(f, pt_root_entry(va));
	if (!(root & PTE_V)) {
		assert_true(f->pt_next < FIX_PT + FIX_PT_PAGES * PAGE_SIZE);
		root = f->pt_next | PTE_V;
		f->pt_next += PAGE_SIZE;
		fix_poke32(f, pt_root_entry(va), root);
	}
	return (root & PTE_FRAME_MASK) + ((va >> PAGE_SHIFT) & 0x3ff) * 4;
}

/* Maps the page holding va to the frame holding pa, with flags (PTE_R,
 * PTE_W, PTE_X, PTE_U...; V is added). */
static inline void pt_map(struct fix *f, uint32_t va, uint32_t pa,
			  uint32_t flags)
{
	fix_poke32(f, pt_leaf_entry(f, va), (pa & PTE_FRAME_MASK) | flags | PTE_V);
}

/* The leaf PTE of va as it is in memory now. */
static inline uint32_t pt_pte(struct fix *f, uint32_t va)
{
	return fix_peek32(f, pt_leaf_entry(f, va));
}

/*
 * The kernel's address space: the identity map of code, handler and data
 * (FIX_CODE up to FIX_USER) and of the page tables, supervisor-only and
 * R|W|X; and the console, timer and test device pages, R|W.  Sets PTBR.
 * The tests add user pages with pt_map().
 */
static inline void pt_map_kernel(struct fix *f)
{
	pt_init(f);
	for (uint32_t pa = FIX_CODE; pa < FIX_USER; pa += PAGE_SIZE)
		pt_map(f, pa, pa, PTE_R | PTE_W | PTE_X);
	for (uint32_t pa = FIX_PT; pa < FIX_PT + FIX_PT_PAGES * PAGE_SIZE;
	     pa += PAGE_SIZE)
		pt_map(f, pa, pa, PTE_R | PTE_W);
	pt_map(f, DEV_CONSOLE_BASE, DEV_CONSOLE_BASE, PTE_R | PTE_W);
	pt_map(f, DEV_TIMER_BASE, DEV_TIMER_BASE, PTE_R | PTE_W);
	pt_map(f, DEV_TEST_BASE, DEV_TEST_BASE, PTE_R | PTE_W);
}

#endif
