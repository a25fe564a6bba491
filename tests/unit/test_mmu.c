/*
 * test_mmu.c - paging on the bare machine: the two-level walk, permissions
 * and the page-fault CAUSE detail bits, malformed entries, bus errors in
 * the walk, accessed and dirty bits, the TLB and its invalidation, and
 * mach_translate.
 *
 * Page tables are built by hand in RAM with the fixture's pt_*() helpers
 * (machine_fixture.h): pt_map_kernel() identity-maps the kernel (code,
 * trap handler, data, the page tables themselves, the devices), supervisor
 * only; each test adds the pages it is about.  Most tests run a short
 * program that ends in the fixture's halting trap handler, then read
 * CAUSE, EPC, BADVA and the PTEs in memory.
 *
 * CAUSE for a page fault, as isa/ISA.md section 6.1 fixes it:
 *     7 | access << 8 | present << 10,   access 0 fetch, 1 load, 2 store
 */
#include "machine_fixture.h"

/* User pages: virtual addresses away from the identity-mapped kernel, and
 * frames in the free part of RAM, so that translation is visible. */
#define UDATA_VA 0x00400000u
#define UDATA_PA (FIX_FREE + 0x1000u)
#define UNMAPPED_VA 0x00c00000u /* its root entry is never made */

/* Two pages for the TLB tests, in TLB slots no code or data page uses. */
#define TLB_VA1 0x00480000u
#define TLB_VA2 0x00481000u
#define FRAME_OLD1 (FIX_FREE + 0x10000u)
#define FRAME_NEW1 (FIX_FREE + 0x11000u)
#define FRAME_OLD2 (FIX_FREE + 0x12000u)
#define FRAME_NEW2 (FIX_FREE + 0x13000u)

static uint32_t page_fault(unsigned access, bool present)
{
	return CAUSE_PAGE_FAULT | access << CAUSE_ACCESS_SHIFT |
	       (present ? CAUSE_PRESENT : 0);
}

/* Kernel map, paging on, supervisor mode, pc = FIX_CODE. */
static void kernel_paging(struct fix *f)
{
	pt_map_kernel(f);
	mach_set_cr(f->m, CR_PSW, PSW_MODE | PSW_PG);
}

/* Kernel map plus the user code page (U|R|X at FIX_USER, identity), and
 * user mode with paging: pc = FIX_USER, where f->at now points. */
static void user_paging(struct fix *f)
{
	pt_map_kernel(f);
	pt_map(f, FIX_USER, FIX_USER, PTE_U | PTE_R | PTE_X);
	mach_set_cr(f->m, CR_PSW, PSW_PG);
	f->cpu->pc = FIX_USER;
	f->at = FIX_USER;
}

/* ---- a paged machine runs ------------------------------------------------------ */

static void test_identity_mapped_kernel_runs_with_paging(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	fix_poke32(f, FIX_DATA, 0x1234);
	emit_li(f, R_T0, FIX_DATA);
	emit_load(f, OP_LW, R_A0, 0, R_T0);
	emit_i(f, OP_ADDI, R_A0, R_A0, 1);
	emit_store(f, OP_SW, R_A0, 4, R_T0);
	emit_done(f);
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A0], 0x1235);
	assert_int_equal(fix_peek32(f, FIX_DATA + 4), 0x1235);
	assert_int_equal(f->cpu->cr[CR_PSW], PSW_MODE | PSW_PG);
}

/* The kernel enters user mode with rfe (EPSW = PG); the user program
 * loads through a U page whose frame is elsewhere in RAM. */
