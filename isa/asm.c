/*
 * asm.c - the PG32 assembler: GNU-as-like source in, an image out.
 *
 * How it works
 * ------------
 * 1. Reading.  Every source line is cut into statements (at ';', outside
 *    strings; '#' starts a comment), each statement is tokenized, and
 *    .include and macro invocations are expanded on the spot.  The result
 *    is one flat list of statements, each remembering where it came from
 *    (file, line, column, and the chain of includes and macro expansions
 *    that produced it) so that a diagnostic can point at the source.
 * 2. Pass 1 gives every statement an address and a size.  Sizes never
 *    depend on the value of a label (see `li` below), so .text can be laid
 *    out completely, and .data placed after it.  Pass 1 is run until .text
 *    stops moving (normally twice, quietly), then once more reporting
 *    errors: that is how `.org` inside .data can be absolute.
 * 3. Pass 2 evaluates every expression, now that all labels are known,
 *    and encodes instructions through isa_encode().  Operands are parsed
 *    from the instruction table's format (isa.h, enum isa_format): there is
 *    no per-mnemonic code for real instructions.
 *
 * Diagnostics are collected and printed sorted by statement, so they come
 * out in source order whatever pass found them; past opt->max_errors a
 * last line "(N more errors not shown)" says how many were held back
 * (the return value counts them all).
 *
 * Listing (opt->listing, written only when there is no error): one line
 * per statement that emits bytes: "%08x  " address, the instruction words
 * ("%08x", space-separated) or the first 8 data bytes ("%02x", then " ..."
 * if there are more) padded to 27 columns, two spaces, the source line
 * (for a macro expansion, the statement after substitution).
 *
 * Layout (isa/ISA.md section 13): .text starts at 0x1000.  .data starts at the first
 * 4 KiB boundary at or after the end of .text, i.e. align_up(text_end,
 * 4096); with an empty .text that is 0x1000 itself.  `.org ADDR` is an
 * absolute address in the current section and never goes backwards; a
 * `.org` before anything is emitted in a section moves the section's start
 * there, so `.text` + `.org 0x400000` makes a segment at 0x400000.  The
 * entry point is `_start` if defined, else 0x1000.  Each non-empty section
 * becomes one segment (".text" R|X, ".data" R|W).  The symbol table holds
 * every named label (with its segment) and every .equ constant (segment
 * -1); numeric local labels are not in it.
 *
 * Syntax accepted (isa/ISA.md section 13, plus what is marked +)
 * ----------------------------------------------------------------------
 *   label:  (several per line)   1: with 1b / 1f   # comment   a ; b
 *   Numbers: 123, 0x7f, 0b101, 0o17 and C-style octal 017 (a leading 0
 *   means octal, as in C and GNU as).  A literal must fit in 32 bits.
 *   Character literals 'a' '\n' '\\' '\'' '\0' '\x41' '\101'.
 *   String and character escapes: \n \t \r \0 \\ \" \' \xNN \NNN (octal),
 *   + \a \b \f \v.
 *   Expressions: C precedence, evaluated in 64 bits:
 *     unary - ~ +(+), then * / %, + -, << >>, &, ^, |, and ( ).
 *   Operands: numbers, character literals, symbols, `.` (the address of
 *   the current statement), 1b/1f.  Images are absolute, so a label is
 *   just a number: any arithmetic on labels is allowed (+).
 *   Directives: .text .data .section .text|.data(+) .org .align/.balign(+)
 *   .word .half .byte .ascii .asciz/.string(+) .space/.zero(+) N[, fill]
 *   .equ/.set(+) NAME, expr   NAME = expr(+)   .include "file"
 *   .macro/.endm   .globl/.global(+) NAME[, NAME...].
 *   .set is an alias of .equ: a symbol is defined once.  .ascii/.asciz
 *   accept several strings separated by commas (+).
 *   Macros: `.macro name p1, p2=default` ... `.endm`, invoked `name a, b`;
 *   `\p1` is replaced by the argument text, (+) `\@` by a number unique
 *   to the expansion, (+) `\()` by nothing (a separator).  A macro may
 *   invoke others and define others; a macro named like an instruction
 *   hides it (+).  Numeric local labels inside a macro body belong to
 *   that expansion: 1b/1f inside an expansion see only its own labels,
 *   and code outside never sees them (+: nested scopes, not GNU's
 *   single namespace).
 *   `.` in a list (.word a, .) is the address of the directive for
 *   every item.
 *   Mnemonics, register and directive names are case-sensitive.
 *   An instruction must sit at a 4-byte-aligned address.
 *
 * Limits (all reported as errors, never a crash): 65536 characters per
 * line, 64 MiB per source file and per section, include depth 32, macro
 * depth 64, expressions nested 200 deep, 250 000 statements after
 * expansion, twice that many statements read in total (macro bombs),
 * 256 characters of source read per statement allowed (64 000 000:
 * files, included ones and macro expansions together, so that an include
 * or macro bomb costs no more than the largest program), .align at most
 * 2^24.  opt->max_statements sets these three limits.
 *
 * Pseudo-instructions (the table `pseudos` below)
 * -----------------------------------------------
 *   nop                  addi zero, zero, 0              (word 0x44000000)
 *   li   rd, imm         addi rd, zero, imm              1 word, if imm is a
 *                            constant known where li is read, involving no
 *                            label, in -32768..32767
 *                        lui  rd, imm >> 16              1 word, if such a
 *                            constant has its low 16 bits zero
 *                        lui  rd, imm >> 16 ; ori rd, rd, imm & 0xffff
 *                            2 words otherwise; always when imm involves a
 *                            label, `.`, or a symbol defined further on (so
 *                            that sizes never depend on layout).
 *                            imm must be in -2^31..2^32-1.
 *   la   rd, expr        lui  rd, expr >> 16 ; ori rd, rd, expr & 0xffff
 *   mv   rd, rs          addi rd, rs, 0
 *   not  rd, rs          sub  rd, zero, rs ; addi rd, rd, -1   (~x = -x - 1;
 *                            xori cannot: its immediate is zero-extended)
 *   neg  rd, rs          sub  rd, zero, rs
 *   seqz rd, rs          sltiu rd, rs, 1
 *   snez rd, rs          sltu rd, zero, rs
 *   j    label           jal  zero, label
 *   jr   rs              jalr zero, 0(rs)
 *   call label           jal  ra, label
 *   ret                  jalr zero, 0(ra)
 *   beqz rs, label       beq  rs, zero, label
 *   bnez rs, label       bne  rs, zero, label
 *   bltz rs, label       blt  rs, zero, label
 *   bgez rs, label       bge  rs, zero, label
 *   bgtz rs, label       blt  zero, rs, label
 *   blez rs, label       bge  zero, rs, label
 *   bgt  rs1, rs2, label blt  rs2, rs1, label
 *   ble  rs1, rs2, label bge  rs2, rs1, label
 *   bgtu rs1, rs2, label bltu rs2, rs1, label
 *   bleu rs1, rs2, label bgeu rs2, rs1, label
 *
 * Out of memory is the one failure not reported as a diagnostic: the
 * assembler prints "trapeze: out of memory" and exits(1).
 */
#include "asm.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "isa.h"

#define MAX_LINE_LEN 65536
#define MAX_FILE_SIZE (64u << 20)
#define MAX_INCLUDE_DEPTH 32
#define MAX_MACRO_DEPTH 64
#define MAX_EQU_DEPTH 256
#define MAX_EXPR_DEPTH 200
#define MAX_STATEMENTS 250000u /* the default of opt->max_statements */
#define TEXT_PER_STATEMENT 256u /* characters of source read, on average */
#define MAX_SECTION_SIZE (64u << 20)
#define MAX_ALIGN (1u << 24)
#define MAX_LAYOUT_RUNS 4
#define DATA_ALIGN 4096u
#define NAME_SHOWN 64 /* longest name or operand quoted in a message */

/* ---------------------------------------------------------------------- */
/* Memory: an arena for everything that lives as long as one assembly.    */

static void die_oom(void)
{
	fputs("trapeze: out of memory\n", stderr);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

static void *xcalloc(size_t n)
{
	void *p = calloc(n ? n : 1, 1);
	if (!p)
		die_oom();
	return p;
}

/* Makes room for need elements in a malloc'd array of *cap elements. */
static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	p = realloc(p, n * elem);
	if (!p)
		die_oom();
	*cap = n;
	return p;
}

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	const size_t unit = _Alignof(max_align_t);
	n = n ? (n + unit - 1) / unit * unit : unit;
	struct arena_chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > 65536 ? n : 65536;
		c = xmalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}

struct strbuf {
	char *s;
	size_t len, cap;
};

static void sb_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	b->s = grow(b->s, &b->cap, b->len + (size_t)n + 1, 1);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

__attribute__((format(printf, 2, 3))) static void
sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------- */
/* The data structures.                                                  */

/* Why a piece of source is being read: an include or a macro expansion. */
enum ctx_kind { CTX_INCLUDE, CTX_MACRO };

struct src;

struct ctx {
	enum ctx_kind kind;
	const char *macro;     /* CTX_MACRO: the macro's name */
	const struct src *site; /* the .include or the invocation */
	size_t site_off;       /* where in site's text */
};

/*
 * One statement's source text: a piece of a line, or the text of a macro
 * body statement after its parameters were replaced.  colmap (len + 1
 * entries) maps each character back to a column of the original line;
 * without one, column = colbase + offset.
 */
struct src {
	const char *file;
	int line;
	const char *text;
	size_t len;
	const int *colmap;
	int colbase;
	const struct ctx *ctx; /* NULL at top level */
	int scope;             /* numeric local labels: 0, or one expansion */
	const char *show;      /* what the listing prints */
	size_t showlen;
};

enum tok_kind { T_IDENT, T_NUM, T_LOCALREF, T_STRING, T_PUNCT };
enum { P_SHL = 256, P_SHR };

struct token {
	uint8_t kind;
	char dir;          /* T_LOCALREF: 'b' or 'f' */
	int punct;         /* T_PUNCT: the character, or P_SHL / P_SHR */
	size_t off, len;   /* where in src->text */
	int64_t value;     /* T_NUM (and character literals), T_LOCALREF */
	const uint8_t *str; /* T_STRING: the decoded bytes */
	size_t slen;
};

enum stmt_kind { S_LABEL, S_LOCAL, S_DIRECTIVE, S_INSN, S_PSEUDO, S_ASSIGN };
enum { SEC_TEXT, SEC_DATA, NSECTIONS };

struct stmt {
	const struct src *src;
	const struct token *tok; /* tok[0]: label, directive or mnemonic */
	int ntok;
	uint8_t kind;
	uint8_t section;
	bool bad;        /* an error already reported: emit nothing */
	int which;       /* enum isa_op, pseudo index or directive */
	uint32_t addr, size;
};

enum sym_kind { SYM_LABEL, SYM_EQU };
enum equ_state { EQU_UNEVAL, EQU_BUSY, EQU_DONE, EQU_FAILED };

struct symbol {
	const char *name;
	struct symbol *next; /* hash chain */
	uint8_t kind, section, state;
	bool global, has_label;
	int run;             /* the pass-1 run that defined it */
	int64_t value;
	size_t stmt;         /* the defining statement */
	const struct token *def;
	int expr_lo, expr_hi; /* SYM_EQU: its expression, in stmts[stmt] */
};

struct localdef {
	int64_t num;
	int scope;
	size_t stmt;
	uint32_t addr;
};

struct section {
	const char *name;
	uint32_t flags;
	uint32_t base, cur, end;
	uint8_t *buf;
};

struct macro {
	const char *name; /* NULL: a bad definition, skipped */
	const struct src *def;
	size_t def_off;
	int nparams;
	const char **pname, **pdefault;
	const struct src **body;
	size_t nbody, capbody;
	struct macro *next;
};

/* A file or a macro expansion being read: is a .macro being collected? */
struct unit {
	struct macro *collecting;
	int nest;
};

struct diag {
	size_t key, seq;
	char *text;
};

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct assembler {
	const struct asm_options *opt;
	struct arena arena;

	struct diag *diags;
	size_t ndiags, capdiags;
	size_t max_key;    /* the largest key among the stored ones */
	size_t nunshown;   /* counted, never formatted (diag_worth_text) */
	bool last_unshown; /* the last error was only counted: so are its notes */
	int nerrors;
	bool quiet;   /* the trial layout runs report nothing */
	size_t key;   /* diagnostics sort by this: the statement index */

	struct token *tk; /* the tokenizer's output, reused */
	size_t ntk, captk;
	struct file_id inc[MAX_INCLUDE_DEPTH + 1]; /* files being read */
	int ninc, incdepth;
	struct macro *macros;
	int macro_depth, equ_depth, nscopes;
	unsigned nexpansions;
	size_t work;      /* statements read */
	size_t text_read; /* characters read: files and macro expansions */
	bool stop;

	struct stmt *stmts;
	size_t nstmts, capstmts;

	struct symbol **buckets;
	size_t nbuckets;
	struct symbol **syms; /* in order of first definition */
	size_t nsyms, capsyms;
	struct localdef *locals;
	size_t nlocals, caplocals;

	int run, pass;
	struct section sec[NSECTIONS];
	int cursec;
};

