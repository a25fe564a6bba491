/*
 * test_vmm.c - the VMM's handlers, each alone, and a few whole runs.
 *
 * A handler is a function of (VM, exit record): given what the machine
 * reported, it changes the vCPU, the guest's memory, the shadow tables or
 * the VM's devices.  So each test builds one VM (vm0, 1 MiB of guest RAM),
 * puts the vCPU in a known state, calls one handler directly with a
 * hand-made struct mach_exit, and checks exactly what changed:
 *
 *   the vCPU        registers, pc and the eight control registers
 *   guest memory    through gpa_read32 (e.g. the A and D bits of a PTE)
 *   the shadows     read from host memory: vm->shadow[view].root, then the
 *                   leaf the root entry points to (shadow_lookup below)
 *   the VM's clock  vm->cycles and vm->instret, against the bare machine's
 *                   cost model: a handler adds only what the bare machine
 *                   would have charged beyond the one cycle the machine
 *                   already counted for the trapping instruction
 *   the event       ev.action and ev.cost
 *
 * The tests use the VMM's private header (vmm/internal.h): struct vm is
 * what they poke.  The guest's memory map in these tests:
 *
 *   0x00001000  GCODE   code (pc of most exits)
 *   0x00008000  GTVEC   the guest's trap handler (TVEC)
 *   0x00010000  GDATA   data pages
 *   0x00040000  GPT     the guest's root page table; leaf tables follow
 *   0x00100000  GMEM    end of guest RAM
 *
 * The run_* tests at the end go through vmm_run with tiny programs; two of
 * them run the same program on the bare machine too and compare console
 * bytes, status, and the VM's virtual clock with the machine's.
 *
 * For whoever changes vmm/: these tests read and write struct vm's fields
 * directly (vcpu, frames, shadow[].root and .leaves, trap_entered,
 * irq_lines, timer, disk, cycles, instret, stats), and call the handlers
 * and helpers that internal.h declares; a change there may need one here.
 * The bench runs VMs with max_cycles = 1000000, so that a VMM bug that
 * loops fails a run test instead of hanging it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "machine_fixture.h"

#include "../../vmm/internal.h"

#define GMEM 0x00100000u
#define GCODE 0x00001000u
#define GTVEC 0x00008000u
#define GDATA 0x00010000u
#define GPT 0x00040000u
/* A second page table the guest switches to: a PTBR write that stores
 * nothing leaves GPT, so a test that writes GPT itself would not see it. */
#define GPT_OTHER 0x00041000u

/* Sentinels in the control registers the handlers must not touch. */
#define OLD_EPC 0x0badc0deu
#define OLD_CAUSE 0x55u
#define OLD_BADVA 0x66666666u
#define OLD_SCRATCH 0x77777777u

#define MAX_EVENTS 64

struct bench {
	struct vmm *v;
	struct vm *vm; /* vm0 */
	char out[256]; /* console output of every VM, in order */
	int outvm[256]; /* which VM wrote each byte */
	size_t outlen;
	size_t outbytes; /* all bytes written, also those out[] had no room for */
	uint32_t pt_next; /* next free guest frame for a leaf table */
	struct vmm_event events[MAX_EVENTS];
	int nevents;
};

/* ---- the bench ---------------------------------------------------------- */

static void bench_output(void *ctx, int vm, uint8_t byte)
{
	struct bench *b = ctx;
	b->outbytes++;
	if (b->outlen + 1 < sizeof b->out) {
		b->outvm[b->outlen] = vm;
		b->out[b->outlen++] = (char)byte;
	}
}

static void bench_event(void *ctx, const struct vmm_event *e)
{
	struct bench *b = ctx;
	if (b->nevents < MAX_EVENTS)
		b->events[b->nevents++] = *e;
}

/* Adds a VM whose image is two instructions at GCODE that halt with
 * status 0 (tests that run a VM put their own program over it); its disk
 * private (copy-on-write) if disk_private. */
static struct vm *bench_add_vm_disk(struct bench *b, uint32_t mem,
				    const char *disk, bool disk_private)
{
	uint32_t words[2] = {fix_encode(OP_LUI, R_T3, 0, 0, 0xf001),
			     fix_encode(OP_SW, 0, R_T3, R_ZERO, -0x1000)};
	uint8_t code[8];
	for (int i = 0; i < 8; i++)
		code[i] = (uint8_t)(words[i / 4] >> (8 * (i % 4)));
	struct elf_segment seg = {.name = ".text", .addr = GCODE, .size = 8,
				  .filesz = 8, .flags = ELF_SEG_R | ELF_SEG_X,
				  .data = code};
	struct elf_image img = {.entry = GCODE, .segments = &seg,
				.nsegments = 1};
	struct vm_config vc = {.image = &img, .mem = mem, .disk = disk,
			       .disk_private = disk_private};
	char err[200];
	int id = vmm_add_vm(b->v, &vc, err, sizeof err);
	if (id < 0)
		fail_msg("vmm_add_vm: %s", err);
	return b->v->vms[id];
}

static struct vm *bench_add_vm(struct bench *b, uint32_t mem, const char *disk)
{
	return bench_add_vm_disk(b, mem, disk, false);
}

/* A VMM on a machine of host_ram bytes (0: the default) with vm0. */
static int bench_make(void **state, uint32_t host_ram)
{
	struct bench *b = calloc(1, sizeof *b);
	assert_non_null(b);
	/* max_cycles: a broken VMM that loops ends the run test, not hangs */
	struct vmm_config cfg = {.output = bench_output, .output_ctx = b,
				 .max_cycles = 1000000, .host_ram = host_ram};
	b->v = vmm_new(&cfg);
	assert_non_null(b->v);
	vmm_on_event(b->v, bench_event, b);
	b->vm = bench_add_vm(b, GMEM, NULL);
	b->pt_next = GPT + PAGE_SIZE;
	*state = b;
	return 0;
}

static int bench_setup(void **state)
{
	return bench_make(state, 0);
}

static int bench_teardown(void **state)
{
	struct bench *b = *state;
	vmm_free(b->v);
	free(b);
	return 0;
}

/*
 * Puts vm0's vCPU in a known state: PSW = psw, pc, TVEC = GTVEC, PTBR =
 * GPT (read only when PG is set), sentinels in EPC, CAUSE, BADVA,
 * SCRATCH, EPSW = S|IE, and x[i] = 0xa0000000 | i.  No trap in progress.
 */
static void vcpu_at(struct bench *b, uint32_t psw, uint32_t pc)
{
	struct vcpu *c = &b->vm->vcpu;
	c->cr[CR_PSW] = psw;
	c->cr[CR_EPC] = OLD_EPC;
	c->cr[CR_EPSW] = PSW_MODE | PSW_IE;
	c->cr[CR_CAUSE] = OLD_CAUSE;
	c->cr[CR_BADVA] = OLD_BADVA;
	c->cr[CR_TVEC] = GTVEC;
	c->cr[CR_PTBR] = GPT;
	c->cr[CR_SCRATCH] = OLD_SCRATCH;
	c->x[0] = 0;
	for (unsigned i = 1; i < ISA_NREGS; i++)
		c->x[i] = 0xa0000000u | i;
	c->pc = pc;
	b->vm->trap_entered = false;
}

/* ---- instruction words ---------------------------------------------------- */

static uint32_t w_mfcr(unsigned rd, unsigned cr)
{
	return fix_encode(OP_MFCR, rd, 0, 0, (int32_t)cr);
}

static uint32_t w_mtcr(unsigned cr, unsigned rs)
{
	return fix_encode(OP_MTCR, 0, rs, 0, (int32_t)cr);
}

static uint32_t w_op(unsigned op)
{
	return fix_encode(op, 0, 0, 0, 0);
}

/* rdpsw, rdtvec */
static uint32_t w_rd(unsigned op, unsigned rd)
{
	return fix_encode(op, rd, 0, 0, 0);
}

/* wrpsw, tlbinv */
static uint32_t w_rs(unsigned op, unsigned rs)
{
	return fix_encode(op, 0, rs, 0, 0);
}

static uint32_t w_load(unsigned op, unsigned rd, int32_t off, unsigned base)
{
	return fix_encode(op, rd, base, 0, off);
}

static uint32_t w_store(unsigned op, unsigned src, int32_t off, unsigned base)
{
	return fix_encode(op, 0, base, src, off);
}

/* ---- calling a handler ------------------------------------------------------ */

/* A PRIV exit for insn at the vCPU's pc, handed to emulate_privileged. */
static struct vmm_event do_priv(struct bench *b, uint32_t insn)
{
	struct mach_exit e = {CAUSE_PRIV, b->vm->vcpu.pc, 0, insn};
	struct vmm_event ev = {0};
	vm_handle_exit(b->vm, &e, &ev);
	return ev;
}

/* A page-fault exit at the vCPU's pc, handed to shadow_page_fault.  The
 * instruction word does not matter for a fill; it does for MMIO. */
static struct vmm_event do_fault(struct bench *b, unsigned access,
				 bool present, uint32_t va, uint32_t insn)
{
	uint32_t cause = CAUSE_PAGE_FAULT | access << CAUSE_ACCESS_SHIFT |
			 (present ? CAUSE_PRESENT : 0);
	struct mach_exit e = {cause, b->vm->vcpu.pc, va, insn};
	struct vmm_event ev = {0};
	vm_handle_exit(b->vm, &e, &ev);
	return ev;
}

/* An MMIO access at gpa by insn at the vCPU's pc, to mmio_emulate. */
static struct vmm_event do_mmio(struct bench *b, uint32_t insn, uint32_t gpa)
{
	struct mach_exit e = {CAUSE_PAGE_FAULT | CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT,
			      b->vm->vcpu.pc, gpa, insn};
	struct vmm_event ev = {.action = mmio_emulate(b->vm, &e, gpa)};
	return ev;
}

/* ---- memory: host words, shadows, guest page tables ------------------------- */

static uint32_t host_word(struct bench *b, uint32_t hpa)
{
	uint8_t w[4];
	assert_true(mach_phys_read(vmm_machine(b->v), hpa, w, 4));
	return (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 |
	       (uint32_t)w[3] << 24;
}

static void host_put_word(struct bench *b, uint32_t hpa, uint32_t value)
{
	uint8_t w[4] = {(uint8_t)value, (uint8_t)(value >> 8),
			(uint8_t)(value >> 16), (uint8_t)(value >> 24)};
	assert_true(mach_phys_write(vmm_machine(b->v), hpa, w, 4));
}

/* The shadow PTE that view holds for va, as the machine's MMU would find
 * it: root entry, then leaf entry.  0 if the root entry is not valid. */
static uint32_t shadow_lookup(struct bench *b, unsigned view, uint32_t va)
{
	uint32_t root = host_word(b, b->vm->shadow[view].root + (va >> 22) * 4);
	if (!(root & PTE_V))
		return 0;
	return host_word(b, (root & PTE_FRAME_MASK) + ((va >> 12) & 0x3ff) * 4);
}

/* Does the machine's TLB hold a translation of the page at va? */
static bool tlb_holds(struct bench *b, uint32_t va)
{
	struct mach_tlb_entry e[256];
	int n = mach_tlb_entries(vmm_machine(b->v), e, 256);
	for (int i = 0; i < n; i++)
		if (e[i].va == (va & PTE_FRAME_MASK))
			return true;
	return false;
}

static uint32_t gread(struct vm *vm, uint32_t gpa)
{
	uint32_t v = 0;
	assert_true(gpa_read32(vm, gpa, &v));
	return v;
}

static void gwrite(struct vm *vm, uint32_t gpa, uint32_t value)
{
	assert_true(gpa_write32(vm, gpa, value));
}

static uint32_t hpa_of(struct vm *vm, uint32_t gpa)
{
	uint32_t hpa = 0;
	assert_true(gpa_to_hpa(vm, gpa, &hpa));
	return hpa;
}

/* Where the guest's leaf PTE for va lives (its leaf table must exist). */
static uint32_t gpte_addr(struct bench *b, uint32_t va)
{
	uint32_t root = gread(b->vm, GPT + (va >> 22) * 4);
	assert_true(root & PTE_V);
	return (root & PTE_FRAME_MASK) + ((va >> 12) & 0x3ff) * 4;
}

/* Maps va with leaf PTE pte in the guest's two-level table at GPT,
 * making the leaf table if needed (U = 0 pages unless pte says U). */
static void gmap(struct bench *b, uint32_t va, uint32_t pte)
{
	uint32_t root_pa = GPT + (va >> 22) * 4;
	if (!(gread(b->vm, root_pa) & PTE_V)) {
		gwrite(b->vm, root_pa, b->pt_next | PTE_V);
		b->pt_next += PAGE_SIZE;
	}
	gwrite(b->vm, gpte_addr(b, va), pte);
}

static uint32_t gpte(struct bench *b, uint32_t va)
{
	return gread(b->vm, gpte_addr(b, va));
}

/* The shadow PTE the VMM writes for a guest page: always V, U, A, D
 * (the MMU must never write a shadow), the guest's R and X, and W only
 * once the guest's D is set. */
static uint32_t expected_shadow(uint32_t hpa, uint32_t flags)
{
	return (hpa & PTE_FRAME_MASK) | PTE_V | PTE_U | PTE_A | PTE_D | flags;
}

/* Maps user_va (U = 1) and super_va (U = 0) in the guest's table, then
 * fills both in the supervisor view and user_va in the user view. */
static void fill_both_views(struct bench *b, uint32_t user_va, uint32_t super_va)
{
	gmap(b, user_va, GDATA | PTE_V | PTE_R | PTE_U);
	gmap(b, super_va, (GDATA + PAGE_SIZE) | PTE_V | PTE_R);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, user_va, 0);
	do_fault(b, CAUSE_ACCESS_LOAD, false, super_va, 0);
	vcpu_at(b, PSW_PG, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, user_va, 0);
}

/* The vCPU after a trap entry, exactly as ISA.md section 6.2 says. */
static void assert_trap_entry(struct bench *b, uint32_t old_psw, uint32_t cause,
			      uint32_t epc, uint32_t badva)
{
	const struct vcpu *c = &b->vm->vcpu;
	assert_int_equal(c->cr[CR_EPSW], old_psw);
	assert_int_equal(c->cr[CR_EPC], epc);
	assert_int_equal(c->cr[CR_CAUSE], cause);
	assert_int_equal(c->cr[CR_BADVA], badva);
	assert_int_equal(c->cr[CR_PSW], (old_psw & PSW_PG) | PSW_MODE);
	assert_int_equal(c->pc, GTVEC);
	assert_int_equal(c->cr[CR_TVEC], GTVEC);
	assert_int_equal(c->cr[CR_SCRATCH], OLD_SCRATCH);
	assert_int_equal(c->cr[CR_PTBR], GPT);
	assert_int_equal(b->vm->state, VM_RUNNING);
}

/* A machine just big enough for two VMs of GMEM, each with its shadow
 * pool: 6 MiB.  Had the VMs one pool for all, as they once had, it would
 * hold SMALL_SPARE_FRAMES leaf tables: the frames above the VMs' memory
 * (which starts at frame GMEM / PAGE_SIZE), less the first of them,
 * which that allocator never gave, and the six roots. */
#define SMALL_HOST_RAM (6u << 20)
#define SMALL_SPARE_FRAMES \
	((SMALL_HOST_RAM - 3 * GMEM) / PAGE_SIZE - 1 - 2 * VMM_VIEWS)

static int bench_small_setup(void **state)
{
	return bench_make(state, SMALL_HOST_RAM);
}

/* ===== emulate_privileged ===================================================== */

/* mfcr rd, CR reads each of the eight virtual control registers. */
static void test_emulate_mfcr_reads_each_cr(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	for (unsigned cr = 0; cr < CR_COUNT; cr++) {
		vcpu_at(b, PSW_MODE | PSW_IE, GCODE);
		for (unsigned i = 0; i < CR_COUNT; i++)
			if (i != CR_PSW)
				vm->vcpu.cr[i] = 0x10000000u * (i + 1) + i;
		uint32_t want = vm->vcpu.cr[cr];
		vm->cycles = 1000, vm->instret = 10;
		struct vmm_event ev = do_priv(b, w_mfcr(R_T0, cr));
		assert_int_equal(vm->vcpu.x[R_T0], want);
		assert_int_equal(vm->vcpu.x[R_T1], 0xa0000000u | R_T1);
		assert_int_equal(vm->vcpu.pc, GCODE + 4);
		assert_int_equal(vm->instret, 11);
		assert_int_equal(vm->cycles, 1000); /* mfcr costs 1, counted already */
		assert_int_equal(ev.action, VMM_ACT_EMULATED);
		assert_int_equal(ev.cost, vmm_cost(VMM_COST_EMULATE));
		assert_int_equal(vm->state, VM_RUNNING);
	}
	assert_int_equal(vm->vcpu.x[R_T0], 0x10000000u * (CR_SCRATCH + 1) + CR_SCRATCH);
}

/* mtcr CR, rs writes each control register but PSW and PTBR as is, and
 * no other register. */
static void test_emulate_mtcr_writes_each_cr(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const unsigned plain[] = {CR_EPC, CR_EPSW, CR_CAUSE, CR_BADVA, CR_TVEC,
				  CR_SCRATCH};
	for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++) {
		unsigned cr = plain[k];
		vcpu_at(b, PSW_MODE, GCODE);
		uint32_t before[CR_COUNT];
		memcpy(before, vm->vcpu.cr, sizeof before);
		vm->vcpu.x[R_A0] = 0x12345670u + cr;
		vm->instret = 0;
		struct vmm_event ev = do_priv(b, w_mtcr(cr, R_A0));
		for (unsigned i = 0; i < CR_COUNT; i++)
			assert_int_equal(vm->vcpu.cr[i],
					 i == cr ? 0x12345670u + cr : before[i]);
		assert_int_equal(vm->vcpu.pc, GCODE + 4);
		assert_int_equal(vm->instret, 1);
		assert_int_equal(ev.action, VMM_ACT_EMULATED);
	}
}

/* A PSW write keeps MODE, IE and PG only, and switches the view the next
 * world switch loads; with MODE = 0 the next privileged instruction is
 * the guest's, reflected as PRIV. */
static void test_emulate_mtcr_psw_masks_and_switches_mode(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	assert_int_equal(shadow_root(vm), vm->shadow[VIEW_PHYS].root);

	vm->vcpu.x[R_A0] = 0xfffffff8u | PSW_MODE | PSW_PG;
	do_priv(b, w_mtcr(CR_PSW, R_A0));
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_PG);
	assert_int_equal(shadow_root(vm), vm->shadow[VIEW_SUPER].root);

	vm->vcpu.x[R_A0] = 0xfffffff8u | PSW_IE | PSW_PG;
	do_priv(b, w_mtcr(CR_PSW, R_A0));
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_IE | PSW_PG);
	assert_int_equal(shadow_root(vm), vm->shadow[VIEW_USER].root);
	assert_int_equal(vm->vcpu.pc, GCODE + 8);

	/* now in virtual user mode: mtcr is the guest's PRIV trap */
	vm->vcpu.x[R_A0] = PSW_MODE;
	do_priv(b, w_mtcr(CR_PSW, R_A0));
	assert_int_equal(vm->vcpu.cr[CR_CAUSE], CAUSE_PRIV);
	assert_int_equal(vm->vcpu.cr[CR_EPC], GCODE + 8);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_PG);
	assert_int_equal(vm->vcpu.pc, GTVEC);
}

/* Writing PTBR flushes the TLB, so the shadows that cache the guest's
 * translations go: a filled entry is gone afterwards.  The paging-off
 * shadow (guest-physical memory never moves) stays. */
static void test_emulate_mtcr_ptbr_flushes_shadows(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400000u;

	vcpu_at(b, PSW_MODE, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, GDATA, 0);
	uint32_t phys = shadow_lookup(b, VIEW_PHYS, GDATA);
	assert_int_equal(phys, expected_shadow(hpa_of(vm, GDATA),
					       PTE_R | PTE_W | PTE_X));

	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	gmap(b, va, GDATA | PTE_V | PTE_R | PTE_W);
	do_fault(b, CAUSE_ACCESS_LOAD, false, va, 0);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va),
			 expected_shadow(hpa_of(vm, GDATA), PTE_R));

	uint64_t flushes = vm->stats.shadow_flushes;
	vm->vcpu.x[R_A0] = GPT_OTHER;
	vm->instret = 0;
	struct vmm_event ev = do_priv(b, w_mtcr(CR_PTBR, R_A0));
	assert_int_equal(vm->vcpu.cr[CR_PTBR], GPT_OTHER);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va), 0);
	assert_int_equal(host_word(b, vm->shadow[VIEW_SUPER].root + (va >> 22) * 4), 0);
	assert_int_equal(shadow_lookup(b, VIEW_PHYS, GDATA), phys);
	assert_int_equal(vm->stats.shadow_flushes, flushes + 1);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(vm->instret, 1);
	assert_int_equal(ev.action, VMM_ACT_EMULATED);
}

/* rfe: PSW <- EPSW (MODE, IE, PG only), pc <- EPC, and the bare
 * machine's extra trap cost for rfe. */
