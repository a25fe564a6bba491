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
 */
#include <stdlib.h>
#include <time.h>

#include "commands.h"
#include "target.h"

static int run_lockstep(const struct run_options *o)
{
	struct elf_image img;
	char err[256];
	if (elf_read_file(o->images[0].path, &img, err, sizeof err) != 0) {
		fprintf(stderr, "trapeze run: %s\n", err);
		return EXIT_LOAD_FAILED;
	}
	const struct image_arg *im = &o->images[0];
	struct lockstep_options lo = {
		.leaky = o->leaky, .patch = o->patch,
		.mem = im->mem ? im->mem : o->mem,
		.disk = im->disk ? im->disk : o->disk,
		.max_steps = o->max_cycles ? o->max_cycles : UINT64_MAX,
	};
	int rc = lockstep_run(&img, &lo);
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
		if (t.v)
			vmm_run(t.v);
		else
			target_native_run(&t, UINT64_MAX);
		rc = target_finish(&t, target_seconds_since(&t0));
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
