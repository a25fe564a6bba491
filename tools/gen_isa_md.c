/*
 * gen_isa_md.c - regenerates the tables of isa/ISA.md from the one
 * description of PG32 (isa/isa_table.h and the X-macros of isa/isa.h and
 * machine/machine.h).
 *
 *   gen_isa_md ISA.md > ISA.md.new
 *
 * The manual is copied to stdout unchanged, except that every region
 *
 *   <!-- BEGIN GENERATED: NAME -->
 *   ...
 *   <!-- END GENERATED: NAME -->
 *
 * is refilled with freshly generated Markdown.  Running the generator on
 * its own output changes nothing, so `make check-isa-md` can diff the two.
 *
 * Regions (NAME):
 *   instructions            every instruction, with a group column
 *   instructions-GROUP      one group: alu, immediate, memory, control,
 *                           system, privileged, sensitive
 *   formats                 field layout and immediate range per format
 *   control-registers       mfcr/mtcr numbers
 *   causes, interrupts      CAUSE codes
 *   pg-classification       Popek-Goldberg classification, clean and leaky
 *   costs                   the cycle cost model
 *   vmx-controls, vmx-exits the hardware assist's exit controls and
 *                           exit reasons (section 15)
 *
 * Nothing here is a hand-kept copy of the table.  Groups come from the
 * ISA_F_* flags; what each field of a format holds is found by encoding a
 * probe instruction with isa_encode() and looking where its registers
 * land.  The only per-format facts written here are the format's name and
 * its assembly syntax, in switches the compiler checks for completeness.
 *
 * Decision others must know: the Popek-Goldberg classification is derived
 * as follows.  An instruction is sensitive iff its flags say ISA_F_PRIV or
 * ISA_F_SENSITIVE.  A sensitive instruction with a destination register
 * (mfcr, rdpsw, rdtvec) is behaviour-sensitive: it reveals control state.
 * One without (mtcr, rfe, tlbflush, tlbinv, wfi, wrpsw) exists to change
 * control state: control-sensitive.  It is privileged in a mode if it
 * traps in user mode there: ISA_F_PRIV always, ISA_F_SENSITIVE in clean
 * mode only.  `trapeze audit` must find the same by execution.
 *
 * Exit status: 0, or 1 with a message (unknown region name, unterminated
 * region, unreadable file).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../isa/isa.h"
#include "../machine/machine.h"

#define GENERATED_NOTE \
	"<!-- generated from isa/isa_table.h by tools/gen_isa_md.c \xe2\x80\x94 do not edit -->"

#define BEGIN_MARK "<!-- BEGIN GENERATED: "
#define END_MARK "<!-- END GENERATED: "
#define MARK_TAIL " -->"

/* Bits 25:0: everything but the opcode. */
#define OPERAND_BITS ((1u << ISA_OPCODE_SHIFT) - 1)
#define FIELD_BITS(shift) (0xfu << (shift))

/* ---------------------------------------------------------------------- */
/* Facts about formats that the table cannot say: a name and the syntax.   */

static const char *format_name(enum isa_format fmt)
{
	switch (fmt) {
	case FMT_R: return "R";
	case FMT_I: return "I";
	case FMT_IU: return "IU";
	case FMT_SHIFT: return "SHIFT";
	case FMT_LUI: return "LUI";
	case FMT_LOAD: return "LOAD";
	case FMT_STORE: return "STORE";
	case FMT_BRANCH: return "BRANCH";
	case FMT_JAL: return "JAL";
	case FMT_JALR: return "JALR";
	case FMT_NONE: return "NONE";
	case FMT_RD: return "RD";
	case FMT_RS: return "RS";
	case FMT_MFCR: return "MFCR";
	case FMT_MTCR: return "MTCR";
	case FMT_COUNT: break;
	}
	return "?";
}