static void test_user_load_through_user_page(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	pt_map(f, FIX_USER, FIX_USER, PTE_U | PTE_R | PTE_X);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_U | PTE_R);
	fix_poke32(f, UDATA_PA + 8, 0xfeedf00du);
	mach_set_cr(f->m, CR_EPSW, PSW_PG);
	mach_set_cr(f->m, CR_EPC, FIX_USER);
	emit_op(f, OP_RFE);

	f->at = FIX_USER;
	emit_li(f, R_T0, UDATA_VA);
	emit_load(f, OP_LW, R_A0, 8, R_T0);
	uint32_t sys = emit_op(f, OP_SYSCALL);
	assert_int_equal(fix_run_to_trap(f), CAUSE_SYSCALL);
	assert_int_equal(f->cpu->cr[CR_EPC], sys);
	assert_int_equal(f->cpu->cr[CR_EPSW], PSW_PG);
	assert_int_equal(f->cpu->cr[CR_PSW], PSW_MODE | PSW_PG);
	assert_int_equal(f->cpu->x[R_A0], 0xfeedf00du);
}

/* With PG = 0 user mode reaches physical memory and devices unchecked. */
static void test_user_mode_without_paging_reaches_memory_and_devices(void **state)
{
	struct fix *f = *state;
	fix_poke32(f, FIX_DATA, 77);
	mach_set_cr(f->m, CR_PSW, 0);
	emit_li(f, R_T0, FIX_DATA);
	emit_load(f, OP_LW, R_A0, 0, R_T0);
	emit_li(f, R_T1, DEV_TEST_BASE + TEST_EXIT);
	emit_store(f, OP_SW, R_A0, 0, R_T1);
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_HALT);
	assert_int_equal(mach_exit_status(f->m), 77);
	assert_int_equal(f->cpu->cr[CR_PSW], 0);
}

/* ---- permissions and the CAUSE detail bits ------------------------------------------ */

static void test_user_load_from_supervisor_page_is_protection_fault(void **state)
{
	struct fix *f = *state;
	user_paging(f);
	uint32_t pte = pt_pte(f, FIX_DATA);
	uint32_t pc = emit_load(f, OP_LW, R_A0, 0, R_T0);
	f->cpu->x[R_T0] = FIX_DATA;
	f->cpu->x[R_A0] = 0x5a5a;
	assert_int_equal(fix_run_to_trap(f), page_fault(CAUSE_ACCESS_LOAD, true));
	assert_int_equal(f->cpu->cr[CR_CAUSE], 0x507);
	assert_int_equal(f->cpu->cr[CR_BADVA], FIX_DATA);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
	assert_int_equal(f->cpu->cr[CR_EPSW], PSW_PG);
	assert_int_equal(f->cpu->x[R_A0], 0x5a5a);
	assert_int_equal(pt_pte(f, FIX_DATA), pte); /* no A bit */
}

static void test_store_to_read_only_page_is_store_protection_fault(void **state)
{
	struct fix *f = *state;
	user_paging(f);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_U | PTE_R);
	uint32_t pte = pt_pte(f, UDATA_VA);
	fix_poke32(f, UDATA_PA + 12, 0x1111);
	uint32_t pc = emit_store(f, OP_SW, R_A1, 12, R_T0);
	f->cpu->x[R_T0] = UDATA_VA;
	f->cpu->x[R_A1] = 0x2222;
	assert_int_equal(fix_run_to_trap(f), page_fault(CAUSE_ACCESS_STORE, true));
	assert_int_equal(f->cpu->cr[CR_CAUSE], 7u | 2u << 8 | 1u << 10);
	assert_int_equal(f->cpu->cr[CR_BADVA], UDATA_VA + 12);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
	assert_int_equal(fix_peek32(f, UDATA_PA + 12), 0x1111); /* not written */
	assert_int_equal(pt_pte(f, UDATA_VA), pte);             /* no A, no D */
}

/* A readable, writable page is still not executable without X: fetch
 * faults carry access 0, with EPC = BADVA = the target. */
