/*
 * target.h - what `trapeze run`, `trapeze debug` and `trapeze dot` run:
 * the run options, parsed once for all three, and the machine they make
 * -- the bare machine with one image, or the VMM with a VM per image.
 *
 * Keeping this in one place is what lets the debugger promise that it
 * never perturbs a run: it builds the very target `trapeze run` would.
 */
#ifndef TRAPEZE_TARGET_H
#define TRAPEZE_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../isa/elf.h"
#include "../machine/machine.h"
#include "../vmm/vmm.h"

#define MAX_INCLUDE_DIRS 32 /* -I DIR, for images given as assembly source */

struct image_arg {
	const char *path;
	const char *disk; /* NULL: --disk */
	uint32_t mem;     /* 0: --mem */
};

struct run_options {
	bool vmm;
	bool patch;
	bool hybrid; /* --hybrid: Theorem 3, supervisor code interpreted */
	bool lockstep;
	bool leaky;
	bool host_time; /* --host-time: rdcycle shows the VMM's work */
	enum vmm_assist assist; /* --hw, --hw=shadow */
	uint32_t mem;
	uint64_t max_cycles; /* 0: no limit */
	uint64_t quantum;    /* 0: the VMM's default */
	const char *disk;
	const char *console_in;
	const char *trace;
	bool stats;
	struct image_arg *images; /* one per image: run_options_free */
	int nimages;
	const char *include_dirs[MAX_INCLUDE_DIRS]; /* -I: for IMAGE.s */
	int ninclude_dirs;
};

/*
 * Parses the run options of `trapeze CMD` (see `trapeze help run`).  An
 * argument that is not a run option goes to extra(ctx, argv, &i) if given,
 * which returns 1 if it took argv[i] (advancing i past any value it took),
 * 0 if it is not its either, or an exit status.  Returns 0, or EXIT_USAGE
 * with the error printed.
 */
typedef int run_extra_arg_fn(void *ctx, int argc, char **argv, int *i);
int run_parse_args(const char *cmd, int argc, char **argv,
		   struct run_options *o, run_extra_arg_fn *extra, void *ctx);
/* Frees what run_parse_args allocated (after it returned 0). */
void run_options_free(struct run_options *o);
/* For the extra options: prints "trapeze CMD: <fmt, arg>" and the help
 * hint, returns EXIT_USAGE. */
int run_usage_error(const char *cmd, const char *fmt, const char *arg);
bool run_parse_count(const char *s, uint64_t *out);

/*
 * Reads the image at path into *img: an ELF file, or -- if path ends in
 * ".s" -- assembly source, assembled in memory with o's -I folders, as
 * `trapeze as` would (its diagnostics, word for word, on stderr).
 * Returns 0, or EXIT_LOAD_FAILED with the reason printed.
 */
int target_load_image(const char *cmd, const struct run_options *o,
		      const char *path, struct elf_image *img);

/* Where the guests' console output goes: one byte of VM vm (0 on the
 * bare machine). */
typedef void target_output_fn(void *ctx, int vm, uint8_t byte);

struct target {
	const char *cmd;           /* "run", "debug": for messages */
	struct run_options o;
	struct elf_image *images;  /* nvms of them */
	int nvms;                  /* 1 on the bare machine */
	struct machine *m;         /* the machine (the VMM's, under --vmm) */
	struct vmm *v;             /* NULL on the bare machine */
	FILE *console_in, *trace;
	target_output_fn *output; /* may be changed once the target is open */
	void *output_ctx;
	/* the default output: stdout, lines prefixed "[vmN] " if several */
	struct output_line { char text[4096]; size_t len; } *line;
	/* the bare machine: how its run ended */
	bool native_done;
	enum mach_stop native_stop;
};

/*
 * Loads the images, makes the machine or the VMM, attaches disks and
 * console input, opens --trace.  output NULL means stdout, as `trapeze
 * run` prints.  Returns 0, or an exit status with the reason printed.
 */
int target_open(struct target *t, const char *cmd,
		const struct run_options *o, target_output_fn *output,
		void *output_ctx);
void target_close(struct target *t);

/* The default output (ctx: the target): what `trapeze run` prints. */
void target_output_stdout(void *ctx, int vm, uint8_t byte);

/* Runs the bare machine for at most budget more cycles (it stops for
 * good at a halt, a deadlock, a double fault or --max-cycles).  Returns
 * true once its run has ended. */
bool target_native_run(struct target *t, uint64_t budget);

/* One instruction (or one interrupt taken) on the bare machine; true
 * once its run has ended. */
bool target_native_step(struct target *t);

/* Once the run has ended: the exit status `trapeze run` gives, quietly. */
int target_status(const struct target *t);

/* Once the run has ended: flushes the output, prints why each guest
 * stopped if not by halting, and --stats; returns the exit status
 * `trapeze run` gives (see `trapeze help run`). */
int target_finish(struct target *t, double seconds);

/* Host seconds since t0 (CLOCK_MONOTONIC), for --stats only: nothing in
 * a machine depends on host time. */
struct timespec;
double target_seconds_since(const struct timespec *t0);

/* --trace: writes one exit record as a JSON line. */
void target_trace_event(FILE *f, const struct vmm_event *e);

#endif