/* The operands as the assembler reads them, dest first ("" for none). */
static const char *format_operands(enum isa_format fmt)
{
	switch (fmt) {
	case FMT_R: return "rd, rs1, rs2";
	case FMT_I: return "rd, rs1, imm";
	case FMT_IU: return "rd, rs1, imm";
	case FMT_SHIFT: return "rd, rs1, shamt";
	case FMT_LUI: return "rd, imm";
	case FMT_LOAD: return "rd, off(rs1)";
	case FMT_STORE: return "rs2, off(rs1)";
	case FMT_BRANCH: return "rs1, rs2, label";
	case FMT_JAL: return "rd, label";
	case FMT_JALR: return "rd, off(rs1)";
	case FMT_NONE: return "";
	case FMT_RD: return "rd";
	case FMT_RS: return "rs1";
	case FMT_MFCR: return "rd, CR";
	case FMT_MTCR: return "CR, rs1";
	case FMT_COUNT: break;
	}
	return "?";
}

/* ---------------------------------------------------------------------- */
/* What the encoder says about a format.                                   */

/* Where the operands of a format sit, found by encoding probes. */
struct layout {
	uint32_t used;         /* operand bits the format uses (bits 25:0) */
	const char *field[3];  /* what fields A, B, C hold, or NULL */
	uint32_t imm_bits;     /* the immediate's bits, 0 if none */
	unsigned imm_scale;    /* the byte value of one immediate unit (1 or 4) */
	bool has_imm;
	int64_t imm_lo, imm_hi; /* isa_imm_range(), in the assembler's units */
};

static unsigned first_op_of(enum isa_format fmt)
{
	for (unsigned op = 1; op < OP_COUNT; op++)
		if (isa_info(op)->format == fmt)
			return op;
	return OP_ILLEGAL;
}

static const char *register_role(uint32_t value)
{
	/* the probe puts rd = 1, rs1 = 2, rs2 = 3 */
	switch (value) {
	case 1: return "rd";
	case 2: return "rs1";
	case 3: return "rs2";
	default: return NULL;
	}
}

/* Fills *lay for the format of op.  Returns false if a probe fails to
 * encode, which means the table and this program disagree. */
static bool probe_layout(unsigned op, struct layout *lay)
{
	const struct isa_opinfo *info = isa_info(op);
	static const unsigned shifts[3] = {ISA_A_SHIFT, ISA_B_SHIFT, ISA_C_SHIFT};
	memset(lay, 0, sizeof *lay);
	lay->used = ~info->mask & OPERAND_BITS;
	lay->has_imm = isa_imm_range(info->format, &lay->imm_lo, &lay->imm_hi);

	struct isa_insn in = {.op = (uint8_t)op, .rd = 1, .rs1 = 2, .rs2 = 3};
	if (lay->has_imm && (0 < lay->imm_lo || 0 > lay->imm_hi))
		return false;
	uint32_t word;
	if (!isa_encode(&in, &word))
		return false;
	uint32_t reg_bits = 0;
	for (int f = 0; f < 3; f++) {
		uint32_t bits = FIELD_BITS(shifts[f]);
		lay->field[f] = register_role((word & bits) >> shifts[f]);
		if (lay->field[f])
			reg_bits |= bits;
	}
	lay->imm_bits = lay->used & ~reg_bits;
	lay->imm_scale = 1;
	if (lay->has_imm && lay->imm_bits) {
		/* one unit of the field is worth imm_scale bytes */
		struct isa_insn p = {.op = (uint8_t)op, .imm = 4};
		if (!isa_encode(&p, &word))
			return false;
		unsigned low = 0;
		while (!(lay->imm_bits >> low & 1))
			low++;
		uint32_t units = (word & lay->imm_bits) >> low;
		if (units == 0 || 4 % units)
			return false;
		lay->imm_scale = 4 / units;
	}
	return true;
}

/* The number of bits in the immediate field. */
static unsigned imm_width(const struct layout *lay)
{
	unsigned width = 0;
	for (uint32_t m = lay->imm_bits; m; m >>= 1)
		width += m & 1;
	return width;
}

