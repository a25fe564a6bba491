/*
 * hw.c - hardware assist: the guest runs in the machine's guest mode
 * (isa/ISA.md, "Hardware assist"), as under VT-x or SVM.
 *
 * What the extension takes away from the VMM:
 *   - ring compression: the guest kernel runs in real guest-supervisor
 *     mode, so its privileged instructions run on its own state, with no
 *     exit -- and so do the leaky machine's rdpsw, wrpsw and rdtvec: the
 *     leaky machine needs no binary patching;
 *   - shadow paging (--hw only): the machine walks the guest's own page
 *     table, and translates every guest-physical address it uses through
 *     the VMM's nested table (the two-dimensional walk).
 * What is left for the VMM is what the exit controls below select: the
 * devices (the VM's devices are the VMM's), hypercalls, wfi, interrupts,
 * and the nested table's misses.
 *
 * One logic: struct vcpu stays the truth between exits.  The world
 * switch copies it into vmcs->guest at VM entry and back at VM exit, and
 * each exit becomes the exit record the trap-and-emulate handlers know,
 * so mmio_emulate, hypercall, vm_wait, the shadow code and reflect_trap
 * serve the hardware's exits unchanged.  A trap the VMM gives the guest
 * (a nested fault outside its RAM, a shadow fault that is the guest's,
 * a virtual interrupt) is written into the guest state by reflect_trap
 * before the entry: the event injection of VT-x, done by the VMM.
 *
 * Time: the machine charges the guest's instructions and traps on its
 * clock as the bare machine would, and its own work (entry, exit, the
 * nested references) after them, reported in exit_host_cycles.  So the
 * guest's time in a run is the clock's advance less exit_host_cycles,
 * and the VM's clock stays the bare machine's.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool vm_hw(const struct vm *vm)
{
	return vm->vmm->cfg.assist != VMM_ASSIST_NONE;
}

bool vm_nested(const struct vm *vm)
{
	return vm->vmm->cfg.assist == VMM_ASSIST_NESTED;
}

/* ---- the exit controls -------------------------------------------------------- */

/*
 * The exits the VMM asks for, and why.  Everything not here the guest
 * does by itself, in guest mode, on its own state: mfcr, mtcr, rfe,
 * rdpsw, wrpsw, rdtvec, its own traps and system calls.
 */
static uint32_t hw_controls_nested(void)
{
/* BEGIN LAB 7: the exit controls under nested paging */
	return MACH_VMX_HCALL         /* the hypercall ABI: paravirtual guests run too */
	       | MACH_VMX_WFI         /* a waiting VM's clock jumps; its turn ends */
	       /* and the guest's tables are the hardware's: */
	       | MACH_VMX_NESTED_PAGING;
	/* No MMIO: device space is left out of the nested table, so a device
	 * access is a nested fault, as KVM's MMIO is an EPT violation.  Only
	 * the VMM knows which device pages exist, and so whether the bare
	 * machine would set the guest's A and D bits (a device) or not (a
	 * hole: BUS_ERROR); the MMIO exit's walk would have set them. */
/* END LAB 7 */
/* STUB LAB 7
	// Nested paging alone: no exit but the nested table's misses.  This
	// function has no VM to stop; hw_exit_controls' stub stops it.
	return MACH_VMX_NESTED_PAGING;
*/
}

/* First-generation hardware had no nested paging: the VMM keeps the
 * shadow tables, so it must see the guest change or flush its tables
 * (and every page fault: the exception bitmap, hw_init). */
static uint32_t hw_controls_shadow(void)
{
	return MACH_VMX_MMIO | MACH_VMX_HCALL | MACH_VMX_WFI
	       | MACH_VMX_PTBR_WRITE  /* a new address space: the shadows go */
	       | MACH_VMX_TLB;        /* the guest flushed: so do its shadows */
}

uint32_t hw_exit_controls(const struct vm *vm)
{
	uint32_t controls = vm_nested(vm) ? hw_controls_nested()
					  : hw_controls_shadow();
/* BEGIN LAB 7: the interrupt window */
	/* An interrupt is pending but the guest has them off: the VMM must
	 * know the moment it turns them on (wrpsw, rfe: no exits now). */
	if (vm->irq_lines && !(vm->vcpu.cr[CR_PSW] & PSW_IE))
		controls |= MACH_VMX_IRQ_WINDOW;
/* END LAB 7 */
/* STUB LAB 7
	// hw_exit_controls only reads the VM; a stub must stop it.
	vm_stop((struct vm *)vm, VM_FAILED, "lab 7: hw_exit_controls (vmm/hw.c) "
		"is not written yet: see labs/lab7-hw/README.md, section 3.1");
*/
	return controls;
}

