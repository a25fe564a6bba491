/*
 * hybrid.c - the hybrid VMM (Popek and Goldberg's Theorem 3): virtual
 * user code runs directly on the machine, virtual supervisor code never
 * does: the VMM interprets it, one instruction at a time, on the vCPU.
 *
 * Theorem 3 (Popek and Goldberg, 1974): a hybrid virtual machine monitor
 * may be constructed if the set of USER-sensitive instructions is a
 * subset of the privileged ones.  The trap-and-emulate VMM needs every
 * sensitive instruction to trap, because the guest kernel runs in real
 * user mode; the hybrid VMM never lets the guest kernel run, so what the
 * kernel's sensitive instructions would do in real user mode does not
 * matter: the interpreter decides what each one does.  Only the virtual
 * user code runs on the CPU, and for it only the instructions that are
 * sensitive IN USER MODE must trap.  On the leaky machine rdpsw, wrpsw
 * and rdtvec do not trap; in user mode wrpsw does what the bare machine
 * does there (nothing), and rdpsw and rdtvec read the real PSW and TVEC,
 * which the world switch makes mirror the virtual IE and TVEC (vmm.c,
 * world_switch_in).  What is left is rdpsw's PG bit with the guest's
 * paging off: the real PG stays 1 (a user program with the real paging
 * off would reach all of host memory), so in those states rdpsw is
 * user-sensitive and not privileged, and direct execution would not be
 * exact (`trapeze audit --mode=leaky` shows it by running it; isa/ISA.md
 * 10.3).  Theorem 3's remedy applies to them too: on the leaky machine
 * virtual user code with paging off is interpreted as well.
 *
 * The interpreter is a software CPU that behaves as the real CPU would
 * with the vCPU loaded in real user mode, and hands every event the real
 * CPU would have turned into an exit to the same handler (vm.c's
 * dispatch table, vm_handle_interpreted): one logic for every emulation.
 *   - memory: it uses the VM's live shadow table as its TLB: an access the
 *     shadow allows goes to the host frame the shadow names; any other is
 *     a page fault for shadow_page_fault, which walks the guest's own
 *     table (guest_translate, guest_mark_accessed: A and D as the bare
 *     machine sets them), fills the shadow, emulates a device access, or
 *     reflects the guest's own fault.  Translations are thus cached and
 *     flushed exactly as under trap-and-emulate.
 *   - privileged and sensitive instructions become PRIV events for
 *     emulate_privileged (vm_write_cr, vm_rfe, vm_wait: no second copy),
 *     in clean and leaky mode alike: the interpreter, not the machine's
 *     mode, decides that they trap.  That is why leaky mode is exact.
 *   - hcall goes to the hypercall handler, syscall, break, divide by
 *     zero, misaligned and illegal to reflect_exception.
 *
 * Time: each instruction costs the guest what it costs on the bare
 * machine (MACH_COSTS: INSN, MULDIV; the handlers add DEVICE and TRAP),
 * and the interpretation itself costs host cycles (VMM_COST_INTERPRET
 * per instruction), never guest cycles.  The interpreter stops at the
 * same boundaries the machine would: when the slice's cycles are spent
 * (a device deadline: the timer's interrupt lands at the same
 * instruction), after a device access, after a write to the PSW (mtcr,
 * wrpsw, rfe: IE may let a pending interrupt in before the next
 * instruction), after wfi and hypercalls; and when the vCPU leaves
 * supervisor mode, so that the user code runs directly again.
 */
#include "internal.h"

/*
 * Which code is interpreted: all of the virtual supervisor's; and on the
 * leaky machine also virtual user code with the guest's paging off, the
 * one state in which a user-sensitive instruction (rdpsw: its PG bit)
 * neither traps nor can be made to read right.  Theorem 3's condition
 * holds for every other user state (isa/ISA.md 10.3), so the user code
 * that runs directly is exactly the code that can.
 */
bool hybrid_interprets(const struct vm *vm)
{
	if (!vm->vmm->cfg.hybrid)
		return false;
	return !vm_user(vm) ||
	       (vm->vmm->cfg.leaky && !(vm->vcpu.cr[CR_PSW] & PSW_PG));
}

/*
 * The real PSW and TVEC while virtual user code runs directly.  On the
 * leaky machine rdpsw reads the real PSW and rdtvec the real TVEC in user
 * mode, so they hold what the bare machine would show there: the virtual
 * IE and TVEC.  Both are free for this: in monitor mode a trap never goes
 * through TVEC, and the machine's own devices are never reached by a
 * guest (no shadow maps them), so a real IE of 1 lets no interrupt in.
 * PG stays 1: the guest runs through the shadows even with its own
 * paging off -- the one bit that cannot mirror (see the top).
 */