/* ---------------------------------------------------------------------- */
/* Diagnostics.                                                          */

static int src_col(const struct src *s, size_t off)
{
	if (off > s->len)
		off = s->len;
	return s->colmap ? s->colmap[off] : s->colbase + (int)off;
}

static int shown(size_t len)
{
	return len > NAME_SHOWN ? NAME_SHOWN : (int)len;
}

/* How many statements a program may have after expansion; reading
 * gives up at twice this many. */
static size_t max_statements(const struct assembler *as)
{
	return as->opt->max_statements > 0 ? as->opt->max_statements
					   : MAX_STATEMENTS;
}

/* How many diagnostics flush_diags prints. */
static size_t max_shown(const struct assembler *as)
{
	return as->opt->max_errors > 0 ? (size_t)as->opt->max_errors : 20;
}

/*
 * Is a new diagnostic worth formatting?  Only the first max_shown() in
 * statement order are printed, so one that that many stored ones precede
 * is only counted.  They all do when it comes at or after the largest
 * stored key (at the same key, the stored ones came first).  A runaway
 * input can make hundreds of thousands of errors; formatting each took
 * a fifth of the assembler's time under the fuzzer.
 */
static bool diag_worth_text(struct assembler *as)
{
	as->last_unshown = as->ndiags >= max_shown(as) && as->key >= as->max_key;
	if (as->last_unshown)
		as->nunshown++;
	return !as->last_unshown;
}

static void add_diag(struct assembler *as, char *text)
{
	as->diags = grow(as->diags, &as->capdiags, as->ndiags + 1,
			 sizeof *as->diags);
	/* seq: the order of emission, over stored and counted ones */
	as->diags[as->ndiags] = (struct diag){as->key, as->ndiags + as->nunshown, text};
	as->ndiags++;
	if (as->key > as->max_key)
		as->max_key = as->key;
}

/* The "included from" / "in expansion of" lines under a diagnostic. */
static void append_context(struct strbuf *b, const struct ctx *c)
{
	for (; c; c = c->site->ctx) {
		sb_printf(b, "%s:%d:%d: note: ", c->site->file, c->site->line,
			  src_col(c->site, c->site_off));
		if (c->kind == CTX_INCLUDE)
			sb_printf(b, "included from here\n");
		else
			sb_printf(b, "in expansion of macro '%s'\n", c->macro);
	}
}

__attribute__((format(printf, 4, 5))) static void
error_at(struct assembler *as, const struct src *s, size_t off,
	 const char *fmt, ...)
{
	if (as->quiet)
		return;
	as->nerrors++;
	if (!diag_worth_text(as))
		return;
	struct strbuf b = {0};
	sb_printf(&b, "%s:%d:%d: error: ", s->file, s->line, src_col(s, off));
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	sb_printf(&b, "\n");
	append_context(&b, s->ctx);
	add_diag(as, b.s);
}

/* An error about a whole file, with no line to point at. */
__attribute__((format(printf, 3, 4))) static void
error_file(struct assembler *as, const char *file, const char *fmt, ...)
{
	if (as->quiet)
		return;
	as->nerrors++;
	if (!diag_worth_text(as))
		return;
	struct strbuf b = {0};
	sb_printf(&b, "%s: error: ", file);
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	sb_printf(&b, "\n");
	add_diag(as, b.s);
}

