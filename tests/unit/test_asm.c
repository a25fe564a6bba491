/*
 * test_asm.c - the PG32 assembler: every instruction round-trips through
 * the disassembler, every directive, pseudo-instruction and error message
 * gives exactly what isa/asm.c documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../isa/asm.h"
#include "../../isa/isa.h"

/* ---------------------------------------------------------------------- */
/* Helpers.                                                              */

/* Assembles src under the name "t.s"; *diag receives the diagnostics. */
static int assemble_opt(const char *name, const char *src,
			const struct asm_options *base, struct elf_image *img,
			char **diag)
{
	size_t len;
	FILE *f = open_memstream(diag, &len);
	assert_non_null(f);
	struct asm_options opt = {0};
	if (base)
		opt = *base;
	opt.diag = f;
	if (!opt.max_errors)
		opt.max_errors = 1000;
	int n = asm_assemble_string(name, src, &opt, img);
	fclose(f);
	return n;
}

static int assemble(const char *src, struct elf_image *img, char **diag)
{
	return assemble_opt("t.s", src, NULL, img, diag);
}

/* Assembles src, which must be free of errors. */
static void assemble_ok(const char *src, struct elf_image *img)
{
	char *diag;
	int n = assemble(src, img, &diag);
	if (n != 0)
		fprintf(stderr, "unexpected diagnostics for:\n%s\n---\n%s", src, diag);
	assert_int_equal(n, 0);
	assert_string_equal(diag, "");
	free(diag);
}

static void assert_no_image(const struct elf_image *img)
{
	assert_int_equal(img->nsegments, 0);
	assert_null(img->segments);
	assert_int_equal(img->nsymbols, 0);
	assert_null(img->symbols);
	assert_int_equal(img->entry, 0);
}

/* Assembles src, which must fail with exactly the diagnostics want. */
static void expect_diag(const char *src, const char *want)
{
	struct elf_image img;
	char *diag;
	int n = assemble(src, &img, &diag);
	assert_string_equal(diag, want);
	assert_true(n > 0);
	assert_no_image(&img);
	free(diag);
}

static const struct elf_segment *segment(const struct elf_image *img,
					 const char *name)
{
	for (int i = 0; i < img->nsegments; i++)
		if (strcmp(img->segments[i].name, name) == 0)
			return &img->segments[i];
	return NULL;
}

static uint8_t byte_at(const struct elf_image *img, uint32_t addr)
{
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->segments[i];
		if (addr >= s->addr && addr - s->addr < s->filesz)
			return s->data[addr - s->addr];
	}
	fail_msg("no byte at 0x%x", addr);
	return 0;
}

static uint32_t word_at(const struct elf_image *img, uint32_t addr)
{
	return (uint32_t)byte_at(img, addr) | (uint32_t)byte_at(img, addr + 1) << 8 |
	       (uint32_t)byte_at(img, addr + 2) << 16 |
	       (uint32_t)byte_at(img, addr + 3) << 24;
}

static bool symbol(const struct elf_image *img, const char *name,
		   struct elf_symbol *out)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; i < img->nsymbols; i++)
		if (strcmp(img->symbols[i].name, name) == 0) {
			*out = img->symbols[i];
			return true;
		}
	return false;
}

static uint32_t enc(enum isa_op op, int rd, int rs1, int rs2, int32_t imm)
{
	struct isa_insn in = {(uint8_t)op, (uint8_t)rd, (uint8_t)rs1,
			      (uint8_t)rs2, imm};
	uint32_t w = 0;
	assert_true(isa_encode(&in, &w));
	return w;
}

/* The .text words of src must be exactly want[0..n). */
static void expect_text(const char *src, const uint32_t *want, size_t n)
{
	struct elf_image img;
	assemble_ok(src, &img);
	const struct elf_segment *t = segment(&img, ".text");
	assert_non_null(t);
	assert_int_equal(t->addr, ASM_TEXT_BASE);
	assert_int_equal(t->size, n * 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(word_at(&img, ASM_TEXT_BASE + 4 * (uint32_t)i), want[i]);
	elf_image_free(&img);
}

#define EXPECT_TEXT(src, ...)                                          \
	do {                                                           \
		const uint32_t want_[] = {__VA_ARGS__};                \
		expect_text(src, want_, sizeof want_ / sizeof want_[0]); \
	} while (0)

/* The .data bytes of src, from its start, must be exactly want[0..n). */
static void expect_data(const char *src, const uint8_t *want, size_t n)
{
	struct elf_image img;
	assemble_ok(src, &img);
	const struct elf_segment *d = segment(&img, ".data");
	assert_non_null(d);
	assert_int_equal(d->size, n);
	assert_memory_equal(d->data, want, n);
	elf_image_free(&img);
}

#define EXPECT_DATA(src, ...)                                          \
	do {                                                           \
		const uint8_t want_[] = {__VA_ARGS__};                 \
		expect_data(src, want_, sizeof want_);                 \
	} while (0)

/* The value of `.word EXPR` placed in .data. */
static uint32_t eval_word(const char *expr)
{
	char src[512];
	snprintf(src, sizeof src, ".data\nv: .word %s\n", expr);
	struct elf_image img;
	assemble_ok(src, &img);
	const struct elf_segment *d = segment(&img, ".data");
	assert_non_null(d);
	uint32_t w = word_at(&img, d->addr);
	elf_image_free(&img);
	return w;
}

/* ---------------------------------------------------------------------- */
/* encode -> disassemble -> assemble, for every instruction in the table. */

static void roundtrip_one(const struct isa_insn *in)
{
	const struct isa_opinfo *info = isa_info(in->op);
	/* branch targets print as absolute addresses: assemble at a pc from
	 * which the whole reach stays inside the address space */
	uint32_t pc = ASM_TEXT_BASE;
	int64_t lo, hi;
	if ((info->format == FMT_BRANCH || info->format == FMT_JAL) &&
	    isa_imm_range(info->format, &lo, &hi))
		pc = ASM_TEXT_BASE + (uint32_t)-lo;
	uint32_t word;
	assert_true(isa_encode(in, &word));
	char text[128], src[256];
	isa_disassemble(word, pc, text, sizeof text, NULL, NULL);
	snprintf(src, sizeof src, ".org 0x%x\n%s\n", pc, text);
	struct elf_image img;
	char *diag;
	int n = assemble(src, &img, &diag);
	if (n)
		fail_msg("'%s' does not assemble: %s", text, diag);
	free(diag);
	uint32_t got = word_at(&img, pc);
	if (got != word)
		fail_msg("'%s': 0x%08x reassembles to 0x%08x", text, word, got);
	elf_image_free(&img);
}

static void test_roundtrip_every_instruction(void **state)
{
	(void)state;
	static const uint8_t regs[][3] = {{0, 15, 7}, {15, 0, 1}, {5, 9, 15}};
	int checked = 0;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct isa_opinfo *info = isa_info(op);
		assert_non_null(info);
		int64_t lo = 0, hi = 0;
		bool has_imm = isa_imm_range(info->format, &lo, &hi);
		int64_t imms[] = {lo, hi, has_imm && lo < 0 ? 0 : hi / 2};
		for (size_t r = 0; r < 3; r++)
			for (size_t k = 0; k < 3; k++) {
				struct isa_insn in = {(uint8_t)op, regs[r][0],
						      regs[r][1], regs[r][2], 0};
				if (has_imm)
					in.imm = (int32_t)imms[k];
				if ((info->format == FMT_BRANCH ||
				     info->format == FMT_JAL) && in.imm % 4)
					in.imm -= in.imm % 4;
				/* fields the format does not have must be zero
				 * for the word to round-trip: decode clears them */
				uint32_t w;
				assert_true(isa_encode(&in, &w));
				assert_true(isa_decode(w, &in));
				roundtrip_one(&in);
				checked++;
			}
	}
	assert_int_equal(checked, (OP_COUNT - 1) * 9);
}

