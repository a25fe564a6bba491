/*
 * cmd_run.c - `trapeze run`: boot an image on the bare machine, or each
 * of several images as a VM under the VMM (--vmm).
 *
 * The guest's console goes to stdout byte for byte, and its test-device
 * status becomes our exit status, so a shell script or a grader can treat
 * a guest program like any other program.  With several VMs, each output
 * line is prefixed "[vmN] " and the status is 0 only if every VM exited 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../isa/elf.h"
#include "../machine/machine.h"
#include "../vmm/vmm.h"
#include "commands.h"

#define MAX_IMAGES VMM_MAX_VMS

struct image_arg {
	const char *path;
	const char *disk; /* NULL: --disk */
	uint32_t mem;     /* 0: --mem */
};

struct run_options {
	bool vmm;
	bool patch;
	bool lockstep;
	bool leaky;
	uint32_t mem;
	uint64_t max_cycles; /* 0: no limit */
	uint64_t quantum;    /* 0: the VMM's default */
	const char *disk;
	const char *console_in;
	const char *trace;
	bool stats;
	struct image_arg images[MAX_IMAGES];
	int nimages;
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
static int parse_image(char *arg, struct image_arg *im)
{
	char *item = strchr(arg, ',');
	im->path = arg;
	while (item) {
		*item++ = '\0';
		char *next = strchr(item, ',');
		if (next)
			*next = '\0';
		if (strncmp(item, "disk=", 5) == 0) {
			im->disk = item + 5;
		} else if (strncmp(item, "mem=", 4) == 0) {
			if (!parse_size(item + 4, &im->mem) || !check_mem(im->mem))
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
		} else if (strcmp(a, "--vmm") == 0) {
			o->vmm = true;
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
		} else if (strncmp(a, "--quantum=", 10) == 0) {
			if (!parse_count(a + 10, &o->quantum) || o->quantum == 0)
				return usage_error("bad quantum '%s'", a + 10);
		} else if (strncmp(a, "--disk=", 7) == 0) {
			o->disk = a + 7;
		} else if (strncmp(a, "--console-in=", 13) == 0) {
			o->console_in = a + 13;
		} else if (strncmp(a, "--trace=", 8) == 0) {
			o->trace = a + 8;
		} else if (strcmp(a, "--stats") == 0) {
			o->stats = true;
		} else if (strcmp(a, "--patch") == 0) {
			o->patch = true;
		} else if (strcmp(a, "--lockstep") == 0) {
			o->lockstep = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option '%s'", a);
		} else if (o->nimages == MAX_IMAGES) {
			return usage_error("too many images (at most 8): '%s'", a);
		} else {
			int rc = parse_image(a, &o->images[o->nimages++]);
			if (rc)
				return rc;
		}
	}
	if (o->nimages == 0)
		return usage_error("%s", "no image given");
	if (o->lockstep && (o->vmm || o->nimages > 1 || o->trace))
		return usage_error("%s", "--lockstep runs one image, on the bare "
				   "machine and under the VMM at once (no --vmm, "
				   "--trace)");
	if (!o->vmm && !o->lockstep && o->nimages > 1)
		return usage_error("one image only on the bare machine (several "
				   "need --vmm): '%s'", o->images[1].path);
	if (!o->vmm && (o->trace || o->quantum || (o->patch && !o->lockstep)))
		return usage_error("%s needs --vmm", o->trace ? "--trace"
						    : o->quantum ? "--quantum" : "--patch");
	return 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static FILE *open_console_in(const char *path)
{
	if (!path)
		return NULL;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		fprintf(stderr, "trapeze run: cannot open %s: %s\n", path,
			strerror(errno));
	return f;
}

/* ---- the bare machine ------------------------------------------------------ */

static void console_to_stdout(void *ctx, uint8_t byte)
{
	(void)ctx;
	putchar(byte);
}

static int report_native_stop(struct machine *m, enum mach_stop stop)
{
	const struct cpu *c = mach_cpu(m);
	switch (stop) {
	case MACH_STOP_HALT:
		return (int)(mach_exit_status(m) & 0xff);
	case MACH_STOP_BUDGET:
		fprintf(stderr, "trapeze run: stopped after %" PRIu64
				" cycles (--max-cycles) at pc 0x%08" PRIx32 "\n",
			mach_cycles(m), c->pc);
		return EXIT_MAX_CYCLES;
	case MACH_STOP_DEADLOCK:
		fprintf(stderr, "trapeze run: deadlock: wfi at 0x%08" PRIx32
				" waits for an interrupt that nothing can raise\n",
			c->pc);
		return EXIT_DEADLOCK;
	case MACH_STOP_DOUBLE_FAULT: {
		const struct mach_exit *e = mach_exit(m);
		const char *name = isa_cause_name(e->cause);
		fprintf(stderr, "trapeze run: double fault: the trap handler at "
				"0x%08" PRIx32 " trapped on its first instruction "
				"(%s, badva 0x%08" PRIx32 ")\n",
			e->pc, name ? name : "?", e->badva);
		return EXIT_DOUBLE_FAULT;
	}
	case MACH_STOP_EXIT:
	case MACH_STOP_BREAKPOINT:
		break;
	}
	/* Neither can happen: no monitor, no breakpoints here. */
	fprintf(stderr, "trapeze run: internal error: unexpected stop '%s'\n",
		mach_stop_name(stop));
	return EXIT_INTERNAL;
}

static int run_native(const struct run_options *o, const struct elf_image *img)
{
	const struct image_arg *im = &o->images[0];
	char err[256];
	struct mach_config cfg = {.ram_size = im->mem ? im->mem : o->mem,
				  .leaky = o->leaky};
	struct machine *m = mach_new(&cfg);
	if (!m) {
		fprintf(stderr, "trapeze run: cannot make a machine with %" PRIu32
				" bytes of RAM\n", cfg.ram_size);
		return EXIT_LOAD_FAILED;
	}
	const char *disk = im->disk ? im->disk : o->disk;
	FILE *in = NULL;
	int rc = EXIT_LOAD_FAILED;
	if (mach_load_image(m, img, err, sizeof err) != 0) {
		fprintf(stderr, "trapeze run: %s: %s\n", im->path, err);
		goto out;
	}
	if (disk && dev_disk_attach(mach_disk(m), disk, err, sizeof err) != 0) {
		fprintf(stderr, "trapeze run: %s\n", err);
		goto out;
	}
	if (o->console_in && !(in = open_console_in(o->console_in)))
		goto out;
	if (in)
		dev_console_set_input_file(mach_console(m), in);
	dev_console_set_output(mach_console(m), console_to_stdout, NULL);

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum mach_stop stop = mach_run(m, o->max_cycles ? o->max_cycles : UINT64_MAX);
	double secs = seconds_since(&t0);
	fflush(stdout);
	rc = report_native_stop(m, stop);

	if (o->stats) {
		/* Host time is for benchmarks only: nothing in the machine
		 * depends on it. */
		struct mach_stats st;
		mach_get_stats(m, &st);
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
out:
	if (in && in != stdin)
		fclose(in);
	mach_free(m);
	return rc;
}

/* ---- under the VMM ------------------------------------------------------------ */

/* Console output of several VMs: whole lines, each prefixed "[vmN] ". */
struct line_buffer {
	char text[4096];
	size_t len;
};

struct vm_output {
	bool prefix;
	struct line_buffer line[MAX_IMAGES];
};

static void flush_line(int vm, struct line_buffer *b)
{
	printf("[vm%d] %.*s", vm, (int)b->len, b->text);
	b->len = 0;
}

static void vm_console_out(void *ctx, int vm, uint8_t byte)
{
	struct vm_output *out = ctx;
	if (!out->prefix) {
		putchar(byte);
		return;
	}
	struct line_buffer *b = &out->line[vm];
	b->text[b->len++] = (char)byte;
	if (byte == '\n' || b->len == sizeof b->text)
		flush_line(vm, b);
}

/* --trace: one JSON object per exit, in order. */
static void trace_event(void *ctx, const struct vmm_event *e)
{
	FILE *f = ctx;
	const char *cause = isa_cause_name(e->cause);
	fprintf(f, "{\"seq\":%" PRIu64 ",\"vm\":%d,\"cause\":\"%s\",\"pc\":\"0x%08"
		   PRIx32 "\",\"mode\":\"%s\",\"insn\":\"0x%08" PRIx32
		   "\",\"badva\":\"0x%08" PRIx32 "\",\"handler\":\"%s\","
		   "\"action\":\"%s\",\"resume\":\"0x%08" PRIx32 "\","
		   "\"guest_cycles\":%" PRIu64 ",\"cost\":%" PRIu64,
		e->seq, e->vm, cause ? cause : "?", e->pc,
		e->supervisor ? "supervisor" : "user", e->insn, e->badva,
		e->handler ? e->handler : "?", vmm_action_name(e->action),
		e->resume_pc, e->guest_cycles, e->cost);
	/* Only a leaky machine has them: sensitive instructions the guest
	 * ran since its previous exit that the VMM never saw. */
	if (e->silent)
		fprintf(f, ",\"silent_sensitive\":%" PRIu64, e->silent);
	fprintf(f, "}\n");
}

static void print_vm_stats(const struct vmm *v, int vm)
{
	struct vmm_vm_stats st;
	vmm_vm_stats(v, vm, &st);
	uint64_t emulated = st.exits_by_action[VMM_ACT_EMULATED] +
			    st.exits_by_action[VMM_ACT_MMIO] +
			    st.exits_by_action[VMM_ACT_HYPERCALL] +
			    st.exits_by_action[VMM_ACT_WAITED] +
			    st.exits_by_action[VMM_ACT_PATCHED];
	uint64_t all = st.guest_instret + emulated;
	fprintf(stderr, "vm%d: %" PRIu64 " guest instructions, %.2f%% run "
			"directly; %" PRIu64 " guest cycles; %" PRIu64
			" exits, %" PRIu64 " interrupts injected, %" PRIu64
			" shadow flushes\n",
		vm, all, all ? 100.0 * (double)st.guest_instret / (double)all : 0,
		st.guest_cycles, st.exits, st.injections, st.shadow_flushes);
	fprintf(stderr, "vm%d: exits by cause:", vm);
	for (unsigned c = 1; c < CAUSE_COUNT; c++)
		if (st.exits_by_cause[c])
			fprintf(stderr, " %s %" PRIu64, isa_cause_name(c),
				st.exits_by_cause[c]);
	fprintf(stderr, "\nvm%d: by what was done:", vm);
	for (unsigned a = 0; a < VMM_ACT_COUNT; a++)
		if (st.exits_by_action[a])
			fprintf(stderr, " %s %" PRIu64, vmm_action_name(a),
				st.exits_by_action[a]);
	fprintf(stderr, "\n");
	uint64_t silent = 0;
	for (unsigned op = 0; op < OP_COUNT; op++)
		silent += st.silent_sensitive[op];
	if (silent) {
		fprintf(stderr, "vm%d: sensitive instructions that ran without an "
				"exit:", vm);
		for (unsigned op = 0; op < OP_COUNT; op++)
			if (st.silent_sensitive[op])
				fprintf(stderr, " %s %" PRIu64, isa_info(op)->mnemonic,
					st.silent_sensitive[op]);
		fprintf(stderr, "\n");
	}
	if (st.patch_sites || st.patch_traps)
		fprintf(stderr, "vm%d: binary patching: %" PRIu64 " patch sites, "
				"%" PRIu64 " patch traps, %" PRIu64 " re-scans, %"
				PRIu64 " words scanned\n",
			vm, st.patch_sites, st.patch_traps, st.rescans,
			st.words_scanned);
}

/* The exit status of one VM, as `trapeze run` reports it. */
static int vm_exit_status(const struct vmm *v, int vm, bool several)
{
	enum vm_state s = vmm_vm_state(v, vm);
	if (s == VM_HALTED) {
		int status = (int)(vmm_vm_status(v, vm) & 0xff);
		if (several && status != 0) /* say which VM made the status 1 */
			fprintf(stderr, "trapeze run: vm%d: exited with status %d\n",
				vm, status);
		return status;
	}
	if (several)
		fprintf(stderr, "trapeze run: vm%d: %s\n", vm, vmm_vm_reason(v, vm));
	else
		fprintf(stderr, "trapeze run: %s\n", vmm_vm_reason(v, vm));
	switch (s) {
	case VM_MAX_CYCLES: return EXIT_MAX_CYCLES;
	case VM_DEADLOCK: return EXIT_DEADLOCK;
	case VM_DOUBLE_FAULT: return EXIT_DOUBLE_FAULT;
	default: return EXIT_INTERNAL;
	}
}

static int run_vmm(const struct run_options *o, struct elf_image *imgs)
{
	struct vm_output out = {.prefix = o->nimages > 1};
	uint32_t mems[MAX_IMAGES];
	for (int i = 0; i < o->nimages; i++)
		mems[i] = o->images[i].mem ? o->images[i].mem : o->mem;
	struct vmm_config cfg = {.leaky = o->leaky, .patch = o->patch,
				 .quantum = o->quantum,
				 .host_ram = vmm_host_ram_for(mems, o->nimages),
				 .max_cycles = o->max_cycles,
				 .output = vm_console_out, .output_ctx = &out};
	struct vmm *v = vmm_new(&cfg);
	if (!v) {
		fprintf(stderr, "trapeze run: no memory for the VMM\n");
		return EXIT_LOAD_FAILED;
	}
	int rc = EXIT_LOAD_FAILED;
	FILE *trace = NULL, *in = NULL;
	if (o->console_in && !(in = open_console_in(o->console_in)))
		goto out;
	for (int i = 0; i < o->nimages; i++) {
		const struct image_arg *im = &o->images[i];
		struct vm_config vc = {.image = &imgs[i],
				       .mem = im->mem ? im->mem : o->mem,
				       .disk = im->disk ? im->disk : o->disk,
				       .console_in = i == 0 ? in : NULL};
		char err[256];
		if (vmm_add_vm(v, &vc, err, sizeof err) < 0) {
			fprintf(stderr, "trapeze run: %s: %s\n", im->path, err);
			goto out;
		}
	}
	if (o->trace) {
		trace = fopen(o->trace, "w");
		if (!trace) {
			fprintf(stderr, "trapeze run: cannot write %s: %s\n",
				o->trace, strerror(errno));
			goto out;
		}
		vmm_on_event(v, trace_event, trace);
	}

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	vmm_run(v);
	double secs = seconds_since(&t0);
	for (int i = 0; i < o->nimages; i++)
		if (out.prefix && out.line[i].len)
			flush_line(i, &out.line[i]);
	fflush(stdout);

	bool several = o->nimages > 1;
	rc = 0;
	for (int i = 0; i < o->nimages; i++) {
		int s = vm_exit_status(v, i, several);
		if (!several)
			rc = s;
		else if (s != 0)
			rc = 1;
	}
	if (o->stats) {
		for (int i = 0; i < o->nimages; i++)
			print_vm_stats(v, i);
		struct mach_stats st;
		mach_get_stats(vmm_machine(v), &st);
		fprintf(stderr, "vmm: %" PRIu64 " host cycles, %.3f s\n", st.cycles,
			secs);
	}
out:
	if (trace)
		fclose(trace);
	if (in && in != stdin)
		fclose(in);
	vmm_free(v);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_options o = {.mem = MACH_DEFAULT_RAM};
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;

	struct elf_image imgs[MAX_IMAGES] = {0};
	rc = 0;
	for (int i = 0; i < o.nimages && rc == 0; i++) {
		char err[256];
		if (elf_read_file(o.images[i].path, &imgs[i], err, sizeof err) != 0) {
			fprintf(stderr, "trapeze run: %s\n", err);
			rc = EXIT_LOAD_FAILED;
		}
	}
	if (rc == 0 && o.lockstep) {
		const struct image_arg *im = &o.images[0];
		struct lockstep_options lo = {
			.leaky = o.leaky, .patch = o.patch,
			.mem = im->mem ? im->mem : o.mem,
			.disk = im->disk ? im->disk : o.disk,
			.max_steps = o.max_cycles ? o.max_cycles : UINT64_MAX,
		};
		rc = lockstep_run(&imgs[0], &lo);
	} else if (rc == 0) {
		rc = o.vmm ? run_vmm(&o, imgs) : run_native(&o, &imgs[0]);
	}
	for (int i = 0; i < o.nimages; i++)
		elf_image_free(&imgs[i]);
	return rc;
}