/* Adds a note line to the last error. */
__attribute__((format(printf, 4, 5))) static void
note_at(struct assembler *as, const struct src *s, size_t off,
	const char *fmt, ...)
{
	if (as->quiet || as->ndiags == 0 || as->last_unshown)
		return;
	struct diag *d = &as->diags[as->ndiags - 1];
	size_t len = strlen(d->text);
	struct strbuf b = {d->text, len, len + 1};
	sb_printf(&b, "%s:%d:%d: note: ", s->file, s->line, src_col(s, off));
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	sb_printf(&b, "\n");
	d->text = b.s;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_diags(struct assembler *as)
{
	if (as->ndiags)
		qsort(as->diags, as->ndiags, sizeof *as->diags, diag_cmp);
	FILE *f = as->opt->diag ? as->opt->diag : stderr;
	size_t max = max_shown(as), total = as->ndiags + as->nunshown;
	for (size_t i = 0; i < as->ndiags && i < max; i++)
		fputs(as->diags[i].text, f);
	if (total > max)
		fprintf(f, "(%zu more error%s not shown)\n", total - max,
			total - max == 1 ? "" : "s");
	for (size_t i = 0; i < as->ndiags; i++)
		free(as->diags[i].text);
	free(as->diags);
	as->diags = NULL;
	as->ndiags = as->capdiags = 0;
	as->max_key = as->nunshown = 0;
}

/* ---------------------------------------------------------------------- */
/* The tokenizer.                                                        */

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident_start(int c)
{
	return is_alpha(c) || c == '_' || c == '.';
}

static bool is_ident_char(int c)
{
	return is_ident_start(c) || is_digit(c);
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* A digit's value in any base up to 36; 99 for a non-digit. */
static int digit_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Prints c so that a message stays readable: 'x', or \xNN. */
static const char *char_repr(int c, char buf[8])
{
	unsigned char u = (unsigned char)c;
	if (u >= 0x20 && u < 0x7f)
		snprintf(buf, 8, "%c", u);
	else
		snprintf(buf, 8, "\\x%02x", u);
	return buf;
}

/*
 * Decodes the escape sequence after a backslash, starting at s[*p].
 * Returns false if it is not one; else sets *out and moves *p past it.
 */
static bool decode_escape(const char *s, size_t len, size_t *p, unsigned *out)
{
	if (*p >= len)
		return false;
	char c = s[*p];
	static const char from[] = "ntr\\\"'abfv";
	static const char to[] = "\n\t\r\\\"'\a\b\f\v";
	const char *hit = strchr(from, c);
	if (hit && c) {
		*out = (unsigned char)to[hit - from];
		(*p)++;
		return true;
	}
	unsigned v = 0;
	int n = 0;
	if (c == 'x') {
		(*p)++;
		while (n < 2 && *p < len && digit_value(s[*p]) < 16) {
			v = v * 16 + (unsigned)digit_value(s[*p]);
			(*p)++, n++;
		}
	} else {
		while (n < 3 && *p < len && s[*p] >= '0' && s[*p] <= '7') {
			v = v * 8 + (unsigned)(s[*p] - '0');
			(*p)++, n++;
		}
	}
	if (n == 0 || v > 255)
		return false;
	*out = v;
	return true;
}

static struct token *new_token(struct assembler *as, uint8_t kind, size_t off)
{
	as->tk = grow(as->tk, &as->captk, as->ntk + 1, sizeof *as->tk);
	struct token *t = &as->tk[as->ntk++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->off = off;
	return t;
}

/* Reads a number at s[i].  Returns false (error reported) if malformed. */
static bool lex_number(struct assembler *as, const struct src *src, size_t *ip)
{
	const char *s = src->text;
	size_t len = src->len, start = *ip, p = start;
	int base = 10;
	bool prefixed = false;
	char c1 = p + 1 < len ? s[p + 1] : 0;
	char c2 = p + 2 < len ? s[p + 2] : 0;
	if (s[p] == '0' && (c1 == 'x' || c1 == 'X') && digit_value(c2) < 16)
		base = 16, p += 2, prefixed = true;
	else if (s[p] == '0' && (c1 == 'b' || c1 == 'B') && (c2 == '0' || c2 == '1'))
		base = 2, p += 2, prefixed = true;
	else if (s[p] == '0' && (c1 == 'o' || c1 == 'O') && digit_value(c2) < 8)
		base = 8, p += 2, prefixed = true;
	else if (s[p] == '0' && is_digit(c1))
		base = 8, p += 1, prefixed = true;

	uint64_t v = 0;
	bool too_big = false;
	while (p < len && digit_value(s[p]) < base) {
		v = v * (unsigned)base + (unsigned)digit_value(s[p]);
		if (v > UINT32_MAX)
			too_big = true, v = UINT32_MAX;
		p++;
	}
	/* 1b / 1f: a reference to a numeric local label */
	if (!prefixed && p < len && (s[p] == 'b' || s[p] == 'f') &&
	    (p + 1 >= len || !is_ident_char(s[p + 1]))) {
		struct token *t = new_token(as, T_LOCALREF, start);
		t->dir = s[p];
		t->value = (int64_t)v;
		t->len = p + 1 - start;
		*ip = p + 1;
		return !too_big;
	}
	if (p < len && is_ident_char(s[p])) {
		size_t end = p;
		while (end < len && is_ident_char(s[end]))
			end++;
		char buf[8];
		if (digit_value(s[p]) < 10)
			error_at(as, src, start, "invalid digit '%s' in %s number '%.*s'",
				 char_repr(s[p], buf), base == 8 ? "octal" : "binary",
				 shown(end - start), s + start);
		else
			error_at(as, src, start, "invalid number '%.*s'",
				 shown(end - start), s + start);
		return false;
	}
	if (too_big) {
		error_at(as, src, start, "number '%.*s' does not fit in 32 bits",
			 shown(p - start), s + start);
		return false;
	}
	struct token *t = new_token(as, T_NUM, start);
	t->value = (int64_t)v;
	t->len = p - start;
	*ip = p;
	return true;
}

/*
 * Cuts src into tokens, in as->tk[0..ntk).  Returns false, after
 * reporting the error, if the text holds something that is no token.
 */
static bool tokenize(struct assembler *as, const struct src *src)
{
	const char *s = src->text;
	size_t len = src->len, i = 0;
	as->ntk = 0;
	while (i < len) {
		char c = s[i];
		char buf[8];
		if (is_space(c)) {
			i++;
		} else if (c == '#') {
			break;
		} else if (is_ident_start(c)) {
			size_t st = i;
			while (i < len && is_ident_char(s[i]))
				i++;
			struct token *t = new_token(as, T_IDENT, st);
			t->len = i - st;
		} else if (is_digit(c)) {
			if (!lex_number(as, src, &i))
				return false;
		} else if (c == '"') {
			size_t st = i++;
			uint8_t *out = arena_alloc(&as->arena, len - st);
			size_t n = 0;
			for (;;) {
				if (i >= len) {
					error_at(as, src, st, "unterminated string");
					return false;
				}
				if (s[i] == '"') {
					i++;
					break;
				}
				if (s[i] == '\\') {
					size_t at = i++;
					unsigned v;
					if (i >= len) {
						error_at(as, src, st, "unterminated string");
						return false;
					}
					if (!decode_escape(s, len, &i, &v)) {
						error_at(as, src, at,
							 "invalid escape sequence '\\%s'",
							 char_repr(s[at + 1], buf));
						return false;
					}
					out[n++] = (uint8_t)v;
				} else {
					out[n++] = (uint8_t)s[i++];
				}
			}
			struct token *t = new_token(as, T_STRING, st);
			t->len = i - st;
			t->str = out;
			t->slen = n;
		} else if (c == '\'') {
			size_t st = i++;
			unsigned v = 0;
			if (i < len && s[i] == '\\') {
				size_t at = i++;
				if (i < len && !decode_escape(s, len, &i, &v)) {
					error_at(as, src, at,
						 "invalid escape sequence '\\%s'",
						 char_repr(s[at + 1], buf));
					return false;
				}
			} else if (i < len && s[i] == '\'') {
				error_at(as, src, st, "empty character literal");
				return false;
			} else if (i < len) {
				v = (unsigned char)s[i++];
			}
			if (i >= len || s[i] != '\'') {
				error_at(as, src, st,
					 "unterminated character literal");
				return false;
			}
			i++;
			struct token *t = new_token(as, T_NUM, st);
			t->len = i - st;
			t->value = v;
		} else if ((c == '<' || c == '>') && i + 1 < len && s[i + 1] == c) {
			struct token *t = new_token(as, T_PUNCT, i);
			t->punct = c == '<' ? P_SHL : P_SHR;
			t->len = 2;
			i += 2;
		} else if (c && strchr(",():+-*/%&|^~=", c)) {
			struct token *t = new_token(as, T_PUNCT, i);
			t->punct = c;
			t->len = 1;
			i++;
		} else if (c == '\\' && i + 1 < len && is_ident_char(s[i + 1])) {
			size_t end = i + 1;
			while (end < len && is_ident_char(s[end]))
				end++;
			error_at(as, src, i, "unknown macro parameter '%.*s'",
				 shown(end - i), s + i);
			return false;
		} else {
			error_at(as, src, i, "unexpected character '%s'",
				 char_repr(c, buf));
			return false;
		}
	}
	return true;
}

static bool is_punct(const struct token *t, int p)
{
	return t->kind == T_PUNCT && t->punct == p;
}

static bool tok_is(const struct src *s, const struct token *t, const char *word)
{
	size_t n = strlen(word);
	return t->kind == T_IDENT && t->len == n &&
	       memcmp(s->text + t->off, word, n) == 0;
}

static const char *tok_text(const struct src *s, const struct token *t)
{
	return s->text + t->off;
}

/* ---------------------------------------------------------------------- */
/* Directives, pseudo-instructions: the tables.                          */

enum directive {
	D_TEXT, D_DATA, D_SECTION, D_ORG, D_ALIGN, D_WORD, D_HALF, D_BYTE,
	D_ASCII, D_ASCIZ, D_SPACE, D_EQU, D_GLOBL
};

static const struct {
	const char *name;
	enum directive d;
} directives[] = {
	{".text", D_TEXT},   {".data", D_DATA},   {".section", D_SECTION},
	{".org", D_ORG},     {".align", D_ALIGN}, {".balign", D_ALIGN},
	{".word", D_WORD},   {".half", D_HALF},   {".byte", D_BYTE},
	{".ascii", D_ASCII}, {".asciz", D_ASCIZ}, {".string", D_ASCIZ},
	{".space", D_SPACE}, {".zero", D_SPACE},  {".equ", D_EQU},
	{".set", D_EQU},     {".globl", D_GLOBL}, {".global", D_GLOBL},
};

static int find_directive(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof directives / sizeof directives[0]; i++)
		if (strlen(directives[i].name) == len &&
		    memcmp(directives[i].name, name, len) == 0)
			return (int)directives[i].d;
	return -1;
}

/*
 * A pseudo-instruction is a list of real instructions whose fields come
 * from the pseudo's operands.  A register field holds a register number
 * (0..15) or OPND(n): the register written as operand n.  The immediate
 * is chosen by imm: a constant (arg), operand n's value (arg = n), its
 * high or low 16 bits, or the pc-relative offset to operand n as a target.
 */
enum imm_kind { IMM_NONE, IMM_CONST, IMM_HI, IMM_LO, IMM_TARGET };
#define OPND(n) (-1 - (n))
#define R_ZERO 0
#define R_RA 1

struct pseudo_step {
	uint8_t op;
	int8_t rd, rs1, rs2;
	uint8_t imm;
	int8_t arg;
};

struct pseudo {
	const char *name;
	const char *shape; /* one letter per operand: R register, E expression */
	int nsteps;        /* 0: `li`, whose expansion depends on its value */
	struct pseudo_step step[2];
};

/* clang-format off */
static const struct pseudo pseudos[] = {
	{"nop",  "",    1, {{OP_ADDI, R_ZERO, R_ZERO, 0, IMM_CONST, 0}}},
	{"li",   "RE",  0, {{0}}},
	{"la",   "RE",  2, {{OP_LUI, OPND(0), 0, 0, IMM_HI, 1},
			    {OP_ORI, OPND(0), OPND(0), 0, IMM_LO, 1}}},
	{"mv",   "RR",  1, {{OP_ADDI, OPND(0), OPND(1), 0, IMM_CONST, 0}}},
	{"not",  "RR",  2, {{OP_SUB, OPND(0), R_ZERO, OPND(1), IMM_NONE, 0},
			    {OP_ADDI, OPND(0), OPND(0), 0, IMM_CONST, -1}}},
	{"neg",  "RR",  1, {{OP_SUB, OPND(0), R_ZERO, OPND(1), IMM_NONE, 0}}},
	{"seqz", "RR",  1, {{OP_SLTIU, OPND(0), OPND(1), 0, IMM_CONST, 1}}},
	{"snez", "RR",  1, {{OP_SLTU, OPND(0), R_ZERO, OPND(1), IMM_NONE, 0}}},
	{"j",    "E",   1, {{OP_JAL, R_ZERO, 0, 0, IMM_TARGET, 0}}},
	{"jr",   "R",   1, {{OP_JALR, R_ZERO, OPND(0), 0, IMM_CONST, 0}}},
	{"call", "E",   1, {{OP_JAL, R_RA, 0, 0, IMM_TARGET, 0}}},
	{"ret",  "",    1, {{OP_JALR, R_ZERO, R_RA, 0, IMM_CONST, 0}}},
	{"beqz", "RE",  1, {{OP_BEQ, 0, OPND(0), R_ZERO, IMM_TARGET, 1}}},
	{"bnez", "RE",  1, {{OP_BNE, 0, OPND(0), R_ZERO, IMM_TARGET, 1}}},
	{"bltz", "RE",  1, {{OP_BLT, 0, OPND(0), R_ZERO, IMM_TARGET, 1}}},
	{"bgez", "RE",  1, {{OP_BGE, 0, OPND(0), R_ZERO, IMM_TARGET, 1}}},
	{"bgtz", "RE",  1, {{OP_BLT, 0, R_ZERO, OPND(0), IMM_TARGET, 1}}},
	{"blez", "RE",  1, {{OP_BGE, 0, R_ZERO, OPND(0), IMM_TARGET, 1}}},
	{"bgt",  "RRE", 1, {{OP_BLT, 0, OPND(1), OPND(0), IMM_TARGET, 2}}},
	{"ble",  "RRE", 1, {{OP_BGE, 0, OPND(1), OPND(0), IMM_TARGET, 2}}},
	{"bgtu", "RRE", 1, {{OP_BLTU, 0, OPND(1), OPND(0), IMM_TARGET, 2}}},
	{"bleu", "RRE", 1, {{OP_BGEU, 0, OPND(1), OPND(0), IMM_TARGET, 2}}},
};
/* clang-format on */
#define NPSEUDOS ((int)(sizeof pseudos / sizeof pseudos[0]))

/* The directives read before the table is consulted (statement_text and
 * the macro reader handle them), for asm_directive_name. */
static const char *const structural_directives[] = {".macro", ".endm",
						    ".include"};
#define NDIRECTIVES (sizeof directives / sizeof directives[0])
#define NSTRUCTURAL (sizeof structural_directives / sizeof structural_directives[0])

const char *asm_directive_name(size_t i)
{
	if (i < NDIRECTIVES)
		return directives[i].name;
	if (i - NDIRECTIVES < NSTRUCTURAL)
		return structural_directives[i - NDIRECTIVES];
	return NULL;
}

const char *asm_pseudo_name(size_t i)
{
	return i < (size_t)NPSEUDOS ? pseudos[i].name : NULL;
}

static int find_pseudo(const char *name, size_t len)
{
	for (int i = 0; i < NPSEUDOS; i++)
		if (strlen(pseudos[i].name) == len &&
		    memcmp(pseudos[i].name, name, len) == 0)
			return i;
	return -1;
}

static enum isa_op find_op(const char *name, size_t len)
{
	char buf[32];
	if (len >= sizeof buf)
		return OP_ILLEGAL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	return isa_lookup(buf);
}

/* ---------------------------------------------------------------------- */
/* Reading: lines, statements, .include, macros.                          */

static void handle_piece(struct assembler *as, struct unit *u,
			 const struct src *s);

/* Counts n more characters of source read.  Returns false, having
 * reported it at s (or at the file, if s is NULL) and stopped reading, if
 * that passes the limit. */
static bool read_within_limit(struct assembler *as, const char *file,
			      const struct src *s, size_t off, size_t n)
{
	size_t limit = TEXT_PER_STATEMENT * max_statements(as);
	as->text_read += n;
	if (as->text_read <= limit)
		return true;
	if (s)
		error_at(as, s, off, "more than %zu characters of source read; "
			 "giving up (include or macro bomb?)", limit);
	else
		error_file(as, file, "more than %zu characters of source; "
			   "giving up", limit);
	as->stop = true;
	return false;
}

static void add_stmt(struct assembler *as, const struct src *s,
		     const struct token *t, int n, enum stmt_kind kind,
		     int which)
{
	if (as->nstmts >= max_statements(as)) {
		error_at(as, s, t[0].off,
			 "too many statements (limit %zu); giving up",
			 max_statements(as));
		as->stop = true;
		return;
	}
	as->stmts = grow(as->stmts, &as->capstmts, as->nstmts + 1,
			 sizeof *as->stmts);
	struct token *copy = arena_alloc(&as->arena, (size_t)n * sizeof *copy);
	memcpy(copy, t, (size_t)n * sizeof *copy);
	as->stmts[as->nstmts++] = (struct stmt){
		.src = s, .tok = copy, .ntok = n, .kind = (uint8_t)kind,
		.which = which};
	as->key = as->nstmts;
}

static struct macro *find_macro(struct assembler *as, const char *name,
				size_t len)
{
	for (struct macro *m = as->macros; m; m = m->next)
		if (strlen(m->name) == len && memcmp(m->name, name, len) == 0)
			return m;
	return NULL;
}

/* The text of tokens [lo, hi) as written, or "" when empty. */
static const char *span_text(struct assembler *as, const struct src *s,
			     const struct token *t, int lo, int hi)
{
	if (lo >= hi)
		return arena_strndup(&as->arena, "", 0);
	size_t from = t[lo].off, to = t[hi - 1].off + t[hi - 1].len;
	return arena_strndup(&as->arena, s->text + from, to - from);
}

static bool is_param_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

/* `.macro name p1, p2=default`: starts collecting the body. */
static void begin_macro(struct assembler *as, struct unit *u,
			const struct src *s, const struct token *t, int n)
{
	struct macro *m = arena_alloc(&as->arena, sizeof *m);
	memset(m, 0, sizeof *m);
	m->def = s;
	m->def_off = t[0].off;
	u->collecting = m;
	u->nest = 0;
	if (n < 2 || t[1].kind != T_IDENT || tok_text(s, &t[1])[0] == '.') {
		error_at(as, s, n < 2 ? t[0].off + t[0].len : t[1].off,
			 "expected a macro name after .macro");
		return;
	}
	const char *name = arena_strndup(&as->arena, tok_text(s, &t[1]), t[1].len);
	if (find_macro(as, name, t[1].len)) {
		error_at(as, s, t[1].off, "macro '%s' is already defined", name);
		return;
	}
	m->pname = arena_alloc(&as->arena, (size_t)n * sizeof *m->pname);
	m->pdefault = arena_alloc(&as->arena, (size_t)n * sizeof *m->pdefault);
	for (int j = 2; j < n;) {
		const struct token *p = &t[j];
		bool valid = p->kind == T_IDENT;
		for (size_t k = 0; valid && k < p->len; k++)
			valid = is_param_char(tok_text(s, p)[k]);
		if (!valid) {
			error_at(as, s, p->off, "expected a parameter name, got '%.*s'",
				 shown(p->len), tok_text(s, p));
			return;
		}
		const char *pn = arena_strndup(&as->arena, tok_text(s, p), p->len);
		for (int k = 0; k < m->nparams; k++)
			if (strcmp(m->pname[k], pn) == 0) {
				error_at(as, s, p->off,
					 "duplicate parameter '%s'", pn);
				return;
			}
		const char *def = NULL;
		j++;
		if (j < n && is_punct(&t[j], '=')) {
			int lo = ++j;
			while (j < n && !is_punct(&t[j], ','))
				j++;
			def = span_text(as, s, t, lo, j);
		}
		if (j < n && is_punct(&t[j], ','))
			j++;
		m->pname[m->nparams] = pn;
		m->pdefault[m->nparams] = def;
		m->nparams++;
	}
	m->name = name;
}

/* The first word of a statement, to spot .macro/.endm inside a body. */
static bool first_word_is(const struct src *s, const char *word)
{
	size_t i = 0, n = strlen(word);
	while (i < s->len && is_space(s->text[i]))
		i++;
	if (s->len - i < n || memcmp(s->text + i, word, n) != 0)
		return false;
	return i + n == s->len || !is_ident_char(s->text[i + n]);
}

static void collect_body(struct assembler *as, struct unit *u,
			 const struct src *s)
{
	struct macro *m = u->collecting;
	if (first_word_is(s, ".macro")) {
		u->nest++;
	} else if (first_word_is(s, ".endm")) {
		if (u->nest == 0) {
			if (m->name) {
				m->next = as->macros;
				as->macros = m;
			} else {
				free(m->body);
			}
			u->collecting = NULL;
			return;
		}
		u->nest--;
	}
	m->body = grow(m->body, &m->capbody, m->nbody + 1, sizeof *m->body);
	m->body[m->nbody++] = s;
}

/* The end of a file or an expansion: a .macro still open is an error. */
static void end_unit(struct assembler *as, struct unit *u)
{
	struct macro *m = u->collecting;
	if (!m)
		return;
	if (m->name)
		error_at(as, m->def, m->def_off, "missing .endm for macro '%s'",
			 m->name);
	else
		error_at(as, m->def, m->def_off, "missing .endm");
	free(m->body);
	u->collecting = NULL;
}

/* Output of a macro substitution: text plus the column of each char. */
struct subst {
	struct strbuf text;
	int *cols;
	size_t capcols;
	bool too_long;
};

/* Makes room for n more characters; false if the text gets too long. */
static bool subst_room(struct subst *o, size_t n)
{
	if (o->text.len + n > MAX_LINE_LEN) {
		o->too_long = true;
		return false;
	}
	o->text.s = grow(o->text.s, &o->text.cap, o->text.len + n + 1, 1);
	o->cols = grow(o->cols, &o->capcols, o->text.len + n + 1, sizeof(int));
	return true;
}

/* Appends n characters that all take the column col (an argument). */
static void subst_put(struct subst *o, const char *p, size_t n, int col)
{
	if (!subst_room(o, n))
		return;
	memcpy(o->text.s + o->text.len, p, n);
	for (size_t i = 0; i < n; i++)
		o->cols[o->text.len + i] = col;
	o->text.len += n;
}

/* Appends b's characters [from, to), each with its own column. */
static void subst_copy(struct subst *o, const struct src *b, size_t from,
		       size_t to)
{
	if (!subst_room(o, to - from))
		return;
	memcpy(o->text.s + o->text.len, b->text + from, to - from);
	for (size_t i = from; i < to; i++)
		o->cols[o->text.len + i - from] = src_col(b, i);
	o->text.len += to - from;
}

/*
 * One statement of a macro body with \param replaced by its argument.
 * Each character keeps the column it came from (an argument's characters
 * take the column of its \param), so diagnostics point into the body.
 */
static const struct src *substitute(struct assembler *as, const struct src *b,
				    const struct macro *m,
				    const char *const *args, const struct ctx *c,
				    int scope, unsigned expno)
{
	struct subst o = {0};
	char q = 0; /* inside a string or character literal: its quote */
	for (size_t i = 0; i < b->len && !o.too_long;) {
		char ch = b->text[i];
		int col = src_col(b, i);
		if (ch == '\\' && i + 1 < b->len) {
			size_t j = i + 1;
			while (j < b->len && is_param_char(b->text[j]))
				j++;
			const char *rep = NULL;
			char num[16];
			for (int k = 0; k < m->nparams && j > i + 1; k++)
				if (strlen(m->pname[k]) == j - i - 1 &&
				    memcmp(m->pname[k], b->text + i + 1, j - i - 1) == 0)
					rep = args[k];
			if (!rep && b->text[i + 1] == '@') {
				snprintf(num, sizeof num, "%u", expno);
				rep = num;
				j = i + 2;
			} else if (!rep && b->text[i + 1] == '(' &&
				   i + 2 < b->len && b->text[i + 2] == ')') {
				rep = "";
				j = i + 3;
			}
			if (rep) {
				subst_put(&o, rep, strlen(rep), col);
				i = j;
				continue;
			}
			if (q) { /* keep \" and friends whole */
				subst_put(&o, b->text + i, 2, col);
				i += 2;
				continue;
			}
		}
		/* This character and the plain ones after it, up to the next
		 * backslash, are copied as they are. */
		size_t j = i;
		do {
			ch = b->text[j++];
			if (q) {
				if (ch == q)
					q = 0;
			} else if (ch == '"' || ch == '\'') {
				q = ch;
			}
		} while (j < b->len && b->text[j] != '\\');
		subst_copy(&o, b, i, j);
		i = j;
	}
	struct src in_expansion = *b; /* for errors: the body line, with
					 "in expansion of" notes */
	in_expansion.ctx = c;
	if (o.too_long ||
	    !read_within_limit(as, NULL, &in_expansion, 0, o.text.len)) {
		if (o.too_long)
			error_at(as, &in_expansion, 0, "statement longer than %d "
				 "characters after macro expansion", MAX_LINE_LEN);
		free(o.text.s);
		free(o.cols);
		return NULL;
	}
	struct src *e = arena_alloc(&as->arena, sizeof *e);
	*e = *b;
	e->text = arena_strndup(&as->arena, o.text.s ? o.text.s : "", o.text.len);
	e->len = o.text.len;
	int *cols = arena_alloc(&as->arena, (o.text.len + 1) * sizeof *cols);
	if (o.text.len)
		memcpy(cols, o.cols, o.text.len * sizeof *cols);
	cols[o.text.len] = src_col(b, b->len);
	e->colmap = cols;
	e->ctx = c;
	e->scope = scope;
	e->show = e->text;
	e->showlen = e->len;
	free(o.text.s);
	free(o.cols);
	return e;
}

static void expand_macro(struct assembler *as, const struct src *s,
			 const struct macro *m, const struct token *t, int n)
{
	if (as->macro_depth >= MAX_MACRO_DEPTH) {
		error_at(as, s, t[0].off, "macro recursion too deep (limit %d)",
			 MAX_MACRO_DEPTH);
		return;
	}
	const char **args = arena_alloc(&as->arena,
					(size_t)(m->nparams + 1) * sizeof *args);
	for (int k = 0; k < m->nparams; k++)
		args[k] = NULL;
	int na = 0;
	for (int j = 1; j < n;) {
		int lo = j, depth = 0;
		while (j < n && !(depth == 0 && is_punct(&t[j], ','))) {
			if (is_punct(&t[j], '('))
				depth++;
			else if (is_punct(&t[j], ')') && depth > 0)
				depth--;
			j++;
		}
		if (na >= m->nparams) {
			error_at(as, s, lo < n ? t[lo].off : t[n - 1].off,
				 "too many arguments for macro '%s' (it takes %d)",
				 m->name, m->nparams);
			return;
		}
		args[na++] = lo < j ? span_text(as, s, t, lo, j) : NULL;
		if (j < n && ++j == n) { /* a trailing comma: one empty arg */
			if (na >= m->nparams) {
				error_at(as, s, t[n - 1].off,
					 "too many arguments for macro '%s' (it takes %d)",
					 m->name, m->nparams);
				return;
			}
			na++;
		}
	}
	for (int k = 0; k < m->nparams; k++) {
		if (args[k])
			continue;
		if (!m->pdefault[k]) {
			error_at(as, s, t[0].off,
				 "missing argument for parameter '%s' of macro '%s'",
				 m->pname[k], m->name);
			return;
		}
		args[k] = m->pdefault[k];
	}

	struct ctx *c = arena_alloc(&as->arena, sizeof *c);
	*c = (struct ctx){CTX_MACRO, m->name, s, t[0].off};
	int scope = ++as->nscopes;
	unsigned expno = as->nexpansions++;
	as->macro_depth++;
	struct unit u = {0};
	for (size_t b = 0; b < m->nbody && !as->stop; b++) {
		const struct src *e = substitute(as, m->body[b], m, args, c,
						 scope, expno);
		if (e)
			handle_piece(as, &u, e);
	}
	end_unit(as, &u);
	as->macro_depth--;
}

/* Reads a whole file into the arena.  Returns NULL with errno-style *err. */
static char *read_whole_file(struct assembler *as, const char *path,
			     size_t *len, int *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = errno;
		return NULL;
	}
	/* fopen accepts a directory on most systems; reading it then fails
	 * with a bare I/O error, so say what is wrong instead. */
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		*err = EISDIR;
		return NULL;
	}
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		buf = grow(buf, &cap, n + 65536, 1);
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0 || n > MAX_FILE_SIZE)
			break;
	}
	*err = ferror(f) ? EIO : n > MAX_FILE_SIZE ? EFBIG : 0;
	fclose(f);
	if (*err) {
		free(buf);
		return NULL;
	}
	char *text = arena_strndup(&as->arena, buf, n);
	free(buf);
	*len = n;
	return text;
}