static void test_emulate_rfe(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE | PSW_PG, GTVEC + 0x10);
	vm->vcpu.cr[CR_EPSW] = 0xfffffff0u | PSW_IE | PSW_PG; /* user mode */
	vm->vcpu.cr[CR_EPC] = 0x00002468u;
	vm->cycles = 1000, vm->instret = 5;
	struct vmm_event ev = do_priv(b, w_op(OP_RFE));
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_IE | PSW_PG);
	assert_int_equal(vm->vcpu.pc, 0x00002468u);
	assert_int_equal(vm->cycles, 1000 + mach_cost(COST_TRAP));
	assert_int_equal(vm->instret, 6);
	assert_int_equal(vm->vcpu.cr[CR_EPSW], 0xfffffff0u | PSW_IE | PSW_PG);
	assert_int_equal(vm->vcpu.cr[CR_EPC], 0x00002468u);
	assert_int_equal(shadow_root(vm), vm->shadow[VIEW_USER].root);
	assert_int_equal(ev.action, VMM_ACT_EMULATED);
	assert_int_equal(ev.cost, vmm_cost(VMM_COST_EMULATE));
}

/* tlbflush drops every shadow entry, in both paging views. */
static void test_emulate_tlbflush_drops_every_entry(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va1 = 0x00400000u, va2 = 0x00801000u;
	fill_both_views(b, va1, va2);
	assert_int_not_equal(shadow_lookup(b, VIEW_SUPER, va1), 0);
	assert_int_not_equal(shadow_lookup(b, VIEW_SUPER, va2), 0);
	assert_int_not_equal(shadow_lookup(b, VIEW_USER, va1), 0);

	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	vm->instret = 0;
	struct vmm_event ev = do_priv(b, w_op(OP_TLBFLUSH));
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va1), 0);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va2), 0);
	assert_int_equal(shadow_lookup(b, VIEW_USER, va1), 0);
	assert_int_equal(vm->shadow[VIEW_SUPER].nleaves, 0);
	assert_int_equal(vm->shadow[VIEW_USER].nleaves, 0);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(vm->instret, 1);
	assert_int_equal(ev.action, VMM_ACT_EMULATED);
}

/* tlbinv rs drops the page holding the address in rs, in both views,
 * and nothing else. */
static void test_emulate_tlbinv_drops_one_page(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va1 = 0x00400000u, va2 = 0x00401000u;
	gmap(b, va1, GDATA | PTE_V | PTE_R | PTE_U);
	gmap(b, va2, (GDATA + PAGE_SIZE) | PTE_V | PTE_R | PTE_U);
	vcpu_at(b, PSW_PG, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, va1, 0);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, va1, 0);
	do_fault(b, CAUSE_ACCESS_LOAD, false, va2, 0);
	uint32_t keep = shadow_lookup(b, VIEW_SUPER, va2);
	assert_int_equal(keep, expected_shadow(hpa_of(vm, GDATA + PAGE_SIZE), PTE_R));
	assert_int_not_equal(shadow_lookup(b, VIEW_USER, va1), 0);

	vm->vcpu.x[R_A1] = va1 + 0xabc;
	struct vmm_event ev = do_priv(b, w_rs(OP_TLBINV, R_A1));
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va1), 0);
	assert_int_equal(shadow_lookup(b, VIEW_USER, va1), 0);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va2), keep);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(ev.action, VMM_ACT_EMULATED);
}

/* The sensitive three: rdpsw reads the virtual PSW, wrpsw writes it (as
 * mtcr psw), rdtvec reads the virtual TVEC. */
static void test_emulate_rdpsw_wrpsw_rdtvec(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE | PSW_IE, GCODE);
	vm->instret = 0;
	do_priv(b, w_rd(OP_RDPSW, R_T0));
	assert_int_equal(vm->vcpu.x[R_T0], PSW_MODE | PSW_IE);
	do_priv(b, w_rd(OP_RDTVEC, R_T1));
	assert_int_equal(vm->vcpu.x[R_T1], GTVEC);
	vm->vcpu.x[R_A0] = 0xfffffff0u | PSW_MODE | PSW_PG;
	struct vmm_event ev = do_priv(b, w_rs(OP_WRPSW, R_A0));
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_PG);
	assert_int_equal(vm->vcpu.pc, GCODE + 12);
	assert_int_equal(vm->instret, 3);
	assert_int_equal(ev.action, VMM_ACT_EMULATED);
}

/* wfi with a line already pending (even with IE = 0) goes on at pc + 4,
 * without moving the clock, and ends the VM's turn. */
static void test_emulate_wfi_with_pending_line_continues(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->irq_lines = 1u << IRQ_CONSOLE;
	vm->cycles = 500, vm->instret = 0;
	struct vmm_event ev = do_priv(b, w_op(OP_WFI));
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(vm->instret, 1);
	assert_int_equal(vm->cycles, 500);
	assert_int_equal(vm->irq_lines, 1u << IRQ_CONSOLE);
	assert_true(vm->yield);
	assert_int_equal(ev.action, VMM_ACT_WAITED);
	assert_int_equal(vm->state, VM_RUNNING);
}

/* wfi with the timer programmed: the VM's clock jumps to the timer's
 * deadline, whose tick raises TIMER, and the guest goes on. */
static void test_emulate_wfi_jumps_clock_to_timer_deadline(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->cycles = 1000;
	dev_timer_ops.write(&vm->timer, TIMER_PERIOD, 250); /* deadline 1250 */
	assert_int_equal(vm_next_deadline(vm), 1250);
	struct vmm_event ev = do_priv(b, w_op(OP_WFI));
	assert_int_equal(vm->cycles, 1250);
	assert_int_equal(vm->irq_lines, 1u << IRQ_TIMER);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(ev.action, VMM_ACT_WAITED);
	assert_int_equal(vm->state, VM_RUNNING);
}

/* wfi with no line pending and nothing that could raise one: the bare
 * machine stops with a deadlock, and so does the VM, alone. */
static void test_emulate_wfi_with_nothing_to_wake_deadlocks(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE | PSW_IE, GCODE);
	vm->cycles = 77;
	struct vmm_event ev = do_priv(b, w_op(OP_WFI));
	assert_int_equal(vm->state, VM_DEADLOCK);
	assert_int_equal(ev.action, VMM_ACT_HALTED);
	assert_int_equal(vm->vcpu.pc, GCODE);
	assert_int_equal(vm->cycles, 77);
	assert_non_null(strstr(vmm_vm_reason(b->v, 0), "deadlock"));
	assert_non_null(strstr(vmm_vm_reason(b->v, 0), "0x00001000"));
}

/* Every privileged or sensitive instruction from virtual user mode is
 * the guest's PRIV trap: reflected exactly as the bare machine's trap
 * entry, with nothing of the instruction done. */
static void test_emulate_from_user_mode_reflects_priv(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const uint32_t words[] = {
		w_mfcr(R_T0, CR_SCRATCH), w_mtcr(CR_TVEC, R_T0), w_op(OP_RFE),
		w_op(OP_TLBFLUSH), w_rs(OP_TLBINV, R_T0), w_op(OP_WFI),
		w_rd(OP_RDPSW, R_T0), w_rs(OP_WRPSW, R_T0), w_rd(OP_RDTVEC, R_T0),
	};
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
		vcpu_at(b, PSW_IE | PSW_PG, 0x00002000u);
		uint32_t x[ISA_NREGS];
		memcpy(x, vm->vcpu.x, sizeof x);
		vm->cycles = 100, vm->instret = 7;
		uint64_t flushes = vm->stats.shadow_flushes;
		struct vmm_event ev = do_priv(b, words[k]);
		assert_trap_entry(b, PSW_IE | PSW_PG, CAUSE_PRIV, 0x00002000u, 0);
		assert_memory_equal(vm->vcpu.x, x, sizeof x);
		assert_int_equal(vm->cycles, 100 + mach_cost(COST_TRAP));
		assert_int_equal(vm->instret, 7);
		assert_int_equal(vm->stats.shadow_flushes, flushes);
		assert_int_equal(ev.action, VMM_ACT_REFLECTED);
		assert_int_equal(ev.cost, vmm_cost(VMM_COST_REFLECT));
	}
}

/* r0 reads 0 whatever an emulated instruction writes to it. */
static void test_emulate_keeps_r0_zero(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE | PSW_IE, GCODE);
	do_priv(b, w_mfcr(R_ZERO, CR_PSW));
	assert_int_equal(vm->vcpu.x[0], 0);
	do_priv(b, w_rd(OP_RDPSW, R_ZERO));
	assert_int_equal(vm->vcpu.x[0], 0);
	do_priv(b, w_rd(OP_RDTVEC, R_ZERO));
	assert_int_equal(vm->vcpu.x[0], 0);
	assert_int_equal(vm->vcpu.pc, GCODE + 12);
}

/* A PRIV exit for a word that is not privileged means the VMM and the
 * machine disagree about the ISA: the VM stops loudly. */
static void test_emulate_non_privileged_word_fails(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	struct vmm_event ev = do_priv(b, fix_encode(OP_ADD, R_T0, R_T1, R_T2, 0));
	assert_int_equal(vm->state, VM_FAILED);
	assert_int_equal(ev.action, VMM_ACT_HALTED);
	assert_int_equal(vm->vcpu.pc, GCODE);
	assert_non_null(strstr(vmm_vm_reason(b->v, 0), "pc 0x00001000"));
}

/* ===== lab 2: wfi and the virtual devices' clocks ============================= */

/* The devices' clocks run on the VM's clock: a clock runs once the VM's
 * clock reaches its deadline, not a cycle before. */
static void test_devices_clock_runs_at_its_deadline(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vm->cycles = 1000;
	dev_timer_ops.write(&vm->timer, TIMER_PERIOD, 250); /* deadline 1250 */
	vm->cycles = 1249;
	vm_service_devices(vm);
	assert_int_equal(vm->irq_lines, 0);
	assert_int_equal(vm_next_deadline(vm), 1250);
	vm->cycles = 1250;
	vm_service_devices(vm);
	assert_int_equal(vm->irq_lines, 1u << IRQ_TIMER);
	assert_int_equal(vm_next_deadline(vm), 1500); /* the timer's next tick */
	assert_int_equal(vm->state, VM_RUNNING);
}

/* wfi waits past device events that raise no line: a disk command
 * completing with its interrupt off, then the timer's tick, which does. */
static void test_emulate_wfi_waits_past_events_that_raise_no_line(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->cycles = 1000;
	/* this VM has no disk: the read ends in ERROR, with IE = 0 no line */
	dev_bus_store(&dev_disk_ops, &vm->disk, DISK_CMD, 4, DISK_CMD_READ);
	dev_timer_ops.write(&vm->timer, TIMER_PERIOD, 5000);
	assert_int_equal(vm_next_deadline(vm), 1000 + DISK_LATENCY);
	struct vmm_event ev = do_priv(b, w_op(OP_WFI));
	assert_int_equal(ev.action, VMM_ACT_WAITED);
	assert_int_equal(vm->cycles, 6000);
	assert_int_equal(vm->irq_lines, 1u << IRQ_TIMER);
	assert_int_equal(dev_bus_load(&dev_disk_ops, &vm->disk, DISK_STATUS, 4),
			 DISK_STATUS_ERROR);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(vm->instret, 1);
}

/* A device whose deadline has already passed (its clock not run yet)
 * wakes wfi at once: the VM's clock never goes back. */
static void test_emulate_wfi_never_turns_the_clock_back(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->cycles = 800;
	dev_timer_ops.write(&vm->timer, TIMER_PERIOD, 100); /* deadline 900 */
	vm->cycles = 1000;
	struct vmm_event ev = do_priv(b, w_op(OP_WFI));
	assert_int_equal(ev.action, VMM_ACT_WAITED);
	assert_int_equal(vm->cycles, 1000);
	assert_int_equal(vm->irq_lines, 1u << IRQ_TIMER);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
}

/* A wait that would pass the run's end (max_cycles, 1000000 on the
 * bench) stops the VM there, at the wfi, with its clock at the end, as
 * the bare machine stops at the end of its budget. */
static void test_emulate_wfi_stops_at_max_cycles(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const uint64_t end = b->v->cfg.max_cycles;
	vcpu_at(b, PSW_MODE | PSW_IE, GCODE);
	vm->cycles = end - 100;
	dev_timer_ops.write(&vm->timer, TIMER_PERIOD, 500); /* past the end */
	vm->instret = 0;
	struct vmm_event ev = do_priv(b, w_op(OP_WFI));
	assert_int_equal(ev.action, VMM_ACT_HALTED);
	assert_int_equal(vm->state, VM_MAX_CYCLES);
	assert_int_equal(vm->cycles, end);
	assert_int_equal(vm->irq_lines, 0);
	assert_int_equal(vm->vcpu.pc, GCODE);
	assert_int_equal(vm->instret, 0);
	assert_non_null(strstr(vmm_vm_reason(b->v, 0), "0x00001000"));
}

/* ===== reflect ================================================================ */

/* Each exception that belongs to the guest enters its handler exactly as
 * on the bare machine, from virtual supervisor and from virtual user. */
static void test_reflect_each_exception_cause(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const struct {
		uint32_t cause, badva, insn;
	} cases[] = {
		{CAUSE_SYSCALL, 0, w_op(OP_SYSCALL)},
		{CAUSE_BREAK, 0, w_op(OP_BREAK)},
		{CAUSE_DIVZERO, 0, fix_encode(OP_DIV, R_T0, R_T1, R_ZERO, 0)},
		{CAUSE_MISALIGNED, 0x00010003u, w_load(OP_LW, R_T0, 3, R_T1)},
		{CAUSE_ILLEGAL, 0, 0},
	};
	const uint32_t psws[] = {PSW_MODE | PSW_PG, PSW_IE, PSW_IE | PSW_PG, 0};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		for (size_t p = 0; p < sizeof psws / sizeof psws[0]; p++) {
			vcpu_at(b, psws[p], 0x00002000u);
			uint32_t x[ISA_NREGS];
			memcpy(x, vm->vcpu.x, sizeof x);
			vm->cycles = 40, vm->instret = 3;
			struct mach_exit e = {cases[k].cause, 0x00002000u,
					      cases[k].badva, cases[k].insn};
			struct vmm_event ev = {0};
			vm_handle_exit(vm, &e, &ev);
			assert_trap_entry(b, psws[p], cases[k].cause, 0x00002000u,
					  cases[k].badva);
			assert_memory_equal(vm->vcpu.x, x, sizeof x);
			assert_int_equal(vm->cycles, 40 + mach_cost(COST_TRAP));
			assert_int_equal(vm->instret, 3);
			assert_true(vm->trap_entered);
			assert_int_equal(ev.action, VMM_ACT_REFLECTED);
			assert_int_equal(ev.cost, vmm_cost(VMM_COST_REFLECT));
		}
	}
}

/* A trap on the handler's very first instruction would trap forever: the
 * bare machine stops (double fault), and so does the VM, leaving the
 * vCPU as the first trap left it. */
static void test_reflect_double_fault(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, 0x00002000u);
	struct mach_exit e1 = {CAUSE_SYSCALL, 0x00002000u, 0, w_op(OP_SYSCALL)};
	struct vmm_event ev = {0};
	vm_handle_exit(vm, &e1, &ev);
	assert_int_equal(vm->vcpu.pc, GTVEC);
	assert_int_equal(vm->state, VM_RUNNING);

	uint64_t cycles = vm->cycles;
	struct mach_exit e2 = {CAUSE_ILLEGAL, GTVEC, 0, 0};
	struct vmm_event ev2 = {0};
	vm_handle_exit(vm, &e2, &ev2);
	assert_int_equal(vm->state, VM_DOUBLE_FAULT);
	assert_int_equal(ev2.action, VMM_ACT_HALTED);
	assert_int_equal(vm->vcpu.cr[CR_EPC], 0x00002000u);
	assert_int_equal(vm->vcpu.cr[CR_CAUSE], CAUSE_SYSCALL);
	assert_int_equal(vm->cycles, cycles);
	assert_non_null(strstr(vmm_vm_reason(b->v, 0), "double fault"));
}

/* Once the handler's first instruction has completed, a later trap at
 * TVEC (the handler looping back) is an ordinary trap. */
static void test_reflect_trap_at_tvec_after_progress_is_not_double_fault(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, 0x00002000u);
	struct mach_exit e1 = {CAUSE_SYSCALL, 0x00002000u, 0, w_op(OP_SYSCALL)};
	struct vmm_event ev = {0};
	vm_handle_exit(vm, &e1, &ev);
	do_priv(b, w_mfcr(R_T0, CR_EPC)); /* the handler's first instruction */
	assert_int_equal(vm->vcpu.x[R_T0], 0x00002000u);
	vm->vcpu.pc = GTVEC; /* it jumped back */
	struct mach_exit e2 = {CAUSE_BREAK, GTVEC, 0, w_op(OP_BREAK)};
	struct vmm_event ev2 = {0};
	vm_handle_exit(vm, &e2, &ev2);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->vcpu.cr[CR_EPC], GTVEC);
	assert_int_equal(vm->vcpu.cr[CR_CAUSE], CAUSE_BREAK);
	assert_int_equal(ev2.action, VMM_ACT_REFLECTED);
}

/* A virtual interrupt is taken only where the bare machine would take
 * it: IE = 1 and a line pending; the lowest line first; EPC = the
 * instruction that would run next. */
static void test_reflect_inject_interrupt(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;

	/* IE = 0: the line waits */
	vcpu_at(b, PSW_MODE | PSW_PG, 0x00002004u);
	vm->irq_lines = 1u << IRQ_TIMER;
	vm->cycles = 300;
	assert_false(inject_interrupt(vm));
	assert_int_equal(vm->vcpu.pc, 0x00002004u);
	assert_int_equal(vm->vcpu.cr[CR_EPC], OLD_EPC);
	assert_int_equal(vm->cycles, 300);

	/* IE = 1, nothing pending */
	vcpu_at(b, PSW_IE | PSW_PG, 0x00002004u);
	vm->irq_lines = 0;
	assert_false(inject_interrupt(vm));
	assert_int_equal(vm->vcpu.pc, 0x00002004u);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_IE | PSW_PG);

	/* IE = 1, DISK and CONSOLE pending: CONSOLE (1) goes first */
	vm->irq_lines = 1u << IRQ_DISK | 1u << IRQ_CONSOLE;
	assert_true(inject_interrupt(vm));
	assert_trap_entry(b, PSW_IE | PSW_PG, CAUSE_INTERRUPT | IRQ_CONSOLE,
			  0x00002004u, 0);
	assert_int_equal(vm->vcpu.cr[CR_CAUSE], 0x80000001u);
	assert_int_equal(vm->cycles, 300 + mach_cost(COST_TRAP));
	assert_int_equal(vm->irq_lines, 1u << IRQ_DISK | 1u << IRQ_CONSOLE);

	/* the handler runs with IE = 0: no second injection */
	assert_false(inject_interrupt(vm));
	assert_int_equal(vm->vcpu.pc, GTVEC);

	/* TIMER (0) before DISK (2) */
	vcpu_at(b, PSW_MODE | PSW_IE, 0x00003000u);
	vm->irq_lines = 1u << IRQ_DISK | 1u << IRQ_TIMER;
	assert_true(inject_interrupt(vm));
	assert_int_equal(vm->vcpu.cr[CR_CAUSE], 0x80000000u);
	assert_int_equal(vm->vcpu.cr[CR_EPC], 0x00003000u);
	assert_int_equal(vm->vcpu.cr[CR_EPSW], PSW_MODE | PSW_IE);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE);
}

/* ===== shadow_page_fault ========================================================= */

/* Paging off: a fault at a RAM address maps guest-physical to the host
 * frame behind it (scrambled: not the same address), all permissions;
 * the faulting instruction runs again, so its cycle is given back. */
static void test_shadow_phys_fill_maps_scrambled_frame(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = GDATA + PAGE_SIZE + 4;
	uint32_t hpa = hpa_of(vm, va);
	assert_int_not_equal(hpa & PTE_FRAME_MASK, va & PTE_FRAME_MASK);

	vcpu_at(b, PSW_MODE, GCODE);
	vm->cycles = 100, vm->instret = 9;
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_LOAD, false, va, 0);
	assert_int_equal(shadow_lookup(b, VIEW_PHYS, va),
			 expected_shadow(hpa, PTE_R | PTE_W | PTE_X));
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va), 0);
	assert_int_equal(shadow_lookup(b, VIEW_USER, va), 0);
	assert_int_equal(vm->cycles, 99);
	assert_int_equal(vm->instret, 9);
	assert_int_equal(vm->vcpu.pc, GCODE);
	assert_int_equal(vm->vcpu.cr[CR_EPC], OLD_EPC);
	assert_int_equal(ev.action, VMM_ACT_SHADOW_FILL);
	assert_int_equal(ev.cost, vmm_cost(VMM_COST_SHADOW_WALK) +
				  vmm_cost(VMM_COST_SHADOW_FILL));

	/* the frame the shadow names is the guest's page */
	gwrite(vm, va, 0xfeedfaceu);
	uint32_t pte = shadow_lookup(b, VIEW_PHYS, va);
	assert_int_equal(host_word(b, (pte & PTE_FRAME_MASK) + (va & 0xfff)),
			 0xfeedfaceu);
}

/* Paging off, beyond guest RAM and no device: the bare machine's bus
 * error, with BADVA = the address; nothing is mapped. */
