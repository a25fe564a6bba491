/*
 * test_vmx.c - the hardware-assist extension (isa/ISA.md section 15):
 * mach_vm_run's entry checks, guest mode on the guest's own state, each
 * exit control, the exception bitmap, event injection, nested paging's
 * two-dimensional walk and its faults, MMIO exits, shadow mode, the
 * VPID-tagged TLB, and time (the guest's clock equals the bare machine's).
 *
 * The bench: a host machine (HOST_RAM) whose RAM holds one guest's
 * physical memory at G_BASE (guest-physical 0 is host-physical G_BASE),
 * and a nested table at NPT mapping it.  Guest programs are PG32 source
 * assembled by the project's assembler and copied into guest memory; the
 * guest's own page table, when a test turns paging on, lives in guest
 * memory at G_PT.  Most programs end with `hcall`, which exits HCALL
 * when that control is set: the test's "done".
 */
#include "machine_fixture.h"

#include "../../isa/asm.h"

#define HOST_RAM 0x00400000u
#define NPT 0x00100000u        /* nested root (host-physical) */
#define NPT_LEAF 0x00101000u   /* maps guest-physical 0 .. 4 MiB */
#define NPT_DEV 0x00102000u    /* maps guest-physical device space */
#define G_BASE 0x00200000u     /* guest-physical 0, in host RAM */
#define G_RAM 0x00100000u      /* 1 MiB of guest RAM */
#define G_PT 0x00040000u       /* the guest's root table (guest-physical) */
#define G_PT_LEAF 0x00041000u  /* its leaf table for 0 .. 4 MiB */
#define G_PT_HIGH 0x00042000u  /* its leaf table for 4 .. 8 MiB */
#define G_DATA 0x00010000u     /* guest data (guest-physical) */
#define G_HIGH 0x00400000u     /* a guest-virtual page mapped by G_PT_HIGH */
#define SHADOW 0x00110000u     /* shadow tables (host-physical) */
#define BUDGET 100000u
#define DEVICES 0xF0000000u   /* device space (ISA.md 8.1) */

struct vt {
	struct fix *f;
	struct machine *m;
	struct mach_vmcs v;
	uint32_t entry; /* the program's first instruction */
};

/* ---- the nested table and guest memory ------------------------------------- */

static void npt_set(struct vt *t, uint32_t gpa, uint32_t pte)
{
	uint32_t leaf = gpa >= DEVICES ? NPT_DEV : NPT_LEAF;
	fix_poke32(t->f, NPT + (gpa >> 22) * 4, leaf | PTE_V);
	fix_poke32(t->f, leaf + ((gpa >> 12) & 0x3ff) * 4, pte);
}

static void npt_map(struct vt *t, uint32_t gpa, uint32_t hpa, uint32_t flags)
{
	npt_set(t, gpa, (hpa & PTE_FRAME_MASK) | flags | PTE_V);
}

static uint32_t g_peek(struct vt *t, uint32_t gpa)
{
	return fix_peek32(t->f, G_BASE + gpa);
}

static void g_poke(struct vt *t, uint32_t gpa, uint32_t value)
{
	fix_poke32(t->f, G_BASE + gpa, value);
}

/* The guest's own table: root G_PT, leaf tables G_PT_LEAF (0..4 MiB)
 * and G_PT_HIGH (4..8 MiB). */
static uint32_t gpt_leaf_entry(uint32_t gva)
{
	return (gva < 0x400000u ? G_PT_LEAF : G_PT_HIGH) + ((gva >> 12) & 0x3ff) * 4;
}

static void gpt_map(struct vt *t, uint32_t gva, uint32_t gpa, uint32_t flags)
{
	g_poke(t, G_PT + (gva >> 22) * 4,
	       (gva < 0x400000u ? G_PT_LEAF : G_PT_HIGH) | PTE_V);
	g_poke(t, gpt_leaf_entry(gva), (gpa & PTE_FRAME_MASK) | flags | PTE_V);
}

/* The guest's kernel map: its first 512 KiB identity, supervisor R W X. */
static void gpt_map_kernel(struct vt *t)
{
	for (uint32_t a = 0; a < 0x80000u; a += PAGE_SIZE)
		gpt_map(t, a, a, PTE_R | PTE_W | PTE_X);
	t->v.guest.cr[CR_PTBR] = G_PT;
	t->v.guest.cr[CR_PSW] |= PSW_PG;
}

/* Assembles src and copies it into guest memory (gbase: where guest-
 * physical 0 is in m's RAM); returns the entry. */
static uint32_t load_program(struct machine *m, uint32_t gbase,
			     const char *src)
{
	struct elf_image img;
	struct asm_options opt = {0};
	assert_int_equal(asm_assemble_string("guest.s", src, &opt, &img), 0);
	for (int i = 0; i < img.nsegments; i++) {
		const struct elf_segment *s = &img.segments[i];
		assert_true(mach_phys_write(m, gbase + s->addr, s->data, s->filesz));
	}
	uint32_t entry = img.entry;
	elf_image_free(&img);
	return entry;
}

static struct vt *vt_new(bool leaky)
{
	struct vt *t = calloc(1, sizeof *t);
	assert_non_null(t);
	t->f = fix_new((struct mach_config){.ram_size = HOST_RAM, .leaky = leaky});
	t->m = t->f->m;
	for (uint32_t gpa = 0; gpa < G_RAM; gpa += PAGE_SIZE)
		npt_map(t, gpa, G_BASE + gpa, PTE_R | PTE_W | PTE_X);
	t->v.guest.cr[CR_PSW] = PSW_MODE;
	t->v.controls = MACH_VMX_NESTED_PAGING | MACH_VMX_HCALL;
	t->v.nested_ptbr = NPT;
	t->v.guest_ram = G_RAM;
	t->v.vpid = 1;
	return t;
}

static void vt_load(struct vt *t, const char *src)
{
	t->entry = load_program(t->m, G_BASE, src);
	t->v.guest.pc = t->entry;
}

static int vt_setup(void **state)
{
	*state = vt_new(false);
	return 0;
}

static int vt_setup_leaky(void **state)
{
	*state = vt_new(true);
	return 0;
}

static int vt_teardown(void **state)
{
	struct vt *t = *state;
	fix_free(t->f);
	free(t);
	return 0;
}

/* Runs expecting a VM exit with reason want. */
static void run_expect(struct vt *t, enum mach_vmexit want)
{
	enum mach_stop stop = mach_vm_run(t->m, &t->v, BUDGET);
	if (stop != MACH_STOP_VMEXIT || t->v.exit_reason != want)
		fail_msg("expected a %s exit; got stop %s, reason %s at guest pc "
			 "0x%08x (cause 0x%x, gpa 0x%08x, entry error %s)",
			 mach_vmexit_name(want), mach_stop_name(stop),
			 mach_vmexit_name(t->v.exit_reason), t->v.exit_pc,
			 t->v.exit_cause, t->v.exit_gpa,
			 t->v.entry_error ? t->v.entry_error : "-");
}

/* The word of the instruction at guest-physical pc. */
static uint32_t insn_at(struct vt *t, uint32_t pc)
{
	return g_peek(t, pc);
}