static void test_fetch_from_non_executable_page_is_fetch_fault(void **state)
{
	struct fix *f = *state;
	user_paging(f);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_U | PTE_R | PTE_W);
	fix_poke32(f, UDATA_PA, fix_encode(OP_ADDI, R_A0, R_ZERO, 0, 1));
	emit_i(f, OP_JALR, R_ZERO, R_T0, 0);
	f->cpu->x[R_T0] = UDATA_VA;
	assert_int_equal(fix_run_to_trap(f), page_fault(CAUSE_ACCESS_FETCH, true));
	assert_int_equal(f->cpu->cr[CR_CAUSE], 0x407);
	assert_int_equal(f->cpu->cr[CR_EPC], UDATA_VA);
	assert_int_equal(f->cpu->cr[CR_BADVA], UDATA_VA);
	assert_int_equal(f->cpu->x[R_A0], 0);
}

/* A supervisor fetch from a page without X faults too. */
static void test_supervisor_fetch_from_non_executable_page_faults(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_R | PTE_W);
	emit_i(f, OP_JALR, R_ZERO, R_T0, 4);
	f->cpu->x[R_T0] = UDATA_VA;
	assert_int_equal(fix_run_to_trap(f), page_fault(CAUSE_ACCESS_FETCH, true));
	assert_int_equal(f->cpu->cr[CR_BADVA], UDATA_VA + 4);
	assert_int_equal(f->cpu->cr[CR_EPSW], PSW_MODE | PSW_PG);
}

static void test_not_present_root_entry_fault_has_no_present_bit(void **state)
{
	struct fix *f = *state;
	user_paging(f);
	uint32_t pc = emit_load(f, OP_LW, R_A0, 4, R_T0);
	f->cpu->x[R_T0] = UNMAPPED_VA;
	assert_int_equal(fix_run_to_trap(f), page_fault(CAUSE_ACCESS_LOAD, false));
	assert_int_equal(f->cpu->cr[CR_CAUSE], 0x107);
	assert_int_equal(f->cpu->cr[CR_BADVA], UNMAPPED_VA + 4);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);

	struct fix *g = fix_new((struct mach_config){0});
	user_paging(g);
	pc = emit_store(g, OP_SB, R_A0, 1, R_T0);
	g->cpu->x[R_T0] = UNMAPPED_VA;
	assert_int_equal(fix_run_to_trap(g), page_fault(CAUSE_ACCESS_STORE, false));
	assert_int_equal(g->cpu->cr[CR_CAUSE], 0x207);
	assert_int_equal(g->cpu->cr[CR_BADVA], UNMAPPED_VA + 1);
	assert_int_equal(g->cpu->cr[CR_EPC], pc);
	fix_free(g);
}

/* The root entry is there, the leaf entry is 0. */
static void test_not_present_leaf_entry_fault_has_no_present_bit(void **state)
{
	struct fix *f = *state;
	user_paging(f);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_U | PTE_R | PTE_W | PTE_X);
	uint32_t pc = emit_load(f, OP_LW, R_A0, 0, R_T0);
	f->cpu->x[R_T0] = UDATA_VA + PAGE_SIZE;
	assert_int_equal(fix_run_to_trap(f), page_fault(CAUSE_ACCESS_LOAD, false));
	assert_int_equal(f->cpu->cr[CR_BADVA], UDATA_VA + PAGE_SIZE);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);

	/* a fetch from it */
	struct fix *g = fix_new((struct mach_config){0});
	user_paging(g);
	pt_map(g, UDATA_VA, UDATA_PA, PTE_U | PTE_R | PTE_W | PTE_X);
	emit_i(g, OP_JALR, R_ZERO, R_T0, 0);
	g->cpu->x[R_T0] = UDATA_VA + PAGE_SIZE;
	assert_int_equal(fix_run_to_trap(g), page_fault(CAUSE_ACCESS_FETCH, false));
	assert_int_equal(g->cpu->cr[CR_EPC], UDATA_VA + PAGE_SIZE);
	assert_int_equal(g->cpu->cr[CR_BADVA], UDATA_VA + PAGE_SIZE);
	fix_free(g);
}

