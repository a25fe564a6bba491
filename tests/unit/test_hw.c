/*
 * test_hw.c - the VMM's hardware-assist backend (vmm/hw.c), each piece
 * alone: the exit controls it chooses, the VMCS it builds, the handlers
 * of the exits only the hardware has (a nested-page fault, a device
 * access, the interrupt window, a refused VM entry), and the shadow PTE
 * of --hw=shadow.  Like test_vmm.c, each test builds a VMM with vm0 (1 MiB
 * of guest RAM), sets the vCPU, calls one function with a hand-made exit
 * and checks exactly what changed; the last tests go through a real VM
 * entry (hw_run) on the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine_fixture.h"

#include "../../vmm/internal.h"

#define GMEM 0x00100000u
#define GCODE 0x00001000u
#define GTVEC 0x00008000u
#define GDATA 0x00010000u

struct hwb {
	struct vmm *v;
	struct vm *vm;
};

static struct vm *add_vm_with_ram(struct vmm *v, uint32_t mem)
{
	/* lui t3, 0xf001; sw zero, -0x1000(t3): halt with status 0 */
	uint32_t words[2] = {fix_encode(OP_LUI, R_T3, 0, 0, 0xf001),
			     fix_encode(OP_SW, 0, R_T3, R_ZERO, -0x1000)};
	uint8_t code[8];
	for (int i = 0; i < 8; i++)
		code[i] = (uint8_t)(words[i / 4] >> (8 * (i % 4)));
	struct elf_segment seg = {.name = ".text", .addr = GCODE, .size = 8,
				  .filesz = 8, .flags = ELF_SEG_R | ELF_SEG_X,
				  .data = code};
	struct elf_image img = {.entry = GCODE, .segments = &seg, .nsegments = 1};
	struct vm_config vc = {.image = &img, .mem = mem};
	char err[200];
	int id = vmm_add_vm(v, &vc, err, sizeof err);
	if (id < 0)
		fail_msg("vmm_add_vm: %s", err);
	return v->vms[id];
}

static struct vm *add_vm(struct vmm *v)
{
	return add_vm_with_ram(v, GMEM);
}

/* A VMM with room for two VMs, vm0 of mem bytes and one of GMEM. */
static int make_with_ram(void **state, enum vmm_assist assist, uint32_t mem)
{
	struct hwb *b = calloc(1, sizeof *b);
	assert_non_null(b);
	uint32_t mems[2] = {mem, GMEM};
	struct vmm_config cfg = {.assist = assist, .max_cycles = 1000000,
				 .host_ram = vmm_host_ram_for(mems, 2)};
	b->v = vmm_new(&cfg);
	assert_non_null(b->v);
	b->vm = add_vm_with_ram(b->v, mem);
	*state = b;
	return 0;
}

static int make(void **state, enum vmm_assist assist)
{
	return make_with_ram(state, assist, GMEM);
}

static int setup_nested(void **state)
{
	return make(state, VMM_ASSIST_NESTED);
}

static int setup_shadow(void **state)
{
	return make(state, VMM_ASSIST_SHADOW);
}

static int teardown(void **state)
{
	struct hwb *b = *state;
	vmm_free(b->v);
	free(b);
	return 0;
}

static uint32_t host_word(struct hwb *b, uint32_t hpa)
{
	uint32_t w = 0;
	assert_true(mach_phys_read(b->v->m, hpa, &w, 4));
	return w;
}

/* The nested PTE of gpa, or 0 if its leaf table is missing. */
static uint32_t nested_pte(struct hwb *b, uint32_t gpa)
{
	uint32_t root = host_word(b, b->vm->nested_root + PT_ROOT_INDEX(gpa) * 4);
	if (!(root & PTE_V))
		return 0;
	return host_word(b, (root & PTE_FRAME_MASK) + PT_LEAF_INDEX(gpa) * 4);
}

/* ---- the controls and the VMCS ------------------------------------------------ */