static void test_shadow_phys_beyond_ram_is_bus_error(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = GMEM + 0x10;
	vcpu_at(b, PSW_MODE | PSW_IE, GCODE);
	vm->cycles = 100;
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_STORE, false, va, 0);
	assert_trap_entry(b, PSW_MODE | PSW_IE, CAUSE_BUS_ERROR, GCODE, va);
	assert_int_equal(shadow_lookup(b, VIEW_PHYS, va), 0);
	assert_int_equal(vm->cycles, 100 + mach_cost(COST_TRAP));
	assert_int_equal(ev.action, VMM_ACT_REFLECTED);
}

/* Paging off, a device address: emulated, never mapped. */
static void test_shadow_phys_device_is_mmio(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->vcpu.x[R_A0] = 'Q';
	vm->vcpu.x[R_T0] = DEV_CONSOLE_BASE;
	vm->cycles = 100;
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_STORE, false,
				       DEV_CONSOLE_BASE,
				       w_store(OP_SB, R_A0, 0, R_T0));
	assert_int_equal(b->outlen, 1);
	assert_int_equal(b->out[0], 'Q');
	assert_int_equal(ev.action, VMM_ACT_MMIO);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(vm->cycles, 100 + mach_cost(COST_DEVICE));
	assert_int_equal(shadow_lookup(b, VIEW_PHYS, DEV_CONSOLE_BASE), 0);
	assert_int_equal(ev.cost, vmm_cost(VMM_COST_SHADOW_WALK) +
				  vmm_cost(VMM_COST_MMIO));
}

/* Devices hold no code: a fetch there is a bus error, BADVA = pc. */
static void test_shadow_fetch_from_device_is_bus_error(void **state)
{
	struct bench *b = *state;
	vcpu_at(b, PSW_MODE, DEV_CONSOLE_BASE);
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_FETCH, false,
				       DEV_CONSOLE_BASE, 0);
	assert_trap_entry(b, PSW_MODE, CAUSE_BUS_ERROR, DEV_CONSOLE_BASE,
			  DEV_CONSOLE_BASE);
	assert_int_equal(ev.action, VMM_ACT_REFLECTED);
	assert_int_equal(b->outlen, 0);
}

/* Paging on: a load fills the supervisor view from the guest's table,
 * sets A (not D) in the guest's PTE as the bare machine's walker does,
 * and maps the page read-only even though the guest allows W. */
static void test_shadow_load_sets_A_and_maps_read_only(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400010u;
	gmap(b, va, GDATA | PTE_V | PTE_R | PTE_W);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	vm->cycles = 100;
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_LOAD, false, va, 0);
	assert_int_equal(gpte(b, va), GDATA | PTE_V | PTE_R | PTE_W | PTE_A);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va),
			 expected_shadow(hpa_of(vm, GDATA), PTE_R));
	assert_int_equal(shadow_lookup(b, VIEW_USER, va), 0);
	assert_int_equal(shadow_lookup(b, VIEW_PHYS, va), 0);
	assert_int_equal(vm->cycles, 99);
	assert_int_equal(vm->vcpu.pc, GCODE);
	assert_int_equal(ev.action, VMM_ACT_SHADOW_FILL);
	/* the guest's table frames themselves were not remapped */
	assert_int_equal(gread(vm, GPT + (va >> 22) * 4), (GPT + PAGE_SIZE) | PTE_V);
}

/* Then the first store faults (the shadow lacks W): D is set in the
 * guest's PTE and the shadow is upgraded to W. */
static void test_shadow_store_after_load_sets_D_and_grants_W(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400010u;
	gmap(b, va, GDATA | PTE_V | PTE_R | PTE_W | PTE_X);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, va, 0);
	assert_int_equal(gpte(b, va) & (PTE_A | PTE_D), PTE_A);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va),
			 expected_shadow(hpa_of(vm, GDATA), PTE_R | PTE_X));

	vm->cycles = 100;
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_STORE, true, va, 0);
	assert_int_equal(gpte(b, va),
			 GDATA | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va),
			 expected_shadow(hpa_of(vm, GDATA), PTE_R | PTE_W | PTE_X));
	assert_int_equal(vm->cycles, 99);
	assert_int_equal(ev.action, VMM_ACT_SHADOW_FILL);
}

/* A first access that is a store sets A and D at once and maps W. */
static void test_shadow_first_store_sets_A_and_D(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400000u;
	gmap(b, va, GDATA | PTE_V | PTE_R | PTE_W);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	do_fault(b, CAUSE_ACCESS_STORE, false, va, 0);
	assert_int_equal(gpte(b, va), GDATA | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va),
			 expected_shadow(hpa_of(vm, GDATA), PTE_R | PTE_W));
}

/* A store to a page the guest maps read-only is the guest's protection
 * fault: present, store; A is not set (the access did not happen). */
static void test_shadow_store_to_read_only_page_is_reflected(void **state)
{
	struct bench *b = *state;
	uint32_t va = 0x00400000u;
	gmap(b, va, GDATA | PTE_V | PTE_R);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_STORE, false, va + 8, 0);
	assert_trap_entry(b, PSW_MODE | PSW_PG, 0x607u, GCODE, va + 8);
	assert_int_equal(gpte(b, va), GDATA | PTE_V | PTE_R);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va), 0);
	assert_int_equal(ev.action, VMM_ACT_REFLECTED);
}

/* Ring compression: the supervisor view maps a U = 0 page, the user view
 * refuses it with the fault the bare machine gives a user load of a
 * supervisor page (0x507: code 7, load, present). */
static void test_shadow_user_view_refuses_supervisor_page(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400020u;
	gmap(b, va, GDATA | PTE_V | PTE_R | PTE_W);

	vcpu_at(b, PSW_IE | PSW_PG, GCODE);
	vm->cycles = 100;
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_LOAD, false, va, 0);
	assert_trap_entry(b, PSW_IE | PSW_PG, 0x507u, GCODE, va);
	assert_int_equal(ev.action, VMM_ACT_REFLECTED);
	assert_int_equal(shadow_lookup(b, VIEW_USER, va), 0);
	assert_int_equal(gpte(b, va), GDATA | PTE_V | PTE_R | PTE_W);
	assert_int_equal(vm->cycles, 100 + mach_cost(COST_TRAP));

	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, va, 0);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va),
			 expected_shadow(hpa_of(vm, GDATA), PTE_R));
	assert_int_equal(shadow_lookup(b, VIEW_USER, va), 0);
}

/* A U = 1 page is reachable from both views, each filled on its own. */
static void test_shadow_user_view_maps_user_page(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400000u;
	gmap(b, va, GDATA | PTE_V | PTE_R | PTE_X | PTE_U);
	vcpu_at(b, PSW_PG, va);
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_FETCH, false, va, 0);
	assert_int_equal(ev.action, VMM_ACT_SHADOW_FILL);
	assert_int_equal(shadow_lookup(b, VIEW_USER, va),
			 expected_shadow(hpa_of(vm, GDATA), PTE_R | PTE_X));
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va), 0);
	assert_int_equal(gpte(b, va), GDATA | PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);
}

/* Not present at either level: the guest's page fault, present bit 0,
 * with the access of the faulting instruction. */
static void test_shadow_not_present_is_reflected(void **state)
{
	struct bench *b = *state;
	uint32_t mapped = 0x00400000u;
	gmap(b, mapped, GDATA | PTE_V | PTE_R | PTE_W | PTE_X);
	const struct {
		uint32_t va;
		unsigned access;
		uint32_t cause;
	} cases[] = {
		{0x00800000u, CAUSE_ACCESS_LOAD, 0x107u},  /* root entry 0 */
		{0x00800000u, CAUSE_ACCESS_STORE, 0x207u},
		{0x00800000u, CAUSE_ACCESS_FETCH, 0x007u},
		{0x00402000u, CAUSE_ACCESS_LOAD, 0x107u},  /* leaf entry 0 */
		{0x00402000u, CAUSE_ACCESS_STORE, 0x207u},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
		struct vmm_event ev = do_fault(b, cases[k].access, false,
					       cases[k].va, 0);
		assert_trap_entry(b, PSW_MODE | PSW_PG, cases[k].cause, GCODE,
				  cases[k].va);
		assert_int_equal(ev.action, VMM_ACT_REFLECTED);
		assert_int_equal(shadow_lookup(b, VIEW_SUPER, cases[k].va), 0);
	}
	assert_int_equal(gpte(b, mapped), GDATA | PTE_V | PTE_R | PTE_W | PTE_X);
}

/* Malformed entries are present faults: a root entry with R (PG32 has no
 * superpages), and a leaf with no permission (a pointer where a leaf
 * must be). */
static void test_shadow_malformed_entries_are_present_faults(void **state)
{
	struct bench *b = *state;
	uint32_t va_root = 0x00c00000u, va_leaf = 0x00401000u;
	gwrite(b->vm, GPT + (va_root >> 22) * 4, (GPT + 0x8000u) | PTE_V | PTE_R);
	gmap(b, va_leaf, GDATA | PTE_V);

	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, va_root, 0);
	assert_trap_entry(b, PSW_MODE | PSW_PG, 0x507u, GCODE, va_root);

	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	do_fault(b, CAUSE_ACCESS_STORE, false, va_leaf, 0);
	assert_trap_entry(b, PSW_MODE | PSW_PG, 0x607u, GCODE, va_leaf);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va_leaf), 0);
}

/* A guest PTBR outside its RAM: the walk reads nothing, a bus error with
 * BADVA = the virtual address, as on the bare machine. */
static void test_shadow_ptbr_outside_ram_is_bus_error(void **state)
{
	struct bench *b = *state;
	uint32_t va = 0x00400000u;
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	b->vm->vcpu.cr[CR_PTBR] = 0x00800000u;
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_LOAD, false, va, 0);
	const struct vcpu *c = &b->vm->vcpu;
	assert_int_equal(c->cr[CR_CAUSE], CAUSE_BUS_ERROR);
	assert_int_equal(c->cr[CR_BADVA], va);
	assert_int_equal(c->cr[CR_EPC], GCODE);
	assert_int_equal(c->pc, GTVEC);
	assert_int_equal(ev.action, VMM_ACT_REFLECTED);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va), 0);
}

/* A guest PTE naming a frame beyond its RAM that is no device: a bus
 * error; A is not set, nothing is mapped (no frame of anyone else). */
static void test_shadow_pte_beyond_ram_is_bus_error(void **state)
{
	struct bench *b = *state;
	uint32_t va = 0x00400000u;
	gmap(b, va, 0x00200000u | PTE_V | PTE_R | PTE_W);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_LOAD, false, va + 4, 0);
	assert_trap_entry(b, PSW_MODE | PSW_PG, CAUSE_BUS_ERROR, GCODE, va + 4);
	assert_int_equal(gpte(b, va), 0x00200000u | PTE_V | PTE_R | PTE_W);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va), 0);
	assert_int_equal(ev.action, VMM_ACT_REFLECTED);
}

/* A load of the very PTE that maps the loaded page: the bare machine
 * reads the word, then sets A, so the load sees A clear.  (Filling the
 * shadow and rerunning the load would show A set: the VMM emulates it.) */
static void test_shadow_load_of_its_own_pte_sees_A_clear(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400000u, leaf = GPT + PAGE_SIZE;
	gmap(b, va, leaf | PTE_V | PTE_R); /* va maps its own leaf table */
	assert_int_equal(gpte_addr(b, va), leaf);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	vm->vcpu.x[R_T1] = va;
	vm->cycles = 100, vm->instret = 0;
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_LOAD, false, va,
				       w_load(OP_LW, R_T0, 0, R_T1));
	assert_int_equal(vm->vcpu.x[R_T0], leaf | PTE_V | PTE_R);
	assert_int_equal(gpte(b, va), leaf | PTE_V | PTE_R | PTE_A);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(vm->instret, 1);
	assert_int_equal(vm->cycles, 100);
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->vcpu.cr[CR_EPC], OLD_EPC);
	assert_int_equal(ev.action, VMM_ACT_ACCESS);

	/* another word of the same page is an ordinary fill */
	vm->vcpu.x[R_T1] = va + 0x40;
	ev = do_fault(b, CAUSE_ACCESS_LOAD, false, va + 0x40,
		      w_load(OP_LW, R_T0, 0, R_T1));
	assert_int_equal(ev.action, VMM_ACT_SHADOW_FILL);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va),
			 expected_shadow(hpa_of(vm, leaf), PTE_R));
}

/* Paging on, a guest page mapping the console: emulated (A and D set in
 * the guest PTE, as the bare machine's walker does), never mapped. */
static void test_shadow_paged_device_is_mmio(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00500000u;
	gmap(b, va, DEV_CONSOLE_BASE | PTE_V | PTE_R | PTE_W);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	vm->vcpu.x[R_A0] = 'p';
	vm->vcpu.x[R_T0] = va;
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_STORE, false, va,
				       w_store(OP_SB, R_A0, 0, R_T0));
	assert_int_equal(ev.action, VMM_ACT_MMIO);
	assert_int_equal(b->outlen, 1);
	assert_int_equal(b->out[0], 'p');
	assert_int_equal(gpte(b, va),
			 DEV_CONSOLE_BASE | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va), 0);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
}

/* Guest-physical pages are host frames in a scrambled order: page 1 is
 * not at its own address nor next to page 0, every frame is distinct. */
static void test_shadow_frames_are_scrambled(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t h0 = hpa_of(vm, 0), h1 = hpa_of(vm, PAGE_SIZE);
	assert_int_not_equal(h1, PAGE_SIZE);
	assert_int_not_equal(h1, h0 + PAGE_SIZE);
	for (uint32_t i = 0; i < vm->npages; i++) {
		assert_int_equal(hpa_of(vm, i * PAGE_SIZE) & 0xfff, 0);
		for (uint32_t j = 0; j < i; j++)
			assert_int_not_equal(vm->frames[j], vm->frames[i]);
	}
	uint32_t hpa;
	assert_false(gpa_to_hpa(vm, GMEM, &hpa));
	assert_int_equal(hpa_of(vm, PAGE_SIZE + 0x123), h1 + 0x123);
}

/* vmm.c: guest memory starts "after a gap, so that no guest page is at
 * its own address" -- GPA != HPA in every translation. */
static void test_shadow_no_guest_page_at_its_own_address(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	for (uint32_t i = 0; i < vm->npages; i++)
		if (hpa_of(vm, i * PAGE_SIZE) == i * PAGE_SIZE)
			fail_msg("vm0 (1 MiB) guest page %u (gpa 0x%x) is host "
				 "frame %u: GPA == HPA", i, i * PAGE_SIZE,
				 vm->frames[i]);
}

/* ===== lab 3: shadow paging's rules, each alone ================================
 * shadow_view, guest_translate, guest_mark_accessed, the shadow PTE,
 * shadow_flush and shadow_invalidate (labs/lab3-shadow/README.md, section
 * 3), called directly; the shadow_page_fault tests above use them all. */

/* Ring compression: paging off is the phys shadow whatever the mode;
 * paging on, virtual supervisor mode is the supervisor view and virtual
 * user mode the user view.  IE changes nothing.  The world switch loads
 * that view's root, and the debugger names the same view. */
static void test_shadow_view_follows_mode_and_paging(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const struct {
		uint32_t psw;
		unsigned view;
	} cases[] = {
		{0, VIEW_PHYS}, {PSW_IE, VIEW_PHYS}, {PSW_MODE, VIEW_PHYS},
		{PSW_MODE | PSW_IE, VIEW_PHYS}, {PSW_PG, VIEW_USER},
		{PSW_PG | PSW_IE, VIEW_USER}, {PSW_PG | PSW_MODE, VIEW_SUPER},
		{PSW_PG | PSW_MODE | PSW_IE, VIEW_SUPER},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		vcpu_at(b, cases[k].psw, GCODE);
		assert_int_equal(shadow_view(vm), cases[k].view);
		assert_int_equal(shadow_root(vm), vm->shadow[cases[k].view].root);
		assert_int_equal(vmm_vm_view(b->v, 0), (int)cases[k].view);
		assert_int_equal(vm->state, VM_RUNNING);
	}
	/* three distinct shadows */
	assert_int_not_equal(vm->shadow[VIEW_PHYS].root, vm->shadow[VIEW_SUPER].root);
	assert_int_not_equal(vm->shadow[VIEW_SUPER].root, vm->shadow[VIEW_USER].root);
}

/* The guest's walk: through the vCPU's PTBR (not the machine's), in
 * guest-physical memory, with the bare machine's permission rules, and
 * without a side effect: no A, no D, no shadow. */
static void test_shadow_guest_translate_walks_without_side_effects(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400abcu, pte = (GDATA + PAGE_SIZE) | PTE_V | PTE_R;
	gmap(b, va, pte);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	struct guest_translation t = {0};
	assert_int_equal(guest_translate(vm, va, CAUSE_ACCESS_LOAD, false, &t),
			 CAUSE_NONE);
	assert_int_equal(t.gpa, GDATA + PAGE_SIZE + 0xabc);
	assert_int_equal(t.pte, pte);
	assert_int_equal(t.pte_gpa, gpte_addr(b, va));
	assert_int_equal(gpte(b, va), pte);
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, va), 0);

	/* the bare machine's causes: a store to R only, a user access to a
	 * U = 0 page, nothing mapped; still no side effect */
	assert_int_equal(guest_translate(vm, va, CAUSE_ACCESS_STORE, false, &t),
			 0x607u);
	assert_int_equal(guest_translate(vm, va, CAUSE_ACCESS_LOAD, true, &t),
			 0x507u);
	assert_int_equal(guest_translate(vm, va + PAGE_SIZE, CAUSE_ACCESS_FETCH,
					 false, &t), 0x007u);
	assert_int_equal(gpte(b, va), pte);

	/* another PTBR, another table: here nothing maps va */
	vm->vcpu.cr[CR_PTBR] = GPT + 0x10000u;
	assert_int_equal(guest_translate(vm, va, CAUSE_ACCESS_LOAD, false, &t),
			 0x107u);
	assert_int_equal(vm->state, VM_RUNNING);
}

/* A and D as the walker writes them: a load or a fetch sets A, a store A
 * and D, in the guest's PTE and in the translation the caller holds. */
static void test_shadow_mark_accessed_sets_A_and_D_in_guest_memory(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400000u, va2 = 0x00401000u;
	uint32_t pte = GDATA | PTE_V | PTE_R | PTE_W | PTE_X;
	gmap(b, va, pte);
	gmap(b, va2, pte);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	struct guest_translation t;

	assert_int_equal(guest_translate(vm, va, CAUSE_ACCESS_FETCH, false, &t),
			 CAUSE_NONE);
	guest_mark_accessed(vm, &t, CAUSE_ACCESS_FETCH);
	assert_int_equal(gpte(b, va), pte | PTE_A);
	assert_int_equal(t.pte, pte | PTE_A);
	guest_mark_accessed(vm, &t, CAUSE_ACCESS_LOAD);
	assert_int_equal(gpte(b, va), pte | PTE_A);
	guest_mark_accessed(vm, &t, CAUSE_ACCESS_STORE);
	assert_int_equal(gpte(b, va), pte | PTE_A | PTE_D);
	assert_int_equal(t.pte, pte | PTE_A | PTE_D);

	/* a first access that is a store: both at once; the other page's
	 * PTE is not touched */
	assert_int_equal(guest_translate(vm, va2, CAUSE_ACCESS_STORE, false, &t),
			 CAUSE_NONE);
	gwrite(vm, gpte_addr(b, va), pte);
	guest_mark_accessed(vm, &t, CAUSE_ACCESS_STORE);
	assert_int_equal(gpte(b, va2), pte | PTE_A | PTE_D);
	assert_int_equal(gpte(b, va), pte);
	assert_int_equal(vm->state, VM_RUNNING);
}

/* The shadow PTE: a page whose D the guest already set is writable at
 * once; W without D is not; D without W gives no W; X alone is X alone. */
static void test_shadow_pte_follows_the_guest_pte(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const struct {
		uint32_t flags;   /* the guest's, besides V */
		unsigned access;
		uint32_t shadow;  /* the shadow's R, W, X */
	} cases[] = {
		{PTE_R | PTE_W | PTE_D, CAUSE_ACCESS_LOAD, PTE_R | PTE_W},
		{PTE_R | PTE_W | PTE_A, CAUSE_ACCESS_LOAD, PTE_R},
		{PTE_R | PTE_D, CAUSE_ACCESS_LOAD, PTE_R},
		{PTE_X, CAUSE_ACCESS_FETCH, PTE_X},
		{PTE_W | PTE_U, CAUSE_ACCESS_STORE, PTE_W},
		{PTE_R | PTE_W | PTE_X | PTE_U | PTE_D, CAUSE_ACCESS_FETCH,
		 PTE_R | PTE_W | PTE_X},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		uint32_t va = 0x00400000u + (uint32_t)k * PAGE_SIZE;
		uint32_t gpa = GDATA + (uint32_t)k * PAGE_SIZE;
		gmap(b, va, gpa | PTE_V | cases[k].flags);
		vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
		struct vmm_event ev = do_fault(b, cases[k].access, false, va, 0);
		assert_int_equal(ev.action, VMM_ACT_SHADOW_FILL);
		assert_int_equal(shadow_lookup(b, VIEW_SUPER, va),
				 expected_shadow(hpa_of(vm, gpa), cases[k].shadow));
	}
}

/* shadow_flush: both paging views lose every entry and give their leaf
 * tables back; the phys shadow, which caches no translation of the
 * guest's, stays. */