/* Every exception there is. */
#define ALL_EXCEPTIONS (((1u << CAUSE_COUNT) - 1) & ~(1u << CAUSE_NONE))

/*
 * The exceptions the VMM must see: under --hw=shadow every page fault
 * (the shadow may lack what the guest maps); under --hw none -- except
 * for a paravirtual guest of hypercall ABI 2: its traps are delivered
 * through the shared page, which only the VMM writes (reflect.c), so
 * every one of its exceptions exits.
 */
static uint32_t hw_exception_bitmap(const struct vm *vm)
{
	if (vm->pv_shared)
		return ALL_EXCEPTIONS;
	return vm_nested(vm) ? 0 : 1u << CAUSE_PAGE_FAULT;
}

/* ---- the nested table ------------------------------------------------------ */

static bool host_word(struct vm *vm, uint32_t hpa, uint32_t *value)
{
	return mach_phys_read(vm->vmm->m, hpa, value, 4);
}

static void host_put_word(struct vm *vm, uint32_t hpa, uint32_t value)
{
	mach_phys_write(vm->vmm->m, hpa, &value, 4);
}

/*
 * Maps the guest page at gpa to host frame hpa, read, write and execute:
 * what the guest may do with its own RAM its own table decides.  The leaf
 * table comes from the VM's pool (which under --hw holds no shadows: the
 * nested table of the largest VM, 1 root and 64 leaves, always fits).
 * A new entry needs no TLB flush: the TLB never caches a miss.
 */
static bool nested_map(struct vm *vm, uint32_t gpa, uint32_t hpa)
{
/* BEGIN LAB 7: one page of guest RAM in the nested table */
	uint32_t root_pa = vm->nested_root + PT_ROOT_INDEX(gpa) * 4, root;
	host_word(vm, root_pa, &root);
	if (!(root & PTE_V)) {
		uint32_t leaf = vmm_alloc_frame(vm);
		if (!leaf)
			return false;
		root = leaf | PTE_V; /* a pointer: R = W = X = 0 */
		host_put_word(vm, root_pa, root);
	}
	host_put_word(vm, (root & PTE_FRAME_MASK) + PT_LEAF_INDEX(gpa) * 4,
		      (hpa & PTE_FRAME_MASK) | PTE_V | PTE_R | PTE_W | PTE_X);
	return true;
/* END LAB 7 */
/* STUB LAB 7
	(void)gpa, (void)hpa;
	(void)host_word, (void)host_put_word; // yours to use
	vm_stop(vm, VM_FAILED, "lab 7: nested_map (vmm/hw.c) is not written "
		"yet: see labs/lab7-hw/README.md, section 3.2");
	return false;
*/
}

/* A load or store to one of the VM's devices, met as a nested fault: the
 * guest's A and D bits as the bare machine's walk sets them for an access
 * that succeeds, then the access, emulated. */
static enum vmm_action device_access(struct vm *vm, const struct mach_exit *exit,
				     uint32_t gpa)
{
	const struct mach_vmcs *s = vm->vmcs;
	uint32_t walked;
	if ((vm->vcpu.cr[CR_PSW] & PSW_PG) &&
	    guest_walk(vm, s->exit_badva, s->exit_access, vm_user(vm),
		       &walked) != CAUSE_NONE) {
		vm_stop(vm, VM_FAILED, "a device access at 0x%08x that the "
			"guest's own table refuses (a machine bug)", s->exit_badva);
		return VMM_ACT_HALTED;
	}
	return mmio_emulate(vm, exit, gpa);
}

static bool is_device_access(const struct vm *vm, uint32_t gpa)
{
	const struct mach_vmcs *s = vm->vmcs;
	return !s->exit_in_walk && s->exit_access != CAUSE_ACCESS_FETCH &&
	       vm_is_device(vm, gpa);
}

/*
 * A nested-page fault (the EPT violation): the guest used a
 * guest-physical address its nested table does not map.  The table is
 * filled lazily, so inside the VM's RAM that is the first touch of the
 * page: map it, and the instruction runs again.  A device of the VM's is
 * never mapped: its access is emulated.  Anything else is no memory at
 * all, and the guest gets what the bare machine gives it.
 */
