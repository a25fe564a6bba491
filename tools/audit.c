/*
 * audit.c - the Popek-Goldberg classification of PG32, by execution.
 *
 * Popek and Goldberg (1974) call an instruction
 *   privileged           if it traps in user mode and not in supervisor mode;
 *   control-sensitive    if it changes the configuration of the machine:
 *                        the mode, interrupts, the memory mapping, the trap
 *                        vector, ...;
 *   behaviour-sensitive  if what it computes depends on that configuration;
 * and prove (Theorem 1) that a trap-and-emulate monitor can be built when
 * every sensitive instruction is privileged.  Instead of believing the
 * instruction table's flags, the audit runs every instruction of the table
 * (ops 1..OP_COUNT-1) and watches what it does.
 *
 * The experiment.  Each run uses a fresh 64 KiB machine (native, not
 * monitor mode: a trap vectors through TVEC as on the bare machine):
 *
 *   0x1000  a nop, then the instruction under test at 0x1004
 *   0x4000  a page of data with a byte pattern (loads and stores go here)
 *   0x8000  page table 0 (root; its leaf table at 0x9000)
 *   0xa000  page table 1 (root; its leaf table at 0xb000)
 *
 * Both page tables map the 16 pages of RAM to themselves (identity), with
 * U = 1 so user mode may use them, and with A and D already set: the MMU
 * then never writes a PTE, and RAM after a run with paging on compares
 * equal to RAM after the same run with paging off.
 *
 * A machine state is one of 32 combinations of the control state: MODE
 * (user or supervisor), IE (0/1), PG (0/1), TVEC (0x3000 or 0x3100) and
 * PTBR (table 0 or 1).  The other control registers are preset and the
 * same in every state (EPC = 0x1800, EPSW = 0, SCRATCH = 0x5c5c5c5c,
 * CAUSE = BADVA = 0).  Each instruction is encoded with operands its
 * format asks for - registers holding a data address for memory
 * instructions, a branch target 16 bytes ahead, ... - from two operand
 * sets (two register files: e.g. a divisor of 3, then of 0).  mfcr and mtcr
 * are run with every control register; their classification is the union.
 *
 * One run: set the state, step the nop (so that the code page is in the
 * TLB and its walk is paid), bring the cycle clock to the same value in
 * every state, snapshot the control registers, step the instruction once.
 * A trap is recognised by its architectural effect: pc = the old TVEC and
 * EPC = 0x1004 (no instruction jumps to TVEC here, and none writes EPC
 * with its own address).
 *
 * What is observed, and the decisions taken:
 *
 *  - privileged: every user-mode run traps with CAUSE PRIV and no
 *    supervisor-mode run does.  An instruction that traps for another
 *    reason in both modes (syscall, break; hcall, which is ILLEGAL on the
 *    bare machine) is not privileged: it traps in supervisor mode too.
 *
 *  - control-sensitive: a run that completes without a trap (in either
 *    mode) changes a control register, or drops a TLB entry, or waits.
 *    The TLB is seen from outside: after the run, the PTE of the code page
 *    (which the fetch cached) is pointed at another frame; if
 *    mach_translate() now gives the new frame, the instruction emptied
 *    that TLB entry.  wfi is counted as control-sensitive: it stops the
 *    processor until an interrupt, and who gets the processor is the
 *    resource a monitor must control (on this machine, with nothing to
 *    wake it, the step ends in MACH_STOP_DEADLOCK; an instruction that
 *    neither retires nor traps and leaves pc on itself counts too).
 *
 *  - behaviour-sensitive: for one encoding and one operand set, two runs
 *    from states that differ only in control state both complete, and
 *    their results - the 16 registers, pc and all of RAM - differ.  The
 *    control registers themselves are not compared (changing them is
 *    control sensitivity).  Consequences worth knowing:
 *      - loads and stores give the same result with paging on and off,
 *        because the map is the identity, so this test calls them
 *        innocuous.  With another mapping they would differ; the classical
 *        argument still calls them innocuous because the monitor owns the
 *        MMU (shadow page tables), see isa/ISA.md section 10;
 *      - rdcycle reads time, and time is not control state: the clock is
 *        brought to the same cycle in every run, so rdcycle reads the same
 *        value and comes out innocuous;
 *      - a run that traps is left out of the comparison: a trap hands
 *        the instruction to the supervisor, which is what privileged
 *        means (PG also leave trapping executions out);
 *      - mfcr reads control state, so it is behaviour-sensitive (PSW,
 *        TVEC and PTBR differ between states); rdpsw and rdtvec likewise;
 *      - rfe, mtcr and wrpsw change control state but compute nothing
 *        that depends on it: control-sensitive only.
 *    On the leaky machine rdpsw, wrpsw and rdtvec complete in user mode,
 *    so they come out sensitive but not privileged: Theorem 1 fails.
 *
 * audit_check_table() then holds execution against the table: ISA_F_PRIV
 * instructions must be privileged; ISA_F_SENSITIVE ones privileged on the
 * clean machine only; both kinds sensitive - behaviour-sensitive if the
 * format yields a register result, control-sensitive if not (the rule
 * isa/ISA.md's generated table uses); every other instruction innocuous
 * and unprivileged; ISA_F_TRAP instructions trap in every run and the
 * others complete in some run.
 */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