/* Supervisor mode may read, write and execute U pages. */
static void test_supervisor_may_read_write_execute_user_pages(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_U | PTE_R | PTE_W | PTE_X);
	fix_poke32(f, UDATA_PA, 0x31415926u);
	fix_poke32(f, UDATA_PA + 8, fix_encode(OP_ADDI, R_A2, R_ZERO, 0, 9));
	fix_poke32(f, UDATA_PA + 12, fix_encode(OP_SYSCALL, 0, 0, 0, 0));
	emit_load(f, OP_LW, R_A0, 0, R_T0);
	emit_store(f, OP_SW, R_A1, 4, R_T0);
	emit_i(f, OP_JALR, R_ZERO, R_T0, 8);
	f->cpu->x[R_T0] = UDATA_VA;
	f->cpu->x[R_A1] = 0x27182818u;
	assert_int_equal(fix_run_to_trap(f), CAUSE_SYSCALL);
	assert_int_equal(f->cpu->cr[CR_EPC], UDATA_VA + 12);
	assert_int_equal(f->cpu->x[R_A0], 0x31415926u);
	assert_int_equal(fix_peek32(f, UDATA_PA + 4), 0x27182818u);
	assert_int_equal(f->cpu->x[R_A2], 9);
}

/* ---- malformed entries and bus errors in the walk ----------------------------------- */

/* PG32 has no superpages: a root entry with R, W or X set is malformed,
 * and faults as present. */
static void test_root_entry_with_r_set_is_malformed(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_R | PTE_W);
	uint32_t root = fix_peek32(f, pt_root_entry(UDATA_VA));
	fix_poke32(f, pt_root_entry(UDATA_VA), root | PTE_R);
	uint32_t pc = emit_load(f, OP_LW, R_A0, 0, R_T0);
	f->cpu->x[R_T0] = UDATA_VA;
	assert_int_equal(fix_run_to_trap(f), page_fault(CAUSE_ACCESS_LOAD, true));
	assert_int_equal(f->cpu->cr[CR_BADVA], UDATA_VA);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
}

/* A level-2 entry must grant something: V alone there would be a pointer
 * to a third level, which PG32 does not have. */
static void test_leaf_entry_without_rwx_is_malformed(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	fix_poke32(f, pt_leaf_entry(f, UDATA_VA), UDATA_PA | PTE_V);
	emit_store(f, OP_SW, R_A0, 0, R_T0);
	f->cpu->x[R_T0] = UDATA_VA;
	assert_int_equal(fix_run_to_trap(f), page_fault(CAUSE_ACCESS_STORE, true));
	assert_int_equal(f->cpu->cr[CR_BADVA], UDATA_VA);
}

/* A root entry that points outside RAM: the walk's read of the leaf table
 * is a bus error, reported at the virtual address. */
static void test_walk_into_unbacked_memory_is_bus_error_at_va(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	fix_poke32(f, pt_root_entry(UDATA_VA), 0x80000000u | PTE_V);
	uint32_t pc = emit_load(f, OP_LW, R_A0, 4, R_T0);
	f->cpu->x[R_T0] = UDATA_VA;
	f->cpu->x[R_A0] = 0x5a5a;
	assert_int_equal(fix_run_to_trap(f), CAUSE_BUS_ERROR);
	assert_int_equal(f->cpu->cr[CR_BADVA], UDATA_VA + 4);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);
	assert_int_equal(f->cpu->x[R_A0], 0x5a5a);
}

/* PTBR beyond RAM: the very first fetch is a bus error at pc.  Natively
 * the handler's fetch fails too (a double fault), so the monitor's exit
 * record is where the cause shows. */
