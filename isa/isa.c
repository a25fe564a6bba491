/*
 * isa.c - encode, decode and disassemble PG32 instructions, all driven by
 * the one table in isa_table.h.
 */
#include "isa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The bits each format uses besides the opcode (used_bits_FMT_x below).  A
 * word's unused bits must be zero, so the decoder's mask is the opcode plus
 * everything unused.
 */
#define BITS_A (0xfu << ISA_A_SHIFT)
#define BITS_B (0xfu << ISA_B_SHIFT)
#define BITS_C (0xfu << ISA_C_SHIFT)
#define BITS_IMM16 0xffffu
#define BITS_IMM22 0x3fffffu
#define BITS_SHAMT 0x1fu
#define BITS_CR 0x7u

#define used_bits_FMT_R (BITS_A | BITS_B | BITS_C)
#define used_bits_FMT_I (BITS_A | BITS_B | BITS_IMM16)
#define used_bits_FMT_IU (BITS_A | BITS_B | BITS_IMM16)
#define used_bits_FMT_SHIFT (BITS_A | BITS_B | BITS_SHAMT)
#define used_bits_FMT_LUI (BITS_A | BITS_IMM16)
#define used_bits_FMT_LOAD (BITS_A | BITS_B | BITS_IMM16)
#define used_bits_FMT_STORE (BITS_A | BITS_B | BITS_IMM16)
#define used_bits_FMT_BRANCH (BITS_A | BITS_B | BITS_IMM16)
#define used_bits_FMT_JAL (BITS_A | BITS_IMM22)
#define used_bits_FMT_JALR (BITS_A | BITS_B | BITS_IMM16)
#define used_bits_FMT_NONE 0u
#define used_bits_FMT_RD BITS_A
#define used_bits_FMT_RS BITS_B
#define used_bits_FMT_MFCR (BITS_A | BITS_CR)
#define used_bits_FMT_MTCR (BITS_B | BITS_CR)

#define OPCODE_MATCH(opc) ((uint32_t)(opc) << ISA_OPCODE_SHIFT)