static void test_nested_controls_select_only_what_the_vmm_serves(void **state)
{
	struct hwb *b = *state;
	uint32_t c = hw_exit_controls(b->vm);
	assert_int_equal(c, MACH_VMX_HCALL | MACH_VMX_WFI | MACH_VMX_NESTED_PAGING);
}

static void test_shadow_controls_add_ptbr_writes_and_tlb(void **state)
{
	struct hwb *b = *state;
	uint32_t c = hw_exit_controls(b->vm);
	assert_int_equal(c, MACH_VMX_MMIO | MACH_VMX_HCALL | MACH_VMX_WFI |
				    MACH_VMX_PTBR_WRITE | MACH_VMX_TLB);
	assert_int_equal(b->vm->vmcs->exception_bitmap, 1u << CAUSE_PAGE_FAULT);
}

static void test_irq_window_only_while_a_line_waits_for_ie(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.cr[CR_PSW] = PSW_MODE; /* IE = 0 */
	assert_false(hw_exit_controls(vm) & MACH_VMX_IRQ_WINDOW);
	vm->irq_lines = 1u << 1;
	assert_true(hw_exit_controls(vm) & MACH_VMX_IRQ_WINDOW);
	vm->vcpu.cr[CR_PSW] = PSW_MODE | PSW_IE; /* injected at the boundary */
	assert_false(hw_exit_controls(vm) & MACH_VMX_IRQ_WINDOW);
}

static void test_vmcs_nested_vpid_and_table(void **state)
{
	struct hwb *b = *state;
	struct vm *vm1 = add_vm(b->v);
	assert_int_equal(b->vm->vmcs->vpid, 1);
	assert_int_equal(vm1->vmcs->vpid, 2);
	assert_int_equal(b->vm->vmcs->guest_ram, GMEM);
	assert_int_not_equal(b->vm->nested_root, 0);
	assert_int_equal(b->vm->vmcs->nested_ptbr, b->vm->nested_root);
	assert_int_not_equal(vm1->nested_root, b->vm->nested_root);
	/* filled lazily: nothing mapped yet */
	assert_int_equal(nested_pte(b, 0), 0);
}

static void test_vmcs_shadow_has_no_vpid(void **state)
{
	struct hwb *b = *state;
	assert_int_equal(b->vm->vmcs->vpid, 0);
	assert_int_equal(b->vm->nested_root, 0);
}

/* ---- the nested-page fault ------------------------------------------------------ */

static struct mach_exit fault_at(struct hwb *b, uint32_t gva, uint32_t gpa,
				 unsigned access)
{
	b->vm->vmcs->exit_reason = MACH_VMEXIT_NESTED_FAULT;
	b->vm->vmcs->exit_gpa = gpa;
	b->vm->vmcs->exit_badva = gva;
	b->vm->vmcs->exit_access = access;
	return (struct mach_exit){
		.cause = CAUSE_PAGE_FAULT | access << CAUSE_ACCESS_SHIFT,
		.pc = GCODE, .badva = gva};
}

static void test_nested_fault_in_ram_maps_the_vms_frame(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.pc = GCODE;
	vm->vcpu.cr[CR_PSW] = PSW_MODE;
	uint64_t cycles = vm->cycles;
	struct mach_exit e = fault_at(b, 0x40010123u, GDATA + 0x123,
				      CAUSE_ACCESS_STORE);
	assert_int_equal(hw_nested_fault(vm, &e), VMM_ACT_NESTED_FILL);
	uint32_t pte = nested_pte(b, GDATA);
	assert_int_equal(pte & PTE_FRAME_MASK,
			 vm->frames[GDATA >> PAGE_SHIFT] << PAGE_SHIFT);
	assert_int_equal(pte & ~PTE_FRAME_MASK, PTE_V | PTE_R | PTE_W | PTE_X);
	/* the neighbouring page is not mapped with it */
	assert_int_equal(nested_pte(b, GDATA + PAGE_SIZE), 0);
	/* the guest saw nothing: same pc, no trap; the cycle the exit
	 * charged for the instruction is taken back (it runs again) */
	assert_int_equal(vm->vcpu.pc, GCODE);
	assert_int_equal(vm->guest_traps, 0);
	assert_int_equal(vm->cycles, cycles - mach_cost(COST_INSN));
	assert_int_equal(vm->state, VM_RUNNING);
}

