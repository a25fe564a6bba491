/*
 * test_cpu.c - the PG32 interpreter on the bare machine (native mode,
 * paging off): every instruction's semantics at its edge values, traps and
 * trap entry, privilege and the clean/leaky sensitive instructions, control
 * registers, the cycle clock and cost model, the CPU's view of devices,
 * interrupts, run budgets, breakpoints, determinism and self-modifying code.
 *
 * Each test states one rule of isa/ISA.md (the PG32 reference manual) in
 * its name.  The bench is machine_fixture.h: instructions are encoded with
 * isa_encode, written at FIX_CODE, and run with mach_step (one instruction)
 * or mach_run (a program, ending in the halting trap handler or in
 * emit_done).  Register values are mostly set from the host, so that a test
 * shows the one instruction it is about.
 *
 * What the three machine tests (test_cpu, test_mmu, test_monitor) assume
 * beyond the contract, so that whoever changes the machine knows:
 *  - The fixture's trap handler at TVEC = 0x8000 is `lui t3, 0xf001;
 *    sw zero, -0x1000(t3)`: a trap halts the machine with pc = 0x8008 and
 *    clobbers t3.  A program's own end (emit_done) halts at another pc.
 *  - mach_step() executes exactly one instruction, as machine.h says, also
 *    when the fetch misses the TLB (test_mmu checks this on its own).
 *  - The TLB keeps an entry until it is flushed or invalidated (or evicted
 *    by a page in the same slot: the TLB tests use VAs whose slots no other
 *    page of the test uses).
 *  - Cycle counts are asserted only through the documented cost table
 *    (mach_cost), never as absolute numbers.
 */
#include "machine_fixture.h"

/* ---- helpers ------------------------------------------------------------------ */

/* Executes `op a0, a1, a2` with a1 = a, a2 = b.  Returns a0. */
static uint32_t exec_rr(struct fix *f, unsigned op, uint32_t a, uint32_t b)
{
	f->cpu->pc = emit_r(f, op, R_A0, R_A1, R_A2);
	f->cpu->x[R_A1] = a;
	f->cpu->x[R_A2] = b;
	fix_step(f);
	return f->cpu->x[R_A0];
}

/* Executes `op a0, a1, imm` with a1 = a.  Returns a0. */
static uint32_t exec_ri(struct fix *f, unsigned op, uint32_t a, int32_t imm)
{
	f->cpu->pc = emit_i(f, op, R_A0, R_A1, imm);
	f->cpu->x[R_A1] = a;
	fix_step(f);
	return f->cpu->x[R_A0];
}

/* Executes the load `op a0, off(a1)` with a1 = base.  Returns a0. */
static uint32_t exec_load(struct fix *f, unsigned op, uint32_t base,
			  int32_t off)
{
	f->cpu->pc = emit_load(f, op, R_A0, off, R_A1);
	f->cpu->x[R_A1] = base;
	fix_step(f);
	return f->cpu->x[R_A0];
}

/* Executes the store `op a2, off(a1)` with a1 = base, a2 = value. */
static void exec_store(struct fix *f, unsigned op, uint32_t base, int32_t off,
		       uint32_t value)
{
	f->cpu->pc = emit_store(f, op, R_A2, off, R_A1);
	f->cpu->x[R_A1] = base;
	f->cpu->x[R_A2] = value;
	fix_step(f);
}

/* Runs user code at FIX_USER: rfe from FIX_CODE with EPSW = psw. */
static void enter_user(struct fix *f, uint32_t psw)
{
	mach_set_cr(f->m, CR_EPSW, psw);
	mach_set_cr(f->m, CR_EPC, FIX_USER);
	f->at = FIX_CODE;
	emit_op(f, OP_RFE);
	f->cpu->pc = FIX_CODE;
	f->at = FIX_USER;
}

/* ---- ALU, register-register ------------------------------------------------------ */

static void test_add_sub_wrap_around(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_rr(f, OP_ADD, 0xffffffffu, 1), 0);
	assert_int_equal(exec_rr(f, OP_ADD, 0x7fffffffu, 1), 0x80000000u);
	assert_int_equal(exec_rr(f, OP_ADD, 0x80000000u, 0x80000000u), 0);
	assert_int_equal(exec_rr(f, OP_SUB, 0, 1), 0xffffffffu);
	assert_int_equal(exec_rr(f, OP_SUB, 0x80000000u, 1), 0x7fffffffu);
	assert_int_equal(exec_rr(f, OP_SUB, 5, 7), 0xfffffffeu);
}

static void test_and_or_xor(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_rr(f, OP_AND, 0xf0f0f0f0u, 0xff00ff00u), 0xf000f000u);
	assert_int_equal(exec_rr(f, OP_OR, 0xf0f0f0f0u, 0xff00ff00u), 0xfff0fff0u);
	assert_int_equal(exec_rr(f, OP_XOR, 0xf0f0f0f0u, 0xff00ff00u), 0x0ff00ff0u);
	assert_int_equal(exec_rr(f, OP_XOR, 0x12345678u, 0x12345678u), 0);
}

/* Shifts by a register use its low 5 bits: 32 shifts by 0, 33 by 1. */
static void test_register_shifts_use_low_five_bits(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_rr(f, OP_SLL, 1, 31), 0x80000000u);
	assert_int_equal(exec_rr(f, OP_SLL, 1, 32), 1);
	assert_int_equal(exec_rr(f, OP_SLL, 1, 33), 2);
	assert_int_equal(exec_rr(f, OP_SLL, 0x12345678u, 0xffffffe4u), 0x23456780u);
	assert_int_equal(exec_rr(f, OP_SRL, 0x80000000u, 31), 1);
	assert_int_equal(exec_rr(f, OP_SRL, 0x80000000u, 32), 0x80000000u);
	assert_int_equal(exec_rr(f, OP_SRL, 0x80000000u, 33), 0x40000000u);
	assert_int_equal(exec_rr(f, OP_SRA, 0x80000000u, 31), 0xffffffffu);
	assert_int_equal(exec_rr(f, OP_SRA, 0x80000000u, 32), 0x80000000u);
	assert_int_equal(exec_rr(f, OP_SRA, 0x80000000u, 33), 0xc0000000u);
	assert_int_equal(exec_rr(f, OP_SRA, 0x40000000u, 30), 1);
}

static void test_slt_signed_sltu_unsigned(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_rr(f, OP_SLT, 0xffffffffu, 1), 1);  /* -1 < 1 */
	assert_int_equal(exec_rr(f, OP_SLTU, 0xffffffffu, 1), 0); /* max > 1 */
	assert_int_equal(exec_rr(f, OP_SLT, 1, 0xffffffffu), 0);
	assert_int_equal(exec_rr(f, OP_SLTU, 1, 0xffffffffu), 1);
	assert_int_equal(exec_rr(f, OP_SLT, 0x80000000u, 0x7fffffffu), 1);
	assert_int_equal(exec_rr(f, OP_SLTU, 0x80000000u, 0x7fffffffu), 0);
	assert_int_equal(exec_rr(f, OP_SLT, 7, 7), 0);
	assert_int_equal(exec_rr(f, OP_SLTU, 7, 7), 0);
}

static void test_mul_low_bits_mulhu_high_bits(void **state)
{
	struct fix *f = *state;
	/* 0xffffffff^2 = 0xfffffffe_00000001 */
	assert_int_equal(exec_rr(f, OP_MUL, 0xffffffffu, 0xffffffffu), 1);
	assert_int_equal(exec_rr(f, OP_MULHU, 0xffffffffu, 0xffffffffu), 0xfffffffeu);
	assert_int_equal(exec_rr(f, OP_MUL, 0x10000u, 0x10000u), 0);
	assert_int_equal(exec_rr(f, OP_MULHU, 0x10000u, 0x10000u), 1);
	assert_int_equal(exec_rr(f, OP_MUL, (uint32_t)-3, 5), (uint32_t)-15);
	assert_int_equal(exec_rr(f, OP_MULHU, 0x80000000u, 2), 1);
	assert_int_equal(exec_rr(f, OP_MULHU, 3, 5), 0);
}

/* div and rem truncate toward zero, as C does: the remainder takes the
 * sign of the dividend. */
static void test_div_rem_truncate_toward_zero(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_rr(f, OP_DIV, (uint32_t)-7, 2), (uint32_t)-3);
	assert_int_equal(exec_rr(f, OP_REM, (uint32_t)-7, 2), (uint32_t)-1);
	assert_int_equal(exec_rr(f, OP_DIV, 7, (uint32_t)-2), (uint32_t)-3);
	assert_int_equal(exec_rr(f, OP_REM, 7, (uint32_t)-2), 1);
	assert_int_equal(exec_rr(f, OP_DIV, (uint32_t)-7, (uint32_t)-2), 3);
	assert_int_equal(exec_rr(f, OP_REM, (uint32_t)-7, (uint32_t)-2), (uint32_t)-1);
	assert_int_equal(exec_rr(f, OP_DIV, 7, 2), 3);
	assert_int_equal(exec_rr(f, OP_REM, 7, 2), 1);
}