/* ---------------------------------------------------------------------- */
/* Directives.                                                           */

static void test_data_directives(void **state)
{
	(void)state;
	EXPECT_DATA(".data\n.word 0x11223344, -1\n.half 0x5566, -2\n.byte 7, 255, -128\n",
		    0x44, 0x33, 0x22, 0x11, 0xff, 0xff, 0xff, 0xff, 0x66, 0x55,
		    0xfe, 0xff, 7, 0xff, 0x80);
	EXPECT_DATA(".data\n.ascii \"ab\", \"c\"\n.asciz \"d\"\n.string \"e\"\n",
		    'a', 'b', 'c', 'd', 0, 'e', 0);
	EXPECT_DATA(".data\n.byte 1\n.space 3\n.space 2, 0xaa\n.zero 1\n.byte 2\n",
		    1, 0, 0, 0, 0xaa, 0xaa, 0, 2);
	EXPECT_DATA(".data\n.byte 1\n.align 4\n.byte 2\n.balign 2\n.byte 3\n",
		    1, 0, 0, 0, 2, 0, 3);
	EXPECT_DATA(".section .data\n.byte 1\n.org 0x1004\n.byte 2\n", 1, 0, 0, 0, 2);
	/* .word of a label, .half / .byte of label arithmetic */
	EXPECT_DATA(".data\nx: .word x, y - x\n.half y - x\ny: .byte y - x\n",
		    0x00, 0x10, 0, 0, 10, 0, 0, 0, 10, 0, 10);
}

static void test_text_directives(void **state)
{
	(void)state;
	uint32_t nop = enc(OP_ADDI, 0, 0, 0, 0);
	/* .align pads .text with zeros; .org is absolute */
	EXPECT_TEXT("nop\n.align 16\nnop\n.org 0x1018\nnop\n", nop, 0, 0, 0, nop, 0,
		    nop);
	EXPECT_TEXT(".text\n.word 0xdeadbeef\n.section .text\nnop\n", 0xdeadbeef, nop);
}

static void test_equ_and_globl(void **state)
{
	(void)state;
	struct elf_image img;
	assemble_ok(".globl start, N\n.global M\n.equ N, 3\n.set M, N * 2\n"
		    "K = M + 1\nstart: addi a0, zero, K\nlater = fwd + 1\n"
		    "fwd: .word later\n",
		    &img);
	struct elf_symbol s;
	assert_true(symbol(&img, "N", &s));
	assert_int_equal(s.value, 3);
	assert_int_equal(s.segment, -1);
	assert_true(s.global);
	assert_true(symbol(&img, "M", &s));
	assert_int_equal(s.value, 6);
	assert_true(s.global);
	assert_true(symbol(&img, "K", &s));
	assert_int_equal(s.value, 7);
	assert_false(s.global);
	assert_true(symbol(&img, "start", &s));
	assert_int_equal(s.value, 0x1000);
	assert_int_equal(s.segment, 0);
	assert_true(s.global);
	assert_true(symbol(&img, "later", &s));
	assert_int_equal(s.value, 0x1005);
	assert_int_equal(word_at(&img, 0x1000), enc(OP_ADDI, 4, 0, 0, 7));
	assert_int_equal(word_at(&img, 0x1004), 0x1005);
	elf_image_free(&img);
}

/* ---------------------------------------------------------------------- */
/* Expressions, numbers, characters, strings.                            */

static void test_expressions(void **state)
{
	(void)state;
	assert_int_equal(eval_word("1 + 2 * 3"), 7);
	assert_int_equal(eval_word("(1 + 2) * 3"), 9);
	assert_int_equal(eval_word("1 << 2 + 1"), 8);     /* + binds tighter */
	assert_int_equal(eval_word("6 & 3 | 8"), 10);
	assert_int_equal(eval_word("1 | 2 ^ 3"), 1);      /* ^ before | */
	assert_int_equal(eval_word("12 & 10 ^ 1"), 9);    /* & before ^ */
	assert_int_equal(eval_word("10 - 2 - 3"), 5);     /* left to right */
	assert_int_equal(eval_word("100 / 10 / 5"), 2);
	assert_int_equal(eval_word("-5 / 2"), (uint32_t)-2);
	assert_int_equal(eval_word("-5 % 2"), (uint32_t)-1);
	assert_int_equal(eval_word("17 % 5 * 2"), 4);
	assert_int_equal(eval_word("~0"), 0xffffffff);
	assert_int_equal(eval_word("-~1"), 2);
	assert_int_equal(eval_word("0x80 >> 3"), 0x10);
	assert_int_equal(eval_word("-16 >> 2"), (uint32_t)-4);
	assert_int_equal(eval_word("1 << 31"), 0x80000000);
	assert_int_equal(eval_word("0b1010 + 0o17 + 017 + 0x1F + 10"), 10 + 15 + 15 + 31 + 10);
	assert_int_equal(eval_word("0"), 0);
	assert_int_equal(eval_word("((((7))))"), 7);
	assert_int_equal(eval_word("+3"), 3);
	/* `.` is the address of the statement; label differences */
	assert_int_equal(eval_word(". - v"), 0);
	assert_int_equal(eval_word("v + 4 - ."), 4);
	/* every item of a list sees the address of the directive */
	EXPECT_DATA(".data\na: .word b - a, . - a\nb: .word . - a\n", 8, 0, 0, 0,
		    0, 0, 0, 0, 8, 0, 0, 0);
}