enum vmm_action hw_nested_fault(struct vm *vm, const struct mach_exit *exit)
{
	uint32_t gpa = vm->vmcs->exit_gpa, hpa;
/* BEGIN LAB 7: the nested-page fault: a device, no memory, or a first touch */
	if (is_device_access(vm, gpa))
		return device_access(vm, exit, gpa);
	if (!gpa_to_hpa(vm, gpa, &hpa))
		return reflect_trap(vm, CAUSE_BUS_ERROR, exit->pc, exit->badva);
	if (!nested_map(vm, gpa, hpa)) {
		vm_stop(vm, VM_FAILED, "no frame in the VM's pool for its nested "
			"table (a VMM bug)");
		return VMM_ACT_HALTED;
	}
	/* The instruction runs again; on the bare machine it ran once, so
	 * its first, faulting, cycle is not the guest's. */
	vm->cycles--;
	return VMM_ACT_NESTED_FILL;
/* END LAB 7 */
/* STUB LAB 7
	(void)exit, (void)gpa, (void)hpa;
	(void)is_device_access, (void)device_access, (void)nested_map; // yours to use
	vm_stop(vm, VM_FAILED, "lab 7: hw_nested_fault (vmm/hw.c) is not "
		"written yet: see labs/lab7-hw/README.md, section 3.3");
	return VMM_ACT_HALTED;
*/
}

/* ---- the other exits only the hardware has ------------------------------- */

/* The guest-virtual address a load or store accesses: the MMIO exit
 * gives the guest-physical one only; the instruction has not run, so its
 * base register still holds what it used. */
static uint32_t access_va(const struct vm *vm, uint32_t insn)
{
	struct isa_insn in;
	if (!isa_decode(insn, &in))
		return 0;
	return vm->vcpu.x[in.rs1] + (uint32_t)in.imm;
}

/* A device access (before any nested translation): a device of the VM's
 * is emulated; a hole in device space is the bare machine's BUS_ERROR. */
enum vmm_action hw_mmio(struct vm *vm, const struct mach_exit *exit)
{
	uint32_t gpa = vm->vmcs->exit_gpa;
	if (!vm_is_device(vm, gpa))
		return reflect_trap(vm, CAUSE_BUS_ERROR, exit->pc,
				    access_va(vm, exit->insn));
	return mmio_emulate(vm, exit, gpa);
}

/* The guest turned interrupts on with one pending: nothing to do here;
 * the next boundary injects it (at_boundary), a step of its own as on
 * the bare machine, after the instruction that set IE. */
enum vmm_action hw_irq_window(struct vm *vm, const struct mach_exit *exit)
{
	(void)exit;
	if (!vm->irq_lines || !(vm->vcpu.cr[CR_PSW] & PSW_IE)) {
		vm_stop(vm, VM_FAILED, "an interrupt-window exit with no interrupt "
			"to inject (IE %u, lines 0x%x)",
			!!(vm->vcpu.cr[CR_PSW] & PSW_IE), vm->irq_lines);
		return VMM_ACT_HALTED;
	}
	return VMM_ACT_WINDOW;
}

/* The guest's trap handler trapped on its first instruction: the bare
 * machine stops, and so does the VM, with the bare machine's words. */
enum vmm_action hw_double_fault(struct vm *vm, const struct mach_exit *exit)
{
	const char *name = isa_cause_name(exit->cause);
	vm_stop(vm, VM_DOUBLE_FAULT, "double fault: the trap handler at 0x%08x "
		"trapped on its first instruction (%s, badva 0x%08x)", exit->pc,
		name ? name : "?", exit->badva);
	return VMM_ACT_HALTED;
}

/* The machine refused the VMCS: the VM stops, naming the field. */
enum vmm_action hw_entry_failed(struct vm *vm, const struct mach_exit *exit)
{
	(void)exit;
	const char *why = vm->vmcs->entry_error;
	vm_stop(vm, VM_FAILED, "VM entry failed: %s", why ? why : "no reason given");
	return VMM_ACT_HALTED;
}

void hw_guest_tlb_flush(struct vm *vm)
{
	mach_tlb_flush_vpid(vm->vmm->m, vm->vmcs->vpid);
}

/* ---- making the VMCS ------------------------------------------------------------ */

/* The VPID: a VM's TLB entries survive the switches to other VMs.  The
 * first generation had none: 0 flushes the TLB at every entry and exit. */
static uint16_t hw_vpid(const struct vm *vm)
{
	return vm_nested(vm) ? (uint16_t)(vm->id + 1) : 0;
}

int hw_init(struct vm *vm)
{
	vm->vmcs = calloc(1, sizeof *vm->vmcs);
	if (!vm->vmcs)
		return -1;
	struct mach_vmcs *s = vm->vmcs;
	s->guest_ram = vm->mem;
	s->vpid = hw_vpid(vm);
	if (vm_nested(vm)) {
		vm->nested_root = vmm_alloc_frame(vm);
		if (!vm->nested_root)
			return -1;
		s->nested_ptbr = vm->nested_root;
	}
	s->exception_bitmap = hw_exception_bitmap(vm);
	return 0;
}