void hybrid_mirror(const struct vm *vm, uint32_t *psw, uint32_t *tvec)
{
	*psw = PSW_PG | (vm->vcpu.cr[CR_PSW] & PSW_IE);
	*tvec = vm->vcpu.cr[CR_TVEC];
}

/* What an instruction needs of a PTE for an access (CAUSE_ACCESS_*). */
static uint32_t permission_for(unsigned access)
{
	return access == CAUSE_ACCESS_FETCH  ? PTE_X
	       : access == CAUSE_ACCESS_LOAD ? PTE_R
					     : PTE_W;
}

/*
 * The interpreter's TLB: the VM's live shadow table.  Returns true with
 * the host address if the shadow allows the access, as the machine's MMU
 * would with this shadow loaded.
 */
static bool shadow_allows(struct vm *vm, uint32_t va, unsigned access,
			  uint32_t *hpa)
{
	struct machine *m = vm->vmm->m;
	uint32_t root = vm->shadow[shadow_view(vm)].root, pointer, pte;
	if (!mach_phys_read(m, root + PT_ROOT_INDEX(va) * 4, &pointer, 4) ||
	    !(pointer & PTE_V) ||
	    !mach_phys_read(m, (pointer & PTE_FRAME_MASK) + PT_LEAF_INDEX(va) * 4,
			    &pte, 4) ||
	    !(pte & PTE_V) || !(pte & permission_for(access)))
		return false;
	*hpa = (pte & PTE_FRAME_MASK) | (va & (PAGE_SIZE - 1));
	return true;
}

/* How one interpreted instruction ended. */
enum step {
	STEP_NEXT,     /* go on with the next instruction */
	STEP_BOUNDARY, /* go back to the run loop: an interrupt may be due */
	STEP_AGAIN,    /* a shadow entry was filled: run it again */
};

/*
 * What the real CPU would have made an exit of: handed to the handler the
 * dispatch table names, with its costs charged as host work.  A fill
 * means the instruction runs again, a device access or a hypercall may
 * raise a line or change IE, anything else (emulated, reflected) goes on.
 */
static enum step trap_to_handler(struct vm *vm, uint32_t cause, uint32_t badva,
				 uint32_t insn)
{
	struct mach_exit exit = {cause, vm->vcpu.pc, badva, insn};
	struct vmm_event ev = {.cause = cause, .pc = exit.pc, .insn = insn,
			       .badva = badva, .supervisor = !vm_user(vm)};
	vm_handle_interpreted(vm, &exit, &ev);
	switch (ev.action) {
	case VMM_ACT_SHADOW_FILL: return STEP_AGAIN;
	case VMM_ACT_EMULATED: case VMM_ACT_REFLECTED: case VMM_ACT_ACCESS:
		return STEP_NEXT;
	default: return STEP_BOUNDARY;
	}
}

/* A page fault as the real MMU reports one, for shadow_page_fault. */
static enum step page_fault(struct vm *vm, uint32_t va, unsigned access,
			    uint32_t insn)
{
	return trap_to_handler(vm, CAUSE_PAGE_FAULT | access << CAUSE_ACCESS_SHIFT,
			       va, insn);
}

/* The instruction completed: on to pc + 4 (or where it jumped). */
static enum step retire_to(struct vm *vm, uint32_t next_pc)
{
	vm->vcpu.pc = next_pc;
	vm->instret++;
	vm->trap_entered = false; /* the handler got going */
	return STEP_NEXT;
}

/* A load or a store, checked as the machine checks it: alignment, then
 * the translation (the shadow, else a page fault for its handler). */
static enum step memory_access(struct vm *vm, const struct isa_insn *in,
			       uint32_t insn)
{
	unsigned size;
	bool sign, store;
	mem_access_of(in->op, &size, &sign, &store);
	uint32_t va = vm->vcpu.x[in->rs1] + (uint32_t)in->imm, hpa;
	if (va & (size - 1))
		return trap_to_handler(vm, CAUSE_MISALIGNED, va, insn);
	unsigned access = store ? CAUSE_ACCESS_STORE : CAUSE_ACCESS_LOAD;
	if (!shadow_allows(vm, va, access, &hpa))
		return page_fault(vm, va, access, insn);
	struct machine *m = vm->vmm->m;
	uint32_t value = 0;
	if (store) {
		value = vm->vcpu.x[in->rs2];
		/* through the machine, which forgets what it decoded there */
		mach_phys_write(m, hpa, &value, size);
	} else {
		mach_phys_read(m, hpa, &value, size);
		if (sign && size < 4) {
			uint32_t top = 1u << (size * 8 - 1);
			value = (value ^ top) - top;
		}
		vm_set_reg(vm, in->rd, value);
	}
	return retire_to(vm, vm->vcpu.pc + 4);
}