static void test_chars_and_strings(void **state)
{
	(void)state;
	EXPECT_DATA(".data\n.byte 'a', '\\n', '\\\\', '\\'', '\\0', '\\x41', '\\101', '#', ';', '\"'\n",
		    'a', '\n', '\\', '\'', 0, 0x41, 0x41, '#', ';', '"');
	EXPECT_DATA(".data\n.ascii \"\\n\\t\\r\\0\\\\\\\"\\xff\\101\\7#;'\"  # comment\n",
		    '\n', '\t', '\r', 0, '\\', '"', 0xff, 'A', 7, '#', ';', '\'');
	EXPECT_DATA(".data\n.ascii \"x\\a\\b\\f\\v\"\n", 'x', 7, 8, 12, 11);
}

static void test_semicolons_and_labels(void **state)
{
	(void)state;
	uint32_t nop = enc(OP_ADDI, 0, 0, 0, 0);
	struct elf_image img;
	assemble_ok("a: b: nop ; c: nop;nop # x ; y\n  ;  \n", &img);
	struct elf_symbol s;
	assert_true(symbol(&img, "a", &s));
	assert_int_equal(s.value, 0x1000);
	assert_true(symbol(&img, "b", &s));
	assert_int_equal(s.value, 0x1000);
	assert_true(symbol(&img, "c", &s));
	assert_int_equal(s.value, 0x1004);
	assert_int_equal(segment(&img, ".text")->size, 12);
	assert_int_equal(word_at(&img, 0x1008), nop);
	elf_image_free(&img);
}

/* ---------------------------------------------------------------------- */
/* Labels.                                                               */

static void test_local_labels_and_forward_refs(void **state)
{
	(void)state;
	EXPECT_TEXT("1: beq zero, zero, 1f\n"
		    "   beq zero, zero, 1b\n"
		    "1: beq zero, zero, 1b\n"
		    "   jal zero, fwd\n"
		    "fwd: jal ra, 1b\n",
		    enc(OP_BEQ, 0, 0, 0, 8), enc(OP_BEQ, 0, 0, 0, -4),
		    enc(OP_BEQ, 0, 0, 0, 0), enc(OP_JAL, 0, 0, 0, 4),
		    enc(OP_JAL, 1, 0, 0, -8));
	/* local labels are not symbols */
	struct elf_image img;
	assemble_ok("1: nop\n2: j 1b\n", &img);
	assert_int_equal(img.nsymbols, 0);
	elf_image_free(&img);
}

static void test_entry_and_data_placement(void **state)
{
	(void)state;
	struct elf_image img;
	/* no _start: the start of .text */
	assemble_ok("nop\n.data\nd: .word 1\n", &img);
	assert_int_equal(img.entry, 0x1000);
	assert_int_equal(img.nsegments, 2);
	assert_string_equal(img.segments[0].name, ".text");
	assert_int_equal(img.segments[0].flags, ELF_SEG_R | ELF_SEG_X);
	assert_string_equal(img.segments[1].name, ".data");
	assert_int_equal(img.segments[1].addr, 0x2000);
	assert_int_equal(img.segments[1].flags, ELF_SEG_R | ELF_SEG_W);
	struct elf_symbol s;
	assert_true(symbol(&img, "d", &s));
	assert_int_equal(s.value, 0x2000);
	assert_int_equal(s.segment, 1);
	elf_image_free(&img);

	/* _start anywhere, even after .data */
	assemble_ok(".data\n.word 5\n.text\nnop\n_start: nop\n", &img);
	assert_int_equal(img.entry, 0x1004);
	assert_int_equal(segment(&img, ".data")->addr, 0x2000);
	elf_image_free(&img);

	/* .text of exactly 4 KiB: .data at 0x2000; one byte more: 0x3000 */
	assemble_ok(".space 0x1000\n.data\n.byte 1\n", &img);
	assert_int_equal(segment(&img, ".data")->addr, 0x2000);
	elf_image_free(&img);
	assemble_ok(".space 0x1001\n.data\n.byte 1\n", &img);
	assert_int_equal(segment(&img, ".data")->addr, 0x3000);
	elf_image_free(&img);

	/* empty .text: no text segment, .data at 0x1000 */
	assemble_ok(".data\nx: .byte 1\n", &img);
	assert_int_equal(img.nsegments, 1);
	assert_string_equal(img.segments[0].name, ".data");
	assert_int_equal(img.segments[0].addr, 0x1000);
	assert_true(symbol(&img, "x", &s));
	assert_int_equal(s.segment, 0);
	elf_image_free(&img);

	/* .org in .data is absolute, even when .text comes later in the
	 * source and pushes .data up; la sees the final address */
	assemble_ok(".data\n.org 0x3010\nv: .word v\n.text\nla a0, v\n"
		    ".space 0x1800\n",
		    &img);
	assert_int_equal(segment(&img, ".data")->addr, 0x3010);
	assert_int_equal(word_at(&img, 0x3010), 0x3010);
	assert_int_equal(word_at(&img, 0x1000), enc(OP_LUI, 4, 0, 0, 0));
	assert_int_equal(word_at(&img, 0x1004), enc(OP_ORI, 4, 4, 0, 0x3010));
	elf_image_free(&img);

	/* a .org before anything is emitted moves the section's start (no
	 * padding from 0x1000), and .data follows the moved .text */
	assemble_ok(".org 0x400000\n_start: nop\n.data\nd: .word 1\n", &img);
	assert_int_equal(segment(&img, ".text")->addr, 0x400000);
	assert_int_equal(segment(&img, ".text")->size, 4);
	assert_int_equal(segment(&img, ".data")->addr, 0x401000);
	assert_int_equal(img.entry, 0x400000);
	elf_image_free(&img);
}

/* ---------------------------------------------------------------------- */
/* Pseudo-instructions: exact expansions.                                */

