/*
 * cmd_run.c - `trapeze run`: boot one image on the bare machine.
 *
 * The guest's console goes to stdout byte for byte, and its test-device
 * status becomes our exit status, so a shell script or a grader can treat
 * a guest program like any other program.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../isa/elf.h"
#include "../machine/machine.h"
#include "commands.h"

struct run_options {
	bool leaky;
	uint32_t mem;
	uint64_t max_cycles; /* 0: no limit */
	const char *disk;
	const char *console_in;
	bool stats;
	const char *image;
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "trapeze run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'trapeze help run'\n");
	return EXIT_USAGE;
}

/* "16M", "65536", "64K", "1G" -> bytes.  Returns false if malformed. */
static bool parse_size(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (end == s || errno || s[0] == '-')
		return false;
	unsigned long long scale = 1;
	if (*end == 'K' || *end == 'k')
		scale = 1ull << 10, end++;
	else if (*end == 'M' || *end == 'm')
		scale = 1ull << 20, end++;
	else if (*end == 'G' || *end == 'g')
		scale = 1ull << 30, end++;
	if (*end || v > UINT32_MAX / scale)
		return false;
	*out = (uint32_t)(v * scale);
	return true;
}

static bool parse_count(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (end == s || *end || errno || s[0] == '-')
		return false;
	*out = v;
	return true;
}

static bool check_mem(uint32_t mem)
{
	return mem >= PAGE_SIZE && mem % PAGE_SIZE == 0 && mem <= MACH_MAX_RAM;
}

/* IMAGE[,disk=FILE][,mem=SIZE]: per-image options override the flags. */
static int parse_image(char *arg, struct run_options *o)
{
	char *item = strchr(arg, ',');
	o->image = arg;
	while (item) {
		*item++ = '\0';
		char *next = strchr(item, ',');
		if (next)
			*next = '\0';
		if (strncmp(item, "disk=", 5) == 0) {
			o->disk = item + 5;
		} else if (strncmp(item, "mem=", 4) == 0) {
			if (!parse_size(item + 4, &o->mem) || !check_mem(o->mem))
				return usage_error("bad memory size '%s': a multiple of "
						   "4K up to 1G", item + 4);
		} else {
			return usage_error("unknown image option '%s'", item);
		}
		item = next;
		if (item)
			*item = ','; /* restored, then cut again at the loop top */
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct run_options *o)
{
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			trapeze_help(stdout, "run");
			exit(0);
		} else if (strcmp(a, "--mode=clean") == 0) {
			o->leaky = false;
		} else if (strcmp(a, "--mode=leaky") == 0) {
			o->leaky = true;
		} else if (strncmp(a, "--mode=", 7) == 0) {
			return usage_error("unknown mode '%s': clean or leaky", a + 7);
		} else if (strncmp(a, "--mem=", 6) == 0) {
			if (!parse_size(a + 6, &o->mem) || !check_mem(o->mem))
				return usage_error("bad memory size '%s': a multiple of "
						   "4K up to 1G", a + 6);
		} else if (strncmp(a, "--max-cycles=", 13) == 0) {
			if (!parse_count(a + 13, &o->max_cycles) || o->max_cycles == 0)
				return usage_error("bad cycle count '%s'", a + 13);
		} else if (strncmp(a, "--disk=", 7) == 0) {
			o->disk = a + 7;
		} else if (strncmp(a, "--console-in=", 13) == 0) {
			o->console_in = a + 13;
		} else if (strcmp(a, "--stats") == 0) {
			o->stats = true;
		} else if (strcmp(a, "--vmm") == 0 || strcmp(a, "--patch") == 0 ||
			   strncmp(a, "--trace", 7) == 0) {
			return usage_error("%s: the VMM is not part of this build yet",
					   a);
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option '%s'", a);
		} else if (o->image) {
			return usage_error("one image only on the bare machine "
					   "(several need --vmm): '%s'", a);
		} else {
			int rc = parse_image(a, o);
			if (rc)
				return rc;
		}
	}
	if (!o->image)
		return usage_error("%s", "no image given");
	return 0;
}

static void console_to_stdout(void *ctx, uint8_t byte)
{
	(void)ctx;
	putchar(byte);
}

