/*
 * audit.h - the Popek-Goldberg classification of PG32, found by execution.
 *
 * audit_classify() runs every instruction of the table on fresh machines,
 * in user and in supervisor mode, over several machine states, and says
 * for each one whether it is privileged, control-sensitive and
 * behaviour-sensitive.  audit_print() turns that into the table that
 * `trapeze audit` prints; audit_check_table() compares it with what the
 * instruction table's flags promise.  See tools/audit.c for the method.
 */
#ifndef TRAPEZE_AUDIT_H
#define TRAPEZE_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../isa/isa.h"

/*
 * What happened over all the runs of one instruction in one mode, as a
 * set of bits: AUDIT_RAN (completed without a trap), AUDIT_WAITED (wfi:
 * stopped fetching, waiting for an interrupt), and bit c (1 << c) for
 * each trap cause code c seen (CAUSE_PRIV, CAUSE_DIVZERO, ...).
 */
#define AUDIT_RAN (1u << 30)
#define AUDIT_WAITED (1u << 31)

/* The classification of one instruction.  rows[0] (OP_ILLEGAL) is unused. */
struct audit_row {
	uint8_t op;                /* enum isa_op */
	bool privileged;           /* traps PRIV in user mode, never in supervisor */
	bool control_sensitive;    /* a completed run changed control state */
	bool behaviour_sensitive;  /* its result depended on control state */
	uint32_t user_outcomes;    /* AUDIT_* bits and trap causes, user mode */
	uint32_t super_outcomes;   /* the same, supervisor mode */
	unsigned runs;             /* executions made, both modes together */
};

/* Sensitive in the Popek-Goldberg sense: control- or behaviour-sensitive. */
bool audit_sensitive(const struct audit_row *row);

/*
 * Classifies every instruction (ops 1..OP_COUNT-1) by running it on the
 * clean or the leaky machine.  Returns 0, or -1 if a machine could not be
 * made or an experiment went wrong in a way no instruction should cause
 * (the reason is then written to err, if not NULL).
 */
int audit_classify(bool leaky, struct audit_row rows[OP_COUNT], FILE *err);

/* Returns true if every sensitive instruction is privileged (Theorem 1). */
bool audit_theorem_holds(const struct audit_row rows[OP_COUNT]);

/*
 * Prints the classification table and the Theorem 1 line to f, in a
 * stable format (tests compare it byte for byte).
 */
void audit_print(FILE *f, bool leaky, const struct audit_row rows[OP_COUNT]);

/*
 * Compares the classification with the instruction table's flags and
 * formats.  Prints one line per disagreement to err (if not NULL), each
 * starting "audit: the instruction table disagrees with execution: ".
 * Returns the number of disagreements.
 */
int audit_check_table(bool leaky, const struct audit_row rows[OP_COUNT],
		      FILE *err);

#endif