/* The one signed quotient that does not fit: PG32 defines it. */
static void test_div_int_min_by_minus_one_is_int_min_rem_zero(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_rr(f, OP_DIV, 0x80000000u, 0xffffffffu), 0x80000000u);
	assert_int_equal(exec_rr(f, OP_REM, 0x80000000u, 0xffffffffu), 0);
}

static void test_divu_remu_are_unsigned(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_rr(f, OP_DIVU, 0xffffffffu, 2), 0x7fffffffu);
	assert_int_equal(exec_rr(f, OP_REMU, 0xffffffffu, 2), 1);
	assert_int_equal(exec_rr(f, OP_DIVU, 7, 0xfffffffeu), 0);
	assert_int_equal(exec_rr(f, OP_REMU, 7, 0xfffffffeu), 7);
	assert_int_equal(exec_rr(f, OP_DIVU, 0x80000000u, 0xffffffffu), 0);
	assert_int_equal(exec_rr(f, OP_REMU, 0x80000000u, 0xffffffffu), 0x80000000u);
}

/* A faulting instruction has no effect besides the trap: rd keeps its
 * value. */
static void test_division_by_zero_traps_divzero_rd_unchanged(void **state)
{
	struct fix *f = *state;
	static const unsigned ops[] = {OP_DIV, OP_DIVU, OP_REM, OP_REMU};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		uint32_t pc = emit_r(f, ops[i], R_A0, R_A1, R_A2);
		f->cpu->pc = pc;
		f->cpu->x[R_A0] = 0x77777777u;
		f->cpu->x[R_A1] = 5;
		f->cpu->x[R_A2] = 0;
		mach_set_cr(f->m, CR_BADVA, 0x1234);
		assert_int_equal(fix_step_trap(f), CAUSE_DIVZERO);
		assert_int_equal(f->cpu->cr[CR_EPC], pc);
		assert_int_equal(f->cpu->cr[CR_BADVA], 0);
		assert_int_equal(f->cpu->x[R_A0], 0x77777777u);
	}
}

/* ---- ALU with an immediate ----------------------------------------------------- */

static void test_addi_slti_sltiu_sign_extend_imm(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_ri(f, OP_ADDI, 5, -1), 4);
	assert_int_equal(exec_ri(f, OP_ADDI, 0, -32768), 0xffff8000u);
	assert_int_equal(exec_ri(f, OP_ADDI, 0xffffffffu, 1), 0);
	assert_int_equal(exec_ri(f, OP_SLTI, (uint32_t)-2, -1), 1);
	assert_int_equal(exec_ri(f, OP_SLTI, 0, -1), 0);
	/* sltiu compares with the sign-extended immediate as unsigned:
	 * -1 is 0xffffffff, above everything but itself. */
	assert_int_equal(exec_ri(f, OP_SLTIU, 0xfffffffeu, -1), 1);
	assert_int_equal(exec_ri(f, OP_SLTIU, 0xffffffffu, -1), 0);
	assert_int_equal(exec_ri(f, OP_SLTIU, 0x80000000u, -32768), 1);
	assert_int_equal(exec_ri(f, OP_SLTIU, 0xffff8000u, -32768), 0);
}

static void test_andi_ori_xori_zero_extend_imm(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_ri(f, OP_ORI, 0x12340000u, 0xffff), 0x1234ffffu);
	assert_int_equal(exec_ri(f, OP_ORI, 0, 0x8000), 0x00008000u);
	assert_int_equal(exec_ri(f, OP_ANDI, 0xffffffffu, 0x8000), 0x00008000u);
	assert_int_equal(exec_ri(f, OP_ANDI, 0xffffffffu, 0xffff), 0x0000ffffu);
	assert_int_equal(exec_ri(f, OP_XORI, 0xf0000000u, 0xffff), 0xf000ffffu);
}

static void test_lui_sets_upper_half_and_clears_lower(void **state)
{
	struct fix *f = *state;
	f->cpu->x[R_A0] = 0xffffffffu;
	f->cpu->pc = emit(f, OP_LUI, R_A0, 0, 0, 0xdead);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A0], 0xdead0000u);
	/* lui + ori builds any constant (this is what li expands to). */
	f->cpu->pc = emit_li(f, R_A1, 0x8badf00du);
	fix_step(f);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A1], 0x8badf00du);
}

static void test_immediate_shifts(void **state)
{
	struct fix *f = *state;
	assert_int_equal(exec_ri(f, OP_SLLI, 1, 31), 0x80000000u);
	assert_int_equal(exec_ri(f, OP_SLLI, 0x12345678u, 0), 0x12345678u);
	assert_int_equal(exec_ri(f, OP_SRLI, 0x80000000u, 31), 1);
	assert_int_equal(exec_ri(f, OP_SRLI, 0xffffffffu, 4), 0x0fffffffu);
	assert_int_equal(exec_ri(f, OP_SRAI, 0x80000000u, 31), 0xffffffffu);
	assert_int_equal(exec_ri(f, OP_SRAI, 0xffffff00u, 4), 0xfffffff0u);
	assert_int_equal(exec_ri(f, OP_SRAI, 0x40000000u, 30), 1);
}

static void test_r0_reads_zero_after_being_written(void **state)
{
	struct fix *f = *state;
	f->cpu->x[R_A0] = 0x55;
	emit_i(f, OP_ADDI, R_ZERO, R_ZERO, 5);   /* addi r0, r0, 5 */
	emit_r(f, OP_ADD, R_A0, R_ZERO, R_ZERO); /* add a0, r0, r0 */
	emit_jal(f, R_ZERO, f->at + 4);          /* jal r0, next */
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 0);     /* addi a1, r0, 0 */
	fix_step(f);
	assert_int_equal(f->cpu->x[R_ZERO], 0);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A0], 0);
	fix_step(f);
	f->cpu->x[R_A1] = 0x66;
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A1], 0);
	assert_int_equal(f->cpu->x[R_ZERO], 0);
}

/* ---- loads and stores ---------------------------------------------------------- */

static void test_loads_extend_and_are_little_endian(void **state)
{
	struct fix *f = *state;
	static const uint8_t bytes[8] = {0x81, 0x82, 0x83, 0x84,
					 0x7f, 0x00, 0xff, 0x7f};
	assert_true(mach_phys_write(f->m, FIX_DATA, bytes, sizeof bytes));

	assert_int_equal(exec_load(f, OP_LW, FIX_DATA, 0), 0x84838281u);
	assert_int_equal(exec_load(f, OP_LW, FIX_DATA, 4), 0x7fff007fu);
	assert_int_equal(exec_load(f, OP_LH, FIX_DATA, 0), 0xffff8281u);
	assert_int_equal(exec_load(f, OP_LHU, FIX_DATA, 0), 0x00008281u);
	assert_int_equal(exec_load(f, OP_LH, FIX_DATA, 4), 0x0000007fu);
	assert_int_equal(exec_load(f, OP_LH, FIX_DATA, 6), 0x00007fffu);
	assert_int_equal(exec_load(f, OP_LB, FIX_DATA, 0), 0xffffff81u);
	assert_int_equal(exec_load(f, OP_LBU, FIX_DATA, 0), 0x00000081u);
	assert_int_equal(exec_load(f, OP_LB, FIX_DATA, 3), 0xffffff84u);
	assert_int_equal(exec_load(f, OP_LB, FIX_DATA, 4), 0x0000007fu);
	assert_int_equal(exec_load(f, OP_LB, FIX_DATA, 6), 0xffffffffu);
	assert_int_equal(exec_load(f, OP_LBU, FIX_DATA, 6), 0x000000ffu);
	/* offsets sign-extend */
	assert_int_equal(exec_load(f, OP_LW, FIX_DATA + 8, -8), 0x84838281u);
	assert_int_equal(exec_load(f, OP_LBU, FIX_DATA + 0x8000, -0x8000 + 1), 0x82);
}

static void test_stores_write_only_their_bytes(void **state)
{
	struct fix *f = *state;
	uint8_t fill[12];
	memset(fill, 0xaa, sizeof fill);
	assert_true(mach_phys_write(f->m, FIX_DATA, fill, sizeof fill));

	exec_store(f, OP_SB, FIX_DATA, 1, 0x11223344u);
	exec_store(f, OP_SH, FIX_DATA, 6, 0x55667788u);
	exec_store(f, OP_SW, FIX_DATA + 12, -4, 0x01020304u);

	static const uint8_t want[12] = {0xaa, 0x44, 0xaa, 0xaa, 0xaa, 0xaa,
					 0x88, 0x77, 0x04, 0x03, 0x02, 0x01};
	uint8_t got[12];
	assert_true(mach_phys_read(f->m, FIX_DATA, got, sizeof got));
	assert_memory_equal(got, want, sizeof want);
}