static const struct isa_opinfo op_table[OP_COUNT] = {
#define ISA_X_INFO(name, mn, opc, fmt, fl, sem) \
	[OP_##name] = {mn, opc, fmt, fl, OPCODE_MATCH(opc), ~used_bits_of(fmt), sem},
#define used_bits_of(fmt) used_bits_##fmt
	PG32_INSTRUCTIONS(ISA_X_INFO)
#undef ISA_X_INFO
};

/* Opcode -> op; 0 (OP_ILLEGAL) for the unassigned opcodes. */
static const uint8_t op_by_opcode[64] = {
#define ISA_X_INDEX(name, mn, opc, fmt, fl, sem) [opc] = OP_##name,
	PG32_INSTRUCTIONS(ISA_X_INDEX)
#undef ISA_X_INDEX
};

const struct isa_opinfo *isa_info(unsigned op)
{
	if (op == OP_ILLEGAL || op >= OP_COUNT)
		return NULL;
	return &op_table[op];
}

/* The ops in strcmp order of their mnemonics, sorted on first use: the
 * assembler looks up every statement's name, and a binary search takes 7
 * comparisons where a walk of the table takes 30 on average. */
static uint8_t ops_by_mnemonic[OP_COUNT - 1];

static int by_mnemonic(const void *a, const void *b)
{
	return strcmp(op_table[*(const uint8_t *)a].mnemonic,
		      op_table[*(const uint8_t *)b].mnemonic);
}

static int mnemonic_vs_op(const void *mnemonic, const void *op)
{
	return strcmp(mnemonic, op_table[*(const uint8_t *)op].mnemonic);
}

enum isa_op isa_lookup(const char *mnemonic)
{
	if (ops_by_mnemonic[0] == OP_ILLEGAL) {
		for (unsigned op = 1; op < OP_COUNT; op++)
			ops_by_mnemonic[op - 1] = (uint8_t)op;
		qsort(ops_by_mnemonic, OP_COUNT - 1, 1, by_mnemonic);
	}
	const uint8_t *op = bsearch(mnemonic, ops_by_mnemonic, OP_COUNT - 1, 1,
				    mnemonic_vs_op);
	return op ? (enum isa_op)*op : OP_ILLEGAL;
}

static int32_t sext(uint32_t value, unsigned bits)
{
	uint32_t sign = 1u << (bits - 1);
	return (int32_t)((value ^ sign) - sign);
}

bool isa_decode(uint32_t word, struct isa_insn *out)
{
	memset(out, 0, sizeof *out);
	unsigned op = op_by_opcode[word >> ISA_OPCODE_SHIFT];
	if (op == OP_ILLEGAL || (word & op_table[op].mask) != op_table[op].match)
		return false;

	unsigned a = (word >> ISA_A_SHIFT) & 0xf;
	unsigned b = (word >> ISA_B_SHIFT) & 0xf;
	unsigned c = (word >> ISA_C_SHIFT) & 0xf;
	uint32_t imm16 = word & BITS_IMM16;

	out->op = (uint8_t)op;
	switch (op_table[op].format) {
	case FMT_R:
		out->rd = a, out->rs1 = b, out->rs2 = c;
		break;
	case FMT_I:
	case FMT_LOAD:
	case FMT_JALR:
		out->rd = a, out->rs1 = b, out->imm = sext(imm16, 16);
		break;
	case FMT_IU:
	case FMT_SHIFT:
		out->rd = a, out->rs1 = b, out->imm = (int32_t)imm16;
		break;
	case FMT_LUI:
		out->rd = a, out->imm = (int32_t)imm16;
		break;
	case FMT_STORE:
		out->rs2 = a, out->rs1 = b, out->imm = sext(imm16, 16);
		break;
	case FMT_BRANCH:
		out->rs1 = a, out->rs2 = b, out->imm = sext(imm16, 16) * 4;
		break;
	case FMT_JAL:
		out->rd = a, out->imm = sext(word & BITS_IMM22, 22) * 4;
		break;
	case FMT_NONE:
		break;
	case FMT_RD:
		out->rd = a;
		break;
	case FMT_RS:
		out->rs1 = b;
		break;
	case FMT_MFCR:
		out->rd = a, out->imm = (int32_t)(imm16 & BITS_CR);
		break;
	case FMT_MTCR:
		out->rs1 = b, out->imm = (int32_t)(imm16 & BITS_CR);
		break;
	case FMT_COUNT:
		return false;
	}
	return true;
}

bool isa_format_writes_rd(enum isa_format fmt)
{
	switch (fmt) {
	case FMT_R: case FMT_I: case FMT_IU: case FMT_SHIFT: case FMT_LUI:
	case FMT_LOAD: case FMT_JAL: case FMT_JALR: case FMT_RD: case FMT_MFCR:
		return true;
	default:
		return false;
	}
}

bool isa_imm_range(enum isa_format fmt, int64_t *lo, int64_t *hi)
{
	switch (fmt) {
	case FMT_I:
	case FMT_LOAD:
	case FMT_STORE:
	case FMT_JALR:
		*lo = -32768, *hi = 32767;
		return true;
	case FMT_IU:
	case FMT_LUI:
		*lo = 0, *hi = 65535;
		return true;
	case FMT_SHIFT:
		*lo = 0, *hi = 31;
		return true;
	case FMT_BRANCH:
		*lo = -32768 * 4, *hi = 32767 * 4;
		return true;
	case FMT_JAL:
		*lo = -(1 << 21) * 4, *hi = ((1 << 21) - 1) * 4;
		return true;
	case FMT_MFCR:
	case FMT_MTCR:
		*lo = 0, *hi = CR_COUNT - 1;
		return true;
	default:
		return false;
	}
}

bool isa_encode(const struct isa_insn *in, uint32_t *word)
{
	const struct isa_opinfo *info = isa_info(in->op);
	if (!info || in->rd >= ISA_NREGS || in->rs1 >= ISA_NREGS ||
	    in->rs2 >= ISA_NREGS)
		return false;
	int64_t lo, hi;
	if (isa_imm_range(info->format, &lo, &hi) &&
	    (in->imm < lo || in->imm > hi))
		return false;

	uint32_t a = 0, b = 0, c = 0, imm = 0;
	switch (info->format) {
	case FMT_R:
		a = in->rd, b = in->rs1, c = in->rs2;
		break;
	case FMT_I:
	case FMT_IU:
	case FMT_SHIFT:
	case FMT_LOAD:
	case FMT_JALR:
		a = in->rd, b = in->rs1, imm = (uint32_t)in->imm & BITS_IMM16;
		break;
	case FMT_LUI:
		a = in->rd, imm = (uint32_t)in->imm;
		break;
	case FMT_STORE:
		a = in->rs2, b = in->rs1, imm = (uint32_t)in->imm & BITS_IMM16;
		break;
	case FMT_BRANCH:
		if (in->imm % 4)
			return false;
		a = in->rs1, b = in->rs2;
		imm = (uint32_t)(in->imm / 4) & BITS_IMM16;
		break;
	case FMT_JAL:
		if (in->imm % 4)
			return false;
		a = in->rd, imm = (uint32_t)(in->imm / 4) & BITS_IMM22;
		break;
	case FMT_NONE:
		break;
	case FMT_RD:
		a = in->rd;
		break;
	case FMT_RS:
		b = in->rs1;
		break;
	case FMT_MFCR:
		a = in->rd, imm = (uint32_t)in->imm;
		break;
	case FMT_MTCR:
		b = in->rs1, imm = (uint32_t)in->imm;
		break;
	case FMT_COUNT:
		return false;
	}
	*word = info->match | a << ISA_A_SHIFT | b << ISA_B_SHIFT |
		c << ISA_C_SHIFT | imm;
	return true;
}

static const char *const reg_names[ISA_NREGS] = {
	"zero", "ra", "sp", "gp", "a0", "a1", "a2", "a3",
	"t0",   "t1", "t2", "t3", "s0", "s1", "s2", "s3",
};

const char *isa_reg_name(unsigned reg)
{
	return reg < ISA_NREGS ? reg_names[reg] : NULL;
}

int isa_reg_lookup(const char *name)
{
	for (int r = 0; r < ISA_NREGS; r++)
		if (strcmp(name, reg_names[r]) == 0)
			return r;
	/* r0..r15, without leading zeros */
	if (name[0] == 'r' && name[1] >= '0' && name[1] <= '9') {
		int n = name[1] - '0';
		if (name[2] == '\0')
			return n;
		if (n == 1 && name[2] >= '0' && name[2] <= '5' && name[3] == '\0')
			return 10 + name[2] - '0';
	}
	return -1;
}

static const struct {
	const char *name, *doc;
} cr_table[CR_COUNT] = {
#define ISA_X_CRINFO(name, str, doc) [CR_##name] = {str, doc},
	PG32_CONTROL_REGISTERS(ISA_X_CRINFO)
#undef ISA_X_CRINFO
};

const char *isa_cr_name(unsigned cr)
{
	return cr < CR_COUNT ? cr_table[cr].name : NULL;
}

const char *isa_cr_doc(unsigned cr)
{
	return cr < CR_COUNT ? cr_table[cr].doc : NULL;
}

int isa_cr_lookup(const char *name)
{
	for (int cr = 0; cr < CR_COUNT; cr++)
		if (strcmp(name, cr_table[cr].name) == 0)
			return cr;
	return -1;
}

const char *isa_cause_name(uint32_t cause)
{
	static const char *const exc[CAUSE_COUNT] = {
#define ISA_X_CAUSENAME(name, code, doc) [code] = #name,
		PG32_CAUSES(ISA_X_CAUSENAME)
#undef ISA_X_CAUSENAME
	};
	static const char *const irq[IRQ_COUNT] = {
#define ISA_X_IRQNAME(name, code, doc) [code] = #name,
		PG32_INTERRUPTS(ISA_X_IRQNAME)
#undef ISA_X_IRQNAME
	};
	unsigned code = cause & CAUSE_CODE_MASK;
	if (cause & CAUSE_INTERRUPT)
		return code < IRQ_COUNT ? irq[code] : NULL;
	return code < CAUSE_COUNT ? exc[code] : NULL;
}

/* Appends a branch target: "0x1040 <loop>" or just "0x1040". */
static int print_target(char *buf, size_t size, uint32_t target,
			isa_symbolizer *symbolize, void *ctx)
{
	const char *sym = symbolize ? symbolize(ctx, target) : NULL;
	if (sym)
		return snprintf(buf, size, "0x%x <%s>", target, sym);
	return snprintf(buf, size, "0x%x", target);
}

int isa_disassemble(uint32_t word, uint32_t pc, char *buf, size_t size,
		    isa_symbolizer *symbolize, void *ctx)
{
	struct isa_insn in;
	if (!isa_decode(word, &in))
		return snprintf(buf, size, ".word 0x%08x", word);

	const struct isa_opinfo *info = isa_info(in.op);
	const char *mn = info->mnemonic;
	const char *rd = reg_names[in.rd], *rs1 = reg_names[in.rs1],
		   *rs2 = reg_names[in.rs2];
	int n = 0;
	switch (info->format) {
	case FMT_R:
		return snprintf(buf, size, "%-8s %s, %s, %s", mn, rd, rs1, rs2);
	case FMT_I:
	case FMT_SHIFT:
		return snprintf(buf, size, "%-8s %s, %s, %d", mn, rd, rs1, in.imm);
	case FMT_IU:
	case FMT_LUI:
		if (info->format == FMT_LUI)
			return snprintf(buf, size, "%-8s %s, 0x%x", mn, rd,
					(unsigned)in.imm);
		return snprintf(buf, size, "%-8s %s, %s, 0x%x", mn, rd, rs1,
				(unsigned)in.imm);
	case FMT_LOAD:
	case FMT_JALR:
		return snprintf(buf, size, "%-8s %s, %d(%s)", mn, rd, in.imm, rs1);
	case FMT_STORE:
		return snprintf(buf, size, "%-8s %s, %d(%s)", mn, rs2, in.imm, rs1);
	case FMT_BRANCH:
		n = snprintf(buf, size, "%-8s %s, %s, ", mn, rs1, rs2);
		break;
	case FMT_JAL:
		n = snprintf(buf, size, "%-8s %s, ", mn, rd);
		break;
	case FMT_NONE:
		return snprintf(buf, size, "%s", mn);
	case FMT_RD:
		return snprintf(buf, size, "%-8s %s", mn, rd);
	case FMT_RS:
		return snprintf(buf, size, "%-8s %s", mn, rs1);
	case FMT_MFCR:
		return snprintf(buf, size, "%-8s %s, %s", mn, rd,
				isa_cr_name((unsigned)in.imm));
	case FMT_MTCR:
		return snprintf(buf, size, "%-8s %s, %s", mn,
				isa_cr_name((unsigned)in.imm), rs1);
	case FMT_COUNT:
		break;
	}
	/* branch or jal: the target, symbolized */
	if (n < 0 || (size_t)n >= size)
		return n;
	return n + print_target(buf + n, size - (size_t)n,
				pc + (uint32_t)in.imm, symbolize, ctx);
}

/* ---- the page walk ------------------------------------------------------ */

static uint32_t page_fault(unsigned access, bool present)
{
	return CAUSE_PAGE_FAULT | access << CAUSE_ACCESS_SHIFT |
	       (present ? CAUSE_PRESENT : 0);
}

uint32_t isa_check_leaf(uint32_t pte, unsigned access, bool user)
{
	uint32_t needed = access == CAUSE_ACCESS_FETCH ? PTE_X
			  : access == CAUSE_ACCESS_LOAD ? PTE_R
							: PTE_W;
	/* Supervisor mode may touch U pages; user mode needs U.  No
	 * permission implies another: a store needs W even if R is set. */
	if ((user && !(pte & PTE_U)) || !(pte & needed))
		return page_fault(access, true);
	return CAUSE_NONE;
}

uint32_t isa_page_walk(isa_read_word_fn *read_word, void *ctx, uint32_t ptbr,
		       uint32_t va, unsigned access, bool user, uint32_t *pte,
		       uint32_t *pte_pa, unsigned *levels)
{
	uint32_t root_pa = (ptbr & PTE_FRAME_MASK) + (va >> 22) * 4;
	uint32_t root;
	*levels = 1;
	if (!read_word(ctx, root_pa, &root))
		return CAUSE_BUS_ERROR;
	if (!(root & PTE_V))
		return page_fault(access, false);
	if (root & (PTE_R | PTE_W | PTE_X)) /* no superpages in PG32 */
		return page_fault(access, true);

	uint32_t leaf_pa = (root & PTE_FRAME_MASK) + ((va >> 12) & 0x3ff) * 4;
	uint32_t leaf;
	*levels = 2;
	if (!read_word(ctx, leaf_pa, &leaf))
		return CAUSE_BUS_ERROR;
	if (!(leaf & PTE_V))
		return page_fault(access, false);
	if (!(leaf & (PTE_R | PTE_W | PTE_X))) /* a pointer where a leaf must be */
		return page_fault(access, true);
	*pte = leaf;
	*pte_pa = leaf_pa;
	return isa_check_leaf(leaf, access, user);
}