static void test_pseudo_expansions(void **state)
{
	(void)state;
	enum { ZERO = 0, RA = 1, A0 = 4, A1 = 5, T0 = 8 };
	EXPECT_TEXT("nop", 0x44000000);
	EXPECT_TEXT("nop", enc(OP_ADDI, ZERO, ZERO, 0, 0));
	EXPECT_TEXT("li a0, 5", enc(OP_ADDI, A0, ZERO, 0, 5));
	EXPECT_TEXT("li a0, -32768", enc(OP_ADDI, A0, ZERO, 0, -32768));
	EXPECT_TEXT("li a0, 32767", enc(OP_ADDI, A0, ZERO, 0, 32767));
	EXPECT_TEXT("li a0, 0x10000", enc(OP_LUI, A0, 0, 0, 1));
	EXPECT_TEXT("li a0, 0xffff0000", enc(OP_LUI, A0, 0, 0, 0xffff));
	EXPECT_TEXT("li a0, -65536", enc(OP_LUI, A0, 0, 0, 0xffff));
	EXPECT_TEXT("li a0, 0x12345678", enc(OP_LUI, A0, 0, 0, 0x1234),
		    enc(OP_ORI, A0, A0, 0, 0x5678));
	EXPECT_TEXT("li a0, 32768", enc(OP_LUI, A0, 0, 0, 0),
		    enc(OP_ORI, A0, A0, 0, 0x8000));
	EXPECT_TEXT("li a0, -32769", enc(OP_LUI, A0, 0, 0, 0xffff),
		    enc(OP_ORI, A0, A0, 0, 0x7fff));
	/* a constant defined further on, or a label: always two words */
	EXPECT_TEXT("li a0, K\n.equ K, 5", enc(OP_LUI, A0, 0, 0, 0),
		    enc(OP_ORI, A0, A0, 0, 5));
	EXPECT_TEXT(".equ K, 5\nli a0, K", enc(OP_ADDI, A0, ZERO, 0, 5));
	EXPECT_TEXT("x: li a0, x", enc(OP_LUI, A0, 0, 0, 0),
		    enc(OP_ORI, A0, A0, 0, 0x1000));
	EXPECT_TEXT("x: li a0, . - x", enc(OP_LUI, A0, 0, 0, 0),
		    enc(OP_ORI, A0, A0, 0, 0));
	EXPECT_TEXT("la t0, x\nx:", enc(OP_LUI, T0, 0, 0, 0),
		    enc(OP_ORI, T0, T0, 0, 0x1008));
	EXPECT_TEXT("mv a0, a1", enc(OP_ADDI, A0, A1, 0, 0));
	EXPECT_TEXT("not a0, a1", enc(OP_SUB, A0, ZERO, A1, 0),
		    enc(OP_ADDI, A0, A0, 0, -1));
	EXPECT_TEXT("neg a0, a1", enc(OP_SUB, A0, ZERO, A1, 0));
	EXPECT_TEXT("seqz a0, a1", enc(OP_SLTIU, A0, A1, 0, 1));
	EXPECT_TEXT("snez a0, a1", enc(OP_SLTU, A0, ZERO, A1, 0));
	EXPECT_TEXT("j x\nx:", enc(OP_JAL, ZERO, 0, 0, 4));
	EXPECT_TEXT("jr t0", enc(OP_JALR, ZERO, T0, 0, 0));
	EXPECT_TEXT("x: call x", enc(OP_JAL, RA, 0, 0, 0));
	EXPECT_TEXT("ret", enc(OP_JALR, ZERO, RA, 0, 0));
	EXPECT_TEXT("x: beqz a0, x", enc(OP_BEQ, 0, A0, ZERO, 0));
	EXPECT_TEXT("x: bnez a0, x", enc(OP_BNE, 0, A0, ZERO, 0));
	EXPECT_TEXT("x: bltz a0, x", enc(OP_BLT, 0, A0, ZERO, 0));
	EXPECT_TEXT("x: bgez a0, x", enc(OP_BGE, 0, A0, ZERO, 0));
	EXPECT_TEXT("x: bgtz a0, x", enc(OP_BLT, 0, ZERO, A0, 0));
	EXPECT_TEXT("x: blez a0, x", enc(OP_BGE, 0, ZERO, A0, 0));
	EXPECT_TEXT("x: bgt a0, a1, x", enc(OP_BLT, 0, A1, A0, 0));
	EXPECT_TEXT("x: ble a0, a1, x", enc(OP_BGE, 0, A1, A0, 0));
	EXPECT_TEXT("x: bgtu a0, a1, x", enc(OP_BLTU, 0, A1, A0, 0));
	EXPECT_TEXT("x: bleu a0, a1, x", enc(OP_BGEU, 0, A1, A0, 0));
	/* the target of the second word of a two-word pseudo is pc-relative
	 * to that word */
	EXPECT_TEXT("li a0, 0x12345678\nx: bnez a0, x",
		    enc(OP_LUI, A0, 0, 0, 0x1234), enc(OP_ORI, A0, A0, 0, 0x5678),
		    enc(OP_BNE, 0, A0, ZERO, 0));
}

static void test_operand_syntax(void **state)
{
	(void)state;
	EXPECT_TEXT("lw a0, (sp)\nlw a0, -4(sp)\nsw a1, 8 * 2(r2)\njalr ra, (t0)\n"
		    "lb a0, (1 + 1)(sp)\n",
		    enc(OP_LW, 4, 2, 0, 0), enc(OP_LW, 4, 2, 0, -4),
		    enc(OP_SW, 0, 2, 5, 16), enc(OP_JALR, 1, 8, 0, 0),
		    enc(OP_LB, 4, 2, 0, 2));
	EXPECT_TEXT("mfcr a0, ptbr\nmtcr scratch, sp\nrdcycle s3\ntlbinv a3\n",
		    enc(OP_MFCR, 4, 0, 0, CR_PTBR), enc(OP_MTCR, 0, 2, 0, CR_SCRATCH),
		    enc(OP_RDCYCLE, 15, 0, 0, 0), enc(OP_TLBINV, 0, 7, 0, 0));
	EXPECT_TEXT("andi a0, a0, 0xffff\nlui a0, 65535\nslli a0, a0, 31\n"
		    "addi a0, a0, 'A'\n",
		    enc(OP_ANDI, 4, 4, 0, 0xffff), enc(OP_LUI, 4, 0, 0, 0xffff),
		    enc(OP_SLLI, 4, 4, 0, 31), enc(OP_ADDI, 4, 4, 0, 65));
}

/* ---------------------------------------------------------------------- */
/* Macros.                                                               */

