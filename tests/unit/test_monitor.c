/*
 * test_monitor.c - the machine in monitor mode (mach_config.monitor):
 * supervisor mode belongs to the host, so every trap and every interrupt
 * taken ends mach_run() with MACH_STOP_EXIT and an exit record, and no
 * control register changes.  This is the world switch out that the VMM is
 * built on; the VMM's next mach_run() is the world switch in.
 *
 * The guest code runs in real user mode (PSW.MODE = 0), as guest kernels
 * do under the VMM.  Each test checks the exit record (cause, pc, badva,
 * insn) and that the architectural state is exactly as the trapping
 * instruction found it.
 */
#include "machine_fixture.h"

#define UDATA_VA 0x00400000u
#define UDATA_PA (FIX_FREE + 0x1000u)
#define UNMAPPED_VA 0x00c00000u

/*
 * Puts distinctive values in the control registers, so that a test can
 * see that an exit touched none of them; user mode with psw; pc and f->at
 * at FIX_USER.
 */
static void guest_user_mode(struct fix *f, uint32_t psw)
{
	mach_set_cr(f->m, CR_EPC, 0x0badc0deu);
	mach_set_cr(f->m, CR_EPSW, PSW_MODE | PSW_IE);
	mach_set_cr(f->m, CR_CAUSE, 0x55);
	mach_set_cr(f->m, CR_BADVA, 0x66666666u);
	mach_set_cr(f->m, CR_SCRATCH, 0x77777777u);
	mach_set_cr(f->m, CR_PSW, psw);
	f->cpu->pc = FIX_USER;
	f->at = FIX_USER;
}

/* Runs until an exit; checks it and that every control register is what
 * it was before (saved in cr). */
static const struct mach_exit *expect_exit(struct fix *f, const uint32_t *cr,
					   uint32_t cause, uint32_t pc,
					   uint32_t badva, uint32_t insn)
{
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_EXIT);
	const struct mach_exit *e = mach_exit(f->m);
	assert_int_equal(e->cause, cause);
	assert_int_equal(e->pc, pc);
	assert_int_equal(e->badva, badva);
	assert_int_equal(e->insn, insn);
	for (unsigned i = 0; i < CR_COUNT; i++)
		if (f->cpu->cr[i] != cr[i])
			fail_msg("exit changed %s: 0x%08x, was 0x%08x",
				 isa_cr_name(i), f->cpu->cr[i], cr[i]);
	return e;
}

/* The world switch out on a syscall, and back in: the host moves pc past
 * the syscall (as the guest kernel's handler would), and the guest goes
 * on. */
static void test_syscall_exits_and_guest_continues(void **state)
{
	struct fix *f = *state;
	guest_user_mode(f, 0);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 1);
	uint32_t sys = emit_op(f, OP_SYSCALL);
	emit_i(f, OP_ADDI, R_A0, R_A0, 10);
	uint32_t brk = emit_op(f, OP_BREAK);
	uint32_t cr[CR_COUNT];
	memcpy(cr, f->cpu->cr, sizeof cr);

	expect_exit(f, cr, CAUSE_SYSCALL, sys, 0,
		    fix_encode(OP_SYSCALL, 0, 0, 0, 0));
	assert_int_equal(f->cpu->pc, sys); /* still at the syscall */
	assert_int_equal(f->cpu->x[R_A0], 1);

	f->cpu->pc += 4;
	expect_exit(f, cr, CAUSE_BREAK, brk, 0, fix_encode(OP_BREAK, 0, 0, 0, 0));
	assert_int_equal(f->cpu->pc, brk);
	assert_int_equal(f->cpu->x[R_A0], 11);
}

static void test_privileged_instruction_exits_priv_with_its_word(void **state)
{
	struct fix *f = *state;
	guest_user_mode(f, 0);
	uint32_t pc = emit_mtcr(f, CR_SCRATCH, R_A1);
	f->cpu->x[R_A1] = 0x1234;
	uint32_t cr[CR_COUNT];
	memcpy(cr, f->cpu->cr, sizeof cr);
	expect_exit(f, cr, CAUSE_PRIV, pc, 0,
		    fix_encode(OP_MTCR, 0, R_A1, 0, CR_SCRATCH));
	assert_int_equal(f->cpu->cr[CR_SCRATCH], 0x77777777u);
	assert_int_equal(f->cpu->pc, pc);
}

/* Sensitive instructions in clean mode exit like privileged ones: this is
 * what makes the machine virtualizable by trap-and-emulate. */