static bool file_identity(const char *path, struct file_id *id)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return true;
}

static void read_text(struct assembler *as, const char *file, const char *text,
		      size_t len, const struct ctx *ctx, int scope);

/* .include "file": the including file's folder first, then each -I. */
static void do_include(struct assembler *as, const struct src *s,
		       const struct token *t, int n)
{
	if (n != 2 || t[1].kind != T_STRING || t[1].slen == 0 ||
	    memchr(t[1].str, '\0', t[1].slen)) {
		error_at(as, s, n > 1 ? t[1].off : t[0].off + t[0].len,
			 "expected a file name in quotes after .include");
		return;
	}
	const char *name = arena_strndup(&as->arena, (const char *)t[1].str,
					 t[1].slen);
	if (as->incdepth >= MAX_INCLUDE_DEPTH) {
		error_at(as, s, t[0].off, "includes nested too deeply (limit %d)",
			 MAX_INCLUDE_DEPTH);
		return;
	}
	const char *found = NULL;
	struct file_id id;
	int ndirs = as->opt->include_dirs ? as->opt->ninclude_dirs : 0;
	/* k = -1: the including file's folder; k >= 0: the -I folders */
	for (int k = -1; k < ndirs && !found; k++) {
		const char *dir;
		size_t dlen;
		if (name[0] == '/' && k >= 0)
			break;
		if (name[0] == '/') {
			dir = "", dlen = 0;
		} else if (k < 0) {
			const char *slash = strrchr(s->file, '/');
			dir = slash ? s->file : NULL;
			dlen = slash ? (size_t)(slash - s->file) : 0;
		} else {
			dir = as->opt->include_dirs[k];
			if (!dir)
				continue;
			dlen = strlen(dir);
		}
		char *path;
		if (!dir || name[0] == '/') {
			path = arena_strndup(&as->arena, name, strlen(name));
		} else {
			size_t size = dlen + strlen(name) + 2;
			path = arena_alloc(&as->arena, size);
			/* "/x" for a file in the root, else "dir/x" */
			snprintf(path, size, "%.*s/%s", (int)dlen, dir, name);
		}
		if (file_identity(path, &id))
			found = path;
	}
	if (!found) {
		error_at(as, s, t[1].off, "cannot find include file '%s'", name);
		return;
	}
	for (int k = 0; k < as->ninc; k++)
		if (as->inc[k].dev == id.dev && as->inc[k].ino == id.ino) {
			error_at(as, s, t[1].off, "recursive include of '%s'", name);
			return;
		}
	size_t len;
	int err;
	const char *text = read_whole_file(as, found, &len, &err);
	if (!text) {
		error_at(as, s, t[1].off, "cannot read '%s': %s", found,
			 strerror(err));
		return;
	}
	if (!read_within_limit(as, NULL, s, t[1].off, len))
		return;
	struct ctx *c = arena_alloc(&as->arena, sizeof *c);
	*c = (struct ctx){CTX_INCLUDE, NULL, s, t[0].off};
	as->inc[as->ninc++] = id;
	as->incdepth++;
	read_text(as, found, text, len, c, s->scope);
	as->incdepth--;
	as->ninc--;
}

/* One statement's text: labels, then a directive, instruction or macro. */
static void handle_piece(struct assembler *as, struct unit *u,
			 const struct src *s)
{
	if (as->stop)
		return;
	if (++as->work > 2 * max_statements(as)) {
		error_at(as, s, 0, "more than %zu statements read; giving up "
			 "(runaway macro expansion?)", 2 * max_statements(as));
		as->stop = true;
		return;
	}
	if (u->collecting) {
		collect_body(as, u, s);
		return;
	}
	if (!tokenize(as, s))
		return;
	/* A nested expansion or include reuses as->tk: expand_macro and
	 * do_include take what they need from t before they recurse. */
	int n = (int)as->ntk;
	const struct token *t = as->tk;
	int i = 0;
	while (i + 1 < n && is_punct(&t[i + 1], ':') &&
	       (t[i].kind == T_IDENT || t[i].kind == T_NUM)) {
		add_stmt(as, s, &t[i], 1, t[i].kind == T_IDENT ? S_LABEL : S_LOCAL, 0);
		i += 2;
	}
	if (i == n || as->stop)
		return;
	const struct token *h = &t[i];
	const char *name = tok_text(s, h);
	if (h->kind != T_IDENT) {
		error_at(as, s, h->off,
			 "expected a label, directive or instruction, got '%.*s'",
			 shown(h->len), name);
		return;
	}
	if (tok_is(s, h, ".macro")) {
		begin_macro(as, u, s, h, n - i);
		return;
	}
	if (tok_is(s, h, ".endm")) {
		error_at(as, s, h->off, ".endm without .macro");
		return;
	}
	if (tok_is(s, h, ".include")) {
		do_include(as, s, h, n - i);
		return;
	}
	const struct macro *m = find_macro(as, name, h->len);
	if (m) {
		expand_macro(as, s, m, h, n - i);
		return;
	}
	if (i + 1 < n && is_punct(&t[i + 1], '=')) {
		add_stmt(as, s, h, n - i, S_ASSIGN, 0);
		return;
	}
	if (name[0] == '.') {
		int d = find_directive(name, h->len);
		if (d < 0)
			error_at(as, s, h->off, "unknown directive '%.*s'",
				 shown(h->len), name);
		else
			add_stmt(as, s, h, n - i, S_DIRECTIVE, d);
		return;
	}
	enum isa_op op = find_op(name, h->len);
	int p;
	if (op != OP_ILLEGAL)
		add_stmt(as, s, h, n - i, S_INSN, (int)op);
	else if ((p = find_pseudo(name, h->len)) >= 0)
		add_stmt(as, s, h, n - i, S_PSEUDO, p);
	else
		error_at(as, s, h->off, "unknown mnemonic '%.*s'",
			 shown(h->len), name);
}