#include "../machine/machine.h"

#define AUDIT_RAM_SIZE (64u * 1024)
#define NOP_PC 0x1000u
#define INSN_PC 0x1004u
#define DATA_PAGE 0x4000u
#define ALIAS_FRAME 0x2000u /* where the TLB probe points the code page */
#define EPC_PRESET 0x1800u
#define EPSW_PRESET 0u
#define SCRATCH_PRESET 0x5c5c5c5cu
#define CLOCK_START 64u /* the cycle every run's instruction starts at */

static const uint32_t tvec_values[2] = {0x3000u, 0x3100u};
static const uint32_t table_roots[2] = {0x8000u, 0xa000u};
#define LEAF_OF(root) ((root) + PAGE_SIZE)

/* A machine state: one bit per choice of the control state. */
enum {
	STATE_USER = 1u << 0,
	STATE_IE = 1u << 1,
	STATE_PG = 1u << 2,
	STATE_TVEC1 = 1u << 3,
	STATE_PTBR1 = 1u << 4,
	NSTATES = 1u << 5,
};

/*
 * Operand registers, by role.  An instruction names these registers; the
 * operand set decides what they hold.
 */
enum {
	REG_RD = 5,     /* every destination */
	REG_RS1 = 6,    /* ALU and branch operands */
	REG_RS2 = 7,
	REG_BASE = 8,   /* loads and stores: base address */
	REG_DATA = 9,   /* stores: the value */
	REG_RS = 10,    /* tlbinv, wrpsw */
	REG_CRVAL = 11, /* mtcr */
	REG_JUMP = 12,  /* jalr: base address */
};
#define NOPSETS 2

struct operand_set {
	uint32_t rs1, rs2, base, data, rs, crval, jump;
};

static const struct operand_set opsets[NOPSETS] = {
	/* a divisor of 3, an aligned word, wrpsw to user mode, tlbinv of
	 * the code page */
	{0x12345678u, 3u, DATA_PAGE, 0xcafef00du, NOP_PC, ALIAS_FRAME, NOP_PC},
	/* a divisor of 0 (div traps DIVZERO in both modes), a negative
	 * rs1, wrpsw setting MODE, IE and PG, tlbinv of the same page */
	{0x80000000u, 0u, DATA_PAGE + 0x10, 0x80u, NOP_PC | PSW_MASK,
	 PSW_MODE | PSW_PG, NOP_PC},
};

/* What one run of one instruction did. */
struct run {
	bool trapped;
	uint32_t cause; /* the code, when trapped */
	bool waited;
	bool control_changed; /* a control register or the TLB */
	uint32_t x[ISA_NREGS];
	uint32_t pc;
};

/* Why the experiment itself failed: the machine or the setup, never the
 * instruction under test. */
struct audit_error {
	FILE *f;
	const char *mnemonic;
};

static int fail(const struct audit_error *e, const char *why)
{
	if (e->f)
		fprintf(e->f, "audit: internal error running %s: %s\n",
			e->mnemonic, why);
	return -1;
}

