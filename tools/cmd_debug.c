/*
 * cmd_debug.c - `trapeze debug` and `trapeze dot`.
 *
 * trapeze debug takes the options of `trapeze run` and starts with the
 * target stopped before its first instruction.  Commands come from
 * readline (line mode), from a file (-x FILE) or stdin (--batch), or from
 * the full-screen mode (--tui); the session (debug/) does the rest.
 *
 * trapeze dot runs a target to a cycle, or to its end, and writes one
 * diagram.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "debug/debug.h"
#include "commands.h"
#include "target.h"

struct debug_options {
	const char *script; /* -x FILE */
	bool batch;
	bool tui;
	/* trapeze dot */
	const char *diagram; /* "pagetables" or "exits" */
	const char *out;
	uint64_t at_cycle;
	bool at_cycle_given; /* else: the whole run */
	bool png;
	const char *walk; /* --walk VA: the address whose 2-D walk is drawn */
};

static int debug_arg(void *ctx, int argc, char **argv, int *i)
{
	struct debug_options *o = ctx;
	const char *a = argv[*i];
	if (strcmp(a, "-x") == 0) {
		if (*i + 1 == argc)
			return run_usage_error("debug", "%s", "-x needs a FILE");
		o->script = argv[++*i];
		return 1;
	}
	if (strcmp(a, "--batch") == 0)
		return o->batch = true, 1;
	if (strcmp(a, "--tui") == 0)
		return o->tui = true, 1;
	return 0;
}

static int dot_arg(void *ctx, int argc, char **argv, int *i)
{
	struct debug_options *o = ctx;
	const char *a = argv[*i];
	if (*i == 1 && (strcmp(a, "pagetables") == 0 || strcmp(a, "exits") == 0))
		return o->diagram = a, 1;
	/* the diagram comes first: a word there is a diagram misspelt, not
	 * an image */
	if (*i == 1 && a[0] != '-')
		return run_usage_error("dot", "unknown diagram '%s': pagetables or "
				       "exits", a);
	if (strcmp(a, "-o") == 0) {
		if (*i + 1 == argc)
			return run_usage_error("dot", "%s", "-o needs a FILE");
		o->out = argv[++*i];
		return 1;
	}
	if (strncmp(a, "--at-cycle=", 11) == 0 || strcmp(a, "--at-cycle") == 0) {
		const char *n = a[10] == '=' ? a + 11 : *i + 1 < argc ? argv[++*i] : "";
		if (!run_parse_count(n, &o->at_cycle))
			return run_usage_error("dot", "bad cycle count '%s'", n);
		o->at_cycle_given = true;
		return 1;
	}
	if (strcmp(a, "--png") == 0)
		return o->png = true, 1;
	if (strncmp(a, "--walk=", 7) == 0 || strcmp(a, "--walk") == 0) {
		if (a[6] != '=' && *i + 1 == argc)
			return run_usage_error("dot", "%s", "--walk needs a VA");
		o->walk = a[6] == '=' ? a + 7 : argv[++*i];
		return 1;
	}
	return 0;
}

/* ---- line mode ---------------------------------------------------------------- */

static struct dbg *session; /* for the SIGINT handler and completion */

static void on_sigint(int sig)
{
	(void)sig;
	if (session)
		dbg_interrupt(session);
}

static char *complete_word(const char *text, int state)
{
	const char *name = dbg_complete(session, text, state);
	return name ? strdup(name) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	(void)start, (void)end;
	rl_attempted_completion_over = 1; /* no file names */
	return rl_completion_matches(text, complete_word);
}

static void history_path(char *buf, size_t size)
{
	const char *home = getenv("HOME");
	snprintf(buf, size, "%s/.trapeze_history", home ? home : ".");
}

