/*
 * tests/gen/gen.c - random PG32 programs for differential testing.
 *
 *   diffgen SEED > prog.s        (then: trapeze as prog.s -o prog.elf)
 *   diffgen --large[=KIND,...] SEED > prog.s
 *
 * --large makes the large programs described under "large programs"
 * below, which stress binary patching; KIND (fan, enter, remap, copy,
 * stale, pad, random, ret) limits them to those kinds of blocks, to tell
 * which one a failure needs.  `make diff-test` runs a few, `make fuzz-diff
 * GEN_FLAG=--large N=...` many.  --fuzz-seed[=KIND,...] makes the same
 * kind of program (without random blocks) small enough to seed the
 * fuzzing harnesses: 64 KiB of RAM, started at 0x1000, done in 20000
 * cycles, with one fan of just over 1024 branches, two code frames, two
 * copy frames (tests/fuzz/gather.sh puts some in the VMM's corpus).
 *
 * A seed names a program: the same seed always gives the same source, on
 * every host (the generator has its own PRNG, splitmix64, and never uses
 * rand()).  The program is run natively and under the VMM by
 * tests/gen/run.sh; Popek and Goldberg's equivalence property says both
 * runs must print the same bytes and exit with the same status, so any
 * difference is a bug in the VMM (or in the machine).
 *
 * What a program does, in order:
 *   1. the prologue: TVEC, random values in the registers, page tables
 *      built with paging off (an identity map of the low 4 MiB with U set
 *      everywhere, the device pages, two leaf tables of random "test
 *      pages" under two roots, and root entries that are malformed, not
 *      present, or point beyond RAM);
 *   2. 20-60 random blocks, each followed by a checkpoint line
 *      "cp N HASH" (a hash of the registers, the data area, the test
 *      page tables, the control registers and the trap log) so that the
 *      first differing line points at the block that went wrong;
 *   3. the epilogue: every register, every control register, the trap
 *      log entry by entry, checksums of memory and the test PTEs; then
 *      EXIT 0 through the test device.
 *
 * The trap handler (__trap) records CAUSE, EPC, BADVA and EPSW of every
 * trap in a ring at LOG and in a running hash, then resumes:
 *   - a SYSCALL from user mode while H_UPRET is set: at H_UPRET, in
 *     supervisor mode with interrupts off (the way back from a user block);
 *   - an exception while H_RECOVER is set: at H_RECOVER, mode unchanged
 *     (one shot; used for fetch faults, whose EPC + 4 is no place to go);
 *   - any other exception: after the trapping instruction (EPC + 4);
 *   - an interrupt (only the timer's): at EPC, after writing TIMER ACK.
 *
 * Rules the generator keeps so that every result is defined by the
 * architecture (ISA.md) and so the same on the bare machine and under a
 * VMM:
 *   - every PTE change is followed by tlbinv of its page or tlbflush, and
 *     paging is turned on only right after a tlbflush;
 *   - A and D are read back only from the PTEs, after accesses;
 *   - no rdcycle, no disk commands, no polling: the only timing-dependent
 *     thing is the timer interrupt itself, whose instruction the VMM claims
 *     to reproduce exactly (vmm/README.md, "Time");
 *   - hcall only in user mode (in supervisor mode it is, by design, a
 *     hypercall under the VMM and ILLEGAL natively);
 *   - wfi in supervisor mode only inside a timer window (period > 0), so
 *     nothing deadlocks; loops are counted and branches go forward, so
 *     every program ends (well under 2M cycles);
 *   - jumps to addresses that fault are made only where the generator's
 *     model of the page tables says the fetch must fault; the model
 *     changes only in straight-line supervisor code (never in a branch
 *     or loop body), so it is exact;
 *   - test pages that map page tables or device registers are never
 *     writable (no store changes a PTE unflushed, or starts the timer).
 *
 * Also in every program: self-modifying code (an instruction, sometimes
 * rdpsw or rdtvec, written into __smc and run: binary patching must see
 * it), two copies of the handler in different pages (TVEC switches
 * between them), rfe used as a jump and onto faulting addresses, EPC,
 * EPSW, CAUSE, BADVA and SCRATCH written with random values, PTBR with
 * junk in its low bits, PSW writes with junk in the bits that read 0, the
 * sensitive instructions in both modes (run in clean and in leaky mode),
 * console output with every store width, device register reads.
 *
 * The programs do not depend on which compiler built the generator: every
 * random choice is its own statement (argument order is unspecified in C).
 *
 * Registers: r15 (s3) is the loop counter; random code writes r1, r2,
 * r4-r14 (sometimes r0) and never gp (r3), which points at the data area.
 * The handler and the checkpoints address their own data absolutely,
 * through r0 (page 0, below .text), so they need no free register.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../isa/isa.h"
#include "../../machine/devices.h"

/* --- the memory layout of every generated program (physical) ----------- */
#define REGSAVE 0x100u   /* r0..r15 for checkpoints and the final dump */
#define CRSAVE 0x140u    /* the 8 control registers at the final dump */
#define H_T0 0x180u      /* the handler's saved t0..t3 */
#define H_COUNT 0x190u   /* traps taken so far */
#define H_HASH 0x194u    /* running hash of every trap's 4 words */
#define H_RECOVER 0x198u /* one-shot resume address for the next exception */
#define H_UPRET 0x19cu   /* where a user-mode syscall returns to supervisor */
#define H_RET 0x1a0u     /* return address of __cp / __pline */
#define H_CPN 0x1a4u     /* number of the current checkpoint */
#define H_CRCP 0x1c0u    /* control registers read by __cp */
#define DATA 0x80000u    /* the data area gp points at */
#define DATA_SIZE 1024u  /* bytes of it that random code uses and hashes */
#define LOG 0x90000u     /* the trap log: LOGCAP entries of 16 bytes */
#define LOGCAP 128u
#define ROOT 0x100000u   /* root tables (PTBR) */
#define ROOT2 0x101000u
#define L_LOW 0x102000u  /* leaf: identity map of VA 0..4 MiB */
#define L_TEST 0x103000u /* leaf under ROOT, root index 1: the test pages */
#define L_TEST2 0x104000u /* the same under ROOT2 */
#define L_DEV 0x105000u  /* leaf: the device pages, root index 0x3c0 */
#define FRAMES 0x200000u /* NFRAMES frames behind the test pages */
#define NFRAMES 8u
#define ZEROPAGE 0x300000u /* never written: fetching there is ILLEGAL */
#define BEYOND 0x2000000u  /* past the default 16 MiB of RAM */
#define TEST_VA 0x400000u  /* test page i is TEST_VA + i * PAGE_SIZE */
#define NTEST 16u
#define VA_BADROOT 0x800000u  /* root index 2: malformed (R set) */
#define VA_NOROOT 0xc00000u   /* root index 3: not present */
#define VA_BUSROOT 0x1000000u /* root index 4: leaf table beyond RAM */
/* No device: BUS_ERROR (PF with paging).  Not 0xf0003000, the first
 * empty page: a VM has its paravirtual block device there (isa/ISA.md 8.7). */
#define DEV_HOLE 0xf0004000u

#define LEAF_ALL (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U)
#define PERMS (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U)

/* Where the block being generated runs; it limits what it may contain.
 * No flag at all: supervisor mode, interrupts off, straight-line code. */
enum {
	CTX_USER = 1u << 0,   /* user mode */
	CTX_WINDOW = 1u << 1, /* interrupts on, the timer running */
	CTX_LOOP = 1u << 2,   /* the body of a counted loop: r15 is taken */
	CTX_COND = 1u << 3    /* may not run: the model must not change here */
};

/* --- the layout of --large programs (see "Large programs" below) ---- */
#define WIN_VA 0x380000u  /* the code window: NWIN virtual pages (in the
			     identity-mapped low 4 MiB, within jal's reach
			     of .text) whose PTEs point at code frames */
#define NWIN 4u
#define NTPL_MAX 6u       /* code frames assembled in .text ("templates") */
#define COPYF 0x3a0000u   /* NCOPY frames code is copied into at run time */
#define NCOPY 3u
#define NFRAME (NTPL_MAX + NCOPY)
#define TABLE 0x88000u    /* the table of entry addresses `ret` goes to */
#define TABCAP 2048u
#define SLOT_BYTES 512u   /* a code frame holds NSLOT slots of gadgets */
#define NSLOT (PAGE_SIZE / SLOT_BYTES)
#define SUBS_MAX 3u       /* entry points per slot */
#define FAN_MAX 3000u     /* forward branches in one fan */
#define FAN_BUDGET 9000u  /* ... and in all the fans of one program */
#define EXPR_LEN 64u
/* --fuzz-seed: the same, small enough for the fuzzing harnesses
 * (tests/fuzz/fuzz_vmm.c: 64 KiB of RAM, the image at 0x1000 and run
 * from there, 20000 cycles) */
#define SEED_RAM 0x10000u
#define SEED_TPL 0x2000u     /* two templates, after a page that jumps on */
#define SEED_NTPL 2u
#define SEED_TABLE 0xa000u
#define SEED_COPYF 0xb000u   /* two copy frames */
#define SEED_NCOPY 2u
#define SEED_DEVLEAF 0xd000u /* leaf: the console and the test device */
#define SEED_LEAF 0xe000u    /* leaf: RAM, identity, and the window */
#define SEED_ROOT 0xf000u
#define SEED_FAN 1025u       /* one fan, just over a work list of 1024 */
#define NO_CODE (-1)      /* a copy frame that holds no code yet */
/* Registers the large blocks keep for themselves: random code inside a
 * gadget or a fan never writes them. */
#define R_ADDR 12u /* s0: the address being entered, the table */
#define R_BACK 13u /* s1: where a gadget returns to (jalr zero, 0(s1)) */
#define R_SEL 14u  /* s2: which branch of a fan is taken */
#define RESERVED_LARGE ((1u << 1) | (1u << R_ADDR) | (1u << R_BACK) | (1u << R_SEL))

/* Where a large program keeps its code frames, window and table. */
struct layout {
	uint32_t win_va;   /* window page 0 */
	uint32_t win_leaf; /* the leaf table that maps the window */
	uint32_t tpl_base; /* template 0 (the others follow it) */
	uint32_t copyf;    /* copy frame 0 (the others follow it) */
	uint32_t table;    /* the table of entry addresses */
	unsigned ncopy;    /* copy frames */
	bool seed;         /* --fuzz-seed: small, and in few cycles */
};

static const struct layout large_layout = {WIN_VA, L_LOW, 0x1000u, COPYF, TABLE, NCOPY, false};
static const struct layout seed_layout = {SEED_RAM, SEED_LEAF, SEED_TPL, SEED_COPYF,
					  SEED_TABLE, SEED_NCOPY, true};

struct gen {
	FILE *out;
	uint64_t rng;           /* splitmix64 state */
	unsigned label;         /* next unique label number */
	bool pg;                /* PSW.PG at this point of the program */
	unsigned root;          /* 0: PTBR = ROOT, 1: ROOT2 */
	bool window;            /* inside a timer window (IE = 1) */
	uint32_t pte[2][NTEST]; /* the test PTEs as last written */
	unsigned reserved;      /* registers rd() and tmp() must not return */
	/* --large only: the model of the code window and frames */
	bool large;
	const struct layout *lay;
	unsigned kinds;                  /* the large_kinds it may make */
	unsigned ntpl;                   /* templates in .text */
	unsigned win[NWIN];              /* the frame each window page maps */
	int content[NFRAME];             /* the template a frame holds */
	unsigned nentry[NTPL_MAX];       /* entry points __e<T>_0.. of each */
	unsigned fan_slots;              /* fan branches emitted so far */
	unsigned copies;                 /* frames copied so far */
	unsigned ntab;                   /* entries of the table at TABLE */
	char tab[TABCAP][EXPR_LEN];
};

/* --- randomness ---------------------------------------------------------- */