static void test_misaligned_load_traps_rd_unchanged(void **state)
{
	struct fix *f = *state;
	static const struct {
		unsigned op;
		uint32_t off;
	} cases[] = {
		{OP_LW, 1}, {OP_LW, 2}, {OP_LW, 3},
		{OP_LH, 1}, {OP_LH, 3}, {OP_LHU, 1}, {OP_LHU, 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t addr = FIX_DATA + cases[i].off;
		uint32_t pc = emit_load(f, cases[i].op, R_A0, 0, R_A1);
		f->cpu->pc = pc;
		f->cpu->x[R_A0] = 0x5a5a5a5au;
		f->cpu->x[R_A1] = addr;
		assert_int_equal(fix_step_trap(f), CAUSE_MISALIGNED);
		assert_int_equal(f->cpu->cr[CR_BADVA], addr);
		assert_int_equal(f->cpu->cr[CR_EPC], pc);
		assert_int_equal(f->cpu->x[R_A0], 0x5a5a5a5au);
	}
}

static void test_misaligned_store_traps_and_writes_nothing(void **state)
{
	struct fix *f = *state;
	static const struct {
		unsigned op;
		uint32_t off;
	} cases[] = {{OP_SW, 1}, {OP_SW, 2}, {OP_SW, 3}, {OP_SH, 1}, {OP_SH, 3}};
	uint8_t fill[8], got[8];
	memset(fill, 0xaa, sizeof fill);
	assert_true(mach_phys_write(f->m, FIX_DATA, fill, sizeof fill));
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t addr = FIX_DATA + cases[i].off;
		uint32_t pc = emit_store(f, cases[i].op, R_A2, 0, R_A1);
		f->cpu->pc = pc;
		f->cpu->x[R_A1] = addr;
		f->cpu->x[R_A2] = 0x11223344u;
		assert_int_equal(fix_step_trap(f), CAUSE_MISALIGNED);
		assert_int_equal(f->cpu->cr[CR_BADVA], addr);
		assert_int_equal(f->cpu->cr[CR_EPC], pc);
		assert_true(mach_phys_read(f->m, FIX_DATA, got, sizeof got));
		assert_memory_equal(got, fill, sizeof fill);
	}
}

/*
 * Misaligned accesses in page 0, with nothing cached yet: the fast path's
 * compare keeps the low address bits, so an empty entry's tag must not be
 * one of them (the fuzzer found va 0x1 taking the fast path through an
 * empty entry and writing to host address 1).
 */
static void test_misaligned_access_in_page_zero_traps(void **state)
{
	struct fix *f = *state;
	static const unsigned ops[] = {OP_SW, OP_SH, OP_LW, OP_LH, OP_LHU};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		for (uint32_t addr = 1; addr <= 3; addr++) {
			if ((ops[i] == OP_SH || ops[i] == OP_LH || ops[i] == OP_LHU) &&
			    addr == 2)
				continue; /* aligned for a half */
			uint32_t pc = (isa_info(ops[i])->flags & ISA_F_STORE)
					      ? emit_store(f, ops[i], R_A2, 0, R_A1)
					      : emit_load(f, ops[i], R_A0, 0, R_A1);
			f->cpu->pc = pc;
			f->cpu->x[R_A1] = addr;
			assert_int_equal(fix_step_trap(f), CAUSE_MISALIGNED);
			assert_int_equal(f->cpu->cr[CR_BADVA], addr);
		}
	}
}

/* ---- control transfer ----------------------------------------------------------- */

static void test_branches_taken_and_not_taken_both_directions(void **state)
{
	struct fix *f = *state;
	static const struct {
		unsigned op;
		uint32_t a, b;
		bool taken;
	} cases[] = {
		{OP_BEQ, 5, 5, true},            {OP_BEQ, 5, 6, false},
		{OP_BNE, 5, 6, true},            {OP_BNE, 5, 5, false},
		{OP_BLT, 0xffffffffu, 1, true},  {OP_BLT, 1, 0xffffffffu, false},
		{OP_BLT, 3, 3, false},           {OP_BGE, 3, 3, true},
		{OP_BGE, 1, 0xffffffffu, true},  {OP_BGE, 0xffffffffu, 1, false},
		{OP_BLTU, 1, 0xffffffffu, true}, {OP_BLTU, 0xffffffffu, 1, false},
		{OP_BLTU, 3, 3, false},          {OP_BGEU, 3, 3, true},
		{OP_BGEU, 0xffffffffu, 1, true}, {OP_BGEU, 1, 0xffffffffu, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int backward = 0; backward <= 1; backward++) {
			f->at += 16; /* room for a backward target */
			uint32_t pc = f->at;
			uint32_t target = backward ? pc - 12 : pc + 12;
			emit_branch(f, cases[i].op, R_A1, R_A2, target);
			f->cpu->pc = pc;
			f->cpu->x[R_A1] = cases[i].a;
			f->cpu->x[R_A2] = cases[i].b;
			mach_step(f->m);
			uint32_t want = cases[i].taken ? target : pc + 4;
			if (f->cpu->pc != want)
				fail_msg("%s 0x%x, 0x%x (%s): pc 0x%08x, want 0x%08x",
					 isa_info(cases[i].op)->mnemonic,
					 cases[i].a, cases[i].b,
					 backward ? "backward" : "forward",
					 f->cpu->pc, want);
		}
	}
}

static void test_jal_writes_next_pc_and_jumps(void **state)
{
	struct fix *f = *state;
	f->at = FIX_CODE + 0x100;
	uint32_t pc = emit_jal(f, R_RA, FIX_CODE + 0x120);
	f->cpu->pc = pc;
	mach_step(f->m);
	assert_int_equal(f->cpu->pc, FIX_CODE + 0x120);
	assert_int_equal(f->cpu->x[R_RA], pc + 4);

	pc = emit_jal(f, R_A0, FIX_CODE + 0x20); /* backward */
	f->cpu->pc = pc;
	mach_step(f->m);
	assert_int_equal(f->cpu->pc, FIX_CODE + 0x20);
	assert_int_equal(f->cpu->x[R_A0], pc + 4);
}

static void test_jalr_writes_next_pc_and_jumps(void **state)
{
	struct fix *f = *state;
	uint32_t pc = emit_i(f, OP_JALR, R_RA, R_T0, 8); /* jalr ra, 8(t0) */
	f->cpu->pc = pc;
	f->cpu->x[R_T0] = FIX_CODE + 0x200 - 8;
	mach_step(f->m);
	assert_int_equal(f->cpu->pc, FIX_CODE + 0x200);
	assert_int_equal(f->cpu->x[R_RA], pc + 4);

	pc = emit_i(f, OP_JALR, R_A0, R_T0, -4); /* jalr a0, -4(t0) */
	f->cpu->pc = pc;
	f->cpu->x[R_T0] = FIX_CODE + 0x304;
	mach_step(f->m);
	assert_int_equal(f->cpu->pc, FIX_CODE + 0x300);
	assert_int_equal(f->cpu->x[R_A0], pc + 4);
}

/* `jalr ra, 0(ra)` (a call through the return address) must jump to the
 * old ra: the target is computed before rd is written. */
static void test_jalr_with_rd_equal_rs1_uses_old_value(void **state)
{
	struct fix *f = *state;
	uint32_t pc = emit_i(f, OP_JALR, R_RA, R_RA, 0);
	f->cpu->pc = pc;
	f->cpu->x[R_RA] = FIX_CODE + 0x400;
	mach_step(f->m);
	assert_int_equal(f->cpu->pc, FIX_CODE + 0x400);
	assert_int_equal(f->cpu->x[R_RA], pc + 4);
}

/* The jump itself completes; the fetch at the target faults. */
static void test_jalr_to_misaligned_target_faults_on_fetch(void **state)
{
	struct fix *f = *state;
	uint32_t pc = emit_i(f, OP_JALR, R_RA, R_T0, 0);
	f->cpu->x[R_T0] = FIX_CODE + 0x802;
	assert_int_equal(fix_run_to_trap(f), CAUSE_MISALIGNED);
	assert_int_equal(f->cpu->cr[CR_EPC], FIX_CODE + 0x802);
	assert_int_equal(f->cpu->cr[CR_BADVA], FIX_CODE + 0x802);
	assert_int_equal(f->cpu->x[R_RA], pc + 4);
}

/* ---- illegal instructions and system instructions ----------------------------- */

static void test_all_zeros_and_all_ones_words_are_illegal(void **state)
{
	struct fix *f = *state;
	static const uint32_t words[] = {0x00000000u, 0xffffffffu};
	for (size_t i = 0; i < 2; i++) {
		uint32_t pc = emit_word(f, words[i]);
		f->cpu->pc = pc;
		mach_set_cr(f->m, CR_BADVA, 0x1234);
		assert_int_equal(fix_step_trap(f), CAUSE_ILLEGAL);
		assert_int_equal(f->cpu->cr[CR_EPC], pc);
		assert_int_equal(f->cpu->cr[CR_BADVA], 0);
	}
}

