/*
 * cpu.c - the PG32 interpreter and trap entry.
 *
 * cpu_execute() runs one batch: it walks the decoded-instruction cache of
 * the current code page with a pointer (ip), one switch case per opcode,
 * until the batch's cycles are spent or an instruction asks for the batch
 * to end.  Every trap leaves through one function, cpu_take_trap(), which
 * either vectors through TVEC (native) or ends the run with an exit record
 * (monitor).  machine.c calls cpu_take_interrupt() between batches.
 */
#include <string.h>

#include "internal.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the fast memory paths assume a little-endian host, as PG32 is"
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

static uint32_t ram_word_at(const struct machine *m, uint32_t pa)
{
	uint32_t w;
	memcpy(&w, m->ram + pa, 4);
	return w;
}

/*
 * Trap entry: the one way out of an instruction that does not complete.
 * In native mode the machine's own supervisor gets the trap: EPSW <- PSW,
 * EPC <- pc, CAUSE, BADVA, MODE <- S, IE <- 0, PG unchanged, pc <- TVEC.
 * In monitor mode the host gets it: nothing architectural changes, the
 * run stops and the exit record says what happened.
 */
static void take_trap(struct machine *m, uint32_t cause, uint32_t badva,
		      uint32_t insn)
{
	struct cpu *c = &m->cpu;
	bool interrupt = cause & CAUSE_INTERRUPT;

	if (interrupt)
		m->interrupts++;
	if (m->cfg.monitor) {
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
	c->cr[CR_EPSW] = c->cr[CR_PSW];
	c->cr[CR_EPC] = c->pc;
	c->cr[CR_CAUSE] = cause;
	c->cr[CR_BADVA] = badva;
	c->cr[CR_PSW] = (c->cr[CR_PSW] & PSW_PG) | PSW_MODE;
	c->pc = c->cr[CR_TVEC];
	mmu_select_regime(m);
	mach_extra(m, mach_cost(COST_TRAP));
	m->dispatched_at_trap = mach_now(m) - m->extra_cycles;
}

void cpu_take_trap(struct machine *m, uint32_t cause, uint32_t badva)
{
	take_trap(m, cause, badva, 0);
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

static void decode_into(struct isa_insn *slot, uint32_t word)
{
	isa_decode(word, slot);
	const struct isa_opinfo *info = isa_info(slot->op);
	/* rd = r0 is redirected to the sink: r0 stays 0 unchecked. */
	if (info && isa_format_writes_rd(info->format) && slot->rd == 0)
		slot->rd = CPU_SINK;
}

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

/*
 * Dispatch.  With gcc and clang every instruction ends with its own
 * indirect jump through a table of labels ("threaded code"): the host's
 * branch predictor then learns what follows each PG32 instruction, which
 * one shared switch jump cannot give it.  Other compilers get the switch.
 * Either way the cases read the same: CASE(OP_ADD): ...; NEXT();
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
	uint32_t cause, badva, value;

	m->batch_stop = false;

/* The pc of the instruction ip points at. */
#define PC() (page_va + (uint32_t)(ip - cp->insn) * 4)
#define NEXT() \
	do { \
		ip++; \
		DISPATCH(); \
	} while (0)
/* Hand the batch counter to a slow path and take it back after. */
#define SYNC_OUT() (m->left = left)
#define SYNC_IN() (left = m->left, fs = m->cur)
#define TRAP(cause_, badva_, insn_) \
	do { \
		c->pc = PC(); \
		SYNC_OUT(); \
		take_trap(m, cause_, badva_, insn_); \
		SYNC_IN(); \
		goto refetch; \
	} while (0)
#define TRAP_HERE(cause_) \
	TRAP(cause_, 0, ram_word_at(m, (cp->ppn << PAGE_SHIFT) | (PC() & 0xfff)))
/* Leave the page walk of ip for a new pc (a jump, or a changed mapping). */
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
/* After a slow path: end the batch if it asked to, else go on. */
#define AFTER_SLOW() \
	do { \
		if (UNLIKELY(m->batch_stop)) { \
			ip++; \
			c->pc = PC(); \
			goto out; \
		} \
	} while (0)
#define SUPERVISOR() (c->cr[CR_PSW] & PSW_MODE)
#define REQUIRE_SUPERVISOR() \
	do { \
		if (!SUPERVISOR()) \
			TRAP_HERE(CAUSE_PRIV); \
	} while (0)
/* Sensitive instructions trap in user mode unless the machine is leaky. */
#define REQUIRE_SUPERVISOR_UNLESS_LEAKY() \
	do { \
		if (!SUPERVISOR()) { \
			if (!m->cfg.leaky) \
				TRAP_HERE(CAUSE_PRIV); \
			/* the x86 problem: it runs, and nobody is told */ \
			m->silent_sensitive[in->op]++; \
			m->silent_total++; \
		} \
	} while (0)

/* Fast loads and stores: one compare against the fast array catches a
 * miss, a permission the slow path must check, and misalignment. */
#define LOAD(size_, sign_, type_) \
	do { \
		uint32_t va_ = x[in->rs1] + (uint32_t)in->imm; \
		unsigned i_ = TLB_INDEX(va_); \
		const struct fast_array *fa_ = &fs->kind[FAST_LOAD]; \
		if (LIKELY(fa_->tag[i_] == (va_ & (~(PAGE_SIZE - 1) | (size_ - 1))))) { \
			type_ v_; \
			memcpy(&v_, (const void *)(va_ + fa_->addend[i_]), size_); \
			x[in->rd] = (uint32_t)v_; \
			NEXT(); \
		} \
		SYNC_OUT(); \
		cause = mmu_load(m, va_, size_, sign_, &value, &badva); \
		SYNC_IN(); \
		if (cause != CAUSE_NONE) \
			TRAP(cause, badva, ram_word_at(m, (cp->ppn << PAGE_SHIFT) | (PC() & 0xfff))); \
		x[in->rd] = value; \
		AFTER_SLOW(); \
		NEXT(); \
	} while (0)
#define STORE(size_, type_) \
	do { \
		uint32_t va_ = x[in->rs1] + (uint32_t)in->imm; \
		unsigned i_ = TLB_INDEX(va_); \
		const struct fast_array *fa_ = &fs->kind[FAST_STORE]; \
		if (LIKELY(fa_->tag[i_] == (va_ & (~(PAGE_SIZE - 1) | (size_ - 1))))) { \
			type_ v_ = (type_)x[in->rs2]; \
			memcpy((void *)(va_ + fa_->addend[i_]), &v_, size_); \
			NEXT(); \
		} \
		SYNC_OUT(); \
		cause = mmu_store(m, va_, size_, x[in->rs2], &badva); \
		SYNC_IN(); \
		if (cause != CAUSE_NONE) \
			TRAP(cause, badva, ram_word_at(m, (cp->ppn << PAGE_SHIFT) | (PC() & 0xfff))); \
		AFTER_SLOW(); \
		NEXT(); \
	} while (0)
#define BRANCH(cond_) \
	do { \
		if (cond_) \
			JUMP(PC() + (uint32_t)in->imm); \
		NEXT(); \
	} while (0)

refetch:
	/* Find the decoded page of c->pc: the start of a batch, a jump off
	 * the page, a trap, or a change to the mapping. */
	if (m->stop_pending || m->batch_stop || left <= 0)
		goto out;
	SYNC_OUT();
	cause = mmu_fetch_page(m, c->pc, &badva);
	SYNC_IN();
	if (cause != CAUSE_NONE) {
		left--; /* a fetch that traps costs its cycle, as any trap does */
		SYNC_OUT();
		take_trap(m, cause, badva, 0);
		SYNC_IN();
		goto refetch;
	}
	cp = m->code_cur;
	page_va = m->code_va;
	ip = &cp->insn[(c->pc & (PAGE_SIZE - 1)) >> 2];

	/* Every case ends by dispatching the next instruction (NEXT, JUMP)
	 * or by leaving. */
	DISPATCH();
	BEGIN_DISPATCH
		/* ALU: rd = rs1 op rs2 */
		CASE(OP_ADD): x[in->rd] = x[in->rs1] + x[in->rs2]; NEXT();
		CASE(OP_SUB): x[in->rd] = x[in->rs1] - x[in->rs2]; NEXT();
		CASE(OP_AND): x[in->rd] = x[in->rs1] & x[in->rs2]; NEXT();
		CASE(OP_OR): x[in->rd] = x[in->rs1] | x[in->rs2]; NEXT();
		CASE(OP_XOR): x[in->rd] = x[in->rs1] ^ x[in->rs2]; NEXT();
		CASE(OP_SLL): x[in->rd] = x[in->rs1] << (x[in->rs2] & 31); NEXT();
		CASE(OP_SRL): x[in->rd] = x[in->rs1] >> (x[in->rs2] & 31); NEXT();
		CASE(OP_SRA):
			x[in->rd] = (uint32_t)((int32_t)x[in->rs1] >> (x[in->rs2] & 31));
			NEXT();
		CASE(OP_SLT): x[in->rd] = (int32_t)x[in->rs1] < (int32_t)x[in->rs2]; NEXT();
		CASE(OP_SLTU): x[in->rd] = x[in->rs1] < x[in->rs2]; NEXT();
		CASE(OP_MUL):
			x[in->rd] = x[in->rs1] * x[in->rs2];
			left -= mach_cost(COST_MULDIV);
			m->extra_cycles += mach_cost(COST_MULDIV);
			NEXT();
		CASE(OP_MULHU):
			x[in->rd] = (uint32_t)(((uint64_t)x[in->rs1] * x[in->rs2]) >> 32);
			left -= mach_cost(COST_MULDIV);
			m->extra_cycles += mach_cost(COST_MULDIV);
			NEXT();
		CASE(OP_DIV):
		CASE(OP_DIVU):
		CASE(OP_REM):
		CASE(OP_REMU): {
			uint32_t a = x[in->rs1], b = x[in->rs2], r;
			if (b == 0)
				TRAP_HERE(CAUSE_DIVZERO);
			left -= mach_cost(COST_MULDIV);
			m->extra_cycles += mach_cost(COST_MULDIV);
			/* C leaves INT_MIN / -1 undefined; PG32 defines it as
			 * INT_MIN remainder 0, which is what wrapping gives. */
			bool overflow = a == 0x80000000u && b == 0xffffffffu;
			switch (in->op) {
			case OP_DIV: r = overflow ? a : (uint32_t)((int32_t)a / (int32_t)b); break;
			case OP_REM: r = overflow ? 0 : (uint32_t)((int32_t)a % (int32_t)b); break;
			case OP_DIVU: r = a / b; break;
			default: r = a % b; break;
			}
			x[in->rd] = r;
			NEXT();
		}

		/* ALU with an immediate: addi/slti/sltiu sign-extend it
		 * (the decoder did), andi/ori/xori zero-extend it. */
		CASE(OP_ADDI): x[in->rd] = x[in->rs1] + (uint32_t)in->imm; NEXT();
		CASE(OP_ANDI): x[in->rd] = x[in->rs1] & (uint32_t)in->imm; NEXT();
		CASE(OP_ORI): x[in->rd] = x[in->rs1] | (uint32_t)in->imm; NEXT();
		CASE(OP_XORI): x[in->rd] = x[in->rs1] ^ (uint32_t)in->imm; NEXT();
		CASE(OP_SLLI): x[in->rd] = x[in->rs1] << in->imm; NEXT();
		CASE(OP_SRLI): x[in->rd] = x[in->rs1] >> in->imm; NEXT();
		CASE(OP_SRAI): x[in->rd] = (uint32_t)((int32_t)x[in->rs1] >> in->imm); NEXT();
		CASE(OP_SLTI): x[in->rd] = (int32_t)x[in->rs1] < in->imm; NEXT();
		CASE(OP_SLTIU): x[in->rd] = x[in->rs1] < (uint32_t)in->imm; NEXT();
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
		CASE(OP_SYSCALL): TRAP_HERE(CAUSE_SYSCALL);
		CASE(OP_BREAK): TRAP_HERE(CAUSE_BREAK);
		CASE(OP_HCALL):
			/* Only a monitor has hypercalls; the bare machine has
			 * no such instruction. */
			TRAP_HERE(m->cfg.monitor ? CAUSE_HCALL : CAUSE_ILLEGAL);
		CASE(OP_RDCYCLE):
			/* less the monitor's offset: a guest reads its own time */
			x[in->rd] = (uint32_t)(m->batch_end - (uint64_t)left -
					       m->rdcycle_offset);
			NEXT();

		/* privileged */
		CASE(OP_MFCR):
			REQUIRE_SUPERVISOR();
			x[in->rd] = c->cr[in->imm];
			NEXT();
		CASE(OP_MTCR):
			REQUIRE_SUPERVISOR();
			SYNC_OUT();
			write_cr(m, (unsigned)in->imm, x[in->rs1]);
			SYNC_IN();
			/* PSW and PTBR change how the next pc translates. */
			if (in->imm == CR_PSW || in->imm == CR_PTBR)
				GOTO_PC(PC() + 4);
			NEXT();
		CASE(OP_RFE):
			REQUIRE_SUPERVISOR();
			c->cr[CR_PSW] = c->cr[CR_EPSW] & PSW_MASK;
			mmu_select_regime(m);
			SYNC_OUT();
			mach_extra(m, mach_cost(COST_TRAP));
			SYNC_IN();
			m->batch_stop = true; /* IE may be set again */
			GOTO_PC(c->cr[CR_EPC]);
		CASE(OP_TLBFLUSH):
			REQUIRE_SUPERVISOR();
			mmu_flush(m);
			GOTO_PC(PC() + 4);
		CASE(OP_TLBINV):
			REQUIRE_SUPERVISOR();
			mmu_invalidate_page(m, x[in->rs1]);
			GOTO_PC(PC() + 4);
		CASE(OP_WFI):
			REQUIRE_SUPERVISOR();
			/* Let time pass, device event by device event, until a
			 * line is pending; then go on after the wfi (and take
			 * the interrupt there if IE = 1). */
			SYNC_OUT();
			while (!m->irq_lines) {
				uint64_t next = mach_next_deadline(m);
				uint64_t now = mach_now(m);
				if (next == DEV_NEVER) {
					c->pc = PC();
					m->stopped_insns++; /* not retired */
					m->stop = MACH_STOP_DEADLOCK;
					m->stop_pending = true;
					goto out_synced;
				}
				if (next > m->wait_end) {
					/* Past this run's budget: wait until its end
					 * and run this wfi again next time -- which
					 * counts its cycle, so this one does not. */
					m->left++;
					mach_extra(m, m->wait_end - mach_now(m));
					c->pc = PC();
					goto out_synced;
				}
				if (next > now)
					mach_extra(m, next - now);
				mach_service_devices(m);
			}
			SYNC_IN();
			m->batch_stop = true; /* taken now if IE = 1 */
			GOTO_PC(PC() + 4);

		/* sensitive */
		CASE(OP_RDPSW):
			REQUIRE_SUPERVISOR_UNLESS_LEAKY();
			x[in->rd] = c->cr[CR_PSW];
			NEXT();
		CASE(OP_WRPSW):
			REQUIRE_SUPERVISOR_UNLESS_LEAKY();
			if (!SUPERVISOR())
				NEXT(); /* leaky: MODE, IE and PG are all it has */
			SYNC_OUT();
			write_cr(m, CR_PSW, x[in->rs1]);
			SYNC_IN();
			GOTO_PC(PC() + 4);
		CASE(OP_RDTVEC):
			REQUIRE_SUPERVISOR_UNLESS_LEAKY();
			x[in->rd] = c->cr[CR_TVEC];
			NEXT();

		/* the decoded-instruction cache's own entries */
		CASE(OP_DECODE):
			left++; /* decoding is not an instruction */
			decode_into(ip, ram_word_at(m, (cp->ppn << PAGE_SHIFT) |
							       (PC() & 0xfff)));
			DISPATCH();
		CASE(OP_PAGE_END):
			left++;
			GOTO_PC(page_va + PAGE_SIZE);
		CASE(OP_ILLEGAL):
		DEFAULT_CASE
			TRAP_HERE(CAUSE_ILLEGAL);
	END_DISPATCH

budget_spent:
	c->pc = PC();
out:
	m->left = left;
out_synced:
	return m->stop;
#undef PC
#undef NEXT
#undef SYNC_OUT
#undef SYNC_IN
#undef TRAP
#undef TRAP_HERE
#undef GOTO_PC
#undef JUMP
#undef AFTER_SLOW
#undef SUPERVISOR
#undef REQUIRE_SUPERVISOR
#undef REQUIRE_SUPERVISOR_UNLESS_LEAKY
#undef LOAD
#undef STORE
#undef BRANCH
}