static bool put_word(struct machine *m, uint32_t pa, uint32_t value)
{
	uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8),
			(uint8_t)(value >> 16), (uint8_t)(value >> 24)};
	return mach_phys_write(m, pa, b, 4);
}

static bool get_word(struct machine *m, uint32_t pa, uint32_t *value)
{
	uint8_t b[4];
	if (!mach_phys_read(m, pa, b, 4))
		return false;
	*value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		 (uint32_t)b[3] << 24;
	return true;
}

/* How many encodings an instruction is tried with: mfcr and mtcr once
 * per control register, everything else once. */
static unsigned encodings_of(enum isa_format fmt)
{
	return fmt == FMT_MFCR || fmt == FMT_MTCR ? CR_COUNT : 1;
}

/*
 * The instruction op with the operands its format asks for (encoding k:
 * for mfcr and mtcr, the control register number).
 */
static struct isa_insn make_insn(unsigned op, enum isa_format fmt, unsigned k)
{
	struct isa_insn in = {.op = (uint8_t)op};
	switch (fmt) {
	case FMT_R:
		in.rd = REG_RD, in.rs1 = REG_RS1, in.rs2 = REG_RS2;
		break;
	case FMT_I:
		in.rd = REG_RD, in.rs1 = REG_RS1, in.imm = -5;
		break;
	case FMT_IU:
		in.rd = REG_RD, in.rs1 = REG_RS1, in.imm = 0x8001;
		break;
	case FMT_SHIFT:
		in.rd = REG_RD, in.rs1 = REG_RS1, in.imm = 7;
		break;
	case FMT_LUI:
		in.rd = REG_RD, in.imm = 0x1234;
		break;
	case FMT_LOAD:
		in.rd = REG_RD, in.rs1 = REG_BASE, in.imm = 8;
		break;
	case FMT_STORE:
		in.rs2 = REG_DATA, in.rs1 = REG_BASE, in.imm = 8;
		break;
	case FMT_BRANCH:
		in.rs1 = REG_RS1, in.rs2 = REG_RS2, in.imm = 16;
		break;
	case FMT_JAL:
		in.rd = REG_RD, in.imm = 32;
		break;
	case FMT_JALR:
		in.rd = REG_RD, in.rs1 = REG_JUMP, in.imm = 0x20;
		break;
	case FMT_RD:
		in.rd = REG_RD;
		break;
	case FMT_RS:
		in.rs1 = REG_RS;
		break;
	case FMT_MFCR:
		in.rd = REG_RD, in.imm = (int32_t)k;
		break;
	case FMT_MTCR:
		in.rs1 = REG_CRVAL, in.imm = (int32_t)k;
		break;
	case FMT_NONE:
	case FMT_COUNT:
		break;
	}
	return in;
}

/* RAM as every run starts: code, data pattern, two identity page tables. */
static bool build_memory(struct machine *m, uint32_t nop, uint32_t word)
{
	bool ok = put_word(m, NOP_PC, nop) && put_word(m, INSN_PC, word);
	for (uint32_t i = 0; i < PAGE_SIZE; i++) {
		uint8_t b = (uint8_t)(i * 37 + 11);
		ok = ok && mach_phys_write(m, DATA_PAGE + i, &b, 1);
	}
	for (unsigned t = 0; t < 2; t++) {
		uint32_t root = table_roots[t], leaf = LEAF_OF(root);
		/* root entry 0 points at the leaf table: V only */
		ok = ok && put_word(m, root, leaf | PTE_V);
		for (uint32_t p = 0; p < AUDIT_RAM_SIZE / PAGE_SIZE; p++)
			ok = ok && put_word(m, leaf + 4 * p,
					    p << PAGE_SHIFT | PTE_V | PTE_R |
						    PTE_W | PTE_X | PTE_U |
						    PTE_A | PTE_D);
	}
	return ok;
}