static void test_shadow_flush_empties_both_paging_views(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, GDATA, 0);
	uint32_t phys = shadow_lookup(b, VIEW_PHYS, GDATA);
	fill_both_views(b, 0x00400000u, 0x00c01000u);
	assert_int_equal(vm->shadow[VIEW_SUPER].nleaves, 2);
	assert_int_equal(vm->shadow[VIEW_USER].nleaves, 1);
	uint32_t free_before = vm->pool.nfree;

	uint64_t flushes = vm->stats.shadow_flushes;
	shadow_flush(vm);
	for (unsigned view = VIEW_SUPER; view <= VIEW_USER; view++) {
		assert_int_equal(vm->shadow[view].nleaves, 0);
		for (uint32_t i = 0; i < PT_ENTRIES; i++)
			assert_int_equal(host_word(b, vm->shadow[view].root + i * 4), 0);
	}
	assert_int_equal(vm->pool.nfree, free_before + 3);
	assert_int_equal(shadow_lookup(b, VIEW_PHYS, GDATA), phys);
	assert_int_equal(vm->stats.shadow_flushes, flushes + 1);
	assert_int_equal(vm->state, VM_RUNNING);
}

/* shadow_invalidate: the page holding va goes from both paging views;
 * the next page, in the same leaf table, and the same index in another
 * 4 MiB region stay. */
static void test_shadow_invalidate_drops_one_page_in_both_views(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t va = 0x00400000u, next = va + PAGE_SIZE, far = va + (1u << 22);
	gmap(b, va, GDATA | PTE_V | PTE_R | PTE_U);
	gmap(b, next, GDATA | PTE_V | PTE_R | PTE_U);
	gmap(b, far, GDATA | PTE_V | PTE_R | PTE_U);
	for (int user = 0; user < 2; user++) {
		vcpu_at(b, user ? PSW_PG : PSW_MODE | PSW_PG, GCODE);
		do_fault(b, CAUSE_ACCESS_LOAD, false, va, 0);
		do_fault(b, CAUSE_ACCESS_LOAD, false, next, 0);
		do_fault(b, CAUSE_ACCESS_LOAD, false, far, 0);
	}
	/* the page in the other region, not yet filled: nothing to drop */
	shadow_invalidate(vm, 0x00c00000u);
	shadow_invalidate(vm, va + 0xffc);
	for (unsigned view = VIEW_SUPER; view <= VIEW_USER; view++) {
		assert_int_equal(shadow_lookup(b, view, va), 0);
		assert_int_equal(shadow_lookup(b, view, next),
				 expected_shadow(hpa_of(vm, GDATA), PTE_R));
		assert_int_equal(shadow_lookup(b, view, far),
				 expected_shadow(hpa_of(vm, GDATA), PTE_R));
	}
	assert_int_equal(vm->state, VM_RUNNING);
}

/* Runs the bench's two-instruction program (vm0 halts) with the guest's
 * paging on in virtual supervisor mode: its code page and the test
 * device's page mapped.  Afterwards the machine's TLB holds the code
 * page's translation, through the supervisor view. */
static void run_paged_halt(struct bench *b)
{
	gmap(b, GCODE, GCODE | PTE_V | PTE_R | PTE_X);
	gmap(b, DEV_TEST_BASE, DEV_TEST_BASE | PTE_V | PTE_R | PTE_W);
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	assert_int_equal(vmm_run(b->v), 0);
	assert_int_equal(vmm_vm_state(b->v, 0), VM_HALTED);
	assert_true(tlb_holds(b, GCODE));
}

/* The machine's TLB caches the shadows: after shadow_flush it holds none
 * of their translations. */
static void test_shadow_flush_empties_the_machine_tlb(void **state)
{
	struct bench *b = *state;
	run_paged_halt(b);
	b->vm->state = VM_RUNNING;
	shadow_flush(b->vm);
	assert_false(tlb_holds(b, GCODE));
}

/* ... and after shadow_invalidate, none for that page. */
static void test_shadow_invalidate_drops_the_page_from_the_machine_tlb(void **state)
{
	struct bench *b = *state;
	run_paged_halt(b);
	b->vm->state = VM_RUNNING;
	shadow_invalidate(b->vm, GCODE + PAGE_SIZE);
	assert_true(tlb_holds(b, GCODE));
	shadow_invalidate(b->vm, GCODE + 0x10);
	assert_false(tlb_holds(b, GCODE));
}

/* ===== shadow pools: what one VM maps costs no other VM a frame ============== */

/* Every root entry of vm's guest table points at one leaf table whose
 * entry 0 maps GDATA: each 4 MiB region is one more alias of one page. */
static void alias_every_region(struct vm *vm)
{
	uint32_t leaf = GPT + PAGE_SIZE;
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		gwrite(vm, GPT + i * 4, leaf | PTE_V);
	gwrite(vm, leaf, GDATA | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
}

/* vm loads from region i (VA i << 22) in virtual supervisor mode: the
 * VMM fills a shadow PTE, in a new leaf table of the supervisor view. */
static void touch_region(struct bench *b, struct vm *vm, uint32_t i)
{
	struct vm *selected = b->vm;
	b->vm = vm;
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_LOAD, false, i << 22, 0);
	assert_int_equal(ev.action, VMM_ACT_SHADOW_FILL);
	assert_int_equal(vm->state, VM_RUNNING);
	b->vm = selected;
}

/* vm1 maps as many regions as the machine has frames to spare; vm0, with
 * its paging off, still gets a shadow table for its first page, and
 * neither VM stops.  (With one pool for all VMs, vm0 stopped here with
 * "no host frame left for a shadow table".) */
static void test_shadow_flood_takes_no_neighbour_frame(void **state)
{
	struct bench *b = *state;
	struct vm *vm1 = bench_add_vm(b, GMEM, NULL);
	alias_every_region(vm1);
	for (uint32_t i = 0; i < SMALL_SPARE_FRAMES; i++)
		touch_region(b, vm1, i);

	vcpu_at(b, PSW_MODE, GCODE);
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_LOAD, false, GDATA, 0);
	assert_int_equal(ev.action, VMM_ACT_SHADOW_FILL);
	assert_int_equal(b->vm->state, VM_RUNNING);
	assert_int_equal(shadow_lookup(b, VIEW_PHYS, GDATA),
			 expected_shadow(hpa_of(b->vm, GDATA),
					 PTE_R | PTE_W | PTE_X));
	assert_int_equal(vm1->state, VM_RUNNING);
}

/* A VM whose pool is empty drops its own shadows, every view, and goes
 * on; its neighbour's shadows and pool are untouched.  The pools are
 * disjoint ranges of host frames, and each leaf lies in its VM's own. */
static void test_shadow_pool_exhausted_reclaims_own_shadows_only(void **state)
{
	struct bench *b = *state;
	struct vm *vm0 = b->vm, *vm1 = bench_add_vm(b, GMEM, NULL);
	vcpu_at(b, PSW_MODE, GCODE);
	do_fault(b, CAUSE_ACCESS_LOAD, false, GDATA, 0);
	uint32_t vm0_pte = shadow_lookup(b, VIEW_PHYS, GDATA);
	assert_int_not_equal(vm0_pte, 0);

	alias_every_region(vm1);
	uint32_t leaves = SHADOW_POOL_FRAMES - VMM_VIEWS;
	for (uint32_t i = 0; i < leaves; i++)
		touch_region(b, vm1, i);
	assert_int_equal(vm1->stats.shadow_reclaims, 0);
	assert_int_equal(vm1->shadow[VIEW_SUPER].nleaves, leaves);
	for (int i = 0; i < vm1->shadow[VIEW_SUPER].nleaves; i++) {
		uint32_t frame = vm1->shadow[VIEW_SUPER].leaves[i] / PAGE_SIZE;
		assert_true(frame < vm1->pool.top &&
			    frame >= vm1->pool.top - vm1->pool.size);
	}
	assert_true(vm1->pool.top <= vm0->pool.top - vm0->pool.size ||
		    vm0->pool.top <= vm1->pool.top - vm1->pool.size);

	touch_region(b, vm1, leaves); /* one more: the pool is empty */
	assert_int_equal(vm1->stats.shadow_reclaims, 1);
	assert_int_equal(vm1->shadow[VIEW_SUPER].nleaves, 1);
	b->vm = vm1;
	assert_int_equal(shadow_lookup(b, VIEW_SUPER, 0), 0);
	assert_int_not_equal(shadow_lookup(b, VIEW_SUPER, leaves << 22), 0);
	b->vm = vm0;
	assert_int_equal(shadow_lookup(b, VIEW_PHYS, GDATA), vm0_pte);
	assert_int_equal(vm0->stats.shadow_reclaims, 0);
}

/* ===== mmio_emulate ================================================================ */

/* sb, sh, sw to the console's TX each print the low byte. */
static void test_mmio_stores_to_console(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->vcpu.x[R_A0] = 0x12345641u;
	vm->vcpu.x[R_T0] = DEV_CONSOLE_BASE;
	const unsigned ops[] = {OP_SB, OP_SH, OP_SW};
	for (int k = 0; k < 3; k++) {
		vm->cycles = 1000, vm->instret = 0;
		uint32_t pc = vm->vcpu.pc;
		struct vmm_event ev = do_mmio(b, w_store(ops[k], R_A0, 0, R_T0),
					      DEV_CONSOLE_BASE + CONSOLE_TX);
		assert_int_equal(b->outlen, (size_t)k + 1);
		assert_int_equal(b->out[k], 'A');
		assert_int_equal(b->outvm[k], 0);
		assert_int_equal(vm->vcpu.pc, pc + 4);
		assert_int_equal(vm->instret, 1);
		assert_int_equal(vm->cycles, 1000 + mach_cost(COST_DEVICE));
		assert_int_equal(ev.action, VMM_ACT_MMIO);
	}
	assert_int_equal(vm->vcpu.x[R_A0], 0x12345641u);
}

/* Loads of the console's STATUS: TXREADY, and EOF with no input. */
static void test_mmio_loads_console_status(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->vcpu.x[R_T1] = DEV_CONSOLE_BASE;
	const unsigned ops[] = {OP_LW, OP_LH, OP_LHU, OP_LB, OP_LBU};
	for (int k = 0; k < 5; k++) {
		vm->vcpu.x[R_T0] = 0xdeadbeefu;
		do_mmio(b, w_load(ops[k], R_T0, CONSOLE_STATUS, R_T1),
			DEV_CONSOLE_BASE + CONSOLE_STATUS);
		assert_int_equal(vm->vcpu.x[R_T0],
				 CONSOLE_STATUS_TXREADY | CONSOLE_STATUS_EOF);
	}
	assert_int_equal(vm->vcpu.pc, GCODE + 20);
}

/* Narrow loads of a register with the sign bit of the width set: lb and
 * lh sign-extend, lbu and lhu do not; a narrow store writes the value
 * zero-extended (the timer's PERIOD reads back what was written). */
static void test_mmio_sign_extension(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t period = DEV_TIMER_BASE + TIMER_PERIOD;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->vcpu.x[R_T1] = DEV_TIMER_BASE;
	vm->vcpu.x[R_A0] = 0x80;
	do_mmio(b, w_store(OP_SW, R_A0, 0, R_T1), period);
	assert_int_equal(vm->timer.period, 0x80);

	const struct {
		unsigned op;
		uint32_t want;
	} byte[] = {{OP_LB, 0xffffff80u}, {OP_LBU, 0x80}, {OP_LH, 0x80},
		    {OP_LHU, 0x80}, {OP_LW, 0x80}};
	for (int k = 0; k < 5; k++) {
		do_mmio(b, w_load(byte[k].op, R_T0, 0, R_T1), period);
		assert_int_equal(vm->vcpu.x[R_T0], byte[k].want);
	}

	vm->vcpu.x[R_A0] = 0x00018000u;
	do_mmio(b, w_store(OP_SH, R_A0, 0, R_T1), period);
	assert_int_equal(vm->timer.period, 0x8000);
	const struct {
		unsigned op;
		uint32_t want;
	} half[] = {{OP_LH, 0xffff8000u}, {OP_LHU, 0x8000}, {OP_LB, 0},
		    {OP_LBU, 0}, {OP_LW, 0x8000}};
	for (int k = 0; k < 5; k++) {
		do_mmio(b, w_load(half[k].op, R_T0, 0, R_T1), period);
		assert_int_equal(vm->vcpu.x[R_T0], half[k].want);
	}

	vm->vcpu.x[R_A0] = 0x1ffu;
	do_mmio(b, w_store(OP_SB, R_A0, 0, R_T1), period);
	assert_int_equal(vm->timer.period, 0xff);
}

/* The device sees the clock after the access is charged, as on the bare
 * machine: PERIOD = N written at cycle c fires at c + DEVICE + N.  (The
 * VMM remembers the next deadline between exits: the access must make
 * it look again.) */
static void test_mmio_timer_sees_charged_clock(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->vcpu.x[R_T1] = DEV_TIMER_BASE;
	vm->vcpu.x[R_A0] = 100;
	vm->cycles = 1000;
	assert_true(vm_next_deadline(vm) == DEV_NEVER); /* the timer is off */
	do_mmio(b, w_store(OP_SW, R_A0, 0, R_T1), DEV_TIMER_BASE + TIMER_PERIOD);
	assert_int_equal(vm_next_deadline(vm), 1000 + mach_cost(COST_DEVICE) + 100);
}

/* A store to the test device halts the VM with that status. */
static void test_mmio_test_device_halts(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->vcpu.x[R_T3] = DEV_TEST_BASE;
	vm->vcpu.x[R_A0] = 42;
	struct vmm_event ev = do_mmio(b, w_store(OP_SW, R_A0, 0, R_T3),
				      DEV_TEST_BASE + TEST_EXIT);
	assert_int_equal(vmm_vm_state(b->v, 0), VM_HALTED);
	assert_int_equal(vmm_vm_status(b->v, 0), 42);
	assert_int_equal(ev.action, VMM_ACT_MMIO);
}

/* A device fault from a word that is no load or store: the VMM cannot
 * emulate it, and says so. */
static void test_mmio_word_not_load_store_fails(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const uint32_t words[] = {fix_encode(OP_ADD, R_T0, R_T1, R_T2, 0), 0,
				  w_op(OP_SYSCALL)};
	for (int k = 0; k < 3; k++) {
		vm->state = VM_RUNNING;
		vcpu_at(b, PSW_MODE, GCODE);
		vm->cycles = 50;
		struct vmm_event ev = do_mmio(b, words[k], DEV_CONSOLE_BASE);
		assert_int_equal(vm->state, VM_FAILED);
		assert_int_equal(ev.action, VMM_ACT_HALTED);
		assert_int_equal(vm->vcpu.pc, GCODE);
		assert_int_equal(vm->cycles, 50);
		assert_non_null(strstr(vmm_vm_reason(b->v, 0), "pc 0x00001000"));
	}
	assert_int_equal(b->outlen, 0);
}

/* A device load into r0 leaves r0 at 0. */
static void test_mmio_load_into_r0(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->vcpu.x[R_T1] = DEV_CONSOLE_BASE;
	do_mmio(b, w_load(OP_LW, R_ZERO, CONSOLE_STATUS, R_T1),
		DEV_CONSOLE_BASE + CONSOLE_STATUS);
	assert_int_equal(vm->vcpu.x[0], 0);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
}

/* ===== hypercall ==================================================================== */

static struct vmm_event do_hcall(struct bench *b)
{
	struct mach_exit e = {CAUSE_HCALL, b->vm->vcpu.pc, 0, w_op(OP_HCALL)};
	struct vmm_event ev = {0};
	vm_handle_exit(b->vm, &e, &ev);
	return ev;
}

static void test_hypercall_version(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->vcpu.x[R_A0] = 0;
	vm->cycles = 10, vm->instret = 0;
	struct vmm_event ev = do_hcall(b);
	assert_int_equal(vm->vcpu.x[R_A0], 2);
	assert_int_equal(vm->vcpu.x[R_A1], 0xa0000000u | R_A1);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(vm->instret, 1);
	assert_int_equal(vm->cycles, 10);
	assert_int_equal(ev.action, VMM_ACT_HYPERCALL);
	assert_int_equal(ev.cost, vmm_cost(VMM_COST_HCALL));
}

static void test_hypercall_unknown(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	vm->vcpu.x[R_A0] = 77;
	struct vmm_event ev = do_hcall(b);
	assert_int_equal(vm->vcpu.x[R_A0], 0xffffffffu);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(ev.action, VMM_ACT_HYPERCALL);
}

/* HC_CONSOLE_WRITE prints the bytes as stores to TX would, and charges
 * what those stores cost. */
static void test_hypercall_console_write(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	gwrite(vm, GDATA, 0x6c6c6568u); /* "hell" */
	gwrite(vm, GDATA + 4, 0x0000216fu); /* "o!" */
	vm->vcpu.x[R_A0] = HC_CONSOLE_WRITE;
	vm->vcpu.x[R_A1] = GDATA + 1;
	vm->vcpu.x[R_A2] = 5;
	vm->cycles = 10;
	struct vmm_event ev = do_hcall(b);
	assert_int_equal(vm->vcpu.x[R_A0], 5);
	assert_int_equal(b->outlen, 5);
	assert_memory_equal(b->out, "ello!", 5);
	assert_int_equal(vm->cycles, 10 + 5 * mach_cost(COST_DEVICE));
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(ev.action, VMM_ACT_HYPERCALL);
}

/* One HC_CONSOLE_WRITE prints at most VMM_HC_MAX_BATCH bytes and says
 * so in a0: a huge length cannot keep the VMM in one exit, or run the
 * VM's clock far past its budget. */
static void test_hypercall_console_write_is_bounded(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	vm->vcpu.x[R_A0] = HC_CONSOLE_WRITE;
	vm->vcpu.x[R_A1] = GDATA;
	vm->vcpu.x[R_A2] = 0xfffffff0u;
	vm->cycles = 0;
	do_hcall(b);
	assert_int_equal(vm->vcpu.x[R_A0], VMM_HC_MAX_BATCH);
	assert_int_equal(b->outbytes, VMM_HC_MAX_BATCH);
	assert_int_equal(vm->cycles, VMM_HC_MAX_BATCH * mach_cost(COST_DEVICE));
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
}

/* HC_MMU_UPDATE takes at most VMM_HC_MAX_BATCH pairs; a longer list is
 * refused whole, before any PTE is written. */
static void test_hypercall_mmu_update_is_bounded(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	gwrite(vm, GDATA, GDATA + 0x100); /* pair 0: write 0x1234 there */
	gwrite(vm, GDATA + 4, 0x1234u);
	vm->vcpu.x[R_A0] = HC_MMU_UPDATE;
	vm->vcpu.x[R_A1] = GDATA;
	vm->vcpu.x[R_A2] = VMM_HC_MAX_BATCH + 1;
	do_hcall(b);
	assert_int_equal(vm->vcpu.x[R_A0], VMM_HC_ERROR);
	assert_int_equal(gread(vm, GDATA + 0x100), 0);
	vm->vcpu.pc = GCODE;
	vm->vcpu.x[R_A0] = HC_MMU_UPDATE;
	vm->vcpu.x[R_A2] = 1;
	do_hcall(b);
	assert_int_equal(vm->vcpu.x[R_A0], 1);
	assert_int_equal(gread(vm, GDATA + 0x100), 0x1234u);
}

/* From virtual user mode, hcall is what it is on the bare machine: an
 * illegal instruction, for the guest kernel. */
static void test_hypercall_from_user_is_illegal(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_IE | PSW_PG, 0x00002000u);
	vm->vcpu.x[R_A0] = 0;
	struct vmm_event ev = do_hcall(b);
	assert_trap_entry(b, PSW_IE | PSW_PG, CAUSE_ILLEGAL, 0x00002000u, 0);
	assert_int_equal(vm->vcpu.x[R_A0], 0);
	assert_int_equal(ev.action, VMM_ACT_REFLECTED);
}

/* ===== lab 5: the hypercall handlers (labs/lab5-pv) ================================== */

/* A hypercall from virtual supervisor mode at GCODE: a0 = nr, a1, a2. */
static struct vmm_event hcall_at(struct bench *b, uint32_t nr, uint32_t a1,
				 uint32_t a2)
{
	struct vm *vm = b->vm;
	vm->vcpu.pc = GCODE;
	vm->vcpu.x[R_A0] = nr;
	vm->vcpu.x[R_A1] = a1;
	vm->vcpu.x[R_A2] = a2;
	return do_hcall(b);
}

/* The end of a hypercall that returns: a0 = result, a1 and a2 as they
 * were, pc past the hcall, one instruction retired. */
static void assert_hc_returned(struct bench *b, const struct vmm_event *ev,
			       uint32_t result, uint32_t a1, uint32_t a2)
{
	struct vm *vm = b->vm;
	assert_int_equal(vm->vcpu.x[R_A0], result);
	assert_int_equal(vm->vcpu.x[R_A1], a1);
	assert_int_equal(vm->vcpu.x[R_A2], a2);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(ev->action, VMM_ACT_HYPERCALL);
}

/* HC_IRQ_SAVE_DISABLE: a0 = the PSW as it was, then IE = 0, MODE and PG
 * kept; with IE already off it changes nothing (critical sections nest). */
