/*
 * isa.h - PG32, the architecture: instructions, registers, control
 * registers, trap causes, PSW and PTE bits; encode, decode, disassemble.
 *
 * This module knows nothing of the machine that executes PG32; it only
 * says what the bits mean.  isa/ISA.md is the manual.
 */
#ifndef TRAPEZE_ISA_H
#define TRAPEZE_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa_table.h"

/*
 * Instruction word layout.  Every instruction is one little-endian 32-bit
 * word whose bits 31:26 are the opcode.  The other fields sit at fixed
 * places, so a student can decode a word by eye:
 *
 *   31    26 25  22 21  18 17  14 13          0
 *  +--------+------+------+------+-------------+
 *  | opcode |  A   |  B   |  C   |     0       |   R:      A=rd  B=rs1 C=rs2
 *  | opcode |  A   |  B   | 00 |     imm16      |   I-like: A=rd/rs2 B=rs1
 *  | opcode |  A   |           imm22            |   J:      A=rd
 *  +--------+------+------+------+-------------+
 *
 * Bits that a format does not use must be zero; a word with a stray bit is
 * illegal (the decoder's mask covers it).
 */
#define ISA_OPCODE_SHIFT 26
#define ISA_A_SHIFT 22
#define ISA_B_SHIFT 18
#define ISA_C_SHIFT 14

/*
 * Operand formats: the assembly syntax and which fields hold what.
 * The comment gives the syntax; fields not named are zero.
 */
enum isa_format {
	FMT_R,      /* rd, rs1, rs2      A=rd B=rs1 C=rs2                    */
	FMT_I,      /* rd, rs1, imm      A=rd B=rs1 imm16 signed             */
	FMT_IU,     /* rd, rs1, imm      A=rd B=rs1 imm16 unsigned           */
	FMT_SHIFT,  /* rd, rs1, shamt    A=rd B=rs1 imm16 = 0..31            */
	FMT_LUI,    /* rd, imm           A=rd imm16 unsigned                 */
	FMT_LOAD,   /* rd, off(rs1)      A=rd B=rs1 imm16 signed             */
	FMT_STORE,  /* rs2, off(rs1)     A=rs2 B=rs1 imm16 signed            */
	FMT_BRANCH, /* rs1, rs2, label   A=rs1 B=rs2 imm16 = word offset     */
	FMT_JAL,    /* rd, label         A=rd imm22 = word offset            */
	FMT_JALR,   /* rd, off(rs1)      A=rd B=rs1 imm16 signed             */
	FMT_NONE,   /* (no operands)                                         */
	FMT_RD,     /* rd                A=rd                                */
	FMT_RS,     /* rs1               B=rs1                               */
	FMT_MFCR,   /* rd, CR            A=rd imm16 = CR number 0..7         */
	FMT_MTCR,   /* CR, rs1           B=rs1 imm16 = CR number 0..7        */
	FMT_COUNT
};

/* What an instruction does, as the table records it (see isa_table.h). */
enum {
	ISA_F_ALU = 1u << 0,       /* computes into rd, cannot trap          */
	ISA_F_DIVIDE = 1u << 1,    /* traps DIVZERO when rs2 == 0            */
	ISA_F_LOAD = 1u << 2,      /* reads memory                           */
	ISA_F_STORE = 1u << 3,     /* writes memory                          */
	ISA_F_BRANCH = 1u << 4,    /* conditional, pc-relative               */
	ISA_F_JUMP = 1u << 5,      /* unconditional, writes rd = pc + 4      */
	ISA_F_TRAP = 1u << 6,      /* always traps (or exits to the VMM)     */
	ISA_F_PRIV = 1u << 7,      /* traps PRIV in user mode, in every mode */
	ISA_F_SENSITIVE = 1u << 8, /* privileged in clean mode only          */
};

enum isa_op {
	OP_ILLEGAL = 0, /* no instruction: what every unassigned word decodes to */
#define ISA_X_ENUM(name, mn, opc, fmt, flags, sem) OP_##name,
	PG32_INSTRUCTIONS(ISA_X_ENUM)
#undef ISA_X_ENUM
	OP_COUNT
};