static void test_nested_fault_beyond_ram_is_the_bus_error(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.pc = GCODE;
	vm->vcpu.cr[CR_PSW] = PSW_MODE | PSW_PG;
	vm->vcpu.cr[CR_TVEC] = GTVEC;
	struct mach_exit e = fault_at(b, 0x40000010u, GMEM + 0x10,
				      CAUSE_ACCESS_LOAD);
	assert_int_equal(hw_nested_fault(vm, &e), VMM_ACT_REFLECTED);
	assert_int_equal(vm->vcpu.cr[CR_CAUSE], CAUSE_BUS_ERROR);
	assert_int_equal(vm->vcpu.cr[CR_BADVA], 0x40000010u);
	assert_int_equal(vm->vcpu.cr[CR_EPC], GCODE);
	assert_int_equal(vm->vcpu.pc, GTVEC);
	/* nothing mapped for it */
	uint32_t root = host_word(b, vm->nested_root + PT_ROOT_INDEX(GMEM) * 4);
	assert_true(!(root & PTE_V) ||
		    host_word(b, (root & PTE_FRAME_MASK) +
				      PT_LEAF_INDEX(GMEM) * 4) == 0);
}

/* The guest maps VA 0x00400000 to the console's page; a store there
 * is a nested fault on the console's GPA. */
#define GPTD 0x00040000u
#define DEV_VA 0x00400000u
static struct mach_exit device_store(struct hwb *b, uint32_t device_page)
{
	struct vm *vm = b->vm;
	uint32_t leaf = GPTD + PAGE_SIZE;
	assert_true(gpa_write32(vm, GPTD + PT_ROOT_INDEX(DEV_VA) * 4, leaf | PTE_V));
	assert_true(gpa_write32(vm, leaf + PT_LEAF_INDEX(DEV_VA) * 4,
				device_page | PTE_V | PTE_R | PTE_W));
	vm->vcpu.cr[CR_PTBR] = GPTD;
	vm->vcpu.cr[CR_PSW] = PSW_MODE | PSW_PG;
	vm->vcpu.cr[CR_TVEC] = GTVEC;
	vm->vcpu.pc = GCODE;
	vm->vcpu.x[R_T1] = DEV_VA;
	vm->vcpu.x[R_T0] = 'x';
	struct mach_exit e = fault_at(b, DEV_VA + CONSOLE_TX, device_page + CONSOLE_TX,
				      CAUSE_ACCESS_STORE);
	e.insn = fix_encode(OP_SW, 0, R_T1, R_T0, CONSOLE_TX);
	return e;
}

static uint32_t device_pte(struct hwb *b)
{
	uint32_t pte = 0;
	assert_true(gpa_read32(b->vm, GPTD + PAGE_SIZE + PT_LEAF_INDEX(DEV_VA) * 4,
			       &pte));
	return pte;
}

static void test_nested_fault_on_a_device_sets_A_and_D_and_emulates(void **state)
{
	struct hwb *b = *state;
	struct mach_exit e = device_store(b, DEV_CONSOLE_BASE);
	assert_int_equal(hw_nested_fault(b->vm, &e), VMM_ACT_MMIO);
	assert_int_equal(device_pte(b) & (PTE_A | PTE_D), PTE_A | PTE_D);
	assert_int_equal(b->vm->vcpu.pc, GCODE + 4);
	assert_int_equal(nested_pte(b, DEV_CONSOLE_BASE), 0); /* never mapped */
}