static void test_word_with_stray_must_be_zero_bit_is_illegal(void **state)
{
	struct fix *f = *state;
	/* add a0, a1, a2 with bit 0 set (R format: bits 13:0 must be 0) */
	uint32_t pc = emit_word(f, fix_encode(OP_ADD, R_A0, R_A1, R_A2, 0) | 1u);
	f->cpu->pc = pc;
	f->cpu->x[R_A0] = 0x99;
	f->cpu->x[R_A1] = 1;
	f->cpu->x[R_A2] = 2;
	assert_int_equal(fix_step_trap(f), CAUSE_ILLEGAL);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
	assert_int_equal(f->cpu->x[R_A0], 0x99);

	/* syscall with a register field set */
	pc = emit_word(f, fix_encode(OP_SYSCALL, 0, 0, 0, 0) | 1u << ISA_A_SHIFT);
	f->cpu->pc = pc;
	assert_int_equal(fix_step_trap(f), CAUSE_ILLEGAL);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
}

static void test_syscall_traps_with_epc_at_the_syscall(void **state)
{
	struct fix *f = *state;
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 1);
	uint32_t pc = emit_op(f, OP_SYSCALL);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 2);
	assert_int_equal(fix_run_to_trap(f), CAUSE_SYSCALL);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
	assert_int_equal(f->cpu->cr[CR_BADVA], 0);
	assert_int_equal(f->cpu->x[R_A0], 1);
}

static void test_break_traps_break(void **state)
{
	struct fix *f = *state;
	uint32_t pc = emit_op(f, OP_BREAK);
	f->cpu->pc = pc;
	assert_int_equal(fix_step_trap(f), CAUSE_BREAK);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
}

static void test_hcall_is_illegal_on_the_bare_machine(void **state)
{
	struct fix *f = *state;
	uint32_t pc = emit_op(f, OP_HCALL);
	f->cpu->pc = pc;
	assert_int_equal(fix_step_trap(f), CAUSE_ILLEGAL);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
}

/* ---- trap entry and rfe ----------------------------------------------------------- */

/* EPSW <- PSW, MODE <- S, IE <- 0, PG unchanged (0 here; test_mmu.c
 * covers PG = 1), pc <- TVEC. */
static void test_trap_entry_saves_psw_enters_supervisor(void **state)
{
	struct fix *f = *state;
	static const uint32_t psws[] = {PSW_MODE, PSW_MODE | PSW_IE, 0, PSW_IE};
	for (size_t i = 0; i < sizeof psws / sizeof psws[0]; i++) {
		uint32_t pc = emit_op(f, OP_BREAK);
		f->cpu->pc = pc;
		mach_set_cr(f->m, CR_PSW, psws[i]);
		assert_int_equal(fix_step_trap(f), CAUSE_BREAK);
		assert_int_equal(f->cpu->pc, FIX_HANDLER);
		assert_int_equal(f->cpu->cr[CR_EPC], pc);
		assert_int_equal(f->cpu->cr[CR_EPSW], psws[i]);
		assert_int_equal(f->cpu->cr[CR_PSW], PSW_MODE);
	}
}

static void test_rfe_restores_psw_from_epsw_and_pc_from_epc(void **state)
{
	struct fix *f = *state;
	enter_user(f, PSW_IE);
	mach_step(f->m);
	assert_int_equal(f->cpu->pc, FIX_USER);
	assert_int_equal(f->cpu->cr[CR_PSW], PSW_IE);

	/* and back to supervisor mode, to an arbitrary EPC */
	mach_set_cr(f->m, CR_PSW, PSW_MODE);
	mach_set_cr(f->m, CR_EPSW, PSW_MODE | PSW_IE);
	mach_set_cr(f->m, CR_EPC, FIX_CODE + 0x40);
	f->at = FIX_CODE + 0x20;
	f->cpu->pc = emit_op(f, OP_RFE);
	mach_step(f->m);
	assert_int_equal(f->cpu->pc, FIX_CODE + 0x40);
	assert_int_equal(f->cpu->cr[CR_PSW], PSW_MODE | PSW_IE);
}

/* A user program that reaches user mode through rfe, then one
 * instruction: it must trap PRIV with no effect. */
static void expect_priv_in_user_mode(struct mach_config cfg, uint32_t word)
{
	struct fix *f = fix_new(cfg);
	mach_set_cr(f->m, CR_SCRATCH, 0x5555);
	f->cpu->x[R_A0] = 0x1234;
	f->cpu->x[R_A1] = 0xabcd;
	enter_user(f, 0);
	uint32_t pc = emit_word(f, word);
	emit_i(f, OP_ADDI, R_A2, R_ZERO, 1);
	assert_int_equal(fix_run_to_trap(f), CAUSE_PRIV);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
	assert_int_equal(f->cpu->cr[CR_EPSW], 0);
	assert_int_equal(f->cpu->cr[CR_BADVA], 0);
	assert_int_equal(f->cpu->cr[CR_SCRATCH], 0x5555);
	assert_int_equal(f->cpu->x[R_A0], 0x1234);
	assert_int_equal(f->cpu->x[R_A2], 0);
	fix_free(f);
}

static void test_privileged_instructions_trap_priv_in_user_mode(void **state)
{
	(void)state;
	uint32_t words[] = {
		fix_encode(OP_MFCR, R_A0, 0, 0, CR_SCRATCH),
		fix_encode(OP_MTCR, 0, R_A1, 0, CR_SCRATCH),
		fix_encode(OP_RFE, 0, 0, 0, 0),
		fix_encode(OP_TLBFLUSH, 0, 0, 0, 0),
		fix_encode(OP_TLBINV, 0, R_A1, 0, 0),
		fix_encode(OP_WFI, 0, 0, 0, 0),
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		expect_priv_in_user_mode((struct mach_config){0}, words[i]);
		expect_priv_in_user_mode((struct mach_config){.leaky = true},
					 words[i]);
	}
}

static void test_sensitive_instructions_trap_priv_in_user_mode_when_clean(void **state)
{
	(void)state;
	uint32_t words[] = {
		fix_encode(OP_RDPSW, R_A0, 0, 0, 0),
		fix_encode(OP_WRPSW, 0, R_A1, 0, 0),
		fix_encode(OP_RDTVEC, R_A0, 0, 0, 0),
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		expect_priv_in_user_mode((struct mach_config){0}, words[i]);
}

/* Leaky mode is x86-like: rdpsw shows the real PSW (MODE = 0, as SMSW
 * would), so a deprivileged kernel can tell it is not in supervisor mode. */
static void test_leaky_user_rdpsw_reads_real_psw(void **state)
{
	struct fix *f = *state;
	mach_set_cr(f->m, CR_PSW, PSW_IE);
	f->cpu->pc = emit(f, OP_RDPSW, R_A0, 0, 0, 0);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A0], PSW_IE);
}

/* wrpsw in user mode is POPF: changes to MODE, IE and PG are silently
 * dropped, and it does not trap. */
static void test_leaky_user_wrpsw_ignores_mode_ie_pg(void **state)
{
	struct fix *f = *state;
	static const uint32_t values[] = {PSW_MODE, 0, PSW_MASK, 0xffffffffu};
	mach_set_cr(f->m, CR_PSW, PSW_IE);
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		f->cpu->pc = emit(f, OP_WRPSW, 0, R_A1, 0, 0);
		f->cpu->x[R_A1] = values[i];
		fix_step(f);
		assert_int_equal(f->cpu->cr[CR_PSW], PSW_IE);
	}
	assert_int_equal(f->cpu->cr[CR_CAUSE], 0); /* nothing trapped */
}

/* rdtvec is SIDT, the "red pill": a guest learns where the real trap
 * vector is. */
static void test_leaky_user_rdtvec_reads_tvec(void **state)
{
	struct fix *f = *state;
	mach_set_cr(f->m, CR_PSW, 0);
	f->cpu->pc = emit(f, OP_RDTVEC, R_A0, 0, 0, 0);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A0], FIX_HANDLER);
}

static void test_sensitive_instructions_in_supervisor_same_in_both_modes(void **state)
{
	(void)state;
	for (int leaky = 0; leaky <= 1; leaky++) {
		struct fix *f = fix_new((struct mach_config){.leaky = leaky});
		emit(f, OP_RDPSW, R_A0, 0, 0, 0);
		emit(f, OP_RDTVEC, R_A1, 0, 0, 0);
		emit(f, OP_WRPSW, 0, R_S0, 0, 0);
		emit(f, OP_RDPSW, R_A2, 0, 0, 0);
		emit(f, OP_WRPSW, 0, R_S1, 0, 0); /* drops to user mode */
		f->cpu->x[R_S0] = PSW_MODE | PSW_IE;
		f->cpu->x[R_S1] = 0;
		for (int i = 0; i < 5; i++)
			fix_step(f);
		assert_int_equal(f->cpu->x[R_A0], PSW_MODE);
		assert_int_equal(f->cpu->x[R_A1], FIX_HANDLER);
		assert_int_equal(f->cpu->x[R_A2], PSW_MODE | PSW_IE);
		assert_int_equal(f->cpu->cr[CR_PSW], 0);
		fix_free(f);
	}
}

/* ---- control registers ---------------------------------------------------------- */