/* splitmix64: returns the next 64 pseudo-random bits. */
static uint64_t rnd64(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Returns a number in 0..n-1 (n > 0). */
static uint32_t rnd(struct gen *g, uint32_t n)
{
	return (uint32_t)(rnd64(g) % n);
}

/* Returns true with probability pct percent. */
static bool chance(struct gen *g, unsigned pct)
{
	return rnd(g, 100) < pct;
}

/* Returns a 32-bit value, often one of the edge cases of the ALU. */
static uint32_t value(struct gen *g)
{
	static const uint32_t edges[] = {
		0,	    1,		0xffffffffu, 0x80000000u, 0x7fffffffu,
		31,	    32,		33,	     63,	  0xffffu,
		0x8000u,    0x7fffu,	0xffff8000u, 0x10000u,	  2,
		0xfffffffeu, 0x55555555u, 0xaaaaaaaau,
	};
	switch (rnd(g, 4)) {
	case 0:
		return edges[rnd(g, sizeof edges / sizeof edges[0])];
	case 1:
		return rnd(g, 256) - 128u; /* small, either sign */
	default:
		return (uint32_t)rnd64(g);
	}
}

/* A register random code may write: r1, r2, r4..r14, rarely r0. */
static unsigned rd(struct gen *g)
{
	static const unsigned regs[] = {1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
	for (;;) { /* one draw when nothing is reserved: seeds keep their programs */
		if (chance(g, 3))
			return 0;
		unsigned r = regs[rnd(g, sizeof regs / sizeof regs[0])];
		if (!(g->reserved & (1u << r)))
			return r;
	}
}

/* A register random code may write, never r0 or ra (r1). */
static unsigned tmp(struct gen *g)
{
	static const unsigned regs[] = {2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
	for (;;) {
		unsigned r = regs[rnd(g, sizeof regs / sizeof regs[0])];
		if (!(g->reserved & (1u << r)))
			return r;
	}
}

/* A register random code may read: any. */
static unsigned rs(struct gen *g)
{
	return rnd(g, ISA_NREGS);
}

/* --- output -------------------------------------------------------------- */

static void emit(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line of assembly, indented as an instruction. */
static void emit(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputc('\t', g->out);
	vfprintf(g->out, fmt, ap);
	fputc('\n', g->out);
	va_end(ap);
}

/* Returns a fresh label number; the label is written "L<n>". */
static unsigned new_label(struct gen *g)
{
	return g->label++;
}

static void put_label(struct gen *g, unsigned l)
{
	fprintf(g->out, "L%u:\n", l);
}

/* Returns a word that is no instruction (decoding it raises ILLEGAL). */
static uint32_t illegal_word(struct gen *g)
{
	struct isa_insn insn;
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t w;
		switch (rnd(g, 4)) {
		case 0: /* opcode 0x00: never assigned (also the all-zeros word) */
			w = chance(g, 30) ? 0 : (uint32_t)rnd64(g) & 0x03ffffffu;
			break;
		case 1: /* opcode 0x3f: never assigned */
			w = chance(g, 30) ? 0xffffffffu : 0xfc000000u | ((uint32_t)rnd64(g) & 0x03ffffffu);
			break;
		default: /* a real opcode with one stray bit in a must-be-zero field */
			w = (1u + rnd(g, 0x3e)) << ISA_OPCODE_SHIFT;
			w |= (uint32_t)rnd64(g) & ((1u << ISA_OPCODE_SHIFT) - 1);
			break;
		}
		if (!isa_decode(w, &insn))
			return w;
	}
	return 0;
}

/* --- the model: what the generator knows about the machine ---------------- */

static uint32_t cur_psw(const struct gen *g)
{
	return PSW_MODE | (g->window ? PSW_IE : 0) | (g->pg ? PSW_PG : 0);
}

/*
 * Before EPC is set for an rfe: interrupts off, as a kernel must, since
 * an interrupt between `mtcr epc` and `rfe` overwrites EPC -- the rfe
 * then returns to where the interrupt came, which sets EPC and is
 * interrupted again, for ever (seed 3057840 did that in a timer window).
 * The rfe turns them back on from EPSW.
 */
static void ie_off_for_rfe(struct gen *g, unsigned a)
{
	if (!g->window)
		return;
	emit(g, "li r%u, 0x%x", a, cur_psw(g) & ~PSW_IE);
	emit(g, "mtcr psw, r%u", a);
}

/* Returns true if a fetch from test page i must fault in this mode. */
static bool test_fetch_faults(const struct gen *g, unsigned i, bool user)
{
	uint32_t p = g->pte[g->root][i];
	if (!(p & PTE_V) || !(p & (PTE_R | PTE_W | PTE_X)) || !(p & PTE_X))
		return true;
	if (user && !(p & PTE_U))
		return true;
	return (p & PTE_FRAME_MASK) >= BEYOND; /* fetch from no RAM: BUS_ERROR */
}

/* Returns a random test PTE: mostly a usable page, sometimes not. */
static uint32_t random_pte(struct gen *g)
{
	static const uint32_t perms[] = {
		PTE_V | PTE_R | PTE_W | PTE_U, PTE_V | PTE_R | PTE_W | PTE_U,
		PTE_V | PTE_R | PTE_U,	       PTE_V | PTE_R | PTE_W,
		PTE_V | PTE_W | PTE_U,	       PTE_V | PTE_X | PTE_U,
		LEAF_ALL,		       PTE_V, /* malformed leaf */
		0,			       PTE_R | PTE_W | PTE_U, /* V = 0 */
	};
	static const uint32_t readonly[] = {
		/* page tables (a page may map its own leaf table: a load of
		 * the very PTE that maps it) and device registers: read-only,
		 * so that no store changes a PTE behind the generator's back
		 * or starts the timer */
		L_TEST, L_TEST2, ROOT, DEV_CONSOLE_BASE, DEV_TIMER_BASE,
		DEV_DISK_BASE, DEV_HOLE,
	};
	uint32_t frame;
	bool ro = false;
	unsigned k = rnd(g, 20);
	if (k < 13) {
		frame = FRAMES + rnd(g, NFRAMES) * PAGE_SIZE;
	} else if (k < 15) {
		frame = DATA; /* an alias of the data area */
	} else if (k < 17) {
		frame = BEYOND + rnd(g, 16) * PAGE_SIZE; /* no RAM: BUS_ERROR */
	} else {
		frame = readonly[rnd(g, sizeof readonly / sizeof readonly[0])];
		ro = true;
	}
	uint32_t p = chance(g, 15) ? (uint32_t)rnd64(g) & PERMS
				   : perms[rnd(g, sizeof perms / sizeof perms[0])];
	if (ro)
		p &= ~(PTE_W | PTE_X);
	p |= (uint32_t)rnd64(g) & (PTE_A | PTE_D | 0xf80u); /* A, D, sw bits */
	return frame | p;
}

/* --- blocks ---------------------------------------------------------------- */

static void gen_block(struct gen *g, unsigned c, int depth);

static const char *const r_ops[] = {"add", "sub",  "and", "or",	  "xor", "sll",
				    "srl", "sra",  "slt", "sltu", "mul", "mulhu",
				    "div", "divu", "rem", "remu"};
static const char *const i_ops[] = {"addi", "slti", "sltiu"};
static const char *const iu_ops[] = {"andi", "ori", "xori"};
static const char *const sh_ops[] = {"slli", "srli", "srai"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * n ALU instructions on random registers; div/rem by a zero register trap.
 *
 * Here and everywhere below, each random choice is made in its own
 * statement: C leaves the order in which function arguments are evaluated
 * unspecified (gcc and clang differ), and a seed must name the same
 * program whichever compiler built the generator.
 */
static void gen_alu(struct gen *g, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		unsigned kind = rnd(g, 7);
		unsigned d = rd(g), s1 = rs(g);
		switch (kind) {
		case 0:
		case 1: {
			const char *op = r_ops[rnd(g, NELEM(r_ops))];
			emit(g, "%s r%u, r%u, r%u", op, d, s1, rs(g));
			break;
		}
		case 2: {
			const char *op = i_ops[rnd(g, NELEM(i_ops))];
			emit(g, "%s r%u, r%u, %d", op, d, s1, (int)rnd(g, 65536) - 32768);
			break;
		}
		case 3: {
			const char *op = iu_ops[rnd(g, NELEM(iu_ops))];
			emit(g, "%s r%u, r%u, %u", op, d, s1, rnd(g, 65536));
			break;
		}
		case 4: {
			const char *op = sh_ops[rnd(g, NELEM(sh_ops))];
			emit(g, "%s r%u, r%u, %u", op, d, s1, rnd(g, 32));
			break;
		}
		case 5:
			emit(g, "lui r%u, %u", d, rnd(g, 65536));
			break;
		default:
			emit(g, "li r%u, 0x%" PRIx32, d, value(g));
			break;
		}
	}
}

static const char *const load_ops[] = {"lw", "lh", "lhu", "lb", "lbu"};
static const unsigned load_width[] = {4, 2, 2, 1, 1};
static const char *const store_ops[] = {"sw", "sh", "sb"};
static const unsigned store_width[] = {4, 2, 1};

/* An offset for an access of width w: aligned, or (rarely) misaligned. */
static unsigned data_off(struct gen *g, unsigned w, unsigned size)
{
	unsigned off = rnd(g, size / w) * w;
	if (w > 1 && chance(g, 8))
		off = (off + 1 + rnd(g, w - 1)) % size; /* MISALIGNED */
	return off;
}

/* n loads and stores of every width to the data area (gp). */
static void gen_mem(struct gen *g, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		bool load = chance(g, 50);
		unsigned i = rnd(g, load ? NELEM(load_ops) : NELEM(store_ops));
		unsigned w = load ? load_width[i] : store_width[i];
		const char *op = load ? load_ops[i] : store_ops[i];
		if (chance(g, 25)) {
			/* a data-dependent address: a register's bits pick the word */
			unsigned a = tmp(g), v = rs(g);
			emit(g, "andi r%u, r%u, 0x%x", a, rs(g), DATA_SIZE - 4);
			emit(g, "add r%u, r%u, gp", a, a);
			unsigned d = rd(g);
			if (load)
				emit(g, "%s r%u, %u(r%u)", op, d, data_off(g, w, 4), a);
			else
				emit(g, "%s r%u, %u(r%u)", op, v == a ? 0 : v, data_off(g, w, 4), a);
		} else {
			unsigned r = load ? rd(g) : rs(g);
			emit(g, "%s r%u, %u(gp)", op, r, data_off(g, w, DATA_SIZE));
		}
	}
}

/* Loads and stores through the test pages (any outcome: they may fault). */
static void gen_testpage(struct gen *g, unsigned n)
{
	unsigned a = tmp(g);
	emit(g, "li r%u, 0x%x", a, TEST_VA + rnd(g, NTEST) * PAGE_SIZE);
	for (unsigned k = 0; k < n; k++) {
		bool load = chance(g, 50);
		unsigned i = rnd(g, load ? NELEM(load_ops) : NELEM(store_ops));
		unsigned w = load ? load_width[i] : store_width[i];
		unsigned off = data_off(g, w, 64);
		off += rnd(g, 4) * 1024;
		if (load) {
			unsigned d = rd(g);
			emit(g, "%s r%u, %u(r%u)", load_ops[i], d, off, a);
			if (d == a)
				emit(g, "li r%u, 0x%x", a, TEST_VA + rnd(g, NTEST) * PAGE_SIZE);
		} else {
			emit(g, "%s r%u, %u(r%u)", store_ops[i], rs(g), off, a);
		}
	}
}

/* An access to a test page, then its PTE read back: A and D as the walker
 * left them (only successful accesses set them). */
static void gen_adread(struct gen *g)
{
	unsigned i = rnd(g, NTEST), a = tmp(g);
	emit(g, "li r%u, 0x%x", a, TEST_VA + i * PAGE_SIZE);
	if (chance(g, 50)) {
		emit(g, "lw r%u, %u(r%u)", a, rnd(g, 1024) * 4, a);
	} else {
		unsigned v = rs(g);
		emit(g, "sb r%u, %u(r%u)", v, rnd(g, 4096), a);
	}
	emit(g, "li r%u, 0x%x", a, (g->root ? L_TEST2 : L_TEST) + i * 4);
	emit(g, "lw r%u, 0(r%u)", rd(g), a);
}

/* A forward branch over a few instructions. */
static void gen_branch(struct gen *g, unsigned c, int depth)
{
	static const char *const ops[] = {"beq", "bne", "blt", "bge", "bltu", "bgeu"};
	unsigned l = new_label(g);
	const char *op = ops[rnd(g, NELEM(ops))];
	unsigned s1 = rs(g);
	emit(g, "%s r%u, r%u, L%u", op, s1, rs(g), l);
	unsigned n = 1 + rnd(g, 3);
	for (unsigned k = 0; k < n; k++)
		gen_block(g, c | CTX_COND, depth + 1);
	put_label(g, l);
}

/* A counted loop (r15 counts) over a small body. */
static void gen_loop(struct gen *g, unsigned c, int depth)
{
	unsigned l = new_label(g);
	emit(g, "li r15, %u", 1 + rnd(g, 6));
	put_label(g, l);
	unsigned n = 1 + rnd(g, 3);
	for (unsigned k = 0; k < n; k++)
		gen_block(g, c | CTX_LOOP, depth + 1);
	emit(g, "addi r15, r15, -1");
	emit(g, "bnez r15, L%u", l);
}

/* A jump whose target must fault; the handler resumes at the recovery
 * label (one shot), in the mode the jump ran in. */
static void gen_fetchfault(struct gen *g, bool user)
{
	unsigned l = new_label(g), a = tmp(g);
	uint32_t target;
	int kind = (int)rnd(g, 6);
	if (kind == 0) {
		target = 0; /* misaligned: L + 2 */
	} else if (!g->pg) {
		static const uint32_t t[] = {BEYOND, DEV_CONSOLE_BASE, ZEROPAGE, 0xfffffffcu,
					     DEV_HOLE};
		target = t[rnd(g, NELEM(t))];
	} else {
		uint32_t cand[NTEST + 5];
		unsigned n = 0;
		cand[n++] = VA_BADROOT + rnd(g, 1024) * 4;
		cand[n++] = VA_NOROOT;
		cand[n++] = VA_BUSROOT + 0x40;
		cand[n++] = ZEROPAGE;
		cand[n++] = DEV_CONSOLE_BASE; /* mapped with X: fetch from a device */
		for (unsigned i = 0; i < NTEST; i++)
			if (test_fetch_faults(g, i, user))
				cand[n++] = TEST_VA + i * PAGE_SIZE + rnd(g, 1024) * 4;
		target = cand[rnd(g, n)];
	}
	emit(g, "la r%u, L%u", a, l);
	emit(g, "sw r%u, %u(zero)", a, H_RECOVER);
	if (target == 0)
		emit(g, "la r%u, L%u + 2", a, l);
	else
		emit(g, "li r%u, 0x%" PRIx32, a, target);
	if (!user && chance(g, 30)) {
		/* rfe lands on it: EPC = the target, EPSW = this PSW */
		unsigned b;
		do
			b = tmp(g);
		while (b == a);
		ie_off_for_rfe(g, b);
		emit(g, "mtcr epc, r%u", a);
		emit(g, "li r%u, 0x%" PRIx32, a, cur_psw(g));
		emit(g, "mtcr epsw, r%u", a);
		emit(g, "rfe");
	} else {
		emit(g, "jalr r%u, 0(r%u)", rd(g), a);
	}
	emit(g, ".word 0x%08" PRIx32, illegal_word(g)); /* never reached */
	put_label(g, l);
}

/* One exception of a cause that fits the context. */
static void gen_trap(struct gen *g, unsigned c)
{
	bool user = c & CTX_USER;
	unsigned a = tmp(g);
	switch (rnd(g, user ? 12 : 9)) {
	case 0:
		if (user)
			emit(g, "break");
		else
			emit(g, "syscall");
		break;
	case 1:
		emit(g, "break");
		break;
	case 2:
		emit(g, ".word 0x%08" PRIx32, illegal_word(g));
		break;
	case 3: {
		static const char *const ops[] = {"div", "divu", "rem", "remu"};
		const char *op = ops[rnd(g, 4)];
		unsigned d = rd(g);
		emit(g, "%s r%u, r%u, zero", op, d, rs(g));
		break;
	}
	case 4: /* misaligned data access */
		if (chance(g, 50)) {
			unsigned d = rd(g), off = rnd(g, 64) * 4;
			emit(g, "lw r%u, %u(gp)", d, off + 1 + rnd(g, 3));
		} else {
			unsigned v = rs(g);
			emit(g, "sh r%u, %u(gp)", v, rnd(g, 64) * 2 + 1);
		}
		break;
	case 5: { /* bus error, or a page fault with paging on */
		static const uint32_t t[] = {BEYOND, 0xe0000000u, DEV_HOLE, VA_BUSROOT,
					     VA_NOROOT, VA_BADROOT, 0x7ffffffcu};
		uint32_t addr = t[rnd(g, NELEM(t))];
		emit(g, "li r%u, 0x%" PRIx32, a, addr + rnd(g, 64) * 4);
		if (chance(g, 50))
			emit(g, "lw r%u, 0(r%u)", a, a);
		else
			emit(g, "sw r%u, 0(r%u)", rs(g), a);
		break;
	}
	case 6:
	case 7:
		gen_testpage(g, 1 + rnd(g, 2));
		break;
	case 8: /* a misaligned device register */
		emit(g, "li r%u, 0x%x", a, DEV_CONSOLE_BASE + 2);
		emit(g, "lw r%u, 0(r%u)", rd(g), a);
		break;
	case 9:
		emit(g, "hcall"); /* user mode: ILLEGAL, natively and in a VM */
		break;
	default: { /* privileged (and, clean, sensitive) in user mode */
		switch (rnd(g, 10)) {
		case 0: {
			unsigned d = rd(g);
			emit(g, "mfcr r%u, %s", d, rnd(g, 2) ? "psw" : "tvec");
			break;
		}
		case 1: {
			const char *cr = rnd(g, 2) ? "psw" : "ptbr";
			emit(g, "mtcr %s, r%u", cr, rs(g));
			break;
		}
		case 2:
			emit(g, "rfe");
			break;
		case 3:
			emit(g, "tlbflush");
			break;
		case 4:
			emit(g, "tlbinv r%u", rs(g));
			break;
		case 5:
			emit(g, "wfi");
			break;
		case 6:
		case 7:
			emit(g, "rdpsw r%u", rd(g)); /* leaky: MODE reads 0 */
			break;
		case 8:
			emit(g, "wrpsw r%u", rs(g)); /* leaky: silently no effect */
			break;
		default:
			emit(g, "rdtvec r%u", rd(g)); /* leaky: the real TVEC */
			break;
		}
		break;
	}
	}
}

/* Console output and device register reads and writes. */
static void gen_device(struct gen *g)
{
	unsigned a = tmp(g), v;
	do
		v = tmp(g);
	while (v == a);
	if (chance(g, 50)) {
		/* a line "tx ..." of printable bytes, written with every width */
		emit(g, "li r%u, 0x%x", a, DEV_CONSOLE_BASE);
		const char *head = "tx ";
		unsigned n = 1 + rnd(g, 6);
		for (unsigned k = 0; k < 3 + n + 1; k++) {
			uint32_t ch = k < 3 ? (uint32_t)head[k] : k < 3 + n ? 0x21 + rnd(g, 94) : '\n';
			uint32_t hi = (uint32_t)rnd64(g) & 0xffffff00u;
			switch (rnd(g, 3)) {
			case 0:
				emit(g, "li r%u, 0x%" PRIx32, v, ch);
				emit(g, "sb r%u, %u(r%u)", v, CONSOLE_TX, a);
				break;
			case 1:
				emit(g, "li r%u, 0x%" PRIx32, v, (hi & 0xff00u) | ch);
				emit(g, "sh r%u, %u(r%u)", v, CONSOLE_TX, a);
				break;
			default:
				emit(g, "li r%u, 0x%" PRIx32, v, hi | ch);
				emit(g, "sw r%u, %u(r%u)", v, CONSOLE_TX, a);
				break;
			}
		}
		return;
	}
	static const uint32_t regs[] = {
		DEV_CONSOLE_BASE + CONSOLE_TX,	   DEV_CONSOLE_BASE + CONSOLE_RX,
		DEV_CONSOLE_BASE + CONSOLE_STATUS, DEV_CONSOLE_BASE + CONSOLE_RXIE,
		DEV_CONSOLE_BASE + 0x10,	   DEV_CONSOLE_BASE + 0xffc,
		DEV_TIMER_BASE + TIMER_PERIOD,	   DEV_TIMER_BASE + TIMER_ACK,
		DEV_DISK_BASE + DISK_STATUS,	   DEV_DISK_BASE + DISK_SECTORS,
		DEV_DISK_BASE + DISK_IE,	   DEV_DISK_BASE + DISK_SECTOR,
		DEV_TEST_BASE + TEST_EXIT,	   DEV_TEST_BASE + 0x40,
	};
	unsigned n = 1 + rnd(g, 4);
	for (unsigned k = 0; k < n; k++) {
		uint32_t r = regs[rnd(g, NELEM(regs))];
		unsigned i = rnd(g, NELEM(load_ops));
		unsigned off = chance(g, 20) ? rnd(g, 4) / load_width[i] * load_width[i] : 0;
		emit(g, "li r%u, 0x%" PRIx32, a, r);
		if (chance(g, 70) || r == DEV_CONSOLE_BASE + CONSOLE_TX ||
		    r == DEV_TEST_BASE + TEST_EXIT || r == DEV_TIMER_BASE + TIMER_PERIOD) {
			emit(g, "%s r%u, %u(r%u)", load_ops[i], rd(g), off, a);
		} else {
			/* writes that are harmless: RXIE and disk IE (no input, no
			 * command: no interrupt), SECTOR, ACK, unassigned offsets */
			emit(g, "li r%u, %u", v, rnd(g, 2));
			emit(g, "%s r%u, %u(r%u)", store_ops[rnd(g, 3)], v, off & ~3u, a);
		}
	}
}

/* Control registers: EPC, EPSW, CAUSE, BADVA and SCRATCH read back what is
 * written; PTBR keeps its low bits; the sensitive instructions in
 * supervisor mode (supervisor contexts only). */
static void gen_cr(struct gen *g)
{
	static const char *const rw[] = {"epc", "epsw", "cause", "badva", "scratch"};
	static const char *const all[] = {"psw",   "epc",  "epsw", "cause",
					  "badva", "tvec", "ptbr", "scratch"};
	unsigned n = 1 + rnd(g, 4), a = tmp(g);
	for (unsigned k = 0; k < n; k++) {
		switch (rnd(g, 7)) {
		case 0:
		case 1: {
			const char *cr = rw[rnd(g, NELEM(rw))];
			emit(g, "mtcr %s, r%u", cr, rs(g));
			break;
		}
		case 6: /* the other copy of the trap handler */
			emit(g, "la r%u, %s", a, rnd(g, 2) ? "__trap" : "__trapb");
			emit(g, "mtcr tvec, r%u", a);
			break;
		case 2:
		case 3: {
			unsigned d = rd(g);
			emit(g, "mfcr r%u, %s", d, all[rnd(g, NELEM(all))]);
			break;
		}
		case 4: {
			const char *op = rnd(g, 2) ? "rdpsw" : "rdtvec";
			emit(g, "%s r%u", op, rd(g));
			break;
		}
		default:
			/* the same PSW again, with junk in the bits that read 0 */
			emit(g, "li r%u, 0x%" PRIx32, a, cur_psw(g) | ((uint32_t)rnd64(g) & ~7u));
			emit(g, "%s r%u", rnd(g, 2) ? "wrpsw" : "mtcr psw,", a);
			break;
		}
	}
}

/* rfe used as a jump: EPC = a label, EPSW = the current PSW plus junk. */
static void gen_rfejump(struct gen *g)
{
	unsigned l = new_label(g), a = tmp(g);
	ie_off_for_rfe(g, a);
	emit(g, "la r%u, L%u", a, l);
	emit(g, "mtcr epc, r%u", a);
	emit(g, "li r%u, 0x%" PRIx32, a, cur_psw(g) | ((uint32_t)rnd64(g) & ~7u));
	emit(g, "mtcr epsw, r%u", a);
	emit(g, "rfe");
	emit(g, ".word 0x%08" PRIx32, illegal_word(g));
	put_label(g, l);
}

/* Self-modifying code: write one instruction into __smc and run it. */
static void gen_smc(struct gen *g)
{
	struct isa_insn in = {0};
	static const uint8_t ops[] = {OP_ADD, OP_XOR, OP_SLL, OP_SRA, OP_MUL,
				      OP_ADDI, OP_ORI, OP_SRLI, OP_LUI, OP_RDPSW,
				      OP_RDTVEC, OP_SLTU, OP_RDPSW, OP_RDTVEC};
	in.op = ops[rnd(g, NELEM(ops))];
	do
		in.rd = (uint8_t)rd(g);
	while (in.rd == 1);
	in.rs1 = (uint8_t)rs(g);
	in.rs2 = (uint8_t)rs(g);
	switch (in.op) {
	case OP_ADDI:
		in.imm = (int32_t)rnd(g, 65536) - 32768;
		break;
	case OP_ORI:
	case OP_LUI:
		in.imm = (int32_t)rnd(g, 65536);
		if (in.op == OP_LUI)
			in.rs1 = 0;
		break;
	case OP_SRLI:
		in.imm = (int32_t)rnd(g, 32);
		break;
	case OP_RDPSW:
	case OP_RDTVEC:
		in.rs1 = in.rs2 = 0;
		break;
	default:
		break;
	}
	if (isa_info(in.op)->format != FMT_R)
		in.rs2 = 0;
	uint32_t w;
	if (!isa_encode(&in, &w)) {
		fprintf(stderr, "diffgen: cannot encode op %u\n", in.op);
		exit(1);
	}
	unsigned a = tmp(g), v;
	do
		v = tmp(g);
	while (v == a);
	emit(g, "li r%u, 0x%08" PRIx32, v, w);
	emit(g, "la r%u, __smc", a);
	emit(g, "sw r%u, 0(r%u)", v, a);
	emit(g, "call __smc");
}

/* jal and jalr forward, over a word that would trap. */
static void gen_jump(struct gen *g)
{
	unsigned l = new_label(g);
	if (chance(g, 50)) {
		emit(g, "jal r%u, L%u", rd(g), l);
	} else {
		unsigned a = tmp(g);
		emit(g, "la r%u, L%u", a, l);
		/* rd may be the base: the target is taken before rd is written */
		emit(g, "jalr r%u, 0(r%u)", chance(g, 30) ? a : rd(g), a);
	}
	emit(g, ".word 0x%08" PRIx32, illegal_word(g));
	put_label(g, l);
}

/* A stretch of user mode: rfe to user code, syscall back. */
static void gen_user(struct gen *g, int depth)
{
	unsigned lu = new_label(g), lb = new_label(g), a = tmp(g);
	emit(g, "la r%u, L%u", a, lu);
	emit(g, "mtcr epc, r%u", a);
	uint32_t epsw = (g->pg ? PSW_PG : 0) | (g->window ? PSW_IE : 0);
	emit(g, "li r%u, 0x%" PRIx32, a, epsw | ((uint32_t)rnd64(g) & ~7u));
	emit(g, "mtcr epsw, r%u", a);
	emit(g, "la r%u, L%u", a, lb);
	emit(g, "sw r%u, %u(zero)", a, H_UPRET);
	emit(g, "rfe");
	emit(g, ".word 0x%08" PRIx32, illegal_word(g));
	put_label(g, lu);
	unsigned n = 2 + rnd(g, 6);
	for (unsigned k = 0; k < n; k++)
		gen_block(g, CTX_USER | (g->window ? CTX_WINDOW : 0), depth + 1);
	emit(g, "syscall"); /* back to supervisor at L<lb>, interrupts off */
	emit(g, ".word 0x%08" PRIx32, illegal_word(g));
	put_label(g, lb);
}

/* Interrupts on while the timer runs: some work, maybe wfi, maybe in user
 * mode; then interrupts and the timer off again. */
static void gen_window(struct gen *g, int depth)
{
	unsigned a = tmp(g), v;
	do
		v = tmp(g);
	while (v == a);
	emit(g, "li r%u, 0x%x", a, DEV_TIMER_BASE);
	emit(g, "li r%u, %u", v, 150 + rnd(g, 2500));
	emit(g, "sw r%u, %u(r%u)", v, TIMER_PERIOD, a);
	g->window = true;
	if (chance(g, 30)) {
		gen_user(g, depth + 1); /* the handler returns with IE = 0 */
	} else {
		emit(g, "li r%u, 0x%x", a, cur_psw(g));
		emit(g, "%s r%u", chance(g, 30) ? "wrpsw" : "mtcr psw,", a);
		unsigned n = 1 + rnd(g, 5);
		for (unsigned k = 0; k < n; k++) {
			switch (rnd(g, 7)) {
			case 0:
				emit(g, "wfi"); /* the timer wakes it: taken at once */
				break;
			case 2: /* a new period: counting starts again */
				emit(g, "li r%u, 0x%x", a, DEV_TIMER_BASE);
				emit(g, "li r%u, %u", v, 150 + rnd(g, 2500));
				emit(g, "sw r%u, %u(r%u)", v, TIMER_PERIOD, a);
				break;
			case 1: /* wfi with IE = 0: wakes, goes on; then taken */
				emit(g, "li r%u, 0x%x", a, cur_psw(g) & ~PSW_IE);
				emit(g, "mtcr psw, r%u", a);
				emit(g, "wfi");
				emit(g, "li r%u, 0x%x", a, cur_psw(g));
				emit(g, "mtcr psw, r%u", a);
				break;
			default:
				gen_block(g, CTX_WINDOW, depth + 1);
				break;
			}
		}
		emit(g, "li r%u, 0x%x", a, cur_psw(g) & ~PSW_IE);
		emit(g, "mtcr psw, r%u", a);
	}
	g->window = false;
	emit(g, "li r%u, 0x%x", a, DEV_TIMER_BASE);
	emit(g, "sw zero, %u(r%u)", TIMER_PERIOD, a); /* off; clears pending */
}

/* Paging on (after a flush) or off. */
static void gen_paging(struct gen *g)
{
	unsigned a = tmp(g);
	g->pg = !g->pg;
	if (g->pg)
		emit(g, "tlbflush");
	emit(g, "li r%u, 0x%x", a, cur_psw(g));
	emit(g, "%s r%u", chance(g, 30) ? "wrpsw" : "mtcr psw,", a);
}

/* Another root table; PTBR keeps (and the walker ignores) bits 11:0. */
static void gen_ptbr(struct gen *g)
{
	unsigned a = tmp(g);
	g->root = rnd(g, 2);
	emit(g, "li r%u, 0x%x", a, (g->root ? ROOT2 : ROOT) | (chance(g, 50) ? rnd(g, 4096) : 0));
	emit(g, "mtcr ptbr, r%u", a);
}

/* Change a test PTE (a new one, or A and D cleared), then flush. */
static void gen_ptechange(struct gen *g)
{
	unsigned t = rnd(g, 2), i = rnd(g, NTEST), a = tmp(g), v;
	do
		v = tmp(g);
	while (v == a);
	emit(g, "li r%u, 0x%x", a, (t ? L_TEST2 : L_TEST) + i * 4);
	if (chance(g, 35)) {
		/* clear A and D: keep the frame and sw bits, rewrite the perms */
		emit(g, "lw r%u, 0(r%u)", v, a);
		emit(g, "srli r%u, r%u, 7", v, v);
		emit(g, "slli r%u, r%u, 7", v, v);
		emit(g, "ori r%u, r%u, 0x%x", v, v, g->pte[t][i] & PERMS);
		g->pte[t][i] &= ~(PTE_A | PTE_D);
	} else {
		g->pte[t][i] = random_pte(g);
		emit(g, "li r%u, 0x%" PRIx32, v, g->pte[t][i]);
	}
	emit(g, "sw r%u, 0(r%u)", v, a);
	switch (rnd(g, 3)) {
	case 0:
		emit(g, "tlbflush");
		break;
	case 1:
		emit(g, "li r%u, 0x%x", a, TEST_VA + i * PAGE_SIZE + rnd(g, 4096));
		emit(g, "tlbinv r%u", a);
		break;
	default:
		emit(g, "mfcr r%u, ptbr", a); /* a PTBR write flushes too */
		emit(g, "mtcr ptbr, r%u", a);
		break;
	}
}

/* One block fit for context c (depth bounds the nesting). */
static void gen_block(struct gen *g, unsigned c, int depth)
{
	bool user = c & CTX_USER;
	bool nest = depth < 3;
	bool top = c == 0;        /* may change mode, paging, PTBR */
	bool fixed = !(c & (CTX_COND | CTX_LOOP)); /* runs exactly once */
	for (;;) {
		switch (rnd(g, 20)) {
		case 0:
		case 1:
		case 2:
			gen_alu(g, 1 + rnd(g, 8));
			return;
		case 3:
		case 4:
			gen_mem(g, 1 + rnd(g, 6));
			return;
		case 5:
			gen_testpage(g, 1 + rnd(g, 4));
			return;
		case 6:
		case 7:
			gen_trap(g, c);
			return;
		case 8:
			if (!nest)
				break;
			gen_branch(g, c, depth);
			return;
		case 9:
			if (!nest || (c & CTX_LOOP))
				break;
			gen_loop(g, c, depth);
			return;
		case 10:
			gen_adread(g);
			return;
		case 11:
			gen_device(g);
			return;
		case 12:
			if (c & CTX_LOOP)
				break;
			gen_fetchfault(g, user);
			return;
		case 13:
			if (user)
				break;
			gen_cr(g);
			return;
		case 14:
			if (c & CTX_LOOP)
				break;
			gen_smc(g);
			return;
		case 15:
			gen_jump(g);
			return;
		case 16:
			if (user)
				break;
			gen_rfejump(g);
			return;
		case 17:
			if (user || !fixed)
				break;
			gen_ptechange(g);
			return;
		case 18:
			if (!top)
				break;
			if (chance(g, 50))
				gen_user(g, depth);
			else
				gen_window(g, depth);
			return;
		default:
			if (!top)
				break;
			if (chance(g, 60))
				gen_paging(g);
			else
				gen_ptbr(g);
			return;
		}
	}
}

/* --- the fixed parts of every program --------------------------------------- */

static void gen_equates(struct gen *g)
{
	fprintf(g->out,
		"\t.equ\tCAUSE_SYSCALL, %u\n\t.equ\tPSW_MODE, %u\n\t.equ\tPSW_IE, %u\n"
		"\t.equ\tPSW_PG, %u\n\t.equ\tCONSOLE, 0x%x\n\t.equ\tTIMER, 0x%x\n"
		"\t.equ\tTESTDEV, 0x%x\n\t.equ\tTIMER_ACK, %u\n\t.equ\tTEST_EXIT, %u\n"
		"\t.equ\tREGSAVE, 0x%x\n\t.equ\tCRSAVE, 0x%x\n\t.equ\tH_T0, 0x%x\n"
		"\t.equ\tH_COUNT, 0x%x\n\t.equ\tH_HASH, 0x%x\n\t.equ\tH_RECOVER, 0x%x\n"
		"\t.equ\tH_UPRET, 0x%x\n\t.equ\tH_RET, 0x%x\n\t.equ\tH_CPN, 0x%x\n"
		"\t.equ\tH_CRCP, 0x%x\n\t.equ\tDATA, 0x%x\n\t.equ\tDATA_SIZE, %u\n"
		"\t.equ\tLOG, 0x%x\n\t.equ\tLOGCAP, %u\n\t.equ\tROOT, 0x%x\n"
		"\t.equ\tROOT2, 0x%x\n\t.equ\tL_LOW, 0x%x\n\t.equ\tL_TEST, 0x%x\n"
		"\t.equ\tL_TEST2, 0x%x\n\t.equ\tL_DEV, 0x%x\n\t.equ\tFRAMES, 0x%x\n"
		"\t.equ\tNFRAMES, %u\n\t.equ\tBEYOND, 0x%x\n\t.equ\tPAGE_SIZE, %u\n",
		CAUSE_SYSCALL, PSW_MODE, PSW_IE, PSW_PG, DEV_CONSOLE_BASE, DEV_TIMER_BASE,
		DEV_TEST_BASE, TIMER_ACK, TEST_EXIT, REGSAVE, CRSAVE, H_T0, H_COUNT, H_HASH,
		H_RECOVER, H_UPRET, H_RET, H_CPN, H_CRCP, DATA, DATA_SIZE, LOG, LOGCAP, ROOT,
		ROOT2, L_LOW, L_TEST, L_TEST2, L_DEV, FRAMES, NFRAMES, BEYOND, PAGE_SIZE);
}

/* Fills the first n entries of the leaf table at leaf (an expression)
 * with an identity map, every page V R W X U (t0..t3). */
static void gen_identity_map(struct gen *g, const char *leaf, unsigned n)
{
	emit(g, "li t0, %s", leaf);
	emit(g, "li t1, 0x%x", LEAF_ALL);
	emit(g, "li t2, %u", n);
	emit(g, "li t3, PAGE_SIZE");
	fputs("1:\tsw t1, 0(t0)\n", g->out);
	emit(g, "addi t0, t0, 4");
	emit(g, "add t1, t1, t3");
	emit(g, "addi t2, t2, -1");
	emit(g, "bnez t2, 1b");
}

/* pte_set TABLE + INDEX * 4 = VALUE, with paging off (t0, t1). */
static void pte_set(struct gen *g, uint32_t addr, uint32_t val)
{
	emit(g, "li t0, 0x%" PRIx32, addr);
	emit(g, "li t1, 0x%" PRIx32, val);
	emit(g, "sw t1, 0(t0)");
}

/* __sum, __putc, __puts and __phex, shared by the library and the end of
 * a --fuzz-seed program. */
#define LIB_SUM_AND_PRINT \
	"# __sum(a0 = start, a1 = end, a2 = hash): a2 = a2 * 33 ^ word, each word\n" \
	"__sum:\n" \
	"1:\tlw t0, 0(a0)\n" \
	"\tslli t1, a2, 5\n" \
	"\tadd a2, a2, t1\n" \
	"\txor a2, a2, t0\n" \
	"\taddi a0, a0, 4\n" \
	"\tbne a0, a1, 1b\n" \
	"\tret\n" \
	"\n" \
	"# __putc(a0 = byte)\n" \
	"__putc:\n" \
	"\tli t0, CONSOLE\n" \
	"\tsb a0, 0(t0)\n" \
	"\tret\n" \
	"\n" \
	"# __puts(a0 = string)\n" \
	"__puts:\n" \
	"\tli t0, CONSOLE\n" \
	"1:\tlbu t1, 0(a0)\n" \
	"\tbeqz t1, 2f\n" \
	"\tsb t1, 0(t0)\n" \
	"\taddi a0, a0, 1\n" \
	"\tj 1b\n" \
	"2:\tret\n" \
	"\n" \
	"# __phex(a0 = value): 0x and eight hex digits\n" \
	"__phex:\n" \
	"\tli t0, CONSOLE\n" \
	"\tli t1, '0'\n" \
	"\tsb t1, 0(t0)\n" \
	"\tli t1, 'x'\n" \
	"\tsb t1, 0(t0)\n" \
	"\tli t2, 28\n" \
	"1:\tsrl t1, a0, t2\n" \
	"\tandi t1, t1, 0xf\n" \
	"\tslti t3, t1, 10\n" \
	"\tbnez t3, 2f\n" \
	"\taddi t1, t1, 'a' - '0' - 10\n" \
	"2:\taddi t1, t1, '0'\n" \
	"\tsb t1, 0(t0)\n" \
	"\taddi t2, t2, -4\n" \
	"\tbge t2, zero, 1b\n" \
	"\tret\n" \
	"\n"

/* --- large programs (diffgen --large) ---------------------------------------
 *
 * A --large program is made to find the bounds and shortcuts of binary
 * patching (vmm/patch.c) that small programs never reach: the scanner
 * follows control flow from where execution enters a page, keeps pending
 * branch targets in a work list, and looks patches up by address; every
 * such shortcut must fail safe.  So a large program has, besides random
 * blocks of the usual kinds:
 *
 *   - fans: a subroutine of hundreds to thousands of forward branches
 *     (`addi s2, s2, -1; beqz s2, T_i`) whose targets T_i lie past its
 *     end, each a few instructions (often rdpsw or rdtvec) and `ret`; it
 *     is called with s2 choosing which branch is taken, often one of the
 *     last.  Every target is pending at once while the fan is scanned;
 *   - code frames: NTPL_MAX pages of gadgets assembled at the start of
 *     .text (the "templates", __cf0...), NSLOT slots each, each slot with
 *     up to SUBS_MAX entry points (__e<T>_<K>) into code that often holds
 *     a sensitive instruction and returns with `jalr zero, 0(s1)`;
 *   - a code window: NWIN virtual pages at WIN_VA whose PTEs (in the
 *     identity leaf L_LOW) are pointed at templates or at copy frames
 *     (COPYF...) into which the program copies a code frame at run time,
 *     each change followed by tlbinv, tlbflush or a PTBR write;
 *   - entries into a gadget through the window, through a template's own
 *     address or through a copy frame's: by a static jal or call (a call
 *     lets the scan go on past it, over code that remaps the page before
 *     the next jal runs), a computed jalr, rfe, or `ret` with ra loaded
 *     from a table of entry addresses (at TABLE), several in a row into
 *     one page, so pages are entered at many points, often long after
 *     they first ran; and loads of code through the window;
 *   - pads: main-line code right after a `ret`, reached only by that
 *     `ret` (ra from the table);
 *   - stale remaps: a window page that has just run is pointed at an
 *     identical copy of its frame and entered again WITHOUT a TLB flush
 *     (ISA.md 7.5 lets the stale translation be used; both fetch the same
 *     words, so the result is defined), then flushed.
 * Every program still prints checkpoints and its final state, so the bare
 * leaky machine and `--mode=leaky --vmm --patch` must print the same.
 *
 * The generator's model knows what every window page maps and what every
 * frame holds, so it only enters code where code is; the gadgets run in
 * supervisor mode with PSW = MODE|PG (paging is turned on before each
 * entry; interrupts are off at the top level).
 */

static void ensure_paging(struct gen *g)
{
	if (g->pg)
		return;
	emit(g, "tlbflush"); /* paging goes on only right after a flush */
	g->pg = true;
	emit(g, "li r%u, 0x%x", R_ADDR, cur_psw(g));
	emit(g, "mtcr psw, r%u", R_ADDR);
}

static uint32_t frame_pa(const struct gen *g, unsigned f)
{
	return f < NTPL_MAX ? g->lay->tpl_base + f * PAGE_SIZE
			    : g->lay->copyf + (f - NTPL_MAX) * PAGE_SIZE;
}

/* The address of the PTE of window page w. */
static uint32_t window_pte_at(const struct gen *g, unsigned w)
{
	return g->lay->win_leaf + (((g->lay->win_va >> PAGE_SHIFT) + w) & 0x3ffu) * 4;
}

/* The address of window page w. */
static uint32_t window_va(const struct gen *g, unsigned w)
{
	return g->lay->win_va + w * PAGE_SIZE;
}

/* A window PTE for frame f: A is set already, so that whether a stale TLB
 * entry or a walk serves a fetch leaves the PTE the same. */
static uint32_t window_pte(const struct gen *g, unsigned f)
{
	return frame_pa(g, f) | PTE_V | PTE_R | PTE_X | PTE_A;
}

/* A sensitive instruction whose result lands in a register (supervisor
 * mode, PSW = psw): rdpsw, rdtvec, or a wrpsw of IE read back by mfcr
 * (then PSW is put back by mtcr, which always traps under a VMM). */
static void gen_sensitive(struct gen *g, uint32_t psw)
{
	unsigned k = rnd(g, 5);
	if (k < 2) {
		emit(g, "rdpsw r%u", rd(g));
	} else if (k < 4) {
		emit(g, "rdtvec r%u", rd(g));
	} else {
		unsigned a = tmp(g);
		emit(g, "li r%u, 0x%" PRIx32, a, (psw ^ PSW_IE) | ((uint32_t)rnd64(g) & ~7u));
		emit(g, "wrpsw r%u", a);
		emit(g, "mfcr r%u, psw", rd(g));
		emit(g, "li r%u, 0x%" PRIx32, a, psw);
		emit(g, "mtcr psw, r%u", a);
	}
}

/* One item of a gadget's body (at most 9 words). */
static void gen_gadget_item(struct gen *g, uint32_t psw)
{
	switch (rnd(g, 8)) {
	case 0:
	case 1:
		gen_alu(g, 1 + rnd(g, 4));
		break;
	case 2:
	case 3:
	case 4:
		gen_sensitive(g, psw);
		break;
	case 5: { /* a forward branch inside the gadget */
		static const char *const ops[] = {"beq", "bne", "blt", "bgeu"};
		unsigned l = new_label(g);
		const char *op = ops[rnd(g, NELEM(ops))];
		unsigned s1 = rs(g);
		emit(g, "%s r%u, r%u, L%u", op, s1, rs(g), l);
		if (chance(g, 50))
			gen_sensitive(g, psw);
		else
			gen_alu(g, 1 + rnd(g, 3));
		put_label(g, l);
		break;
	}
	case 6: /* a trap: the handler resumes after it (its rfe scans there) */
		if (chance(g, 50))
			emit(g, "break");
		else
			emit(g, ".word 0x%08" PRIx32, illegal_word(g));
		break;
	default: {
		unsigned d = rd(g);
		emit(g, "mfcr r%u, %s", d, chance(g, 50) ? "psw" : "tvec");
		break;
	}
	}
}

/* Template t: NSLOT slots, each one to SUBS_MAX entry points into code
 * that runs on into the next and returns through s1.  Budget: 3 entries
 * of 4 items of 9 words, and the return, fit in a slot's 128 words. */
static void gen_template(struct gen *g, unsigned t)
{
	uint32_t psw = PSW_MODE | PSW_PG;
	fprintf(g->out, "# --- code frame %u: gadgets that return with jalr zero, 0(s1)\n", t);
	fprintf(g->out, "\t.align\t4096\n__cf%u:\n", t);
	g->reserved = RESERVED_LARGE;
	for (unsigned s = 0; s < NSLOT; s++) {
		fprintf(g->out, "\t.align\t%u\n", SLOT_BYTES);
		unsigned nsub = 1 + rnd(g, SUBS_MAX);
		for (unsigned k = 0; k < nsub; k++) {
			unsigned e = g->nentry[t]++;
			fprintf(g->out, "__e%u_%u:\n", t, e);
			unsigned n = 1 + rnd(g, 4);
			for (unsigned i = 0; i < n; i++)
				gen_gadget_item(g, psw);
		}
		emit(g, "jalr zero, 0(r%u)", R_BACK);
	}
	/* an assembler error, not a silently wrong program, if it overflows */
	fprintf(g->out, "\t.org\t__cf%u + %u\n", t, PAGE_SIZE);
	g->reserved = 0;
}

/* The templates, first in .text (so template t is at 0x1000 + t pages). */
static void gen_templates(struct gen *g)
{
	g->ntpl = g->lay->seed ? SEED_NTPL : 2 + rnd(g, NTPL_MAX - 1);
	for (unsigned t = 0; t < g->ntpl; t++)
		gen_template(g, t);
	for (unsigned f = 0; f < NFRAME; f++)
		g->content[f] = f < g->ntpl ? (int)f : NO_CODE;
}

/* Window PTEs, in the prologue (paging off). */
static void gen_window_ptes(struct gen *g)
{
	for (unsigned w = 0; w < NWIN; w++) {
		g->win[w] = rnd(g, g->ntpl);
		pte_set(g, window_pte_at(g, w), window_pte(g, g->win[w]));
	}
}

/* A block of the ordinary kinds, at the top level. */
static void gen_top_block(struct gen *g)
{
	gen_block(g, 0, 0);
}

/* A frame that holds code (a template, or a copy frame written). */
static unsigned code_frame(struct gen *g)
{
	for (;;) {
		unsigned f = rnd(g, NFRAME);
		if (g->content[f] != NO_CODE)
			return f;
	}
}

/* Writes into buf the address of an entry of the code frame f (a VA of
 * window page w if win, else the frame's identity address). */
static void entry_expr(struct gen *g, char *buf, unsigned f, bool win, unsigned w)
{
	unsigned t = (unsigned)g->content[f];
	unsigned e = rnd(g, g->nentry[t]);
	if (win)
		snprintf(buf, EXPR_LEN, "0x%x + (__e%u_%u - __cf%u)", window_va(g, w), t, e, t);
	else
		snprintf(buf, EXPR_LEN, "0x%x + (__e%u_%u - __cf%u)", frame_pa(g, f), t, e, t);
}

/* Returns the index of addr in the table at TABLE (added if new). */
static unsigned table_index(struct gen *g, const char *addr)
{
	for (unsigned i = 0; i < g->ntab; i++)
		if (strcmp(g->tab[i], addr) == 0)
			return i;
	if (g->ntab == TABCAP) {
		fprintf(stderr, "diffgen: the table of entry addresses is full\n");
		exit(1);
	}
	snprintf(g->tab[g->ntab], EXPR_LEN, "%s", addr);
	return g->ntab++;
}

enum enter_how { ENTER_JAL, ENTER_CALL, ENTER_JALR, ENTER_RET, ENTER_RFE, ENTER_HOWS };

static bool kind_on(const struct gen *g, const char *name);

/* A way to enter code: any, but `ret` only if the kind "ret" is on. */
static enum enter_how random_how(struct gen *g)
{
	enum enter_how how = (enum enter_how)rnd(g, ENTER_HOWS);
	return how == ENTER_RET && !kind_on(g, "ret") ? ENTER_JAL : how;
}

/* Runs the code at addr, which returns through s1 to just after this. */
static void gen_enter_at(struct gen *g, const char *addr, enum enter_how how)
{
	unsigned back = new_label(g);
	emit(g, "la r%u, L%u", R_BACK, back);
	switch (how) {
	case ENTER_JAL: /* static: the scan follows it where the page maps now */
		emit(g, "jal zero, %s", addr);
		break;
	case ENTER_CALL: /* the same, and the scan goes on past it, over code
			    that may remap the page before it runs */
		emit(g, "jal ra, %s", addr);
		break;
	case ENTER_JALR: {
		static const unsigned link[] = {0, 1, R_ADDR};
		emit(g, "la r%u, %s", R_ADDR, addr);
		emit(g, "jalr r%u, 0(r%u)", link[rnd(g, NELEM(link))], R_ADDR);
		break;
	}
	case ENTER_RET: /* a return to somewhere no call was made from */
		emit(g, "li r%u, 0x%x", R_ADDR, g->lay->table);
		emit(g, "lw ra, %u(r%u)", table_index(g, addr) * 4, R_ADDR);
		emit(g, "ret");
		break;
	default:
		emit(g, "la r%u, %s", R_ADDR, addr);
		emit(g, "mtcr epc, r%u", R_ADDR);
		emit(g, "li r%u, 0x%" PRIx32, R_ADDR, cur_psw(g) | ((uint32_t)rnd64(g) & ~7u));
		emit(g, "mtcr epsw, r%u", R_ADDR);
		emit(g, "rfe");
		break;
	}
	/* Never reached; after a call it would end the scan's way on. */
	if (how != ENTER_CALL)
		emit(g, ".word 0x%08" PRIx32, illegal_word(g));
	put_label(g, back);
}

/* Enters gadgets of one page, one to four times in a row: the first
 * entry maps the page (or scans it), the next ones come in at other points
 * of a page that is known by then.  The page is window page w if win, else
 * frame f through its own address. */
static void gen_burst(struct gen *g, bool win, unsigned w, unsigned f)
{
	char addr[EXPR_LEN];
	ensure_paging(g);
	unsigned n = chance(g, 50) ? 1 : 2 + rnd(g, 3);
	for (unsigned k = 0; k < n; k++) {
		entry_expr(g, addr, f, win, w);
		gen_enter_at(g, addr, random_how(g));
	}
}

/* Loads words of window page w: they must read as the code the guest
 * wrote, and the load maps the page (X too, if its frame ran before)
 * without running it. */
static void gen_window_load(struct gen *g, unsigned w)
{
	ensure_paging(g);
	emit(g, "li r%u, 0x%x", R_ADDR, window_va(g, w));
	unsigned n = 1 + rnd(g, 2);
	for (unsigned k = 0; k < n; k++) {
		unsigned d = rd(g);
		emit(g, "lw r%u, %u(r%u)", d, rnd(g, PAGE_SIZE / 4) * 4, R_ADDR);
	}
}

/* Enters a gadget through the window, a template or a copy frame. */
static void gen_enter(struct gen *g)
{
	unsigned w = rnd(g, NWIN);
	if (chance(g, 60) && g->content[g->win[w]] != NO_CODE)
		gen_burst(g, true, w, g->win[w]);
	else
		gen_burst(g, false, 0, code_frame(g));
}

/* The PTE of window page w := frame f; flushed as the architecture asks
 * unless flush is false (then the caller knows both frames are alike). */
static void gen_set_window(struct gen *g, unsigned w, unsigned f, bool flush)
{
	unsigned a = tmp(g), v;
	do
		v = tmp(g);
	while (v == a);
	g->win[w] = f;
	emit(g, "li r%u, 0x%x", a, window_pte_at(g, w));
	emit(g, "li r%u, 0x%" PRIx32, v, window_pte(g, f));
	emit(g, "sw r%u, 0(r%u)", v, a);
	if (!flush)
		return;
	switch (rnd(g, 3)) {
	case 0:
		emit(g, "li r%u, 0x%x", a, window_va(g, w) + rnd(g, PAGE_SIZE));
		emit(g, "tlbinv r%u", a);
		break;
	case 1:
		emit(g, "tlbflush");
		break;
	default:
		emit(g, "mfcr r%u, ptbr", a); /* a PTBR write flushes too */
		emit(g, "mtcr ptbr, r%u", a);
		break;
	}
}

/* A window page pointed at another frame (maybe one with no code: it is
 * then not entered until pointed at code again). */
static void gen_remap(struct gen *g)
{
	unsigned w = rnd(g, NWIN);
	gen_set_window(g, w, rnd(g, NFRAME), true);
	if (g->content[g->win[w]] == NO_CODE)
		return;
	/* Entered right away, the page is entered where this code was
	 * scanned to go, maybe through the old mapping. */
	if (chance(g, 50))
		gen_window_load(g, w);
	if (chance(g, 60)) {
		char addr[EXPR_LEN];
		ensure_paging(g);
		entry_expr(g, addr, g->win[w], true, w);
		gen_enter_at(g, addr, chance(g, 50) ? ENTER_JAL : ENTER_CALL);
		gen_burst(g, true, w, g->win[w]);
	}
}

/* Copies frame src over copy frame dst, a word at a time, through the
 * identity map (a load from a patched page must see the original words,
 * a store over scanned code must undo its patches). */
static void gen_copy_frame(struct gen *g, unsigned src, unsigned dst)
{
	unsigned l = new_label(g);
	fprintf(g->out, "# copy frame %u (0x%x) to frame %u (0x%x)\n", src, frame_pa(g, src),
		dst, frame_pa(g, dst));
	emit(g, "li r4, 0x%x", frame_pa(g, src));
	emit(g, "li r5, 0x%x", frame_pa(g, dst));
	emit(g, "li r6, %u", PAGE_SIZE / 4);
	put_label(g, l);
	emit(g, "lw r7, 0(r4)");
	emit(g, "sw r7, 0(r5)");
	emit(g, "addi r4, r4, 4");
	emit(g, "addi r5, r5, 4");
	emit(g, "addi r6, r6, -1");
	emit(g, "bnez r6, L%u", l);
	g->content[dst] = g->content[src];
	g->copies++;
}

/* A seed copies one frame at most: a copy takes 6000 cycles. */
static bool may_copy(const struct gen *g)
{
	return !g->lay->seed || g->copies == 0;
}

/* A copy frame that is not frame f. */
static unsigned copy_frame_not(struct gen *g, unsigned f)
{
	unsigned c;
	do
		c = NTPL_MAX + rnd(g, g->lay->ncopy);
	while (c == f);
	return c;
}

static void gen_copy(struct gen *g)
{
	if (!may_copy(g))
		return;
	unsigned src = code_frame(g);
	gen_copy_frame(g, src, copy_frame_not(g, src));
}

/*
 * A window page runs, is pointed at an identical copy of its frame with
 * no flush, and is entered again (maybe more than once) before the flush:
 * the stale translation and the new one fetch the same words.  The entry
 * that follows the remap is a static jal or a `ret`, which make the VMM
 * do nothing before the guest runs there.
 */
static void gen_stale(struct gen *g)
{
	char addr[EXPR_LEN];
	unsigned w = rnd(g, NWIN), cur = g->win[w], c = NFRAME;
	ensure_paging(g);
	if (g->content[cur] == NO_CODE)
		return;
	for (unsigned f = 0; f < NFRAME; f++)
		if (f != cur && g->content[f] == g->content[cur] && chance(g, 70))
			c = f;
	if (c == NFRAME) {
		if (!may_copy(g))
			return;
		c = copy_frame_not(g, cur);
		gen_copy_frame(g, cur, c);
	}
	entry_expr(g, addr, cur, true, w);
	gen_enter_at(g, addr, ENTER_JALR); /* runs (and is scanned) through cur */
	fprintf(g->out, "# no flush: frames %u and %u hold the same words\n", cur, c);
	gen_set_window(g, w, c, false);
	unsigned n = 1 + rnd(g, 3);
	for (unsigned k = 0; k < n; k++) {
		entry_expr(g, addr, c, true, w);
		bool ret = chance(g, 50) && kind_on(g, "ret");
		gen_enter_at(g, addr, ret ? ENTER_RET : ENTER_JAL);
	}
	emit(g, "li r%u, 0x%x", R_ADDR, window_va(g, w));
	emit(g, "tlbinv r%u", R_ADDR);
}

/* Main-line code right after a `ret`, reached only by that ret. */
static void gen_pad(struct gen *g)
{
	unsigned pad = new_label(g), back = new_label(g);
	char addr[EXPR_LEN];
	snprintf(addr, EXPR_LEN, "L%u", pad);
	emit(g, "la r%u, L%u", R_BACK, back);
	emit(g, "li r%u, 0x%x", R_ADDR, g->lay->table);
	emit(g, "lw ra, %u(r%u)", table_index(g, addr) * 4, R_ADDR);
	emit(g, "ret");
	put_label(g, pad);
	g->reserved = RESERVED_LARGE;
	unsigned n = 1 + rnd(g, 4);
	for (unsigned k = 0; k < n; k++)
		gen_gadget_item(g, cur_psw(g));
	g->reserved = 0;
	emit(g, "jalr zero, 0(r%u)", R_BACK);
	put_label(g, back);
}

/* How many branches a fan has: around the sizes of work lists, small and
 * large, within what remains of the program's budget. */
static unsigned fan_size(struct gen *g)
{
	if (g->lay->seed) /* one, in a few thousand cycles */
		return g->fan_slots ? 0 : SEED_FAN + rnd(g, 64);
	unsigned k = rnd(g, 10), n;
	if (k < 5)
		n = 900 + rnd(g, 1200);
	else if (k < 8)
		n = 16 + rnd(g, 600);
	else
		n = 2000 + rnd(g, FAN_MAX - 2000 + 1);
	unsigned left = FAN_BUDGET - g->fan_slots;
	return n < left ? n : left;
}

/* A fan: n forward branches pending at once, called a few times. */
static void gen_fan(struct gen *g)
{
	unsigned n = fan_size(g);
	if (n == 0)
		return;
	g->fan_slots += n;
	unsigned fan = new_label(g), over = new_label(g), t0 = g->label;
	g->label += n;
	uint32_t psw = cur_psw(g);
	fprintf(g->out, "# a fan of %u forward branches\n", n);
	emit(g, "j L%u", over);
	put_label(g, fan);
	for (unsigned i = 0; i < n; i++) {
		emit(g, "addi r%u, r%u, -1", R_SEL, R_SEL);
		emit(g, "beqz r%u, L%u", R_SEL, t0 + i);
	}
	emit(g, "ret");
	g->reserved = RESERVED_LARGE;
	for (unsigned i = 0; i < n; i++) {
		put_label(g, t0 + i);
		if (chance(g, 40))
			gen_sensitive(g, psw);
		else
			gen_alu(g, 1 + rnd(g, 2));
		emit(g, "ret");
	}
	g->reserved = 0;
	put_label(g, over);
	unsigned calls = g->lay->seed ? 2 : 2 + rnd(g, 5);
	for (unsigned k = 0; k < calls; k++) {
		unsigned pick = rnd(g, 10), taken;
		if (pick < 5)
			taken = rnd(g, n);
		else if (pick < 9)
			taken = n - 1 - rnd(g, n / 8 + 1); /* one of the last */
		else
			taken = n; /* none: runs through to the fan's ret */
		emit(g, "li r%u, %u", R_SEL, taken + 1);
		emit(g, "call L%u", fan);
	}
}

/* The kinds of top-level blocks of a large program, with their weights
 * (percent); `--large=fan,stale` makes programs of only those kinds.
 * "ret" is no block: it lets the others enter code by `ret` (pads always
 * do). */
static const struct large_kind {
	const char *name;
	unsigned weight;
	void (*gen)(struct gen *g);
} large_kinds[] = {
	{"fan", 10, gen_fan},     {"enter", 30, gen_enter}, {"remap", 10, gen_remap},
	{"copy", 7, gen_copy},    {"stale", 10, gen_stale}, {"pad", 8, gen_pad},
	{"random", 25, gen_top_block}, {"ret", 0, NULL},
};

/* The bit of g->kinds for the kind called name. */
static unsigned kind_bit(const char *name)
{
	for (unsigned i = 0; i < NELEM(large_kinds); i++)
		if (strcmp(large_kinds[i].name, name) == 0)
			return 1u << i;
	return 0;
}

static bool kind_on(const struct gen *g, const char *name)
{
	return g->kinds & kind_bit(name);
}

static void gen_table(struct gen *g);

/* One top-level block of a large program, of a kind in g->kinds. */
static void gen_large_block(struct gen *g)
{
	for (;;) {
		unsigned k = rnd(g, 100), i = 0;
		while (k >= large_kinds[i].weight)
			k -= large_kinds[i++].weight;
		if (g->kinds & (1u << i)) {
			large_kinds[i].gen(g);
			return;
		}
	}
}

/* Sets g->kinds and g->lay from "--large" (every kind), "--large=KIND,..."
 * or the same with --fuzz-seed; returns false for an unknown kind or
 * one a seed cannot have (random blocks need the large layout). */
static bool parse_large(struct gen *g, const char *arg)
{
	const char *kinds;
	if (strncmp(arg, "--large", 7) == 0) {
		g->lay = &large_layout;
		kinds = arg + 7;
	} else if (strncmp(arg, "--fuzz-seed", 11) == 0) {
		g->lay = &seed_layout;
		kinds = arg + 11;
	} else {
		return false;
	}
	g->large = true;
	if (*kinds == '\0') {
		g->kinds = (1u << NELEM(large_kinds)) - 1;
		if (g->lay->seed)
			g->kinds &= ~kind_bit("random");
		return true;
	}
	if (*kinds != '=')
		return false;
	for (const char *p = kinds + 1; *p;) {
		size_t n = strcspn(p, ",");
		unsigned i = 0;
		while (i < NELEM(large_kinds) &&
		       (strlen(large_kinds[i].name) != n || strncmp(large_kinds[i].name, p, n) != 0))
			i++;
		if (i == NELEM(large_kinds))
			return false;
		g->kinds |= 1u << i;
		p += n + (p[n] == ',');
	}
	if (g->lay->seed && kind_on(g, "random"))
		return false;
	for (unsigned i = 0; i < NELEM(large_kinds); i++)
		if ((g->kinds & (1u << i)) && large_kinds[i].weight > 0)
			return true;
	return false; /* no kind of block at all */
}

/* The start of a --fuzz-seed program, at 0x1000 where the harness starts
 * it: page tables that map RAM (identity), the window and the devices;
 * then paging on. */
static void gen_seed_prologue(struct gen *g, uint64_t seed)
{
	fprintf(g->out, "# generated by tests/gen/gen.c --fuzz-seed, seed %" PRIu64
			" - do not edit\n", seed);
	gen_equates(g);
	fputs("\t.text\n\t.globl\t_start\n_start:\n", g->out);
	emit(g, "j __main");
	gen_templates(g);
	fputs("__main:\n", g->out);
	emit(g, "la t0, __trap");
	emit(g, "mtcr tvec, t0");
	{
		char leaf[16];
		snprintf(leaf, sizeof leaf, "0x%x", SEED_LEAF);
		gen_identity_map(g, leaf, SEED_RAM / PAGE_SIZE);
	}
	pte_set(g, SEED_ROOT, SEED_LEAF | PTE_V);
	pte_set(g, SEED_ROOT + (DEV_CONSOLE_BASE >> 22) * 4, SEED_DEVLEAF | PTE_V);
	static const uint32_t devs[] = {DEV_CONSOLE_BASE, DEV_TEST_BASE};
	for (unsigned i = 0; i < NELEM(devs); i++)
		pte_set(g, SEED_DEVLEAF + ((devs[i] >> PAGE_SHIFT) & 0x3ff) * 4,
			devs[i] | PTE_V | PTE_R | PTE_W);
	gen_window_ptes(g);
	emit(g, "li t0, 0x%x", SEED_ROOT);
	emit(g, "mtcr ptbr, t0");
	ensure_paging(g);
}

/* The end of a --fuzz-seed program: EXIT 0, a trap handler that goes on
 * after the trapping instruction, the checkpoint (a hash of the
 * registers) and the table. */
static void gen_seed_epilogue(struct gen *g)
{
	emit(g, "li t0, TESTDEV");
	emit(g, "sw zero, TEST_EXIT(t0)");
	fputs("2:\tj 2b\n"
	      "__trap:\n"
	      "\tmtcr scratch, t0\n"
	      "\tmfcr t0, epc\n"
	      "\taddi t0, t0, 4\n"
	      "\tmtcr epc, t0\n"
	      "\tmfcr t0, scratch\n"
	      "\trfe\n"
	      "# __cp: \"cp HASH\", HASH of the registers the caller saved\n"
	      "__cp:\n"
	      "\tsw ra, H_RET(zero)\n"
	      "\tli a2, 0\n"
	      "\tli a0, REGSAVE+4\n\tli a1, REGSAVE+64\n\tcall __sum\n"
	      "\tmv s0, a2\n"
	      "\tla a0, __s_cp\n\tcall __puts\n"
	      "\tmv a0, s0\n\tcall __phex\n"
	      "\tli a0, '\\n'\n\tcall __putc\n"
	      "\tlw ra, H_RET(zero)\n"
	      "\tret\n"
	      "\n" LIB_SUM_AND_PRINT
	      "__s_cp:\t.asciz \"cp \"\n"
	      "\t.align\t4\n",
	      g->out);
	if (g->ntab > 0)
		fputs("\t.data\n", g->out);
	gen_table(g);
}

/* The table of entry addresses, in .data. */
static void gen_table(struct gen *g)
{
	if (g->ntab == 0)
		return;
	fprintf(g->out, "\n\t.org\t0x%x\n", g->lay->table);
	for (unsigned i = 0; i < g->ntab; i++)
		emit(g, ".word %s", g->tab[i]);
}

static void gen_prologue(struct gen *g, uint64_t seed)
{
	fprintf(g->out, "# generated by tests/gen/gen.c, seed %" PRIu64 " - do not edit\n", seed);
	gen_equates(g);
	if (g->large) {
		fputs("\t.text\n", g->out);
		gen_templates(g);
		fputs("\t.globl\t_start\n_start:\n", g->out);
	} else {
		fputs("\t.text\n\t.globl\t_start\n_start:\n", g->out);
	}
	emit(g, "la t0, __trap");
	emit(g, "mtcr tvec, t0");
	/* the identity map of 0..4 MiB: every page V R W X U */
	gen_identity_map(g, "L_LOW", 1024);
	static const uint32_t devs[] = {DEV_CONSOLE_BASE, DEV_TIMER_BASE, DEV_DISK_BASE,
					DEV_TEST_BASE};
	for (unsigned i = 0; i < NELEM(devs); i++)
		pte_set(g, L_DEV + ((devs[i] >> PAGE_SHIFT) & 0x3ff) * 4,
			devs[i] | PTE_V | PTE_R | PTE_W | PTE_U | (i == 0 ? PTE_X : 0));
	for (unsigned r = 0; r < 2; r++) {
		uint32_t root = r ? ROOT2 : ROOT;
		pte_set(g, root + 0 * 4, L_LOW | PTE_V);
		pte_set(g, root + 1 * 4, (r ? L_TEST2 : L_TEST) | PTE_V);
		pte_set(g, root + 2 * 4, L_TEST | PTE_V | PTE_R); /* malformed */
		pte_set(g, root + 4 * 4, BEYOND | PTE_V);	  /* beyond RAM */
		pte_set(g, root + (DEV_CONSOLE_BASE >> 22) * 4, L_DEV | PTE_V);
		for (unsigned i = 0; i < NTEST; i++) {
			g->pte[r][i] = random_pte(g);
			pte_set(g, (r ? L_TEST2 : L_TEST) + i * 4, g->pte[r][i]);
		}
	}
	if (g->large)
		gen_window_ptes(g);
	emit(g, "li t0, ROOT");
	emit(g, "mtcr ptbr, t0");
	emit(g, "li gp, DATA");
	for (unsigned r = 1; r < ISA_NREGS - 1; r++)
		if (r != 3)
			emit(g, "li r%u, 0x%" PRIx32, r, value(g));
	if (chance(g, 60)) {
		g->pg = true;
		emit(g, "li t0, 0x%x", cur_psw(g));
		emit(g, "mtcr psw, t0");
	}
}

/* The checkpoint after a top-level block: save every register, hash,
 * print "cp N HASH", restore every register. */
static void gen_checkpoint(struct gen *g, unsigned n)
{
	for (unsigned r = 1; r < ISA_NREGS; r++)
		emit(g, "sw r%u, 0x%x(zero)", r, REGSAVE + r * 4);
	emit(g, "li r1, %u", n);
	emit(g, "sw r1, H_CPN(zero)");
	emit(g, "call __cp");
	for (unsigned r = 1; r < ISA_NREGS; r++)
		emit(g, "lw r%u, 0x%x(zero)", r, REGSAVE + r * 4);
}

static const char *const cr_names[] = {"psw",	"epc",	"epsw", "cause",
				       "badva", "tvec", "ptbr", "scratch"};

/* The library of every program: trap handler, checkpoint, printing and the
 * final dump.  Written once here, identical in every program. */
static const char handler[] =
	"__trap:\n"
	"\tsw t0, H_T0(zero)\n"
	"\tsw t1, H_T0+4(zero)\n"
	"\tsw t2, H_T0+8(zero)\n"
	"\tsw t3, H_T0+12(zero)\n"
	"\tlw t0, H_COUNT(zero)\n"
	"\taddi t1, t0, 1\n"
	"\tsw t1, H_COUNT(zero)\n"
	"\tandi t0, t0, LOGCAP-1\n"
	"\tslli t0, t0, 4\n"
	"\tli t1, LOG\n"
	"\tadd t0, t0, t1\n"
	"\tlw t2, H_HASH(zero)\n"
	"\tmfcr t1, cause\n"
	"\tsw t1, 0(t0)\n"
	"\tslli t3, t2, 5\n\tadd t2, t2, t3\n\txor t2, t2, t1\n"
	"\tmfcr t1, epc\n"
	"\tsw t1, 4(t0)\n"
	"\tslli t3, t2, 5\n\tadd t2, t2, t3\n\txor t2, t2, t1\n"
	"\tmfcr t1, badva\n"
	"\tsw t1, 8(t0)\n"
	"\tslli t3, t2, 5\n\tadd t2, t2, t3\n\txor t2, t2, t1\n"
	"\tmfcr t1, epsw\n"
	"\tsw t1, 12(t0)\n"
	"\tslli t3, t2, 5\n\tadd t2, t2, t3\n\txor t2, t2, t1\n"
	"\tsw t2, H_HASH(zero)\n"
	"\tmfcr t1, cause\n"
	"\tblt t1, zero, __trap_irq\n"
	"\tandi t1, t1, 0xff\n"
	"\taddi t1, t1, -CAUSE_SYSCALL\n"
	"\tbnez t1, __trap_recover\n"
	"\tlw t0, H_UPRET(zero)\n"
	"\tbeqz t0, __trap_recover\n"
	"\tmfcr t1, epsw\n"
	"\tandi t2, t1, PSW_MODE\n"
	"\tbnez t2, __trap_recover\n"
	"\tsw zero, H_UPRET(zero)\n"
	"\tmtcr epc, t0\n"
	"\tandi t1, t1, PSW_PG\n"
	"\tori t1, t1, PSW_MODE\n"
	"\tmtcr epsw, t1\n"
	"\tj __trap_out\n"
	"__trap_recover:\n"
	"\tlw t0, H_RECOVER(zero)\n"
	"\tbeqz t0, __trap_skip\n"
	"\tsw zero, H_RECOVER(zero)\n"
	"\tmtcr epc, t0\n"
	"\tj __trap_out\n"
	"__trap_skip:\n"
	"\tmfcr t0, epc\n"
	"\taddi t0, t0, 4\n"
	"\tmtcr epc, t0\n"
	"\tj __trap_out\n"
	"__trap_irq:\n"
	"\tli t0, TIMER\n"
	"\tsw zero, TIMER_ACK(t0)\n"
	"__trap_out:\n"
	"\tlw t0, H_T0(zero)\n"
	"\tlw t1, H_T0+4(zero)\n"
	"\tlw t2, H_T0+8(zero)\n"
	"\tlw t3, H_T0+12(zero)\n"
	"\trfe\n";

/* The rest of the library. */
static const char library[] =
	"# --- the self-modifying slot: gen_smc writes its first word ---\n"
	"__smc:\n"
	"\tnop\n"
	"\tret\n"
	"\n"
	LIB_SUM_AND_PRINT
	"# __pline(a0 = name, a1 = value): one line \"name0x........\"\n"
	"__pline:\n"
	"\tsw ra, H_RET(zero)\n"
	"\tcall __puts\n"
	"\tmv a0, a1\n"
	"\tcall __phex\n"
	"\tli a0, '\\n'\n"
	"\tcall __putc\n"
	"\tlw ra, H_RET(zero)\n"
	"\tret\n"
	"\n"
	"# __cp: the checkpoint line \"cp N HASH\"; the caller saved r1..r15\n"
	"__cp:\n"
	"\tsw ra, H_RET(zero)\n"
	"\tmfcr t0, psw\n\tsw t0, H_CRCP(zero)\n"
	"\tmfcr t0, epc\n\tsw t0, H_CRCP+4(zero)\n"
	"\tmfcr t0, epsw\n\tsw t0, H_CRCP+8(zero)\n"
	"\tmfcr t0, cause\n\tsw t0, H_CRCP+12(zero)\n"
	"\tmfcr t0, badva\n\tsw t0, H_CRCP+16(zero)\n"
	"\tmfcr t0, tvec\n\tsw t0, H_CRCP+20(zero)\n"
	"\tmfcr t0, ptbr\n\tsw t0, H_CRCP+24(zero)\n"
	"\tmfcr t0, scratch\n\tsw t0, H_CRCP+28(zero)\n"
	"\tli a2, 0\n"
	"\tli a0, REGSAVE+4\n\tli a1, REGSAVE+64\n\tcall __sum\n"
	"\tli a0, H_CRCP\n\tli a1, H_CRCP+32\n\tcall __sum\n"
	"\tli a0, H_COUNT\n\tli a1, H_COUNT+8\n\tcall __sum\n"
	"\tli a0, DATA\n\tli a1, DATA+DATA_SIZE\n\tcall __sum\n"
	"\tli a0, L_TEST\n\tli a1, L_TEST+64\n\tcall __sum\n"
	"\tli a0, L_TEST2\n\tli a1, L_TEST2+64\n\tcall __sum\n"
	"\tmv s0, a2\n"
	"\tla a0, __s_cp\n"
	"\tcall __puts\n"
	"\tlw a0, H_CPN(zero)\n"
	"\tcall __phex\n"
	"\tli a0, ' '\n"
	"\tcall __putc\n"
	"\tmv a0, s0\n"
	"\tcall __phex\n"
	"\tli a0, '\\n'\n"
	"\tcall __putc\n"
	"\tlw ra, H_RET(zero)\n"
	"\tret\n"
	"\n"
	"# __final: the architectural state, line by line, then EXIT 0.  The\n"
	"# registers are in REGSAVE and CRSAVE already.\n"
	"__final:\n"
	"__FINAL_REGS__"
	"\tla a0, __s_traps\n\tlw a1, H_COUNT(zero)\n\tcall __pline\n"
	"\t# the log, entry by entry: \"trap I CAUSE EPC BADVA EPSW\"\n"
	"\tlw s1, H_COUNT(zero)\n"
	"\tli t0, LOGCAP\n"
	"\tbltu s1, t0, 1f\n"
	"\tmv s1, t0\n"
	"1:\tli s0, 0\n"
	"\tli s2, LOG\n"
	"2:\tbeq s0, s1, 4f\n"
	"\tla a0, __s_trap\n\tcall __puts\n"
	"\tmv a0, s0\n\tcall __phex\n"
	"\tli s3, 0\n"
	"3:\tli a0, ' '\n\tcall __putc\n"
	"\tlw a0, 0(s2)\n\tcall __phex\n"
	"\taddi s2, s2, 4\n"
	"\taddi s3, s3, 1\n"
	"\tli t0, 4\n"
	"\tbne s3, t0, 3b\n"
	"\tli a0, '\\n'\n\tcall __putc\n"
	"\taddi s0, s0, 1\n"
	"\tj 2b\n"
	"4:\tla a0, __s_thash\n\tlw a1, H_HASH(zero)\n\tcall __pline\n"
	"\tli a2, 0\n\tli a0, DATA\n\tli a1, DATA+DATA_SIZE\n\tcall __sum\n"
	"\tmv a1, a2\n\tla a0, __s_data\n\tcall __pline\n"
	"\tli a2, 0\n\tli a0, FRAMES\n\tli a1, FRAMES+NFRAMES*PAGE_SIZE\n\tcall __sum\n"
	"\tmv a1, a2\n\tla a0, __s_frames\n\tcall __pline\n"
	"\tli a2, 0\n\tli a0, L_LOW\n\tli a1, L_LOW+PAGE_SIZE\n\tcall __sum\n"
	"\tmv a1, a2\n\tla a0, __s_low\n\tcall __pline\n"
	"\t# every test PTE: \"pte ADDRESS VALUE\"\n"
	"\tli s0, L_TEST\n"
	"\tli s1, L_TEST2+64\n"
	"5:\tla a0, __s_pte\n\tcall __puts\n"
	"\tmv a0, s0\n\tcall __phex\n"
	"\tli a0, ' '\n\tcall __putc\n"
	"\tlw a0, 0(s0)\n\tcall __phex\n"
	"\tli a0, '\\n'\n\tcall __putc\n"
	"\taddi s0, s0, 4\n"
	"\tli t0, L_TEST+64\n"
	"\tbne s0, t0, 6f\n"
	"\tli s0, L_TEST2\n"
	"6:\tbne s0, s1, 5b\n"
	"\tla a0, __s_end\n\tcall __puts\n"
	"\tli t0, TESTDEV\n"
	"\tsw zero, TEST_EXIT(t0)\n"
	"7:\tj 7b\n"
	"\n"
	"__s_cp:\t.asciz \"cp \"\n"
	"__s_traps:\t.asciz \"traps=\"\n"
	"__s_trap:\t.asciz \"trap \"\n"
	"__s_thash:\t.asciz \"traphash=\"\n"
	"__s_data:\t.asciz \"data=\"\n"
	"__s_frames:\t.asciz \"frames=\"\n"
	"__s_low:\t.asciz \"identity-ptes=\"\n"
	"__s_pte:\t.asciz \"pte \"\n"
	"__s_end:\t.asciz \"end\\n\"\n";

/* Writes the trap handler with its labels renamed "__trap" -> name. */
static void gen_handler(struct gen *g, const char *name)
{
	fprintf(g->out, "# --- the trap handler %s: log the trap, then resume ---\n", name);
	for (const char *p = handler; *p;) {
		if (strncmp(p, "__trap", 6) == 0) {
			fputs(name, g->out);
			p += 6;
		} else {
			fputc(*p++, g->out);
		}
	}
}

/* Writes the library, with the register lines of __final in place of
 * __FINAL_REGS__: two copies of the trap handler (programs switch TVEC
 * between them), in different pages, then the rest. */
static void gen_library(struct gen *g)
{
	gen_handler(g, "__trap");
	fputs("\t.align\t4096\n", g->out);
	gen_handler(g, "__trapb");
	const char *mark = "__FINAL_REGS__";
	const char *at = library;
	for (const char *p = library; *p; p++) {
		const char *m = mark, *q = p;
		while (*m && *q == *m)
			m++, q++;
		if (*m)
			continue;
		fwrite(at, 1, (size_t)(p - at), g->out);
		for (unsigned r = 1; r < ISA_NREGS; r++) {
			emit(g, "la a0, __s_r%u", r);
			emit(g, "lw a1, 0x%x(zero)", REGSAVE + r * 4);
			emit(g, "call __pline");
		}
		for (unsigned c = 0; c < NELEM(cr_names); c++) {
			emit(g, "la a0, __s_%s", cr_names[c]);
			emit(g, "lw a1, 0x%x(zero)", CRSAVE + c * 4);
			emit(g, "call __pline");
		}
		at = q;
		break;
	}
	fputs(at, g->out);
	for (unsigned r = 1; r < ISA_NREGS; r++)
		fprintf(g->out, "__s_r%u:\t.asciz \"r%u=\"\n", r, r);
	for (unsigned c = 0; c < NELEM(cr_names); c++)
		fprintf(g->out, "__s_%s:\t.asciz \"%s=\"\n", cr_names[c], cr_names[c]);
	fputs("\t.align\t4\n", g->out);
}

static void gen_epilogue(struct gen *g)
{
	for (unsigned r = 1; r < ISA_NREGS; r++)
		emit(g, "sw r%u, 0x%x(zero)", r, REGSAVE + r * 4);
	for (unsigned c = 0; c < NELEM(cr_names); c++) {
		emit(g, "mfcr r1, %s", cr_names[c]);
		emit(g, "sw r1, 0x%x(zero)", CRSAVE + c * 4);
	}
	emit(g, "j __final");
	fputs("\n", g->out);
	gen_library(g);
	/* the data area's first contents */
	fprintf(g->out, "\n\t.data\n\t.org\tDATA\n");
	for (unsigned k = 0; k < DATA_SIZE / 4; k++)
		emit(g, ".word 0x%08" PRIx32, value(g));
	if (g->large)
		gen_table(g);
}

int main(int argc, char **argv)
{
	struct gen *g = calloc(1, sizeof *g); /* its table is large */
	if (!g) {
		perror("diffgen");
		return 1;
	}
	if (argc != 2 && !(argc == 3 && parse_large(g, argv[1]))) {
		fprintf(stderr, "usage: diffgen [--large[=KIND,...]] SEED > prog.s\n"
				"       diffgen --fuzz-seed[=KIND,...] SEED > prog.s\n"
				"  KIND: fan enter remap copy stale pad random ret\n"
				"  (a seed for the fuzzing harnesses has no random blocks)\n");
		free(g);
		return 2;
	}
	const char *arg = argv[argc - 1];
	char *end;
	uint64_t seed = strtoull(arg, &end, 0);
	if (*arg == '\0' || *end != '\0') {
		fprintf(stderr, "diffgen: bad seed '%s'\n", arg);
		free(g);
		return 2;
	}
	g->out = stdout;
	g->rng = seed;
	bool small = g->large && g->lay->seed;
	if (small)
		gen_seed_prologue(g, seed);
	else
		gen_prologue(g, seed);
	unsigned nblocks = small ? 6 + rnd(g, 5) : 20 + rnd(g, 41);
	for (unsigned b = 0; b < nblocks; b++) {
		fprintf(g->out, "# block %u\n", b);
		if (g->large)
			gen_large_block(g);
		else
			gen_block(g, 0, 0);
		gen_checkpoint(g, b);
	}
	if (small)
		gen_seed_epilogue(g);
	else
		gen_epilogue(g);
	free(g);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("diffgen");
		return 1;
	}
	return 0;
}
