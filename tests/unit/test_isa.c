/*
 * test_isa.c - the PG32 instruction table, encoder, decoder, disassembler
 * and name tables.
 *
 * Loops run over every op from 1 to OP_COUNT - 1, so a row added to
 * isa_table.h is tested without touching this file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../isa/isa.h"

/* Which fields a format uses, as isa.h documents them.  Written out here
 * rather than taken from isa.c so that the test checks the encoder against
 * the documentation, not against itself. */
struct fields {
	bool rd, rs1, rs2, imm;
};

static struct fields fields_of(enum isa_format fmt)
{
	switch (fmt) {
	case FMT_R:
		return (struct fields){true, true, true, false};
	case FMT_I:
	case FMT_IU:
	case FMT_SHIFT:
	case FMT_LOAD:
	case FMT_JALR:
		return (struct fields){true, true, false, true};
	case FMT_LUI:
	case FMT_JAL:
	case FMT_MFCR:
		return (struct fields){true, false, false, true};
	case FMT_STORE:
	case FMT_BRANCH:
		return (struct fields){false, true, true, true};
	case FMT_NONE:
		return (struct fields){false, false, false, false};
	case FMT_RD:
		return (struct fields){true, false, false, false};
	case FMT_RS:
		return (struct fields){false, true, false, false};
	case FMT_MTCR:
		return (struct fields){false, true, false, true};
	case FMT_COUNT:
		break;
	}
	fail_msg("unknown format %d", (int)fmt);
	return (struct fields){false, false, false, false};
}

static bool is_pc_relative(enum isa_format fmt)
{
	return fmt == FMT_BRANCH || fmt == FMT_JAL;
}

/* Encodes in, decodes the word, and checks that nothing was lost. */
static void check_round_trip(const struct isa_insn *in)
{
	const struct isa_opinfo *info = isa_info(in->op);
	assert_non_null(info);
	uint32_t word = 0;
	if (!isa_encode(in, &word))
		fail_msg("%s rd=%u rs1=%u rs2=%u imm=%d: encode refused",
			 info->mnemonic, in->rd, in->rs1, in->rs2, in->imm);
	assert_int_equal(word >> ISA_OPCODE_SHIFT, info->opcode);
	assert_int_equal(word & info->mask, info->match);

	struct isa_insn out;
	memset(&out, 0xa5, sizeof out);
	assert_true(isa_decode(word, &out));
	assert_int_equal(out.op, in->op);
	assert_int_equal(out.rd, in->rd);
	assert_int_equal(out.rs1, in->rs1);
	assert_int_equal(out.rs2, in->rs2);
	assert_int_equal(out.imm, in->imm);
}

static void test_encode_decode_boundaries(void **state)
{
	(void)state;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct isa_opinfo *info = isa_info(op);
		assert_non_null(info);
		struct fields f = fields_of(info->format);
		int64_t lo = 0, hi = 0;
		assert_int_equal(isa_imm_range(info->format, &lo, &hi), f.imm);

		int64_t imms[5];
		int nimm = 0;
		if (f.imm) {
			imms[nimm++] = lo;
			imms[nimm++] = hi;
			imms[nimm++] = 0;
			/* -1 where the format has it; a branch's smallest
			 * negative offset is one word back. */
			int64_t minus = is_pc_relative(info->format) ? -4 : -1;
			if (lo <= minus)
				imms[nimm++] = minus;
		} else {
			imms[nimm++] = 0;
		}
		static const uint8_t regs[] = {0, 15};
		for (int r = 0; r < 2; r++)
			for (int i = 0; i < nimm; i++) {
				struct isa_insn in = {.op = (uint8_t)op};
				in.rd = f.rd ? regs[r] : 0;
				in.rs1 = f.rs1 ? regs[r] : 0;
				/* rs2 takes the other extreme, so that fields
				 * swapped by mistake show. */
				in.rs2 = f.rs2 ? regs[1 - r] : 0;
				in.imm = (int32_t)imms[i];
				check_round_trip(&in);
			}
	}
}