static void test_mfcr_mtcr_round_trip_every_control_register(void **state)
{
	struct fix *f = *state;
	static const struct {
		unsigned cr;
		uint32_t value;
	} cases[] = {
		{CR_EPC, 0x12345678u},  {CR_EPSW, PSW_IE | PSW_PG},
		{CR_CAUSE, 0x80000001u}, {CR_BADVA, 0xdeadbeefu},
		{CR_TVEC, 0x0000a000u}, {CR_PTBR, 0x00123000u},
		{CR_SCRATCH, 0xcafef00du},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f->cpu->pc = emit_mtcr(f, cases[i].cr, R_A1);
		emit_mfcr(f, R_A0, cases[i].cr);
		f->cpu->x[R_A1] = cases[i].value;
		f->cpu->x[R_A0] = 0;
		fix_step(f);
		assert_int_equal(f->cpu->cr[cases[i].cr], cases[i].value);
		fix_step(f);
		assert_int_equal(f->cpu->x[R_A0], cases[i].value);
	}
	/* PSW: MODE | IE (PG needs page tables: see the next test) */
	f->cpu->pc = emit_mtcr(f, CR_PSW, R_A1);
	emit_mfcr(f, R_A0, CR_PSW);
	f->cpu->x[R_A1] = PSW_MODE | PSW_IE;
	fix_step(f);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A0], PSW_MODE | PSW_IE);
}

/* PSW bits other than MODE, IE and PG read 0.  Turning PG on needs page
 * tables: the kernel's identity map. */
static void test_psw_other_bits_read_zero(void **state)
{
	struct fix *f = *state;
	pt_map_kernel(f);
	emit_mtcr(f, CR_PSW, R_A1);
	emit_mfcr(f, R_A0, CR_PSW);
	emit(f, OP_RDPSW, R_A2, 0, 0, 0);
	emit_done(f);
	f->cpu->x[R_A1] = 0xffffffffu;
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A0], PSW_MODE | PSW_IE | PSW_PG);
	assert_int_equal(f->cpu->x[R_A2], PSW_MODE | PSW_IE | PSW_PG);
	assert_int_equal(f->cpu->cr[CR_PSW], PSW_MODE | PSW_IE | PSW_PG);
}

/* ---- the cycle clock -------------------------------------------------------------- */

static void test_rdcycle_counts_cycles(void **state)
{
	struct fix *f = *state;
	emit(f, OP_RDCYCLE, R_A0, 0, 0, 0);
	for (int i = 0; i < 5; i++)
		emit_r(f, OP_ADD, R_T0, R_T0, R_T0);
	emit(f, OP_RDCYCLE, R_A1, 0, 0, 0);
	emit_done(f);
	fix_run_to_done(f);
	/* the second rdcycle is 6 instructions after the first */
	assert_true(f->cpu->x[R_A1] > f->cpu->x[R_A0]);
	assert_int_equal(f->cpu->x[R_A1] - f->cpu->x[R_A0],
			 6 * mach_cost(COST_INSN));
	assert_true(f->cpu->x[R_A1] <= mach_cycles(f->m));
}

/* Runs the code at FIX_CODE to a breakpoint at `end`; returns the cycles
 * spent, and the instructions retired through *instret. */
static uint64_t measure_to(struct fix *f, uint32_t end, uint64_t *instret)
{
	uint64_t c0 = mach_cycles(f->m), i0 = mach_instret(f->m);
	assert_true(mach_add_breakpoint(f->m, end));
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_BREAKPOINT);
	assert_int_equal(f->cpu->pc, end);
	*instret = mach_instret(f->m) - i0;
	return mach_cycles(f->m) - c0;
}

static void test_add_costs_one_insn_and_instret_counts_it(void **state)
{
	struct fix *f = *state;
	for (int i = 0; i < 10; i++)
		emit_r(f, OP_ADD, R_A0, R_A0, R_A1);
	f->cpu->x[R_A1] = 3;
	uint64_t instret;
	uint64_t cycles = measure_to(f, f->at, &instret);
	assert_int_equal(cycles, 10 * mach_cost(COST_INSN));
	assert_int_equal(instret, 10);
	assert_int_equal(f->cpu->x[R_A0], 30);
}

static void test_mul_costs_insn_plus_muldiv(void **state)
{
	struct fix *f = *state;
	for (int i = 0; i < 4; i++)
		emit_r(f, OP_MUL, R_A0, R_A1, R_A1);
	f->cpu->x[R_A1] = 3;
	uint64_t instret;
	uint64_t cycles = measure_to(f, f->at, &instret);
	assert_int_equal(cycles,
			 4 * (mach_cost(COST_INSN) + mach_cost(COST_MULDIV)));
	assert_int_equal(instret, 4);
}

/* ---- bus errors --------------------------------------------------------------------- */

static void test_access_to_unbacked_memory_is_bus_error(void **state)
{
	struct fix *f = *state;
	/* beyond RAM, its first byte past the end, a hole in device space */
	static const uint32_t addrs[] = {0x80000000u, FIX_RAM_SIZE, 0xf0005000u};
	for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		uint32_t pc = emit_load(f, OP_LW, R_A0, 0, R_A1);
		f->cpu->pc = pc;
		f->cpu->x[R_A0] = 0x4242;
		f->cpu->x[R_A1] = addrs[i];
		assert_int_equal(fix_step_trap(f), CAUSE_BUS_ERROR);
		assert_int_equal(f->cpu->cr[CR_BADVA], addrs[i]);
		assert_int_equal(f->cpu->cr[CR_EPC], pc);
		assert_int_equal(f->cpu->x[R_A0], 0x4242);

		pc = emit_store(f, OP_SB, R_A0, 0, R_A1);
		f->cpu->pc = pc;
		assert_int_equal(fix_step_trap(f), CAUSE_BUS_ERROR);
		assert_int_equal(f->cpu->cr[CR_BADVA], addrs[i]);
		assert_int_equal(f->cpu->cr[CR_EPC], pc);
	}
}

static void test_fetch_from_unbacked_memory_is_bus_error(void **state)
{
	struct fix *f = *state;
	emit_i(f, OP_JALR, R_ZERO, R_T0, 0);
	f->cpu->x[R_T0] = 0x80000000u;
	assert_int_equal(fix_run_to_trap(f), CAUSE_BUS_ERROR);
	assert_int_equal(f->cpu->cr[CR_EPC], 0x80000000u);
	assert_int_equal(f->cpu->cr[CR_BADVA], 0x80000000u);
}

/* ---- devices, as the CPU reaches them ------------------------------------------- */

static void test_store_to_test_device_halts_with_status(void **state)
{
	struct fix *f = *state;
	emit_li(f, R_T0, DEV_TEST_BASE + TEST_EXIT);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 42);
	uint32_t pc = emit_store(f, OP_SW, R_A0, 0, R_T0);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 1);
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_HALT);
	assert_int_equal(mach_exit_status(f->m), 42);
	assert_int_equal(f->cpu->pc, pc + 4);
	assert_int_equal(f->cpu->x[R_A1], 0);
}

/* A store of any width to a device register writes the value
 * zero-extended: sb of 0x...80 gives 0x80, not 0xffffff80. */
static void test_narrow_store_to_device_writes_zero_extended(void **state)
{
	struct fix *f = *state;
	exec_store(f, OP_SH, DEV_TIMER_BASE, TIMER_PERIOD, 0x12348001u);
	assert_int_equal(exec_load(f, OP_LW, DEV_TIMER_BASE, TIMER_PERIOD), 0x8001);
	exec_store(f, OP_SB, DEV_TIMER_BASE, TIMER_PERIOD, 0x12345680u);
	assert_int_equal(exec_load(f, OP_LW, DEV_TIMER_BASE, TIMER_PERIOD), 0x80);
	exec_store(f, OP_SW, DEV_TIMER_BASE, TIMER_PERIOD, 0);

	f->cpu->pc = emit_store(f, OP_SB, R_A2, 0, R_A1);
	f->cpu->x[R_A1] = DEV_TEST_BASE + TEST_EXIT;
	f->cpu->x[R_A2] = 0x12345680u;
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_HALT);
	assert_int_equal(mach_exit_status(f->m), 0x80);
}

static void test_console_tx_output_is_captured(void **state)
{
	struct fix *f = *state;
	emit_li(f, R_T0, DEV_CONSOLE_BASE);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 'H');
	emit_store(f, OP_SB, R_A0, CONSOLE_TX, R_T0);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 'i');
	emit_store(f, OP_SW, R_A0, CONSOLE_TX, R_T0);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 0x10a); /* only the low byte: '\n' */
	emit_store(f, OP_SW, R_A0, CONSOLE_TX, R_T0);
	emit_done(f);
	fix_run_to_done(f);
	assert_int_equal(f->outlen, 3);
	assert_memory_equal(f->out, "Hi\n", 3);
}

/* A load of any width from a device register reads its low bits, and
 * lb/lh sign-extend them as they would from memory. */