/* Cuts a file's text into lines, and lines into statements. */
static void read_text(struct assembler *as, const char *file, const char *text,
		      size_t len, const struct ctx *ctx, int scope)
{
	struct unit u = {0};
	int lineno = 0;
	for (size_t pos = 0; pos < len && !as->stop;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *line = text + pos;
		size_t llen = end - pos;
		if (llen && line[llen - 1] == '\r')
			llen--;
		lineno++;
		pos = end + 1;

		struct src proto = {file, lineno, line, 0, NULL, 1, ctx, scope,
				    line, llen};
		if (llen > MAX_LINE_LEN) {
			struct src *e = arena_alloc(&as->arena, sizeof *e);
			*e = proto;
			error_at(as, e, 0, "line longer than %d characters",
				 MAX_LINE_LEN);
			continue;
		}
		size_t start = 0;
		char q = 0;
		for (size_t i = 0;; i++) {
			bool cut = false, last = false;
			if (i == llen) {
				cut = last = true;
			} else if (q) {
				if (line[i] == '\\' && i + 1 < llen)
					i++;
				else if (line[i] == q)
					q = 0;
			} else if (line[i] == '"' || line[i] == '\'') {
				q = line[i];
			} else if (line[i] == '#') {
				cut = last = true;
			} else if (line[i] == ';') {
				cut = true;
			}
			if (!cut)
				continue;
			size_t k = start;
			while (k < i && is_space(line[k]))
				k++;
			if (k < i) {
				struct src *e = arena_alloc(&as->arena, sizeof *e);
				*e = proto;
				e->text = line + start;
				e->len = i - start;
				e->colbase = (int)start + 1;
				handle_piece(as, &u, e);
			}
			start = i + 1;
			if (last)
				break;
		}
	}
	end_unit(as, &u);
}

/* ---------------------------------------------------------------------- */
/* Symbols.                                                              */

static size_t hash_name(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return (size_t)h;
}

static struct symbol *sym_find(struct assembler *as, const char *name,
			       size_t len)
{
	if (!as->nbuckets)
		return NULL;
	struct symbol *s = as->buckets[hash_name(name, len) & (as->nbuckets - 1)];
	for (; s; s = s->next)
		if (strlen(s->name) == len && memcmp(s->name, name, len) == 0)
			return s;
	return NULL;
}

static struct symbol *sym_new(struct assembler *as, const char *name,
			      size_t len)
{
	if (as->nsyms + 1 > as->nbuckets) { /* keep chains short: rehash */
		size_t nb = as->nbuckets ? as->nbuckets * 2 : 256;
		struct symbol **b = xcalloc(nb * sizeof *b);
		for (size_t i = 0; i < as->nsyms; i++) {
			struct symbol *s = as->syms[i];
			size_t h = hash_name(s->name, strlen(s->name)) & (nb - 1);
			s->next = b[h];
			b[h] = s;
		}
		free(as->buckets);
		as->buckets = b;
		as->nbuckets = nb;
	}
	struct symbol *s = arena_alloc(&as->arena, sizeof *s);
	memset(s, 0, sizeof *s);
	s->name = arena_strndup(&as->arena, name, len);
	size_t h = hash_name(name, len) & (as->nbuckets - 1);
	s->next = as->buckets[h];
	as->buckets[h] = s;
	as->syms = grow(as->syms, &as->capsyms, as->nsyms + 1, sizeof *as->syms);
	as->syms[as->nsyms++] = s;
	return s;
}

static size_t stmt_index(const struct assembler *as, const struct stmt *st)
{
	return (size_t)(st - as->stmts);
}

/*
 * Defines a symbol for this layout run.  Returns NULL, after reporting,
 * if it already is defined in this run.
 */
static struct symbol *define(struct assembler *as, struct stmt *st,
			     const struct token *t, enum sym_kind kind)
{
	const char *name = tok_text(st->src, t);
	struct symbol *sym = sym_find(as, name, t->len);
	if (sym && sym->run == as->run) {
		error_at(as, st->src, t->off, "duplicate symbol '%.*s'",
			 shown(t->len), name);
		const struct stmt *prev = &as->stmts[sym->stmt];
		note_at(as, prev->src, sym->def->off, "first defined here");
		st->bad = true;
		return NULL;
	}
	if (!sym)
		sym = sym_new(as, name, t->len);
	sym->kind = (uint8_t)kind;
	sym->run = as->run;
	sym->stmt = stmt_index(as, st);
	sym->def = t;
	sym->section = st->section;
	sym->value = st->addr;
	sym->state = EQU_UNEVAL;
	sym->has_label = kind == SYM_LABEL;
	return sym;
}

