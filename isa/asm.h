/*
 * asm.h - the PG32 assembler: GNU-as-like source in, an image out.
 *
 * The syntax is fixed and described by isa/ISA.md (section 13).
 * Diagnostics are "FILE:LINE:COL: error: MESSAGE" lines written to the
 * options' diag stream; an included file or a macro expansion adds
 * "FILE:LINE:COL: note: ..." lines saying where it came from.
 */
#ifndef TRAPEZE_ASM_H
#define TRAPEZE_ASM_H

#include <stdio.h>

#include "elf.h"

#define ASM_TEXT_BASE 0x1000u /* where .text starts */

struct asm_options {
	const char *const *include_dirs; /* searched after the including file's folder */
	int ninclude_dirs;
	FILE *diag;          /* where diagnostics go; NULL: stderr */
	FILE *listing;       /* if not NULL: address, words, source line */
	int max_errors;      /* stop reporting after this many; 0: 20 */
	/* Statements a program may have after macro expansion; 0: 250000.
	 * Reading gives up at twice this many statements read (macro
	 * bombs).  A fuzzer lowers it to spend its time on variety. */
	unsigned max_statements;
};

/*
 * Assembles the file at path.  Returns the number of errors (0 on
 * success); on success *img holds the image (free it with
 * elf_image_free), otherwise *img is zeroed.
 */
int asm_assemble_file(const char *path, const struct asm_options *opt,
		      struct elf_image *img);

/*
 * Assembles source text held in memory, reported under the name name
 * (".include" paths are still searched on disk).  Same return as above.
 */
int asm_assemble_string(const char *name, const char *source,
			const struct asm_options *opt, struct elf_image *img);

/*
 * The words the assembler knows besides the instructions of
 * isa/isa_table.h, for the editors' syntax files (tools/gen_editors.c):
 * the i-th directive (".text", ..., ".macro", ".include") and the i-th
 * pseudo-instruction ("nop", "li", ...); NULL once i is past the last.
 */
const char *asm_directive_name(size_t i);
const char *asm_pseudo_name(size_t i);

#endif
