/*
 * test_audit.c - the Popek-Goldberg classification found by execution
 * (tools/audit.c), on the clean and on the leaky machine.
 *
 * The classification is computed once per mode in the group setup and
 * handed to the tests through cmocka's state pointer.  Loops run over
 * every op from 1 to OP_COUNT - 1, so a new row of isa_table.h is covered
 * without touching this file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/audit.h"

struct audits {
	struct audit_row clean[OP_COUNT];
	struct audit_row leaky[OP_COUNT];
};

static int setup(void **state)
{
	struct audits *a = calloc(1, sizeof *a);
	if (!a)
		return -1;
	if (audit_classify(false, a->clean, stderr) != 0 ||
	    audit_classify(true, a->leaky, stderr) != 0) {
		free(a);
		return -1;
	}
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static unsigned flags_of(unsigned op)
{
	return isa_info(op)->flags;
}

static void assert_innocuous(const struct audit_row *rows, enum isa_op op)
{
	const struct audit_row *r = &rows[op];
	assert_int_equal(r->op, op);
	assert_false(r->privileged);
	assert_false(r->control_sensitive);
	assert_false(r->behaviour_sensitive);
}

/* Clean: every ISA_F_PRIV and ISA_F_SENSITIVE instruction is privileged
 * and sensitive; nothing else is either. */
static void test_clean_priv_and_sensitive(void **state)
{
	const struct audits *a = *state;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct audit_row *r = &a->clean[op];
		bool flagged = flags_of(op) & (ISA_F_PRIV | ISA_F_SENSITIVE);
		if (flagged) {
			if (!r->privileged || !audit_sensitive(r))
				fail_msg("%s: privileged %d, sensitive %d",
					 isa_info(op)->mnemonic, r->privileged,
					 audit_sensitive(r));
			/* in user mode it did nothing but trap PRIV */
			assert_int_equal(r->user_outcomes, 1u << CAUSE_PRIV);
		} else if (r->privileged || audit_sensitive(r)) {
			fail_msg("%s: privileged %d, sensitive %d",
				 isa_info(op)->mnemonic, r->privileged,
				 audit_sensitive(r));
		}
	}
}

static void test_clean_innocuous(void **state)
{
	const struct audits *a = *state;
	assert_innocuous(a->clean, OP_ADD);
	assert_innocuous(a->clean, OP_LW);
	assert_innocuous(a->clean, OP_BEQ);
	assert_innocuous(a->clean, OP_SYSCALL);
	assert_innocuous(a->clean, OP_RDCYCLE);
	/* traps, but in both modes: not privileged */
	assert_int_equal(a->clean[OP_SYSCALL].user_outcomes, 1u << CAUSE_SYSCALL);
	assert_int_equal(a->clean[OP_SYSCALL].super_outcomes, 1u << CAUSE_SYSCALL);
	assert_int_equal(a->clean[OP_HCALL].super_outcomes, 1u << CAUSE_ILLEGAL);
	assert_int_equal(a->clean[OP_DIV].user_outcomes,
			 AUDIT_RAN | 1u << CAUSE_DIVZERO);
	assert_int_equal(a->clean[OP_LW].user_outcomes, AUDIT_RAN);
}

/* Which kind of sensitivity each privileged instruction shows. */
static void test_clean_kinds(void **state)
{
	const struct audits *a = *state;
	const struct audit_row *r = a->clean;
	assert_true(r[OP_MFCR].behaviour_sensitive);
	assert_false(r[OP_MFCR].control_sensitive);
	assert_true(r[OP_MTCR].control_sensitive);
	assert_false(r[OP_MTCR].behaviour_sensitive);
	assert_true(r[OP_RFE].control_sensitive);
	assert_true(r[OP_TLBFLUSH].control_sensitive); /* seen through the TLB */
	assert_true(r[OP_TLBINV].control_sensitive);
	assert_true(r[OP_WFI].control_sensitive);
	assert_int_equal(r[OP_WFI].super_outcomes, AUDIT_WAITED);
	assert_true(r[OP_RDPSW].behaviour_sensitive);
	assert_true(r[OP_RDTVEC].behaviour_sensitive);
	assert_true(r[OP_WRPSW].control_sensitive);
}

static void test_clean_theorem_holds(void **state)
{
	const struct audits *a = *state;
	assert_true(audit_theorem_holds(a->clean));
	assert_int_equal(audit_check_table(false, a->clean, NULL), 0);
}

/* Leaky: exactly rdpsw, wrpsw and rdtvec are sensitive, not privileged. */
static void test_leaky_violations(void **state)
{
	const struct audits *a = *state;
	for (unsigned op = 1; op < OP_COUNT; op++) {
		const struct audit_row *r = &a->leaky[op];
		bool violation = audit_sensitive(r) && !r->privileged;
		bool expected = op == OP_RDPSW || op == OP_WRPSW || op == OP_RDTVEC;
		if (violation != expected)
			fail_msg("%s: violation %d, expected %d",
				 isa_info(op)->mnemonic, violation, expected);
	}
	assert_int_equal(a->leaky[OP_RDPSW].user_outcomes, AUDIT_RAN);
	assert_true(a->leaky[OP_RDPSW].behaviour_sensitive);
	assert_true(a->leaky[OP_WRPSW].control_sensitive);
	assert_true(a->leaky[OP_RDTVEC].behaviour_sensitive);
	assert_true(a->leaky[OP_MFCR].privileged);
	assert_innocuous(a->leaky, OP_ADD);
	assert_false(audit_theorem_holds(a->leaky));
	assert_int_equal(audit_check_table(true, a->leaky, NULL), 0);
}