/* What bit b (0..25) of a format holds: a register role, "immN" (an
 * immediate of N bits) or "0". */
static const char *bit_role(const struct layout *lay, unsigned b)
{
	static const char *const imm_names[] = {
		"imm0",  "imm1",  "imm2",  "imm3",  "imm4",  "imm5",  "imm6",
		"imm7",  "imm8",  "imm9",  "imm10", "imm11", "imm12", "imm13",
		"imm14", "imm15", "imm16", "imm17", "imm18", "imm19", "imm20",
		"imm21", "imm22", "imm23", "imm24", "imm25", "imm26",
	};
	static const unsigned shifts[3] = {ISA_A_SHIFT, ISA_B_SHIFT, ISA_C_SHIFT};
	for (int f = 0; f < 3; f++)
		if (lay->field[f] && (FIELD_BITS(shifts[f]) >> b & 1))
			return lay->field[f];
	if (lay->imm_bits >> b & 1)
		return imm_names[imm_width(lay)];
	return "0";
}

/* ---------------------------------------------------------------------- */
/* Groups and flags.                                                       */

enum group {
	G_ALU,
	G_IMMEDIATE,
	G_MEMORY,
	G_CONTROL,
	G_SYSTEM,
	G_PRIVILEGED,
	G_SENSITIVE,
	G_COUNT
};

static const char *const group_names[G_COUNT] = {
	[G_ALU] = "alu",
	[G_IMMEDIATE] = "immediate",
	[G_MEMORY] = "memory",
	[G_CONTROL] = "control",
	[G_SYSTEM] = "system",
	[G_PRIVILEGED] = "privileged",
	[G_SENSITIVE] = "sensitive",
};

/* The group of an instruction, from its flags (and, to split the ALU
 * instructions as ISA.md section 4 does, whether it has an immediate). */
static enum group group_of(const struct isa_opinfo *info)
{
	int64_t lo, hi;
	if (info->flags & ISA_F_PRIV)
		return G_PRIVILEGED;
	if (info->flags & ISA_F_SENSITIVE)
		return G_SENSITIVE;
	if (info->flags & (ISA_F_LOAD | ISA_F_STORE))
		return G_MEMORY;
	if (info->flags & (ISA_F_BRANCH | ISA_F_JUMP))
		return G_CONTROL;
	if (info->flags & ISA_F_ALU)
		return isa_imm_range(info->format, &lo, &hi) ? G_IMMEDIATE : G_ALU;
	return G_SYSTEM;
}

static const struct {
	unsigned bit;
	const char *name;
} flag_names[] = {
	{ISA_F_ALU, "alu"},       {ISA_F_DIVIDE, "divide"},
	{ISA_F_LOAD, "load"},     {ISA_F_STORE, "store"},
	{ISA_F_BRANCH, "branch"}, {ISA_F_JUMP, "jump"},
	{ISA_F_TRAP, "trap"},     {ISA_F_PRIV, "priv"},
	{ISA_F_SENSITIVE, "sensitive"},
};
#define NFLAGS (sizeof flag_names / sizeof flag_names[0])

static unsigned known_flags(void)
{
	unsigned all = 0;
	for (size_t i = 0; i < NFLAGS; i++)
		all |= flag_names[i].bit;
	return all;
}

/* ---------------------------------------------------------------------- */
/* Markdown output.                                                        */

/* Writes s with '|' escaped, so that it can sit in a table cell. */
static void put_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void put_syntax(FILE *out, const struct isa_opinfo *info)
{
	const char *ops = format_operands(info->format);
	fprintf(out, "`%s%s%s`", info->mnemonic, *ops ? " " : "", ops);
}

static void put_flags(FILE *out, unsigned flags)
{
	bool first = true;
	for (size_t i = 0; i < NFLAGS; i++) {
		if (!(flags & flag_names[i].bit))
			continue;
		fprintf(out, "%s%s", first ? "" : ", ", flag_names[i].name);
		first = false;
	}
	if (first)
		fputs("\xe2\x80\x94", out); /* an em dash: no flags */
}

