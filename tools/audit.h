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

/*
 * Control state a user-mode result can depend on (struct audit_row's
 * user_depends): each bit is one choice of the experiment's states.
 */
#define AUDIT_DEP_IE (1u << 0)
#define AUDIT_DEP_PG (1u << 1)
#define AUDIT_DEP_TVEC (1u << 2)
#define AUDIT_DEP_PTBR (1u << 3)
/* What a monitor can make the real machine hold while the guest's user
 * code runs directly: the guest's own IE and TVEC (in monitor mode TVEC
 * is never used and no real interrupt comes).  PG must be 1 and PTBR the
 * monitor's shadow table, whatever the guest's are. */
#define AUDIT_MIRRORABLE (AUDIT_DEP_IE | AUDIT_DEP_TVEC)

/* The classification of one instruction.  rows[0] (OP_ILLEGAL) is unused. */
struct audit_row {
	uint8_t op;                /* enum isa_op */
	bool privileged;           /* traps PRIV in user mode, never in supervisor */
	bool control_sensitive;    /* a completed run changed control state */
	bool behaviour_sensitive;  /* its result depended on control state */
	uint32_t user_outcomes;    /* AUDIT_* bits and trap causes, user mode */
	uint32_t super_outcomes;   /* the same, supervisor mode */
	unsigned runs;             /* executions made, both modes together */
	/* Theorem 3: the same, over the user-mode runs only.  A completed
	 * user run changed control state; its result (registers, pc, RAM)
	 * differs between two user states that differ in one choice only:
	 * which (AUDIT_DEP_*). */
	bool user_control_sensitive;
	unsigned user_depends;
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

/* User-sensitive: control- or behaviour-sensitive in its user-mode runs. */
bool audit_user_sensitive(const struct audit_row *row);

/* Returns true if every user-sensitive instruction is privileged
 * (Theorem 3: a hybrid VMM, which interprets the code of the virtual
 * supervisor and runs only the virtual user's directly, exists). */
bool audit_theorem3_holds(const struct audit_row rows[OP_COUNT]);

/*
 * Prints the classification table, the Theorem 1 line and Theorem 3's
 * lines to f, in a
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