/*
 * Theorem 3, found by execution: in user mode on the leaky machine rdpsw
 * reads IE and PG and nothing else, rdtvec reads TVEC and nothing else,
 * wrpsw is not user-sensitive (it does nothing there); no innocuous
 * instruction is user-sensitive; on the clean machine none completes.
 */
static void test_theorem3_user_sensitivity(void **state)
{
	const struct audits *a = *state;
	assert_int_equal(a->leaky[OP_RDPSW].user_depends,
			 AUDIT_DEP_IE | AUDIT_DEP_PG);
	assert_int_equal(a->leaky[OP_RDTVEC].user_depends, AUDIT_DEP_TVEC);
	assert_false(audit_user_sensitive(&a->leaky[OP_WRPSW]));
	assert_false(a->leaky[OP_RDPSW].user_control_sensitive);
	for (unsigned op = 1; op < OP_COUNT; op++) {
		if (!(flags_of(op) & (ISA_F_PRIV | ISA_F_SENSITIVE)))
			assert_false(audit_user_sensitive(&a->leaky[op]));
		assert_false(audit_user_sensitive(&a->clean[op]));
	}
	assert_true(audit_theorem3_holds(a->clean));
	assert_false(audit_theorem3_holds(a->leaky));
	/* What is left once the monitor mirrors IE and TVEC: rdpsw's PG. */
	assert_int_equal(a->leaky[OP_RDPSW].user_depends & ~AUDIT_MIRRORABLE,
			 AUDIT_DEP_PG);
	assert_int_equal(a->leaky[OP_RDTVEC].user_depends & ~AUDIT_MIRRORABLE, 0);
}

/* The printed text: rows and the last line, byte for byte. */
static char *printed(bool leaky, const struct audit_row *rows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	audit_print(f, leaky, rows);
	fclose(f);
	return buf;
}

static void test_print(void **state)
{
	const struct audits *a = *state;
	char *clean = printed(false, a->clean);
	char *leaky = printed(true, a->leaky);

	assert_non_null(strstr(clean, "\n\nTheorem 1 holds: every sensitive "
			       "instruction is privileged (clean mode)\n"));
	assert_non_null(strstr(leaky, "\n\nTheorem 1 fails: rdpsw, wrpsw, rdtvec "
			       "are sensitive but not privileged (leaky mode)\n"));
	const char *last_clean = "\nTheorem 3 holds: every user-sensitive "
				 "instruction is privileged (clean mode)\n";
	const char *last_leaky = "\nTheorem 3 fails: rdpsw, rdtvec are "
				 "user-sensitive but not privileged (leaky mode); "
				 "with IE and TVEC mirrored it holds for user code "
				 "with paging on, and a hybrid VMM that also "
				 "interprets user code with paging off is exact\n";
	size_t n = strlen(clean), k = strlen(last_clean);
	assert_true(n > k);
	assert_string_equal(clean + n - k, last_clean);
	n = strlen(leaky), k = strlen(last_leaky);
	assert_true(n > k);
	assert_string_equal(leaky + n - k, last_leaky);
	assert_non_null(strstr(leaky, "\nwrpsw        not user-sensitive: "));

	assert_non_null(strstr(clean,
		"\nmfcr         PRIV           runs           yes         -"
		"                  yes                  ok: privileged\n"));
	assert_non_null(strstr(leaky,
		"\nrdpsw        runs           runs           -           -"
		"                  yes                  VIOLATION: sensitive, "
		"not privileged\n"));
	assert_non_null(strstr(clean,
		"\ndiv          runs/DIVZERO   runs/DIVZERO   -           -"
		"                  -                    innocuous\n"));
	free(clean);
	free(leaky);
}

/* A classification that contradicts the flags is reported. */
static void test_check_table_disagreement(void **state)
{
	const struct audits *a = *state;
	struct audit_row rows[OP_COUNT];
	memcpy(rows, a->clean, sizeof rows);
	rows[OP_ADD].behaviour_sensitive = true;
	rows[OP_MTCR].privileged = false;

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(audit_check_table(false, rows, f), 2);
	fclose(f);
	assert_string_equal(buf,
		"audit: the instruction table disagrees with execution: add: "
		"the table says not behaviour-sensitive, execution says "
		"behaviour-sensitive\n"
		"audit: the instruction table disagrees with execution: mtcr: "
		"the table says privileged, execution says not privileged\n");
	free(buf);

	/* The leaky classification is wrong for the clean machine. */
	assert_int_equal(audit_check_table(false, a->leaky, NULL), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_priv_and_sensitive),
		cmocka_unit_test(test_clean_innocuous),
		cmocka_unit_test(test_clean_kinds),
		cmocka_unit_test(test_clean_theorem_holds),
		cmocka_unit_test(test_leaky_violations),
		cmocka_unit_test(test_theorem3_user_sensitivity),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_check_table_disagreement),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