/* The bare machine: a BUS_ERROR, and the PTE is left as it was. */
static void test_nested_fault_on_a_device_hole_leaves_the_pte_alone(void **state)
{
	struct hwb *b = *state;
	uint32_t hole = DEVICE_SPACE + 8 * PAGE_SIZE;
	struct mach_exit e = device_store(b, hole);
	assert_int_equal(hw_nested_fault(b->vm, &e), VMM_ACT_REFLECTED);
	assert_int_equal(b->vm->vcpu.cr[CR_CAUSE], CAUSE_BUS_ERROR);
	assert_int_equal(b->vm->vcpu.cr[CR_BADVA], DEV_VA + CONSOLE_TX);
	assert_int_equal(device_pte(b) & (PTE_A | PTE_D), 0);
}

/* ---- the other exits ------------------------------------------------------------ */

static void test_mmio_to_a_hole_in_device_space_is_the_bus_error(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.pc = GCODE;
	vm->vcpu.cr[CR_PSW] = PSW_MODE;
	vm->vcpu.cr[CR_TVEC] = GTVEC;
	uint32_t hole = DEVICE_SPACE + 8 * PAGE_SIZE; /* no device there */
	vm->vmcs->exit_gpa = hole;
	vm->vcpu.x[R_T1] = hole - 8; /* lw t0, 8(t1): BADVA is its address */
	struct mach_exit e = {.cause = CAUSE_PAGE_FAULT |
				       CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT,
			      .pc = GCODE,
			      .insn = fix_encode(OP_LW, R_T0, R_T1, 0, 8)};
	assert_int_equal(hw_mmio(vm, &e), VMM_ACT_REFLECTED);
	assert_int_equal(vm->vcpu.cr[CR_CAUSE], CAUSE_BUS_ERROR);
	assert_int_equal(vm->vcpu.cr[CR_BADVA], hole);
}

static void test_mmio_to_the_console_is_emulated(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.pc = GCODE;
	vm->vcpu.cr[CR_PSW] = PSW_MODE;
	vm->vmcs->exit_gpa = DEV_CONSOLE_BASE + CONSOLE_STATUS;
	struct mach_exit e = {.cause = CAUSE_PAGE_FAULT |
				       CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT,
			      .pc = GCODE,
			      .insn = fix_encode(OP_LW, R_T0, R_T1, 0, CONSOLE_STATUS)};
	uint64_t cycles = vm->cycles;
	assert_int_equal(hw_mmio(vm, &e), VMM_ACT_MMIO);
	assert_int_equal(vm->vcpu.pc, GCODE + 4);
	assert_int_equal(vm->cycles, cycles + mach_cost(COST_DEVICE));
}

/* The window exit is a step of its own: the interrupt goes in at the
 * next boundary (as on the bare machine, after the instruction that set
 * IE), and the window is no longer asked for. */
static void test_irq_window_leaves_the_injection_to_the_boundary(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.pc = GCODE + 8;
	vm->vcpu.cr[CR_PSW] = PSW_MODE | PSW_IE;
	vm->vcpu.cr[CR_TVEC] = GTVEC;
	vm->irq_lines = (1u << 2) | (1u << 3);
	struct mach_exit e = {.cause = CAUSE_INTERRUPT, .pc = GCODE + 8};
	assert_int_equal(hw_irq_window(vm, &e), VMM_ACT_WINDOW);
	assert_int_equal(vm->vcpu.pc, GCODE + 8);
	assert_int_equal(vm->guest_traps, 0);
	assert_false(hw_exit_controls(vm) & MACH_VMX_IRQ_WINDOW);
}

static void test_irq_window_with_nothing_to_inject_stops_the_vm(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.cr[CR_PSW] = PSW_MODE | PSW_IE;
	struct mach_exit e = {.cause = CAUSE_INTERRUPT, .pc = GCODE};
	assert_int_equal(hw_irq_window(vm, &e), VMM_ACT_HALTED);
	assert_int_equal(vm->state, VM_FAILED);
}