static void set_registers(struct cpu *c, unsigned opset)
{
	const struct operand_set *o = &opsets[opset];
	for (unsigned r = 1; r < ISA_NREGS; r++)
		c->x[r] = opset ? ~(0x11111111u * r) : 0x11111111u * r;
	c->x[REG_RS1] = o->rs1;
	c->x[REG_RS2] = o->rs2;
	c->x[REG_BASE] = o->base;
	c->x[REG_DATA] = o->data;
	c->x[REG_RS] = o->rs;
	c->x[REG_CRVAL] = o->crval;
	c->x[REG_JUMP] = o->jump;
	c->pc = NOP_PC;
}

static void set_state(struct machine *m, unsigned state)
{
	mach_set_cr(m, CR_TVEC, tvec_values[(state & STATE_TVEC1) ? 1 : 0]);
	mach_set_cr(m, CR_PTBR, table_roots[(state & STATE_PTBR1) ? 1 : 0]);
	mach_set_cr(m, CR_EPC, EPC_PRESET);
	mach_set_cr(m, CR_EPSW, EPSW_PRESET);
	mach_set_cr(m, CR_SCRATCH, SCRATCH_PRESET);
	uint32_t psw = (state & STATE_USER) ? 0 : PSW_MODE;
	if (state & STATE_IE)
		psw |= PSW_IE;
	if (state & STATE_PG)
		psw |= PSW_PG;
	mach_set_cr(m, CR_PSW, psw); /* last: it selects the regime */
}

/*
 * Did the instruction empty the TLB entry of the code page?  The fetch
 * cached that page's PTE; point the PTE at another frame behind the TLB's
 * back: a translation that still gives the old frame came from the TLB.
 */
static bool tlb_entry_gone(struct machine *m, unsigned state, bool *gone)
{
	uint32_t pte_pa = LEAF_OF(table_roots[(state & STATE_PTBR1) ? 1 : 0]) +
			  4 * (INSN_PC >> PAGE_SHIFT);
	uint32_t pte, pa;
	if (!get_word(m, pte_pa, &pte) ||
	    !put_word(m, pte_pa, (pte & ~PTE_FRAME_MASK) | ALIAS_FRAME))
		return false;
	uint32_t cause = mach_translate(m, INSN_PC, CAUSE_ACCESS_FETCH, &pa);
	*gone = cause != CAUSE_NONE || pa != INSN_PC;
	return true;
}

/*
 * Runs word at INSN_PC from one state with one operand set, on a fresh
 * machine.  Fills *r and ram (the RAM after the run).  Returns 0, or -1
 * if the experiment itself failed.
 */
static int run_one(bool leaky, uint32_t nop, uint32_t word, unsigned state,
		   unsigned opset, struct run *r, uint8_t *ram,
		   const struct audit_error *e)
{
	struct mach_config cfg = {.ram_size = AUDIT_RAM_SIZE, .leaky = leaky};
	struct machine *m = mach_new(&cfg);
	if (!m)
		return fail(e, "cannot make a machine");
	int rc = -1;
	struct cpu *c = mach_cpu(m);

	if (!build_memory(m, nop, word)) {
		fail(e, "cannot write the machine's RAM");
		goto out;
	}
	set_registers(c, opset);
	set_state(m, state);

	/* The nop: fills the TLB with the code page and pays for its walk. */
	if (mach_step(m) != MACH_STOP_BUDGET || c->pc != INSN_PC) {
		fail(e, "the nop before it did not run");
		goto out;
	}
	/* Same clock in every state: the walk above cost cycles only
	 * with paging on, and time is not control state. */
	if (mach_cycles(m) > CLOCK_START) {
		fail(e, "the setup took too many cycles");
		goto out;
	}
	mach_charge(m, CLOCK_START - mach_cycles(m));

	uint32_t before[CR_COUNT];
	memcpy(before, c->cr, sizeof before);
	uint64_t retired = mach_instret(m);

	enum mach_stop stop = mach_step(m);
	if (stop != MACH_STOP_BUDGET && stop != MACH_STOP_DEADLOCK) {
		fail(e, mach_stop_name(stop));
		goto out;
	}

	memset(r, 0, sizeof *r);
	r->trapped = stop == MACH_STOP_BUDGET && c->pc == before[CR_TVEC] &&
		     c->cr[CR_EPC] == INSN_PC &&
		     (c->cr[CR_CAUSE] & CAUSE_CODE_MASK) != CAUSE_NONE;
	r->cause = r->trapped ? c->cr[CR_CAUSE] & CAUSE_CODE_MASK : 0;
	/* Waiting: the machine says nothing can wake it, or the
	 * instruction neither retired nor trapped and pc stayed on it. */
	r->waited = stop == MACH_STOP_DEADLOCK ||
		    (!r->trapped && c->pc == INSN_PC &&
		     mach_instret(m) == retired);
	memcpy(r->x, c->x, sizeof r->x);
	r->pc = c->pc;
	if (!mach_phys_read(m, 0, ram, AUDIT_RAM_SIZE)) {
		fail(e, "cannot read the machine's RAM");
		goto out;
	}

	if (!r->trapped) {
		r->control_changed = memcmp(before, c->cr, sizeof before) != 0;
		bool gone = false;
		if ((before[CR_PSW] & PSW_PG) && !tlb_entry_gone(m, state, &gone)) {
			fail(e, "cannot probe the TLB");
			goto out;
		}
		r->control_changed = r->control_changed || gone;
	}
	rc = 0;
out:
	mach_free(m);
	return rc;
}