static void test_encode_rejects_out_of_range(void **state)
{
	(void)state;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct isa_opinfo *info = isa_info(op);
		const uint32_t untouched = 0xdeadbeef;
		uint32_t word = untouched;
		int64_t lo, hi;
		if (isa_imm_range(info->format, &lo, &hi)) {
			/* Off by one at each end; for pc-relative formats off
			 * by one word, since an unaligned offset fails anyway. */
			int64_t step = is_pc_relative(info->format) ? 4 : 1;
			struct isa_insn in = {.op = (uint8_t)op};
			in.imm = (int32_t)(hi + step);
			assert_false(isa_encode(&in, &word));
			in.imm = (int32_t)(lo - step);
			assert_false(isa_encode(&in, &word));
			assert_int_equal(word, untouched);
		}
		if (is_pc_relative(info->format)) {
			for (int32_t off = 1; off < 4; off++) {
				struct isa_insn in = {.op = (uint8_t)op};
				in.imm = off;
				assert_false(isa_encode(&in, &word));
				in.imm = -off;
				assert_false(isa_encode(&in, &word));
			}
		}
		/* A register number that does not fit 4 bits, in each field
		 * (used or not: garbage in an unused field is a bug too). */
		for (int field = 0; field < 3; field++) {
			struct isa_insn in = {.op = (uint8_t)op};
			uint8_t *reg = field == 0 ? &in.rd
				       : field == 1 ? &in.rs1
						    : &in.rs2;
			*reg = 16;
			assert_false(isa_encode(&in, &word));
			*reg = 255;
			assert_false(isa_encode(&in, &word));
		}
		assert_int_equal(word, untouched);
	}
	/* No op at all */
	uint32_t word = 0;
	struct isa_insn none = {.op = OP_ILLEGAL};
	assert_false(isa_encode(&none, &word));
	struct isa_insn beyond = {.op = OP_COUNT};
	assert_false(isa_encode(&beyond, &word));
}

static void test_table_encodings_disjoint(void **state)
{
	(void)state;
	const uint32_t opcode_bits = 0x3fu << ISA_OPCODE_SHIFT;
	for (unsigned a = 1; a < OP_COUNT; a++) {
		const struct isa_opinfo *ia = isa_info(a);
		assert_int_not_equal(ia->opcode, 0x00);
		assert_int_not_equal(ia->opcode, 0x3f);
		assert_true(ia->opcode < 64);
		assert_int_equal(ia->mask & opcode_bits, opcode_bits);
		assert_int_equal(ia->match & ~ia->mask, 0);
		assert_int_equal(ia->match >> ISA_OPCODE_SHIFT, ia->opcode);
		assert_int_equal(isa_lookup(ia->mnemonic), a);
		for (unsigned b = a + 1; b < OP_COUNT; b++) {
			const struct isa_opinfo *ib = isa_info(b);
			/* A word matches both iff the two matches agree on
			 * every bit that both masks fix. */
			uint32_t both = ia->mask & ib->mask;
			if (((ia->match ^ ib->match) & both) == 0)
				fail_msg("%s and %s overlap", ia->mnemonic,
					 ib->mnemonic);
			assert_int_not_equal(ia->opcode, ib->opcode);
			assert_string_not_equal(ia->mnemonic, ib->mnemonic);
		}
	}
	assert_null(isa_info(OP_ILLEGAL));
	assert_null(isa_info(OP_COUNT));
	assert_int_equal(isa_lookup("nope"), OP_ILLEGAL);
	assert_int_equal(isa_lookup("ADD"), OP_ILLEGAL);
	assert_int_equal(isa_lookup(""), OP_ILLEGAL);
	assert_int_equal(isa_lookup("zzz"), OP_ILLEGAL); /* past the last */
}

static void assert_illegal(uint32_t word)
{
	struct isa_insn out;
	memset(&out, 0xa5, sizeof out);
	if (isa_decode(word, &out))
		fail_msg("0x%08x decodes as op %u", word, out.op);
	assert_int_equal(out.op, OP_ILLEGAL);
}