static enum dbg_result line_mode(struct dbg *d)
{
	char hist[1024];
	history_path(hist, sizeof hist);
	using_history();
	read_history(hist);
	rl_readline_name = "trapeze";
	rl_attempted_completion_function = complete;
	enum dbg_result r = DBG_OK;
	char *line;
	while (r != DBG_QUIT && (line = readline("(trapeze) ")) != NULL) {
		if (*line)
			add_history(line);
		if (strcmp(line, "layout tui") == 0 || strcmp(line, "tui") == 0)
			r = dbg_tui(d);
		else
			r = dbg_execute(d, line);
		free(line);
	}
	if (r != DBG_QUIT)
		printf("\n");
	write_history(hist);
	history_truncate_file(hist, 1000);
	return r;
}

/* Batch mode: each line echoed after the prompt, so that a transcript
 * reads like a session. */
static int batch_mode(struct dbg *d, FILE *in)
{
	char line[512];
	int errors = 0;
	while (fgets(line, sizeof line, in)) {
		line[strcspn(line, "\n")] = '\0';
		printf("(trapeze) %s\n", line);
		fflush(stdout);
		enum dbg_result r = dbg_execute(d, line);
		if (r == DBG_ERROR)
			errors++;
		if (r == DBG_QUIT)
			break;
	}
	return errors;
}

/* The debugger on the target the options make: its status. */
static int debug_options(const struct run_options *opts,
			 const struct debug_options *dopts)
{
	const struct run_options o = *opts;
	const struct debug_options dopt = *dopts;
	int rc;
	if (o.lockstep)
		return run_usage_error("debug", "%s", "--lockstep is for trapeze run");
	if (o.console_in && strcmp(o.console_in, "-") == 0)
		return run_usage_error("debug", "%s", "--console-in=-: standard "
				       "input is the debugger's; give a file");
	if ((dopt.batch || dopt.script) && dopt.tui)
		return run_usage_error("debug", "%s", "--tui needs a terminal: not "
				       "with --batch or -x");
	FILE *script = NULL;
	if (dopt.script && !(script = fopen(dopt.script, "r"))) {
		fprintf(stderr, "trapeze debug: cannot open %s: %s\n", dopt.script,
			strerror(errno));
		return EXIT_IO;
	}
	if (dopt.tui && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		if (script)
			fclose(script);
		fprintf(stderr, "trapeze debug: --tui needs a terminal\n");
		return EXIT_USAGE;
	}
	static struct target t;
	struct timespec t0; /* --stats: host time is the whole session's */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = target_open(&t, "debug", &o, NULL, NULL);
	struct dbg *d = rc == 0 ? dbg_new(&t, !dopt.tui) : NULL;
	if (rc == 0 && !d) {
		fprintf(stderr, "trapeze debug: out of memory\n");
		rc = EXIT_INTERNAL;
	}
	if (d) {
		session = d;
		struct sigaction sa = {.sa_handler = on_sigint};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		int errors = 0;
		if (script || dopt.batch)
			errors = batch_mode(d, script ? script : stdin);
		else if (!dopt.tui || dbg_tui(d) != DBG_QUIT)
			line_mode(d);
		/* The status: the run's, as trapeze run gives it (with its
		 * messages and --stats), once it has ended; else 0, or 1 if a
		 * batch command failed. */
		int status;
		bool ended = dbg_finished(d, &status);
		signal(SIGINT, SIG_DFL);
		session = NULL;
		dbg_free(d);
		rc = ended ? target_finish(&t, target_seconds_since(&t0)) : errors ? 1 : 0;
	}
	if (script)
		fclose(script);
	target_close(&t);
	return rc;
}

/* Runs to where the diagram is drawn: vm0's cycle N, or the end of the
 * run, as a `continue` in the debugger gets there (its report is not the
 * diagram's, and the diagram's caption says where it stands). */
static void run_to_point(struct dbg *d, const struct debug_options *dopt)
{
	if (dopt->at_cycle_given) {
		dbg_run_to_cycle(d, 0, dopt->at_cycle);
		return;
	}
	char *report = NULL;
	size_t len = 0;
	FILE *sink = open_memstream(&report, &len);
	FILE *old = dbg_set_output(d, sink ? sink : stderr);
	dbg_execute(d, "continue");
	dbg_set_output(d, old);
	if (sink)
		fclose(sink);
	free(report);
}

