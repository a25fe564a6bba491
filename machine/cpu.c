/*
 * cpu.c - the PG32 interpreter and trap entry.
 *
 * cpu_execute() runs one batch (machine.c decides how long; internal.h
 * says why that makes the interpreter fast).  It is made of four parts,
 * in this order in the file:
 *
 *   traps       take_trap(): the one way out of an instruction that does
 *               not complete.  It vectors through TVEC (native) or ends
 *               the run with an exit record (monitor).
 *   decoding    the decoded-instruction cache of a code page is filled
 *               lazily: an entry still OP_DECODE is decoded when reached.
 *   execution   one dispatch on the opcode, one case per instruction.  A
 *               case that needs more than a line calls a function of its
 *               class (control registers, wfi, sensitive instructions),
 *               which says how execution goes on (enum flow).
 *   memory      loads and stores try the fast arrays first (mmu_fast_ptr,
 *               internal.h) and fall back to mmu_load / mmu_store.
 */
#include <string.h>

#include "internal.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the fast memory paths assume a little-endian host, as PG32 is"
#endif

/* ---- traps ------------------------------------------------------------------- */

/* The trap entry of the architecture: EPSW <- PSW, EPC <- pc, CAUSE,
 * BADVA, MODE <- S, IE <- 0, PG unchanged, pc <- TVEC. */
void cpu_trap_entry(struct machine *m, uint32_t cause, uint32_t badva)
{
	struct cpu *c = &m->cpu;
	c->cr[CR_EPSW] = c->cr[CR_PSW];
	c->cr[CR_EPC] = c->pc;
	c->cr[CR_CAUSE] = cause;
	c->cr[CR_BADVA] = badva;
	c->cr[CR_PSW] = (c->cr[CR_PSW] & PSW_PG) | PSW_MODE;
	c->pc = c->cr[CR_TVEC];
	mmu_select_regime(m);
	mach_extra(m, CYCLES_TRAP);
	m->dispatched_at_trap = mach_now(m) - m->extra_cycles;
}

/*
 * Trap entry: the one way out of an instruction that does not complete.
 * In native mode the machine's own supervisor gets the trap (above).  In
 * monitor mode the host gets it: nothing architectural changes, the run
 * stops and the exit record says what happened.  In guest mode the guest
 * gets it as natively, unless the exception bitmap makes it a VM exit.
 */
static void take_trap(struct machine *m, uint32_t cause, uint32_t badva,
		      uint32_t insn)
{
	struct cpu *c = &m->cpu;
	bool interrupt = cause & CAUSE_INTERRUPT;

	if (m->vmcs && vmx_trap_exits(m, cause, badva, insn))
		return;
	if (interrupt)
		m->interrupts++;
	if (m->monitor) {
		m->exit = (struct mach_exit){cause, c->pc, badva, insn};
		if (!interrupt)
			m->trapped++;
		m->stop = MACH_STOP_EXIT;
		m->stop_pending = true;
		return;
	}

	/* A handler whose very first instruction traps would trap forever
	 * (think TVEC pointing at nothing): stop, as x86 does on a triple
	 * fault, instead of spinning. */
	uint64_t dispatched = mach_now(m) - m->extra_cycles;
	if (!interrupt && c->pc == c->cr[CR_TVEC] &&
	    dispatched == m->dispatched_at_trap + 1) {
		m->stop = MACH_STOP_DOUBLE_FAULT;
		m->stop_pending = true;
		m->exit = (struct mach_exit){cause, c->pc, badva, insn};
		m->stopped_insns++; /* its cycle counts; it did not retire */
		return;
	}

	if (!interrupt)
		m->trapped++;
	cpu_trap_entry(m, cause, badva);
}

/*
 * Takes the lowest-numbered pending interrupt if PSW.IE allows.  EPC is
 * the instruction that would have run next.  Returns true if one was taken.
 */
bool cpu_take_interrupt(struct machine *m)
{
	uint32_t lines = m->irq_lines;
	if (!lines || !(m->cpu.cr[CR_PSW] & PSW_IE))
		return false;
	unsigned irq = (unsigned)__builtin_ctz(lines);
	take_trap(m, CAUSE_INTERRUPT | irq, 0, 0);
	return true;
}

/* ---- decoding -------------------------------------------------------------- */

