/*
 * commands.h - the subcommands of the trapeze program.  Each takes the
 * arguments after "trapeze" (argv[0] is the subcommand's name) and returns
 * the exit status.
 */
#ifndef TRAPEZE_COMMANDS_H
#define TRAPEZE_COMMANDS_H

/* Exit statuses shared by the subcommands (see `trapeze help run`). */
enum {
	EXIT_USAGE = 2,          /* a bad command line */
	EXIT_LOAD_FAILED = 120,  /* the image or the disk could not be loaded */
	EXIT_MAX_CYCLES = 121,   /* --max-cycles reached before the guest halted */
	EXIT_DEADLOCK = 122,     /* wfi with nothing that could ever wake it */
	EXIT_DOUBLE_FAULT = 123, /* the trap handler trapped on its first instruction */
	EXIT_INTERNAL = 70,      /* trapeze itself failed (EX_SOFTWARE) */
};

int cmd_as(int argc, char **argv);
int cmd_dis(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/* Prints the help of one subcommand to f; returns false if there is none. */
#include <stdbool.h>
#include <stdio.h>
bool trapeze_help(FILE *f, const char *command);

#endif