/* The numeric local label num, before (dir 'b') or after ('f') stmt. */
static const struct localdef *find_local(const struct assembler *as,
					 int64_t num, char dir, int scope,
					 size_t stmt)
{
	/* locals[] is in statement order: find the first one after stmt */
	size_t lo = 0, hi = as->nlocals;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (as->locals[mid].stmt <= stmt)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (dir == 'b') {
		for (size_t i = lo; i-- > 0;)
			if (as->locals[i].num == num && as->locals[i].scope == scope)
				return &as->locals[i];
	} else {
		for (size_t i = lo; i < as->nlocals; i++)
			if (as->locals[i].num == num && as->locals[i].scope == scope)
				return &as->locals[i];
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Expressions.                                                          */

/*
 * EV_PEEK: pass 1, silent; a symbol not known yet makes the value unknown.
 * EV_NOW:  pass 1, reporting; the value must be known at this point.
 * EV_FINAL: pass 2, reporting; every symbol must be defined.
 */
enum ev_mode { EV_PEEK, EV_NOW, EV_FINAL };

struct value {
	int64_t v;
	bool known; /* false only in EV_PEEK */
	bool label; /* involves a label, `.`, or something not yet known */
};

struct ev {
	struct assembler *as;
	const struct stmt *st;
	int pos, end;
	enum ev_mode mode;
	bool known, label, failed;
	int depth;
};

static void equ_eval(struct assembler *as, struct symbol *sym);

__attribute__((format(printf, 3, 4))) static void
ev_error(struct ev *e, size_t off, const char *fmt, ...)
{
	if (!e->failed && e->mode != EV_PEEK && !e->as->quiet) {
		struct strbuf b = {0};
		va_list ap;
		va_start(ap, fmt);
		sb_vprintf(&b, fmt, ap);
		va_end(ap);
		error_at(e->as, e->st->src, off, "%s", b.s);
		free(b.s);
	}
	e->failed = true;
}

/* Where "the next token" is, for a message about something missing. */
static size_t ev_off(const struct ev *e)
{
	const struct stmt *st = e->st;
	if (e->pos < st->ntok)
		return st->tok[e->pos].off;
	const struct token *last = &st->tok[st->ntok - 1];
	return last->off + last->len;
}

static const struct token *ev_peek(const struct ev *e)
{
	return e->pos < e->end ? &e->st->tok[e->pos] : NULL;
}

static bool ev_accept(struct ev *e, int punct)
{
	const struct token *t = ev_peek(e);
	if (t && is_punct(t, punct)) {
		e->pos++;
		return true;
	}
	return false;
}

/* A symbol's value; sets e->known / e->label / e->failed. */
static int64_t ev_symbol(struct ev *e, const struct token *t)
{
	struct assembler *as = e->as;
	const char *name = tok_text(e->st->src, t);
	struct symbol *sym = sym_find(as, name, t->len);
	if (!sym || sym->run != as->run) {
		e->known = false;
		e->label = true;
		if (e->mode == EV_NOW && sym) {
			ev_error(e, t->off,
				 "value of '%.*s' is not known here (forward reference)",
				 shown(t->len), name);
		} else if (e->mode != EV_PEEK) {
			char reg[8];
			int r = -1;
			if (t->len < sizeof reg) {
				memcpy(reg, name, t->len);
				reg[t->len] = '\0';
				r = isa_reg_lookup(reg);
			}
			if (r >= 0)
				ev_error(e, t->off,
					 "expected an expression, got register '%s'", reg);
			else
				ev_error(e, t->off, "undefined symbol '%.*s'",
					 shown(t->len), name);
		}
		return 0;
	}
	if (sym->kind == SYM_LABEL) {
		e->label = true;
		return sym->value;
	}
	if (sym->state == EQU_UNEVAL && e->mode == EV_FINAL)
		equ_eval(as, sym);
	switch (sym->state) {
	case EQU_DONE:
		e->label |= sym->has_label;
		return sym->value;
	case EQU_BUSY:
		ev_error(e, t->off, "symbol '%s' is defined in terms of itself",
			 sym->name);
		return 0;
	case EQU_FAILED: /* reported where it is defined */
		e->failed = true;
		return 0;
	default: /* EQU_UNEVAL in pass 1: it depends on something later */
		e->known = false;
		e->label = true;
		if (e->mode == EV_NOW)
			ev_error(e, t->off,
				 "value of '%s' is not known here (forward reference)",
				 sym->name);
		return 0;
	}
}

static int64_t ev_local(struct ev *e, const struct token *t)
{
	struct assembler *as = e->as;
	e->label = true;
	const struct localdef *d = find_local(as, t->value, t->dir,
					      e->st->src->scope,
					      stmt_index(as, e->st));
	if (d)
		return d->addr;
	e->known = false;
	if (e->mode == EV_NOW && t->dir == 'f')
		ev_error(e, t->off,
			 "value of '%lld%c' is not known here (forward reference)",
			 (long long)t->value, t->dir);
	else if (e->mode != EV_PEEK)
		ev_error(e, t->off, "undefined local label '%lld%c'",
			 (long long)t->value, t->dir);
	return 0;
}

static int64_t ev_level(struct ev *e, int level);

static int64_t ev_primary(struct ev *e)
{
	const struct token *t = ev_peek(e);
	if (!t) {
		ev_error(e, ev_off(e), "expected an expression");
		return 0;
	}
	const struct src *s = e->st->src;
	switch (t->kind) {
	case T_NUM:
		e->pos++;
		return t->value;
	case T_LOCALREF:
		e->pos++;
		return ev_local(e, t);
	case T_IDENT:
		e->pos++;
		if (t->len == 1 && tok_text(s, t)[0] == '.') {
			e->label = true;
			return e->st->addr;
		}
		return ev_symbol(e, t);
	case T_PUNCT:
		if (t->punct == '(') {
			e->pos++;
			int64_t v = ev_level(e, 0);
			if (!e->failed && !ev_accept(e, ')'))
				ev_error(e, ev_off(e), "expected ')'");
			return v;
		}
		break;
	default:
		break;
	}
	ev_error(e, t->off, "expected an expression, got '%.*s'",
		 shown(t->len), tok_text(s, t));
	return 0;
}

static int64_t ev_unary(struct ev *e)
{
	if (e->failed)
		return 0;
	if (++e->depth > MAX_EXPR_DEPTH) {
		ev_error(e, ev_off(e), "expression nested too deeply");
		e->depth--;
		return 0;
	}
	int64_t v;
	if (ev_accept(e, '-'))
		v = (int64_t)(0 - (uint64_t)ev_unary(e));
	else if (ev_accept(e, '+'))
		v = ev_unary(e);
	else if (ev_accept(e, '~'))
		v = ~ev_unary(e);
	else
		v = ev_primary(e);
	e->depth--;
	return v;
}

/* C's binary operators, loosest first; all are left-associative. */
static const int ev_ops[][3] = {
	{'|'}, {'^'}, {'&'}, {P_SHL, P_SHR}, {'+', '-'}, {'*', '/', '%'},
};
#define EV_LEVELS ((int)(sizeof ev_ops / sizeof ev_ops[0]))

static int64_t ev_apply(struct ev *e, const struct token *op, int64_t a,
			int64_t b)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b; /* wrap, never UB */
	switch (op->punct) {
	case '|': return (int64_t)(ua | ub);
	case '^': return (int64_t)(ua ^ ub);
	case '&': return (int64_t)(ua & ub);
	case '+': return (int64_t)(ua + ub);
	case '-': return (int64_t)(ua - ub);
	case '*': return (int64_t)(ua * ub);
	case '/':
	case '%':
		if (b == 0) {
			if (e->known)
				ev_error(e, op->off, "division by zero");
			return 0;
		}
		if (a == INT64_MIN && b == -1)
			return op->punct == '/' ? INT64_MIN : 0;
		return op->punct == '/' ? a / b : a % b;
	default: /* shifts */
		if (b < 0 || b > 63) {
			if (e->known)
				ev_error(e, op->off, "shift count %lld out of range 0..63",
					 (long long)b);
			return 0;
		}
		if (op->punct == P_SHL)
			return (int64_t)(ua << b);
		return a >= 0 ? a >> b : ~(~a >> b);
	}
}

static int64_t ev_level(struct ev *e, int level)
{
	if (level == EV_LEVELS)
		return ev_unary(e);
	int64_t v = ev_level(e, level + 1);
	while (!e->failed) {
		const struct token *t = ev_peek(e);
		bool match = false;
		for (int k = 0; t && t->kind == T_PUNCT && k < 3; k++)
			match |= ev_ops[level][k] && t->punct == ev_ops[level][k];
		if (!match)
			break;
		e->pos++;
		int64_t r = ev_level(e, level + 1);
		if (!e->failed)
			v = ev_apply(e, t, v, r);
	}
	return v;
}

/* Evaluates tokens [lo, hi) of st.  Returns false on an error. */
static bool eval_range(struct assembler *as, const struct stmt *st, int lo,
		       int hi, enum ev_mode mode, struct value *out)
{
	struct ev e = {as, st, lo, hi, mode, true, false, false, 0};
	int64_t v = ev_level(&e, 0);
	if (!e.failed && e.pos < hi) {
		const struct token *t = &st->tok[e.pos];
		ev_error(&e, t->off, "unexpected '%.*s' in expression",
			 shown(t->len), tok_text(st->src, t));
	}
	out->v = v;
	out->known = e.known && !e.failed;
	out->label = e.label;
	return !e.failed;
}

/* Evaluates an .equ whose value was not known in pass 1. */
static void equ_eval(struct assembler *as, struct symbol *sym)
{
	const struct stmt *st = &as->stmts[sym->stmt];
	if (as->equ_depth >= MAX_EQU_DEPTH) {
		size_t saved = as->key;
		as->key = sym->stmt;
		error_at(as, st->src, sym->def->off,
			 "symbol definitions nested too deeply (limit %d)",
			 MAX_EQU_DEPTH);
		as->key = saved;
		sym->state = EQU_FAILED;
		return;
	}
	size_t saved = as->key;
	as->key = sym->stmt;
	as->equ_depth++;
	sym->state = EQU_BUSY;
	struct value v;
	if (eval_range(as, st, sym->expr_lo, sym->expr_hi, EV_FINAL, &v)) {
		sym->value = v.v;
		sym->has_label = v.label;
		sym->state = EQU_DONE;
	} else {
		sym->state = EQU_FAILED;
	}
	as->equ_depth--;
	as->key = saved;
}

/* ---------------------------------------------------------------------- */
/* Operands.                                                             */

struct opnd {
	int lo, hi; /* tokens [lo, hi) of the statement */
};

/* Iterates over the comma-separated operands after tok[0]: start with
 * pos = operand_start(st); returns false when there are no more. */
static int operand_start(const struct stmt *st)
{
	return st->ntok > 1 ? 1 : st->ntok + 1;
}

static bool next_operand(const struct stmt *st, int *pos, struct opnd *r)
{
	if (*pos > st->ntok)
		return false;
	int i = *pos, depth = 0;
	while (i < st->ntok && !(depth == 0 && is_punct(&st->tok[i], ','))) {
		if (is_punct(&st->tok[i], '('))
			depth++;
		else if (is_punct(&st->tok[i], ')') && depth > 0)
			depth--;
		i++;
	}
	*r = (struct opnd){*pos, i};
	*pos = i + 1;
	return true;
}

/* Counts the operands; fills in at most max of them. */
static int get_operands(const struct stmt *st, struct opnd *o, int max)
{
	/* n is unsigned so that gcc's bounds analysis (-O2 with sanitizers)
	 * can see o[n] is never negative. */
	unsigned n = 0;
	int pos = operand_start(st);
	struct opnd r;
	while (next_operand(st, &pos, &r)) {
		if (n < (unsigned)max)
			o[n] = r;
		n++;
	}
	return (int)n;
}

/* Where an operand starts (or, if empty, what stands in its place). */
static size_t opnd_off(const struct stmt *st, struct opnd r)
{
	if (r.lo < st->ntok)
		return st->tok[r.lo].off;
	const struct token *last = &st->tok[st->ntok - 1];
	return last->off + last->len;
}

static int opnd_shown(const struct stmt *st, struct opnd r, const char **text)
{
	*text = st->src->text + st->tok[r.lo].off;
	const struct token *last = &st->tok[r.hi - 1];
	return shown(last->off + last->len - st->tok[r.lo].off);
}

static bool parse_name(const struct stmt *st, struct opnd r,
		       int (*lookup)(const char *), int *out)
{
	if (r.hi - r.lo != 1 || st->tok[r.lo].kind != T_IDENT)
		return false;
	const struct token *t = &st->tok[r.lo];
	char buf[16];
	if (t->len >= sizeof buf)
		return false;
	memcpy(buf, tok_text(st->src, t), t->len);
	buf[t->len] = '\0';
	*out = lookup(buf);
	return *out >= 0;
}

static bool parse_reg(struct assembler *as, const struct stmt *st,
		      struct opnd r, uint8_t *out)
{
	if (r.lo == r.hi) {
		error_at(as, st->src, opnd_off(st, r), "missing operand");
		return false;
	}
	int reg;
	if (parse_name(st, r, isa_reg_lookup, &reg)) {
		*out = (uint8_t)reg;
		return true;
	}
	const char *text;
	int n = opnd_shown(st, r, &text);
	error_at(as, st->src, opnd_off(st, r), "expected a register, got '%.*s'",
		 n, text);
	return false;
}

static bool parse_cr(struct assembler *as, const struct stmt *st,
		     struct opnd r, int32_t *out)
{
	if (r.lo == r.hi) {
		error_at(as, st->src, opnd_off(st, r), "missing operand");
		return false;
	}
	int cr;
	if (parse_name(st, r, isa_cr_lookup, &cr)) {
		*out = cr;
		return true;
	}
	const char *text;
	int n = opnd_shown(st, r, &text);
	error_at(as, st->src, opnd_off(st, r),
		 "expected a control register, got '%.*s'", n, text);
	return false;
}

static bool parse_expr(struct assembler *as, const struct stmt *st,
		       struct opnd r, int64_t *out)
{
	struct value v;
	if (!eval_range(as, st, r.lo, r.hi, EV_FINAL, &v))
		return false;
	*out = v.v;
	return true;
}

/* off(rs): the offset may be omitted. */
static bool parse_mem(struct assembler *as, const struct stmt *st,
		      struct opnd r, uint8_t *rs, int64_t *off)
{
	const struct token *t = st->tok;
	if (r.hi - r.lo < 3 || !is_punct(&t[r.hi - 1], ')') ||
	    !is_punct(&t[r.hi - 3], '(')) {
		if (r.lo == r.hi) {
			error_at(as, st->src, opnd_off(st, r), "missing operand");
			return false;
		}
		const char *text;
		int n = opnd_shown(st, r, &text);
		error_at(as, st->src, opnd_off(st, r),
			 "expected a memory operand 'offset(register)', got '%.*s'",
			 n, text);
		return false;
	}
	if (!parse_reg(as, st, (struct opnd){r.hi - 2, r.hi - 1}, rs))
		return false;
	*off = 0;
	return r.lo == r.hi - 3 ||
	       parse_expr(as, st, (struct opnd){r.lo, r.hi - 3}, off);
}

static bool check_imm(struct assembler *as, const struct stmt *st, size_t off,
		      enum isa_format fmt, int64_t v, const char *what)
{
	int64_t lo, hi;
	if (!isa_imm_range(fmt, &lo, &hi) || (v >= lo && v <= hi))
		return true;
	error_at(as, st->src, off, "%s %lld out of range %lld..%lld", what,
		 (long long)v, (long long)lo, (long long)hi);
	return false;
}

/* The byte offset from pc to target, checked against the format's reach. */
static bool target_offset(struct assembler *as, const struct stmt *st,
			  size_t off, enum isa_format fmt, int64_t target,
			  uint32_t pc, int32_t *out)
{
	int64_t lo, hi, d = target - (int64_t)pc;
	isa_imm_range(fmt, &lo, &hi);
	const char *what = fmt == FMT_JAL ? "jump" : "branch";
	if (d < lo || d > hi) {
		error_at(as, st->src, off,
			 "%s target too far (offset %lld bytes, reach %lld..%lld)",
			 what, (long long)d, (long long)lo, (long long)hi);
		return false;
	}
	if (d % 4) {
		error_at(as, st->src, off, "%s target 0x%llx is not word-aligned",
			 what, (unsigned long long)target);
		return false;
	}
	*out = (int32_t)d;
	return true;
}

static void put_bytes(struct assembler *as, const struct stmt *st,
		      uint32_t at, const void *p, size_t n)
{
	const struct section *sec = &as->sec[st->section];
	if (!sec->buf || at + n > st->size) /* no image; or cannot happen:
						pass 1 sized it */
		return;
	memcpy(sec->buf + (st->addr - sec->base) + at, p, n);
}

static void put_le(struct assembler *as, const struct stmt *st, uint32_t at,
		   uint32_t v, unsigned width)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	put_bytes(as, st, at, b, width);
}

static void emit_insn(struct assembler *as, const struct stmt *st,
		      unsigned index, const struct isa_insn *in)
{
	uint32_t word;
	if (!isa_encode(in, &word)) {
		error_at(as, st->src, st->tok[0].off,
			 "internal error: cannot encode '%s'",
			 isa_info(in->op)->mnemonic);
		return;
	}
	put_le(as, st, index * 4, word, 4);
}

static bool check_count(struct assembler *as, const struct stmt *st, int got,
			int want)
{
	if (got == want)
		return true;
	const struct token *h = &st->tok[0];
	if (want == 0)
		error_at(as, st->src, h->off, "'%.*s' expects no operands, got %d",
			 shown(h->len), tok_text(st->src, h), got);
	else
		error_at(as, st->src, h->off, "'%.*s' expects %d operand%s, got %d",
			 shown(h->len), tok_text(st->src, h), want,
			 want == 1 ? "" : "s", got);
	return false;
}

/* A real instruction: operands as its format says, then isa_encode(). */
static void assemble_insn(struct assembler *as, const struct stmt *st)
{
	static const int nops[FMT_COUNT] = {
		[FMT_R] = 3,     [FMT_I] = 3,      [FMT_IU] = 3,   [FMT_SHIFT] = 3,
		[FMT_LUI] = 2,   [FMT_LOAD] = 2,   [FMT_STORE] = 2, [FMT_BRANCH] = 3,
		[FMT_JAL] = 2,   [FMT_JALR] = 2,   [FMT_NONE] = 0, [FMT_RD] = 1,
		[FMT_RS] = 1,    [FMT_MFCR] = 2,   [FMT_MTCR] = 2,
	};
	const struct isa_opinfo *info = isa_info((unsigned)st->which);
	enum isa_format fmt = info->format;
	struct opnd o[3];
	int n = get_operands(st, o, 3);
	if (!check_count(as, st, n, nops[fmt]))
		return;
	struct isa_insn in = {.op = (uint8_t)st->which};
	int64_t v = 0;
	bool ok = true;
	switch (fmt) {
	case FMT_R:
		ok = parse_reg(as, st, o[0], &in.rd) &&
		     parse_reg(as, st, o[1], &in.rs1) &&
		     parse_reg(as, st, o[2], &in.rs2);
		break;
	case FMT_I:
	case FMT_IU:
	case FMT_SHIFT:
		ok = parse_reg(as, st, o[0], &in.rd) &&
		     parse_reg(as, st, o[1], &in.rs1) &&
		     parse_expr(as, st, o[2], &v) &&
		     check_imm(as, st, opnd_off(st, o[2]), fmt, v, "immediate");
		break;
	case FMT_LUI:
		ok = parse_reg(as, st, o[0], &in.rd) &&
		     parse_expr(as, st, o[1], &v) &&
		     check_imm(as, st, opnd_off(st, o[1]), fmt, v, "immediate");
		break;
	case FMT_LOAD:
	case FMT_JALR:
		ok = parse_reg(as, st, o[0], &in.rd) &&
		     parse_mem(as, st, o[1], &in.rs1, &v) &&
		     check_imm(as, st, opnd_off(st, o[1]), fmt, v, "offset");
		break;
	case FMT_STORE:
		ok = parse_reg(as, st, o[0], &in.rs2) &&
		     parse_mem(as, st, o[1], &in.rs1, &v) &&
		     check_imm(as, st, opnd_off(st, o[1]), fmt, v, "offset");
		break;
	case FMT_BRANCH:
		ok = parse_reg(as, st, o[0], &in.rs1) &&
		     parse_reg(as, st, o[1], &in.rs2) &&
		     parse_expr(as, st, o[2], &v) &&
		     target_offset(as, st, opnd_off(st, o[2]), fmt, v, st->addr,
				   &in.imm);
		break;
	case FMT_JAL:
		ok = parse_reg(as, st, o[0], &in.rd) &&
		     parse_expr(as, st, o[1], &v) &&
		     target_offset(as, st, opnd_off(st, o[1]), fmt, v, st->addr,
				   &in.imm);
		break;
	case FMT_NONE:
		break;
	case FMT_RD:
		ok = parse_reg(as, st, o[0], &in.rd);
		break;
	case FMT_RS:
		ok = parse_reg(as, st, o[0], &in.rs1);
		break;
	case FMT_MFCR:
		ok = parse_reg(as, st, o[0], &in.rd) &&
		     parse_cr(as, st, o[1], &in.imm);
		break;
	case FMT_MTCR:
		ok = parse_cr(as, st, o[0], &in.imm) &&
		     parse_reg(as, st, o[1], &in.rs1);
		break;
	case FMT_COUNT:
		ok = false;
		break;
	}
	if (!ok)
		return;
	if (fmt != FMT_BRANCH && fmt != FMT_JAL && fmt != FMT_MFCR &&
	    fmt != FMT_MTCR)
		in.imm = (int32_t)v;
	emit_insn(as, st, 0, &in);
}