/* The instruction word at pc, on the code page cp (for the exit record). */
static uint32_t word_at(const struct machine *m, const struct code_page *cp,
			uint32_t pc)
{
	uint32_t w;
	memcpy(&w, m->ram + ((cp->ppn << PAGE_SHIFT) | (pc & (PAGE_SIZE - 1))), 4);
	return w;
}

static void decode_into(struct isa_insn *slot, uint32_t word)
{
	isa_decode(word, slot);
	const struct isa_opinfo *info = isa_info(slot->op);
	/* rd = r0 is redirected to the sink: r0 stays 0 unchecked. */
	if (info && isa_format_writes_rd(info->format) && slot->rd == 0)
		slot->rd = CPU_SINK;
}

/* ---- execution: the instructions that leave the fast path ------------------- */

/*
 * How execution goes on after an instruction handled by a function.  The
 * function runs with the batch's counter in m->left (the interpreter hands
 * it over and takes it back).
 */
enum flow {
	FLOW_NEXT,  /* the next instruction */
	FLOW_GOTO,  /* from c->pc: the mapping, the regime or pc changed */
	FLOW_LEAVE, /* end the batch now, with c->pc set */
};

/* Writes a control register as mtcr does, with the hardware's side effects. */
static void write_cr(struct machine *m, unsigned cr, uint32_t value)
{
	switch (cr) {
	case CR_PSW:
		m->cpu.cr[CR_PSW] = value & PSW_MASK;
		mmu_select_regime(m);
		m->batch_stop = true; /* IE may now let an interrupt in */
		break;
	case CR_PTBR:
		m->cpu.cr[CR_PTBR] = value;
		mmu_flush(m);
		break;
	default:
		m->cpu.cr[cr] = value;
		break;
	}
}

static enum flow exec_mtcr(struct machine *m, unsigned cr, uint32_t value,
			   uint32_t pc)
{
	write_cr(m, cr, value);
	if (cr != CR_PSW && cr != CR_PTBR)
		return FLOW_NEXT;
	m->cpu.pc = pc + 4; /* PSW and PTBR change how the next pc translates */
	return FLOW_GOTO;
}

static enum flow exec_rfe(struct machine *m)
{
	struct cpu *c = &m->cpu;
	c->cr[CR_PSW] = c->cr[CR_EPSW] & PSW_MASK;
	mmu_select_regime(m);
	mach_extra(m, CYCLES_TRAP);
	m->batch_stop = true; /* IE may be set again */
	c->pc = c->cr[CR_EPC];
	return FLOW_GOTO;
}

/*
 * wfi: let time pass, device event by device event, until a line is
 * pending; then go on after the wfi (and take the interrupt there if
 * IE = 1).
 */
static enum flow exec_wfi(struct machine *m, uint32_t pc)
{
	while (!m->irq_lines) {
		uint64_t next = mach_next_deadline(m);
		uint64_t now = mach_now(m);
		if (next == DEV_NEVER) {
			m->cpu.pc = pc;
			m->stopped_insns++; /* not retired */
			m->stop = MACH_STOP_DEADLOCK;
			m->stop_pending = true;
			return FLOW_LEAVE;
		}
		if (next > m->wait_end) {
			/* Past this run's budget: wait until its end and run
			 * this wfi again next time -- which counts its cycle,
			 * so this one does not. */
			m->left++;
			mach_extra(m, m->wait_end - mach_now(m));
			m->cpu.pc = pc;
			return FLOW_LEAVE;
		}
		if (next > now)
			mach_extra(m, next - now);
		mach_service_devices(m);
	}
	m->batch_stop = true; /* taken now if IE = 1 */
	m->cpu.pc = pc + 4;
	return FLOW_GOTO;
}

/*
 * A sensitive instruction (rdpsw, wrpsw, rdtvec) in user mode traps on a
 * clean machine.  On a leaky one it runs, and nobody is told: the x86
 * problem.  Returns true if it runs.
 */
static bool user_sensitive_runs(struct machine *m, unsigned op)
{
	if (!m->cfg.leaky)
		return false;
	m->silent_sensitive[op]++;
	m->silent_total++;
	return true;
}