static uint32_t alu(unsigned op, uint32_t a, uint32_t b)
{
	switch (op) {
	case OP_ADD: case OP_ADDI: return a + b;
	case OP_SUB: return a - b;
	case OP_AND: case OP_ANDI: return a & b;
	case OP_OR: case OP_ORI: return a | b;
	case OP_XOR: case OP_XORI: return a ^ b;
	case OP_SLL: case OP_SLLI: return a << (b & 31);
	case OP_SRL: case OP_SRLI: return a >> (b & 31);
	case OP_SRA: case OP_SRAI: return (uint32_t)((int32_t)a >> (b & 31));
	case OP_SLT: case OP_SLTI: return (int32_t)a < (int32_t)b;
	case OP_SLTU: case OP_SLTIU: return a < b;
	case OP_MUL: return a * b;
	case OP_MULHU: return (uint32_t)(((uint64_t)a * b) >> 32);
	default: return 0;
	}
}

/* div, divu, rem, remu, with b != 0; INT_MIN / -1 is INT_MIN, rem 0. */
static uint32_t divide(unsigned op, uint32_t a, uint32_t b)
{
	bool overflow = a == 0x80000000u && b == 0xffffffffu;
	switch (op) {
	case OP_DIV: return overflow ? a : (uint32_t)((int32_t)a / (int32_t)b);
	case OP_REM: return overflow ? 0 : (uint32_t)((int32_t)a % (int32_t)b);
	case OP_DIVU: return a / b;
	default: return a % b; /* OP_REMU */
	}
}

static bool branch_taken(unsigned op, uint32_t a, uint32_t b)
{
	switch (op) {
	case OP_BEQ: return a == b;
	case OP_BNE: return a != b;
	case OP_BLT: return (int32_t)a < (int32_t)b;
	case OP_BGE: return (int32_t)a >= (int32_t)b;
	case OP_BLTU: return a < b;
	default: return a >= b; /* OP_BGEU */
	}
}

/* What rdcycle reads: the VM's clock, with this instruction's cycle, as
 * the machine's rdcycle offset makes it read when the guest runs. */
static uint32_t rdcycle_value(const struct vm *vm)
{
	return (uint32_t)(vm->cycles +
			  (vm->vmm->cfg.host_time ? vm->host_cycles : 0));
}

/* The instructions that never trap here and never leave the page. */
static enum step execute(struct vm *vm, const struct isa_insn *in, uint32_t insn)
{
	const struct isa_opinfo *info = isa_info(in->op);
	uint32_t *x = vm->vcpu.x, pc = vm->vcpu.pc;
	uint32_t imm = (uint32_t)in->imm;
	if (info->flags & ISA_F_DIVIDE) {
		if (x[in->rs2] == 0)
			return trap_to_handler(vm, CAUSE_DIVZERO, 0, insn);
		vm->cycles += mach_cost(COST_MULDIV);
		vm_set_reg(vm, in->rd, divide(in->op, x[in->rs1], x[in->rs2]));
		return retire_to(vm, pc + 4);
	}
	if (info->flags & (ISA_F_LOAD | ISA_F_STORE))
		return memory_access(vm, in, insn);
	if (info->flags & ISA_F_BRANCH)
		return retire_to(vm, branch_taken(in->op, x[in->rs1], x[in->rs2])
					     ? pc + imm : pc + 4);
	switch (info->format) {
	case FMT_R:
		if (in->op == OP_MUL || in->op == OP_MULHU)
			vm->cycles += mach_cost(COST_MULDIV);
		vm_set_reg(vm, in->rd, alu(in->op, x[in->rs1], x[in->rs2]));
		return retire_to(vm, pc + 4);
	case FMT_I: case FMT_IU: case FMT_SHIFT:
		vm_set_reg(vm, in->rd, alu(in->op, x[in->rs1], imm));
		return retire_to(vm, pc + 4);
	case FMT_LUI:
		vm_set_reg(vm, in->rd, imm << 16);
		return retire_to(vm, pc + 4);
	case FMT_JAL:
		vm_set_reg(vm, in->rd, pc + 4);
		return retire_to(vm, pc + imm);
	case FMT_JALR: {
		uint32_t target = x[in->rs1] + imm; /* before rd: jalr ra, 0(ra) */
		vm_set_reg(vm, in->rd, pc + 4);
		return retire_to(vm, target);
	}
	default:
		break;
	}
	switch (in->op) {
	case OP_RDCYCLE:
		vm_set_reg(vm, in->rd, rdcycle_value(vm));
		return retire_to(vm, pc + 4);
	case OP_SYSCALL: return trap_to_handler(vm, CAUSE_SYSCALL, 0, insn);
	case OP_BREAK: return trap_to_handler(vm, CAUSE_BREAK, 0, insn);
	default: return trap_to_handler(vm, CAUSE_ILLEGAL, 0, insn);
	}
}