static bool fits_s16(int64_t v)
{
	return v >= -32768 && v <= 32767;
}

static bool fits_32(int64_t v)
{
	return v >= INT32_MIN && v <= (int64_t)UINT32_MAX;
}

/* li's size: 4 only for a constant known now, free of labels. */
static uint32_t li_size(struct assembler *as, const struct stmt *st)
{
	struct opnd o[2];
	struct value v;
	if (get_operands(st, o, 2) != 2 ||
	    !eval_range(as, st, o[1].lo, o[1].hi, EV_PEEK, &v) || !v.known ||
	    v.label)
		return 8;
	if (fits_s16(v.v) || (fits_32(v.v) && (v.v & 0xffff) == 0))
		return 4;
	return 8;
}

static void assemble_pseudo(struct assembler *as, const struct stmt *st)
{
	const struct pseudo *p = &pseudos[st->which];
	int want = (int)strlen(p->shape);
	struct opnd o[3];
	int n = get_operands(st, o, 3);
	if (!check_count(as, st, n, want))
		return;
	uint8_t reg[3] = {0};
	int64_t val[3] = {0};
	for (int k = 0; k < want; k++) {
		bool ok = p->shape[k] == 'R' ? parse_reg(as, st, o[k], &reg[k])
					     : parse_expr(as, st, o[k], &val[k]);
		if (!ok)
			return;
	}
	if (p->nsteps == 0) { /* li */
		int64_t v = val[1];
		if (!fits_32(v)) {
			error_at(as, st->src, opnd_off(st, o[1]),
				 "immediate %lld out of range %lld..%lld",
				 (long long)v, (long long)INT32_MIN,
				 (long long)UINT32_MAX);
			return;
		}
		uint32_t u = (uint32_t)v;
		struct isa_insn lui = {.op = OP_LUI, .rd = reg[0],
				       .imm = (int32_t)(u >> 16)};
		if (st->size == 4 && fits_s16(v)) {
			struct isa_insn addi = {.op = OP_ADDI, .rd = reg[0],
						.imm = (int32_t)v};
			emit_insn(as, st, 0, &addi);
		} else if (st->size == 4) {
			emit_insn(as, st, 0, &lui);
		} else {
			struct isa_insn ori = {.op = OP_ORI, .rd = reg[0],
					       .rs1 = reg[0],
					       .imm = (int32_t)(u & 0xffff)};
			emit_insn(as, st, 0, &lui);
			emit_insn(as, st, 1, &ori);
		}
		return;
	}
	for (int k = 0; k < p->nsteps; k++) {
		const struct pseudo_step *s = &p->step[k];
		struct isa_insn in = {.op = s->op};
		in.rd = s->rd < 0 ? reg[OPND(s->rd)] : (uint8_t)s->rd;
		in.rs1 = s->rs1 < 0 ? reg[OPND(s->rs1)] : (uint8_t)s->rs1;
		in.rs2 = s->rs2 < 0 ? reg[OPND(s->rs2)] : (uint8_t)s->rs2;
		int64_t v = val[s->arg >= 0 && s->arg < 3 ? s->arg : 0];
		size_t off = s->imm == IMM_CONST ? 0 : opnd_off(st, o[s->arg]);
		switch (s->imm) {
		case IMM_NONE:
			break;
		case IMM_CONST:
			in.imm = s->arg;
			break;
		case IMM_HI:
		case IMM_LO:
			if (!fits_32(v)) {
				error_at(as, st->src, off,
					 "address %lld out of range %lld..%lld",
					 (long long)v, (long long)INT32_MIN,
					 (long long)UINT32_MAX);
				return;
			}
			in.imm = s->imm == IMM_HI ? (int32_t)((uint32_t)v >> 16)
						  : (int32_t)((uint32_t)v & 0xffff);
			break;
		case IMM_TARGET:
			if (!target_offset(as, st, off, isa_info(s->op)->format, v,
					   st->addr + 4u * (unsigned)k, &in.imm))
				return;
			break;
		}
		emit_insn(as, st, (unsigned)k, &in);
	}
}

/* ---------------------------------------------------------------------- */
/* Directives.                                                           */

static const char *dname(const struct stmt *st)
{
	return tok_text(st->src, &st->tok[0]);
}

static int dlen(const struct stmt *st)
{
	return shown(st->tok[0].len);
}

/* The single operand of a directive that needs a value in pass 1. */
static bool pass1_value(struct assembler *as, struct stmt *st, int64_t *out)
{
	struct opnd o[2];
	int n = get_operands(st, o, 2);
	if (n != 1) {
		check_count(as, st, n, 1);
		return false;
	}
	struct value v;
	if (!eval_range(as, st, o[0].lo, o[0].hi, EV_NOW, &v))
		return false;
	*out = v.v;
	return true;
}

/* .equ NAME, expr  or  NAME = expr */
static void define_equ(struct assembler *as, struct stmt *st)
{
	const struct token *t = st->tok;
	const struct token *name;
	int lo;
	if (st->kind == S_ASSIGN) {
		name = &t[0];
		lo = 2;
	} else {
		if (st->ntok < 3 || t[1].kind != T_IDENT || !is_punct(&t[2], ',')) {
			error_at(as, st->src, st->ntok > 1 ? t[1].off : t[0].off,
				 "expected 'NAME, value' after %.*s", dlen(st),
				 dname(st));
			st->bad = true;
			return;
		}
		name = &t[1];
		lo = 3;
	}
	if (name->len == 1 && tok_text(st->src, name)[0] == '.') {
		error_at(as, st->src, name->off,
			 "cannot assign to '.': use .org to set the address");
		st->bad = true;
		return;
	}
	struct symbol *sym = define(as, st, name, SYM_EQU);
	if (!sym)
		return;
	sym->expr_lo = lo;
	sym->expr_hi = st->ntok;
	struct value v;
	if (eval_range(as, st, lo, st->ntok, EV_PEEK, &v) && v.known) {
		sym->value = v.v;
		sym->has_label = v.label;
		sym->state = EQU_DONE;
	}
}

static const char *const section_names[NSECTIONS] = {".text", ".data"};

/* Pass 1 of a directive: its size (and the section switch). */
static uint64_t directive_pass1(struct assembler *as, struct stmt *st)
{
	const struct section *sec = &as->sec[as->cursec];
	struct opnd o[2];
	int64_t v;
	switch ((enum directive)st->which) {
	case D_TEXT:
	case D_DATA:
		if (!check_count(as, st, get_operands(st, o, 0), 0))
			st->bad = true;
		else
			as->cursec = st->which == D_TEXT ? SEC_TEXT : SEC_DATA;
		return 0;
	case D_SECTION:
		for (int k = 0; k < NSECTIONS; k++)
			if (st->ntok == 2 && tok_is(st->src, &st->tok[1],
						    section_names[k])) {
				as->cursec = k;
				return 0;
			}
		error_at(as, st->src, st->ntok > 1 ? st->tok[1].off : st->tok[0].off,
			 "expected .text or .data after .section");
		st->bad = true;
		return 0;
	case D_ORG:
		if (!pass1_value(as, st, &v)) {
			st->bad = true;
			return 0;
		}
		if (v < sec->cur || v > UINT32_MAX) {
			error_at(as, st->src, st->tok[1].off,
				 v < sec->cur ? ".org 0x%llx moves backwards (current "
						"address 0x%x)"
					      : ".org 0x%llx out of range (current "
						"address 0x%x)",
				 (unsigned long long)v, sec->cur);
			st->bad = true;
			return 0;
		}
		if (sec->end == sec->base) {
			/* Nothing emitted yet: the section simply starts at
			 * ADDR, instead of padding up to it from its default
			 * start (a user program at 0x00400000 is not 4 MiB of
			 * zeros). */
			struct section *moved = &as->sec[as->cursec];
			moved->base = moved->cur = moved->end = (uint32_t)v;
			return 0;
		}
		return (uint64_t)v - sec->cur;
	case D_ALIGN:
		if (!pass1_value(as, st, &v)) {
			st->bad = true;
			return 0;
		}
		if (v < 1 || v > MAX_ALIGN || (v & (v - 1))) {
			error_at(as, st->src, st->tok[1].off,
				 "%.*s %lld: not a power of two in 1..%u", dlen(st),
				 dname(st), (long long)v, MAX_ALIGN);
			st->bad = true;
			return 0;
		}
		return (((uint64_t)sec->cur + (uint64_t)v - 1) & ~((uint64_t)v - 1)) -
		       sec->cur;
	case D_WORD:
	case D_HALF:
	case D_BYTE: {
		int n = get_operands(st, o, 0);
		if (n == 0) {
			error_at(as, st->src, st->tok[0].off + st->tok[0].len,
				 "expected at least one value after %.*s", dlen(st),
				 dname(st));
			st->bad = true;
		}
		unsigned width = st->which == D_WORD ? 4 : st->which == D_HALF ? 2 : 1;
		return (uint64_t)n * width;
	}
	case D_ASCII:
	case D_ASCIZ: {
		uint64_t size = 0;
		int n = 0, pos = operand_start(st);
		struct opnd r;
		while (next_operand(st, &pos, &r)) {
			n++;
			if (r.hi - r.lo != 1 || st->tok[r.lo].kind != T_STRING) {
				error_at(as, st->src, opnd_off(st, r),
					 "expected a string");
				st->bad = true;
				return 0;
			}
			size += st->tok[r.lo].slen + (st->which == D_ASCIZ);
		}
		if (n == 0) {
			error_at(as, st->src, st->tok[0].off + st->tok[0].len,
				 "expected a string after %.*s", dlen(st), dname(st));
			st->bad = true;
		}
		return size;
	}
	case D_SPACE: {
		int n = get_operands(st, o, 2);
		if (n != 1 && n != 2) {
			error_at(as, st->src, st->tok[0].off,
				 "'%.*s' expects a size and an optional fill byte",
				 dlen(st), dname(st));
			st->bad = true;
			return 0;
		}
		struct value val;
		if (!eval_range(as, st, o[0].lo, o[0].hi, EV_NOW, &val)) {
			st->bad = true;
			return 0;
		}
		if (val.v < 0 || val.v > MAX_SECTION_SIZE) {
			error_at(as, st->src, opnd_off(st, o[0]),
				 "%.*s size %lld out of range 0..%u", dlen(st),
				 dname(st), (long long)val.v, MAX_SECTION_SIZE);
			st->bad = true;
			return 0;
		}
		return (uint64_t)val.v;
	}
	case D_EQU:
		define_equ(as, st);
		return 0;
	case D_GLOBL: {
		int n = 0, pos = operand_start(st);
		struct opnd r;
		while (next_operand(st, &pos, &r)) {
			n++;
			if (r.hi - r.lo != 1 || st->tok[r.lo].kind != T_IDENT) {
				error_at(as, st->src, opnd_off(st, r),
					 "expected a symbol name");
				st->bad = true;
				return 0;
			}
		}
		if (n == 0) {
			error_at(as, st->src, st->tok[0].off + st->tok[0].len,
				 "expected a symbol name after %.*s", dlen(st),
				 dname(st));
			st->bad = true;
		}
		return 0;
	}
	}
	return 0;
}