static void test_rdpsw_in_user_mode_exits_priv_when_clean(void **state)
{
	struct fix *f = *state;
	guest_user_mode(f, 0);
	uint32_t pc = emit(f, OP_RDPSW, R_A0, 0, 0, 0);
	f->cpu->x[R_A0] = 0x99;
	uint32_t cr[CR_COUNT];
	memcpy(cr, f->cpu->cr, sizeof cr);
	expect_exit(f, cr, CAUSE_PRIV, pc, 0, fix_encode(OP_RDPSW, R_A0, 0, 0, 0));
	assert_int_equal(f->cpu->x[R_A0], 0x99);
}

/* The guest runs on the VMM's page tables: a load from an unmapped page
 * and a store to a read-only page exit with the CAUSE detail bits and the
 * virtual address. */
static void test_page_faults_exit_with_badva_and_detail_bits(void **state)
{
	struct fix *f = *state;
	pt_init(f);
	pt_map(f, FIX_USER, FIX_USER, PTE_U | PTE_R | PTE_X);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_U | PTE_R);
	guest_user_mode(f, PSW_PG);
	uint32_t load = emit_load(f, OP_LW, R_A0, 8, R_T0);
	uint32_t store = emit_store(f, OP_SW, R_A1, 4, R_T1);
	f->cpu->x[R_T0] = UNMAPPED_VA;
	f->cpu->x[R_T1] = UDATA_VA;
	f->cpu->x[R_A0] = 0x5a5a;
	uint32_t pte = pt_pte(f, UDATA_VA);
	uint32_t cr[CR_COUNT];
	memcpy(cr, f->cpu->cr, sizeof cr);

	expect_exit(f, cr, CAUSE_PAGE_FAULT | CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT,
		    load, UNMAPPED_VA + 8, fix_encode(OP_LW, R_A0, R_T0, 0, 8));
	assert_int_equal(mach_exit(f->m)->cause, 0x107);
	assert_int_equal(f->cpu->x[R_A0], 0x5a5a);

	f->cpu->pc += 4; /* as if the VMM emulated the load */
	expect_exit(f, cr,
		    CAUSE_PAGE_FAULT | CAUSE_ACCESS_STORE << CAUSE_ACCESS_SHIFT |
			    CAUSE_PRESENT,
		    store, UDATA_VA + 4, fix_encode(OP_SW, 0, R_T1, R_A1, 4));
	assert_int_equal(mach_exit(f->m)->cause, 0x607);
	assert_int_equal(pt_pte(f, UDATA_VA), pte); /* no A, no D */
}

/* An interrupt exits with the interrupt cause and pc = the next
 * instruction to run, where the CPU's pc also is; PSW.IE is left alone. */
static void test_timer_interrupt_exits_with_next_pc(void **state)
{
	struct fix *f = *state;
	guest_user_mode(f, PSW_IE);
	emit_li(f, R_T0, DEV_TIMER_BASE);
	emit_i(f, OP_ADDI, R_T1, R_ZERO, 50);
	emit_store(f, OP_SW, R_T1, TIMER_PERIOD, R_T0);
	uint32_t loop = emit_jal(f, R_ZERO, f->at); /* j . */
	uint32_t cr[CR_COUNT];
	memcpy(cr, f->cpu->cr, sizeof cr);

	expect_exit(f, cr, CAUSE_INTERRUPT | IRQ_TIMER, loop, 0, 0);
	assert_int_equal(mach_exit(f->m)->cause, 0x80000000u);
	assert_int_equal(f->cpu->pc, loop);
	assert_int_equal(f->cpu->cr[CR_PSW], PSW_IE);
}

static void test_hcall_exits_with_cause_hcall(void **state)
{
	struct fix *f = *state;
	guest_user_mode(f, 0);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 3);
	uint32_t pc = emit_op(f, OP_HCALL);
	uint32_t cr[CR_COUNT];
	memcpy(cr, f->cpu->cr, sizeof cr);
	expect_exit(f, cr, CAUSE_HCALL, pc, 0, fix_encode(OP_HCALL, 0, 0, 0, 0));
	assert_int_equal(f->cpu->pc, pc);
	assert_int_equal(f->cpu->x[R_A0], 3);
}

/* The test device is not a trap: the machine halts as natively. */
static void test_test_device_still_halts(void **state)
{
	struct fix *f = *state;
	guest_user_mode(f, 0);
	emit_li(f, R_T0, DEV_TEST_BASE + TEST_EXIT);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 7);
	emit_store(f, OP_SW, R_A0, 0, R_T0);
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_HALT);
	assert_int_equal(mach_exit_status(f->m), 7);
}

#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, fix_setup_monitor, fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_syscall_exits_and_guest_continues),
		T(test_privileged_instruction_exits_priv_with_its_word),
		T(test_rdpsw_in_user_mode_exits_priv_when_clean),
		T(test_page_faults_exit_with_badva_and_detail_bits),
		T(test_timer_interrupt_exits_with_next_pc),
		T(test_hcall_exits_with_cause_hcall),
		T(test_test_device_still_halts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