static void test_narrow_load_of_device_register_reads_low_bits(void **state)
{
	struct fix *f = *state;
	exec_store(f, OP_SW, DEV_TIMER_BASE, TIMER_PERIOD, 0x0001ff80u);
	assert_int_equal(exec_load(f, OP_LW, DEV_TIMER_BASE, TIMER_PERIOD), 0x0001ff80u);
	assert_int_equal(exec_load(f, OP_LB, DEV_TIMER_BASE, TIMER_PERIOD), 0xffffff80u);
	assert_int_equal(exec_load(f, OP_LBU, DEV_TIMER_BASE, TIMER_PERIOD), 0x80);
	assert_int_equal(exec_load(f, OP_LH, DEV_TIMER_BASE, TIMER_PERIOD), 0xffffff80u);
	assert_int_equal(exec_load(f, OP_LHU, DEV_TIMER_BASE, TIMER_PERIOD), 0xff80);
}

/* Registers live at aligned addresses; the other bytes of a device's
 * range read 0 and ignore writes. */
static void test_device_bytes_off_register_read_zero_ignore_writes(void **state)
{
	struct fix *f = *state;
	exec_store(f, OP_SW, DEV_TIMER_BASE, TIMER_PERIOD, 0x0001ff80u);
	assert_int_equal(exec_load(f, OP_LBU, DEV_TIMER_BASE, TIMER_PERIOD + 1), 0);
	assert_int_equal(exec_load(f, OP_LB, DEV_TIMER_BASE, TIMER_PERIOD + 1), 0);
	exec_store(f, OP_SB, DEV_TIMER_BASE, TIMER_PERIOD + 1, 0x55);
	assert_int_equal(exec_load(f, OP_LW, DEV_TIMER_BASE, TIMER_PERIOD), 0x0001ff80u);
	assert_int_equal(exec_load(f, OP_LBU, DEV_CONSOLE_BASE, 1), 0);
	/* a byte store inside EXIT's word but not at it does not halt */
	exec_store(f, OP_SB, DEV_TEST_BASE, TEST_EXIT + 1, 1);
	exec_store(f, OP_SB, DEV_CONSOLE_BASE, CONSOLE_TX + 2, 'x');
	assert_int_equal(f->outlen, 0);
}

static void test_write_only_device_registers_read_zero(void **state)
{
	struct fix *f = *state;
	exec_store(f, OP_SW, DEV_CONSOLE_BASE, CONSOLE_TX, 'A');
	assert_int_equal(exec_load(f, OP_LW, DEV_CONSOLE_BASE, CONSOLE_TX), 0);
	assert_int_equal(exec_load(f, OP_LW, DEV_TIMER_BASE, TIMER_ACK), 0);
	/* reading EXIT neither halts nor returns anything */
	assert_int_equal(exec_load(f, OP_LW, DEV_TEST_BASE, TEST_EXIT), 0);
	assert_int_equal(exec_ri(f, OP_ADDI, 1, 1), 2); /* still running */
	assert_int_equal(f->outlen, 1);
}

/* ---- interrupts ------------------------------------------------------------------- */

/*
 * Starts the timer with PERIOD = period from the program (sw to
 * 0xF0001000), leaving t0 = the timer's base.  With IE = 0 a tick only
 * makes TIMER pending.
 */
static void emit_timer_start(struct fix *f, uint32_t period)
{
	emit_li(f, R_T0, DEV_TIMER_BASE);
	emit_li(f, R_T1, period);
	emit_store(f, OP_SW, R_T1, TIMER_PERIOD, R_T0);
}

/* IE = 0 keeps TIMER pending; the instruction that sets IE lets it in at
 * the very next boundary, so EPC is the instruction after it. */
static void check_interrupt_waits_for_ie(struct fix *f, bool use_wrpsw)
{
	emit_timer_start(f, 100);
	emit_spin(f, R_S0, 80); /* ~160 cycles: the first tick at 100 */
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 1);
	emit_li(f, R_T2, PSW_MODE | PSW_IE);
	uint32_t pc = use_wrpsw ? emit(f, OP_WRPSW, 0, R_T2, 0, 0)
				: emit_mtcr(f, CR_PSW, R_T2);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 1);
	emit_done(f);

	assert_int_equal(fix_run_to_trap(f), CAUSE_INTERRUPT | IRQ_TIMER);
	assert_int_equal(f->cpu->cr[CR_CAUSE], 0x80000000u);
	assert_int_equal(f->cpu->cr[CR_EPC], pc + 4);
	assert_int_equal(f->cpu->cr[CR_EPSW], PSW_MODE | PSW_IE);
	assert_int_equal(f->cpu->cr[CR_PSW], PSW_MODE);
	assert_int_equal(f->cpu->cr[CR_BADVA], 0);
	assert_int_equal(f->cpu->x[R_A0], 1); /* nothing was taken with IE = 0 */
	assert_int_equal(f->cpu->x[R_A1], 0); /* not run: the interrupt came first */
}

static void test_pending_timer_taken_right_after_mtcr_sets_ie(void **state)
{
	check_interrupt_waits_for_ie(*state, false);
}

static void test_pending_timer_taken_right_after_wrpsw_sets_ie(void **state)
{
	check_interrupt_waits_for_ie(*state, true);
}

/* rfe that sets IE lets a pending interrupt in before the first
 * instruction at EPC: that instruction becomes the interrupt's EPC. */
static void test_pending_timer_taken_right_after_rfe_sets_ie(void **state)
{
	struct fix *f = *state;
	emit_timer_start(f, 100);
	emit_spin(f, R_S0, 80);
	emit_op(f, OP_RFE);
	mach_set_cr(f->m, CR_EPSW, PSW_IE);
	mach_set_cr(f->m, CR_EPC, FIX_USER);
	f->at = FIX_USER;
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 1);
	assert_int_equal(fix_run_to_trap(f), CAUSE_INTERRUPT | IRQ_TIMER);
	assert_int_equal(f->cpu->cr[CR_EPC], FIX_USER);
	assert_int_equal(f->cpu->cr[CR_EPSW], PSW_IE);
	assert_int_equal(f->cpu->x[R_A1], 0);
}

/* Clearing the pending TIMER (by ACK or by writing PERIOD again) before
 * setting IE: no interrupt.  The next tick is far away. */
static void check_pending_cleared(struct fix *f, bool by_ack)
{
	emit_timer_start(f, 100);
	emit_spin(f, R_S0, 80);
	if (by_ack) {
		emit_store(f, OP_SW, R_ZERO, TIMER_ACK, R_T0);
	} else {
		emit_li(f, R_T1, 1000);
		emit_store(f, OP_SW, R_T1, TIMER_PERIOD, R_T0);
	}
	emit_li(f, R_T2, PSW_MODE | PSW_IE);
	emit_mtcr(f, CR_PSW, R_T2);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 1);
	emit_done(f);
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A1], 1);
	assert_int_equal(f->cpu->cr[CR_CAUSE], 0);
}

static void test_timer_ack_clears_pending(void **state)
{
	check_pending_cleared(*state, true);
}

static void test_writing_period_clears_pending(void **state)
{
	check_pending_cleared(*state, false);
}

/*
 * The run loop remembers the devices' next deadline between batches.  A
 * timer started by a store, with IE = 1 and no deadline before, must
 * still interrupt about `period` cycles later, in the middle of the spin
 * (each iteration is 2 cycles), not when the run's budget ends.
 */
static void test_timer_started_by_a_store_interrupts_on_time(void **state)
{
	struct fix *f = *state;
	emit_li(f, R_T2, PSW_MODE | PSW_IE);
	emit_mtcr(f, CR_PSW, R_T2); /* a batch with no deadline at all */
	emit_timer_start(f, 100);
	emit_spin(f, R_S0, 1000);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 1);
	emit_done(f);

	assert_int_equal(fix_run_to_trap(f), CAUSE_INTERRUPT | IRQ_TIMER);
	assert_int_equal(f->cpu->x[R_A1], 0);
	assert_in_range(f->cpu->x[R_S0], 1000 - 100 / 2, 1000 - 100 / 2 + 4);
}

/* wfi with IE = 0: waits until TIMER is pending, then goes on with the
 * next instruction; the interrupt is not taken. */
static void test_wfi_with_ie_clear_resumes_at_next_instruction(void **state)
{
	struct fix *f = *state;
	emit(f, OP_RDCYCLE, R_A3, 0, 0, 0);
	emit_timer_start(f, 50);
	emit_op(f, OP_WFI);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 1);
	emit(f, OP_RDCYCLE, R_A2, 0, 0, 0);
	emit_done(f);
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A1], 1);
	assert_int_equal(f->cpu->cr[CR_CAUSE], 0);
	/* time passed until the tick */
	assert_true(f->cpu->x[R_A2] - f->cpu->x[R_A3] >= 50);
}