bool audit_sensitive(const struct audit_row *row)
{
	return row->control_sensitive || row->behaviour_sensitive;
}

/* A digest of RAM after a run (FNV-1a), to compare runs of user mode
 * with each other without keeping a copy of RAM for every state. */
static uint64_t ram_digest(const uint8_t *ram)
{
	uint64_t h = 14695981039346656037ull;
	for (uint32_t i = 0; i < AUDIT_RAM_SIZE; i++)
		h = (h ^ ram[i]) * 1099511628211ull;
	return h;
}

/* The choices of a state that Theorem 3's analysis tells apart, each with
 * the AUDIT_DEP_* bit it stands for. */
static const struct {
	unsigned state, dep;
} choices[] = {
	{STATE_IE, AUDIT_DEP_IE},
	{STATE_PG, AUDIT_DEP_PG},
	{STATE_TVEC1, AUDIT_DEP_TVEC},
	{STATE_PTBR1, AUDIT_DEP_PTBR},
};

/* What the user-mode runs of one encoding and operand set did, by state. */
struct user_runs {
	bool completed[NSTATES];
	struct run run[NSTATES];
	uint64_t ram[NSTATES];
};

/* Theorem 3: which choices the user-mode results depend on: two completed
 * user runs from states that differ in that one choice, with another
 * result. */
static unsigned user_dependencies(const struct user_runs *u)
{
	unsigned deps = 0;
	for (unsigned s = 0; s < NSTATES; s++) {
		if (!(s & STATE_USER) || !u->completed[s])
			continue;
		for (size_t k = 0; k < sizeof choices / sizeof choices[0]; k++) {
			unsigned t = s ^ choices[k].state;
			if (!u->completed[t])
				continue;
			if (memcmp(u->run[s].x, u->run[t].x, sizeof u->run[s].x) != 0 ||
			    u->run[s].pc != u->run[t].pc || u->ram[s] != u->ram[t])
				deps |= choices[k].dep;
		}
	}
	return deps;
}

/* Runs one instruction from every state, with every encoding and operand
 * set, and classifies it. */
static int classify_one(bool leaky, unsigned op, struct audit_row *row,
			uint32_t nop, uint8_t *ram, uint8_t *ref_ram,
			struct user_runs *u, FILE *err)
{
	const struct isa_opinfo *info = isa_info(op);
	struct audit_error e = {err, info->mnemonic};
	bool user_always_priv = true, super_priv = false;