/* What the leaky machine does with rdpsw, wrpsw and rdtvec in user mode
 * (isa/ISA.md 4.7): they run, on the virtual PSW and TVEC; wrpsw changes
 * nothing. */
static enum step leaky_user_sensitive(struct vm *vm, const struct isa_insn *in)
{
	if (in->op == OP_RDPSW)
		vm_set_reg(vm, in->rd, vm->vcpu.cr[CR_PSW]);
	else if (in->op == OP_RDTVEC)
		vm_set_reg(vm, in->rd, vm->vcpu.cr[CR_TVEC]);
	return retire_to(vm, vm->vcpu.pc + 4);
}

/* After emulate_privileged: a write to the PSW (IE may let an interrupt
 * in before the next instruction) or wfi ends the run of instructions. */
static bool ends_at_boundary(const struct isa_insn *in)
{
	return in->op == OP_RFE || in->op == OP_WRPSW || in->op == OP_WFI ||
	       (in->op == OP_MTCR && in->imm == CR_PSW);
}

/*
 * One instruction at the vCPU's pc, in the machine's order of checks
 * (isa/ISA.md 6.2): the fetch (alignment, translation), decoding,
 * privilege, execution.  Its cycle is the guest's; its interpretation is
 * the host's.
 */
static enum step interpret_one(struct vm *vm)
{
	uint32_t pc = vm->vcpu.pc, hpa, insn;
	vm->cycles += mach_cost(COST_INSN);
	vm_charge_cycles(vm, vmm_cost(VMM_COST_INTERPRET));
	if (pc & 3)
		return trap_to_handler(vm, CAUSE_MISALIGNED, pc, 0);
	if (!shadow_allows(vm, pc, CAUSE_ACCESS_FETCH, &hpa))
		return page_fault(vm, pc, CAUSE_ACCESS_FETCH, 0);
	mach_phys_read(vm->vmm->m, hpa, &insn, 4);

	struct isa_insn in;
	if (!isa_decode(insn, &in))
		return trap_to_handler(vm, CAUSE_ILLEGAL, 0, insn);
	if (in.op == OP_HCALL) {
		trap_to_handler(vm, CAUSE_HCALL, 0, insn);
		return STEP_BOUNDARY;
	}
	unsigned flags = isa_info(in.op)->flags;
	if ((flags & ISA_F_SENSITIVE) && vm_user(vm) && vm->vmm->cfg.leaky)
		return leaky_user_sensitive(vm, &in);
	/* Every other privileged and sensitive instruction, on either
	 * machine: the interpreter, not the machine's mode, makes them
	 * trap; emulate_privileged emulates them in virtual supervisor mode
	 * and reflects PRIV from virtual user mode. */
	if (flags & (ISA_F_PRIV | ISA_F_SENSITIVE)) {
		enum step s = trap_to_handler(vm, CAUSE_PRIV, 0, insn);
		return s == STEP_NEXT && ends_at_boundary(&in) ? STEP_BOUNDARY : s;
	}
	return execute(vm, &in, insn);
}

void hybrid_run(struct vm *vm, uint64_t until)
{
	if (!vm->interpreting) {
		vm->interpreting = true;
		vm->stats.interpret_entries++;
	}
	uint64_t retired = vm->instret;
	/* At least one instruction, as a slice of the machine runs. */
	do {
		enum step s;
		do
			s = interpret_one(vm);
		while (s == STEP_AGAIN && vm->state == VM_RUNNING);
		if (s == STEP_BOUNDARY)
			break;
	} while (vm->state == VM_RUNNING && hybrid_interprets(vm) &&
		 vm->cycles < until);
	vm->stats.interpreted += vm->instret - retired;
	if (!hybrid_interprets(vm)) {
		vm->interpreting = false;
		vm->stats.interpret_leaves++;
	}
}