void hw_free(struct vm *vm)
{
	free(vm->vmcs);
	vm->vmcs = NULL;
}

/* ---- the world switch ------------------------------------------------------------ */

static void hw_enter(struct vm *vm, bool watch)
{
	struct mach_vmcs *s = vm->vmcs;
	s->exception_bitmap = hw_exception_bitmap(vm) | (watch ? ALL_EXCEPTIONS : 0);
	memcpy(s->guest.x, vm->vcpu.x, sizeof vm->vcpu.x);
	s->guest.x[0] = 0;
	s->guest.pc = vm->vcpu.pc;
	memcpy(s->guest.cr, vm->vcpu.cr, sizeof vm->vcpu.cr);
	s->controls = hw_exit_controls(vm);
	if (!vm_nested(vm)) {
		/* One shadow while the guest pages (it keeps the guest's U
		 * bits: the hardware checks them against the guest's own
		 * mode), one while it does not. */
		s->shadow_ptbr = vm->shadow[VIEW_SUPER].root;
		s->shadow_phys_ptbr = vm->shadow[VIEW_PHYS].root;
	}
	/* rdcycle reads the VM's own clock (with --host-time, plus the
	 * VMM's work for it), as world_switch_in sets it. */
	uint64_t seen = vm->cycles + (vm->vmm->cfg.host_time ? vm->host_cycles : 0);
	s->rdcycle_offset = mach_cycles(vm->vmm->m) - seen;
	s->inject = false;
	vm->vmm->running_vm = vm->id;
}

static void hw_leave(struct vm *vm)
{
	const struct mach_vmcs *s = vm->vmcs;
	memcpy(vm->vcpu.x, s->guest.x, sizeof vm->vcpu.x);
	vm->vcpu.pc = s->guest.pc;
	memcpy(vm->vcpu.cr, s->guest.cr, sizeof vm->vcpu.cr);
}

/*
 * A VM exit as the exit record the handlers know: the cause the bare
 * machine (or a monitor-mode exit) would name for it, its pc, address
 * and instruction word.
 */
static struct mach_exit hw_exit_record(const struct mach_vmcs *s)
{
	struct mach_exit e = {.pc = s->exit_pc, .insn = s->exit_insn,
			      .badva = s->exit_badva};
	switch (s->exit_reason) {
	case MACH_VMEXIT_EXCEPTION:
	case MACH_VMEXIT_DOUBLE_FAULT:
		e.cause = s->exit_cause;
		break;
	case MACH_VMEXIT_CR_READ: case MACH_VMEXIT_CR_WRITE:
	case MACH_VMEXIT_PTBR_WRITE: case MACH_VMEXIT_RFE:
	case MACH_VMEXIT_TLB: case MACH_VMEXIT_WFI:
		e.cause = CAUSE_PRIV; /* what trap-and-emulate would see */
		e.badva = 0;
		break;
	case MACH_VMEXIT_HCALL:
		e.cause = CAUSE_HCALL;
		e.badva = 0;
		break;
	case MACH_VMEXIT_MMIO:
	case MACH_VMEXIT_NESTED_FAULT:
		e.cause = CAUSE_PAGE_FAULT | s->exit_access << CAUSE_ACCESS_SHIFT;
		break;
	case MACH_VMEXIT_INTERRUPT:
	case MACH_VMEXIT_IRQ_WINDOW:
		e.cause = CAUSE_INTERRUPT;
		e.insn = 0, e.badva = 0;
		break;
	case MACH_VMEXIT_ENTRY_FAILED:
	case MACH_VMEXIT_COUNT:
		e.cause = CAUSE_NONE;
		break;
	}
	return e;
}

/* Instructions that trapped in the machine: the guest's own traps, and
 * an instruction that exits for the host to complete. */
static uint64_t machine_traps(const struct machine *m)
{
	struct mach_stats st;
	mach_get_stats(m, &st);
	return st.traps;
}

/* Does the exit leave its instruction for the host to complete (counted
 * as trapped by the machine, as in monitor mode)?  The others are
 * precise (the instruction did not happen), or no instruction's. */
static bool exit_completes_insn(enum mach_vmexit reason)
{
	switch (reason) {
	case MACH_VMEXIT_EXCEPTION: case MACH_VMEXIT_NESTED_FAULT:
	case MACH_VMEXIT_INTERRUPT: case MACH_VMEXIT_IRQ_WINDOW:
	case MACH_VMEXIT_DOUBLE_FAULT: case MACH_VMEXIT_ENTRY_FAILED:
	case MACH_VMEXIT_COUNT:
		return false;
	default:
		return true;
	}
}