	memset(row, 0, sizeof *row);
	row->op = (uint8_t)op;
	for (unsigned k = 0; k < encodings_of(info->format); k++) {
		struct isa_insn in = make_insn(op, info->format, k), check;
		uint32_t word;
		if (!isa_encode(&in, &word) || !isa_decode(word, &check) ||
		    check.op != op)
			return fail(&e, "its operands do not encode");
		for (unsigned opset = 0; opset < NOPSETS; opset++) {
			/* The first completed run is the reference the
			 * others are compared with. */
			struct run ref = {0}, r;
			bool have_ref = false;
			memset(u->completed, 0, sizeof u->completed);
			for (unsigned s = 0; s < NSTATES; s++) {
				if (run_one(leaky, nop, word, s, opset, &r, ram, &e))
					return -1;
				row->runs++;
				bool user = s & STATE_USER;
				uint32_t *outcomes = user ? &row->user_outcomes
							  : &row->super_outcomes;
				if (r.trapped) {
					*outcomes |= 1u << r.cause;
					if (user && r.cause != CAUSE_PRIV)
						user_always_priv = false;
					if (!user && r.cause == CAUSE_PRIV)
						super_priv = true;
					continue;
				}
				*outcomes |= r.waited ? AUDIT_WAITED : AUDIT_RAN;
				if (user) {
					user_always_priv = false;
					u->completed[s] = true;
					u->run[s] = r;
					u->ram[s] = ram_digest(ram);
					if (r.control_changed || r.waited)
						row->user_control_sensitive = true;
				}
				if (r.control_changed || r.waited)
					row->control_sensitive = true;
				if (!have_ref) {
					ref = r;
					memcpy(ref_ram, ram, AUDIT_RAM_SIZE);
					have_ref = true;
				} else if (memcmp(ref.x, r.x, sizeof r.x) != 0 ||
					   ref.pc != r.pc ||
					   memcmp(ref_ram, ram, AUDIT_RAM_SIZE) != 0) {
					row->behaviour_sensitive = true;
				}
			}
			row->user_depends |= user_dependencies(u);
		}
	}
	row->privileged = user_always_priv && !super_priv;
	return 0;
}

int audit_classify(bool leaky, struct audit_row rows[OP_COUNT], FILE *err)
{
	struct isa_insn nop_insn = {.op = OP_ADDI};
	uint32_t nop;
	if (!isa_encode(&nop_insn, &nop))
		return -1;
	uint8_t *ram = malloc(AUDIT_RAM_SIZE), *ref_ram = malloc(AUDIT_RAM_SIZE);
	struct user_runs *u = malloc(sizeof *u);
	int rc = ram && ref_ram && u ? 0 : -1;
	if (rc && err)
		fprintf(err, "audit: out of memory\n");
	memset(&rows[0], 0, sizeof rows[0]);
	for (unsigned op = 1; op < OP_COUNT && rc == 0; op++)
		rc = classify_one(leaky, op, &rows[op], nop, ram, ref_ram, u, err);
	free(ram);
	free(ref_ram);
	free(u);
	return rc;
}

typedef bool sensitivity_fn(const struct audit_row *row);

/* Prints "a, b, c" of the instructions that are sensitive by the given
 * measure and not privileged (to f, if not NULL); returns how many. */
static unsigned unprivileged(FILE *f, const struct audit_row rows[OP_COUNT],
			     sensitivity_fn *sensitive)
{
	unsigned n = 0;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		if (!sensitive(&rows[op]) || rows[op].privileged)
			continue;
		if (f)
			fprintf(f, "%s%s", n ? ", " : "", isa_info(op)->mnemonic);
		n++;
	}
	return n;
}

bool audit_theorem_holds(const struct audit_row rows[OP_COUNT])
{
	return unprivileged(NULL, rows, audit_sensitive) == 0;
}

/* "runs", "PRIV", "runs/DIVZERO", "waits": what the runs in one mode did. */
static void outcome_text(uint32_t outcomes, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
#define APPEND(s)                                                          \
	do {                                                               \
		int n_ = snprintf(buf + len, size - len, "%s%s",           \
				  len ? "/" : "", (s));                    \
		if (n_ > 0 && (size_t)n_ < size - len)                     \
			len += (size_t)n_;                                 \
	} while (0)
	if (outcomes & AUDIT_RAN)
		APPEND("runs");
	if (outcomes & AUDIT_WAITED)
		APPEND("waits");
	for (uint32_t code = 1; code < CAUSE_COUNT; code++)
		if (outcomes & (1u << code)) {
			const char *name = isa_cause_name(code);
			APPEND(name ? name : "?");
		}
#undef APPEND
}