static void directive_pass2(struct assembler *as, struct stmt *st)
{
	struct opnd o;
	switch ((enum directive)st->which) {
	case D_WORD:
	case D_HALF:
	case D_BYTE: {
		static const struct {
			int64_t lo, hi;
		} range[] = {[D_WORD] = {INT32_MIN, UINT32_MAX},
			     [D_HALF] = {-32768, 65535},
			     [D_BYTE] = {-128, 255}};
		unsigned width = st->which == D_WORD ? 4 : st->which == D_HALF ? 2 : 1;
		int pos = operand_start(st);
		for (uint32_t k = 0; next_operand(st, &pos, &o); k++) {
			int64_t v;
			if (!parse_expr(as, st, o, &v))
				continue;
			if (v < range[st->which].lo || v > range[st->which].hi) {
				error_at(as, st->src, opnd_off(st, o),
					 "value %lld out of range %lld..%lld for %.*s",
					 (long long)v, (long long)range[st->which].lo,
					 (long long)range[st->which].hi, dlen(st),
					 dname(st));
				continue;
			}
			put_le(as, st, k * width, (uint32_t)v, width);
		}
		break;
	}
	case D_ASCII:
	case D_ASCIZ: {
		uint32_t at = 0;
		int pos = operand_start(st);
		while (next_operand(st, &pos, &o)) {
			const struct token *t = &st->tok[o.lo];
			put_bytes(as, st, at, t->str, t->slen);
			at += (uint32_t)t->slen + (st->which == D_ASCIZ);
		}
		break;
	}
	case D_SPACE: {
		struct opnd ops[2];
		int64_t fill;
		if (get_operands(st, ops, 2) != 2 || !parse_expr(as, st, ops[1], &fill))
			break;
		if (fill < -128 || fill > 255) {
			error_at(as, st->src, opnd_off(st, ops[1]),
				 "fill value %lld out of range -128..255",
				 (long long)fill);
			break;
		}
		/* The buffer starts zeroed and is written in address order
		 * (.org never goes back): a zero fill is already there, and
		 * skipping it spares touching up to 64 MiB. */
		if ((fill & 0xff) && as->sec[st->section].buf)
			memset(as->sec[st->section].buf +
				       (st->addr - as->sec[st->section].base),
			       (int)(fill & 0xff), st->size);
		break;
	}
	case D_EQU: {
		const struct token *t = &st->tok[1];
		struct symbol *sym = sym_find(as, tok_text(st->src, t), t->len);
		if (sym && sym->state == EQU_UNEVAL)
			equ_eval(as, sym);
		break;
	}
	case D_GLOBL: {
		int pos = operand_start(st);
		while (next_operand(st, &pos, &o)) {
			const struct token *t = &st->tok[o.lo];
			struct symbol *sym = sym_find(as, tok_text(st->src, t), t->len);
			if (!sym || sym->run != as->run)
				error_at(as, st->src, t->off,
					 "undefined symbol '%.*s' in %.*s",
					 shown(t->len), tok_text(st->src, t), dlen(st),
					 dname(st));
			else
				sym->global = true;
		}
		break;
	}
	default: /* .org, .align: zero padding, already there */
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* The passes.                                                           */

static void pass1_stmt(struct assembler *as, struct stmt *st)
{
	struct section *sec = &as->sec[as->cursec];
	st->section = (uint8_t)as->cursec;
	st->addr = sec->cur;
	st->size = 0;
	st->bad = false;
	uint64_t size = 0;
	switch ((enum stmt_kind)st->kind) {
	case S_LABEL:
		define(as, st, &st->tok[0], SYM_LABEL);
		break;
	case S_LOCAL:
		as->locals = grow(as->locals, &as->caplocals, as->nlocals + 1,
				  sizeof *as->locals);
		as->locals[as->nlocals++] = (struct localdef){
			st->tok[0].value, st->src->scope, stmt_index(as, st),
			st->addr};
		break;
	case S_INSN:
		size = 4;
		break;
	case S_PSEUDO:
		size = pseudos[st->which].nsteps ? 4u * (unsigned)pseudos[st->which].nsteps
						 : li_size(as, st);
		break;
	case S_ASSIGN:
		define_equ(as, st);
		break;
	case S_DIRECTIVE:
		size = directive_pass1(as, st);
		break;
	}
	if (st->bad)
		size = 0;
	if ((uint64_t)(sec->cur - sec->base) + size > MAX_SECTION_SIZE) {
		error_at(as, st->src, st->tok[0].off,
			 "section %s grows past %u MiB", sec->name,
			 MAX_SECTION_SIZE >> 20);
		st->bad = true;
		size = 0;
	}
	st->size = (uint32_t)size;
	sec->cur += (uint32_t)size;
	if (sec->cur > sec->end)
		sec->end = sec->cur;
}

static void pass1(struct assembler *as, uint32_t data_base)
{
	as->run++;
	as->pass = 1;
	as->nlocals = 0;
	as->cursec = SEC_TEXT;
	as->sec[SEC_TEXT] = (struct section){".text", ELF_SEG_R | ELF_SEG_X,
					     ASM_TEXT_BASE, ASM_TEXT_BASE,
					     ASM_TEXT_BASE, NULL};
	as->sec[SEC_DATA] = (struct section){".data", ELF_SEG_R | ELF_SEG_W,
					     data_base, data_base, data_base,
					     NULL};
	for (size_t i = 0; i < as->nstmts; i++) {
		as->key = i;
		pass1_stmt(as, &as->stmts[i]);
	}
}

static uint32_t data_base_after(const struct assembler *as)
{
	uint32_t end = as->sec[SEC_TEXT].end;
	return (end + DATA_ALIGN - 1) & ~(DATA_ALIGN - 1);
}

/* Lays everything out: quiet trial runs until .text stops moving, then
 * one run that reports. */
static void layout(struct assembler *as, const char *file)
{
	uint32_t data_base = ASM_TEXT_BASE;
	as->quiet = true;
	for (int i = 0; i < MAX_LAYOUT_RUNS; i++) {
		pass1(as, data_base);
		if (data_base_after(as) == data_base)
			break;
		data_base = data_base_after(as);
	}
	as->quiet = false;
	pass1(as, data_base);
	as->key = as->nstmts;
	if (data_base_after(as) != data_base)
		error_file(as, file, "the size of .text depends on .data "
			   "addresses; cannot lay out the image");
}

static void pass2(struct assembler *as)
{
	as->pass = 2;
	for (size_t i = 0; i < as->nstmts; i++) {
		struct stmt *st = &as->stmts[i];
		as->key = i;
		if (st->bad)
			continue;
		switch ((enum stmt_kind)st->kind) {
		case S_INSN:
		case S_PSEUDO:
			if (st->addr % 4) {
				error_at(as, st->src, st->tok[0].off,
					 "instruction at misaligned address 0x%x",
					 st->addr);
				break;
			}
			if (st->kind == S_INSN)
				assemble_insn(as, st);
			else
				assemble_pseudo(as, st);
			break;
		case S_ASSIGN: {
			const struct token *t = &st->tok[0];
			struct symbol *sym = sym_find(as, tok_text(st->src, t), t->len);
			if (sym && sym->state == EQU_UNEVAL)
				equ_eval(as, sym);
			break;
		}
		case S_DIRECTIVE:
			directive_pass2(as, st);
			break;
		default:
			break;
		}
	}
}

static void write_listing(const struct assembler *as, FILE *f)
{
	for (size_t i = 0; i < as->nstmts; i++) {
		const struct stmt *st = &as->stmts[i];
		if (st->bad || st->size == 0)
			continue;
		const struct section *sec = &as->sec[st->section];
		const uint8_t *p = sec->buf + (st->addr - sec->base);
		char hex[64];
		size_t n = 0;
		if (st->kind == S_INSN || st->kind == S_PSEUDO) {
			for (uint32_t k = 0; k + 4 <= st->size && k < 8; k += 4)
				n += (size_t)snprintf(hex + n, sizeof hex - n, "%s%08x",
						      k ? " " : "",
						      (unsigned)(p[k] | p[k + 1] << 8 |
								 p[k + 2] << 16 |
								 (uint32_t)p[k + 3] << 24));
		} else {
			for (uint32_t k = 0; k < st->size && k < 8; k++)
				n += (size_t)snprintf(hex + n, sizeof hex - n, "%s%02x",
						      k ? " " : "", p[k]);
			if (st->size > 8)
				snprintf(hex + n, sizeof hex - n, " ...");
		}
		fprintf(f, "%08x  %-27s  %.*s\n", st->addr, hex,
			(int)st->src->showlen, st->src->show);
	}
}

static void build_image(struct assembler *as, struct elf_image *img)
{
	int segof[NSECTIONS];
	img->segments = xcalloc(NSECTIONS * sizeof *img->segments);
	for (int k = 0; k < NSECTIONS; k++) {
		struct section *sec = &as->sec[k];
		segof[k] = -1;
		if (sec->end == sec->base)
			continue;
		struct elf_segment *seg = &img->segments[img->nsegments];
		snprintf(seg->name, sizeof seg->name, "%s", sec->name);
		seg->addr = sec->base;
		seg->size = seg->filesz = sec->end - sec->base;
		seg->flags = sec->flags;
		seg->data = sec->buf;
		sec->buf = NULL;
		segof[k] = img->nsegments++;
	}
	img->symbols = xcalloc((as->nsyms ? as->nsyms : 1) * sizeof *img->symbols);
	img->entry = ASM_TEXT_BASE;
	for (size_t i = 0; i < as->nsyms; i++) {
		const struct symbol *s = as->syms[i];
		if (s->run != as->run || (s->kind == SYM_EQU && s->state != EQU_DONE))
			continue;
		struct elf_symbol *e = &img->symbols[img->nsymbols++];
		e->name = strdup(s->name);
		if (!e->name)
			die_oom();
		e->value = (uint32_t)s->value;
		e->global = s->global;
		e->segment = s->kind == SYM_LABEL ? segof[s->section] : -1;
		if (strcmp(s->name, "_start") == 0)
			img->entry = (uint32_t)s->value;
	}
}

/* ---------------------------------------------------------------------- */
/* The public face.                                                      */

static void as_init(struct assembler *as, const struct asm_options *opt)
{
	static const struct asm_options defaults;
	memset(as, 0, sizeof *as);
	as->opt = opt ? opt : &defaults;
}

static int as_finish(struct assembler *as, const char *file,
		     struct elf_image *img)
{
	if (!as->stop) {
		layout(as, file);
		/* With errors already, no image will come of it: pass 2 runs
		 * for its diagnostics only, and the sections get no memory (a
		 * broken program's .space may ask for 64 MiB). */
		for (int k = 0; k < NSECTIONS && as->nerrors == 0; k++) {
			struct section *sec = &as->sec[k];
			sec->buf = xcalloc(sec->end - sec->base);
		}
		pass2(as);
		if (as->nerrors == 0) {
			if (as->opt->listing)
				write_listing(as, as->opt->listing);
			build_image(as, img);
		}
	}
	flush_diags(as);
	int nerrors = as->nerrors;
	for (int k = 0; k < NSECTIONS; k++)
		free(as->sec[k].buf);
	for (struct macro *m = as->macros; m; m = m->next)
		free(m->body);
	free(as->tk);
	free(as->stmts);
	free(as->buckets);
	free(as->syms);
	free(as->locals);
	arena_free(&as->arena);
	return nerrors;
}

int asm_assemble_file(const char *path, const struct asm_options *opt,
		      struct elf_image *img)
{
	memset(img, 0, sizeof *img);
	struct assembler as;
	as_init(&as, opt);
	size_t len;
	int err;
	const char *text = read_whole_file(&as, path, &len, &err);
	if (!text) {
		error_file(&as, path, "cannot read: %s", strerror(err));
		return as_finish(&as, path, img);
	}
	if (file_identity(path, &as.inc[0]))
		as.ninc = 1;
	const char *name = arena_strndup(&as.arena, path, strlen(path));
	if (read_within_limit(&as, name, NULL, 0, len))
		read_text(&as, name, text, len, NULL, 0);
	return as_finish(&as, path, img);
}

int asm_assemble_string(const char *name, const char *source,
			const struct asm_options *opt, struct elf_image *img)
{
	memset(img, 0, sizeof *img);
	struct assembler as;
	as_init(&as, opt);
	const char *file = arena_strndup(&as.arena, name, strlen(name));
	size_t len = strlen(source);
	if (read_within_limit(&as, file, NULL, 0, len))
		read_text(&as, file, source, len, NULL, 0);
	return as_finish(&as, name, img);
}