static void test_hypercall_irq_save_disable(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE | PSW_IE | PSW_PG, GCODE);
	vm->instret = 0;
	struct vmm_event ev = hcall_at(b, HC_IRQ_SAVE_DISABLE, 5, 6);
	assert_hc_returned(b, &ev, PSW_MODE | PSW_IE | PSW_PG, 5, 6);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_PG);
	assert_int_equal(vm->instret, 1);
	ev = hcall_at(b, HC_IRQ_SAVE_DISABLE, 5, 6);
	assert_hc_returned(b, &ev, PSW_MODE | PSW_PG, 5, 6);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_PG);
}

/* HC_GET_CR a1: a0 = control register a1, each of the eight; a number
 * past them is VMM_HC_ERROR. */
static void test_hypercall_get_cr_reads_each_cr(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	for (uint32_t cr = 0; cr < CR_COUNT; cr++) {
		vm->vcpu.cr[cr] = cr == CR_PSW ? PSW_MODE : 0x1230u + cr;
		struct vmm_event ev = hcall_at(b, HC_GET_CR, cr, 9);
		assert_hc_returned(b, &ev, vm->vcpu.cr[cr], cr, 9);
	}
	struct vmm_event ev = hcall_at(b, HC_GET_CR, CR_COUNT, 9);
	assert_hc_returned(b, &ev, VMM_HC_ERROR, CR_COUNT, 9);
}

/* HC_SET_CR a1, a2: as mtcr, side effects included (a PTBR write flushes
 * the shadows, a PSW write keeps MODE, IE and PG only); a number past
 * the eight registers is VMM_HC_ERROR and changes none. */
static void test_hypercall_set_cr_writes_with_side_effects(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE, GCODE);
	struct vmm_event ev = hcall_at(b, HC_SET_CR, CR_EPC, 0x00402468u);
	assert_hc_returned(b, &ev, 0, CR_EPC, 0x00402468u);
	assert_int_equal(vm->vcpu.cr[CR_EPC], 0x00402468u);

	uint64_t flushes = vm->stats.shadow_flushes;
	ev = hcall_at(b, HC_SET_CR, CR_PTBR, GPT + PAGE_SIZE);
	assert_hc_returned(b, &ev, 0, CR_PTBR, GPT + PAGE_SIZE);
	assert_int_equal(vm->vcpu.cr[CR_PTBR], GPT + PAGE_SIZE);
	assert_int_equal(vm->stats.shadow_flushes, flushes + 1);

	ev = hcall_at(b, HC_SET_CR, CR_PSW, 0xfffffff0u | PSW_MODE | PSW_IE);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_IE);

	uint32_t before[CR_COUNT];
	memcpy(before, vm->vcpu.cr, sizeof before);
	ev = hcall_at(b, HC_SET_CR, CR_COUNT, 0x5555u);
	assert_hc_returned(b, &ev, VMM_HC_ERROR, CR_COUNT, 0x5555u);
	assert_memory_equal(vm->vcpu.cr, before, sizeof before);
}

/* HC_RFE a1: rfe (PSW <- EPSW, pc <- EPC, the bare machine's trap cost),
 * and a0, a1, a2 reloaded from the three words at VA a1: here a virtual
 * address that paging maps elsewhere. */
static void test_hypercall_rfe_reloads_a0_a2(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	uint32_t area = 0x00400ff4u; /* VA of a page mapped to GDATA */
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	gmap(b, area, GDATA | PTE_V | PTE_R);
	gwrite(vm, GDATA + 0xff4, 0x11111111u);
	gwrite(vm, GDATA + 0xff8, 0x22222222u);
	gwrite(vm, GDATA + 0xffc, 0x33333333u);
	vm->vcpu.cr[CR_EPC] = 0x00402468u;
	vm->vcpu.cr[CR_EPSW] = PSW_IE | PSW_PG; /* back to user mode */
	vm->cycles = 100, vm->instret = 0;
	struct vmm_event ev = hcall_at(b, HC_RFE, area, 7);
	assert_int_equal(vm->vcpu.pc, 0x00402468u);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_IE | PSW_PG);
	assert_int_equal(vm->vcpu.x[R_A0], 0x11111111u);
	assert_int_equal(vm->vcpu.x[R_A1], 0x22222222u);
	assert_int_equal(vm->vcpu.x[R_A2], 0x33333333u);
	assert_int_equal(vm->vcpu.x[R_A3], 0xa0000000u | R_A3);
	assert_int_equal(vm->cycles, 100 + mach_cost(COST_TRAP));
	assert_int_equal(vm->instret, 1);
	assert_int_equal(ev.action, VMM_ACT_HYPERCALL);
}

/* A save area the guest cannot read (its last word on an unmapped page;
 * with paging off, past the end of RAM) is refused: a0 = VMM_HC_ERROR,
 * no rfe, the guest goes on after the hcall. */
static void test_hypercall_rfe_bad_save_area_is_error(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	gmap(b, 0x00400000u, GDATA | PTE_V | PTE_R);
	struct vmm_event ev = hcall_at(b, HC_RFE, 0x00400ff8u, 7);
	assert_hc_returned(b, &ev, VMM_HC_ERROR, 0x00400ff8u, 7);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_PG);

	vcpu_at(b, PSW_MODE, GCODE);
	ev = hcall_at(b, HC_RFE, GMEM - 4, 7);
	assert_hc_returned(b, &ev, VMM_HC_ERROR, GMEM - 4, 7);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE);
}

/* HC_MMU_UPDATE a1, a2: writes the a2 pairs {where, value} listed at
 * guest-physical a1, in order, then flushes the shadows; it stops at the
 * first pair it cannot carry out, and a0 says how many it wrote. */
static void test_hypercall_mmu_update_writes_pairs_and_flushes(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	uint32_t list = GDATA;
	gwrite(vm, list, GPT + 0x10);
	gwrite(vm, list + 4, 0x00012000u | PTE_V | PTE_R);
	gwrite(vm, list + 8, GPT + 0x14);
	gwrite(vm, list + 12, 0x00013000u | PTE_V | PTE_R | PTE_W);
	gwrite(vm, list + 16, GMEM + 0x10); /* past the end of RAM */
	gwrite(vm, list + 20, 0x4444u);
	gwrite(vm, list + 24, GPT + 0x18);
	gwrite(vm, list + 28, 0x5555u);
	uint64_t flushes = vm->stats.shadow_flushes;
	struct vmm_event ev = hcall_at(b, HC_MMU_UPDATE, list, 2);
	assert_hc_returned(b, &ev, 2, list, 2);
	assert_int_equal(gread(vm, GPT + 0x10), 0x00012000u | PTE_V | PTE_R);
	assert_int_equal(gread(vm, GPT + 0x14),
			 0x00013000u | PTE_V | PTE_R | PTE_W);
	assert_int_equal(vm->stats.shadow_flushes, flushes + 1);

	ev = hcall_at(b, HC_MMU_UPDATE, list, 4);
	assert_hc_returned(b, &ev, 2, list, 4);
	assert_int_equal(gread(vm, GPT + 0x18), 0);
	assert_int_equal(vm->stats.shadow_flushes, flushes + 2);
}

/* HC_CONSOLE_WRITE with paging on reads the buffer through the guest's
 * page table, and stops where the buffer runs into an unmapped page
 * (whose address would be RAM if read as physical): a0 = the bytes
 * printed, and the clock charged for those only. */
static void test_hypercall_console_write_paged_stops_at_unmapped_page(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vcpu_at(b, PSW_MODE | PSW_PG, GCODE);
	gmap(b, 0x00020000u, (GDATA + PAGE_SIZE) | PTE_V | PTE_R);
	gwrite(vm, GDATA + PAGE_SIZE + 0xffc, 0x64636261u); /* "abcd" */
	gwrite(vm, 0x00021000u, 0x68676665u); /* "efgh", never printed */
	vm->cycles = 0;
	struct vmm_event ev = hcall_at(b, HC_CONSOLE_WRITE, 0x00020ffdu, 6);
	assert_hc_returned(b, &ev, 3, 0x00020ffdu, 6);
	assert_int_equal(b->outlen, 3);
	assert_memory_equal(b->out, "bcd", 3);
	assert_int_equal(vm->cycles, 3 * mach_cost(COST_DEVICE));
}

/* ===== hypercall ABI 2: the shared page, Xen's way ================================== */

/* Where the tests put the shared page, and the trap entry they register. */
#define GSHARED (GDATA + PAGE_SIZE)
#define GENTRY (GTVEC + 0x100u)

static uint32_t shared_word(struct vm *vm, uint32_t offset)
{
	return gread(vm, GSHARED + offset);
}

/* Registers GSHARED and GENTRY from virtual supervisor mode (with psw),
 * as a kernel does at boot, and leaves the vCPU as vcpu_at does. */
static void register_shared(struct bench *b, uint32_t psw)
{
	vcpu_at(b, psw | PSW_MODE, GCODE);
	b->vm->vcpu.pc = GCODE;
	b->vm->vcpu.x[R_A0] = HC_REGISTER_SHARED;
	b->vm->vcpu.x[R_A1] = GSHARED;
	b->vm->vcpu.x[R_A2] = GENTRY;
	do_hcall(b);
	assert_int_equal(b->vm->vcpu.x[R_A0], 0);
	assert_true(b->vm->pv_shared);
	b->vm->vcpu.pc = GCODE;
	b->vm->vcpu.x[R_A0] = 0xa0000000u | R_A0;
}

/* HC_REGISTER_SHARED refuses, with VMM_HC_ERROR and no registration, a
 * page that is not page aligned, not all RAM (past the end, or a device
 * page), or a misaligned entry; the last page of RAM is a page like any
 * other.  A refused second call keeps the first registration. */
static void test_pv_register_shared_checks_its_arguments(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const uint32_t bad[][2] = {
		{GSHARED + 4, GENTRY},          /* not page aligned */
		{GSHARED + 0x800, GENTRY},
		{GMEM, GENTRY},                 /* just past RAM */
		{0xfffff000u, GENTRY},          /* far past it */
		{DEVICE_SPACE, GENTRY},         /* the console's page */
		{DEVICE_SPACE + PAGE_SIZE, GENTRY},
		{GSHARED, GENTRY + 2},          /* the entry misaligned */
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		vcpu_at(b, PSW_MODE, GCODE);
		struct vmm_event ev = hcall_at(b, HC_REGISTER_SHARED, bad[k][0],
					       bad[k][1]);
		assert_hc_returned(b, &ev, VMM_HC_ERROR, bad[k][0], bad[k][1]);
		assert_false(vm->pv_shared);
		assert_int_equal(vm->state, VM_RUNNING);
	}

	/* the last page of RAM: a frame fits in it whole */
	vcpu_at(b, PSW_MODE | PSW_IE, GCODE);
	struct vmm_event ev = hcall_at(b, HC_REGISTER_SHARED, GMEM - PAGE_SIZE,
				       GENTRY);
	assert_hc_returned(b, &ev, 0, GMEM - PAGE_SIZE, GENTRY);
	assert_true(vm->pv_shared);
	assert_int_equal(vm->pv_shared_gpa, GMEM - PAGE_SIZE);
	assert_int_equal(vm->pv_entry, GENTRY);
	/* MASK starts as IE said (on: 0), PENDING as 0; IE is MASK's now */
	assert_int_equal(gread(vm, GMEM - PAGE_SIZE + VMM_SHARED_MASK), 0);
	assert_int_equal(gread(vm, GMEM - PAGE_SIZE + VMM_SHARED_PENDING), 0);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE);

	/* a bad one now: refused, the first stays */
	vcpu_at(b, PSW_MODE, GCODE);
	ev = hcall_at(b, HC_REGISTER_SHARED, GMEM, GTVEC);
	assert_hc_returned(b, &ev, VMM_HC_ERROR, GMEM, GTVEC);
	assert_int_equal(vm->pv_shared_gpa, GMEM - PAGE_SIZE);
	assert_int_equal(vm->pv_entry, GENTRY);
}

/* A trap from virtual user mode, once a shared page is registered: the
 * VMM writes the bare machine's frame into the page, masks, and jumps to
 * the registered entry in virtual supervisor mode, in the one exit. */
static void test_pv_trap_delivered_to_entry_with_frame(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	register_shared(b, PSW_PG);
	vm->vcpu.cr[CR_PSW] = PSW_PG; /* user mode, paging on */
	gwrite(vm, GSHARED + VMM_SHARED_MASK, 0); /* interrupts on */
	gwrite(vm, GSHARED + VMM_SHARED_SCRATCH, 0x5c5c5c5cu);
	vm->vcpu.pc = 0x00002008u;
	vm->cycles = 100;
	struct mach_exit e = {CAUSE_SYSCALL, 0x00002008u, 0, w_op(OP_SYSCALL)};
	struct vmm_event ev = {0};
	vm_handle_exit(vm, &e, &ev);

	assert_int_equal(ev.action, VMM_ACT_REFLECTED);
	assert_int_equal(vm->vcpu.pc, GENTRY);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_PG);
	assert_int_equal(shared_word(vm, VMM_SHARED_EPC), 0x00002008u);
	assert_int_equal(shared_word(vm, VMM_SHARED_CAUSE), CAUSE_SYSCALL);
	assert_int_equal(shared_word(vm, VMM_SHARED_BADVA), 0);
	assert_int_equal(shared_word(vm, VMM_SHARED_EPSW), PSW_IE | PSW_PG);
	assert_int_equal(shared_word(vm, VMM_SHARED_MASK), 1);
	assert_int_equal(shared_word(vm, VMM_SHARED_SCRATCH), 0x5c5c5c5cu);
	/* the vCPU's registers say the same */
	assert_int_equal(vm->vcpu.cr[CR_EPC], 0x00002008u);
	assert_int_equal(vm->vcpu.cr[CR_EPSW], PSW_IE | PSW_PG);
	/* the bare machine's cost of a trap entry, no more */
	assert_int_equal(vm->cycles, 100 + mach_cost(COST_TRAP));

	/* its entry's first instruction faulting is a double fault */
	struct mach_exit again = {CAUSE_PAGE_FAULT, GENTRY, GENTRY, 0};
	reflect_exception(vm, &again);
	assert_int_equal(vm->state, VM_DOUBLE_FAULT);
}

/* HC_IRET: pc, PSW and a0 from the frame; MASK from EPSW's IE; the
 * cost of rfe; nothing else. */
static void test_pv_iret_returns_from_the_frame(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	register_shared(b, PSW_PG);
	gwrite(vm, GSHARED + VMM_SHARED_EPC, 0x00400010u);
	gwrite(vm, GSHARED + VMM_SHARED_EPSW, PSW_IE | PSW_PG);
	gwrite(vm, GSHARED + VMM_SHARED_A0, 0x12345678u);
	vm->cycles = 40, vm->instret = 7;
	struct vmm_event ev = hcall_at(b, HC_IRET, 1, 2);
	assert_int_equal(ev.action, VMM_ACT_HYPERCALL);
	assert_int_equal(vm->vcpu.pc, 0x00400010u);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_PG);
	assert_int_equal(vm->vcpu.x[R_A0], 0x12345678u);
	assert_int_equal(vm->vcpu.x[R_A1], 1);
	assert_int_equal(shared_word(vm, VMM_SHARED_MASK), 0);
	assert_int_equal(vm->cycles, 40 + mach_cost(COST_TRAP));
	assert_int_equal(vm->instret, 8);

	/* back to the kernel with IE off: masked */
	vm->vcpu.cr[CR_PSW] = PSW_MODE; /* a kernel again, to call */
	gwrite(vm, GSHARED + VMM_SHARED_EPSW, PSW_MODE);
	hcall_at(b, HC_IRET, 0, 0);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE);
	assert_int_equal(shared_word(vm, VMM_SHARED_MASK), 1);
}

/* Without a shared page, ABI 2's calls are VMM_HC_ERROR and do nothing. */
static void test_pv_calls_need_a_shared_page(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const uint32_t calls[] = {HC_IRET, HC_IRQ_UNMASK};
	for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++) {
		vcpu_at(b, PSW_MODE, GCODE);
		struct vmm_event ev = hcall_at(b, calls[k], 3, 4);
		assert_hc_returned(b, &ev, VMM_HC_ERROR, 3, 4);
		assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE);
		assert_int_equal(vm->vcpu.cr[CR_EPC], OLD_EPC);
	}
}

/* The virtual interrupt mask: a line raised while MASK = 1 waits and
 * sets PENDING; HC_IRQ_UNMASK clears MASK, and at the next boundary the
 * interrupt is delivered with EPC = the instruction after the hcall,
 * which clears PENDING and masks again. */
static void test_pv_masked_interrupt_pending_until_unmask(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	register_shared(b, 0); /* IE off: MASK = 1 */
	assert_int_equal(shared_word(vm, VMM_SHARED_MASK), 1);
	vm->irq_lines = 1u << IRQ_TIMER;
	vm->cycles = 500;
	assert_false(inject_interrupt(vm));
	assert_int_equal(shared_word(vm, VMM_SHARED_PENDING), 1);
	assert_int_equal(vm->vcpu.pc, GCODE);
	assert_int_equal(vm->cycles, 500);

	struct vmm_event ev = hcall_at(b, HC_IRQ_UNMASK, 0, 0);
	assert_hc_returned(b, &ev, 0, 0, 0);
	assert_int_equal(shared_word(vm, VMM_SHARED_MASK), 0);
	assert_true(inject_interrupt(vm));
	assert_int_equal(vm->vcpu.pc, GENTRY);
	assert_int_equal(shared_word(vm, VMM_SHARED_EPC), GCODE + 4);
	assert_int_equal(shared_word(vm, VMM_SHARED_CAUSE),
			 CAUSE_INTERRUPT | IRQ_TIMER);
	assert_int_equal(shared_word(vm, VMM_SHARED_EPSW), PSW_MODE | PSW_IE);
	assert_int_equal(shared_word(vm, VMM_SHARED_PENDING), 0);
	assert_int_equal(shared_word(vm, VMM_SHARED_MASK), 1);
	assert_int_equal(vm->cycles, 500 + mach_cost(COST_TRAP));
	/* masked again: the line, still up, waits */
	assert_false(inject_interrupt(vm));
	assert_int_equal(vm->vcpu.pc, GENTRY);

	/* the PSW's IE means nothing now: a guest that set it is not
	 * interrupted while MASK says masked */
	vm->vcpu.cr[CR_PSW] |= PSW_IE;
	assert_false(inject_interrupt(vm));
}

/* ===== isolation ===================================================================== */

/* Two VMs' memories are disjoint sets of host frames, and neither holds
 * a VMM frame (shadow roots). */
static void test_isolation_guest_memory_disjoint(void **state)
{
	struct bench *b = *state;
	struct vm *vm0 = b->vm, *vm1 = bench_add_vm(b, GMEM, NULL);
	for (uint32_t i = 0; i < vm0->npages; i++) {
		for (uint32_t j = 0; j < vm1->npages; j++)
			if (vm0->frames[i] == vm1->frames[j])
				fail_msg("vm0 page %u and vm1 page %u share "
					 "host frame 0x%x", i, j, vm0->frames[i]);
		for (int s = 0; s < VIEWS; s++) {
			assert_int_not_equal(vm0->frames[i] << PAGE_SHIFT,
					     vm0->shadow[s].root);
			assert_int_not_equal(vm0->frames[i] << PAGE_SHIFT,
					     vm1->shadow[s].root);
		}
	}
	gwrite(vm0, GDATA, 0xdeadbeefu);
	assert_int_equal(gread(vm1, GDATA), 0);
	gwrite(vm1, GDATA, 0x11111111u);
	assert_int_equal(gread(vm0, GDATA), 0xdeadbeefu);
	assert_int_equal(gread(vm1, GDATA), 0x11111111u);
}

static void disk_reg(struct vm *vm, uint32_t offset, uint32_t value)
{
	dev_bus_store(&dev_disk_ops, &vm->disk, offset, 4, value);
}

/* Runs the disk's command to completion on the VM's clock; returns STATUS. */
static uint32_t disk_finish(struct vm *vm)
{
	vm->cycles = vm_next_deadline(vm);
	vm_service_devices(vm);
	uint32_t status = dev_bus_load(&dev_disk_ops, &vm->disk, DISK_STATUS, 4);
	disk_reg(vm, DISK_STATUS, 0);
	return status;
}

/* Adds a VM of 64 KiB with a disk of its own: sectors sectors, every
 * byte of sector s holding 0xa0 + s (the image file is gone once the VM
 * has opened it). */
static struct vm *bench_add_vm_with_disk(struct bench *b, int sectors)
{
	char path[] = "/tmp/test_vmm_disk_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	uint8_t sector[DISK_SECTOR_SIZE];
	for (int s = 0; s < sectors; s++) {
		memset(sector, 0xa0 + s, sizeof sector);
		assert_int_equal(write(fd, sector, sizeof sector), sizeof sector);
	}
	close(fd);
	struct vm *vm = bench_add_vm(b, 0x10000u, path);
	unlink(path);
	return vm;
}

/* Two VMs on one file, as `trapeze run` sets them up when their disk files
 * are one: each disk is private, so each VM reads back its own write, not
 * the other's, and the file keeps its bytes.  A disk that cannot go on
 * (its overlay out of host memory) stops its VM with the reason. */