static const char *verdict(const struct audit_row *row)
{
	bool sensitive = audit_sensitive(row);
	if (row->privileged)
		return sensitive ? "ok: privileged" : "privileged, innocuous";
	return sensitive ? "VIOLATION: sensitive, not privileged" : "innocuous";
}

static void print_theorem1(FILE *f, const char *mode,
			   const struct audit_row rows[OP_COUNT]);
static void print_theorem3(FILE *f, const char *mode,
			   const struct audit_row rows[OP_COUNT]);

void audit_print(FILE *f, bool leaky, const struct audit_row rows[OP_COUNT])
{
	const char *mode = leaky ? "leaky" : "clean";
	unsigned runs = 0;
	for (unsigned op = 1; op < OP_COUNT; op++)
		runs += rows[op].runs;
	fprintf(f, "PG32 audit, %s mode: %u instructions, %u runs on fresh "
		   "machines\n", mode, OP_COUNT - 1, runs);
	fprintf(f, "states: MODE x IE x PG x TVEC x PTBR (%u), %u operand sets, "
		   "mfcr/mtcr with every control register\n\n",
		NSTATES, NOPSETS);
	fprintf(f, "%-12s %-14s %-14s %-11s %-18s %-20s %s\n", "instruction",
		"user mode", "supervisor", "privileged", "control-sensitive",
		"behaviour-sensitive", "verdict");
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct audit_row *row = &rows[op];
		char user[64], super[64];
		outcome_text(row->user_outcomes, user, sizeof user);
		outcome_text(row->super_outcomes, super, sizeof super);
		fprintf(f, "%-12s %-14s %-14s %-11s %-18s %-20s %s\n",
			isa_info(op)->mnemonic, user, super,
			row->privileged ? "yes" : "-",
			row->control_sensitive ? "yes" : "-",
			row->behaviour_sensitive ? "yes" : "-", verdict(row));
	}
	fputc('\n', f);
	print_theorem1(f, mode, rows);
	print_theorem3(f, mode, rows);
}

static void print_theorem1(FILE *f, const char *mode,
			   const struct audit_row rows[OP_COUNT])
{
	if (audit_theorem_holds(rows)) {
		fprintf(f, "Theorem 1 holds: every sensitive instruction is "
			   "privileged (%s mode)\n", mode);
		return;
	}
	fprintf(f, "Theorem 1 fails: ");
	unsigned n = unprivileged(f, rows, audit_sensitive);
	fprintf(f, " %s sensitive but not privileged (%s mode)\n",
		n == 1 ? "is" : "are", mode);
}

bool audit_user_sensitive(const struct audit_row *row)
{
	return row->user_control_sensitive || row->user_depends != 0;
}

bool audit_theorem3_holds(const struct audit_row rows[OP_COUNT])
{
	return unprivileged(NULL, rows, audit_user_sensitive) == 0;
}

/* "IE, PG": the control state named by AUDIT_DEP_* bits. */
static void deps_text(unsigned deps, char *buf, size_t size)
{
	static const char *const names[] = {"IE", "PG", "TVEC", "PTBR"};
	size_t len = 0;
	buf[0] = '\0';
	for (unsigned b = 0; b < sizeof names / sizeof names[0]; b++) {
		if (!(deps & (1u << b)))
			continue;
		int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
				 names[b]);
		if (n > 0 && (size_t)n < size - len)
			len += (size_t)n;
	}
}

/*
 * Theorem 3, one line per instruction that is sensitive but not
 * privileged: is it user-sensitive, and can its user-mode runs be exact
 * when the guest's user code runs directly, with the monitor's real PSW
 * and TVEC (IE and TVEC the guest's, PG 1, PTBR the monitor's)?
 */