static void test_macros(void **state)
{
	(void)state;
	/* parameters, a default, nesting */
	EXPECT_TEXT(".macro inc r, by=1\n  addi \\r, \\r, \\by\n.endm\n"
		    ".macro inc2 r\n  inc \\r\n  inc \\r, 2\n.endm\n"
		    "inc a0, 5\ninc2 a1\n",
		    enc(OP_ADDI, 4, 4, 0, 5), enc(OP_ADDI, 5, 5, 0, 1),
		    enc(OP_ADDI, 5, 5, 0, 2));
	/* numeric local labels inside a body belong to each expansion */
	EXPECT_TEXT(".macro spin\n1: beq zero, zero, 1b\n   beq zero, zero, 1f\n1:\n.endm\n"
		    "1: spin\nspin\nbeq zero, zero, 1b\n",
		    enc(OP_BEQ, 0, 0, 0, 0), enc(OP_BEQ, 0, 0, 0, 4),
		    enc(OP_BEQ, 0, 0, 0, 0), enc(OP_BEQ, 0, 0, 0, 4),
		    enc(OP_BEQ, 0, 0, 0, -16));
	/* \@ and \() */
	struct elf_image img;
	assemble_ok(".macro lbl\nl\\@\\()x: nop\n.endm\nlbl\nlbl\n", &img);
	struct elf_symbol s;
	assert_true(symbol(&img, "l0x", &s));
	assert_int_equal(s.value, 0x1000);
	assert_true(symbol(&img, "l1x", &s));
	assert_int_equal(s.value, 0x1004);
	elf_image_free(&img);
	/* a macro that defines a macro; an argument with parentheses */
	EXPECT_TEXT(".macro def name\n.macro \\name r\nlw \\r, 4(sp)\n.endm\n.endm\n"
		    "def load\nload a0\n",
		    enc(OP_LW, 4, 2, 0, 4));
	EXPECT_TEXT(".macro ld r, m\n lw \\r, \\m\n.endm\nld a0, 8(sp)\n",
		    enc(OP_LW, 4, 2, 0, 8));
}

/* ---------------------------------------------------------------------- */
/* Includes, with files on disk.                                         */

struct tmpdir {
	char path[64];
	char files[48][128];
	int nfiles;
	char subdirs[4][128];
	int nsubdirs;
};

static void tmp_mkdir(struct tmpdir *d, const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", d->path, name);
	strcpy(d->subdirs[d->nsubdirs], path);
	assert_int_equal(mkdir(path, 0700), 0);
	d->nsubdirs++;
}

static void tmp_write(struct tmpdir *d, const char *name, const char *text)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", d->path, name);
	strcpy(d->files[d->nfiles++], p);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void tmp_cleanup(struct tmpdir *d)
{
	for (int i = 0; i < d->nfiles; i++)
		unlink(d->files[i]);
	for (int i = d->nsubdirs; i-- > 0;)
		rmdir(d->subdirs[i]);
	rmdir(d->path);
}

static void test_includes(void **state)
{
	(void)state;
	struct tmpdir d = {.path = "/tmp/test_asm_XXXXXX"};
	assert_non_null(mkdtemp(d.path));
	tmp_mkdir(&d, "src");
	tmp_mkdir(&d, "inc");
	tmp_write(&d, "src/main.s",
		  ".include \"defs.inc\"\n.include \"lib.inc\"\nli a0, VALUE\n");
	tmp_write(&d, "src/defs.inc", ".equ VALUE, 42\n");
	tmp_write(&d, "inc/lib.inc", "nop\n");
	tmp_write(&d, "inc/defs.inc", ".equ VALUE, 666\n"); /* shadowed */

	char main_s[160], incdir[160];
	snprintf(main_s, sizeof main_s, "%s/src/main.s", d.path);
	snprintf(incdir, sizeof incdir, "%s/inc", d.path);
	const char *dirs[] = {incdir};
	struct asm_options opt = {.include_dirs = dirs, .ninclude_dirs = 1};
	size_t len;
	char *diag;
	FILE *f = open_memstream(&diag, &len);
	opt.diag = f;
	struct elf_image img;
	int n = asm_assemble_file(main_s, &opt, &img);
	fclose(f);
	assert_string_equal(diag, "");
	free(diag);
	assert_int_equal(n, 0);
	assert_int_equal(word_at(&img, 0x1000), 0x44000000);
	assert_int_equal(word_at(&img, 0x1004), enc(OP_ADDI, 4, 0, 0, 42));
	elf_image_free(&img);

	/* without -I, lib.inc is not found */
	char want[1024];
	snprintf(want, sizeof want,
		 "%s:2:10: error: cannot find include file 'lib.inc'\n", main_s);
	opt.include_dirs = NULL;
	opt.ninclude_dirs = 0;
	f = open_memstream(&diag, &len);
	opt.diag = f;
	n = asm_assemble_file(main_s, &opt, &img);
	fclose(f);
	assert_int_equal(n, 1);
	assert_string_equal(diag, want);
	assert_no_image(&img);
	free(diag);

	/* an error inside an included file, and recursion */
	tmp_write(&d, "src/bad.inc", "nop\n  addi a0, a0\n");
	tmp_write(&d, "src/r1.inc", ".include \"r2.inc\"\n");
	tmp_write(&d, "src/r2.inc", "nop\n  .include \"r1.inc\"\n");
	char name[160];
	snprintf(name, sizeof name, "%s/src/x.s", d.path); /* not on disk */
	n = assemble_opt(name, "nop\n .include \"bad.inc\"\n.include \"r1.inc\"\n",
			 NULL, &img, &diag);
	snprintf(want, sizeof want,
		 "%s/src/bad.inc:2:3: error: 'addi' expects 3 operands, got 2\n"
		 "%s/src/x.s:2:2: note: included from here\n"
		 "%s/src/r2.inc:2:12: error: recursive include of 'r1.inc'\n"
		 "%s/src/r1.inc:1:1: note: included from here\n"
		 "%s/src/x.s:3:1: note: included from here\n",
		 d.path, d.path, d.path, d.path, d.path);
	assert_string_equal(diag, want);
	assert_int_equal(n, 2);
	assert_no_image(&img);
	free(diag);

	/* a file that includes itself directly */
	tmp_write(&d, "src/self.s", "nop\n.include \"self.s\"\n");
	snprintf(main_s, sizeof main_s, "%s/src/self.s", d.path);
	opt.diag = f = open_memstream(&diag, &len);
	n = asm_assemble_file(main_s, &opt, &img);
	fclose(f);
	snprintf(want, sizeof want,
		 "%s:2:10: error: recursive include of 'self.s'\n", main_s);
	assert_string_equal(diag, want);
	assert_int_equal(n, 1);
	free(diag);

	/* 32 nested includes are fine, the 33rd is not */
	for (int i = 0; i < 34; i++) {
		char fname[32], text[64];
		snprintf(fname, sizeof fname, "n%d.inc", i);
		snprintf(text, sizeof text, ".byte %d\n.include \"n%d.inc\"\n", i, i + 1);
		tmp_write(&d, fname, text);
	}
	snprintf(name, sizeof name, "%s/top.s", d.path);
	n = assemble_opt(name, ".include \"n0.inc\"\n", NULL, &img, &diag);
	assert_int_equal(n, 1);
	snprintf(want, sizeof want,
		 "%s/n31.inc:2:1: error: includes nested too deeply (limit 32)\n"
		 "%s/n30.inc:2:1: note: included from here\n",
		 d.path, d.path);
	assert_memory_equal(diag, want, strlen(want));
	int lines = 0;
	for (const char *q = diag; *q; q++)
		lines += *q == '\n';
	assert_int_equal(lines, 1 + 32);
	free(diag);

	/* a file that cannot be read at all */
	snprintf(main_s, sizeof main_s, "%s/nope.s", d.path);
	opt.diag = f = open_memstream(&diag, &len);
	n = asm_assemble_file(main_s, &opt, &img);
	fclose(f);
	snprintf(want, sizeof want,
		 "%s: error: cannot read: No such file or directory\n", main_s);
	assert_string_equal(diag, want);
	assert_int_equal(n, 1);
	free(diag);
	tmp_cleanup(&d);
}