static void test_ptbr_beyond_ram_is_bus_error_at_va(void **state)
{
	(void)state;
	struct fix *f = fix_new((struct mach_config){.monitor = true});
	mach_set_cr(f->m, CR_PTBR, 0x80000000u);
	mach_set_cr(f->m, CR_PSW, PSW_MODE | PSW_PG);
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_EXIT);
	assert_int_equal(mach_exit(f->m)->cause, CAUSE_BUS_ERROR);
	assert_int_equal(mach_exit(f->m)->pc, FIX_CODE);
	assert_int_equal(mach_exit(f->m)->badva, FIX_CODE);
	uint32_t pa = 0;
	assert_int_equal(mach_translate(f->m, UDATA_VA, CAUSE_ACCESS_LOAD, &pa),
			 CAUSE_BUS_ERROR);
	fix_free(f);

	f = fix_new((struct mach_config){0});
	mach_set_cr(f->m, CR_PTBR, 0x80000000u);
	mach_set_cr(f->m, CR_PSW, PSW_MODE | PSW_PG);
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_DOUBLE_FAULT);
	fix_free(f);
}

/* ---- accessed and dirty bits ---------------------------------------------------------- */

/*
 * A load sets A; the first store sets D, although the TLB already holds
 * the entry from the load (the MMU must walk again to write D).  Both in
 * the leaf only: the root entry is untouched.
 */
static void test_load_sets_accessed_store_sets_dirty_in_leaf_only(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_R | PTE_W);
	uint32_t root = fix_peek32(f, pt_root_entry(UDATA_VA));
	uint32_t leaf = pt_pte(f, UDATA_VA);
	assert_int_equal(leaf & (PTE_A | PTE_D), 0);

	emit_load(f, OP_LW, R_A0, 0, R_T0);
	uint32_t store = emit_store(f, OP_SW, R_A1, 4, R_T0);
	emit_load(f, OP_LW, R_A2, 4, R_T0);
	emit_done(f);
	f->cpu->x[R_T0] = UDATA_VA;
	f->cpu->x[R_A1] = 99;

	assert_true(mach_add_breakpoint(f->m, store));
	fix_run_expect(f, FIX_BUDGET, MACH_STOP_BREAKPOINT);
	assert_int_equal(pt_pte(f, UDATA_VA), leaf | PTE_A);
	fix_run_to_done(f);
	assert_int_equal(pt_pte(f, UDATA_VA), leaf | PTE_A | PTE_D);
	assert_int_equal(fix_peek32(f, pt_root_entry(UDATA_VA)), root);
	assert_int_equal(f->cpu->x[R_A2], 99);
	/* and a fetch sets A on the code page */
	assert_true(pt_pte(f, FIX_CODE) & PTE_A);
	assert_false(pt_pte(f, FIX_CODE) & PTE_D);
}

/* Accesses that fault set neither A nor D: a store to a read-only page,
 * a misaligned store, a user access to a supervisor page. */
static void test_failed_accesses_set_no_accessed_or_dirty(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_R);
	uint32_t ro = pt_pte(f, UDATA_VA);
	emit_store(f, OP_SW, R_A0, 0, R_T0);
	f->cpu->x[R_T0] = UDATA_VA;
	assert_int_equal(fix_run_to_trap(f), page_fault(CAUSE_ACCESS_STORE, true));
	assert_int_equal(pt_pte(f, UDATA_VA), ro);

	struct fix *g = fix_new((struct mach_config){0});
	kernel_paging(g);
	pt_map(g, UDATA_VA, UDATA_PA, PTE_R | PTE_W);
	uint32_t rw = pt_pte(g, UDATA_VA);
	emit_store(g, OP_SW, R_A0, 2, R_T0);
	g->cpu->x[R_T0] = UDATA_VA;
	assert_int_equal(fix_run_to_trap(g), CAUSE_MISALIGNED);
	assert_int_equal(pt_pte(g, UDATA_VA), rw);
	fix_free(g);

	g = fix_new((struct mach_config){0});
	user_paging(g);
	uint32_t kdata = pt_pte(g, FIX_DATA);
	emit_store(g, OP_SW, R_A0, 0, R_T0);
	g->cpu->x[R_T0] = FIX_DATA;
	assert_int_equal(fix_run_to_trap(g), page_fault(CAUSE_ACCESS_STORE, true));
	assert_int_equal(pt_pte(g, FIX_DATA), kdata);
	fix_free(g);
}