static void test_isolation_disk_private_copy_on_write(void **state)
{
	struct bench *b = *state;
	const uint32_t out = 0x8000, in = 0x8400; /* in the VMs' 64 KiB */
	char path[] = "/tmp/test_vmm_disk_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	uint8_t sector[DISK_SECTOR_SIZE];
	memset(sector, 0xa0, sizeof sector);
	assert_int_equal(write(fd, sector, sizeof sector), sizeof sector);
	close(fd);
	struct vm *vm1 = bench_add_vm_disk(b, 0x10000u, path, true);
	struct vm *vm2 = bench_add_vm_disk(b, 0x10000u, path, true);

	gwrite(vm1, out, 0x11111111u);
	gwrite(vm2, out, 0x22222222u);
	struct vm *vms[2] = {vm1, vm2};
	for (int k = 0; k < 2; k++) { /* each writes sector 0 from out */
		disk_reg(vms[k], DISK_SECTOR, 0);
		disk_reg(vms[k], DISK_ADDR, out);
		disk_reg(vms[k], DISK_COUNT, 1);
		disk_reg(vms[k], DISK_CMD, DISK_CMD_WRITE);
		assert_int_equal(disk_finish(vms[k]), DISK_STATUS_DONE);
	}
	for (int k = 0; k < 2; k++) { /* and reads it back to in */
		disk_reg(vms[k], DISK_ADDR, in);
		disk_reg(vms[k], DISK_CMD, DISK_CMD_READ);
		assert_int_equal(disk_finish(vms[k]), DISK_STATUS_DONE);
	}
	assert_int_equal(gread(vm1, in), 0x11111111u);
	assert_int_equal(gread(vm2, in), 0x22222222u);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t now[DISK_SECTOR_SIZE];
	assert_int_equal(fread(now, 1, sizeof now, f), sizeof now);
	fclose(f);
	unlink(path);
	assert_memory_equal(now, sector, sizeof now);

	assert_non_null(vm2->disk.host.stop);
	vm2->disk.host.stop(vm2->disk.host.ctx, "disk: out of memory");
	assert_int_equal(vm2->state, VM_FAILED);
	assert_string_equal(vmm_vm_reason(b->v, vm2->id), "disk: out of memory");
	assert_int_equal(vm1->state, VM_RUNNING);
}

/* The virtual disk's DMA reaches the VM's own RAM and nothing else: a
 * transfer that would run past its end, or into device space, is
 * refused whole (ERROR, no byte moved). */
static void test_isolation_disk_dma_outside_ram_refused(void **state)
{
	struct bench *b = *state;
	struct vm *vm1 = bench_add_vm_with_disk(b, 4);
	uint32_t last = 0x10000u - DISK_SECTOR_SIZE;

	/* the last sector of RAM: allowed */
	disk_reg(vm1, DISK_SECTOR, 0);
	disk_reg(vm1, DISK_ADDR, last);
	disk_reg(vm1, DISK_COUNT, 1);
	disk_reg(vm1, DISK_CMD, DISK_CMD_READ);
	assert_int_equal(disk_finish(vm1), DISK_STATUS_DONE);
	assert_int_equal(gread(vm1, last), 0xa0a0a0a0u);
	assert_int_equal(gread(vm1, 0x10000u - 4), 0xa0a0a0a0u);

	/* two sectors from there: past the end, refused whole */
	disk_reg(vm1, DISK_SECTOR, 1);
	disk_reg(vm1, DISK_COUNT, 2);
	disk_reg(vm1, DISK_CMD, DISK_CMD_READ);
	assert_int_equal(disk_finish(vm1), DISK_STATUS_ERROR);
	assert_int_equal(gread(vm1, last), 0xa0a0a0a0u);

	/* device space, and an address that wraps around */
	const uint32_t bad[] = {DEV_CONSOLE_BASE, 0xfffffe00u, 0x10000u};
	for (int k = 0; k < 3; k++) {
		disk_reg(vm1, DISK_ADDR, bad[k]);
		disk_reg(vm1, DISK_COUNT, 1);
		disk_reg(vm1, DISK_CMD, DISK_CMD_READ);
		assert_int_equal(disk_finish(vm1), DISK_STATUS_ERROR);
		disk_reg(vm1, DISK_CMD, DISK_CMD_WRITE);
		assert_int_equal(disk_finish(vm1), DISK_STATUS_ERROR);
	}
	/* vm0 saw none of it */
	for (uint32_t a = 0; a < GMEM; a += PAGE_SIZE)
		if (a != GCODE)
			assert_int_equal(gread(b->vm, a), 0);
	assert_int_equal(b->outlen, 0);
}

/* ===== binary patching ================================================================ */

/* Entering a page examines every word of it, not only the words some
 * path from the entry point reaches: wherever control lands later (a
 * forged return address, a second entry point), the word there has been
 * examined.  Data that decodes as a sensitive instruction is patched too,
 * invisibly. */
static void test_patch_scan_examines_every_word(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	b->v->cfg.leaky = b->v->cfg.patch = true;
	vcpu_at(b, PSW_MODE, GCODE);
	const uint32_t rdpsw = w_rd(OP_RDPSW, R_T0), rdtvec = w_rd(OP_RDTVEC, R_T1),
		       wrpsw = w_rs(OP_WRPSW, R_T2), jself = fix_encode(OP_JAL, 0, 0, 0, 0);
	gwrite(vm, GCODE, rdpsw);
	gwrite(vm, GCODE + 4, jself);           /* no path goes on from here */
	gwrite(vm, GCODE + 400, rdtvec);        /* reached by no path */
	gwrite(vm, GCODE + PAGE_SIZE - 4, wrpsw); /* the page's last word */
	gwrite(vm, GCODE + 800, 0x12345678u);   /* data */
	patch_scan(vm, GCODE + 4);              /* entered at any word */
	assert_true(patch_page_scanned(vm, GCODE));
	assert_true(patch_page_patched(vm, GCODE));
	assert_int_equal(vm->stats.pages_scanned, 1);
	assert_int_equal(vm->stats.patch_sites, 3);
	const uint32_t sites[] = {GCODE, GCODE + 400, GCODE + PAGE_SIZE - 4};
	const uint32_t origs[] = {rdpsw, rdtvec, wrpsw};
	for (int k = 0; k < 3; k++) {
		uint32_t hcall = host_word(b, hpa_of(vm, sites[k]));
		struct isa_insn in;
		assert_true(isa_decode(hcall, &in));
		assert_int_equal(in.op, OP_HCALL);
		assert_int_equal(gread(vm, sites[k]), origs[k]); /* invisible */
	}
	assert_int_equal(host_word(b, hpa_of(vm, GCODE + 4)), jself);
	assert_int_equal(host_word(b, hpa_of(vm, GCODE + 800)), 0x12345678u);
	patch_scan(vm, GCODE); /* once per page */
	assert_int_equal(vm->stats.pages_scanned, 1);
	assert_int_equal(vm->stats.patch_sites, 3);
}

/* A write to a scanned page is examined word by word: a sensitive
 * instruction written into it is patched at once (it may be jumped to
 * next), a write over a patch replaces it, and a write that builds an
 * instruction a byte at a time is judged by the whole word. */
static void test_patch_write_examines_each_word(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	b->v->cfg.leaky = b->v->cfg.patch = true;
	vcpu_at(b, PSW_MODE, GCODE);
	const uint32_t rdpsw = w_rd(OP_RDPSW, R_T0), nop = fix_encode(OP_ADDI, 0, 0, 0, 0);
	gwrite(vm, GCODE, fix_encode(OP_JAL, 0, 0, 0, 0));
	patch_scan(vm, GCODE);
	assert_false(patch_page_patched(vm, GCODE));

	gwrite(vm, GCODE + 8, rdpsw); /* code written into a page that runs */
	assert_true(patch_page_patched(vm, GCODE));
	assert_int_not_equal(host_word(b, hpa_of(vm, GCODE + 8)), rdpsw);
	assert_int_equal(gread(vm, GCODE + 8), rdpsw);
	assert_int_equal(vm->stats.patch_sites, 1);

	gwrite(vm, GCODE + 8, nop); /* over the patch */
	assert_false(patch_page_patched(vm, GCODE));
	assert_int_equal(host_word(b, hpa_of(vm, GCODE + 8)), nop);

	for (unsigned k = 0; k < 4; k++) { /* rdpsw, one byte at a time */
		uint8_t byte = (uint8_t)(rdpsw >> (8 * k));
		patch_write(vm, GCODE + 12 + k, &byte, 1);
	}
	assert_true(patch_page_patched(vm, GCODE));
	assert_int_equal(gread(vm, GCODE + 12), rdpsw);
	assert_int_not_equal(host_word(b, hpa_of(vm, GCODE + 12)), rdpsw);
}

/* A scanned page written many times is taken for data again: its
 * patches are undone in host memory and it is no longer scanned, so it
 * loses X (and runs through a new scan if it is ever entered again). */
static void test_patch_page_written_often_goes_back_to_data(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	b->v->cfg.leaky = b->v->cfg.patch = true;
	vcpu_at(b, PSW_MODE, GCODE);
	const uint32_t rdpsw = w_rd(OP_RDPSW, R_T0);
	gwrite(vm, GCODE, rdpsw);
	patch_scan(vm, GCODE);
	unsigned writes = 0;
	while (patch_page_scanned(vm, GCODE)) {
		assert_true(writes < PAGE_WORDS);
		gwrite(vm, GCODE + 4 + 4 * writes, writes); /* a buffer */
		writes++;
	}
	assert_true(writes > 1); /* a single write keeps the page's scan */
	assert_int_equal(vm->stats.pages_unscanned, 1);
	assert_false(patch_page_patched(vm, GCODE));
	assert_int_equal(host_word(b, hpa_of(vm, GCODE)), rdpsw);
	assert_int_equal(host_word(b, hpa_of(vm, GCODE + 8)), 1);
	patch_scan(vm, GCODE); /* entered again: scanned again */
	assert_true(patch_page_patched(vm, GCODE));
	assert_int_equal(vm->stats.pages_scanned, 2);
}

/* A RAM access emulated for patching decodes the faulting word; a word
 * that is no load or store (the machine never reports one) stops the VM
 * with a reason naming the pc and the word, instead of guessing. */
static void test_patch_emulated_access_of_no_load_or_store_stops(void **state)
{
	struct bench *b = *state;
	vcpu_at(b, PSW_MODE, GCODE);
	const uint32_t word = w_rd(OP_RDPSW, R_T0);
	struct mach_exit e = {CAUSE_PAGE_FAULT | CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT,
			      GCODE, GDATA, word};
	assert_int_equal(emulate_ram_access(b->vm, &e, GDATA), VMM_ACT_HALTED);
	assert_int_equal(vmm_vm_state(b->v, 0), VM_FAILED);
	assert_non_null(strstr(vmm_vm_reason(b->v, 0), "no load or store"));
	assert_non_null(strstr(vmm_vm_reason(b->v, 0), "pc 0x00001000"));
	assert_int_equal(b->vm->vcpu.pc, GCODE); /* nothing retired */
}

/* The patch of an hcall that exits is found by the frame the machine
 * fetched it from (through the loaded shadow), not by what the guest's
 * table says now: after the guest remaps the page to a copy without a
 * flush, the stale translation may still run, and its hcall is still a
 * patch, never a hypercall. */
static void test_patch_site_follows_the_fetched_frame(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	const uint32_t va = 0x00400000u, copy = GDATA;
	const uint32_t rdpsw = w_rd(OP_RDPSW, R_T0);
	b->v->cfg.leaky = b->v->cfg.patch = true;
	vcpu_at(b, PSW_MODE | PSW_PG, va);
	gmap(b, va, GCODE | PTE_V | PTE_R | PTE_X);
	gwrite(vm, GCODE, rdpsw);
	struct vmm_event ev = do_fault(b, CAUSE_ACCESS_FETCH, false, va, 0);
	assert_int_equal(ev.action, VMM_ACT_SHADOW_FILL); /* scanned, mapped X */
	uint32_t orig = 0;
	assert_true(patch_site(vm, va, &orig));
	assert_int_equal(orig, rdpsw);

	gwrite(vm, copy, rdpsw);                          /* an identical copy */
	gwrite(vm, gpte_addr(b, va), copy | PTE_V | PTE_R | PTE_X); /* no flush */
	orig = 0;
	assert_true(patch_site(vm, va, &orig));
	assert_int_equal(orig, rdpsw);
	shadow_flush(vm);                  /* now the machine has no translation */
	assert_false(patch_site(vm, va, &orig));
}

/* Patches are invisible to every reader of guest memory, not only to the
 * guest's loads: a page-table walk, a hypercall and the disk's DMA read
 * the original words.  A guest that writes a code page to its disk and
 * reads it back gets its code, not the VMM's hcall. */
static void test_patch_host_reads_see_original_words(void **state)
{
	struct bench *b = *state;
	struct vm *vm1 = bench_add_vm_with_disk(b, 2);
	b->v->cfg.leaky = b->v->cfg.patch = true;
	vm1->vcpu.cr[CR_PSW] = PSW_MODE; /* supervisor, paging off */
	const uint32_t rdpsw = w_rd(OP_RDPSW, R_T0);
	gwrite(vm1, GCODE, rdpsw);
	gwrite(vm1, GCODE + 4, fix_encode(OP_JAL, 0, 0, 0, 0)); /* j . */
	patch_scan(vm1, GCODE);
	assert_true(patch_page_patched(vm1, GCODE));
	assert_int_not_equal(host_word(b, hpa_of(vm1, GCODE)), rdpsw); /* the hcall */

	assert_int_equal(gread(vm1, GCODE), rdpsw);
	/* the code page to sector 1, and back into another page */
	disk_reg(vm1, DISK_SECTOR, 1);
	disk_reg(vm1, DISK_ADDR, GCODE);
	disk_reg(vm1, DISK_COUNT, 1);
	disk_reg(vm1, DISK_CMD, DISK_CMD_WRITE);
	assert_int_equal(disk_finish(vm1), DISK_STATUS_DONE);
	disk_reg(vm1, DISK_ADDR, 0x3000u);
	disk_reg(vm1, DISK_CMD, DISK_CMD_READ);
	assert_int_equal(disk_finish(vm1), DISK_STATUS_DONE);
	assert_int_equal(host_word(b, hpa_of(vm1, 0x3000u)), rdpsw);
	assert_int_equal(host_word(b, hpa_of(vm1, 0x3004u)),
			 fix_encode(OP_JAL, 0, 0, 0, 0));
}

/* ===== lab 4: the patcher's rules (labs/lab4-x86) ======================================= */

/* Puts word at the vCPU's pc, lets execution enter its page (the fetch
 * fault scans it) and hands the exit the patched word makes, an hcall,
 * to the dispatcher, as the machine would. */
static struct vmm_event do_patched(struct bench *b, uint32_t word)
{
	uint32_t pc = b->vm->vcpu.pc;
	gwrite(b->vm, pc, word);
	do_fault(b, CAUSE_ACCESS_FETCH, false, pc, 0);
	struct mach_exit e = {CAUSE_HCALL, pc, 0, host_word(b, hpa_of(b->vm, pc))};
	struct vmm_event ev = {0};
	vm_handle_exit(b->vm, &e, &ev);
	return ev;
}

/* Only the sensitive instructions are patched: the privileged ones trap
 * by themselves, a guest's own hcall is a hypercall, and everything else
 * runs as it is. */
static void test_patch_scan_patches_only_sensitive_words(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	b->v->cfg.leaky = b->v->cfg.patch = true;
	vcpu_at(b, PSW_MODE, GCODE);
	const uint32_t others[] = {
		w_mfcr(R_T0, CR_PSW), w_mtcr(CR_PSW, R_T0), w_op(OP_RFE),
		w_op(OP_TLBFLUSH), w_op(OP_WFI), w_op(OP_HCALL), w_op(OP_SYSCALL),
		fix_encode(OP_ADD, R_T0, R_T1, R_T2, 0), w_load(OP_LW, R_T0, 8, R_SP),
	};
	const size_t n = sizeof others / sizeof others[0];
	for (size_t k = 0; k < n; k++)
		gwrite(vm, GCODE + 4 * (uint32_t)k, others[k]);
	gwrite(vm, GCODE + 4 * (uint32_t)n, w_rd(OP_RDPSW, R_T0));
	assert_true(patch_scan(vm, GCODE));
	assert_int_equal(vm->stats.patch_sites, 1);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(host_word(b, hpa_of(vm, GCODE + 4 * (uint32_t)k)),
				 others[k]);
	uint32_t orig = 0;
	assert_false(patch_site(vm, GCODE, &orig));
}

/* A write of several words to a scanned page examines each of them, and
 * a write of part of a patched word judges the word it makes: a halfword
 * that turns rdpsw into something else takes the patch away. */
static void test_patch_write_across_words(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	b->v->cfg.leaky = b->v->cfg.patch = true;
	vcpu_at(b, PSW_MODE, GCODE);
	const uint32_t rdpsw = w_rd(OP_RDPSW, R_T0), rdtvec = w_rd(OP_RDTVEC, R_T1);
	gwrite(vm, GCODE, fix_encode(OP_JAL, 0, 0, 0, 0));
	assert_true(patch_scan(vm, GCODE));
	uint8_t two[8];
	for (unsigned k = 0; k < 8; k++)
		two[k] = (uint8_t)((k < 4 ? rdpsw : rdtvec) >> (8 * (k % 4)));
	patch_write(vm, GCODE + 16, two, sizeof two);
	assert_int_equal(vm->stats.patch_sites, 2);
	assert_int_equal(gread(vm, GCODE + 16), rdpsw);
	assert_int_equal(gread(vm, GCODE + 20), rdtvec);
	assert_int_not_equal(host_word(b, hpa_of(vm, GCODE + 16)), rdpsw);
	assert_int_not_equal(host_word(b, hpa_of(vm, GCODE + 20)), rdtvec);

	const uint8_t high[2] = {0x00, 0x00}; /* rdtvec's opcode bits gone */
	patch_write(vm, GCODE + 22, high, sizeof high);
	uint32_t now = rdtvec & 0x0000ffffu;
	assert_int_equal(gread(vm, GCODE + 20), now);
	assert_int_equal(host_word(b, hpa_of(vm, GCODE + 20)), now);
	assert_true(patch_page_patched(vm, GCODE)); /* rdpsw still is */
}

/* rdpsw and rdtvec, patched, read the virtual PSW and TVEC, exactly as
 * the clean machine's trap would have them emulated; the guest resumes
 * after the instruction. */
static void test_patch_trap_reads_virtual_psw_and_tvec(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	b->v->cfg.leaky = b->v->cfg.patch = true;
	vcpu_at(b, PSW_MODE | PSW_IE, GCODE);
	vm->instret = 0;
	struct vmm_event ev = do_patched(b, w_rd(OP_RDPSW, R_T0));
	assert_int_equal(ev.action, VMM_ACT_PATCHED);
	assert_int_equal(vm->vcpu.x[R_T0], PSW_MODE | PSW_IE);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_IE);
	assert_int_equal(vm->vcpu.x[R_T1], 0xa0000000u | R_T1);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(vm->instret, 1);
	assert_int_equal(vm->stats.patch_traps, 1);

	ev = do_patched(b, w_rd(OP_RDTVEC, R_T1));
	assert_int_equal(ev.action, VMM_ACT_PATCHED);
	assert_int_equal(vm->vcpu.x[R_T1], GTVEC);
	assert_int_equal(vm->vcpu.x[R_T0], PSW_MODE | PSW_IE);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE | PSW_IE);
	assert_int_equal(vm->vcpu.pc, GCODE + 8);
	assert_int_equal(vm->instret, 2);
}

/* wrpsw, patched: in virtual supervisor mode it writes the PSW (the bits
 * it has); in virtual user mode on the leaky machine it changes nothing,
 * silently, as the bare machine's does. */
static void test_patch_trap_wrpsw_writes_psw_in_supervisor_mode_only(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	b->v->cfg.leaky = b->v->cfg.patch = true;
	vcpu_at(b, PSW_MODE | PSW_IE, GCODE);
	vm->vcpu.x[R_A0] = 0xfffffff0u | PSW_MODE;
	struct vmm_event ev = do_patched(b, w_rs(OP_WRPSW, R_A0));
	assert_int_equal(ev.action, VMM_ACT_PATCHED);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_MODE); /* IE off */
	assert_int_equal(vm->vcpu.pc, GCODE + 4);

	vm->vcpu.cr[CR_PSW] = PSW_IE; /* virtual user mode */
	vm->vcpu.x[R_A0] = PSW_MODE | PSW_PG;
	ev = do_patched(b, w_rs(OP_WRPSW, R_A0));
	assert_int_equal(ev.action, VMM_ACT_PATCHED);
	assert_int_equal(vm->vcpu.cr[CR_PSW], PSW_IE);
	assert_int_equal(vm->vcpu.pc, GCODE + 8);
	assert_int_equal(vm->vcpu.cr[CR_EPC], OLD_EPC); /* no trap */
}

/* On the clean machine a sensitive instruction in user mode traps: a
 * patched one in virtual user mode must arrive in the guest's handler as
 * PRIV at its own pc, having changed nothing. */
static void test_patch_trap_in_clean_user_mode_reflects_priv(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	b->v->cfg.patch = true;
	vcpu_at(b, PSW_IE, GCODE);
	uint32_t x[ISA_NREGS];
	memcpy(x, vm->vcpu.x, sizeof x);
	struct vmm_event ev = do_patched(b, w_rd(OP_RDPSW, R_T0));
	assert_int_equal(ev.action, VMM_ACT_REFLECTED);
	assert_trap_entry(b, PSW_IE, CAUSE_PRIV, GCODE, 0);
	assert_memory_equal(vm->vcpu.x, x, sizeof x);
}