/* ---------------------------------------------------------------------- */
/* Errors: every message, at its line and column.                        */

static void test_error_messages(void **state)
{
	(void)state;
	expect_diag("  nop\n  frob a0\n", "t.s:2:3: error: unknown mnemonic 'frob'\n");
	expect_diag("add a0, a1, 5\n", "t.s:1:13: error: expected a register, got '5'\n");
	expect_diag("lw a0, sp\n",
		    "t.s:1:8: error: expected a memory operand 'offset(register)', got 'sp'\n");
	expect_diag("mfcr a0, a1\n",
		    "t.s:1:10: error: expected a control register, got 'a1'\n");
	expect_diag("addi a0, a1, a2\n",
		    "t.s:1:14: error: expected an expression, got register 'a2'\n");
	expect_diag("add a0, a1\n", "t.s:1:1: error: 'add' expects 3 operands, got 2\n");
	expect_diag("ret a0\n", "t.s:1:1: error: 'ret' expects no operands, got 1\n");
	expect_diag("jr\n", "t.s:1:1: error: 'jr' expects 1 operand, got 0\n");
	expect_diag("add a0, , a1\n", "t.s:1:9: error: missing operand\n");
	expect_diag("addi a0, a1, 70000\n",
		    "t.s:1:14: error: immediate 70000 out of range -32768..32767\n");
	expect_diag("ori a0, a1, -1\n",
		    "t.s:1:13: error: immediate -1 out of range 0..65535\n");
	expect_diag("srai a0, a1, 32\n",
		    "t.s:1:14: error: immediate 32 out of range 0..31\n");
	expect_diag("sw a0, 32768(sp)\n",
		    "t.s:1:8: error: offset 32768 out of range -32768..32767\n");
	expect_diag("li a0, 0xffffffff + 1\n",
		    "t.s:1:8: error: immediate 4294967296 out of range -2147483648..4294967295\n");
	expect_diag("jal ra, nowhere\n", "t.s:1:9: error: undefined symbol 'nowhere'\n");
	expect_diag("beqz a0, 1f\n", "t.s:1:10: error: undefined local label '1f'\n");
	expect_diag("x: nop\n  x: nop\n",
		    "t.s:2:3: error: duplicate symbol 'x'\nt.s:1:1: note: first defined here\n");
	expect_diag(".equ x, 1\nx:\n",
		    "t.s:2:1: error: duplicate symbol 'x'\nt.s:1:6: note: first defined here\n");
	expect_diag("x: beq a0, a1, x + 0x20000\n",
		    "t.s:1:16: error: branch target too far (offset 131072 bytes, "
		    "reach -131072..131068)\n");
	expect_diag("j . - 0x800004\n",
		    "t.s:1:3: error: jump target too far (offset -8388612 bytes, "
		    "reach -8388608..8388604)\n");
	expect_diag("beq a0, a1, . + 2\n",
		    "t.s:1:13: error: branch target 0x1002 is not word-aligned\n");
	expect_diag(".align 3\n",
		    "t.s:1:8: error: .align 3: not a power of two in 1..16777216\n");
	expect_diag("nop\n.org 0x1000\n",
		    "t.s:2:6: error: .org 0x1000 moves backwards (current address 0x1004)\n");
	expect_diag(".org later\nlater:\n",
		    "t.s:1:6: error: value of 'later' is not known here (forward reference)\n");
	expect_diag(".frob 1\n", "t.s:1:1: error: unknown directive '.frob'\n");
	expect_diag(".byte 256, -129\n",
		    "t.s:1:7: error: value 256 out of range -128..255 for .byte\n"
		    "t.s:1:12: error: value -129 out of range -128..255 for .byte\n");
	expect_diag(".half 65536\n",
		    "t.s:1:7: error: value 65536 out of range -32768..65535 for .half\n");
	expect_diag(".space -1\n", "t.s:1:8: error: .space size -1 out of range 0..67108864\n");
	expect_diag(".ascii 5\n", "t.s:1:8: error: expected a string\n");
	expect_diag(".section .bss\n", "t.s:1:10: error: expected .text or .data after .section\n");
	expect_diag(".globl nothere\n", "t.s:1:8: error: undefined symbol 'nothere' in .globl\n");
	expect_diag(".equ 5, 1\n", "t.s:1:6: error: expected 'NAME, value' after .equ\n");
	expect_diag(".ascii \"abc\n", "t.s:1:8: error: unterminated string\n");
	expect_diag(".byte 'a\n", "t.s:1:7: error: unterminated character literal\n");
	expect_diag(".ascii \"\\q\"\n", "t.s:1:9: error: invalid escape sequence '\\q'\n");
	expect_diag(".word 09\n", "t.s:1:7: error: invalid digit '9' in octal number '09'\n");
	expect_diag(".word 12ab\n", "t.s:1:7: error: invalid number '12ab'\n");
	expect_diag(".word 0x100000000\n",
		    "t.s:1:7: error: number '0x100000000' does not fit in 32 bits\n");
	expect_diag(".word 1 / (2 - 2)\n", "t.s:1:9: error: division by zero\n");
	expect_diag(".word 1 % 0\n", "t.s:1:9: error: division by zero\n");
	expect_diag(".word (1 + 2\n", "t.s:1:13: error: expected ')'\n");
	expect_diag(".word 1 +\n", "t.s:1:10: error: expected an expression\n");
	expect_diag(".word 1 2\n", "t.s:1:9: error: unexpected '2' in expression\n");
	expect_diag(".word 1 << 64\n", "t.s:1:9: error: shift count 64 out of range 0..63\n");
	expect_diag("nop @\n", "t.s:1:5: error: unexpected character '@'\n");
	expect_diag(".equ a, b\n.equ b, a\n",
		    "t.s:2:9: error: symbol 'a' is defined in terms of itself\n");
	expect_diag(".byte 1\nnop\n", "t.s:2:1: error: instruction at misaligned address 0x1001\n");
	expect_diag("  .endm\n", "t.s:1:3: error: .endm without .macro\n");
	expect_diag("nop\n  .macro m\n  nop\n", "t.s:2:3: error: missing .endm for macro 'm'\n");
	expect_diag(".macro m a\n.endm\n.macro m\n.endm\n",
		    "t.s:3:8: error: macro 'm' is already defined\n");
	expect_diag(".macro m a\n.endm\nm 1, 2\n",
		    "t.s:3:6: error: too many arguments for macro 'm' (it takes 1)\n");
	expect_diag(".macro m a\n.endm\nm\n",
		    "t.s:3:1: error: missing argument for parameter 'a' of macro 'm'\n");
	expect_diag(".include nofile\n",
		    "t.s:1:10: error: expected a file name in quotes after .include\n");
	expect_diag(".include \"no/such.inc\"\n",
		    "t.s:1:10: error: cannot find include file 'no/such.inc'\n");
}