static void test_illegal_words(void **state)
{
	(void)state;
	assert_illegal(0x00000000);
	assert_illegal(0xffffffff);
	/* Unassigned opcodes, with and without operand bits */
	assert_illegal(0x3fu << ISA_OPCODE_SHIFT);
	assert_illegal(0x03ffffff);
	for (unsigned opc = 0; opc < 64; opc++) {
		bool assigned = false;
		for (unsigned op = 1; op < OP_COUNT; op++)
			assigned |= isa_info(op)->opcode == opc;
		if (!assigned)
			assert_illegal(opc << ISA_OPCODE_SHIFT);
	}
	/* A stray bit in each must-be-zero field: the lowest one */
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct isa_opinfo *info = isa_info(op);
		uint32_t unused = info->mask & ~(0x3fu << ISA_OPCODE_SHIFT);
		if (unused == 0)
			continue;
		uint32_t lowest = unused & -unused;
		assert_illegal(info->match | lowest);
		/* and the highest */
		uint32_t highest = 1u << 25;
		while (!(unused & highest))
			highest >>= 1;
		assert_illegal(info->match | highest);
	}
}

/* The lowest bit a format leaves unused, worked out by hand from the
 * layout in isa.h; 0 if it uses every bit. */
static void test_unused_bits_per_format(void **state)
{
	(void)state;
	static const struct {
		enum isa_format fmt;
		uint32_t lowest_unused;
	} expect[] = {
		{FMT_R, 1u << 0},      {FMT_I, 1u << 16},   {FMT_IU, 1u << 16},
		{FMT_SHIFT, 1u << 5},  {FMT_LUI, 1u << 16}, {FMT_LOAD, 1u << 16},
		{FMT_STORE, 1u << 16}, {FMT_BRANCH, 1u << 16},
		{FMT_JAL, 0},          {FMT_JALR, 1u << 16},
		{FMT_NONE, 1u << 0},   {FMT_RD, 1u << 0},   {FMT_RS, 1u << 0},
		{FMT_MFCR, 1u << 3},   {FMT_MTCR, 1u << 3},
	};
	bool seen[FMT_COUNT] = {false};
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct isa_opinfo *info = isa_info(op);
		for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
			if (expect[i].fmt != info->format)
				continue;
			uint32_t unused =
				info->mask & ~(0x3fu << ISA_OPCODE_SHIFT);
			assert_int_equal(unused & -unused,
					 expect[i].lowest_unused);
			if (expect[i].lowest_unused)
				assert_illegal(info->match |
					       expect[i].lowest_unused);
			seen[info->format] = true;
		}
	}
	/* Every format is used by some instruction and was checked. */
	for (int fmt = 0; fmt < FMT_COUNT; fmt++)
		assert_true(seen[fmt]);
}

/* ---- disassembler ---------------------------------------------------- */

struct fake_symbols {
	uint32_t addr[2];
	const char *name[2];
};

static const char *fake_symbolize(void *ctx, uint32_t addr)
{
	const struct fake_symbols *s = ctx;
	for (int i = 0; i < 2; i++)
		if (s->addr[i] == addr)
			return s->name[i];
	return NULL;
}

static uint32_t enc(enum isa_op op, unsigned rd, unsigned rs1, unsigned rs2,
		    int32_t imm)
{
	struct isa_insn in = {(uint8_t)op, (uint8_t)rd, (uint8_t)rs1,
			      (uint8_t)rs2, imm};
	uint32_t word = 0;
	assert_true(isa_encode(&in, &word));
	return word;
}

static void check_dis(uint32_t word, uint32_t pc, const char *expect,
		      struct fake_symbols *syms)
{
	char buf[128];
	memset(buf, 'X', sizeof buf);
	int n = isa_disassemble(word, pc, buf, sizeof buf,
				syms ? fake_symbolize : NULL, syms);
	assert_string_equal(buf, expect);
	assert_int_equal(n, (int)strlen(expect));
}