/* ---- the TLB -------------------------------------------------------------------------- */

enum flush_kind { BY_TLBINV, BY_TLBFLUSH, BY_PTBR };

/*
 * The kernel loads through TLB_VA1, then rewrites its PTE to point to
 * another frame (a store through the identity-mapped page table).  Until
 * the TLB is told, the cached translation is used: the old frame's value.
 * After tlbinv / tlbflush / a write to PTBR, the new one.
 */
static void check_stale_until_flushed(struct fix *f, enum flush_kind how)
{
	kernel_paging(f);
	pt_map(f, TLB_VA1, FRAME_OLD1, PTE_R | PTE_W);
	fix_poke32(f, FRAME_OLD1, 111);
	fix_poke32(f, FRAME_NEW1, 222);
	emit_load(f, OP_LW, R_A0, 0, R_S0);
	emit_store(f, OP_SW, R_S1, 0, R_S2);
	emit_load(f, OP_LW, R_A1, 0, R_S0);
	switch (how) {
	case BY_TLBINV:
		emit(f, OP_TLBINV, 0, R_S0, 0, 0);
		break;
	case BY_TLBFLUSH:
		emit_op(f, OP_TLBFLUSH);
		break;
	case BY_PTBR:
		emit_mtcr(f, CR_PTBR, R_S3); /* the same value: still a flush */
		break;
	}
	emit_load(f, OP_LW, R_A2, 0, R_S0);
	emit_done(f);
	f->cpu->x[R_S0] = TLB_VA1;
	f->cpu->x[R_S1] = FRAME_NEW1 | PTE_V | PTE_R | PTE_W;
	f->cpu->x[R_S2] = pt_leaf_entry(f, TLB_VA1);
	f->cpu->x[R_S3] = FIX_PT;
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A0], 111);
	assert_int_equal(f->cpu->x[R_A1], 111); /* the stale translation */
	assert_int_equal(f->cpu->x[R_A2], 222);
}

static void test_tlb_keeps_old_translation_until_tlbinv(void **state)
{
	check_stale_until_flushed(*state, BY_TLBINV);
}

static void test_tlb_keeps_old_translation_until_tlbflush(void **state)
{
	check_stale_until_flushed(*state, BY_TLBFLUSH);
}

static void test_tlb_keeps_old_translation_until_ptbr_write(void **state)
{
	check_stale_until_flushed(*state, BY_PTBR);
}

static void test_tlbinv_drops_only_that_page(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	pt_map(f, TLB_VA1, FRAME_OLD1, PTE_R | PTE_W);
	pt_map(f, TLB_VA2, FRAME_OLD2, PTE_R | PTE_W);
	emit_load(f, OP_LW, R_A0, 0, R_S0);
	emit_load(f, OP_LW, R_A0, 0, R_S1);
	emit_store(f, OP_SW, R_A1, 0, R_S2);
	emit_store(f, OP_SW, R_A2, 0, R_S3);
	emit(f, OP_TLBINV, 0, R_S0, 0, 0);
	emit_load(f, OP_LW, R_A0, 0, R_S0);
	emit_load(f, OP_LW, R_A3, 0, R_S1);
	emit_done(f);
	f->cpu->x[R_S0] = TLB_VA1 + 0x10; /* any address in the page */
	f->cpu->x[R_S1] = TLB_VA2 + 0x10;
	f->cpu->x[R_S2] = pt_leaf_entry(f, TLB_VA1);
	f->cpu->x[R_S3] = pt_leaf_entry(f, TLB_VA2);
	f->cpu->x[R_A1] = FRAME_NEW1 | PTE_V | PTE_R | PTE_W;
	f->cpu->x[R_A2] = FRAME_NEW2 | PTE_V | PTE_R | PTE_W;
	fix_poke32(f, FRAME_OLD1 + 0x10, 111);
	fix_poke32(f, FRAME_NEW1 + 0x10, 222);
	fix_poke32(f, FRAME_OLD2 + 0x10, 333);
	fix_poke32(f, FRAME_NEW2 + 0x10, 444);
	fix_run_to_done(f);
	assert_int_equal(f->cpu->x[R_A0], 222); /* invalidated: new frame */
	assert_int_equal(f->cpu->x[R_A3], 333); /* still cached: old frame */
}