static struct mach_stats stats(struct vt *t)
{
	struct mach_stats st;
	mach_get_stats(t->m, &st);
	return st;
}

/* ---- names --------------------------------------------------------------------- */

/* "NESTED_FAULT" -> "nested-fault" */
static void dashed(const char *id, char *out, size_t size)
{
	size_t i = 0;
	for (; id[i] && i + 1 < size; i++)
		out[i] = id[i] == '_' ? '-' : (char)(id[i] - 'A' + 'a');
	out[i] = '\0';
}

static void test_names_follow_the_tables(void **state)
{
	(void)state;
	char want[32];
#define CHECK_EXIT(name, doc)                                                \
	dashed(#name, want, sizeof want);                                    \
	assert_string_equal(mach_vmexit_name(MACH_VMEXIT_##name), want);     \
	assert_string_equal(mach_vmexit_doc(MACH_VMEXIT_##name), doc);
	MACH_VMEXIT_REASONS(CHECK_EXIT)
#undef CHECK_EXIT
#define CHECK_CONTROL(name, bit, doc)                                        \
	dashed(#name, want, sizeof want);                                    \
	assert_string_equal(mach_vmx_control_name(bit), want);
	MACH_VMX_CONTROLS(CHECK_CONTROL)
#undef CHECK_CONTROL
	assert_null(mach_vmexit_name(MACH_VMEXIT_COUNT));
	assert_null(mach_vmx_control_name(31));
	assert_null(mach_vmx_control_name(32));
}

/* ---- guest mode runs the guest's own kernel ------------------------------------ */

/*
 * A guest kernel that sets its TVEC, makes a system call, takes a page
 * fault with paging on and writes control registers: all of it on its
 * own state, with no exit until its hcall.
 */
static void test_guest_kernel_traps_and_writes_crs_without_exits(void **state)
{
	struct vt *t = *state;
	gpt_map_kernel(t);
	vt_load(t, "       la t0, handler\n"
		   "       mtcr tvec, t0\n"
		   "       li t0, 0x1234\n"
		   "       mtcr scratch, t0\n"
		   "       syscall\n"
		   "       li a0, 0x300000\n"  /* not mapped by the guest */
		   "       lw a1, 0(a0)\n"
		   "       mfcr s0, scratch\n"
		   "       hcall\n"
		   "handler:\n"
		   "       addi s1, s1, 1\n"   /* traps taken */
		   "       mfcr s2, cause\n"
		   "       mfcr t0, epc\n"
		   "       addi t0, t0, 4\n"
		   "       mtcr epc, t0\n"
		   "       rfe\n");
	uint64_t exits = stats(t).vm_exits;
	run_expect(t, MACH_VMEXIT_HCALL);
	assert_int_equal(stats(t).vm_exits, exits + 1);
	const struct cpu *g = &t->v.guest;
	assert_int_equal(g->x[R_S1], 2);
	assert_int_equal(g->x[R_S2] & CAUSE_CODE_MASK, CAUSE_PAGE_FAULT);
	assert_int_equal(g->cr[CR_BADVA], 0x300000u);
	assert_int_equal(g->x[R_S0], 0x1234);
	assert_int_equal(g->cr[CR_PSW], PSW_MODE | PSW_PG);
	assert_int_equal(t->v.exit_insn, insn_at(t, t->v.exit_pc));
}

/* The host's CPU is put aside and comes back as it was. */
static void test_host_state_is_restored_after_the_run(void **state)
{
	struct vt *t = *state;
	vt_load(t, "li a0, 7\nmtcr scratch, a0\nhcall\n");
	struct cpu *host = mach_cpu(t->m);
	host->x[R_A0] = 0xabcd;
	host->pc = 0x1230;
	mach_set_cr(t->m, CR_SCRATCH, 99);
	struct cpu before = *host;
	run_expect(t, MACH_VMEXIT_HCALL);
	assert_memory_equal(host->x, before.x, sizeof before.x);
	assert_memory_equal(host->cr, before.cr, sizeof before.cr);
	assert_int_equal(host->pc, before.pc);
	assert_int_equal(t->v.guest.x[R_A0], 7);
	assert_int_equal(t->v.guest.cr[CR_SCRATCH], 7);
}

/* Leaky mode applies to the guest's own state: rdpsw in guest
 * supervisor mode reads MODE = 1, with no exit (CR_READ clear). */
static void test_leaky_rdpsw_in_guest_supervisor_reads_mode_without_exit(void **state)
{
	struct vt *t = *state;
	vt_load(t, "rdpsw a0\nhcall\n");
	run_expect(t, MACH_VMEXIT_HCALL);
	assert_int_equal(t->v.guest.x[R_A0], PSW_MODE);
}

/* ... and in guest user mode it runs silently, reading MODE = 0, as on
 * the bare leaky machine. */
static void test_leaky_rdpsw_in_guest_user_mode_runs_silently(void **state)
{
	struct vt *t = *state;
	vt_load(t, "li a0, 99\nrdpsw a0\nbreak\n");
	t->v.guest.cr[CR_PSW] = 0; /* user mode */
	t->v.exception_bitmap = 1u << CAUSE_BREAK;
	uint64_t silent = mach_silent_sensitive(t->m);
	run_expect(t, MACH_VMEXIT_EXCEPTION);
	assert_int_equal(t->v.guest.x[R_A0], 0);
	assert_int_equal(mach_silent_sensitive(t->m), silent + 1);
}

/* On the clean machine the same user-mode rdpsw traps PRIV to the guest:
 * with CR_READ set too, user mode never exits for it. */
static void test_clean_rdpsw_in_guest_user_mode_traps_to_the_guest(void **state)
{
	struct vt *t = *state;
	vt_load(t, "rdpsw a0\n");
	t->v.guest.cr[CR_PSW] = 0;
	t->v.controls |= MACH_VMX_CR_READ;
	t->v.exception_bitmap = 1u << CAUSE_PRIV;
	run_expect(t, MACH_VMEXIT_EXCEPTION);
	assert_int_equal(t->v.exit_cause, CAUSE_PRIV);
	assert_int_equal(t->v.exit_pc, t->entry);
}

/* ---- the exit controls --------------------------------------------------------- */

struct control_case {
	uint32_t control;
	enum mach_vmexit reason;
	const char *insn; /* the instruction, assembled at the entry */
};

static const struct control_case control_cases[] = {
	{MACH_VMX_CR_READ, MACH_VMEXIT_CR_READ, "mfcr a0, scratch"},
	{MACH_VMX_CR_READ, MACH_VMEXIT_CR_READ, "rdpsw a0"},
	{MACH_VMX_CR_READ, MACH_VMEXIT_CR_READ, "rdtvec a0"},
	{MACH_VMX_CR_WRITE, MACH_VMEXIT_CR_WRITE, "mtcr scratch, a0"},
	{MACH_VMX_CR_WRITE, MACH_VMEXIT_CR_WRITE, "wrpsw a1"},
	{MACH_VMX_PTBR_WRITE, MACH_VMEXIT_PTBR_WRITE, "mtcr ptbr, a0"},
	{MACH_VMX_TLB, MACH_VMEXIT_TLB, "tlbflush"},
	{MACH_VMX_TLB, MACH_VMEXIT_TLB, "tlbinv a0"},
	{MACH_VMX_RFE, MACH_VMEXIT_RFE, "rfe"},
	{MACH_VMX_WFI, MACH_VMEXIT_WFI, "wfi"},
	{MACH_VMX_HCALL, MACH_VMEXIT_HCALL, "hcall"},
};

/*
 * Each control: set, the instruction exits with its reason, its pc and
 * word, and has not run (as in monitor mode its cycle counts, trapped);
 * clear, it runs in the guest and the `break` after it exits instead
 * (rfe: to EPC = the break; hcall: ILLEGAL, as on the bare machine; wfi:
 * waits, here for nothing, so the run ends in a deadlock).
 */
static void test_each_control_exits_when_set_and_not_when_clear(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof control_cases / sizeof control_cases[0]; i++) {
		const struct control_case *k = &control_cases[i];
		for (int set = 0; set <= 1; set++) {
			struct vt *t = vt_new(false);
			char src[128];
			snprintf(src, sizeof src, "start: %s\nbrk: break\n", k->insn);
			vt_load(t, src);
			t->v.controls = MACH_VMX_NESTED_PAGING | (set ? k->control : 0);
			t->v.exception_bitmap = 1u << CAUSE_BREAK | 1u << CAUSE_ILLEGAL;
			t->v.guest.x[R_A0] = 0;
			t->v.guest.x[R_A1] = PSW_MODE;
			t->v.guest.cr[CR_EPC] = t->entry + 4;
			t->v.guest.cr[CR_EPSW] = PSW_MODE;
			uint64_t trapped0 = stats(t).traps, instret0 = mach_instret(t->m);
			enum mach_stop stop = mach_vm_run(t->m, &t->v, BUDGET);
			if (set) {
				assert_int_equal(stop, MACH_STOP_VMEXIT);
				assert_int_equal(t->v.exit_reason, k->reason);
				assert_int_equal(t->v.exit_pc, t->entry);
				assert_int_equal(t->v.guest.pc, t->entry);
				assert_int_equal(t->v.exit_insn, insn_at(t, t->entry));
				assert_int_equal(stats(t).traps, trapped0 + 1);
				assert_int_equal(mach_instret(t->m), instret0);
			} else if (k->control == MACH_VMX_WFI) {
				assert_int_equal(stop, MACH_STOP_DEADLOCK);
			} else {
				assert_int_equal(stop, MACH_STOP_VMEXIT);
				assert_int_equal(t->v.exit_reason, MACH_VMEXIT_EXCEPTION);
				assert_int_equal(t->v.exit_cause,
						 k->control == MACH_VMX_HCALL ? CAUSE_ILLEGAL
									      : CAUSE_BREAK);
			}
			vt_teardown((void **)&t);
		}
	}
}

/* Privileged instructions of guest user mode trap PRIV to the guest even
 * with every control set: the controls are about guest supervisor mode. */
static void test_controls_do_not_apply_to_guest_user_mode(void **state)
{
	struct vt *t = *state;
	vt_load(t, "mfcr a0, scratch\n");
	t->v.guest.cr[CR_PSW] = 0;
	t->v.controls = MACH_VMX_NESTED_PAGING | MACH_VMX_CR_READ | MACH_VMX_CR_WRITE;
	t->v.exception_bitmap = 1u << CAUSE_PRIV;
	run_expect(t, MACH_VMEXIT_EXCEPTION);
	assert_int_equal(t->v.exit_cause, CAUSE_PRIV);
}

/* An exception exit is precise: the instruction did not happen, its
 * cycle is not charged, nothing of the guest changed. */
static void test_exception_exit_is_precise(void **state)
{
	struct vt *t = *state;
	vt_load(t, "li a0, 1\nsyscall\n");
	t->v.exception_bitmap = 1u << CAUSE_SYSCALL;
	uint64_t c0 = mach_cycles(t->m);
	run_expect(t, MACH_VMEXIT_EXCEPTION);
	assert_int_equal(t->v.exit_cause, CAUSE_SYSCALL);
	assert_int_equal(t->v.exit_pc, t->entry + 4);
	assert_int_equal(t->v.guest.pc, t->entry + 4);
	assert_int_equal(t->v.guest.cr[CR_EPC], 0);
	assert_int_equal(t->v.guest.cr[CR_CAUSE], 0);
	/* one instruction (li) of guest time */
	assert_int_equal(mach_cycles(t->m) - c0 - t->v.exit_host_cycles,
			 mach_cost(COST_INSN));
}

static void test_irq_window_exits_once_the_guest_sets_ie(void **state)
{
	struct vt *t = *state;
	vt_load(t, "li t0, 3\nmtcr psw, t0\nnop\nhcall\n");
	t->v.controls |= MACH_VMX_IRQ_WINDOW;
	run_expect(t, MACH_VMEXIT_IRQ_WINDOW);
	/* li is one word; the boundary is after the mtcr */
	assert_int_equal(t->v.exit_pc, t->entry + 8);
	assert_int_equal(t->v.guest.pc, t->entry + 8);
	assert_int_equal(t->v.guest.cr[CR_PSW], PSW_MODE | PSW_IE);
	/* IE is 1 at entry now: the window is open at once */
	run_expect(t, MACH_VMEXIT_IRQ_WINDOW);
	assert_int_equal(t->v.exit_pc, t->entry + 8);
	/* without the control the guest goes on */
	t->v.controls &= ~(uint32_t)MACH_VMX_IRQ_WINDOW;
	run_expect(t, MACH_VMEXIT_HCALL);
}

/* The machine's own interrupt lines exit, whatever the guest's IE. */
static void test_machine_interrupt_exits_and_never_reaches_the_guest(void **state)
{
	struct vt *t = *state;
	/* the host programs its timer; the guest spins */
	vt_load(t, "loop: j loop\n");
	struct fix *f = t->f;
	/* the host's own code sets the timer's period (4 instructions) */
	f->at = FIX_CODE;
	emit_li(f, R_A0, DEV_TIMER_BASE);
	emit_i(f, OP_ADDI, R_A1, R_ZERO, 50);
	emit_store(f, OP_SW, R_A1, TIMER_PERIOD, R_A0);
	for (int i = 0; i < 4; i++)
		fix_step(f);
	run_expect(t, MACH_VMEXIT_INTERRUPT);
	assert_int_equal(t->v.exit_cause, CAUSE_INTERRUPT | IRQ_TIMER);
	assert_int_equal(t->v.guest.cr[CR_CAUSE], 0);
	assert_int_equal(t->v.guest.pc, t->entry);
	assert_int_equal(t->v.exit_pc, t->entry);
}

/* ---- injection ------------------------------------------------------------------- */

static const char *const handler_src =
	"       nop\n"
	"       hcall\n"
	"       .org 0x2000\n"
	"handler:\n"
	"       mfcr s0, cause\n"
	"       mfcr s1, epc\n"
	"       mfcr s2, badva\n"
	"       hcall\n";

/* An injected interrupt is taken before the guest's first instruction,
 * as the bare machine's trap entry: EPC = that instruction, IE cleared,
 * TRAP cycles. */
static void test_injected_interrupt_enters_the_guest_handler(void **state)
{
	struct vt *t = *state;
	vt_load(t, handler_src);
	t->v.guest.cr[CR_TVEC] = 0x2000;
	t->v.guest.cr[CR_PSW] = PSW_MODE | PSW_IE;
	t->v.inject = true;
	t->v.inject_cause = CAUSE_INTERRUPT | IRQ_TIMER;
	uint64_t c0 = mach_cycles(t->m), i0 = mach_instret(t->m);
	run_expect(t, MACH_VMEXIT_HCALL);
	const struct cpu *g = &t->v.guest;
	assert_false(t->v.inject);
	assert_int_equal(g->x[R_S0], CAUSE_INTERRUPT | IRQ_TIMER);
	assert_int_equal(g->x[R_S1], t->entry);
	assert_int_equal(g->cr[CR_EPSW], PSW_MODE | PSW_IE);
	assert_int_equal(g->cr[CR_PSW], PSW_MODE);
	assert_int_equal(t->v.exit_pc, 0x200c);
	/* TRAP, three mfcr, the exiting hcall's cycle */
	assert_int_equal(mach_cycles(t->m) - c0 - t->v.exit_host_cycles,
			 mach_cost(COST_TRAP) + 4 * mach_cost(COST_INSN));
	assert_int_equal(mach_instret(t->m) - i0, 3);
}

/* An injected exception: the instruction at pc counted as trapped
 * (INSN + TRAP), CAUSE and BADVA as given. */
static void test_injected_exception_enters_the_guest_handler(void **state)
{
	struct vt *t = *state;
	vt_load(t, handler_src);
	t->v.guest.cr[CR_TVEC] = 0x2000;
	t->v.inject = true;
	uint32_t cause = CAUSE_PAGE_FAULT | CAUSE_ACCESS_STORE << CAUSE_ACCESS_SHIFT;
	t->v.inject_cause = cause;
	t->v.inject_badva = 0x5000;
	uint64_t c0 = mach_cycles(t->m), trapped0 = stats(t).traps;
	run_expect(t, MACH_VMEXIT_HCALL);
	const struct cpu *g = &t->v.guest;
	assert_int_equal(g->x[R_S0], cause);
	assert_int_equal(g->x[R_S1], t->entry);
	assert_int_equal(g->x[R_S2], 0x5000);
	assert_int_equal(mach_cycles(t->m) - c0 - t->v.exit_host_cycles,
			 mach_cost(COST_INSN) + mach_cost(COST_TRAP) +
				 4 * mach_cost(COST_INSN));
	/* the injected one and the exiting hcall */
	assert_int_equal(stats(t).traps, trapped0 + 2);
}

/* The guest's trap handler trapping on its first instruction exits
 * DOUBLE_FAULT (the bare machine stops there). */
static void test_guest_double_fault_exits(void **state)
{
	struct vt *t = *state;
	vt_load(t, "syscall\n.org 0x2000\nhandler: .word 0xffffffff\n");
	t->v.guest.cr[CR_TVEC] = 0x2000;
	run_expect(t, MACH_VMEXIT_DOUBLE_FAULT);
	assert_int_equal(t->v.exit_cause, CAUSE_ILLEGAL);
	assert_int_equal(t->v.exit_pc, 0x2000);
	assert_int_equal(t->v.guest.cr[CR_CAUSE], CAUSE_SYSCALL);
}

/* ---- nested paging ----------------------------------------------------------------- */

/* With the guest's paging on, a TLB miss walks 8 references: the guest's
 * two PTEs, each found through the two nested levels, then the page's
 * two nested levels.  A hit walks none. */
static void test_2d_walk_takes_8_references_on_a_miss_and_0_on_a_hit(void **state)
{
	struct vt *t = *state;
	gpt_map_kernel(t);
	vt_load(t, "li a0, 0x10000\nlw a1, 0(a0)\nhcall\n");
	uint64_t refs0 = stats(t).nested_refs;
	run_expect(t, MACH_VMEXIT_HCALL);
	/* the code page's fetch and the data page's load: 2 misses */
	assert_int_equal(stats(t).nested_refs - refs0, 16);
	assert_int_equal(t->v.exit_host_cycles,
			 mach_cost(COST_VM_ENTRY) + mach_cost(COST_VM_EXIT) +
				 16 * mach_cost(COST_NESTED_REF));
	/* again, with the vpid's entries still in the TLB: all hits */
	t->v.guest.pc = t->entry;
	refs0 = stats(t).nested_refs;
	run_expect(t, MACH_VMEXIT_HCALL);
	assert_int_equal(stats(t).nested_refs - refs0, 0);
	assert_int_equal(t->v.exit_host_cycles,
			 mach_cost(COST_VM_ENTRY) + mach_cost(COST_VM_EXIT));
}

/* mach_walk2d shows the walk, reference by reference, with no effect. */
static void test_walk2d_lists_both_dimensions_in_order(void **state)
{
	struct vt *t = *state;
	gpt_map_kernel(t);
	gpt_map(t, G_HIGH, G_DATA, PTE_R | PTE_W);
	struct mach_walk2d w;
	uint32_t pte_before = g_peek(t, gpt_leaf_entry(G_HIGH));
	mach_walk2d(t->m, &t->v, G_HIGH + 0x24, CAUSE_ACCESS_LOAD, &w);
	assert_int_equal(w.nrefs, 8);
	const char dims[] = "nngnngnn";
	for (int i = 0; i < 8; i++)
		assert_int_equal(w.ref[i].dim, dims[i]);
	assert_int_equal(w.ref[2].gpa, G_PT + (G_HIGH >> 22) * 4);
	assert_int_equal(w.ref[2].hpa, G_BASE + G_PT + (G_HIGH >> 22) * 4);
	assert_int_equal(w.ref[5].gpa, gpt_leaf_entry(G_HIGH));
	assert_int_equal(w.ref[6].gpa, G_DATA + 0x24);
	assert_int_equal(w.ref[6].hpa, NPT + (G_DATA >> 22) * 4);
	assert_int_equal(w.gpa, G_DATA + 0x24);
	assert_int_equal(w.hpa, G_BASE + G_DATA + 0x24);
	assert_int_equal(w.cause, CAUSE_NONE);
	assert_false(w.nested_fault);
	assert_int_equal(g_peek(t, gpt_leaf_entry(G_HIGH)), pte_before);
	/* a page the guest does not map: the guest's own fault */
	mach_walk2d(t->m, &t->v, 0x7ffff000u, CAUSE_ACCESS_LOAD, &w);
	assert_int_equal(w.cause & CAUSE_CODE_MASK, CAUSE_PAGE_FAULT);
}

/* A guest-physical page the nested table lacks: NESTED_FAULT with the
 * GPA, the access and the guest-virtual address; nothing happened. */
static void test_nested_fault_on_data_is_precise(void **state)
{
	struct vt *t = *state;
	gpt_map_kernel(t);
	gpt_map(t, G_HIGH, G_DATA, PTE_R | PTE_W);
	npt_set(t, G_DATA, 0);
	vt_load(t, "li a0, 0x400010\nli a1, 77\nsw a1, 0(a0)\nhcall\n");
	uint32_t pte_before = g_peek(t, gpt_leaf_entry(G_HIGH));
	uint64_t c0 = mach_cycles(t->m), traps0 = stats(t).traps;
	run_expect(t, MACH_VMEXIT_NESTED_FAULT);
	uint32_t sw_pc = t->entry + 8 + 4; /* li is two words here, then one */
	assert_int_equal(t->v.exit_gpa, G_DATA + 0x10);
	assert_int_equal(t->v.exit_access, CAUSE_ACCESS_STORE);
	assert_int_equal(t->v.exit_badva, G_HIGH + 0x10);
	assert_false(t->v.exit_in_walk);
	assert_int_equal(t->v.exit_pc, sw_pc);
	assert_int_equal(t->v.guest.pc, sw_pc);
	assert_int_equal(t->v.exit_insn, insn_at(t, sw_pc));
	assert_int_equal(g_peek(t, G_DATA + 0x10), 0);
	assert_int_equal(g_peek(t, gpt_leaf_entry(G_HIGH)), pte_before);
	assert_int_equal(t->v.guest.cr[CR_CAUSE], 0);
	assert_int_equal(stats(t).traps, traps0);
	/* three instructions of guest time: the faulting one is not charged */
	assert_int_equal(mach_cycles(t->m) - c0 - t->v.exit_host_cycles,
			 3 * mach_cost(COST_INSN));
	/* the host maps it; the store goes through */
	npt_map(t, G_DATA, G_BASE + G_DATA, PTE_R | PTE_W);
	run_expect(t, MACH_VMEXIT_HCALL);
	assert_int_equal(g_peek(t, G_DATA + 0x10), 77);
}

/* The nested table lacks the page holding one of the guest's PTEs: the
 * fault is in the walk, at the PTE's guest-physical address. */
static void test_nested_fault_in_the_walk_names_the_pte(void **state)
{
	struct vt *t = *state;
	gpt_map_kernel(t);
	gpt_map(t, G_HIGH, G_DATA, PTE_R | PTE_W);
	npt_set(t, G_PT_HIGH, 0);
	vt_load(t, "li a0, 0x400010\nlw a1, 0(a0)\nhcall\n");
	run_expect(t, MACH_VMEXIT_NESTED_FAULT);
	assert_true(t->v.exit_in_walk);
	assert_int_equal(t->v.exit_gpa, gpt_leaf_entry(G_HIGH));
	assert_int_equal(t->v.exit_access, CAUSE_ACCESS_LOAD);
	assert_int_equal(t->v.exit_badva, G_HIGH + 0x10);
	assert_int_equal(t->v.exit_pc, t->entry + 8);
}

/* A fetch from a guest-physical page the nested table lacks: the fetched
 * pc is the bad address, and there is no instruction word. */
static void test_nested_fault_on_fetch(void **state)
{
	struct vt *t = *state;
	vt_load(t, "li a0, 0x30000\njr a0\n");
	npt_set(t, 0x30000, 0);
	run_expect(t, MACH_VMEXIT_NESTED_FAULT);
	assert_int_equal(t->v.exit_gpa, 0x30000);
	assert_int_equal(t->v.exit_badva, 0x30000);
	assert_int_equal(t->v.exit_access, CAUSE_ACCESS_FETCH);
	assert_int_equal(t->v.exit_insn, 0);
	assert_int_equal(t->v.guest.pc, 0x30000);
}

/* A read-only nested mapping: loads go, a store exits. */
static void test_nested_permissions_apply(void **state)
{
	struct vt *t = *state;
	npt_map(t, G_DATA, G_BASE + G_DATA, PTE_R);
	g_poke(t, G_DATA, 5);
	vt_load(t, "li a0, 0x10000\nlw a1, 0(a0)\nsw a1, 4(a0)\nhcall\n");
	run_expect(t, MACH_VMEXIT_NESTED_FAULT);
	assert_int_equal(t->v.guest.x[R_A1], 5);
	assert_int_equal(t->v.exit_gpa, G_DATA + 4);
	assert_int_equal(t->v.exit_access, CAUSE_ACCESS_STORE);
}

/* The same through the guest's table, once the page is cached: a load
 * fills the TLB (and the machine's fast paths), and the store that
 * follows must still find the nested table's missing W. */
static void test_nested_read_only_page_stays_read_only_after_a_load(void **state)
{
	struct vt *t = *state;
	gpt_map_kernel(t);
	gpt_map(t, G_HIGH, G_DATA, PTE_R | PTE_W | PTE_A | PTE_D);
	npt_map(t, G_DATA, G_BASE + G_DATA, PTE_R);
	vt_load(t, "li a0, 0x400000\nlw a1, 0(a0)\nlw a1, 0(a0)\nsw a1, 4(a0)\nhcall\n");
	run_expect(t, MACH_VMEXIT_NESTED_FAULT);
	assert_int_equal(t->v.exit_gpa, G_DATA + 4);
	assert_int_equal(t->v.exit_access, CAUSE_ACCESS_STORE);
	assert_false(t->v.exit_in_walk);
}

/* ---- device space --------------------------------------------------------------- */

static void test_mmio_exit_names_gpa_access_and_insn(void **state)
{
	struct vt *t = *state;
	vt_load(t, "lui a0, 0xf000\nli a1, 65\nsw a1, 0(a0)\nlw a2, 4(a0)\nhcall\n");
	t->v.controls |= MACH_VMX_MMIO;
	uint64_t dev0 = stats(t).device_accesses;
	run_expect(t, MACH_VMEXIT_MMIO);
	assert_int_equal(t->v.exit_gpa, DEV_CONSOLE_BASE);
	assert_int_equal(t->v.exit_access, CAUSE_ACCESS_STORE);
	assert_int_equal(t->v.exit_pc, t->entry + 8);
	assert_int_equal(t->v.exit_insn, insn_at(t, t->entry + 8));
	assert_int_equal(t->f->outlen, 0); /* the device saw nothing */
	assert_int_equal(stats(t).device_accesses, dev0);
	/* the host emulates it and moves the guest on */
	t->v.guest.pc += 4;
	run_expect(t, MACH_VMEXIT_MMIO);
	assert_int_equal(t->v.exit_gpa, DEV_CONSOLE_BASE + 4);
	assert_int_equal(t->v.exit_access, CAUSE_ACCESS_LOAD);
}

/* With the guest's paging on, the GPA is what its table maps to. */
static void test_mmio_exit_through_the_guests_table(void **state)
{
	struct vt *t = *state;
	gpt_map_kernel(t);
	gpt_map(t, G_HIGH, DEV_TIMER_BASE, PTE_R | PTE_W);
	vt_load(t, "li a0, 0x400000\nsw zero, 4(a0)\nhcall\n");
	t->v.controls |= MACH_VMX_MMIO;
	run_expect(t, MACH_VMEXIT_MMIO);
	assert_int_equal(t->v.exit_gpa, DEV_TIMER_BASE + 4);
	assert_int_equal(t->v.exit_access, CAUSE_ACCESS_STORE);
	/* the guest's PTE got A and D, as the bare machine's store would */
	assert_true(g_peek(t, gpt_leaf_entry(G_HIGH)) & PTE_D);
}

/* Code is never fetched from device space: BUS_ERROR, as natively. */
static void test_fetch_from_device_space_is_a_bus_error(void **state)
{
	struct vt *t = *state;
	vt_load(t, "lui a0, 0xf000\njr a0\n");
	t->v.controls |= MACH_VMX_MMIO;
	t->v.exception_bitmap = 1u << CAUSE_BUS_ERROR;
	run_expect(t, MACH_VMEXIT_EXCEPTION);
	assert_int_equal(t->v.exit_cause, CAUSE_BUS_ERROR);
	assert_int_equal(t->v.exit_badva, DEV_CONSOLE_BASE);
}

/* Without EXIT_MMIO and with device space in the nested table, the guest
 * reaches the device itself (device assignment). */
static void test_assigned_device_is_reached_directly(void **state)
{
	struct vt *t = *state;
	npt_map(t, DEV_CONSOLE_BASE, DEV_CONSOLE_BASE, PTE_R | PTE_W);
	vt_load(t, "lui a0, 0xf000\nli a1, 65\nsw a1, 0(a0)\nhcall\n");
	run_expect(t, MACH_VMEXIT_HCALL);
	assert_int_equal(t->f->outlen, 1);
	assert_int_equal(t->f->out[0], 'A');
}

/* ---- shadow mode (first generation) ------------------------------------------------- */

static void shadow_map(struct vt *t, uint32_t root, uint32_t gva, uint32_t hpa,
		       uint32_t flags)
{
	uint32_t leaf = root + PAGE_SIZE;
	fix_poke32(t->f, root + (gva >> 22) * 4, leaf | PTE_V);
	fix_poke32(t->f, leaf + ((gva >> 12) & 0x3ff) * 4,
		   (hpa & PTE_FRAME_MASK) | flags | PTE_V);
}

/*
 * Without NESTED_PAGING the machine walks the host's shadow table: the
 * phys one while the guest's PG = 0, the other once it is 1 (the guest's
 * PTBR is only data).  A miss is the guest's PAGE_FAULT, for the bitmap.
 */
static void test_shadow_mode_walks_the_shadow_tables(void **state)
{
	struct vt *t = *state;
	uint32_t phys = SHADOW, paged = SHADOW + 2 * PAGE_SIZE;
	vt_load(t, "li a0, 0x10000\nlw a1, 0(a0)\n"
		   "li t0, 5\nmtcr psw, t0\n"          /* PG on */
		   "lw a2, 0(a0)\nli a0, 0x500000\nlw a3, 0(a0)\nhcall\n");
	for (uint32_t a = 0; a < 0x20000u; a += PAGE_SIZE)
		shadow_map(t, phys, a, G_BASE + a, PTE_R | PTE_W | PTE_X);
	for (uint32_t a = 0; a < 0x10000u; a += PAGE_SIZE)
		shadow_map(t, paged, a, G_BASE + a, PTE_R | PTE_W | PTE_X);
	shadow_map(t, paged, 0x10000, G_BASE + 0x11000, PTE_R);
	g_poke(t, 0x10000, 1);
	g_poke(t, 0x11000, 2);
	t->v.controls = MACH_VMX_HCALL;
	t->v.shadow_phys_ptbr = phys;
	t->v.shadow_ptbr = paged;
	t->v.guest.cr[CR_PTBR] = 0xdead000; /* only data */
	t->v.exception_bitmap = 1u << CAUSE_PAGE_FAULT;
	t->v.vpid = 0;
	run_expect(t, MACH_VMEXIT_EXCEPTION);
	assert_int_equal(t->v.guest.x[R_A1], 1);
	assert_int_equal(t->v.guest.x[R_A2], 2);
	assert_int_equal(t->v.exit_cause & CAUSE_CODE_MASK, CAUSE_PAGE_FAULT);
	assert_int_equal(t->v.exit_badva, 0x500000);
	assert_int_equal(stats(t).nested_refs, 0);
}

/* ---- the TLB's vpid tags ---------------------------------------------------------- */

/* A loop over 16 pages, then hcall, run many times in alternation by two
 * VMs: with their own vpids each keeps its entries (16 fetch-and-data
 * misses, once); with vpid 0 every entry and exit flushes. */
static const char *const pages_src =
	"start: li a0, 0x10000\n"
	"       li a1, 16\n"
	"loop:  lw a2, 0(a0)\n"
	"       li t0, 0x1000\n"
	"       add a0, a0, t0\n"
	"       addi a1, a1, -1\n"
	"       bnez a1, loop\n"
	"       hcall\n";

static uint64_t alternate(uint16_t vpid_a, uint16_t vpid_b)
{
	struct vt *t = vt_new(false);
	gpt_map_kernel(t);
	vt_load(t, pages_src);
	struct mach_vmcs a = t->v, b = t->v;
	a.vpid = vpid_a;
	b.vpid = vpid_b;
	uint64_t misses0 = stats(t).tlb_misses;
	for (int round = 0; round < 10; round++) {
		struct mach_vmcs *v[2] = {&a, &b};
		for (int k = 0; k < 2; k++) {
			v[k]->guest.pc = t->entry;
			assert_int_equal(mach_vm_run(t->m, v[k], BUDGET), MACH_STOP_VMEXIT);
			assert_int_equal(v[k]->exit_reason, MACH_VMEXIT_HCALL);
		}
	}
	uint64_t misses = stats(t).tlb_misses - misses0;
	vt_teardown((void **)&t);
	return misses;
}

static void test_vpids_keep_their_entries_across_world_switches(void **state)
{
	(void)state;
	uint64_t tagged = alternate(1, 2), untagged = alternate(0, 0);
	/* each VM: its code page and 16 data pages, missed once */
	assert_int_equal(tagged, 2 * 17);
	assert_int_equal(untagged, 10 * 2 * 17);
}

/* A guest's tlbflush drops its own entries only; the host's
 * mach_tlb_flush_vpid drops one VM's, mach_tlb_flush_all every one. */
static void test_tlb_flushes_drop_one_tag(void **state)
{
	struct vt *t = *state;
	gpt_map_kernel(t);
	vt_load(t, "li a0, 0x10000\nlw a1, 0(a0)\nhcall\ntlbflush\nhcall\n");
	struct mach_vmcs other = t->v;
	other.vpid = 2;
	run_expect(t, MACH_VMEXIT_HCALL);
	assert_int_equal(mach_vm_run(t->m, &other, BUDGET), MACH_STOP_VMEXIT);
	struct mach_tlb_entry e[256];
	int n = mach_tlb_entries(t->m, e, 256);
	assert_int_equal(n, 4); /* code and data, each vpid */
	t->v.guest.pc += 4;     /* tlbflush, then hcall */
	run_expect(t, MACH_VMEXIT_HCALL);
	n = mach_tlb_entries(t->m, e, 256);
	/* vpid 1 refilled its code page; vpid 2 kept both */
	assert_int_equal(n, 3);
	int of2 = 0;
	for (int i = 0; i < n; i++)
		of2 += e[i].vpid == 2;
	assert_int_equal(of2, 2);
	mach_tlb_flush_vpid(t->m, 2);
	assert_int_equal(mach_tlb_entries(t->m, e, 256), 1);
	assert_int_equal(e[0].vpid, 1);
	mach_tlb_flush_all(t->m);
	assert_int_equal(mach_tlb_entries(t->m, e, 256), 0);
}

/* The nested table changes between runs; the host flushes the vpid and
 * the guest, which had the page cached, now faults. */
static void test_host_flush_makes_a_nested_change_seen(void **state)
{
	struct vt *t = *state;
	vt_load(t, "li a0, 0x10000\nlw a1, 0(a0)\nhcall\n");
	run_expect(t, MACH_VMEXIT_HCALL);
	npt_set(t, G_DATA, 0);
	mach_tlb_flush_vpid(t->m, t->v.vpid);
	t->v.guest.pc = t->entry;
	run_expect(t, MACH_VMEXIT_NESTED_FAULT);
	assert_int_equal(t->v.exit_gpa, G_DATA);
}

/* ---- time ------------------------------------------------------------------------ */

/*
 * A program with a loop, a multiply, a system call and its rfe, paging
 * turned on by itself, loads, stores, console output and rdcycle; it
 * halts through the test device.  The guest reaches the console and the
 * test device directly (device assignment), so it can run unchanged on
 * the bare machine too.
 */
static const char *const timed_src =
	"       la t0, handler\n"
	"       mtcr tvec, t0\n"
	"       li t0, 0x40000\n"
	"       mtcr ptbr, t0\n"
	"       li t0, 5\n"
	"       mtcr psw, t0\n"
	"       rdcycle s0\n"
	"       li t1, 50\n"
	"loop:  addi t1, t1, -1\n"
	"       mul t2, t1, t1\n"
	"       bnez t1, loop\n"
	"       syscall\n"
	"       li a0, 0x10000\n"
	"       sw s0, 0(a0)\n"
	"       lw t3, 0(a0)\n"
	"       lui a1, 0xf000\n"
	"       li a2, 104\n"
	"       sw a2, 0(a1)\n"
	"       rdcycle s1\n"
	"       sub s2, s1, s0\n"
	"       lui a1, 0xf001\n"
	"       sw zero, -0x1000(a1)\n"
	"handler:\n"
	"       mfcr t0, epc\n"
	"       addi t0, t0, 4\n"
	"       mtcr epc, t0\n"
	"       rfe\n";

static void map_devices(struct vt *t)
{
	npt_map(t, DEV_CONSOLE_BASE, DEV_CONSOLE_BASE, PTE_R | PTE_W);
	npt_map(t, DEV_TEST_BASE, DEV_TEST_BASE, PTE_R | PTE_W);
	gpt_map(t, DEV_CONSOLE_BASE, DEV_CONSOLE_BASE, PTE_R | PTE_W);
	gpt_map(t, DEV_TEST_BASE, DEV_TEST_BASE, PTE_R | PTE_W);
}

/* The same page tables in a bare machine's RAM. */
static void native_tables(struct fix *f)
{
	for (uint32_t a = 0; a < 0x80000u; a += PAGE_SIZE) {
		fix_poke32(f, G_PT + (a >> 22) * 4, G_PT_LEAF | PTE_V);
		fix_poke32(f, G_PT_LEAF + ((a >> 12) & 0x3ff) * 4,
			   a | PTE_R | PTE_W | PTE_X | PTE_V);
	}
	uint32_t dev_leaf = G_PT_HIGH;
	fix_poke32(f, G_PT + (DEV_CONSOLE_BASE >> 22) * 4, dev_leaf | PTE_V);
	fix_poke32(f, dev_leaf + ((DEV_CONSOLE_BASE >> 12) & 0x3ff) * 4,
		   DEV_CONSOLE_BASE | PTE_R | PTE_W | PTE_V);
	fix_poke32(f, dev_leaf + ((DEV_TEST_BASE >> 12) & 0x3ff) * 4,
		   DEV_TEST_BASE | PTE_R | PTE_W | PTE_V);
}

/*
 * The guest's time under the extension is the bare machine's: the same
 * rdcycle difference, the same cycles and instructions in all, the same
 * output -- though its 2-D walks and the entry and exit cost host cycles,
 * which the clock gets after the guest's time.  Run in slices of a small
 * budget, too: the budget counts guest cycles only.
 */
static void run_timed(uint64_t slice, uint32_t *rdcycle_diff,
		      uint64_t *guest_cycles, uint64_t *host_cycles,
		      char *out, size_t *outlen)
{
	struct vt *t = vt_new(false);
	vt_load(t, timed_src);
	map_devices(t);
	/* the guest's table lives in guest memory; map_devices put its
	 * device entries there; the kernel map the same as native */
	for (uint32_t a = 0; a < 0x80000u; a += PAGE_SIZE)
		gpt_map(t, a, a, PTE_R | PTE_W | PTE_X);
	t->v.rdcycle_offset = mach_cycles(t->m);
	uint64_t c0 = mach_cycles(t->m), host = 0;
	enum mach_stop stop;
	do {
		stop = mach_vm_run(t->m, &t->v, slice);
		host += t->v.exit_host_cycles;
		/* the guest's clock: the host's work is not its time */
		t->v.rdcycle_offset += t->v.exit_host_cycles;
	} while (stop == MACH_STOP_BUDGET);
	assert_int_equal(stop, MACH_STOP_HALT);
	*rdcycle_diff = t->v.guest.x[R_S2];
	*guest_cycles = mach_cycles(t->m) - c0 - host;
	*host_cycles = host;
	memcpy(out, t->f->out, t->f->outlen);
	*outlen = t->f->outlen;
	vt_teardown((void **)&t);
}

static void test_guest_clock_equals_the_bare_machines(void **state)
{
	(void)state;
	/* the bare machine */
	struct fix *f = fix_new((struct mach_config){0});
	uint32_t entry = load_program(f->m, 0, timed_src);
	native_tables(f);
	f->cpu->pc = entry;
	uint64_t c0 = mach_cycles(f->m);
	assert_int_equal(mach_run(f->m, BUDGET), MACH_STOP_HALT);
	uint64_t native_cycles = mach_cycles(f->m) - c0;
	uint32_t native_diff = f->cpu->x[R_S2];
	assert_int_equal(f->outlen, 1);

	uint64_t slices[] = {BUDGET, 7};
	for (size_t i = 0; i < 2; i++) {
		uint32_t diff;
		uint64_t guest, host;
		char out[16];
		size_t outlen;
		run_timed(slices[i], &diff, &guest, &host, out, &outlen);
		assert_int_equal(diff, native_diff);
		assert_int_equal(guest, native_cycles);
		assert_true(host > 0);
		assert_int_equal(outlen, 1);
		assert_memory_equal(out, f->out, 1);
	}
	fix_free(f);
}

/* ---- VM-entry checks ------------------------------------------------------------- */

/* Makes t's VMCS bad in one way. */
typedef void break_vmcs_fn(struct mach_vmcs *v);

static void bad_control(struct mach_vmcs *v) { v->controls |= 1u << 20; }
static void bad_nested_ptbr(struct mach_vmcs *v) { v->nested_ptbr = HOST_RAM; }
static void bad_shadow_ptbr(struct mach_vmcs *v)
{
	v->controls &= ~(uint32_t)MACH_VMX_NESTED_PAGING;
	v->shadow_phys_ptbr = SHADOW;
	v->shadow_ptbr = HOST_RAM;
}
static void bad_shadow_phys_ptbr(struct mach_vmcs *v)
{
	v->controls &= ~(uint32_t)MACH_VMX_NESTED_PAGING;
	v->shadow_ptbr = SHADOW;
	v->shadow_phys_ptbr = 0xF0000000u;
}
static void bad_guest_ptbr(struct mach_vmcs *v)
{
	v->guest.cr[CR_PSW] |= PSW_PG;
	v->guest.cr[CR_PTBR] = G_RAM;
}
static void bad_guest_ram_zero(struct mach_vmcs *v) { v->guest_ram = 0; }
static void bad_guest_ram_unaligned(struct mach_vmcs *v) { v->guest_ram = G_RAM - 8; }
static void bad_injected_interrupt(struct mach_vmcs *v)
{
	v->inject = true;
	v->inject_cause = CAUSE_INTERRUPT | IRQ_TIMER; /* IE is 0 */
}
static void bad_injected_cause(struct mach_vmcs *v)
{
	v->inject = true;
	v->inject_cause = 0x77;
}
static void bad_psw(struct mach_vmcs *v) { v->guest.cr[CR_PSW] |= 1u << 7; }

/* Breaks t's VMCS with breaks; the entry must be refused with a line
 * naming field, and nothing else may change: the guest ran nothing, the
 * clock and the host did not move, an event is still to be injected. */
static void expect_entry_refused(struct vt *t, break_vmcs_fn *breaks,
				 const char *field)
{
	vt_load(t, "li a0, 1\nhcall\n");
	breaks(&t->v);
	struct mach_vmcs before = t->v;
	struct cpu host = *mach_cpu(t->m);
	uint64_t c0 = mach_cycles(t->m);
	assert_int_equal(mach_vm_run(t->m, &t->v, BUDGET), MACH_STOP_VMEXIT);
	assert_int_equal(t->v.exit_reason, MACH_VMEXIT_ENTRY_FAILED);
	assert_non_null(t->v.entry_error);
	if (strncmp(t->v.entry_error, field, strlen(field)) != 0)
		fail_msg("entry error \"%s\" does not name %s", t->v.entry_error,
			 field);
	assert_memory_equal(&t->v.guest, &before.guest, sizeof before.guest);
	assert_int_equal(t->v.inject, before.inject);
	assert_int_equal(t->v.exit_host_cycles, 0);
	assert_int_equal(mach_cycles(t->m), c0);
	assert_memory_equal(mach_cpu(t->m), &host, sizeof host);
	assert_int_equal(stats(t).exits_by_reason[MACH_VMEXIT_ENTRY_FAILED], 1);
}

/* One test per VM-entry check. */
#define ENTRY_CHECK_TEST(name, breaks, field)                                \
	static void test_entry_refuses_##name(void **state)                   \
	{                                                                     \
		expect_entry_refused(*state, breaks, field);                  \
	}
ENTRY_CHECK_TEST(an_unknown_control, bad_control, "controls:")
ENTRY_CHECK_TEST(a_nested_table_outside_host_ram, bad_nested_ptbr, "nested_ptbr:")
ENTRY_CHECK_TEST(a_shadow_table_outside_host_ram, bad_shadow_ptbr, "shadow_ptbr:")
ENTRY_CHECK_TEST(a_phys_shadow_table_outside_host_ram, bad_shadow_phys_ptbr,
		 "shadow_phys_ptbr:")
ENTRY_CHECK_TEST(a_guest_ptbr_outside_guest_ram, bad_guest_ptbr, "guest.cr[PTBR]:")
ENTRY_CHECK_TEST(no_guest_ram, bad_guest_ram_zero, "guest_ram:")
ENTRY_CHECK_TEST(guest_ram_not_in_pages, bad_guest_ram_unaligned, "guest_ram:")
ENTRY_CHECK_TEST(an_interrupt_while_ie_is_0, bad_injected_interrupt, "inject_cause:")
ENTRY_CHECK_TEST(an_event_the_machine_has_not, bad_injected_cause, "inject_cause:")
ENTRY_CHECK_TEST(a_reserved_psw_bit, bad_psw, "guest.cr[PSW]:")
#undef ENTRY_CHECK_TEST

/* The same VMCS, repaired, enters. */
static void test_a_good_vmcs_enters(void **state)
{
	struct vt *t = *state;
	vt_load(t, "li a0, 1\nhcall\n");
	run_expect(t, MACH_VMEXIT_HCALL);
	assert_null(t->v.entry_error);
	assert_int_equal(t->v.guest.x[R_A0], 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, vt_setup, vt_teardown)
#define T_LEAKY(fn) cmocka_unit_test_setup_teardown(fn, vt_setup_leaky, vt_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_names_follow_the_tables),
		T(test_guest_kernel_traps_and_writes_crs_without_exits),
		T(test_host_state_is_restored_after_the_run),
		T_LEAKY(test_leaky_rdpsw_in_guest_supervisor_reads_mode_without_exit),
		T_LEAKY(test_leaky_rdpsw_in_guest_user_mode_runs_silently),
		T(test_clean_rdpsw_in_guest_user_mode_traps_to_the_guest),
		T(test_each_control_exits_when_set_and_not_when_clear),
		T(test_controls_do_not_apply_to_guest_user_mode),
		T(test_exception_exit_is_precise),
		T(test_irq_window_exits_once_the_guest_sets_ie),
		T(test_machine_interrupt_exits_and_never_reaches_the_guest),
		T(test_injected_interrupt_enters_the_guest_handler),
		T(test_injected_exception_enters_the_guest_handler),
		T(test_guest_double_fault_exits),
		T(test_2d_walk_takes_8_references_on_a_miss_and_0_on_a_hit),
		T(test_walk2d_lists_both_dimensions_in_order),
		T(test_nested_fault_on_data_is_precise),
		T(test_nested_fault_in_the_walk_names_the_pte),
		T(test_nested_fault_on_fetch),
		T(test_nested_permissions_apply),
		T(test_nested_read_only_page_stays_read_only_after_a_load),
		T(test_mmio_exit_names_gpa_access_and_insn),
		T(test_mmio_exit_through_the_guests_table),
		T(test_fetch_from_device_space_is_a_bus_error),
		T(test_assigned_device_is_reached_directly),
		T(test_shadow_mode_walks_the_shadow_tables),
		T(test_vpids_keep_their_entries_across_world_switches),
		T(test_tlb_flushes_drop_one_tag),
		T(test_host_flush_makes_a_nested_change_seen),
		T(test_guest_clock_equals_the_bare_machines),
		T(test_entry_refuses_an_unknown_control),
		T(test_entry_refuses_a_nested_table_outside_host_ram),
		T(test_entry_refuses_a_shadow_table_outside_host_ram),
		T(test_entry_refuses_a_phys_shadow_table_outside_host_ram),
		T(test_entry_refuses_a_guest_ptbr_outside_guest_ram),
		T(test_entry_refuses_no_guest_ram),
		T(test_entry_refuses_guest_ram_not_in_pages),
		T(test_entry_refuses_an_interrupt_while_ie_is_0),
		T(test_entry_refuses_an_event_the_machine_has_not),
		T(test_entry_refuses_a_reserved_psw_bit),
		T(test_a_good_vmcs_enters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
