/*
 * reflect.c - traps that belong to the guest, and virtual interrupts.
 *
 * Reflecting a trap is doing to the vCPU what the bare machine's trap
 * entry does to the CPU: EPSW <- PSW, EPC, CAUSE, BADVA, MODE <- S,
 * IE <- 0, PG unchanged, pc <- TVEC.  The next world switch then enters
 * the guest's handler through the supervisor view of its shadow tables.
 */
#include "internal.h"

/* The bare machine stops when a handler's first instruction traps (it
 * would trap forever); so does a VM.  entry: where its traps go. */
static bool double_fault(struct vm *vm, uint32_t cause, uint32_t pc,
			 uint32_t badva, uint32_t entry)
{
	if (cause & CAUSE_INTERRUPT || !vm->trap_entered || pc != entry)
		return false;
	const char *name = isa_cause_name(cause);
	vm_stop(vm, VM_DOUBLE_FAULT, "double fault: the trap handler at "
		"0x%08x trapped on its first instruction (%s, badva "
		"0x%08x)", pc, name ? name : "?", badva);
	return true;
}

/* What the bare machine's trap entry also does: charge the trap to the
 * guest's clock; and the double-fault watch, the statistics. */
static enum vmm_action trap_taken(struct vm *vm, uint32_t cause)
{
	vm->cycles += mach_cost(COST_TRAP);
	vm->trap_entered = true;
	vm->guest_traps++;
	return cause & CAUSE_INTERRUPT ? VMM_ACT_INJECTED : VMM_ACT_REFLECTED;
}

enum vmm_action reflect_trap(struct vm *vm, uint32_t cause, uint32_t pc,
			     uint32_t badva)
{
	struct vcpu *c = &vm->vcpu;

	if (vm->pv_shared)
		return pv_deliver(vm, cause, pc, badva);
	if (double_fault(vm, cause, pc, badva, c->cr[CR_TVEC]))
		return VMM_ACT_HALTED;
/* BEGIN LAB 1: the trap entry, on the vCPU */
	c->cr[CR_EPSW] = c->cr[CR_PSW];
	c->cr[CR_EPC] = pc;
	c->cr[CR_CAUSE] = cause;
	c->cr[CR_BADVA] = badva;
	c->cr[CR_PSW] = (c->cr[CR_PSW] & PSW_PG) | PSW_MODE;
	c->pc = c->cr[CR_TVEC];
/* END LAB 1 */
/* STUB LAB 1
	vm_stop(vm, VM_FAILED, "lab 1: reflect_trap (vmm/reflect.c) is not "
		"written yet: see labs/lab1-trap/README.md, section 3.4");
	return VMM_ACT_HALTED;
*/
	return trap_taken(vm, cause);
}

/*
 * Hypercall ABI 2, Xen's way: a guest that registered a shared page
 * (HC_REGISTER_SHARED) gets the frame there.  The VMM writes what the bare
 * machine's trap entry writes to EPC, CAUSE, BADVA and EPSW into the
 * page, masks virtual interrupts (MASK = 1: trap entry clears IE), and
 * jumps straight to the registered entry in virtual supervisor mode.  The
 * guest kernel then reads its frame with plain loads, where under ABI 1
 * each mfcr was a hypercall, an exit.  The vCPU's own registers get the
 * same values, for the debugger and for HC_GET_CR.  The virtual IE is the
 * page's MASK word now; the PSW's IE bit stays 0.
 */
enum vmm_action pv_deliver(struct vm *vm, uint32_t cause, uint32_t pc,
			   uint32_t badva)
{
	struct vcpu *c = &vm->vcpu;
	uint32_t mask = 1;
	if (double_fault(vm, cause, pc, badva, vm->pv_entry))
		return VMM_ACT_HALTED;
	pv_shared_read(vm, VMM_SHARED_MASK, &mask);
	c->cr[CR_EPSW] = (c->cr[CR_PSW] & (PSW_MODE | PSW_PG)) |
			 (mask ? 0 : PSW_IE);
	c->cr[CR_EPC] = pc;
	c->cr[CR_CAUSE] = cause;
	c->cr[CR_BADVA] = badva;
	/* Every write goes through gpa_to_hpa (pv_shared_write): the page
	 * was checked to be the VM's RAM when it was registered. */
	if (!pv_shared_write(vm, VMM_SHARED_EPC, pc) ||
	    !pv_shared_write(vm, VMM_SHARED_CAUSE, cause) ||
	    !pv_shared_write(vm, VMM_SHARED_BADVA, badva) ||
	    !pv_shared_write(vm, VMM_SHARED_EPSW, c->cr[CR_EPSW]) ||
	    !pv_shared_write(vm, VMM_SHARED_MASK, 1) ||
	    !pv_shared_write(vm, VMM_SHARED_PENDING, 0)) {
		vm_stop(vm, VM_FAILED, "the shared page at 0x%08x is not "
			"the VM's RAM", vm->pv_shared_gpa);
		return VMM_ACT_HALTED;
	}
	c->cr[CR_PSW] = (c->cr[CR_PSW] & PSW_PG) | PSW_MODE;
	c->pc = vm->pv_entry;
	return trap_taken(vm, cause);
}

/*
 * ABI 2's interrupt mask, as Xen's evtchn_upcall_mask and _pending: at an
 * instruction boundary (one per exit, and at each device deadline), a
 * raised line is delivered if the page's MASK is 0; if it is masked, the
 * VMM sets PENDING = 1 so that the guest, when it clears MASK with a
 * store, sees that it must make an exit (HC_IRQ_UNMASK) to take it.
 * Delivery clears PENDING.
 */
bool pv_inject_interrupt(struct vm *vm)
{
	uint32_t mask = 1;
	if (!vm->irq_lines)
		return false;
	if (!pv_shared_read(vm, VMM_SHARED_MASK, &mask) || mask) {
		pv_shared_write(vm, VMM_SHARED_PENDING, 1);
		return false;
	}
	uint32_t cause = CAUSE_INTERRUPT | (uint32_t)__builtin_ctz(vm->irq_lines);
	return pv_deliver(vm, cause, vm->vcpu.pc, 0) == VMM_ACT_INJECTED;
}

/* syscall, break, divide by zero, misaligned, illegal: the real machine
 * raised exactly what the bare machine would; hand it on. */
enum vmm_action reflect_exception(struct vm *vm, const struct mach_exit *exit)
{
	return reflect_trap(vm, exit->cause, exit->pc, exit->badva);
}

/*
 * At an instruction boundary: if a virtual line is pending and the
 * guest's virtual IE allows it, take the lowest-numbered interrupt, with
 * EPC = the instruction that would run next.  Returns true if it did.
 */
bool inject_interrupt(struct vm *vm)
{
	if (vm->pv_shared)
		return pv_inject_interrupt(vm);
/* BEGIN LAB 2: a pending virtual line, let in by the virtual IE */
	if (!vm->irq_lines || !(vm->vcpu.cr[CR_PSW] & PSW_IE))
		return false;
	uint32_t cause = CAUSE_INTERRUPT | (uint32_t)__builtin_ctz(vm->irq_lines);
	reflect_trap(vm, cause, vm->vcpu.pc, 0);
	return true;
/* END LAB 2 */
/* STUB LAB 2
	vm_stop(vm, VM_FAILED, "lab 2: inject_interrupt (vmm/reflect.c) is not "
		"written yet: see labs/lab2-irq/README.md, section 3.3");
	return false;
*/
}
