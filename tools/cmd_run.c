/*
 * cmd_run.c - `trapeze run`: boot an image on the bare machine, or each
 * of several images as a VM under the VMM (--vmm).
 *
 * The guest's console goes to stdout byte for byte, and its test-device
 * status becomes our exit status, so a shell script or a grader can treat
 * a guest program like any other program.  With several VMs, each output
 * line is prefixed "[vmN] " and the status is 0 only if every VM exited 0.
 * The options and the machine they make are target.c's, shared with
 * `trapeze debug`.
 *
 * Ctrl-C (SIGINT) stops a run -- an endless loop is a student's everyday
 * bug -- with one line saying where each CPU was, and status 130, as a
 * shell reports a program killed by SIGINT.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "commands.h"
#include "explain.h"
#include "target.h"

/* How much guest time runs between two looks at the Ctrl-C flag: short
 * enough that the stop feels immediate, long enough that looking costs
 * nothing measurable. */
#define RUN_SLICE_CYCLES (1u << 20)

/* Set by the SIGINT handler, read by the run loop between slices.  The
 * one piece of global mutable state here: a signal handler can reach
 * nothing else, and may do nothing but set a flag of this type. */
static volatile sig_atomic_t interrupt_requested;

static void on_sigint(int sig)
{
	(void)sig;
	interrupt_requested = 1;
}

/* No SA_RESTART: a guest waiting on console input from a terminal
 * (fgetc) must not sleep through the Ctrl-C. */
static void catch_sigint(void)
{
	struct sigaction sa = {.sa_handler = on_sigint};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

/* Runs the target in slices until its run ends (true) or Ctrl-C (false). */
static bool run_in_slices(struct target *t)
{
	while (!interrupt_requested) {
		if (t->v ? vmm_tick(t->v, RUN_SLICE_CYCLES) == VMM_TICK_DONE
			 : target_native_run(t, RUN_SLICE_CYCLES))
			return true;
	}
	return false;
}

/* After Ctrl-C: the output so far, then one line: where each CPU was and
 * how many instructions it retired. */
static int report_interrupt(struct target *t)
{
	for (int i = 0; i < t->nvms; i++)
		if (t->output == target_output_stdout && t->line[i].len)
			printf("[vm%d] %.*s\n", i, (int)t->line[i].len,
			       t->line[i].text);
	fflush(stdout);
	char where[192];
	if (!t->v) {
		explain_pc(&t->images[0], mach_cpu(t->m)->pc, where, sizeof where);
		fprintf(stderr, "trapeze run: interrupted at %s after %" PRIu64
				" instructions\n", where, mach_instret(t->m));
		return EXIT_INTERRUPTED;
	}
	fprintf(stderr, "trapeze run: interrupted:");
	for (int i = 0; i < t->nvms; i++) {
		struct vmm_vcpu_state st;
		vmm_vm_vcpu(t->v, i, &st);
		explain_pc(&t->images[i], st.pc, where, sizeof where);
		fprintf(stderr, "%s vm%d at %s, %" PRIu64 " instructions",
			i ? ";" : "", i, where, st.instret);
	}
	fprintf(stderr, "\n");
	return EXIT_INTERRUPTED;
}

static int run_lockstep(const struct run_options *o)
{
	struct elf_image img;
	int rc = target_load_image("run", o, o->images[0].path, &img);
	if (rc)
		return rc;
	const struct image_arg *im = &o->images[0];
	struct lockstep_options lo = {
		.leaky = o->leaky, .patch = o->patch, .assist = o->assist,
		.hybrid = o->hybrid,
		.mem = im->mem ? im->mem : o->mem,
		.disk = im->disk ? im->disk : o->disk,
		.max_steps = o->max_cycles ? o->max_cycles : UINT64_MAX,
	};
	rc = lockstep_run(&img, &lo);
	elf_image_free(&img);
	return rc;
}

static int run_options(const struct run_options *o)
{
	if (o->lockstep)
		return run_lockstep(o);
	static struct target t;
	int rc = target_open(&t, "run", o, NULL, NULL);
	if (rc == 0) {
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		catch_sigint();
		if (run_in_slices(&t))
			rc = target_finish(&t, target_seconds_since(&t0));
		else
			rc = report_interrupt(&t);
	}
	target_close(&t);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_options o = {.mem = MACH_DEFAULT_RAM};
	int rc = run_parse_args("run", argc, argv, &o, NULL, NULL);
	if (rc)
		return rc;
	rc = run_options(&o);
	run_options_free(&o);
	return rc;
}