static void put_instruction_header(FILE *out, bool with_group)
{
	fprintf(out, "| mnemonic | syntax | format | opcode | match | mask | "
		     "semantics | flags |%s\n",
		with_group ? " group |" : "");
	fprintf(out, "|---|---|---|---|---|---|---|---|%s\n",
		with_group ? "---|" : "");
}

static void put_instruction_row(FILE *out, const struct isa_opinfo *info,
				bool with_group)
{
	fprintf(out, "| `%s` | ", info->mnemonic);
	put_syntax(out, info);
	fprintf(out, " | %s | 0x%02x | 0x%08" PRIx32 " | 0x%08" PRIx32 " | `",
		format_name(info->format), info->opcode, info->match,
		info->mask);
	put_cell(out, info->semantics);
	fputs("` | ", out);
	put_flags(out, info->flags);
	if (with_group)
		fprintf(out, " | %s", group_names[group_of(info)]);
	fputs(" |\n", out);
}

/* Generates one instruction table: group G_COUNT means every group. */
static int gen_instructions(FILE *out, enum group g)
{
	bool all = g == G_COUNT;
	put_instruction_header(out, all);
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct isa_opinfo *info = isa_info(op);
		if (all || group_of(info) == g)
			put_instruction_row(out, info, all);
	}
	return 0;
}

static void put_range(FILE *out, const struct layout *lay)
{
	fprintf(out, "%" PRId64 " .. %" PRId64, lay->imm_lo, lay->imm_hi);
	if (lay->imm_scale != 1)
		fprintf(out, " bytes, a multiple of %u", lay->imm_scale);
}

/* The field layout of bits 25:0, high to low, as "25:22 rd · ...". */
static void put_fields(FILE *out, const struct layout *lay)
{
	fputs("`31:26` opcode", out);
	int b = ISA_OPCODE_SHIFT - 1;
	while (b >= 0) {
		const char *role = bit_role(lay, (unsigned)b);
		int low = b;
		while (low > 0 && strcmp(bit_role(lay, (unsigned)low - 1), role) == 0)
			low--;
		fputs(" \xc2\xb7 ", out); /* a middle dot between fields */
		if (low == b)
			fprintf(out, "`%d`", b);
		else
			fprintf(out, "`%d:%d`", b, low);
		fprintf(out, " %s", role);
		b = low - 1;
	}
}

static int gen_formats(FILE *out)
{
	fputs("| format | operands | fields (bits 31 to 0; `0`: must be zero) "
	      "| immediate | range | used by |\n",
	      out);
	fputs("|---|---|---|---|---|---|\n", out);
	for (unsigned f = 0; f < FMT_COUNT; f++) {
		enum isa_format fmt = (enum isa_format)f;
		unsigned op = first_op_of(fmt);
		if (op == OP_ILLEGAL)
			continue; /* no instruction uses it: nothing to document */
		struct layout lay;
		if (!probe_layout(op, &lay)) {
			fprintf(stderr, "gen_isa_md: format %s does not encode a "
					"probe instruction\n",
				format_name(fmt));
			return -1;
		}
		const char *ops = format_operands(fmt);
		fprintf(out, "| %s | %s%s%s | ", format_name(fmt), *ops ? "`" : "",
			*ops ? ops : "(none)", *ops ? "`" : "");
		put_fields(out, &lay);
		fputs(" | ", out);
		if (lay.has_imm && lay.imm_bits) {
			fprintf(out, "%u bits, %s", imm_width(&lay),
				lay.imm_lo < 0 ? "sign-extended" : "zero-extended");
			if (lay.imm_scale != 1)
				fprintf(out, ", in words (\xc3\x97%u)", lay.imm_scale);
			fputs(" | ", out);
			put_range(out, &lay);
		} else {
			fputs("\xe2\x80\x94 | \xe2\x80\x94", out);
		}
		fputs(" |", out);
		const char *sep = " ";
		for (unsigned o = 1; o < OP_COUNT; o++) {
			if (isa_info(o)->format != fmt)
				continue;
			fprintf(out, "%s%s", sep, isa_info(o)->mnemonic);
			sep = ", ";
		}
		fputs(" |\n", out);
	}
	return 0;
}