static void test_wfi_with_ie_set_takes_interrupt_after_wfi(void **state)
{
	struct fix *f = *state;
	emit_li(f, R_T2, PSW_MODE | PSW_IE);
	emit_mtcr(f, CR_PSW, R_T2);
	emit_timer_start(f, 50);
	uint32_t pc = emit_op(f, OP_WFI);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 1);
	emit_done(f);
	assert_int_equal(fix_run_to_trap(f), CAUSE_INTERRUPT | IRQ_TIMER);
	assert_int_equal(f->cpu->cr[CR_EPC], pc + 4);
	assert_int_equal(f->cpu->x[R_A1], 0);
}

/* The same, when the wait spans many short runs (a VMM's time slices, a
 * debugger): the interrupt still comes after the wfi. */
static void test_wfi_across_short_runs_takes_interrupt_after_wfi(void **state)
{
	struct fix *f = *state;
	emit_li(f, R_T2, PSW_MODE | PSW_IE);
	emit_mtcr(f, CR_PSW, R_T2);
	emit_timer_start(f, 50);
	uint32_t pc = emit_op(f, OP_WFI);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 1);
	emit_done(f);
	enum mach_stop stop = MACH_STOP_BUDGET;
	for (int i = 0; i < 100 && stop == MACH_STOP_BUDGET; i++)
		stop = mach_run(f->m, 7);
	if (stop != MACH_STOP_HALT || f->cpu->pc != FIX_HANDLER + 8)
		fix_explain(f, stop, "a trap into the handler");
	assert_int_equal(f->cpu->cr[CR_CAUSE], CAUSE_INTERRUPT | IRQ_TIMER);
	assert_int_equal(f->cpu->cr[CR_EPC], pc + 4);
	assert_int_equal(f->cpu->x[R_A1], 0);
}

static void test_wfi_with_nothing_to_wake_is_deadlock(void **state)
{
	struct fix *f = *state;
	emit_i(f, OP_ADDI, R_ZERO, R_ZERO, 0); /* nop */
	uint32_t wfi = emit_op(f, OP_WFI);
	emit_done(f);
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_DEADLOCK);
	/* the wfi did not retire: pc stays at it, its cycle counts */
	assert_int_equal(f->cpu->pc, wfi);
	assert_int_equal(mach_instret(f->m), 1);
	assert_int_equal(mach_cycles(f->m), 2);
}

/* TVEC pointing at nothing: the handler's first fetch traps again. */
static void test_trap_handler_that_traps_is_double_fault(void **state)
{
	struct fix *f = *state;
	mach_set_cr(f->m, CR_TVEC, 0x80000000u);
	emit_op(f, OP_BREAK);
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_DOUBLE_FAULT);
	assert_int_equal(mach_instret(f->m), 0); /* break trapped: none retired */
}

/* The handler's first instruction executes and traps (word 0 at TVEC 0 is
 * illegal): it did not retire either, though its dispatch took a cycle. */
static void test_double_fault_instruction_does_not_retire(void **state)
{
	struct fix *f = *state;
	mach_set_cr(f->m, CR_TVEC, 0);
	emit_i(f, OP_ADDI, R_ZERO, R_ZERO, 0); /* nop */
	emit_op(f, OP_BREAK);
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_DOUBLE_FAULT);
	assert_int_equal(mach_instret(f->m), 1); /* the nop */
	assert_int_equal(mach_cpu(f->m)->pc, 0);
	assert_int_equal(mach_cpu(f->m)->cr[CR_CAUSE], CAUSE_BREAK);
}

/* ---- budgets and breakpoints --------------------------------------------------------- */

static void test_budget_stops_an_infinite_loop(void **state)
{
	struct fix *f = *state;
	uint32_t loop = emit_jal(f, R_ZERO, f->at); /* j . */
	for (int run = 0; run < 2; run++) {
		uint64_t start = mach_cycles(f->m);
		fix_run_expect(f, 1000, MACH_STOP_BUDGET);
		uint64_t spent = mach_cycles(f->m) - start;
		assert_true(spent >= 1000);
		assert_true(spent <= 1000 + 16);
		assert_int_equal(f->cpu->pc, loop);
	}
}

static void test_breakpoint_stops_before_the_instruction(void **state)
{
	struct fix *f = *state;
	emit_i(f, OP_ADDI, R_A0, R_A0, 1);
	emit_i(f, OP_ADDI, R_A0, R_A0, 1);
	uint32_t bp = emit_i(f, OP_ADDI, R_A0, R_A0, 1);
	emit_i(f, OP_ADDI, R_A0, R_A0, 1);
	emit_done(f);
	assert_true(mach_add_breakpoint(f->m, bp));
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_BREAKPOINT);
	assert_int_equal(f->cpu->pc, bp);
	assert_int_equal(f->cpu->x[R_A0], 2);
	assert_int_equal(mach_instret(f->m), 2);
	/* a second run continues past it */
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A0], 4);
	assert_true(mach_remove_breakpoint(f->m, bp));
	assert_false(mach_remove_breakpoint(f->m, bp));
}

/*
 * With a breakpoint set, mach_run goes one instruction per batch; a wfi
 * must still wait as it does without one (the fuzzer met a wfi waiting
 * for cycle 0xf0000000 that took a batch per cycle).  Runs of 1000 cycles
 * stop in the wait at the same clock as without the breakpoint, and the
 * interrupt comes at the same cycle.
 */
static void emit_wfi_program(struct fix *f)
{
	emit_li(f, R_T2, PSW_MODE | PSW_IE);
	emit_mtcr(f, CR_PSW, R_T2);
	emit_timer_start(f, 5000);
	emit_op(f, OP_WFI);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 1);
	emit_done(f);
}

static void test_wfi_waits_the_same_with_a_breakpoint_set(void **state)
{
	(void)state;
	struct fix *with = fix_new((struct mach_config){0});
	struct fix *without = fix_new((struct mach_config){0});
	emit_wfi_program(with);
	emit_wfi_program(without);
	assert_true(mach_add_breakpoint(with->m, FIX_CODE + 0x800)); /* never reached */
	enum mach_stop a = MACH_STOP_BUDGET, b = MACH_STOP_BUDGET;
	for (int i = 0; i < 20 && a == MACH_STOP_BUDGET; i++) {
		a = mach_run(with->m, 1000);
		b = mach_run(without->m, 1000);
		assert_int_equal(a, b);
		assert_int_equal(mach_cycles(with->m), mach_cycles(without->m));
		assert_int_equal(with->cpu->pc, without->cpu->pc);
	}
	if (a != MACH_STOP_HALT || with->cpu->pc != FIX_HANDLER + 8)
		fix_explain(with, a, "a trap into the handler");
	assert_int_equal(with->cpu->cr[CR_CAUSE], CAUSE_INTERRUPT | IRQ_TIMER);
	assert_memory_equal(with->cpu, without->cpu, sizeof *with->cpu);
	fix_free(with);
	fix_free(without);
}

/* ---- determinism ------------------------------------------------------------------ */

/* A busy program: arithmetic, memory, the console, timer ticks. */
static void emit_busy_program(struct fix *f)
{
	emit_timer_start(f, 37);
	emit_li(f, R_S1, FIX_DATA);
	emit_li(f, R_S2, DEV_CONSOLE_BASE);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 1);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 7);
	emit_i(f, OP_ADDI, R_S0, R_ZERO, 200);
	uint32_t loop = emit_r(f, OP_MUL, R_A0, R_A0, R_A1);
	emit_i(f, OP_ADDI, R_A0, R_A0, 13);
	emit_store(f, OP_SW, R_A0, 0, R_S1);
	emit_load(f, OP_LHU, R_A2, 2, R_S1);
	emit_r(f, OP_REMU, R_A3, R_A0, R_A1);
	emit_r(f, OP_ADD, R_T2, R_T2, R_A3);
	emit_i(f, OP_ANDI, R_A3, R_A3, 0x3f);
	emit_i(f, OP_ADDI, R_A3, R_A3, 0x30);
	emit_store(f, OP_SB, R_A3, CONSOLE_TX, R_S2);
	emit(f, OP_RDCYCLE, R_GP, 0, 0, 0);
	emit_store(f, OP_SW, R_ZERO, TIMER_ACK, R_T0);
	emit_i(f, OP_ADDI, R_S1, R_S1, 4);
	emit_i(f, OP_ADDI, R_S0, R_S0, -1);
	emit_branch(f, OP_BNE, R_S0, R_ZERO, loop);
	emit_done(f);
}

static void test_same_program_gives_same_cycles_and_state(void **state)
{
	(void)state;
	struct fix *a = fix_new((struct mach_config){0});
	struct fix *b = fix_new((struct mach_config){0});
	emit_busy_program(a);
	emit_busy_program(b);
	fix_run_to_done(a);
	fix_run_to_done(b);
	assert_int_equal(mach_cycles(a->m), mach_cycles(b->m));
	assert_int_equal(mach_instret(a->m), mach_instret(b->m));
	assert_memory_equal(a->cpu, b->cpu, sizeof *a->cpu);
	assert_int_equal(a->outlen, 200);
	assert_int_equal(a->outlen, b->outlen);
	assert_memory_equal(a->out, b->out, a->outlen);
	uint8_t ram_a[0x1000], ram_b[0x1000];
	assert_true(mach_phys_read(a->m, FIX_DATA, ram_a, sizeof ram_a));
	assert_true(mach_phys_read(b->m, FIX_DATA, ram_b, sizeof ram_b));
	assert_memory_equal(ram_a, ram_b, sizeof ram_a);
	fix_free(a);
	fix_free(b);
}