static void test_disassemble(void **state)
{
	(void)state;
	/* registers: a0=4 a1=5 a2=6 sp=2 ra=1 t0=8 t1=9 */
	check_dis(enc(OP_ADD, 4, 5, 6, 0), 0x1000, "add      a0, a1, a2", NULL);
	check_dis(enc(OP_ADDI, 4, 0, 0, 5), 0x1000, "addi     a0, zero, 5",
		  NULL);
	check_dis(enc(OP_ADDI, 2, 2, 0, -16), 0x1000, "addi     sp, sp, -16",
		  NULL);
	check_dis(enc(OP_ANDI, 8, 9, 0, 0xff), 0, "andi     t0, t1, 0xff",
		  NULL);
	check_dis(enc(OP_SLLI, 8, 8, 0, 31), 0, "slli     t0, t0, 31", NULL);
	check_dis(enc(OP_LUI, 4, 0, 0, 0xf000), 0, "lui      a0, 0xf000",
		  NULL);
	check_dis(enc(OP_LW, 4, 2, 0, 8), 0, "lw       a0, 8(sp)", NULL);
	check_dis(enc(OP_LBU, 4, 5, 0, -1), 0, "lbu      a0, -1(a1)", NULL);
	check_dis(enc(OP_SW, 0, 2, 1, -4), 0, "sw       ra, -4(sp)", NULL);
	check_dis(enc(OP_JALR, 0, 1, 0, 0), 0, "jalr     zero, 0(ra)", NULL);

	struct fake_symbols syms = {{0x1008, 0x2000}, {"loop", "main"}};
	uint32_t beq = enc(OP_BEQ, 0, 4, 0, 8);
	check_dis(beq, 0x1000, "beq      a0, zero, 0x1008", NULL);
	check_dis(beq, 0x1000, "beq      a0, zero, 0x1008 <loop>", &syms);
	check_dis(beq, 0x1004, "beq      a0, zero, 0x100c", &syms);
	check_dis(enc(OP_BNE, 0, 4, 5, -8), 0x1010,
		  "bne      a0, a1, 0x1008 <loop>", &syms);
	check_dis(enc(OP_JAL, 1, 0, 0, 0x1000), 0x1000,
		  "jal      ra, 0x2000 <main>", &syms);

	check_dis(enc(OP_MFCR, 4, 0, 0, CR_CAUSE), 0, "mfcr     a0, cause",
		  NULL);
	check_dis(enc(OP_MTCR, 0, 8, 0, CR_TVEC), 0, "mtcr     tvec, t0",
		  NULL);
	check_dis(enc(OP_SYSCALL, 0, 0, 0, 0), 0, "syscall", NULL);
	check_dis(enc(OP_RFE, 0, 0, 0, 0), 0, "rfe", NULL);
	check_dis(enc(OP_RDCYCLE, 8, 0, 0, 0), 0, "rdcycle  t0", NULL);
	check_dis(enc(OP_TLBINV, 0, 4, 0, 0), 0, "tlbinv   a0", NULL);
	check_dis(enc(OP_WRPSW, 0, 15, 0, 0), 0, "wrpsw    s3", NULL);

	check_dis(0x00000000, 0, ".word 0x00000000", NULL);
	check_dis(0xffffffff, 0, ".word 0xffffffff", NULL);
	check_dis(enc(OP_ADD, 4, 5, 6, 0) | 1, 0, ".word 0x05158001", NULL);
}

static void test_disassemble_truncates(void **state)
{
	(void)state;
	char buf[8];
	memset(buf, 'X', sizeof buf);
	int n = isa_disassemble(enc(OP_ADD, 4, 5, 6, 0), 0, buf, sizeof buf,
				NULL, NULL);
	/* snprintf semantics: the full length, a terminated prefix */
	assert_int_equal(n, (int)strlen("add      a0, a1, a2"));
	assert_string_equal(buf, "add    ");
}

/* Every op disassembles to text that starts with its mnemonic. */
static void test_disassemble_every_op(void **state)
{
	(void)state;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct isa_opinfo *info = isa_info(op);
		char buf[128];
		isa_disassemble(info->match, 0x1000, buf, sizeof buf, NULL,
				NULL);
		size_t n = strlen(info->mnemonic);
		assert_memory_equal(buf, info->mnemonic, n);
		assert_true(buf[n] == ' ' || buf[n] == '\0');
	}
}

/* ---- names ----------------------------------------------------------- */

