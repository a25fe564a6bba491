/*
 * explain.h - why a run ended, told in the program's own terms: the trap
 * that led to a double fault and its likely reason, and where a CPU is
 * (pc and symbol).  For `trapeze run` and the other front ends.
 */
#ifndef TRAPEZE_EXPLAIN_H
#define TRAPEZE_EXPLAIN_H

#include <stdint.h>
#include <stdio.h>

#include "../isa/elf.h"
#include "../machine/machine.h"
#include "../vmm/vmm.h"

/*
 * "pc 0x00001004 (loop+0x4)" for pc in img (without the parenthesis if no
 * symbol is near), into buf; returns buf.
 */
const char *explain_pc(const struct elf_image *img, uint32_t pc, char *buf,
		       size_t size);

/*
 * After the bare machine m stopped on a double fault: prints to f, each
 * line prefixed by prefix ("trapeze run: "), the trap that the handler
 * was entered for (cause, pc and symbol, badva, mode) and the likely
 * reason the handler could not run (TVEC never set, the handler not
 * mapped, no memory there, TVEC misaligned).  img names the symbols.
 */
void explain_native_double_fault(FILE *f, const char *prefix,
				 struct machine *m,
				 const struct elf_image *img);

/* The same for VM vm of v, which stopped on a double fault. */
void explain_vm_double_fault(FILE *f, const char *prefix, struct vmm *v,
			     int vm, const struct elf_image *img);

#endif
