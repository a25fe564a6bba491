/*
 * emulate.c - privileged and sensitive instructions, emulated on the vCPU.
 *
 * The guest kernel runs in real user mode, so every privileged instruction
 * it executes traps with PRIV (and, in clean mode, so do the sensitive
 * rdpsw, wrpsw and rdtvec).  If the guest is in virtual supervisor mode,
 * the instruction is one its kernel may run: do to the vCPU what the bare
 * machine would do to the CPU.  If it is in virtual user mode, the bare
 * machine would have trapped too: reflect PRIV to the guest kernel.
 */
#include "internal.h"

/* mtcr, with the hardware's side effects on the virtual machine. */
void vm_write_cr(struct vm *vm, unsigned cr, uint32_t value)
{
/* BEGIN LAB 1: mtcr's side effects on the virtual machine */
	switch (cr) {
	case CR_PSW:
		/* MODE and PG select which shadow the next world switch
		 * loads; IE may let a pending interrupt in at the next
		 * boundary.  Other bits read 0, as on the bare machine. */
		vm->vcpu.cr[CR_PSW] = value & PSW_MASK;
		break;
	case CR_PTBR:
		/* Writing PTBR flushes the TLB: the shadows, which cache the
		 * guest's translations as a TLB does, go with it. */
		vm->vcpu.cr[CR_PTBR] = value;
		shadow_flush(vm);
		break;
	default:
		vm->vcpu.cr[cr] = value;
		break;
	}
/* END LAB 1 */
/* STUB LAB 1
	(void)cr;
	(void)value;
	vm_stop(vm, VM_FAILED, "lab 1: vm_write_cr (vmm/emulate.c) is not "
		"written yet: see labs/lab1-trap/README.md, section 3.2");
*/
}

/* rfe (also the rfe hypercall): PSW <- EPSW, pc <- EPC, and the trap
 * cost the bare machine charges for it. */
void vm_rfe(struct vm *vm)
{
/* BEGIN LAB 1: rfe on the vCPU */
	vm->vcpu.cr[CR_PSW] = vm->vcpu.cr[CR_EPSW] & PSW_MASK;
	vm->vcpu.pc = vm->vcpu.cr[CR_EPC];
/* END LAB 1 */
/* STUB LAB 1
	vm_stop(vm, VM_FAILED, "lab 1: vm_rfe (vmm/emulate.c) is not "
		"written yet: see labs/lab1-trap/README.md, section 3.3");
*/
	/* The bookkeeping: the cost the bare machine charges for rfe, one
	 * more instruction retired, and the handler's first instruction is
	 * still to come. */
	vm->cycles += mach_cost(COST_TRAP);
	vm->instret++;
	vm->trap_entered = false;
}

/*
 * wfi: on the bare machine the clock jumps ahead, event by event, until a
 * line is pending.  The VM's clock does the same; then its turn ends, so
 * the CPU goes to the other VMs.  (Also the idle hypercall.)  Neither
 * waits past the run's end: with max_cycles, a wait that would pass it
 * stops the VM there, at the wfi, as the bare machine stops at the end
 * of its budget.
 */
enum vmm_action vm_wait(struct vm *vm)
{
	/* The run's end on the VM's clock (none: the clock's own end). */
	uint64_t end = vm->vmm->cfg.max_cycles ? vm->vmm->cfg.max_cycles
					       : UINT64_MAX;
/* BEGIN LAB 2: wfi: the VM's clock jumps from event to event */
	while (!vm->irq_lines) {
		uint64_t next = vm_next_deadline(vm);
		if (next == DEV_NEVER) {
			vm_stop(vm, VM_DEADLOCK, "deadlock: wfi at 0x%08x waits for "
				"an interrupt that nothing can raise", vm->vcpu.pc);
			return VMM_ACT_HALTED;
		}
		if (next > end) {
			if (end > vm->cycles)
				vm->cycles = end;
			vm_stop_at_max_cycles(vm);
			return VMM_ACT_HALTED;
		}
		if (next > vm->cycles)
			vm->cycles = next;
		vm_service_devices(vm);
	}
/* END LAB 2 */
/* STUB LAB 2
	(void)end;
	vm_stop(vm, VM_FAILED, "lab 2: vm_wait (vmm/emulate.c) is not "
		"written yet: see labs/lab2-irq/README.md, section 3.4");
	return VMM_ACT_HALTED;
*/
	/* A line is pending: wfi completes, and the VM's turn ends, so the
	 * CPU goes to the other VMs. */
	vm->yield = true;
	vm_retire(vm);
	return VMM_ACT_WAITED;
}

enum vmm_action emulate_privileged(struct vm *vm, const struct mach_exit *exit)
{
	if (vm_user(vm))
		return reflect_trap(vm, CAUSE_PRIV, exit->pc, 0);

/* BEGIN LAB 1: emulate one privileged instruction on the vCPU */
	struct isa_insn in;
	isa_decode(exit->insn, &in);
	struct vcpu *c = &vm->vcpu;
	switch (in.op) {
	case OP_MFCR:
		vm_set_reg(vm, in.rd, c->cr[in.imm]);
		break;
	case OP_MTCR:
		vm_write_cr(vm, (unsigned)in.imm, c->x[in.rs1]);
		break;
	case OP_RFE:
		vm_rfe(vm);
		return VMM_ACT_EMULATED;
	case OP_TLBFLUSH:
		shadow_flush(vm);
		break;
	case OP_TLBINV:
		shadow_invalidate(vm, c->x[in.rs1]);
		break;
	case OP_WFI:
		return vm_wait(vm);
	case OP_RDPSW:
		vm_set_reg(vm, in.rd, c->cr[CR_PSW]);
		break;
	case OP_WRPSW:
		vm_write_cr(vm, CR_PSW, c->x[in.rs1]);
		break;
	case OP_RDTVEC:
		vm_set_reg(vm, in.rd, c->cr[CR_TVEC]);
		break;
	default:
		/* PRIV from an instruction that is not privileged: the
		 * machine and the VMM disagree about the ISA.  Stop loudly. */
		vm_stop(vm, VM_FAILED, "PRIV exit for a non-privileged word "
			"0x%08x at pc 0x%08x", exit->insn, exit->pc);
		return VMM_ACT_HALTED;
	}
/* END LAB 1 */
/* STUB LAB 1
	vm_stop(vm, VM_FAILED, "lab 1: emulate_privileged (vmm/emulate.c) is "
		"not written yet: see labs/lab1-trap/README.md, section 3.1");
	return VMM_ACT_HALTED;
*/
	vm_retire(vm);
	return VMM_ACT_EMULATED;
}