int cmd_run(int argc, char **argv)
{
	struct run_options o = {.mem = MACH_DEFAULT_RAM};
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;

	char err[256];
	struct elf_image img = {0};
	if (elf_read_file(o.image, &img, err, sizeof err) != 0) {
		fprintf(stderr, "trapeze run: %s\n", err);
		return EXIT_LOAD_FAILED;
	}
	struct mach_config cfg = {.ram_size = o.mem, .leaky = o.leaky};
	struct machine *m = mach_new(&cfg);
	if (!m) {
		fprintf(stderr, "trapeze run: cannot make a machine with %" PRIu32
				" bytes of RAM\n", o.mem);
		elf_image_free(&img);
		return EXIT_LOAD_FAILED;
	}
	if (mach_load_image(m, &img, err, sizeof err) != 0) {
		fprintf(stderr, "trapeze run: %s: %s\n", o.image, err);
		goto load_failed;
	}
	if (o.disk && dev_disk_attach(mach_disk(m), o.disk, err, sizeof err) != 0) {
		fprintf(stderr, "trapeze run: %s\n", err);
		goto load_failed;
	}
	FILE *in = NULL;
	if (o.console_in) {
		in = strcmp(o.console_in, "-") == 0 ? stdin : fopen(o.console_in, "rb");
		if (!in) {
			fprintf(stderr, "trapeze run: cannot open %s: %s\n",
				o.console_in, strerror(errno));
			goto load_failed;
		}
		dev_console_set_input_file(mach_console(m), in);
	}
	dev_console_set_output(mach_console(m), console_to_stdout, NULL);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum mach_stop stop = mach_run(m, o.max_cycles ? o.max_cycles : UINT64_MAX);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fflush(stdout);

	const struct cpu *c = mach_cpu(m);
	switch (stop) {
	case MACH_STOP_HALT:
		rc = (int)(mach_exit_status(m) & 0xff);
		break;
	case MACH_STOP_BUDGET:
		fprintf(stderr, "trapeze run: stopped after %" PRIu64
				" cycles (--max-cycles) at pc 0x%08" PRIx32 "\n",
			mach_cycles(m), c->pc);
		rc = EXIT_MAX_CYCLES;
		break;
	case MACH_STOP_DEADLOCK:
		fprintf(stderr, "trapeze run: deadlock: wfi at 0x%08" PRIx32
				" waits for an interrupt that nothing can raise\n",
			c->pc);
		rc = EXIT_DEADLOCK;
		break;
	case MACH_STOP_DOUBLE_FAULT: {
		const struct mach_exit *e = mach_exit(m);
		const char *name = isa_cause_name(e->cause);
		fprintf(stderr, "trapeze run: double fault: the trap handler at "
				"0x%08" PRIx32 " trapped on its first instruction "
				"(%s, badva 0x%08" PRIx32 ")\n",
			e->pc, name ? name : "?", e->badva);
		rc = EXIT_DOUBLE_FAULT;
		break;
	}
	case MACH_STOP_EXIT:
	case MACH_STOP_BREAKPOINT:
		/* Neither can happen: no monitor, no breakpoints here. */
		fprintf(stderr, "trapeze run: internal error: unexpected stop '%s'\n",
			mach_stop_name(stop));
		rc = 70;
		break;
	}
	if (o.stats) {
		/* Host time is for benchmarks only: nothing in the machine
		 * depends on it. */
		struct mach_stats st;
		mach_get_stats(m, &st);
		double secs = (double)(t1.tv_sec - t0.tv_sec) +
			      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		double mips = secs > 0 ? (double)st.instret / secs / 1e6 : 0;
		fprintf(stderr, "trapeze run: %" PRIu64 " instructions, %" PRIu64
				" cycles, %.3f s, %.1f MIPS\n",
			st.instret, st.cycles, secs, mips);
		fprintf(stderr, "trapeze run: %" PRIu64 " traps, %" PRIu64
				" interrupts, %" PRIu64 " device accesses, %" PRIu64
				" TLB misses, %" PRIu64 " page-table reads\n",
			st.traps, st.interrupts, st.device_accesses,
			st.tlb_misses, st.walk_reads);
	}
	if (in && in != stdin)
		fclose(in);
	mach_free(m);
	elf_image_free(&img);
	return rc;

load_failed:
	mach_free(m);
	elf_image_free(&img);
	return EXIT_LOAD_FAILED;
}