static void test_register_names(void **state)
{
	(void)state;
	static const char *const abi[ISA_NREGS] = {
		"zero", "ra", "sp", "gp", "a0", "a1", "a2", "a3",
		"t0",   "t1", "t2", "t3", "s0", "s1", "s2", "s3",
	};
	for (int r = 0; r < ISA_NREGS; r++) {
		char name[16]; /* room for any int: -Wformat-truncation */
		snprintf(name, sizeof name, "r%d", r);
		assert_int_equal(isa_reg_lookup(name), r);
		assert_int_equal(isa_reg_lookup(abi[r]), r);
		assert_string_equal(isa_reg_name((unsigned)r), abi[r]);
	}
	static const char *const bad[] = {"r16", "r01", "r00", "x", "",
					   "r",   "R1",  "r1a", "zero ", "a4",
					   "r-1", "SP",  "r20", "t4"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (isa_reg_lookup(bad[i]) != -1)
			fail_msg("\"%s\" accepted as a register", bad[i]);
	assert_null(isa_reg_name(16));
}

static void test_control_register_names(void **state)
{
	(void)state;
	static const char *const names[] = {"psw",   "epc",   "epsw",
					    "cause", "badva", "tvec",
					    "ptbr",  "scratch"};
	assert_int_equal(CR_COUNT, 8);
	for (int cr = 0; cr < CR_COUNT; cr++) {
		assert_string_equal(isa_cr_name((unsigned)cr), names[cr]);
		assert_int_equal(isa_cr_lookup(names[cr]), cr);
		assert_non_null(isa_cr_doc((unsigned)cr));
	}
	assert_int_equal(CR_PSW, 0);
	assert_int_equal(CR_PTBR, 6);
	assert_null(isa_cr_name(CR_COUNT));
	assert_null(isa_cr_doc(CR_COUNT));
	assert_int_equal(isa_cr_lookup("PSW"), -1);
	assert_int_equal(isa_cr_lookup("r1"), -1);
	assert_int_equal(isa_cr_lookup(""), -1);
}

static void test_cause_names(void **state)
{
	(void)state;
	static const char *const exc[] = {NULL,         "ILLEGAL",
					  "PRIV",       "SYSCALL",
					  "BREAK",      "DIVZERO",
					  "MISALIGNED", "PAGE_FAULT",
					  "BUS_ERROR",  "HCALL"};
	/* The codes isa/ISA.md section 6.1 fixes */
	assert_int_equal(CAUSE_ILLEGAL, 1);
	assert_int_equal(CAUSE_BUS_ERROR, 8);
	for (uint32_t code = 1; code < sizeof exc / sizeof exc[0]; code++)
		assert_string_equal(isa_cause_name(code), exc[code]);
	assert_null(isa_cause_name(CAUSE_NONE));
	assert_null(isa_cause_name(CAUSE_COUNT));
	assert_null(isa_cause_name(0xff));
	/* The page-fault detail bits do not change the name */
	assert_string_equal(isa_cause_name(CAUSE_PAGE_FAULT |
					   CAUSE_ACCESS_STORE << CAUSE_ACCESS_SHIFT |
					   CAUSE_PRESENT),
			    "PAGE_FAULT");

	assert_string_equal(isa_cause_name(CAUSE_INTERRUPT | IRQ_TIMER), "TIMER");
	assert_string_equal(isa_cause_name(CAUSE_INTERRUPT | IRQ_CONSOLE),
			    "CONSOLE");
	assert_string_equal(isa_cause_name(CAUSE_INTERRUPT | IRQ_DISK), "DISK");
	assert_int_equal(IRQ_TIMER, 0);
	assert_int_equal(IRQ_DISK, 2);
	assert_null(isa_cause_name(CAUSE_INTERRUPT | IRQ_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_decode_boundaries),
		cmocka_unit_test(test_encode_rejects_out_of_range),
		cmocka_unit_test(test_table_encodings_disjoint),
		cmocka_unit_test(test_illegal_words),
		cmocka_unit_test(test_unused_bits_per_format),
		cmocka_unit_test(test_disassemble),
		cmocka_unit_test(test_disassemble_truncates),
		cmocka_unit_test(test_disassemble_every_op),
		cmocka_unit_test(test_register_names),
		cmocka_unit_test(test_control_register_names),
		cmocka_unit_test(test_cause_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