/* One row of the table, with the encoding worked out. */
struct isa_opinfo {
	const char *mnemonic;
	uint8_t opcode;
	enum isa_format format;
	unsigned flags;
	uint32_t match, mask; /* word & mask == match  <=>  this instruction */
	const char *semantics;
};

/*
 * A decoded instruction.  Branch and jal offsets are kept in bytes, already
 * scaled and sign-extended, so that executing one is pc += imm.  For
 * mfcr/mtcr, imm is the control register number.
 */
struct isa_insn {
	uint8_t op; /* enum isa_op */
	uint8_t rd, rs1, rs2;
	int32_t imm;
};

/* Returns the table row for op, or NULL for OP_ILLEGAL and out-of-range ops. */
const struct isa_opinfo *isa_info(unsigned op);

/* Returns the op whose mnemonic is name (case-sensitive), or OP_ILLEGAL. */
enum isa_op isa_lookup(const char *mnemonic);

/*
 * Decodes word into *out.  Returns false, with out->op = OP_ILLEGAL, for a
 * word that is no instruction (unassigned opcode or a stray bit set).
 */
bool isa_decode(uint32_t word, struct isa_insn *out);

/*
 * Encodes *in.  Returns false when a field does not fit its format (a
 * register above 15, an immediate out of range, a misaligned branch
 * offset); *word is then unchanged.  isa_field_range() says what fits.
 */
bool isa_encode(const struct isa_insn *in, uint32_t *word);

/* Does an instruction of this format write a result into rd? */
bool isa_format_writes_rd(enum isa_format fmt);

/* The range of the immediate a format accepts (for branches and jal: the
 * byte offset, a multiple of 4).  Returns false if the format has none. */
bool isa_imm_range(enum isa_format fmt, int64_t *lo, int64_t *hi);

/* Registers: r0..r15 with their ABI names (zero ra sp gp a0-a3 t0-t3 s0-s3). */
#define ISA_NREGS 16
const char *isa_reg_name(unsigned reg); /* ABI name, e.g. "sp" */
int isa_reg_lookup(const char *name);   /* "r2" or "sp" -> 2; -1 if none */

/* Control registers, for mfcr/mtcr. */
#define PG32_CONTROL_REGISTERS(X)                                            \
	X(PSW, "psw", "processor status word: MODE, IE, PG")                 \
	X(EPC, "epc", "PC of the trapping instruction (interrupts: next PC)") \
	X(EPSW, "epsw", "PSW saved at trap entry, restored by rfe")          \
	X(CAUSE, "cause", "why the last trap happened")                      \
	X(BADVA, "badva", "faulting address (MISALIGNED, PAGE_FAULT, BUS_ERROR)") \
	X(TVEC, "tvec", "address of the trap handler")                       \
	X(PTBR, "ptbr", "physical address of the root page table")           \
	X(SCRATCH, "scratch", "free for the kernel (e.g. a stack pointer)")

enum isa_cr {
#define ISA_X_CR(name, str, doc) CR_##name,
	PG32_CONTROL_REGISTERS(ISA_X_CR)
#undef ISA_X_CR
	CR_COUNT
};
const char *isa_cr_name(unsigned cr); /* "psw"; NULL if out of range */
int isa_cr_lookup(const char *name);  /* "ptbr" -> CR_PTBR; -1 if none */
const char *isa_cr_doc(unsigned cr);

/* PSW bits; the others read as 0. */
#define PSW_MODE (1u << 0) /* 1 = supervisor */
#define PSW_IE (1u << 1)   /* interrupts enabled */
#define PSW_PG (1u << 2)   /* paging on */
#define PSW_MASK (PSW_MODE | PSW_IE | PSW_PG)

/*
 * Trap causes: CAUSE bits 7:0.  CAUSE_NONE is "no trap", never written.
 * CAUSE_HCALL is only an exit cause in monitor mode: on the bare machine
 * hcall raises ILLEGAL, so no software in the machine ever sees it.
 */