static void test_entry_failed_names_the_field(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vmcs->entry_error = "guest PTBR 0x02000000 outside guest RAM";
	struct mach_exit e = {0};
	assert_int_equal(hw_entry_failed(vm, &e), VMM_ACT_HALTED);
	assert_int_equal(vm->state, VM_FAILED);
	assert_string_equal(vmm_vm_reason(b->v, 0), "VM entry failed: guest "
			    "PTBR 0x02000000 outside guest RAM");
}

/* ---- --hw=shadow: one view while paging, with the guest's U bits ---------------- */

static void test_hw_shadow_has_one_view_while_paging(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.cr[CR_PSW] = PSW_PG; /* user mode */
	assert_int_equal(shadow_view(vm), VIEW_SUPER);
	vm->vcpu.cr[CR_PSW] = PSW_PG | PSW_MODE;
	assert_int_equal(shadow_view(vm), VIEW_SUPER);
	vm->vcpu.cr[CR_PSW] = PSW_MODE;
	assert_int_equal(shadow_view(vm), VIEW_PHYS);
}

/* The guest's table at GPT maps VA 0x00400000 to GDATA, supervisor only;
 * the shadow PTE a fault fills must keep U = 0. */
#define GPT 0x00040000u
static void test_hw_shadow_fill_keeps_the_guest_u_bit(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	uint32_t leaf = GPT + PAGE_SIZE, va = 0x00400000u;
	assert_true(gpa_write32(vm, GPT + PT_ROOT_INDEX(va) * 4, leaf | PTE_V));
	assert_true(gpa_write32(vm, leaf + PT_LEAF_INDEX(va) * 4,
				GDATA | PTE_V | PTE_R | PTE_W));
	vm->vcpu.cr[CR_PTBR] = GPT;
	vm->vcpu.cr[CR_PSW] = PSW_MODE | PSW_PG;
	vm->vcpu.pc = GCODE;
	struct mach_exit e = {.cause = CAUSE_PAGE_FAULT |
				       CAUSE_ACCESS_LOAD << CAUSE_ACCESS_SHIFT,
			      .pc = GCODE, .badva = va};
	assert_int_equal(shadow_page_fault(vm, &e), VMM_ACT_SHADOW_FILL);
	uint32_t root = host_word(b, vm->shadow[VIEW_SUPER].root +
					     PT_ROOT_INDEX(va) * 4);
	assert_true(root & PTE_V);
	uint32_t pte = host_word(b, (root & PTE_FRAME_MASK) +
					    PT_LEAF_INDEX(va) * 4);
	assert_true(pte & PTE_V);
	assert_int_equal(pte & PTE_U, 0);
	assert_int_equal(pte & PTE_FRAME_MASK,
			 vm->frames[GDATA >> PAGE_SHIFT] << PAGE_SHIFT);
}

/* ---- a real VM entry ------------------------------------------------------------ */

/* A VMCS the extension cannot run (a reserved PSW bit in the guest's
 * state) stops the VM with one line naming the field, and nothing else. */
static void test_refused_entry_stops_the_vm_naming_the_field(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.cr[CR_PSW] = PSW_MODE | 0x80000000u;
	assert_int_equal(vmm_tick(b->v, UINT64_MAX), VMM_TICK_EXIT);
	assert_int_equal(vmm_tick(b->v, UINT64_MAX), VMM_TICK_HANDLED);
	assert_int_equal(vm->state, VM_FAILED);
	const char *why = vmm_vm_reason(b->v, 0);
	assert_memory_equal(why, "VM entry failed: ", 17);
	assert_non_null(strstr(why, "PSW"));
	assert_int_equal(vm->stats.exits_by_reason[MACH_VMEXIT_ENTRY_FAILED], 1);
	assert_int_equal(vm->instret, 0);
}