int cmd_debug(int argc, char **argv)
{
	struct run_options o = {.mem = MACH_DEFAULT_RAM};
	struct debug_options dopt = {0};
	int rc = run_parse_args("debug", argc, argv, &o, debug_arg, &dopt);
	if (rc)
		return rc;
	rc = debug_options(&o, &dopt);
	run_options_free(&o);
	return rc;
}

/* The diagram, to standard output: its status. */
static int dot_to_stdout(struct dbg *d, const struct debug_options *dopt)
{
	char err[160];
	uint32_t va;
	int rc;
	if (dopt->walk && !dbg_parse_va(d, 0, dopt->walk, &va)) {
		snprintf(err, sizeof err, "bad virtual address '%s'", dopt->walk);
		rc = -1;
	} else if (strcmp(dopt->diagram, "exits") == 0) {
		rc = dbg_dot_exits(d, stdout, err, sizeof err);
	} else {
		rc = dbg_dot_pagetables(d, 0, dopt->walk ? &va : NULL, stdout, err,
					sizeof err);
	}
	if (rc)
		fprintf(stderr, "trapeze dot: %s\n", err);
	return rc ? 1 : 0;
}

/* The diagram the options ask for: its status. */
static int dot_options(const struct run_options *opts,
		       const struct debug_options *dopts)
{
	const struct run_options o = *opts;
	const struct debug_options dopt = *dopts;
	int rc;
	if (!dopt.diagram)
		return run_usage_error("dot", "%s", "which diagram: pagetables or "
				       "exits (trapeze dot pagetables|exits ...)");
	if (dopt.png && !dopt.out)
		return run_usage_error("dot", "%s", "--png needs -o FILE");
	size_t len = dopt.out ? strlen(dopt.out) : 0;
	if (dopt.png && len >= 4 && strcmp(dopt.out + len - 4, ".dot") == 0)
		return run_usage_error("dot", "with --png, -o names the PNG file: "
				       "'%s' ends in .dot (-o pt.png, say)", dopt.out);
	if (dopt.walk && strcmp(dopt.diagram, "exits") == 0)
		return run_usage_error("dot", "%s", "--walk is for pagetables: "
				       "the address whose 2-D walk is drawn");
	if (strcmp(dopt.diagram, "exits") == 0 && !o.vmm) { /* before the run */
		fprintf(stderr, "trapeze dot: not under the VMM (--vmm): no exits\n");
		return 1;
	}
	static struct target t;
	/* the guests' console output is not the diagram's */
	rc = target_open(&t, "dot", &o, NULL, NULL);
	struct dbg *d = rc == 0 ? dbg_new(&t, false) : NULL;
	if (d) {
		run_to_point(d, &dopt);
		char line[1200];
		if (dopt.out) {
			snprintf(line, sizeof line, "dot %s %s%s%s%s", dopt.diagram,
				 dopt.out, dopt.png ? " --png" : "",
				 dopt.walk ? " --walk " : "", dopt.walk ? dopt.walk : "");
			rc = dbg_execute(d, line) == DBG_OK ? 0 : 1;
		} else {
			rc = dot_to_stdout(d, &dopt);
		}
		dbg_free(d);
	} else if (rc == 0) {
		rc = EXIT_INTERNAL;
	}
	target_close(&t);
	return rc;
}

int cmd_dot(int argc, char **argv)
{
	struct run_options o = {.mem = MACH_DEFAULT_RAM};
	struct debug_options dopt = {0};
	int rc = run_parse_args("dot", argc, argv, &o, dot_arg, &dopt);
	if (rc)
		return rc;
	rc = dot_options(&o, &dopt);
	run_options_free(&o);
	return rc;
}