/* ---- alignment before translation ---------------------------------------------------- */

static void test_alignment_is_checked_before_translation(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	uint32_t pc = emit_load(f, OP_LW, R_A0, 2, R_T0);
	f->cpu->x[R_T0] = UNMAPPED_VA;
	assert_int_equal(fix_run_to_trap(f), CAUSE_MISALIGNED);
	assert_int_equal(f->cpu->cr[CR_BADVA], UNMAPPED_VA + 2);
	assert_int_equal(f->cpu->cr[CR_EPC], pc);

	struct fix *g = fix_new((struct mach_config){0});
	kernel_paging(g);
	emit_i(g, OP_JALR, R_ZERO, R_T0, 0);
	g->cpu->x[R_T0] = UNMAPPED_VA + 2;
	assert_int_equal(fix_run_to_trap(g), CAUSE_MISALIGNED);
	assert_int_equal(g->cpu->cr[CR_EPC], UNMAPPED_VA + 2);
	assert_int_equal(g->cpu->cr[CR_BADVA], UNMAPPED_VA + 2);
	fix_free(g);
}

/* ---- trap entry with paging on ------------------------------------------------------- */

static void test_trap_entry_keeps_pg(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	mach_set_cr(f->m, CR_PSW, PSW_MODE | PSW_IE | PSW_PG);
	emit_op(f, OP_BREAK);
	assert_int_equal(fix_run_to_trap(f), CAUSE_BREAK);
	assert_int_equal(f->cpu->cr[CR_EPSW], PSW_MODE | PSW_IE | PSW_PG);
	assert_int_equal(f->cpu->cr[CR_PSW], PSW_MODE | PSW_PG);

	struct fix *g = fix_new((struct mach_config){0});
	user_paging(g);
	mach_set_cr(g->m, CR_PSW, PSW_IE | PSW_PG);
	emit_op(g, OP_BREAK);
	assert_int_equal(fix_run_to_trap(g), CAUSE_BREAK);
	assert_int_equal(g->cpu->cr[CR_EPC], FIX_USER);
	assert_int_equal(g->cpu->cr[CR_EPSW], PSW_IE | PSW_PG);
	assert_int_equal(g->cpu->cr[CR_PSW], PSW_MODE | PSW_PG);
	fix_free(g);
}

/* mach_step executes exactly one instruction, even when its fetch misses
 * the TLB and the walk costs cycles. */
static void test_step_executes_one_instruction_with_paging(void **state)
{
	struct fix *f = *state;
	kernel_paging(f);
	emit_i(f, OP_ADDI, R_A0, R_ZERO, 1);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 2);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A0], 1);
	fix_step(f);
	assert_int_equal(f->cpu->x[R_A1], 2);
}

/* ---- mach_translate ------------------------------------------------------------------------ */