/* The image halts with status 0 at its second instruction, the guest's
 * clock what the bare machine's reads: lui 1, sw 1 + the device's 8. */
static void run_to_halt(struct hwb *b)
{
	assert_int_equal(vmm_run(b->v), 0);
	assert_int_equal(b->vm->state, VM_HALTED);
	assert_int_equal(b->vm->instret, 2);
	assert_int_equal(b->vm->cycles, 2 * mach_cost(COST_INSN) +
						mach_cost(COST_DEVICE));
}

/* --hw: the code page is a nested fault (filled), the store to the test
 * device one too (device space is never in the nested table), emulated. */
static void test_run_nested_halts_through_nested_faults(void **state)
{
	struct hwb *b = *state;
	run_to_halt(b);
	struct vm *vm = b->vm;
	assert_int_equal(vm->stats.exits_by_reason[MACH_VMEXIT_NESTED_FAULT], 2);
	assert_int_equal(vm->stats.exits_by_action[VMM_ACT_NESTED_FILL], 1);
	assert_int_equal(vm->stats.exits_by_action[VMM_ACT_MMIO], 1);
	assert_int_not_equal(nested_pte(b, GCODE), 0);
}

/* --hw=shadow: the code page is a page fault that fills the phys shadow;
 * the device store (paging off: its GPA is its address) an MMIO exit. */
static void test_run_shadow_halts_through_page_fault_exits(void **state)
{
	struct hwb *b = *state;
	run_to_halt(b);
	struct vm *vm = b->vm;
	assert_int_equal(vm->stats.exits_by_reason[MACH_VMEXIT_EXCEPTION], 1);
	assert_int_equal(vm->stats.exits_by_reason[MACH_VMEXIT_MMIO], 1);
	assert_int_equal(vm->stats.exits_by_action[VMM_ACT_SHADOW_FILL], 1);
	assert_int_equal(vm->stats.exits_by_action[VMM_ACT_MMIO], 1);
}

/* ===== lab 7 ===== */
/* What labs/lab7-hw grades beyond the tests above: the nested table's
 * shape (a root entry is a pointer, one leaf serves every page under it)
 * and a nested fault that finds the VM's pool dry. */

/* Two pages under one root entry: the second fault adds its entry to the
 * leaf table the first one made, which keeps the first page mapped. */
static void test_nested_fault_second_page_shares_the_leaf(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	uint32_t first = GDATA, second = GDATA + 3 * PAGE_SIZE;
	uint32_t root_pa = vm->nested_root + PT_ROOT_INDEX(first) * 4;
	struct mach_exit e = fault_at(b, first, first, CAUSE_ACCESS_LOAD);
	assert_int_equal(hw_nested_fault(vm, &e), VMM_ACT_NESTED_FILL);
	uint32_t root = host_word(b, root_pa);
	/* a pointer to a leaf table: V, and no R, W or X (ISA.md 7.2) */
	assert_int_equal(root & ~PTE_FRAME_MASK, PTE_V);
	e = fault_at(b, second, second, CAUSE_ACCESS_FETCH);
	assert_int_equal(hw_nested_fault(vm, &e), VMM_ACT_NESTED_FILL);
	assert_int_equal(host_word(b, root_pa), root);
	assert_int_equal(nested_pte(b, first) & PTE_FRAME_MASK,
			 vm->frames[first >> PAGE_SHIFT] << PAGE_SHIFT);
	assert_int_equal(nested_pte(b, second) & PTE_FRAME_MASK,
			 vm->frames[second >> PAGE_SHIFT] << PAGE_SHIFT);
}

/* vm0 with 8 MiB of RAM: two root entries of the nested table. */
#define LARGE_GMEM 0x00800000u
#define REGION_SIZE (1u << 22) /* what one root entry (one leaf table) maps */
static int setup_nested_large(void **state)
{
	return make_with_ram(state, VMM_ASSIST_NESTED, LARGE_GMEM);
}