/* ===== dispatch and whole runs ========================================================== */

/* A program: (address, word) pairs, loaded into a VM or a bare machine. */
struct prog {
	uint32_t addr[256], word[256];
	int n;
	uint32_t at;
};

static void p_put(struct prog *p, uint32_t word)
{
	assert_true(p->n < 256);
	p->addr[p->n] = p->at, p->word[p->n] = word;
	p->n++;
	p->at += 4;
}

static void p_org(struct prog *p, uint32_t at)
{
	p->at = at;
}

static void p_li(struct prog *p, unsigned rd, uint32_t value)
{
	p_put(p, fix_encode(OP_LUI, rd, 0, 0, (int32_t)(value >> 16)));
	p_put(p, fix_encode(OP_ORI, rd, rd, 0, (int32_t)(value & 0xffff)));
}

/* Halts through the test device with status in rs (clobbers t3). */
static void p_halt(struct prog *p, unsigned rs)
{
	p_put(p, fix_encode(OP_LUI, R_T3, 0, 0, 0xf001));
	p_put(p, w_store(OP_SW, rs, -0x1000, R_T3));
}

static void p_load_vm(const struct prog *p, struct vm *vm)
{
	for (int i = 0; i < p->n; i++)
		gwrite(vm, p->addr[i], p->word[i]);
}

/* The guest handler at GTVEC used by the run tests: skip the trapping
 * instruction and return (clobbers s3, which the programs leave alone). */
static void p_skip_handler(struct prog *p)
{
	p_org(p, GTVEC);
	p_put(p, w_mfcr(R_S3, CR_EPC));
	p_put(p, fix_encode(OP_ADDI, R_S3, R_S3, 0, 4));
	p_put(p, w_mtcr(CR_EPC, R_S3));
	p_put(p, w_op(OP_RFE));
}

/* A VM stops once: a second stop (work that went on after the first)
 * changes neither its state nor its reason. */
static void test_dispatch_second_stop_keeps_the_first(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	vm_stop(vm, VM_DEADLOCK, "first: %d", 1);
	vm_stop(vm, VM_FAILED, "second: %d", 2);
	assert_int_equal(vm->state, VM_DEADLOCK);
	assert_string_equal(vmm_vm_reason(b->v, 0), "first: 1");
}

/* An exit with no handler (here a real bus error, which the VMM's shadows
 * never cause: the test plants a shadow PTE naming a host address beyond
 * host RAM) stops the VM loudly, naming the cause and the pc. */
static void test_dispatch_unknown_cause_stops_vm(void **state)
{
	struct bench *b = *state;
	struct vm *vm = b->vm;
	struct prog p = {.at = GCODE};
	p_put(&p, w_load(OP_LW, R_T0, 0x2000, R_ZERO));
	p_halt(&p, R_ZERO);
	p_load_vm(&p, vm);

	uint32_t leaf = vmm_alloc_frame(vm);
	assert_int_not_equal(leaf, 0);
	vm->shadow[VIEW_PHYS].leaves[vm->shadow[VIEW_PHYS].nleaves++] = leaf;
	host_put_word(b, vm->shadow[VIEW_PHYS].root, leaf | PTE_V);
	host_put_word(b, leaf + 2 * 4, 0x80000000u | PTE_V | PTE_U | PTE_R |
				       PTE_W | PTE_A | PTE_D);

	assert_int_equal(vmm_run(b->v), 1);
	assert_int_equal(vmm_vm_state(b->v, 0), VM_FAILED);
	const char *why = vmm_vm_reason(b->v, 0);
	assert_non_null(strstr(why, "BUS_ERROR"));
	assert_non_null(strstr(why, "pc 0x00001000"));
	assert_non_null(strstr(why, "0x00002000"));
	assert_true(b->nevents > 0);
	const struct vmm_event *last = &b->events[b->nevents - 1];
	assert_int_equal(last->cause, CAUSE_BUS_ERROR);
	assert_int_equal(last->action, VMM_ACT_HALTED);
	assert_string_equal(last->handler, "none");
}

/* mtcr tvec, mfcr back, halt with it: the whole loop, with the exits it
 * takes (two PRIV, page faults for the code page and the test device). */
static void test_run_mtcr_tvec_then_halt(void **state)
{
	struct bench *b = *state;
	struct prog p = {.at = GCODE};
	p_li(&p, R_T0, GTVEC);
	p_put(&p, w_mtcr(CR_TVEC, R_T0));
	p_put(&p, w_mfcr(R_A0, CR_TVEC));
	p_put(&p, fix_encode(OP_SRLI, R_A0, R_A0, 0, 8));
	p_halt(&p, R_A0);
	p_load_vm(&p, b->vm);

	assert_int_equal(vmm_run(b->v), 1); /* status is not 0 */
	assert_int_equal(vmm_vm_state(b->v, 0), VM_HALTED);
	assert_int_equal(vmm_vm_status(b->v, 0), GTVEC >> 8);
	assert_int_equal(b->vm->vcpu.cr[CR_TVEC], GTVEC);
	struct vmm_vm_stats st;
	vmm_vm_stats(b->v, 0, &st);
	assert_int_equal(st.exits_by_cause[CAUSE_PRIV], 2);
	assert_int_equal(st.exits_by_action[VMM_ACT_EMULATED], 2);
	assert_int_equal(st.exits_by_action[VMM_ACT_MMIO], 1);
	assert_int_equal(st.exits_by_action[VMM_ACT_SHADOW_FILL], 1);
	assert_int_equal(b->vm->instret, 7);
}

/* syscall reflected into the guest's handler, which skips it; then the
 * guest prints and halts. */
static void test_run_syscall_reflected_to_guest_handler(void **state)
{
	struct bench *b = *state;
	struct prog p = {.at = GCODE};
	p_li(&p, R_T0, GTVEC);
	p_put(&p, w_mtcr(CR_TVEC, R_T0));
	p_put(&p, w_op(OP_SYSCALL));
	p_li(&p, R_T1, DEV_CONSOLE_BASE);
	p_put(&p, fix_encode(OP_ADDI, R_T2, R_ZERO, 0, 'o'));
	p_put(&p, w_store(OP_SB, R_T2, 0, R_T1));
	p_put(&p, fix_encode(OP_ADDI, R_T2, R_ZERO, 0, 'k'));
	p_put(&p, w_store(OP_SB, R_T2, 0, R_T1));
	p_put(&p, fix_encode(OP_ADDI, R_A0, R_ZERO, 0, 7));
	p_halt(&p, R_A0);
	p_skip_handler(&p);
	p_load_vm(&p, b->vm);

	vmm_run(b->v);
	assert_int_equal(vmm_vm_state(b->v, 0), VM_HALTED);
	assert_int_equal(vmm_vm_status(b->v, 0), 7);
	assert_int_equal(b->outlen, 2);
	assert_memory_equal(b->out, "ok", 2);
	assert_int_equal(b->vm->vcpu.cr[CR_CAUSE], CAUSE_SYSCALL);
	assert_int_equal(b->vm->vcpu.cr[CR_EPC], GCODE + 16);
	struct vmm_vm_stats st;
	vmm_vm_stats(b->v, 0, &st);
	assert_int_equal(st.exits_by_cause[CAUSE_SYSCALL], 1);
	assert_int_equal(st.exits_by_action[VMM_ACT_REFLECTED], 1);
}

/* TVEC still 0 at boot, and RAM at 0 holds 0, an illegal word: the first
 * trap's handler traps at once, a double fault, as natively. */
static void test_run_double_fault(void **state)
{
	struct bench *b = *state;
	struct prog p = {.at = GCODE};
	p_put(&p, w_op(OP_BREAK));
	p_load_vm(&p, b->vm);
	vmm_run(b->v);
	assert_int_equal(vmm_vm_state(b->v, 0), VM_DOUBLE_FAULT);
	assert_non_null(strstr(vmm_vm_reason(b->v, 0), "double fault"));
	assert_int_equal(b->vm->vcpu.cr[CR_CAUSE], CAUSE_BREAK);
	assert_int_equal(b->vm->vcpu.cr[CR_EPC], GCODE);
}

/* wfi with nothing to wake it, through the loop. */
static void test_run_wfi_deadlock(void **state)
{
	struct bench *b = *state;
	struct prog p = {.at = GCODE};
	p_put(&p, w_op(OP_WFI));
	p_load_vm(&p, b->vm);
	assert_int_equal(vmm_run(b->v), 1);
	assert_int_equal(vmm_vm_state(b->v, 0), VM_DEADLOCK);
}

/* Two VMs: each gets its own console and status; one VM's halting does
 * not stop the other. */
static void test_run_two_vms_apart(void **state)
{
	struct bench *b = *state;
	struct vm *vm1 = bench_add_vm(b, GMEM, NULL);
	for (int k = 0; k < 2; k++) {
		struct prog p = {.at = GCODE};
		p_li(&p, R_T1, DEV_CONSOLE_BASE);
		p_put(&p, fix_encode(OP_ADDI, R_T2, R_ZERO, 0, 'a' + k));
		p_put(&p, w_store(OP_SB, R_T2, 0, R_T1));
		p_put(&p, fix_encode(OP_ADDI, R_A0, R_ZERO, 0, 10 + k));
		p_halt(&p, R_A0);
		p_load_vm(&p, k ? vm1 : b->vm);
	}
	assert_int_equal(vmm_run(b->v), 2);
	assert_int_equal(vmm_vm_status(b->v, 0), 10);
	assert_int_equal(vmm_vm_status(b->v, 1), 11);
	assert_int_equal(b->outlen, 2);
	for (size_t i = 0; i < b->outlen; i++)
		assert_int_equal(b->out[i], 'a' + b->outvm[i]);
}

/* ---- the guest's clock and output, natively and under the VMM ---------------- */

struct native_out {
	char out[64];
	size_t len;
};

static void native_output(void *ctx, uint8_t byte)
{
	struct native_out *o = ctx;
	if (o->len < sizeof o->out)
		o->out[o->len++] = (char)byte;
}

/* Runs p on a bare machine with GMEM of RAM from pc = GCODE; returns the
 * exit status and sets *cycles to the machine's clock at the halt. */
static uint32_t run_native(const struct prog *p, struct native_out *o,
			   uint64_t *cycles)
{
	struct mach_config mc = {.ram_size = GMEM};
	struct machine *m = mach_new(&mc);
	assert_non_null(m);
	dev_console_set_output(mach_console(m), native_output, o);
	for (int i = 0; i < p->n; i++) {
		uint8_t w[4] = {(uint8_t)p->word[i], (uint8_t)(p->word[i] >> 8),
				(uint8_t)(p->word[i] >> 16),
				(uint8_t)(p->word[i] >> 24)};
		assert_true(mach_phys_write(m, p->addr[i], w, 4));
	}
	mach_cpu(m)->pc = GCODE;
	enum mach_stop stop = mach_run(m, 10000000);
	uint32_t status = mach_exit_status(m);
	*cycles = mach_cycles(m);
	mach_free(m);
	assert_int_equal(stop, MACH_STOP_HALT);
	return status;
}

/*
 * Runs p under the VMM (vm0) and checks it ends as natively: the same
 * console bytes, the same status, and the VM's virtual clock equal to the
 * bare machine's clock at the halt (vmm.h: each VM's clock "advances
 * exactly as the bare machine's would").  The programs halt with what
 * rdcycle read just before, so the status also compares the clock the
 * guest itself sees (the VMM sets the machine's rdcycle offset to it).
 */
static void expect_native_equal(struct bench *b, const struct prog *p)
{
	struct native_out o = {0};
	uint64_t native_cycles;
	uint32_t native = run_native(p, &o, &native_cycles);
	p_load_vm(p, b->vm);
	vmm_run(b->v);
	assert_int_equal(vmm_vm_state(b->v, 0), VM_HALTED);
	assert_int_equal(b->outlen, o.len);
	assert_memory_equal(b->out, o.out, o.len);
	assert_int_equal(vmm_vm_status(b->v, 0), native);
	struct vmm_vm_stats st;
	vmm_vm_stats(b->v, 0, &st);
	assert_int_equal(st.guest_cycles, native_cycles);
}

/* mtcr, a reflected syscall, rfe, MMIO, mul and a loop. */
static void test_run_guest_clock_matches_bare_machine(void **state)
{
	struct bench *b = *state;
	struct prog p = {.at = GCODE};
	p_li(&p, R_T0, GTVEC);
	p_put(&p, w_mtcr(CR_TVEC, R_T0));
	p_put(&p, w_op(OP_SYSCALL));
	p_li(&p, R_T1, DEV_CONSOLE_BASE);
	p_put(&p, fix_encode(OP_ADDI, R_T2, R_ZERO, 0, 'k'));
	p_put(&p, w_store(OP_SB, R_T2, 0, R_T1));
	p_put(&p, fix_encode(OP_ADDI, R_T0, R_ZERO, 0, 50));
	p_put(&p, fix_encode(OP_ADDI, R_T0, R_T0, 0, -1));
	p_put(&p, fix_encode(OP_BNE, 0, R_T0, R_ZERO, -4));
	p_put(&p, fix_encode(OP_MUL, R_A1, R_T2, R_T2, 0));
	p_put(&p, w_rd(OP_RDCYCLE, R_A0));
	p_halt(&p, R_A0);
	p_skip_handler(&p);
	expect_native_equal(b, &p);
}

/* The same with the guest's paging on: shadow fills (whose faulting
 * cycle is given back), A/D emulation (the guest reads its own PTE and
 * prints its flags), a device page through the guest's table. */