static void test_mach_translate_reports_pa_or_cause(void **state)
{
	struct fix *f = *state;
	uint32_t pa = 0;
	/* paging off: the identity */
	assert_int_equal(mach_translate(f->m, 0x12345678u, CAUSE_ACCESS_LOAD, &pa),
			 CAUSE_NONE);
	assert_int_equal(pa, 0x12345678u);

	pt_map_kernel(f);
	pt_map(f, UDATA_VA, UDATA_PA, PTE_U | PTE_R);
	uint32_t pte = pt_pte(f, UDATA_VA);

	mach_set_cr(f->m, CR_PSW, PSW_MODE | PSW_PG);
	pa = 0;
	assert_int_equal(mach_translate(f->m, UDATA_VA + 0x123, CAUSE_ACCESS_LOAD, &pa),
			 CAUSE_NONE);
	assert_int_equal(pa, UDATA_PA + 0x123);
	assert_int_equal(mach_translate(f->m, FIX_DATA + 8, CAUSE_ACCESS_STORE, &pa),
			 CAUSE_NONE);
	assert_int_equal(pa, FIX_DATA + 8);
	assert_int_equal(mach_translate(f->m, UDATA_VA, CAUSE_ACCESS_STORE, &pa),
			 page_fault(CAUSE_ACCESS_STORE, true));
	assert_int_equal(mach_translate(f->m, UDATA_VA, CAUSE_ACCESS_FETCH, &pa),
			 page_fault(CAUSE_ACCESS_FETCH, true));
	assert_int_equal(mach_translate(f->m, UNMAPPED_VA, CAUSE_ACCESS_LOAD, &pa),
			 page_fault(CAUSE_ACCESS_LOAD, false));

	/* user mode: U pages only */
	mach_set_cr(f->m, CR_PSW, PSW_PG);
	assert_int_equal(mach_translate(f->m, UDATA_VA + 4, CAUSE_ACCESS_LOAD, &pa),
			 CAUSE_NONE);
	assert_int_equal(pa, UDATA_PA + 4);
	assert_int_equal(mach_translate(f->m, FIX_DATA, CAUSE_ACCESS_LOAD, &pa),
			 page_fault(CAUSE_ACCESS_LOAD, true));

	/* no side effect: no A bit, and nothing cached */
	assert_int_equal(pt_pte(f, UDATA_VA), pte);
	pt_map(f, UDATA_VA, UDATA_PA + PAGE_SIZE, PTE_U | PTE_R);
	assert_int_equal(mach_translate(f->m, UDATA_VA, CAUSE_ACCESS_LOAD, &pa),
			 CAUSE_NONE);
	assert_int_equal(pa, UDATA_PA + PAGE_SIZE);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fix_setup, fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identity_mapped_kernel_runs_with_paging),
		T(test_user_load_through_user_page),
		T(test_user_mode_without_paging_reaches_memory_and_devices),
		T(test_user_load_from_supervisor_page_is_protection_fault),
		T(test_store_to_read_only_page_is_store_protection_fault),
		T(test_fetch_from_non_executable_page_is_fetch_fault),
		T(test_supervisor_fetch_from_non_executable_page_faults),
		T(test_not_present_root_entry_fault_has_no_present_bit),
		T(test_not_present_leaf_entry_fault_has_no_present_bit),
		T(test_supervisor_may_read_write_execute_user_pages),
		T(test_root_entry_with_r_set_is_malformed),
		T(test_leaf_entry_without_rwx_is_malformed),
		T(test_walk_into_unbacked_memory_is_bus_error_at_va),
		T(test_ptbr_beyond_ram_is_bus_error_at_va),
		T(test_load_sets_accessed_store_sets_dirty_in_leaf_only),
		T(test_failed_accesses_set_no_accessed_or_dirty),
		T(test_tlb_keeps_old_translation_until_tlbinv),
		T(test_tlb_keeps_old_translation_until_tlbflush),
		T(test_tlb_keeps_old_translation_until_ptbr_write),
		T(test_tlbinv_drops_only_that_page),
		T(test_alignment_is_checked_before_translation),
		T(test_trap_entry_keeps_pg),
		T(test_step_executes_one_instruction_with_paging),
		T(test_mach_translate_reports_pa_or_cause),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