/* With the VM's pool dry, a page under a root entry that has its leaf
 * table is filled all the same (no frame needed); a page of the next
 * 4 MiB, whose leaf table would need one, stops the VM (the VMM cannot
 * do what the guest asks): the guest sees nothing, and the root entry is
 * not made to point anywhere. */
static void test_nested_fault_with_the_pool_dry_stops_the_vm(void **state)
{
	struct hwb *b = *state;
	struct vm *vm = b->vm;
	vm->vcpu.pc = GCODE;
	vm->vcpu.cr[CR_PSW] = PSW_MODE;
	struct mach_exit e = fault_at(b, GDATA, GDATA, CAUSE_ACCESS_LOAD);
	assert_int_equal(hw_nested_fault(vm, &e), VMM_ACT_NESTED_FILL);
	while (vmm_alloc_frame(vm))
		;
	e = fault_at(b, GDATA + PAGE_SIZE, GDATA + PAGE_SIZE, CAUSE_ACCESS_LOAD);
	assert_int_equal(hw_nested_fault(vm, &e), VMM_ACT_NESTED_FILL);
	assert_int_not_equal(nested_pte(b, GDATA + PAGE_SIZE), 0);

	uint32_t far = REGION_SIZE + GDATA;
	uint64_t cycles = vm->cycles;
	e = fault_at(b, far, far, CAUSE_ACCESS_STORE);
	assert_int_equal(hw_nested_fault(vm, &e), VMM_ACT_HALTED);
	assert_int_equal(vm->state, VM_FAILED);
	assert_int_equal(host_word(b, vm->nested_root + PT_ROOT_INDEX(far) * 4), 0);
	assert_int_equal(vm->vcpu.pc, GCODE);
	assert_int_equal(vm->guest_traps, 0);
	assert_int_equal(vm->cycles, cycles);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_nested, teardown)
#define TS(f) cmocka_unit_test_setup_teardown(f, setup_shadow, teardown)

int main(void)
{
	/* UNIT_FILTER=PATTERN runs only the tests whose names match PATTERN
	 * (cmocka's wildcards), as in test_vmm.c: labs/grade.sh scores
	 * lab 7's tests one by one. */
	const char *filter = getenv("UNIT_FILTER");
	if (filter && *filter)
		cmocka_set_test_filter(filter);
	const struct CMUnitTest tests[] = {
		T(test_nested_controls_select_only_what_the_vmm_serves),
		TS(test_shadow_controls_add_ptbr_writes_and_tlb),
		T(test_irq_window_only_while_a_line_waits_for_ie),
		T(test_vmcs_nested_vpid_and_table),
		TS(test_vmcs_shadow_has_no_vpid),
		T(test_nested_fault_in_ram_maps_the_vms_frame),
		T(test_nested_fault_beyond_ram_is_the_bus_error),
		T(test_mmio_to_a_hole_in_device_space_is_the_bus_error),
		T(test_mmio_to_the_console_is_emulated),
		T(test_irq_window_leaves_the_injection_to_the_boundary),
		T(test_irq_window_with_nothing_to_inject_stops_the_vm),
		T(test_entry_failed_names_the_field),
		TS(test_hw_shadow_has_one_view_while_paging),
		TS(test_hw_shadow_fill_keeps_the_guest_u_bit),
		T(test_refused_entry_stops_the_vm_naming_the_field),
		T(test_run_nested_halts_through_nested_faults),
		T(test_nested_fault_on_a_device_sets_A_and_D_and_emulates),
		T(test_nested_fault_on_a_device_hole_leaves_the_pte_alone),
		TS(test_run_shadow_halts_through_page_fault_exits),
		/* lab 7 */
		T(test_nested_fault_second_page_shares_the_leaf),
		cmocka_unit_test_setup_teardown(
			test_nested_fault_with_the_pool_dry_stops_the_vm,
			setup_nested_large, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