static int gen_control_registers(FILE *out)
{
	fputs("| number | name | meaning |\n|---|---|---|\n", out);
#define ROW_CR(name, str, doc) \
	fprintf(out, "| %d | `%s` | %s |\n", CR_##name, str, doc);
	PG32_CONTROL_REGISTERS(ROW_CR)
#undef ROW_CR
	return 0;
}

static int gen_causes(FILE *out)
{
	fputs("| code | name | meaning | BADVA |\n|---|---|---|---|\n", out);
	/* Which causes carry an address is a fact of the cause list's own
	 * documentation (the BADVA control register's line names them). */
	const char *badva_doc = isa_cr_doc(CR_BADVA);
#define ROW_CAUSE(name, code, doc)                                        \
	fprintf(out, "| %d | `%s` | %s | %s |\n", code, #name, doc,       \
		strstr(badva_doc, #name) ? "the faulting address" : "0");
	PG32_CAUSES(ROW_CAUSE)
#undef ROW_CAUSE
	return 0;
}

static int gen_interrupts(FILE *out)
{
	fputs("| code | CAUSE value | name | source |\n|---|---|---|---|\n", out);
#define ROW_IRQ(name, code, doc)                                            \
	fprintf(out, "| %d | 0x%08" PRIx32 " | `%s` | %s |\n", code,        \
		(uint32_t)(CAUSE_INTERRUPT | (uint32_t)(code)), #name, doc);
	PG32_INTERRUPTS(ROW_IRQ)
#undef ROW_IRQ
	return 0;
}

static int gen_costs(FILE *out)
{
	fputs("| event | cycles | charged for |\n|---|---|---|\n", out);
#define ROW_COST(name, cycles, doc) \
	fprintf(out, "| `%s` | %d | %s |\n", #name, cycles, doc);
	MACH_COSTS(ROW_COST)
#undef ROW_COST
	return 0;
}

/* The hardware-assist extension's exit controls and exit reasons
 * (machine/machine.h, ISA.md section 15). */
static int gen_vmx_controls(FILE *out)
{
	fputs("| bit | control | exits on |\n|---|---|---|\n", out);
#define ROW_VMX_CONTROL(name, bit, doc) \
	fprintf(out, "| %d | `%s` | %s |\n", bit, #name, doc);
	MACH_VMX_CONTROLS(ROW_VMX_CONTROL)
#undef ROW_VMX_CONTROL
	return 0;
}

static int gen_vmx_exits(FILE *out)
{
	fputs("| reason | qualification |\n|---|---|\n", out);
#define ROW_VMX_EXIT(name, doc) fprintf(out, "| `%s` | %s |\n", #name, doc);
	MACH_VMEXIT_REASONS(ROW_VMX_EXIT)
#undef ROW_VMX_EXIT
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Popek and Goldberg.                                                     */

enum mode { MODE_CLEAN, MODE_LEAKY, MODE_COUNT };
static const char *const mode_names[MODE_COUNT] = {"clean", "leaky"};

static bool is_sensitive(const struct isa_opinfo *info)
{
	return info->flags & (ISA_F_PRIV | ISA_F_SENSITIVE);
}

/* A sensitive instruction that yields a register result reveals control
 * state; one that yields none is there to change it. */
static bool has_rd(unsigned op)
{
	return isa_format_writes_rd(isa_info(op)->format);
}

static bool is_behaviour_sensitive(unsigned op)
{
	return is_sensitive(isa_info(op)) && has_rd(op);
}

static bool is_control_sensitive(unsigned op)
{
	return is_sensitive(isa_info(op)) && !has_rd(op);
}

/* Privileged in the sense of the theorem: traps in user mode (and not in
 * supervisor mode). */
static bool is_privileged(const struct isa_opinfo *info, enum mode mode)
{
	if (info->flags & ISA_F_PRIV)
		return true;
	return (info->flags & ISA_F_SENSITIVE) && mode == MODE_CLEAN;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* A list of the mnemonics for which pick(op, arg) holds, as `a`, `b`. */
static void put_list(FILE *out, bool (*pick)(unsigned op, int arg), int arg)
{
	const char *sep = "";
	bool any = false;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		if (!pick(op, arg))
			continue;
		fprintf(out, "%s`%s`", sep, isa_info(op)->mnemonic);
		sep = ", ";
		any = true;
	}
	if (!any)
		fputs("none", out);
}

/* Sensitive but not privileged in mode: what breaks Theorem 1. */
static bool pick_violation(unsigned op, int mode)
{
	const struct isa_opinfo *info = isa_info(op);
	return is_sensitive(info) && !is_privileged(info, (enum mode)mode);
}

/* Innocuous and in group. */
static bool pick_innocuous(unsigned op, int group)
{
	const struct isa_opinfo *info = isa_info(op);
	return !is_sensitive(info) && group_of(info) == (enum group)group;
}

static int gen_pg_classification(FILE *out)
{
	fputs("| instruction | control-sensitive | behaviour-sensitive "
	      "| clean: privileged | clean: verdict "
	      "| leaky: privileged | leaky: verdict |\n",
	      out);
	fputs("|---|---|---|---|---|---|---|\n", out);
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct isa_opinfo *info = isa_info(op);
		if (!is_sensitive(info))
			continue;
		fprintf(out, "| `%s` | %s | %s", info->mnemonic,
			yes_no(is_control_sensitive(op)),
			yes_no(is_behaviour_sensitive(op)));
		for (int m = 0; m < MODE_COUNT; m++) {
			bool priv = is_privileged(info, (enum mode)m);
			fprintf(out, " | %s | %s", yes_no(priv),
				priv ? "traps: emulate"
				     : "**sensitive, not privileged**");
		}
		fputs(" |\n", out);
	}

	fputs("\nInnocuous in both modes (neither control- nor "
	      "behaviour-sensitive, never privileged):\n\n",
	      out);
	for (int g = 0; g < G_COUNT; g++) {
		bool any = false;
		for (unsigned op = 1; op < OP_COUNT; op++)
			any |= pick_innocuous(op, g);
		if (!any)
			continue;
		fprintf(out, "- %s: ", group_names[g]);
		put_list(out, pick_innocuous, g);
		fputs("\n", out);
	}

	fputs("\nTheorem 1 (sensitive \xe2\x8a\x86 privileged), mode by mode:\n\n",
	      out);
	for (int m = 0; m < MODE_COUNT; m++) {
		bool holds = true;
		for (unsigned op = 1; op < OP_COUNT; op++)
			holds &= !pick_violation(op, m);
		fprintf(out, "- %s: ", mode_names[m]);
		if (holds) {
			fputs("**holds** \xe2\x80\x94 every sensitive instruction "
			      "traps in user mode.\n",
			      out);
		} else {
			fputs("**fails** \xe2\x80\x94 sensitive but not privileged: ",
			      out);
			put_list(out, pick_violation, m);
			fputs(".\n", out);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The regions and the copy loop.                                          */

/* Writes the body of region name.  Returns 0, 1 for an unknown name, or
 * -1 if generation failed (the reason is already printed). */
static int generate(FILE *out, const char *name)
{
	if (strcmp(name, "instructions") == 0)
		return gen_instructions(out, G_COUNT);
	if (strncmp(name, "instructions-", 13) == 0) {
		for (int g = 0; g < G_COUNT; g++)
			if (strcmp(name + 13, group_names[g]) == 0)
				return gen_instructions(out, (enum group)g);
		return 1;
	}
	if (strcmp(name, "formats") == 0)
		return gen_formats(out);
	if (strcmp(name, "control-registers") == 0)
		return gen_control_registers(out);
	if (strcmp(name, "causes") == 0)
		return gen_causes(out);
	if (strcmp(name, "interrupts") == 0)
		return gen_interrupts(out);
	if (strcmp(name, "pg-classification") == 0)
		return gen_pg_classification(out);
	if (strcmp(name, "costs") == 0)
		return gen_costs(out);
	if (strcmp(name, "vmx-controls") == 0)
		return gen_vmx_controls(out);
	if (strcmp(name, "vmx-exits") == 0)
		return gen_vmx_exits(out);
	return 1;
}

/* If line is "<mark>NAME -->" (trailing newline allowed), copies NAME into
 * name and returns true. */
static bool match_marker(const char *line, const char *mark, char *name,
			 size_t size)
{
	size_t ml = strlen(mark);
	if (strncmp(line, mark, ml) != 0)
		return false;
	const char *start = line + ml;
	const char *end = strstr(start, MARK_TAIL);
	if (!end || end == start || (size_t)(end - start) >= size)
		return false;
	const char *rest = end + strlen(MARK_TAIL);
	if (strcmp(rest, "\n") != 0 && strcmp(rest, "") != 0)
		return false;
	memcpy(name, start, (size_t)(end - start));
	name[end - start] = '\0';
	return true;
}

static int fail(const char *path, long line, const char *msg, const char *name)
{
	fprintf(stderr, "%s:%ld: error: %s%s%s\n", path, line, msg,
		name ? ": " : "", name ? name : "");
	return 1;
}

static int process(const char *path, FILE *in, FILE *out)
{
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0, begin_line = 0;
	char name[128], endname[128];
	bool inside = false;
	int rc = 0;

	while (getline(&line, &cap, in) != -1) {
		lineno++;
		if (!inside) {
			fputs(line, out);
			if (match_marker(line, BEGIN_MARK, name, sizeof name)) {
				inside = true;
				begin_line = lineno;
				fprintf(out, "%s\n\n", GENERATED_NOTE);
				int r = generate(out, name);
				if (r != 0) {
					rc = r > 0 ? fail(path, lineno,
							  "unknown generated region",
							  name)
						   : 1;
					break;
				}
				fputs("\n", out);
			} else if (match_marker(line, END_MARK, endname,
						sizeof endname)) {
				rc = fail(path, lineno, "END without BEGIN", endname);
				break;
			}
			continue;
		}
		/* inside a region: drop the old text up to the END marker */
		if (match_marker(line, END_MARK, endname, sizeof endname)) {
			if (strcmp(endname, name) != 0) {
				rc = fail(path, lineno,
					  "END marker names another region", endname);
				break;
			}
			fputs(line, out);
			inside = false;
		} else if (match_marker(line, BEGIN_MARK, endname, sizeof endname)) {
			rc = fail(path, lineno, "BEGIN inside a generated region",
				  endname);
			break;
		}
	}
	if (rc == 0 && ferror(in)) {
		fprintf(stderr, "%s: read error: %s\n", path, strerror(errno));
		rc = 1;
	}
	if (rc == 0 && inside)
		rc = fail(path, begin_line, "unterminated generated region", name);
	free(line);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_isa_md ISA.md > ISA.md.new\n");
		return 1;
	}
	/* A flag the table uses but this program cannot name would vanish
	 * from the manual: refuse instead. */
	for (unsigned op = 1; op < OP_COUNT; op++) {
		if (isa_info(op)->flags & ~known_flags()) {
			fprintf(stderr, "gen_isa_md: %s has a flag this program "
					"does not know\n",
				isa_info(op)->mnemonic);
			return 1;
		}
	}
	FILE *in = fopen(argv[1], "r");
	if (!in) {
		fprintf(stderr, "gen_isa_md: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int rc = process(argv[1], in, stdout);
	fclose(in);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "gen_isa_md: write error\n");
		rc = 1;
	}
	return rc;
}
