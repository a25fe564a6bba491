/*
 * cmd_audit.c - `trapeze audit [--mode=clean|leaky]`: classify every PG32
 * instruction by running it (the method is in tools/audit.c) and check
 * Popek and Goldberg's Theorems 1 and 3 on this machine.
 *
 * Output (stdout, stable: end-to-end tests compare it byte for byte): two
 * header lines, the table - one row per instruction in table order, with
 * what its runs did in user and in supervisor mode, privileged,
 * control-sensitive, behaviour-sensitive ("yes" or "-") and a verdict -
 * then "Theorem 1 holds: ..." or "Theorem 1 fails: ..."; then Theorem
 * 3's lines: one per instruction that is sensitive but not privileged
 * (is it user-sensitive, what does it read, can a monitor make that the
 * guest's), and last "Theorem 3 holds: ..." or "Theorem 3 fails: ...".
 *
 * Exit status: 0 if Theorem 1 holds, 1 if it fails, 3 if the execution
 * disagrees with the instruction table's flags (one line per disagreement
 * on stderr), EXIT_USAGE (2) for a bad command line, 70 if the experiment
 * itself could not run.
 */
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"

enum { EXIT_TABLE_DISAGREES = 3 };

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "trapeze audit: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'trapeze help audit'\n");
	return EXIT_USAGE;
}

int cmd_audit(int argc, char **argv)
{
	bool leaky = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			trapeze_help(stdout, "audit");
			return 0;
		} else if (strcmp(a, "--mode=clean") == 0) {
			leaky = false;
		} else if (strcmp(a, "--mode=leaky") == 0) {
			leaky = true;
		} else if (strcmp(a, "--mode") == 0) {
			return usage_error("'%s' needs a value: --mode=clean or "
					   "--mode=leaky", a);
		} else if (strncmp(a, "--mode=", 7) == 0) {
			return usage_error("unknown mode '%s' (clean or leaky)", a + 7);
		} else if (a[0] == '-') {
			return usage_error("unknown option '%s'", a);
		} else {
			return usage_error("unexpected argument '%s'", a);
		}
	}

	struct audit_row rows[OP_COUNT];
	if (audit_classify(leaky, rows, stderr) != 0)
		return EXIT_INTERNAL;
	audit_print(stdout, leaky, rows);
	if (fflush(stdout) != 0) {
		perror("trapeze audit: stdout");
		return 1;
	}
	if (audit_check_table(leaky, rows, stderr) != 0)
		return EXIT_TABLE_DISAGREES;
	return audit_theorem_holds(rows) ? 0 : 1;
}