#define PG32_CAUSES(X)                                  \
	X(ILLEGAL, 1, "illegal instruction")            \
	X(PRIV, 2, "privileged instruction in user mode") \
	X(SYSCALL, 3, "syscall")                        \
	X(BREAK, 4, "break")                            \
	X(DIVZERO, 5, "division by zero")               \
	X(MISALIGNED, 6, "misaligned address")          \
	X(PAGE_FAULT, 7, "page fault")                  \
	X(BUS_ERROR, 8, "bus error")                    \
	X(HCALL, 9, "hypercall (an exit to the monitor, never written to CAUSE)")

enum isa_cause {
	CAUSE_NONE = 0,
#define ISA_X_CAUSE(name, code, doc) CAUSE_##name = code,
	PG32_CAUSES(ISA_X_CAUSE)
#undef ISA_X_CAUSE
	CAUSE_COUNT
};
#define CAUSE_CODE_MASK 0xffu
/* PAGE_FAULT detail: bits 9:8 the access, bit 10 the page was present. */
#define CAUSE_ACCESS_SHIFT 8
#define CAUSE_ACCESS_FETCH 0u
#define CAUSE_ACCESS_LOAD 1u
#define CAUSE_ACCESS_STORE 2u
#define CAUSE_PRESENT (1u << 10)
/* Interrupts: bit 31 set, code in bits 7:0. */
#define CAUSE_INTERRUPT (1u << 31)
#define PG32_INTERRUPTS(X)            \
	X(TIMER, 0, "timer")          \
	X(CONSOLE, 1, "console input") \
	X(DISK, 2, "disk completion")
enum isa_irq {
#define ISA_X_IRQ(name, code, doc) IRQ_##name = code,
	PG32_INTERRUPTS(ISA_X_IRQ)
#undef ISA_X_IRQ
	IRQ_COUNT
};

/* Returns a short name for a CAUSE value ("PAGE_FAULT", "TIMER"), or NULL. */
const char *isa_cause_name(uint32_t cause);

/* Paging: 4 KiB pages, two levels, VA[31:22] then VA[21:12]. */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_A (1u << 5)
#define PTE_D (1u << 6)
#define PTE_FRAME_MASK 0xfffff000u
/* Which entry of each level maps va: VA[31:22] in the root, VA[21:12] in
 * the leaf table (1024 four-byte entries each: one page per table). */
#define PT_ENTRIES 1024u
#define PT_ROOT_INDEX(va) ((uint32_t)(va) >> 22)
#define PT_LEAF_INDEX(va) (((uint32_t)(va) >> PAGE_SHIFT) & (PT_ENTRIES - 1))

/*
 * The PG32 page walk, as the architecture defines it (ISA.md section 7),
 * with no side effect.  read_word reads the 32-bit word at a physical
 * address and returns false if nothing backs it; the machine passes its
 * RAM, a VMM passes a guest's physical memory.  On success returns
 * CAUSE_NONE and sets *pte (the leaf) and *pte_pa (where it lives); else
 * the PAGE_FAULT cause (with its access and present bits) or
 * CAUSE_BUS_ERROR.  *levels says how many entries were read.
 */
typedef bool isa_read_word_fn(void *ctx, uint32_t pa, uint32_t *value);
uint32_t isa_page_walk(isa_read_word_fn *read_word, void *ctx, uint32_t ptbr,
		       uint32_t va, unsigned access, bool user, uint32_t *pte,
		       uint32_t *pte_pa, unsigned *levels);

/* Does a leaf PTE allow an access of this kind (CAUSE_ACCESS_*) in this
 * mode?  Returns CAUSE_NONE or the PAGE_FAULT cause (present). */
uint32_t isa_check_leaf(uint32_t pte, unsigned access, bool user);

/*
 * Disassembles word, found at address pc, into buf (at most size bytes,
 * always terminated).  symbolize, if not NULL, names branch and jump
 * targets: it returns a symbol for an address, or NULL.  A word that is no
 * instruction prints as ".word 0x...".  Returns the length written.
 */
typedef const char *isa_symbolizer(void *ctx, uint32_t addr);
int isa_disassemble(uint32_t word, uint32_t pc, char *buf, size_t size,
		    isa_symbolizer *symbolize, void *ctx);

#endif