/* ---- self-modifying code ----------------------------------------------------------- */

/*
 * A loop whose first instruction is rewritten by a store inside the loop:
 * the second iteration must run the new instruction, although the old one
 * was already executed (and decoded) once.
 */
static void test_store_over_executed_instruction_runs_new_code(void **state)
{
	struct fix *f = *state;
	emit_i(f, OP_ADDI, R_S0, R_ZERO, 2);
	uint32_t target = emit_i(f, OP_ADDI, R_A0, R_ZERO, 1);
	emit_r(f, OP_ADD, R_A1, R_A1, R_A0);
	emit_store(f, OP_SW, R_T0, 0, R_T1);
	emit_i(f, OP_ADDI, R_S0, R_S0, -1);
	emit_branch(f, OP_BNE, R_S0, R_ZERO, target);
	emit_done(f);
	f->cpu->x[R_T0] = fix_encode(OP_ADDI, R_A0, R_ZERO, 0, 42);
	f->cpu->x[R_T1] = target;
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A1], 1 + 42);
}

/* The store rewrites the very next instruction. */
static void test_store_over_next_instruction_runs_new_code(void **state)
{
	struct fix *f = *state;
	uint32_t store = emit_store(f, OP_SW, R_T0, 0, R_T1);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 1);
	emit_done(f);
	f->cpu->x[R_T0] = fix_encode(OP_ADDI, R_A0, R_ZERO, 0, 42);
	f->cpu->x[R_T1] = store + 4;
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A0], 42);
}

/* The host (a loader, a debugger, the VMM) writes over code already run. */
static void test_host_write_over_executed_code_runs_new_code(void **state)
{
	struct fix *f = *state;
	uint32_t pc = emit_i(f, OP_ADDI, R_A0, R_ZERO, 1);
	emit_i(f, OP_ADDI, R_A1, R_A0, 0);
	fix_step(f);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A1], 1);

	fix_poke32(f, pc, fix_encode(OP_ADDI, R_A0, R_ZERO, 0, 7));
	f->cpu->pc = pc;
	fix_step(f);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A0], 7);
	assert_int_equal(f->cpu->x[R_A1], 7);
}

/*
 * Each iteration rewrites one instruction of the loop and a data word on
 * the same page.  Writes make single words decode again until the page
 * has taken CODE_STALE_LIMIT of them; then it is dropped and rebuilt
 * while the loop runs on it.  600 iterations cross that point several
 * times, and every iteration after the first must run the new code.
 */
static void test_stores_on_a_code_page_past_the_stale_limit_run_new_code(void **state)
{
	struct fix *f = *state;
	emit_i(f, OP_ADDI, R_S0, R_ZERO, 600);
	uint32_t target = emit_i(f, OP_ADDI, R_A0, R_ZERO, 1);
	emit_r(f, OP_ADD, R_A1, R_A1, R_A0);
	emit_store(f, OP_SW, R_T0, 0, R_T1);
	emit_store(f, OP_SW, R_S0, 0, R_T2);
	emit_i(f, OP_ADDI, R_S0, R_S0, -1);
	emit_branch(f, OP_BNE, R_S0, R_ZERO, target);
	emit_done(f);
	f->cpu->x[R_T0] = fix_encode(OP_ADDI, R_A0, R_ZERO, 0, 2);
	f->cpu->x[R_T1] = target;
	f->cpu->x[R_T2] = FIX_CODE + 0x800; /* data on the code page */
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A1], 1 + 2 * 599);
	assert_int_equal(fix_peek32(f, FIX_CODE + 0x800), 1);
}

/* The host writes a whole page of new code over code already run: the
 * page is dropped, not patched word by word, and runs the new code. */
static void test_host_write_of_a_whole_page_over_executed_code_runs_new_code(void **state)
{
	struct fix *f = *state;
	uint32_t pc = emit_i(f, OP_ADDI, R_A0, R_A0, 1);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A0], 1);

	static uint32_t page[PAGE_SIZE / 4];
	for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
		page[i] = fix_encode(OP_ADDI, R_A0, R_A0, 0, 3);
	assert_true(mach_phys_write(f->m, pc, page, sizeof page));
	f->cpu->pc = pc;
	fix_step(f);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A0], 1 + 3 + 3);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fix_setup, fix_teardown)
#define T_LEAKY(fn) \
	cmocka_unit_test_setup_teardown(fn, fix_setup_leaky, fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_add_sub_wrap_around),
		T(test_and_or_xor),
		T(test_register_shifts_use_low_five_bits),
		T(test_slt_signed_sltu_unsigned),
		T(test_mul_low_bits_mulhu_high_bits),
		T(test_div_rem_truncate_toward_zero),
		T(test_div_int_min_by_minus_one_is_int_min_rem_zero),
		T(test_divu_remu_are_unsigned),
		T(test_division_by_zero_traps_divzero_rd_unchanged),
		T(test_addi_slti_sltiu_sign_extend_imm),
		T(test_andi_ori_xori_zero_extend_imm),
		T(test_lui_sets_upper_half_and_clears_lower),
		T(test_immediate_shifts),
		T(test_r0_reads_zero_after_being_written),
		T(test_loads_extend_and_are_little_endian),
		T(test_stores_write_only_their_bytes),
		T(test_misaligned_load_traps_rd_unchanged),
		T(test_misaligned_store_traps_and_writes_nothing),
		T(test_misaligned_access_in_page_zero_traps),
		T(test_branches_taken_and_not_taken_both_directions),
		T(test_jal_writes_next_pc_and_jumps),
		T(test_jalr_writes_next_pc_and_jumps),
		T(test_jalr_with_rd_equal_rs1_uses_old_value),
		T(test_jalr_to_misaligned_target_faults_on_fetch),
		T(test_all_zeros_and_all_ones_words_are_illegal),
		T(test_word_with_stray_must_be_zero_bit_is_illegal),
		T(test_syscall_traps_with_epc_at_the_syscall),
		T(test_break_traps_break),
		T(test_hcall_is_illegal_on_the_bare_machine),
		T(test_trap_entry_saves_psw_enters_supervisor),
		T(test_rfe_restores_psw_from_epsw_and_pc_from_epc),
		T(test_privileged_instructions_trap_priv_in_user_mode),
		T(test_sensitive_instructions_trap_priv_in_user_mode_when_clean),
		T_LEAKY(test_leaky_user_rdpsw_reads_real_psw),
		T_LEAKY(test_leaky_user_wrpsw_ignores_mode_ie_pg),
		T_LEAKY(test_leaky_user_rdtvec_reads_tvec),
		T(test_sensitive_instructions_in_supervisor_same_in_both_modes),
		T(test_mfcr_mtcr_round_trip_every_control_register),
		T(test_psw_other_bits_read_zero),
		T(test_rdcycle_counts_cycles),
		T(test_add_costs_one_insn_and_instret_counts_it),
		T(test_mul_costs_insn_plus_muldiv),
		T(test_access_to_unbacked_memory_is_bus_error),
		T(test_fetch_from_unbacked_memory_is_bus_error),
		T(test_store_to_test_device_halts_with_status),
		T(test_narrow_store_to_device_writes_zero_extended),
		T(test_console_tx_output_is_captured),
		T(test_narrow_load_of_device_register_reads_low_bits),
		T(test_device_bytes_off_register_read_zero_ignore_writes),
		T(test_write_only_device_registers_read_zero),
		T(test_pending_timer_taken_right_after_mtcr_sets_ie),
		T(test_pending_timer_taken_right_after_wrpsw_sets_ie),
		T(test_pending_timer_taken_right_after_rfe_sets_ie),
		T(test_timer_ack_clears_pending),
		T(test_writing_period_clears_pending),
		T(test_timer_started_by_a_store_interrupts_on_time),
		T(test_wfi_with_ie_clear_resumes_at_next_instruction),
		T(test_wfi_with_ie_set_takes_interrupt_after_wfi),
		T(test_wfi_across_short_runs_takes_interrupt_after_wfi),
		T(test_wfi_with_nothing_to_wake_is_deadlock),
		T(test_trap_handler_that_traps_is_double_fault),
		T(test_double_fault_instruction_does_not_retire),
		T(test_budget_stops_an_infinite_loop),
		T(test_breakpoint_stops_before_the_instruction),
		T(test_wfi_waits_the_same_with_a_breakpoint_set),
		T(test_same_program_gives_same_cycles_and_state),
		T(test_store_over_executed_instruction_runs_new_code),
		T(test_store_over_next_instruction_runs_new_code),
		T(test_host_write_over_executed_code_runs_new_code),
		T(test_stores_on_a_code_page_past_the_stale_limit_run_new_code),
		T(test_host_write_of_a_whole_page_over_executed_code_runs_new_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
