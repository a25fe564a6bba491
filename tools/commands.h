/*
 * commands.h - the subcommands of the trapeze program.  Each takes the
 * arguments after "trapeze" (argv[0] is the subcommand's name) and returns
 * the exit status.
 */
#ifndef TRAPEZE_COMMANDS_H
#define TRAPEZE_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../vmm/vmm.h"

/* Exit statuses shared by the subcommands (see `trapeze help run`). */
enum {
	EXIT_USAGE = 2,          /* a bad command line */
	EXIT_IO = 74,            /* a file of trapeze's own (-x, --trace) could
				  * not be opened (EX_IOERR) */
	EXIT_LOAD_FAILED = 120,  /* the image or the disk could not be loaded */
	EXIT_MAX_CYCLES = 121,   /* --max-cycles reached before the guest halted */
	EXIT_DEADLOCK = 122,     /* wfi with nothing that could ever wake it */
	EXIT_DOUBLE_FAULT = 123, /* the trap handler trapped on its first instruction */
	EXIT_INTERNAL = 70,      /* trapeze itself failed (EX_SOFTWARE) */
	EXIT_INTERRUPTED = 130,  /* Ctrl-C: 128 + SIGINT, as a shell reports it */
};

int cmd_as(int argc, char **argv);
int cmd_dis(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_debug(int argc, char **argv);
int cmd_dot(int argc, char **argv);

/* trapeze run --lockstep (lockstep.c): the bare machine and the VMM side
 * by side, compared after every guest step.  Returns the guest's status
 * if they agree to the end, 1 at the first difference (printed). */
struct elf_image;
struct lockstep_options {
	bool leaky, patch, hybrid;
	enum vmm_assist assist; /* --hw, --hw=shadow */
	uint32_t mem;
	const char *disk;
	uint64_t max_steps;
};
int lockstep_run(const struct elf_image *img, const struct lockstep_options *o);

/* What lockstep compares, for other drivers too (fuzz_vmm): the first
 * guest-visible difference between the bare machine m and VM vm of v --
 * pc, registers, control registers, instructions retired, the clock --
 * named in buf, or NULL; lockstep_print_states prints both side by side
 * on stderr, the differences marked; lockstep_memory_difference compares
 * the first mem bytes of RAM and returns the first differing address, or
 * -1. */
struct machine;
struct vmm;
const char *lockstep_difference(struct machine *m, struct vmm *v, int vm,
				char *buf, size_t size);
void lockstep_print_states(struct machine *m, struct vmm *v, int vm);
int64_t lockstep_memory_difference(struct machine *m, struct vmm *v, int vm,
				   uint32_t mem);

/* Prints the help of one subcommand to f; returns false if there is none. */
bool trapeze_help(FILE *f, const char *command);

#endif