static void print_theorem3_row(FILE *f, const struct audit_row *row)
{
	const char *mn = isa_info(row->op)->mnemonic;
	char deps[64], left[64];
	if (!audit_user_sensitive(row)) {
		fprintf(f, "%-12s not user-sensitive: in user mode it does what "
			   "the bare machine does there whatever the control "
			   "state: runs directly, exact\n", mn);
		return;
	}
	if (row->user_control_sensitive) {
		fprintf(f, "%-12s user-sensitive: changes control state in user "
			   "mode, not privileged: cannot run directly\n", mn);
		return;
	}
	unsigned rest = row->user_depends & ~AUDIT_MIRRORABLE;
	deps_text(row->user_depends, deps, sizeof deps);
	deps_text(rest, left, sizeof left);
	if (!rest)
		fprintf(f, "%-12s user-sensitive (reads %s), not privileged; the "
			   "monitor makes %s the guest's: exact run directly\n",
			mn, deps, deps);
	else if (rest == AUDIT_DEP_PG)
		fprintf(f, "%-12s user-sensitive (reads %s), not privileged; PG "
			   "cannot be the guest's (the monitor's paging is always "
			   "on): exact run directly only with the guest's paging "
			   "on\n", mn, deps);
	else
		fprintf(f, "%-12s user-sensitive (reads %s), not privileged; %s "
			   "cannot be the guest's: not exact run directly\n", mn,
			deps, left);
}

static void print_theorem3(FILE *f, const char *mode,
			   const struct audit_row rows[OP_COUNT])
{
	fprintf(f, "\nTheorem 3 (a hybrid VMM: supervisor code interpreted, "
		   "user code run directly), user-mode runs only:\n");
	bool any = false, exact_with_paging = true;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct audit_row *row = &rows[op];
		if (!audit_sensitive(row) || row->privileged)
			continue;
		print_theorem3_row(f, row);
		any = true;
		if (audit_user_sensitive(row) &&
		    (row->user_control_sensitive ||
		     (row->user_depends & ~(AUDIT_MIRRORABLE | AUDIT_DEP_PG))))
			exact_with_paging = false;
	}
	if (!any)
		fprintf(f, "every sensitive instruction traps in user mode\n");
	if (audit_theorem3_holds(rows)) {
		fprintf(f, "Theorem 3 holds: every user-sensitive instruction is "
			   "privileged (%s mode)\n", mode);
		return;
	}
	fprintf(f, "Theorem 3 fails: ");
	unsigned i = unprivileged(f, rows, audit_user_sensitive);
	fprintf(f, " %s user-sensitive but not privileged (%s mode)%s\n",
		i == 1 ? "is" : "are", mode,
		exact_with_paging ? "; with IE and TVEC mirrored it holds for "
				    "user code with paging on, and a hybrid VMM "
				    "that also interprets user code with paging "
				    "off is exact"
				  : "");
}

/* One disagreement: "audit: the instruction table disagrees with
 * execution: MNEMONIC: the table says X, execution says Y". */
static int disagree(FILE *err, unsigned op, const char *what, bool table,
		    bool seen)
{
	if (err)
		fprintf(err, "audit: the instruction table disagrees with "
			     "execution: %s: the table says %s%s, execution "
			     "says %s%s\n",
			isa_info(op)->mnemonic, table ? "" : "not ", what,
			seen ? "" : "not ", what);
	return 1;
}

int audit_check_table(bool leaky, const struct audit_row rows[OP_COUNT],
		      FILE *err)
{
	int n = 0;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct isa_opinfo *info = isa_info(op);
		const struct audit_row *row = &rows[op];
		unsigned fl = info->flags;
		bool priv = (fl & ISA_F_PRIV) || ((fl & ISA_F_SENSITIVE) && !leaky);
		bool sensitive = fl & (ISA_F_PRIV | ISA_F_SENSITIVE);
		bool behaviour = sensitive && isa_format_writes_rd(info->format);
		bool control = sensitive && !behaviour;
		bool traps = fl & ISA_F_TRAP;
		bool always_trapped =
			!((row->user_outcomes | row->super_outcomes) &
			  (AUDIT_RAN | AUDIT_WAITED));

		if (row->privileged != priv)
			n += disagree(err, op, "privileged", priv, row->privileged);
		if (row->control_sensitive != control)
			n += disagree(err, op, "control-sensitive", control,
				      row->control_sensitive);
		if (row->behaviour_sensitive != behaviour)
			n += disagree(err, op, "behaviour-sensitive", behaviour,
				      row->behaviour_sensitive);
		if (always_trapped != traps)
			n += disagree(err, op, "trapping in every run", traps,
				      always_trapped);
	}
	return n;
}