/* ---- the interpreter ------------------------------------------------------------ */

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/*
 * The dispatch on the opcode.  With gcc and clang it is "threaded code":
 * every case ends with its own indirect jump through a table of labels,
 * so the host's branch predictor learns what follows each PG32
 * instruction, which one shared jump cannot teach it (the Makefile keeps
 * gcc from merging those jumps back into one).  Other compilers get a
 * plain switch.  Either way a case reads CASE(OP_ADD): ...; NEXT();
 * Each dispatch costs the instruction's cycle, and ends the batch first
 * if its cycles are spent.
 */
#if defined(__GNUC__) && !defined(TRAPEZE_SWITCH_DISPATCH)
#define CASE(op) L_##op
#define DEFAULT_CASE
#define BEGIN_DISPATCH
#define END_DISPATCH
#define DISPATCH() \
	do { \
		if (UNLIKELY(left <= 0)) \
			goto budget_spent; \
		left--; \
		in = ip; \
		goto *labels[in->op]; \
	} while (0)
#else
#define CASE(op) case op
#define DEFAULT_CASE default:
#define BEGIN_DISPATCH \
	dispatch: \
	if (UNLIKELY(left <= 0)) \
		goto budget_spent; \
	left--; \
	in = ip; \
	switch (in->op) {
#define END_DISPATCH }
#define DISPATCH() goto dispatch
#endif

/*
 * The steps every case is written with.  They use cpu_execute's locals:
 * the registers x, the instruction in and the entry ip on the decoded page
 * cp (at virtual page_va), the batch's counter left and the fast arrays fs
 * of the current regime.
 */

/* The pc of the instruction ip points at. */
#define PC() (page_va + (uint32_t)(ip - cp->insn) * 4)
#define NEXT() \
	do { \
		ip++; \
		DISPATCH(); \
	} while (0)
/* Hand the batch's counter to a function and take it back after. */
#define SYNC_OUT() (m->left = left)
#define SYNC_IN() (left = m->left, fs = m->cur)
/* Call an exec_ function and go on as it says. */
#define CALL(call_) \
	do { \
		SYNC_OUT(); \
		enum flow flow_ = (call_); \
		SYNC_IN(); \
		if (flow_ == FLOW_NEXT) \
			NEXT(); \
		if (flow_ == FLOW_LEAVE) \
			goto out; \
		goto refetch; \
	} while (0)
#define TRAP(cause_, badva_) \
	do { \
		c->pc = PC(); \
		SYNC_OUT(); \
		take_trap(m, cause_, badva_, word_at(m, cp, c->pc)); \
		SYNC_IN(); \
		goto refetch; \
	} while (0)
/* Leave the walk of the decoded page for a new pc. */
#define GOTO_PC(pc_) \
	do { \
		c->pc = (pc_); \
		goto refetch; \
	} while (0)
/* A jump: stay on the decoded page when the target is on it. */
#define JUMP(target_) \
	do { \
		uint32_t t_ = (target_); \
		if (LIKELY((t_ & ~(PAGE_SIZE - 1)) == page_va && !(t_ & 3))) { \
			ip = &cp->insn[(t_ & (PAGE_SIZE - 1)) >> 2]; \
			DISPATCH(); \
		} \
		GOTO_PC(t_); \
	} while (0)
#define BRANCH(cond_) \
	do { \
		if (cond_) \
			JUMP(PC() + (uint32_t)in->imm); \
		NEXT(); \
	} while (0)

/* Execution classes. */
#define ALU(expr_) \
	do { \
		uint32_t a = x[in->rs1], b = x[in->rs2]; \
		(void)b; \
		x[in->rd] = (expr_); \
		NEXT(); \
	} while (0)
#define ALU_IMM(expr_) \
	do { \
		uint32_t a = x[in->rs1], imm = (uint32_t)in->imm; \
		x[in->rd] = (expr_); \
		NEXT(); \
	} while (0)
#define MULTIPLY(expr_) \
	do { \
		uint32_t a = x[in->rs1], b = x[in->rs2]; \
		x[in->rd] = (expr_); \
		left -= CYCLES_MULDIV; \
		m->extra_cycles += CYCLES_MULDIV; \
		NEXT(); \
	} while (0)
/* C leaves INT_MIN / -1 undefined; PG32 defines it as INT_MIN remainder
 * 0, which is what wrapping gives: `overflow` below. */
#define DIVIDE(expr_) \
	do { \
		uint32_t a = x[in->rs1], b = x[in->rs2]; \
		bool overflow = a == 0x80000000u && b == 0xffffffffu; \
		(void)overflow; \
		if (b == 0) \
			TRAP(CAUSE_DIVZERO, 0); \
		x[in->rd] = (expr_); \
		left -= CYCLES_MULDIV; \
		m->extra_cycles += CYCLES_MULDIV; \
		NEXT(); \
	} while (0)
#define SUPERVISOR() (c->cr[CR_PSW] & PSW_MODE)
#define PRIVILEGED() \
	do { \
		if (!SUPERVISOR()) \
			TRAP(CAUSE_PRIV, 0); \
	} while (0)
#define SENSITIVE() \
	do { \
		if (!SUPERVISOR() && !user_sensitive_runs(m, in->op)) \
			TRAP(CAUSE_PRIV, 0); \
	} while (0)
/* Guest mode: exit if the control is set and the guest is in supervisor
 * mode.  In root mode exit_controls is 0: one test, on privileged and
 * sensitive instructions only. */
#define EXIT_IF(control_, reason_) \
	do { \
		if (UNLIKELY(m->exit_controls & (control_)) && SUPERVISOR()) { \
			c->pc = PC(); \
			SYNC_OUT(); \
			vmx_exit_insn(m, reason_, c->pc, word_at(m, cp, c->pc)); \
			goto out; \
		} \
	} while (0)

/* Memory: the fast path, else mmu.c's slow one, which may trap, reach a
 * device (the batch then ends after this instruction) or write code. */
#define AFTER_SLOW() \
	do { \
		if (UNLIKELY(m->batch_stop)) { \
			c->pc = PC() + 4; \
			goto out; \
		} \
		NEXT(); \
	} while (0)
#define LOAD(size_, sign_, type_) \
	do { \
		uint32_t va_ = x[in->rs1] + (uint32_t)in->imm; \
		const void *p_ = mmu_fast_ptr(&fs->kind[FAST_LOAD], va_, size_); \
		if (LIKELY(p_ != NULL)) { \
			type_ v_; \
			memcpy(&v_, p_, size_); \
			x[in->rd] = (uint32_t)v_; \
			NEXT(); \
		} \
		uint32_t value_, badva_; \
		SYNC_OUT(); \
		uint32_t cause_ = mmu_load(m, va_, size_, sign_, &value_, &badva_); \
		SYNC_IN(); \
		if (cause_ != CAUSE_NONE) \
			TRAP(cause_, badva_); \
		x[in->rd] = value_; \
		AFTER_SLOW(); \
	} while (0)
#define STORE(size_, type_) \
	do { \
		uint32_t va_ = x[in->rs1] + (uint32_t)in->imm; \
		void *p_ = mmu_fast_ptr(&fs->kind[FAST_STORE], va_, size_); \
		if (LIKELY(p_ != NULL)) { \
			type_ v_ = (type_)x[in->rs2]; \
			memcpy(p_, &v_, size_); \
			NEXT(); \
		} \
		uint32_t badva_; \
		SYNC_OUT(); \
		uint32_t cause_ = mmu_store(m, va_, size_, x[in->rs2], &badva_); \
		SYNC_IN(); \
		if (cause_ != CAUSE_NONE) \
			TRAP(cause_, badva_); \
		AFTER_SLOW(); \
	} while (0)

enum mach_stop cpu_execute(struct machine *m)
{
#if defined(__GNUC__) && !defined(TRAPEZE_SWITCH_DISPATCH)
	/* One label per op, generated from the instruction table. */
	static const void *const labels[OP_PAGE_END + 1] = {
		[OP_ILLEGAL] = &&L_OP_ILLEGAL,
#define CPU_X_LABEL(name, mn, opc, fmt, flags, sem) [OP_##name] = &&L_OP_##name,
		PG32_INSTRUCTIONS(CPU_X_LABEL)
#undef CPU_X_LABEL
		[OP_DECODE] = &&L_OP_DECODE,
		[OP_PAGE_END] = &&L_OP_PAGE_END,
	};
#endif
	struct cpu *c = &m->cpu;
	uint32_t *const x = c->x;
	int64_t left = m->left;
	struct fast_set *fs = m->cur;
	struct code_page *cp = NULL;
	struct isa_insn *ip = NULL; /* not const: OP_DECODE fills it in */
	const struct isa_insn *in;
	uint32_t page_va = 0;

	m->batch_stop = false;

refetch:
	/* Find the decoded page of c->pc: the start of a batch, a jump off
	 * the page, a trap, or a change to the mapping. */
	if (m->stop_pending || m->batch_stop || left <= 0)
		goto out;
	cp = mmu_fast_code(m, c->pc);
	if (UNLIKELY(cp == NULL)) {
		uint32_t badva;
		SYNC_OUT();
		uint32_t fault = mmu_fetch_page(m, c->pc, &badva);
		if (fault != CAUSE_NONE) {
			m->left--; /* a fetch that traps costs its cycle, as any trap does */
			take_trap(m, fault, badva, 0);
			SYNC_IN();
			goto refetch;
		}
		SYNC_IN();
		cp = m->code_cur;
	}
	page_va = m->code_va;
	ip = &cp->insn[(c->pc & (PAGE_SIZE - 1)) >> 2];

	DISPATCH();
	BEGIN_DISPATCH
		/* ALU: rd = rs1 op rs2 */
		CASE(OP_ADD): ALU(a + b);
		CASE(OP_SUB): ALU(a - b);
		CASE(OP_AND): ALU(a & b);
		CASE(OP_OR): ALU(a | b);
		CASE(OP_XOR): ALU(a ^ b);
		CASE(OP_SLL): ALU(a << (b & 31));
		CASE(OP_SRL): ALU(a >> (b & 31));
		CASE(OP_SRA): ALU((uint32_t)((int32_t)a >> (b & 31)));
		CASE(OP_SLT): ALU((int32_t)a < (int32_t)b);
		CASE(OP_SLTU): ALU(a < b);
		CASE(OP_MUL): MULTIPLY(a * b);
		CASE(OP_MULHU): MULTIPLY((uint32_t)(((uint64_t)a * b) >> 32));
		CASE(OP_DIV): DIVIDE(overflow ? a : (uint32_t)((int32_t)a / (int32_t)b));
		CASE(OP_REM): DIVIDE(overflow ? 0 : (uint32_t)((int32_t)a % (int32_t)b));
		CASE(OP_DIVU): DIVIDE(a / b);
		CASE(OP_REMU): DIVIDE(a % b);

		/* ALU with an immediate: addi/slti/sltiu sign-extend it
		 * (the decoder did), andi/ori/xori zero-extend it. */
		CASE(OP_ADDI): ALU_IMM(a + imm);
		CASE(OP_ANDI): ALU_IMM(a & imm);
		CASE(OP_ORI): ALU_IMM(a | imm);
		CASE(OP_XORI): ALU_IMM(a ^ imm);
		CASE(OP_SLLI): ALU_IMM(a << imm);
		CASE(OP_SRLI): ALU_IMM(a >> imm);
		CASE(OP_SRAI): ALU_IMM((uint32_t)((int32_t)a >> imm));
		CASE(OP_SLTI): ALU_IMM((int32_t)a < (int32_t)imm);
		CASE(OP_SLTIU): ALU_IMM(a < imm);
		CASE(OP_LUI): x[in->rd] = (uint32_t)in->imm << 16; NEXT();

		/* memory */
		CASE(OP_LW): LOAD(4, false, uint32_t);
		CASE(OP_LH): LOAD(2, true, int16_t);
		CASE(OP_LHU): LOAD(2, false, uint16_t);
		CASE(OP_LB): LOAD(1, true, int8_t);
		CASE(OP_LBU): LOAD(1, false, uint8_t);
		CASE(OP_SW): STORE(4, uint32_t);
		CASE(OP_SH): STORE(2, uint16_t);
		CASE(OP_SB): STORE(1, uint8_t);

		/* control transfer: offsets are relative to the branch itself */
		CASE(OP_BEQ): BRANCH(x[in->rs1] == x[in->rs2]);
		CASE(OP_BNE): BRANCH(x[in->rs1] != x[in->rs2]);
		CASE(OP_BLT): BRANCH((int32_t)x[in->rs1] < (int32_t)x[in->rs2]);
		CASE(OP_BGE): BRANCH((int32_t)x[in->rs1] >= (int32_t)x[in->rs2]);
		CASE(OP_BLTU): BRANCH(x[in->rs1] < x[in->rs2]);
		CASE(OP_BGEU): BRANCH(x[in->rs1] >= x[in->rs2]);
		CASE(OP_JAL): {
			uint32_t pc = PC();
			x[in->rd] = pc + 4;
			JUMP(pc + (uint32_t)in->imm);
		}
		CASE(OP_JALR): {
			/* The target is computed before rd is written, so that
			 * jalr ra, 0(ra) works. */
			uint32_t target = x[in->rs1] + (uint32_t)in->imm;
			x[in->rd] = PC() + 4;
			JUMP(target);
		}

		/* system */
		CASE(OP_SYSCALL): TRAP(CAUSE_SYSCALL, 0);
		CASE(OP_BREAK): TRAP(CAUSE_BREAK, 0);
		/* Only a monitor has hypercalls; the bare machine has no such
		 * instruction. */
		CASE(OP_HCALL):
			EXIT_IF(MACH_VMX_HCALL, MACH_VMEXIT_HCALL);
			TRAP(m->monitor ? CAUSE_HCALL : CAUSE_ILLEGAL, 0);
		CASE(OP_RDCYCLE):
			/* less the monitor's offset: a guest reads its own time */
			x[in->rd] = (uint32_t)(m->batch_end - (uint64_t)left -
					       m->rdcycle_offset);
			NEXT();

		/* privileged */
		CASE(OP_MFCR):
			PRIVILEGED();
			EXIT_IF(MACH_VMX_CR_READ, MACH_VMEXIT_CR_READ);
			x[in->rd] = c->cr[in->imm];
			NEXT();
		CASE(OP_MTCR):
			PRIVILEGED();
			if (in->imm == CR_PTBR)
				EXIT_IF(MACH_VMX_PTBR_WRITE, MACH_VMEXIT_PTBR_WRITE);
			else
				EXIT_IF(MACH_VMX_CR_WRITE, MACH_VMEXIT_CR_WRITE);
			CALL(exec_mtcr(m, (unsigned)in->imm, x[in->rs1], PC()));
		CASE(OP_RFE):
			PRIVILEGED();
			EXIT_IF(MACH_VMX_RFE, MACH_VMEXIT_RFE);
			CALL(exec_rfe(m));
		CASE(OP_TLBFLUSH):
			PRIVILEGED();
			EXIT_IF(MACH_VMX_TLB, MACH_VMEXIT_TLB);
			mmu_flush(m);
			GOTO_PC(PC() + 4); /* the mapping of pc may differ */
		CASE(OP_TLBINV):
			PRIVILEGED();
			EXIT_IF(MACH_VMX_TLB, MACH_VMEXIT_TLB);
			mmu_invalidate_page(m, x[in->rs1]);
			GOTO_PC(PC() + 4);
		CASE(OP_WFI):
			PRIVILEGED();
			EXIT_IF(MACH_VMX_WFI, MACH_VMEXIT_WFI);
			CALL(exec_wfi(m, PC()));

		/* sensitive */
		CASE(OP_RDPSW):
			SENSITIVE();
			EXIT_IF(MACH_VMX_CR_READ, MACH_VMEXIT_CR_READ);
			x[in->rd] = c->cr[CR_PSW];
			NEXT();
		CASE(OP_WRPSW):
			SENSITIVE();
			if (!SUPERVISOR())
				NEXT(); /* leaky: MODE, IE and PG are all it has */
			EXIT_IF(MACH_VMX_CR_WRITE, MACH_VMEXIT_CR_WRITE);
			CALL(exec_mtcr(m, CR_PSW, x[in->rs1], PC()));
		CASE(OP_RDTVEC):
			SENSITIVE();
			EXIT_IF(MACH_VMX_CR_READ, MACH_VMEXIT_CR_READ);
			x[in->rd] = c->cr[CR_TVEC];
			NEXT();

		/* the decoded-instruction cache's own entries: not instructions,
		 * so they give back the cycle their dispatch took */
		CASE(OP_DECODE):
			left++;
			decode_into(ip, word_at(m, cp, PC()));
			DISPATCH();
		CASE(OP_PAGE_END):
			left++;
			GOTO_PC(page_va + PAGE_SIZE);
		CASE(OP_ILLEGAL):
		DEFAULT_CASE
			TRAP(CAUSE_ILLEGAL, 0);
	END_DISPATCH

budget_spent:
	c->pc = PC();
out:
	m->left = left;
	return m->stop;
}