static void test_errors_in_macros(void **state)
{
	(void)state;
	expect_diag(".macro add2 a, b\n  add \\a, \\b\n.endm\n\n  add2 a0, a1\n",
		    "t.s:2:3: error: 'add' expects 3 operands, got 2\n"
		    "t.s:5:3: note: in expansion of macro 'add2'\n");
	/* an argument's error points at the parameter in the body */
	expect_diag(".macro inc r\n  addi \\r, \\r, 1\n.endm\n.macro twice r\n"
		    "  inc \\r\n.endm\ntwice bogus\n",
		    "t.s:2:8: error: expected a register, got 'bogus'\n"
		    "t.s:5:3: note: in expansion of macro 'inc'\n"
		    "t.s:7:1: note: in expansion of macro 'twice'\n");
	expect_diag(".macro m\n  add \\x\n.endm\nm\n",
		    "t.s:2:7: error: unknown macro parameter '\\x'\n"
		    "t.s:4:1: note: in expansion of macro 'm'\n");

	/* recursion: one error, 64 notes */
	struct elf_image img;
	char *diag;
	int n = assemble(".macro r\n  r\n.endm\n  r\n", &img, &diag);
	assert_int_equal(n, 1);
	const char *head = "t.s:2:3: error: macro recursion too deep (limit 64)\n";
	assert_memory_equal(diag, head, strlen(head));
	const char *p = diag + strlen(head);
	for (int i = 0; i < 63; i++) {
		const char *note = "t.s:2:3: note: in expansion of macro 'r'\n";
		assert_memory_equal(p, note, strlen(note));
		p += strlen(note);
	}
	assert_string_equal(p, "t.s:4:3: note: in expansion of macro 'r'\n");
	assert_no_image(&img);
	free(diag);

	/* exponential expansion stops cleanly */
	char src[4096] = ".macro m0\nnop\n.endm\n";
	for (int i = 1; i < 40; i++) {
		char def[128];
		snprintf(def, sizeof def, ".macro m%d\nm%d\nm%d\n.endm\n", i, i - 1, i - 1);
		strcat(src, def);
	}
	strcat(src, "m39\n");
	n = assemble(src, &img, &diag);
	assert_int_equal(n, 1);
	assert_non_null(strstr(diag, ": error: more than 500000 statements "
				     "read; giving up (runaway macro expansion?)\n"));
	assert_no_image(&img);
	free(diag);

	/* an expansion too long for one statement: at the body, in its call */
	char *big = malloc(40100);
	assert_non_null(big);
	snprintf(big, 40100, ".macro m a\n.word \\a,\\a\n.endm\nm %040000d\n", 1);
	expect_diag(big, "t.s:2:1: error: statement longer than 65536 characters "
			 "after macro expansion\n"
			 "t.s:4:1: note: in expansion of macro 'm'\n");
	free(big);
}

/* max_statements sets both statement limits: statements kept after
 * expansion, and twice as many read (a macro call is read, not kept). */
static void test_max_statements_sets_the_statement_limits(void **state)
{
	(void)state;
	struct asm_options opt = {.max_statements = 3};
	struct elf_image img;
	char *diag;
	int n = assemble_opt("t.s", "nop\nnop\nnop\n", &opt, &img, &diag);
	assert_int_equal(n, 0);
	assert_string_equal(diag, "");
	elf_image_free(&img);
	free(diag);

	n = assemble_opt("t.s", "nop\nnop\nnop\n  nop\n", &opt, &img, &diag);
	assert_int_equal(n, 1);
	assert_string_equal(diag, "t.s:4:3: error: too many statements "
				  "(limit 3); giving up\n");
	assert_no_image(&img);
	free(diag);

	/* seven statements read: .macro, .endm, five empty calls */
	n = assemble_opt("t.s", ".macro m\n.endm\nm\nm\nm\nm\nm\n", &opt,
			 &img, &diag);
	assert_int_equal(n, 1);
	assert_string_equal(diag, "t.s:7:1: error: more than 6 statements "
				  "read; giving up (runaway macro expansion?)\n");
	assert_no_image(&img);
	free(diag);
}

/*
 * The source text read, files and macro expansions together, is limited
 * to 256 characters per statement allowed, so that an include or macro
 * bomb costs no more than the largest program.  With max_statements = 10
 * the limit is 2560 characters.
 */
static void test_source_text_limit(void **state)
{
	(void)state;
	struct asm_options opt = {.max_statements = 10};
	struct elf_image img;
	char *diag;

	/* the file itself */
	char src[4096];
	snprintf(src, sizeof src, "# %2600s\nnop\n", "long comment");
	int n = assemble_opt("t.s", src, &opt, &img, &diag);
	assert_int_equal(n, 1);
	assert_string_equal(diag, "t.s: error: more than 2560 characters of "
				  "source; giving up\n");
	assert_no_image(&img);
	free(diag);

	/* a macro with a statement of 800 characters: the file's 830 and
	 * two expansions are 2430, a third passes the limit */
	snprintf(src, sizeof src, ".macro m\n%-800s\n.endm\nm\nm\nm\n.word 2\n",
		 ".word 1");
	n = assemble_opt("t.s", src, &opt, &img, &diag);
	assert_int_equal(n, 1);
	assert_string_equal(diag, "t.s:2:1: error: more than 2560 characters of "
				  "source read; giving up (include or macro bomb?)\n"
				  "t.s:6:1: note: in expansion of macro 'm'\n");
	assert_no_image(&img);
	free(diag);

	/* one file of 1000 characters included three times */
	struct tmpdir d = {.path = "/tmp/test_asm_XXXXXX"};
	assert_non_null(mkdtemp(d.path));
	snprintf(src, sizeof src, "# %996s\n", "comment");
	tmp_write(&d, "big.inc", src);
	tmp_write(&d, "main.s", ".include \"big.inc\"\n.include \"big.inc\"\n"
				".include \"big.inc\"\n");
	char main_s[160], want[512];
	snprintf(main_s, sizeof main_s, "%s/main.s", d.path);
	size_t len;
	FILE *f = open_memstream(&diag, &len);
	opt.diag = f;
	n = asm_assemble_file(main_s, &opt, &img);
	fclose(f);
	snprintf(want, sizeof want, "%s:3:10: error: more than 2560 characters "
		 "of source read; giving up (include or macro bomb?)\n", main_s);
	assert_string_equal(diag, want);
	assert_int_equal(n, 1);
	assert_no_image(&img);
	free(diag);
	tmp_cleanup(&d);
}

