/*
 * reflect.c - traps that belong to the guest, and virtual interrupts.
 *
 * Reflecting a trap is doing to the vCPU what the bare machine's trap
 * entry does to the CPU: EPSW <- PSW, EPC, CAUSE, BADVA, MODE <- S,
 * IE <- 0, PG unchanged, pc <- TVEC.  The next world switch then enters
 * the guest's handler through the supervisor view of its shadow tables.
 */
#include "internal.h"

enum vmm_action reflect_trap(struct vm *vm, uint32_t cause, uint32_t pc,
			     uint32_t badva)
{
	struct vcpu *c = &vm->vcpu;
	bool interrupt = cause & CAUSE_INTERRUPT;

	/* The bare machine stops when a handler's first instruction traps
	 * (it would trap forever); so does a VM. */
	if (!interrupt && vm->trap_entered && pc == c->cr[CR_TVEC]) {
		const char *name = isa_cause_name(cause);
		vm_stop(vm, VM_DOUBLE_FAULT, "double fault: the trap handler at "
			"0x%08x trapped on its first instruction (%s, badva "
			"0x%08x)", pc, name ? name : "?", badva);
		return VMM_ACT_HALTED;
	}
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
	/* What the bare machine's trap entry also does: charge the trap to
	 * the guest's clock; and the double-fault watch, the statistics. */
	vm->cycles += mach_cost(COST_TRAP);
	vm->trap_entered = true;
	vm->guest_traps++;
	return interrupt ? VMM_ACT_INJECTED : VMM_ACT_REFLECTED;
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