static void test_run_guest_clock_matches_bare_machine_paged(void **state)
{
	struct bench *b = *state;
	struct prog p = {0};
	uint32_t leaf0 = GPT + PAGE_SIZE, leafdev = GPT + 2 * PAGE_SIZE;
	/* identity map: code, handler, data (RW), the leaf table (R), and
	 * the console and test devices (RW) */
	p_org(&p, GPT);
	p_put(&p, leaf0 | PTE_V);
	p_org(&p, GPT + (DEV_CONSOLE_BASE >> 22) * 4);
	p_put(&p, leafdev | PTE_V);
	const struct {
		uint32_t leaf, va, flags;
	} maps[] = {
		{leaf0, GCODE, PTE_R | PTE_X}, {leaf0, GTVEC, PTE_R | PTE_X},
		{leaf0, GDATA, PTE_R | PTE_W}, {leaf0, leaf0, PTE_R},
		{leafdev, DEV_CONSOLE_BASE, PTE_R | PTE_W},
		{leafdev, DEV_TEST_BASE, PTE_R | PTE_W},
	};
	for (size_t k = 0; k < sizeof maps / sizeof maps[0]; k++) {
		p_org(&p, maps[k].leaf + ((maps[k].va >> 12) & 0x3ff) * 4);
		p_put(&p, maps[k].va | PTE_V | maps[k].flags);
	}
	uint32_t data_pte = leaf0 + (GDATA >> 12) * 4;

	p_org(&p, GCODE);
	p_li(&p, R_T0, GTVEC);
	p_put(&p, w_mtcr(CR_TVEC, R_T0));
	p_li(&p, R_T0, GPT);
	p_put(&p, w_mtcr(CR_PTBR, R_T0));
	p_li(&p, R_T0, PSW_MODE | PSW_PG);
	p_put(&p, w_rs(OP_WRPSW, R_T0));
	p_li(&p, R_S0, data_pte);
	p_li(&p, R_T1, DEV_CONSOLE_BASE);
	p_li(&p, R_S1, GDATA);
	p_put(&p, w_load(OP_LW, R_T2, 0, R_S1));   /* A */
	p_put(&p, w_load(OP_LW, R_T2, 0, R_S0));
	p_put(&p, fix_encode(OP_ADDI, R_T2, R_T2, 0, 0x20)); /* flags -> text */
	p_put(&p, w_store(OP_SB, R_T2, 0, R_T1));
	p_put(&p, w_store(OP_SW, R_S1, 4, R_S1));  /* D */
	p_put(&p, w_load(OP_LW, R_T2, 0, R_S0));
	p_put(&p, fix_encode(OP_ANDI, R_T2, R_T2, 0, 0x7f));
	p_put(&p, w_store(OP_SB, R_T2, 0, R_T1));
	p_put(&p, w_op(OP_SYSCALL));
	p_put(&p, w_op(OP_TLBFLUSH));
	p_put(&p, w_load(OP_LW, R_T2, 4, R_S1));
	p_put(&p, w_store(OP_SB, R_T2, 0, R_T1)); /* low byte of 0x10000: 0 */
	p_put(&p, w_rd(OP_RDCYCLE, R_A0));
	p_halt(&p, R_A0);
	p_skip_handler(&p);
	expect_native_equal(b, &p);
	assert_int_equal(b->outlen, 3);
	assert_memory_equal(b->out, "Gg", 3); /* V|R|W|A, then with D */
	assert_int_equal(b->vm->vcpu.cr[CR_CAUSE], CAUSE_SYSCALL);
	assert_int_equal(gread(b->vm, data_pte),
			 GDATA | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
}

/* ---- vmm_tick: the debugger's view ------------------------------------- */

/* vm0's program for the tick tests, and vm1's if two: mtcr tvec (a PRIV
 * exit), a syscall reflected to a handler that skips it, a console
 * byte (an MMIO exit), halt.  vm1 first runs 5 instructions more, so
 * that the VMs' exits fall at different times and an interleaving shows
 * in the order of the log. */
static void tick_programs(struct bench *b, int nvms)
{
	struct vm *vm1 = nvms > 1 ? bench_add_vm(b, GMEM, NULL) : NULL;
	for (int k = 0; k < nvms; k++) {
		struct prog p = {.at = GCODE};
		for (int i = 0; i < 5 * k; i++)
			p_put(&p, fix_encode(OP_ADDI, R_T2, R_T2, 0, 1));
		p_li(&p, R_T0, GTVEC);
		p_put(&p, w_mtcr(CR_TVEC, R_T0));
		p_put(&p, w_op(OP_SYSCALL));
		p_li(&p, R_T1, DEV_CONSOLE_BASE);
		p_put(&p, fix_encode(OP_ADDI, R_T2, R_ZERO, 0, 'x' + k));
		p_put(&p, w_store(OP_SB, R_T2, 0, R_T1));
		p_halt(&p, R_ZERO);
		p_skip_handler(&p);
		p_load_vm(&p, k ? vm1 : b->vm);
	}
}

/* A tick that ends in an exit leaves it waiting: the vCPU as the exit
 * left it, nothing logged; the next tick runs the handler and logs it. */
static void test_tick_stops_between_exit_and_handler(void **state)
{
	struct bench *b = *state;
	tick_programs(b, 1);
	int vm = -1;
	struct mach_exit e;
	const char *handler = NULL;
	assert_false(vmm_pending_exit(b->v, &vm, &e, &handler));
	assert_int_equal(vmm_turn(b->v), 0);
	int exits = 0;
	enum vmm_tick t;
	while ((t = vmm_tick(b->v, UINT64_MAX)) != VMM_TICK_DONE) {
		if (t != VMM_TICK_EXIT)
			continue;
		exits++;
		assert_true(vmm_pending_exit(b->v, &vm, &e, &handler));
		assert_int_equal(vm, 0);
		assert_int_equal(vmm_turn(b->v), 0);
		assert_int_equal(e.pc, b->vm->vcpu.pc); /* not yet handled */
		int logged = b->nevents;
		uint32_t code = e.cause & CAUSE_CODE_MASK;
		assert_string_equal(handler, code == CAUSE_PRIV ? "emulate_privileged"
				    : code == CAUSE_SYSCALL ? "reflect_exception"
				    : "shadow_page_fault");
		assert_int_equal(vmm_tick(b->v, UINT64_MAX), VMM_TICK_HANDLED);
		assert_false(vmm_pending_exit(b->v, &vm, &e, &handler));
		assert_int_equal(b->nevents, logged + 1);
		assert_string_equal(b->events[logged].handler, handler);
	}
	assert_int_equal(exits, b->nevents);
	assert_true(exits >= 5); /* fetch fill, PRIV, SYSCALL, PRIV (rfe), MMIO... */
	assert_int_equal(vmm_turn(b->v), -1);
	assert_int_equal(vmm_vm_state(b->v, 0), VM_HALTED);
	assert_memory_equal(b->out, "x", 1);
}

/* Two VMs with short turns, ticked one cycle at a time, do exactly what
 * vmm_run does: the same output, the same exits in the same order, at
 * the same guest clocks.  This is the debugger's promise. */
static void test_tick_one_cycle_at_a_time_equals_run(void **state)
{
	struct bench *whole = *state, *stepped;
	struct vmm_config cfg = {.output = bench_output, .max_cycles = 1000000,
				 .quantum = 7};
	for (int pass = 0; pass < 2; pass++) {
		struct bench *b = pass ? stepped : whole;
		if (pass) {
			assert_int_equal(bench_setup((void **)&stepped), 0);
			b = stepped;
		}
		vmm_free(b->v); /* again, with a quantum of 7 cycles */
		cfg.output_ctx = b;
		b->v = vmm_new(&cfg);
		assert_non_null(b->v);
		vmm_on_event(b->v, bench_event, b);
		b->vm = bench_add_vm(b, GMEM, NULL);
		tick_programs(b, 2);
		if (pass)
			while (vmm_tick(b->v, 1) != VMM_TICK_DONE)
				;
		else
			vmm_run(b->v);
	}
	assert_int_equal(stepped->outlen, whole->outlen);
	assert_memory_equal(stepped->out, whole->out, whole->outlen);
	assert_memory_equal(stepped->outvm, whole->outvm,
			    whole->outlen * sizeof whole->outvm[0]);
	assert_int_equal(stepped->nevents, whole->nevents);
	for (int i = 0; i < whole->nevents; i++) {
		const struct vmm_event *x = &whole->events[i], *y = &stepped->events[i];
		assert_int_equal(y->seq, x->seq);
		assert_int_equal(y->vm, x->vm);
		assert_int_equal(y->cause, x->cause);
		assert_int_equal(y->pc, x->pc);
		assert_int_equal(y->action, x->action);
		assert_int_equal(y->resume_pc, x->resume_pc);
		assert_int_equal(y->guest_cycles, x->guest_cycles);
	}
	/* and the VMs did interleave: vm1 logged before vm0 was done */
	int first_vm1 = -1, last_vm0 = -1;
	for (int i = 0; i < whole->nevents; i++) {
		if (whole->events[i].vm == 1 && first_vm1 < 0)
			first_vm1 = i;
		if (whole->events[i].vm == 0)
			last_vm0 = i;
	}
	assert_true(first_vm1 >= 0 && first_vm1 < last_vm0);
	bench_teardown((void **)&stepped);
}

/* ---- fairness --------------------------------------------------------------- */

#define FAIR_QUANTUM 1000u  /* instructions per turn: many turns, fast */
#define FAIR_LOOPS 10000    /* the computing VM's loop: 3 instructions each */

/*
 * vm0 spins on one-cycle jumps with its interrupts off; vm1 computes, a
 * loop of mul (4 cycles), addi and bne, then halts.  While both run, each
 * gets the same number of guest instructions: at the moment vm1 halts,
 * vm0 has run as many, give or take the one turn vm1 cut short -- within
 * 5 % -- and --stats's figures (vmm_fairness) say so.  (With turns
 * counted in cycles, the spinner ran twice as many.)
 */
static void test_fairness_spinner_next_to_computer(void **state)
{
	struct bench *b = *state;
	b->v->cfg.quantum = FAIR_QUANTUM;
	struct vm *spinner = b->vm, *computer = bench_add_vm(b, GMEM, NULL);
	gwrite(spinner, GCODE, fix_encode(OP_JAL, 0, 0, 0, 0)); /* j . */
	struct prog p = {.at = GCODE};
	p_li(&p, R_T0, FAIR_LOOPS);
	p_put(&p, fix_encode(OP_MUL, R_A1, R_A1, R_A1, 0));
	p_put(&p, fix_encode(OP_ADDI, R_T0, R_T0, 0, -1));
	p_put(&p, fix_encode(OP_BNE, 0, R_T0, R_ZERO, -8));
	p_halt(&p, R_ZERO);
	p_load_vm(&p, computer);

	while (computer->state == VM_RUNNING)
		assert_int_not_equal(vmm_tick(b->v, UINT64_MAX), VMM_TICK_DONE);
	assert_int_equal(computer->state, VM_HALTED);
	assert_int_equal(spinner->state, VM_RUNNING);
	uint64_t spun = spinner->instret, computed = computer->instret;
	assert_true(computed >= 3 * FAIR_LOOPS);
	assert_true(spun * 100 <= computed * 105);
	assert_true(spun * 100 >= computed * 95);

	struct vmm_fairness f;
	vmm_fairness(b->v, &f);
	assert_true(f.rounds >= 3 * FAIR_LOOPS / FAIR_QUANTUM - 1);
	assert_true(f.spread <= 0.05);
	assert_true(f.min_instret >= f.rounds * FAIR_QUANTUM);
	assert_true(f.max_cycles > f.min_cycles); /* mul: more cycles */
}

/* ===== lab 6: the scheduler's turns, and the bounds of a VM's memory ===== */

#define SCHED_QUANTUM 10u     /* instructions per turn in these tests */
#define SCHED_MAX_TICKS 1000  /* a turn of 10 instructions takes far fewer */
#define SCHED_ROUNDS 4

/* vm's program: "j ." at GCODE, one instruction, forever. */
static void sched_spin(struct vm *vm)
{
	gwrite(vm, GCODE, fix_encode(OP_JAL, 0, 0, 0, 0));
}

/* Adds VMs up to n in all, each spinning, with turns of SCHED_QUANTUM. */
static void sched_spinners(struct bench *b, int n)
{
	b->v->cfg.quantum = SCHED_QUANTUM;
	sched_spin(b->vm);
	while (vmm_vm_count(b->v) < n)
		sched_spin(bench_add_vm(b, GMEM, NULL));
}

/*
 * Ticks one instruction at a time, as the debugger does (so that a turn
 * is not one slice: every instruction asks the scheduler again), until
 * the turn passes to another VM; returns that VM, or -1 once every VM
 * has stopped.  A scheduler that never lets the turn go fails the test
 * instead of hanging it.
 */
static int sched_run_turn(struct bench *b)
{
	int who = vmm_turn(b->v);
	for (int n = 0; n < SCHED_MAX_TICKS; n++) {
		if (vmm_tick(b->v, 1) == VMM_TICK_DONE)
			return -1;
		if (vmm_turn(b->v) != who)
			return vmm_turn(b->v);
	}
	fail_msg("vm%d kept the turn for %d ticks", who, SCHED_MAX_TICKS);
	return -1;
}

/* Three VMs spinning: the first turn is vm0's, then vm1, vm2, vm0, ...;
 * each turn is exactly a quantum of guest instructions (the page fault
 * of a VM's first fetch retires nothing). */
static void test_sched_round_robin_turns_of_a_quantum(void **state)
{
	struct bench *b = *state;
	sched_spinners(b, 3);
	assert_int_equal(vmm_turn(b->v), 0);
	uint64_t turns[3] = {0};
	int who = 0;
	for (int t = 0; t < 3 * SCHED_ROUNDS; t++) {
		int next = sched_run_turn(b);
		turns[who]++;
		assert_int_equal(next, (who + 1) % 3);
		assert_int_equal(b->v->vms[who]->instret, turns[who] * SCHED_QUANTUM);
		who = next;
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(b->v->vms[i]->instret, SCHED_ROUNDS * SCHED_QUANTUM);
}

/* A VM that waits (wfi) gives up the rest of its turn at once; its next
 * turn is a whole quantum again.  vm0 runs wfi with a line already
 * raised (its virtual IE is off, so nothing is injected: wfi just
 * returns), then spins; vm1 spins. */
static void test_sched_waiting_vm_gives_up_its_turn(void **state)
{
	struct bench *b = *state;
	sched_spinners(b, 2);
	struct vm *vm0 = b->vm, *vm1 = b->v->vms[1];
	gwrite(vm0, GCODE, w_op(OP_WFI));
	gwrite(vm0, GCODE + 4, fix_encode(OP_JAL, 0, 0, 0, 0));
	vm0->irq_lines = 1u << IRQ_TIMER;

	assert_int_equal(sched_run_turn(b), 1);
	assert_int_equal(vm0->instret, 1); /* the wfi, and no more */
	assert_int_equal(vm0->vcpu.pc, GCODE + 4);
	assert_int_equal(sched_run_turn(b), 0);
	assert_int_equal(vm1->instret, SCHED_QUANTUM);
	assert_int_equal(sched_run_turn(b), 1);
	assert_int_equal(vm0->instret, 1 + SCHED_QUANTUM);
	assert_int_equal(vm0->state, VM_RUNNING);
}

/* A VM that has stopped gets no more turns: vm1 halts in its first turn
 * (the bench's two-instruction program), and from then on the turn goes
 * 0, 2, 0, 2; a VM stopped in the middle of its turn loses the rest of
 * it; once all have stopped there is no turn and the run is done. */
static void test_sched_stopped_vm_is_skipped(void **state)
{
	struct bench *b = *state;
	b->v->cfg.quantum = SCHED_QUANTUM;
	sched_spin(b->vm);
	struct vm *vm1 = bench_add_vm(b, GMEM, NULL);
	struct vm *vm2 = bench_add_vm(b, GMEM, NULL);
	sched_spin(vm2);

	assert_int_equal(sched_run_turn(b), 1);
	assert_int_equal(sched_run_turn(b), 2);
	assert_int_equal(vm1->state, VM_HALTED);
	uint64_t halted_at = vm1->instret;
	for (int t = 0; t < SCHED_ROUNDS; t++) {
		assert_int_equal(sched_run_turn(b), 0);
		assert_int_equal(sched_run_turn(b), 2);
	}
	assert_int_equal(vm1->instret, halted_at);
	assert_int_equal(b->vm->instret, (SCHED_ROUNDS + 1) * SCHED_QUANTUM);

	/* vm2 has the turn; stopped now, it loses it to vm0 */
	assert_int_equal(vmm_turn(b->v), 2);
	assert_int_equal(vmm_tick(b->v, 1), VMM_TICK_RAN);
	vm_stop(vm2, VM_FAILED, "stopped by the test");
	assert_int_equal(vmm_turn(b->v), 0);
	/* once every VM has stopped there is no turn: the run is done */
	vm_stop(b->vm, VM_FAILED, "stopped by the test");
	assert_int_equal(vmm_turn(b->v), -1);
	assert_int_equal(vmm_tick(b->v, 1), VMM_TICK_DONE);
}

/* With one VM left running, its turns follow one another: each a
 * quantum, and the run goes on until it stops. */
static void test_sched_last_vm_running_keeps_its_turns(void **state)
{
	struct bench *b = *state;
	b->v->cfg.quantum = SCHED_QUANTUM;
	struct vm *vm1 = bench_add_vm(b, GMEM, NULL);
	sched_spin(vm1);
	/* vm0 halts at once (the bench's program); vm1 spins on */
	assert_int_equal(sched_run_turn(b), 1);
	assert_int_equal(b->vm->state, VM_HALTED);
	for (int n = 0; n < 3 * (int)SCHED_QUANTUM; n++) {
		assert_int_not_equal(vmm_tick(b->v, 1), VMM_TICK_DONE);
		assert_int_equal(vmm_turn(b->v), 1);
	}
	/* a new turn began at each quantum: its end moved on with it */
	assert_true(b->v->turn_end > vm1->instret);
	assert_true(b->v->turn_end <= vm1->instret + SCHED_QUANTUM);
}

/* --stats's fairness figure: three VMs spinning, whole rounds of a
 * quantum each; the notes are taken at the start of each round while
 * every VM runs, and a VM's stop freezes them. */
static void test_sched_fairness_figure_counts_whole_rounds(void **state)
{
	struct bench *b = *state;
	sched_spinners(b, 3);
	for (int t = 0; t < 3 * SCHED_ROUNDS; t++)
		sched_run_turn(b);
	assert_int_equal(vmm_tick(b->v, 1), VMM_TICK_RAN); /* round 5 begins */
	struct vmm_fairness f;
	vmm_fairness(b->v, &f);
	assert_int_equal(f.rounds, SCHED_ROUNDS);
	assert_int_equal(f.min_instret, SCHED_ROUNDS * SCHED_QUANTUM);
	assert_int_equal(f.max_instret, SCHED_ROUNDS * SCHED_QUANTUM);
	assert_true(f.spread == 0);

	vm_stop(b->v->vms[2], VM_FAILED, "stopped by the test");
	for (int t = 0; t < 4; t++)
		sched_run_turn(b);
	vmm_fairness(b->v, &f);
	assert_int_equal(f.rounds, SCHED_ROUNDS);
	assert_int_equal(f.max_instret, SCHED_ROUNDS * SCHED_QUANTUM);
}

/* gpa_to_hpa: an address of the VM's own RAM, to within the VM's own
 * frames (offset kept); anything past the end of its RAM is nothing,
 * even where another, larger VM has RAM, and *hpa is left alone. */
static void test_isolation_gpa_beyond_ram_refused(void **state)
{
	struct bench *b = *state;
	const uint32_t small = 0x10000u;
	struct vm *vm1 = bench_add_vm(b, small, NULL);
	const uint32_t mine[] = {0, 4, GCODE + 0x123, small / 2 + 7, small - 4,
				 small - 1};
	for (size_t k = 0; k < sizeof mine / sizeof mine[0]; k++) {
		uint32_t hpa = 0, gpa = 0;
		assert_true(gpa_to_hpa(vm1, mine[k], &hpa));
		assert_int_equal(hpa >> PAGE_SHIFT, vm1->frames[mine[k] >> PAGE_SHIFT]);
		assert_int_equal(hpa & (PAGE_SIZE - 1), mine[k] & (PAGE_SIZE - 1));
		assert_true(hpa_to_gpa(vm1, hpa, &gpa));
		assert_int_equal(gpa, mine[k]);
	}
	const uint32_t not_mine[] = {small, small + 4, GMEM - 4, GMEM,
				     0x40000000u, DEV_CONSOLE_BASE, 0xfffffffcu,
				     0xffffffffu};
	for (size_t k = 0; k < sizeof not_mine / sizeof not_mine[0]; k++) {
		uint32_t hpa = 0x5a5a5a5au, v = 0x5a5a5a5au;
		assert_false(gpa_to_hpa(vm1, not_mine[k], &hpa));
		assert_int_equal(hpa, 0x5a5a5a5au);
		assert_false(gpa_read32(vm1, not_mine[k] & ~3u, &v));
		assert_int_equal(v, 0x5a5a5a5au);
		assert_false(gpa_write32(vm1, not_mine[k] & ~3u, 1));
	}
	/* vm0, 1 MiB, has the addresses vm1 was refused below its end */
	uint32_t hpa;
	assert_true(gpa_to_hpa(b->vm, GMEM - 4, &hpa));
	assert_false(gpa_to_hpa(b->vm, GMEM, &hpa));
	assert_int_equal(b->vm->state, VM_RUNNING);
	assert_int_equal(vm1->state, VM_RUNNING);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, bench_setup, bench_teardown)

int main(void)
{
	/* UNIT_FILTER=PATTERN runs only the tests whose names match PATTERN
	 * (cmocka's wildcards, * and ?): the lab grader (labs/grade.sh)
	 * runs and scores each test of a lab on its own. */
	const char *filter = getenv("UNIT_FILTER");
	if (filter && *filter)
		cmocka_set_test_filter(filter);
	const struct CMUnitTest tests[] = {
		/* emulate_privileged */
		T(test_emulate_mfcr_reads_each_cr),
		T(test_emulate_mtcr_writes_each_cr),
		T(test_emulate_mtcr_psw_masks_and_switches_mode),
		T(test_emulate_mtcr_ptbr_flushes_shadows),
		T(test_emulate_rfe),
		T(test_emulate_tlbflush_drops_every_entry),
		T(test_emulate_tlbinv_drops_one_page),
		T(test_emulate_rdpsw_wrpsw_rdtvec),
		T(test_emulate_wfi_with_pending_line_continues),
		T(test_emulate_wfi_jumps_clock_to_timer_deadline),
		T(test_emulate_wfi_with_nothing_to_wake_deadlocks),
		T(test_emulate_from_user_mode_reflects_priv),
		T(test_emulate_keeps_r0_zero),
		T(test_emulate_non_privileged_word_fails),
		/* lab 2: wfi and the virtual devices' clocks */
		T(test_devices_clock_runs_at_its_deadline),
		T(test_emulate_wfi_waits_past_events_that_raise_no_line),
		T(test_emulate_wfi_never_turns_the_clock_back),
		T(test_emulate_wfi_stops_at_max_cycles),
		/* reflect */
		T(test_reflect_each_exception_cause),
		T(test_reflect_double_fault),
		T(test_reflect_trap_at_tvec_after_progress_is_not_double_fault),
		T(test_reflect_inject_interrupt),
		/* shadow_page_fault */
		T(test_shadow_phys_fill_maps_scrambled_frame),
		T(test_shadow_phys_beyond_ram_is_bus_error),
		T(test_shadow_phys_device_is_mmio),
		T(test_shadow_fetch_from_device_is_bus_error),
		T(test_shadow_load_sets_A_and_maps_read_only),
		T(test_shadow_store_after_load_sets_D_and_grants_W),
		T(test_shadow_first_store_sets_A_and_D),
		T(test_shadow_store_to_read_only_page_is_reflected),
		T(test_shadow_user_view_refuses_supervisor_page),
		T(test_shadow_user_view_maps_user_page),
		T(test_shadow_not_present_is_reflected),
		T(test_shadow_malformed_entries_are_present_faults),
		T(test_shadow_ptbr_outside_ram_is_bus_error),
		T(test_shadow_pte_beyond_ram_is_bus_error),
		T(test_shadow_load_of_its_own_pte_sees_A_clear),
		T(test_shadow_paged_device_is_mmio),
		T(test_shadow_frames_are_scrambled),
		T(test_shadow_no_guest_page_at_its_own_address),
		/* lab 3: shadow paging's rules, each alone */
		T(test_shadow_view_follows_mode_and_paging),
		T(test_shadow_guest_translate_walks_without_side_effects),
		T(test_shadow_mark_accessed_sets_A_and_D_in_guest_memory),
		T(test_shadow_pte_follows_the_guest_pte),
		T(test_shadow_flush_empties_both_paging_views),
		T(test_shadow_invalidate_drops_one_page_in_both_views),
		T(test_shadow_flush_empties_the_machine_tlb),
		T(test_shadow_invalidate_drops_the_page_from_the_machine_tlb),
		/* shadow pools */
		cmocka_unit_test_setup_teardown(
			test_shadow_flood_takes_no_neighbour_frame,
			bench_small_setup, bench_teardown),
		T(test_shadow_pool_exhausted_reclaims_own_shadows_only),
		/* mmio_emulate */
		T(test_mmio_stores_to_console),
		T(test_mmio_loads_console_status),
		T(test_mmio_sign_extension),
		T(test_mmio_timer_sees_charged_clock),
		T(test_mmio_test_device_halts),
		T(test_mmio_word_not_load_store_fails),
		T(test_mmio_load_into_r0),
		/* hypercall */
		T(test_hypercall_version),
		T(test_hypercall_unknown),
		T(test_hypercall_console_write),
		T(test_hypercall_console_write_is_bounded),
		T(test_hypercall_mmu_update_is_bounded),
		T(test_hypercall_from_user_is_illegal),
		/* hypercall ABI 2: the shared page */
		T(test_pv_register_shared_checks_its_arguments),
		T(test_pv_trap_delivered_to_entry_with_frame),
		T(test_pv_iret_returns_from_the_frame),
		T(test_pv_calls_need_a_shared_page),
		T(test_pv_masked_interrupt_pending_until_unmask),
		/* lab 5: the hypercall handlers */
		T(test_hypercall_irq_save_disable),
		T(test_hypercall_get_cr_reads_each_cr),
		T(test_hypercall_set_cr_writes_with_side_effects),
		T(test_hypercall_rfe_reloads_a0_a2),
		T(test_hypercall_rfe_bad_save_area_is_error),
		T(test_hypercall_mmu_update_writes_pairs_and_flushes),
		T(test_hypercall_console_write_paged_stops_at_unmapped_page),
		/* isolation */
		T(test_isolation_guest_memory_disjoint),
		T(test_isolation_disk_dma_outside_ram_refused),
		T(test_isolation_disk_private_copy_on_write),
		/* binary patching */
		T(test_patch_scan_examines_every_word),
		T(test_patch_write_examines_each_word),
		T(test_patch_site_follows_the_fetched_frame),
		T(test_patch_emulated_access_of_no_load_or_store_stops),
		T(test_patch_page_written_often_goes_back_to_data),
		T(test_patch_host_reads_see_original_words),
		/* lab 4: the patcher's rules */
		T(test_patch_scan_patches_only_sensitive_words),
		T(test_patch_write_across_words),
		T(test_patch_trap_reads_virtual_psw_and_tvec),
		T(test_patch_trap_wrpsw_writes_psw_in_supervisor_mode_only),
		T(test_patch_trap_in_clean_user_mode_reflects_priv),
		/* dispatch and whole runs */
		T(test_dispatch_unknown_cause_stops_vm),
		T(test_dispatch_second_stop_keeps_the_first),
		T(test_run_mtcr_tvec_then_halt),
		T(test_run_syscall_reflected_to_guest_handler),
		T(test_run_double_fault),
		T(test_run_wfi_deadlock),
		T(test_run_two_vms_apart),
		T(test_run_guest_clock_matches_bare_machine),
		T(test_run_guest_clock_matches_bare_machine_paged),
		/* vmm_tick */
		T(test_tick_stops_between_exit_and_handler),
		T(test_tick_one_cycle_at_a_time_equals_run),
		/* fairness */
		T(test_fairness_spinner_next_to_computer),
		/* lab 6: the scheduler's turns, the bounds of a VM's memory */
		T(test_sched_round_robin_turns_of_a_quantum),
		T(test_sched_waiting_vm_gives_up_its_turn),
		T(test_sched_stopped_vm_is_skipped),
		T(test_sched_last_vm_running_keeps_its_turns),
		T(test_sched_fairness_figure_counts_whole_rounds),
		T(test_isolation_gpa_beyond_ram_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