static void test_several_errors_in_order(void **state)
{
	(void)state;
	/* found in pass 2, while reading and in pass 1: printed by line */
	expect_diag("  jal ra, nowhere\n  frob\n  .align 5\nok: nop\n  addi a0, a0, 1 / 0\n",
		    "t.s:1:11: error: undefined symbol 'nowhere'\n"
		    "t.s:2:3: error: unknown mnemonic 'frob'\n"
		    "t.s:3:10: error: .align 5: not a power of two in 1..16777216\n"
		    "t.s:5:18: error: division by zero\n");
	/* max_errors caps what is printed, not what is counted */
	struct asm_options opt = {.max_errors = 2};
	struct elf_image img;
	char *diag;
	int n = assemble_opt("t.s", "frob\nfrob\nfrob\n", &opt, &img, &diag);
	assert_int_equal(n, 3);
	assert_string_equal(diag, "t.s:1:1: error: unknown mnemonic 'frob'\n"
				  "t.s:2:1: error: unknown mnemonic 'frob'\n"
				  "(1 more error not shown)\n");
	free(diag);
}

/*
 * Errors beyond max_errors are counted without being formatted, yet the
 * ones printed are still the first by line: here pass 2 finds line 1's
 * after reading found lines 2-6 (4 and 5 only counted), and a note
 * belongs to its own error, not to the last one kept.
 */
static void test_errors_not_shown_are_counted_and_the_first_by_line_shown(void **state)
{
	(void)state;
	struct asm_options opt = {.max_errors = 2};
	struct elf_image img;
	char *diag;
	int n = assemble_opt("t.s",
			     "  jal ra, nowhere\nfrob\nfrob\nx: nop\nx: nop\n"
			     "frob\n  jal ra, nowhere\n",
			     &opt, &img, &diag);
	assert_int_equal(n, 6);
	assert_string_equal(diag, "t.s:1:11: error: undefined symbol 'nowhere'\n"
				  "t.s:2:1: error: unknown mnemonic 'frob'\n"
				  "(4 more errors not shown)\n");
	free(diag);
	assert_no_image(&img);

	/* the duplicate is only counted: its note must not land under
	 * the error that is shown */
	opt.max_errors = 1;
	n = assemble_opt("t.s", "frob\nx: nop\nx: nop\n", &opt, &img, &diag);
	assert_int_equal(n, 2);
	assert_string_equal(diag, "t.s:1:1: error: unknown mnemonic 'frob'\n"
				  "(1 more error not shown)\n");
	free(diag);
}

static void test_listing(void **state)
{
	(void)state;
	char *lst;
	size_t len;
	FILE *f = open_memstream(&lst, &len);
	struct asm_options opt = {.listing = f};
	struct elf_image img;
	char *diag;
	int n = assemble_opt("t.s",
			     "start: li a0, 0x12345 # big\nloop: nop\n.data\n"
			     "msg: .asciz \"hello, world\"\n",
			     &opt, &img, &diag);
	fclose(f);
	assert_int_equal(n, 0);
	assert_string_equal(lst,
			    "00001000  69000001 4d102345            start: li a0, 0x12345 # big\n"
			    "00001008  44000000                     loop: nop\n"
			    "00002000  68 65 6c 6c 6f 2c 20 77 ...  msg: .asciz \"hello, world\"\n");
	free(lst);
	free(diag);
	elf_image_free(&img);
}

/* Hostile input never crashes and always reports. */
static void test_garbage_input(void **state)
{
	(void)state;
	struct elf_image img;
	char *diag;
	/* deep parentheses */
	char *src = malloc(20000);
	strcpy(src, ".word ");
	for (int i = 0; i < 5000; i++)
		strcat(src, "(");
	strcat(src, "1\n");
	int n = assemble(src, &img, &diag);
	assert_int_equal(n, 1);
	assert_non_null(strstr(diag, "expression nested too deeply"));
	free(diag);
	/* a very long line */
	memset(src, 'a', 19998);
	src[19998] = '\0';
	char *big = malloc(70000);
	memset(big, 'n', 69998);
	big[69998] = '\n';
	big[69999] = '\0';
	n = assemble(big, &img, &diag);
	assert_int_equal(n, 1);
	assert_string_equal(diag, "t.s:1:1: error: line longer than 65536 characters\n");
	free(diag);
	free(big);
	/* pseudo-random bytes */
	uint32_t x = 12345;
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 300; i++) {
			x = x * 1103515245u + 12345u;
			src[i] = (char)(" \n\t,:;()'\"#\\.-+*/%<>&|^~=0123456789abxfr.Lmacroendmincludewordli"[(x >> 16) % 64]);
		}
		src[300] = '\0';
		n = assemble(src, &img, &diag);
		assert_true(n >= 0);
		if (n > 0)
			assert_no_image(&img);
		else
			elf_image_free(&img);
		free(diag);
	}
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_instruction),
		cmocka_unit_test(test_data_directives),
		cmocka_unit_test(test_text_directives),
		cmocka_unit_test(test_equ_and_globl),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_chars_and_strings),
		cmocka_unit_test(test_semicolons_and_labels),
		cmocka_unit_test(test_local_labels_and_forward_refs),
		cmocka_unit_test(test_entry_and_data_placement),
		cmocka_unit_test(test_pseudo_expansions),
		cmocka_unit_test(test_operand_syntax),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_errors_in_macros),
		cmocka_unit_test(test_max_statements_sets_the_statement_limits),
	cmocka_unit_test(test_source_text_limit),
	cmocka_unit_test(test_several_errors_in_order),
		cmocka_unit_test(test_errors_not_shown_are_counted_and_the_first_by_line_shown),
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_garbage_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