/*
 * The guest's own traps in the run: steps of the guest (vmm_step), as
 * the ones reflect_trap delivers are.  A run that ends right at a trap
 * handler's first instruction, entered by one of them, leaves the VM
 * where a trap at that instruction is a double fault (reflect_trap), as
 * on the bare machine.  (A handler that ran and came back to its first
 * instruction in the same run would look the same: no guest test does.)
 */
static void count_guest_traps(struct vm *vm, uint64_t traps, uint64_t ran)
{
	uint32_t psw = vm->vcpu.cr[CR_PSW];
	vm->guest_traps += traps;
	if (traps && vm->vcpu.pc == vm->vcpu.cr[CR_TVEC] &&
	    (psw & (PSW_MODE | PSW_IE)) == PSW_MODE)
		vm->trap_entered = true;
	else if (ran)
		vm->trap_entered = false; /* the handler got going */
}

/*
 * The machine refuses to enter a guest whose PTBR lies outside its RAM
 * while it pages: one of the VM-entry checks (isa/ISA.md).  The bare
 * machine runs such a guest -- into a BUS_ERROR at its next fetch, whose
 * walk reads the root from no memory -- so the VMM does what the bare
 * machine would instead of entering, as KVM emulates a guest state that
 * VT-x cannot run.  (A handler that is entered that way traps again at
 * its first fetch: the double fault, as on the bare machine.)
 */
static bool hw_guest_table_unreachable(const struct vm *vm)
{
	return (vm->vcpu.cr[CR_PSW] & PSW_PG) &&
	       (vm->vcpu.cr[CR_PTBR] & PTE_FRAME_MASK) >= vm->mem;
}

static void hw_fetch_bus_error(struct vm *vm)
{
	vm->cycles += mach_cost(COST_INSN); /* the fetch that traps */
	reflect_trap(vm, CAUSE_BUS_ERROR, vm->vcpu.pc, vm->vcpu.pc);
}

/*
 * VM entry, the guest's run of at most budget cycles of its own time,
 * VM exit.  Returns why the run ended; a VM exit is left in
 * vm->vmm->pending, as the exit record the handlers know.
 */
enum mach_stop hw_run(struct vm *vm, uint64_t budget)
{
	struct vmm *v = vm->vmm;
	struct machine *m = v->m;
	struct mach_vmcs *s = vm->vmcs;
	if (hw_guest_table_unreachable(vm)) {
		hw_fetch_bus_error(vm);
		return MACH_STOP_BUDGET; /* it ran, and nothing is pending */
	}
	/* At a trap handler's first instruction, entered in an earlier run:
	 * the machine forgets at VM exit that its guest just took a trap, so
	 * that one instruction runs alone with every exception exiting, and
	 * reflect_trap tells the double fault, as the bare machine would. */
	bool watch = vm->trap_entered;
	if (watch)
		budget = 1;
	hw_enter(vm, watch);
	uint64_t c0 = mach_cycles(m), i0 = mach_instret(m);
	uint64_t t0 = machine_traps(m);
	enum mach_stop stop = mach_vm_run(m, s, budget);
	uint64_t ran = mach_instret(m) - i0;
	/* The machine's own work is host time: on its clock, not the VM's. */
	vm->cycles += mach_cycles(m) - c0 - s->exit_host_cycles;
	vm->host_cycles += s->exit_host_cycles;
	uint64_t traps = machine_traps(m) - t0;
	if (stop == MACH_STOP_VMEXIT && exit_completes_insn(s->exit_reason))
		traps--;
	vm->instret += ran;
	vm->stats.guest_instret += ran;
	vm->stats.vm_entries++;
	hw_leave(vm);
	count_guest_traps(vm, traps, ran);

	if (stop == MACH_STOP_VMEXIT) {
		/* Exception and nested-fault exits are precise: the machine
		 * gave the instruction's cycle back.  The handlers count as in
		 * monitor mode, where the trapped instruction's cycle is
		 * charged and taken back when it runs again. */
		if (s->exit_reason == MACH_VMEXIT_EXCEPTION ||
		    s->exit_reason == MACH_VMEXIT_NESTED_FAULT)
			vm->cycles += mach_cost(COST_INSN);
		v->pending = hw_exit_record(s);
		vm->exit_seen = *s;
		v->pending_hw = true;
		v->pending_reason = s->exit_reason;
	}
	return stop;
}
