/*
 * target.c - the run options and the machine they make (target.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../isa/asm.h"
#include "commands.h"
#include "explain.h"
#include "target.h"

int run_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "trapeze %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'trapeze help %s'\n", cmd);
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

bool run_parse_count(const char *s, uint64_t *out)
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
static int parse_image(const char *cmd, char *arg, struct image_arg *im)
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
				return run_usage_error(cmd, "bad memory size '%s': a multiple of "
						   "4K up to 1G", item + 4);
		} else {
			return run_usage_error(cmd, "unknown image option '%s'", item);
		}
		item = next;
		if (item)
			*item = ','; /* restored, then cut again at the loop top */
	}
	return 0;
}

void run_options_free(struct run_options *o)
{
	free(o->images);
	o->images = NULL;
	o->nimages = 0;
}

static int parse_args(const char *cmd, int argc, char **argv,
		      struct run_options *o, run_extra_arg_fn *extra, void *ctx)
{
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		int took = extra ? extra(ctx, argc, argv, &i) : 0;
		if (took == 1)
			continue;
		if (took)
			return took;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			trapeze_help(stdout, cmd);
			exit(0);
		} else if (strcmp(a, "--vmm") == 0) {
			o->vmm = true;
		} else if (strcmp(a, "--mode=clean") == 0) {
			o->leaky = false;
		} else if (strcmp(a, "--mode=leaky") == 0) {
			o->leaky = true;
		} else if (strncmp(a, "--mode=", 7) == 0) {
			return run_usage_error(cmd, "unknown mode '%s': clean or leaky", a + 7);
		} else if (strncmp(a, "--mem=", 6) == 0) {
			if (!parse_size(a + 6, &o->mem) || !check_mem(o->mem))
				return run_usage_error(cmd, "bad memory size '%s': a multiple of "
						   "4K up to 1G", a + 6);
		} else if (strncmp(a, "--max-cycles=", 13) == 0) {
			if (!run_parse_count(a + 13, &o->max_cycles) || o->max_cycles == 0)
				return run_usage_error(cmd, "bad cycle count '%s'", a + 13);
		} else if (strncmp(a, "--quantum=", 10) == 0) {
			if (!run_parse_count(a + 10, &o->quantum) || o->quantum == 0)
				return run_usage_error(cmd, "bad quantum '%s'", a + 10);
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
		} else if (strcmp(a, "--hw") == 0 || strcmp(a, "--hw=nested") == 0) {
			o->assist = VMM_ASSIST_NESTED;
		} else if (strcmp(a, "--hw=shadow") == 0) {
			o->assist = VMM_ASSIST_SHADOW;
		} else if (strncmp(a, "--hw=", 5) == 0) {
			return run_usage_error(cmd, "unknown hardware assist '%s': "
					       "nested or shadow", a + 5);
		} else if (strcmp(a, "--hybrid") == 0) {
			o->hybrid = true;
		} else if (strcmp(a, "--lockstep") == 0) {
			o->lockstep = true;
		} else if (strcmp(a, "--host-time") == 0) {
			o->host_time = true;
		} else if (strncmp(a, "-I", 2) == 0) {
			const char *dir = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
			if (!dir)
				return run_usage_error(cmd, "option '%s' needs a value", a);
			if (o->ninclude_dirs == MAX_INCLUDE_DIRS)
				return run_usage_error(cmd, "too many -I folders: '%s'", dir);
			o->include_dirs[o->ninclude_dirs++] = dir;
		} else if (a[0] == '-' && a[1] != '\0') {
			return run_usage_error(cmd, "unknown option '%s'", a);
		} else {
			int rc = parse_image(cmd, a, &o->images[o->nimages++]);
			if (rc)
				return rc;
		}
	}
	if (o->nimages == 0)
		return run_usage_error(cmd, "%s", "no image given");
	if (o->lockstep && (o->vmm || o->nimages > 1 || o->trace || o->host_time))
		return run_usage_error(cmd, "%s", "--lockstep runs one image, on the bare "
				   "machine and under the VMM at once (no --vmm, "
				   "--trace, --host-time)");
	if (o->assist && !o->vmm && !o->lockstep)
		return run_usage_error(cmd, "%s", "--hw needs --vmm (or --lockstep)");
	if (o->assist && o->patch)
		return run_usage_error(cmd, "%s", "--hw and --patch: with hardware "
				   "assist the leaky machine needs no patching");
	if (o->hybrid && ((!o->vmm && !o->lockstep) || o->patch))
		return run_usage_error(cmd, "%s", "--hybrid needs --vmm (or "
				   "--lockstep), and is another answer than --patch "
				   "(not both)");
	if (o->hybrid && o->assist)
		return run_usage_error(cmd, "%s", "--hybrid and --hw are two answers "
				   "to the same problem: choose one");
	if (!o->vmm && !o->lockstep && o->nimages > 1)
		return run_usage_error(cmd, "one image only on the bare machine (several "
				   "need --vmm): '%s'", o->images[1].path);
	if (!o->vmm && (o->trace || o->quantum || o->host_time ||
			(o->patch && !o->lockstep)))
		return run_usage_error(cmd, "%s needs --vmm", o->trace ? "--trace"
						    : o->quantum ? "--quantum"
						    : o->host_time ? "--host-time" : "--patch");
	return 0;
}

int run_parse_args(const char *cmd, int argc, char **argv,
		   struct run_options *o, run_extra_arg_fn *extra, void *ctx)
{
	/* Each image is one argument: argc entries are enough. */
	o->images = calloc((size_t)argc, sizeof *o->images);
	o->nimages = 0;
	if (!o->images) {
		fprintf(stderr, "trapeze %s: out of memory\n", cmd);
		return EXIT_INTERNAL;
	}
	int rc = parse_args(cmd, argc, argv, o, extra, ctx);
	if (rc)
		run_options_free(o);
	return rc;
}


/* ---- making the target ------------------------------------------------------ */

static void print_line(int vm, char *text, size_t *len)
{
	printf("[vm%d] %.*s", vm, (int)*len, text);
	*len = 0;
}

/* The default output: the console byte for byte; with several VMs whole
 * lines, each prefixed "[vmN] ". */
void target_output_stdout(void *ctx, int vm, uint8_t byte)
{
	struct target *t = ctx;
	if (t->nvms == 1) {
		putchar(byte);
		return;
	}
	t->line[vm].text[t->line[vm].len++] = (char)byte;
	if (byte == '\n' || t->line[vm].len == sizeof t->line[vm].text)
		print_line(vm, t->line[vm].text, &t->line[vm].len);
}

/* Through t->output at each byte, so that a debugger can take the output
 * over after the target is made. */
static void output_native(void *ctx, uint8_t byte)
{
	struct target *t = ctx;
	t->output(t->output_ctx, 0, byte);
}

static void output_vm(void *ctx, int vm, uint8_t byte)
{
	struct target *t = ctx;
	t->output(t->output_ctx, vm, byte);
}

static FILE *open_console_in(const char *cmd, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		fprintf(stderr, "trapeze %s: cannot open %s: %s\n", cmd, path,
			strerror(errno));
	return f;
}

static uint32_t image_mem(const struct target *t, int i)
{
	return t->o.images[i].mem ? t->o.images[i].mem : t->o.mem;
}

static const char *image_disk(const struct target *t, int i)
{
	return t->o.images[i].disk ? t->o.images[i].disk : t->o.disk;
}

/*
 * shared[i]: VM i's disk file is attached to another VM of this run too.
 * One file is one device and inode, whatever the path says ("d.img",
 * "./d.img", a link).  A file that cannot be stat'ed is no one's to share:
 * attaching it will say why it cannot be opened.  Returns false if out of
 * memory.
 */
static bool find_shared_disks(const struct target *t, bool *shared)
{
	struct stat *st = calloc((size_t)t->nvms, sizeof *st);
	bool *known = calloc((size_t)t->nvms, sizeof *known);
	if (!st || !known) {
		free(st);
		free(known);
		return false;
	}
	for (int i = 0; i < t->nvms; i++) {
		const char *disk = image_disk(t, i);
		known[i] = disk && stat(disk, &st[i]) == 0;
		shared[i] = false;
	}
	for (int i = 0; i < t->nvms; i++)
		for (int j = 0; j < t->nvms; j++)
			if (i != j && known[i] && known[j] &&
			    st[i].st_dev == st[j].st_dev &&
			    st[i].st_ino == st[j].st_ino)
				shared[i] = true;
	free(st);
	free(known);
	return true;
}

static int open_native(struct target *t)
{
	char err[256];
	struct mach_config cfg = {.ram_size = image_mem(t, 0), .leaky = t->o.leaky};
	t->m = mach_new(&cfg);
	if (!t->m) {
		fprintf(stderr, "trapeze %s: cannot make a machine with %" PRIu32
				" bytes of RAM\n", t->cmd, cfg.ram_size);
		return EXIT_LOAD_FAILED;
	}
	if (mach_load_image(t->m, &t->images[0], err, sizeof err) != 0) {
		fprintf(stderr, "trapeze %s: %s: %s\n", t->cmd, t->o.images[0].path,
			err);
		return EXIT_LOAD_FAILED;
	}
	const char *disk = image_disk(t, 0);
	if (disk && dev_disk_attach(mach_disk(t->m), disk, err, sizeof err) != 0) {
		fprintf(stderr, "trapeze %s: %s\n", t->cmd, err);
		return EXIT_LOAD_FAILED;
	}
	if (t->console_in)
		dev_console_set_input_file(mach_console(t->m), t->console_in);
	dev_console_set_output(mach_console(t->m), output_native, t);
	return 0;
}

static void trace_to_file(void *ctx, const struct vmm_event *e)
{
	target_trace_event(ctx, e);
}

static int open_vms(struct target *t, const uint32_t *mems);

static int open_vmm(struct target *t)
{
	uint32_t *mems = malloc((size_t)t->nvms * sizeof *mems);
	if (!mems) {
		fprintf(stderr, "trapeze %s: out of memory\n", t->cmd);
		return EXIT_LOAD_FAILED;
	}
	for (int i = 0; i < t->nvms; i++)
		mems[i] = image_mem(t, i);
	int rc = open_vms(t, mems);
	free(mems);
	return rc;
}

/* The VMM with a VM per image, mems[i] bytes of RAM each. */
static int open_vms(struct target *t, const uint32_t *mems)
{
	struct vmm_config cfg = {.leaky = t->o.leaky, .patch = t->o.patch,
				 .assist = t->o.assist,
				 .hybrid = t->o.hybrid,
				 .host_time = t->o.host_time,
				 .quantum = t->o.quantum,
				 .host_ram = vmm_host_ram_for(mems, t->nvms),
				 .max_cycles = t->o.max_cycles,
				 .output = output_vm, .output_ctx = t};
	t->v = vmm_new(&cfg);
	if (!t->v) {
		fprintf(stderr, "trapeze %s: no memory for the VMM\n", t->cmd);
		return EXIT_LOAD_FAILED;
	}
	t->m = vmm_machine(t->v);
	/* VMs that share a disk file each get a private copy-on-write view
	 * of it, so that no VM sees another's writes (`trapeze help run`). */
	bool *shared = calloc((size_t)t->nvms, sizeof *shared);
	if (!shared || !find_shared_disks(t, shared)) {
		free(shared);
		fprintf(stderr, "trapeze %s: out of memory\n", t->cmd);
		return EXIT_LOAD_FAILED;
	}
	for (int i = 0; i < t->nvms; i++) {
		struct vm_config vc = {.image = &t->images[i], .mem = mems[i],
				       .disk = image_disk(t, i),
				       .disk_private = shared[i],
				       .console_in = i == 0 ? t->console_in : NULL};
		char err[256];
		if (vmm_add_vm(t->v, &vc, err, sizeof err) < 0) {
			fprintf(stderr, "trapeze %s: %s: %s\n", t->cmd,
				t->o.images[i].path, err);
			free(shared);
			return EXIT_LOAD_FAILED;
		}
	}
	free(shared);
	if (t->o.trace) {
		t->trace = fopen(t->o.trace, "w");
		if (!t->trace) {
			fprintf(stderr, "trapeze %s: cannot write %s: %s\n", t->cmd,
				t->o.trace, strerror(errno));
			return EXIT_IO;
		}
		vmm_on_event(t->v, trace_to_file, t->trace);
	}
	return 0;
}

static bool is_assembly_source(const char *path)
{
	size_t n = strlen(path);
	return n > 2 && strcmp(path + n - 2, ".s") == 0;
}

/*
 * Assembles the source at path into *img.  The image goes through the
 * ELF writer and reader, so that it is exactly the image `trapeze as`
 * would write and `trapeze run` then read, and the writer's refusals
 * (an empty .text) are reported as `trapeze as` reports them.
 */
static int assemble_image(const struct run_options *o, const char *path,
			  struct elf_image *img)
{
	struct asm_options opt = {.include_dirs = o->include_dirs,
				  .ninclude_dirs = o->ninclude_dirs,
				  .diag = stderr};
	struct elf_image assembled;
	if (asm_assemble_file(path, &opt, &assembled) != 0)
		return EXIT_LOAD_FAILED;
	char err[256];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = elf_write_buffer(&assembled, &buf, &len, err, sizeof err);
	if (rc == 0)
		rc = elf_read_buffer(buf, len, img, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "%s: error: %s\n", path, err);
	free(buf);
	elf_image_free(&assembled);
	return rc ? EXIT_LOAD_FAILED : 0;
}

int target_load_image(const char *cmd, const struct run_options *o,
		      const char *path, struct elf_image *img)
{
	if (is_assembly_source(path))
		return assemble_image(o, path, img);
	char err[256];
	if (elf_read_file(path, img, err, sizeof err) != 0) {
		fprintf(stderr, "trapeze %s: %s\n", cmd, err);
		return EXIT_LOAD_FAILED;
	}
	return 0;
}

int target_open(struct target *t, const char *cmd,
		const struct run_options *o, target_output_fn *output,
		void *output_ctx)
{
	memset(t, 0, sizeof *t);
	t->cmd = cmd;
	t->o = *o;
	t->nvms = o->nimages;
	t->output = output ? output : target_output_stdout;
	t->output_ctx = output ? output_ctx : t;
	t->images = calloc((size_t)t->nvms, sizeof *t->images);
	t->line = calloc((size_t)t->nvms, sizeof *t->line);
	if (!t->images || !t->line) {
		fprintf(stderr, "trapeze %s: out of memory\n", cmd);
		return EXIT_LOAD_FAILED;
	}
	for (int i = 0; i < o->nimages; i++) {
		int rc = target_load_image(cmd, o, o->images[i].path, &t->images[i]);
		if (rc)
			return rc;
	}
	if (o->console_in && !(t->console_in = open_console_in(cmd, o->console_in)))
		return EXIT_LOAD_FAILED;
	return o->vmm ? open_vmm(t) : open_native(t);
}

void target_close(struct target *t)
{
	if (t->trace)
		fclose(t->trace);
	if (t->console_in && t->console_in != stdin)
		fclose(t->console_in);
	if (t->v)
		vmm_free(t->v);
	else if (t->m)
		mach_free(t->m);
	for (int i = 0; t->images && i < t->nvms; i++)
		elf_image_free(&t->images[i]);
	free(t->images);
	free(t->line);
	memset(t, 0, sizeof *t);
}

/* ---- running the bare machine ----------------------------------------------- */

bool target_native_run(struct target *t, uint64_t budget)
{
	if (t->native_done)
		return true;
	if (t->o.max_cycles) {
		uint64_t now = mach_cycles(t->m);
		if (now >= t->o.max_cycles) {
			t->native_done = true;
			t->native_stop = MACH_STOP_BUDGET;
			return true;
		}
		if (budget > t->o.max_cycles - now)
			budget = t->o.max_cycles - now;
	}
	enum mach_stop stop = mach_run(t->m, budget);
	if (stop == MACH_STOP_BUDGET && !(t->o.max_cycles &&
					  mach_cycles(t->m) >= t->o.max_cycles))
		return false;
	if (stop == MACH_STOP_BREAKPOINT)
		return false;
	t->native_done = true;
	t->native_stop = stop;
	return true;
}

bool target_native_step(struct target *t)
{
	if (t->native_done)
		return true;
	if (t->o.max_cycles && mach_cycles(t->m) >= t->o.max_cycles) {
		t->native_done = true;
		t->native_stop = MACH_STOP_BUDGET;
		return true;
	}
	enum mach_stop stop = mach_step(t->m);
	if (stop == MACH_STOP_BUDGET)
		return false;
	t->native_done = true;
	t->native_stop = stop;
	return true;
}

/* ---- the end of a run ------------------------------------------------------- */

static int report_native_stop(struct target *t)
{
	struct machine *m = t->m;
	const struct cpu *c = mach_cpu(m);
	switch (t->native_stop) {
	case MACH_STOP_HALT:
		return (int)(mach_exit_status(m) & 0xff);
	case MACH_STOP_BUDGET:
		fprintf(stderr, "trapeze %s: stopped after %" PRIu64
				" cycles (--max-cycles) at pc 0x%08" PRIx32 "\n",
			t->cmd, mach_cycles(m), c->pc);
		return EXIT_MAX_CYCLES;
	case MACH_STOP_DEADLOCK:
		fprintf(stderr, "trapeze %s: deadlock: wfi at 0x%08" PRIx32
				" waits for an interrupt that nothing can raise\n",
			t->cmd, c->pc);
		return EXIT_DEADLOCK;
	case MACH_STOP_DOUBLE_FAULT: {
		const struct mach_exit *e = mach_exit(m);
		const char *name = isa_cause_name(e->cause);
		fprintf(stderr, "trapeze %s: double fault: the trap handler at "
				"0x%08" PRIx32 " trapped on its first instruction "
				"(%s, badva 0x%08" PRIx32 ")\n",
			t->cmd, e->pc, name ? name : "?", e->badva);
		char prefix[64];
		snprintf(prefix, sizeof prefix, "trapeze %s: ", t->cmd);
		explain_native_double_fault(stderr, prefix, m, &t->images[0]);
		return EXIT_DOUBLE_FAULT;
	}
	case MACH_STOP_EXIT:
	case MACH_STOP_BREAKPOINT:
	case MACH_STOP_VMEXIT:
		break;
	}
	/* None can happen: no monitor, breakpoints do not end a run, and
	 * only mach_vm_run exits a VM. */
	fprintf(stderr, "trapeze %s: internal error: unexpected stop '%s'\n",
		t->cmd, mach_stop_name(t->native_stop));
	return EXIT_INTERNAL;
}

static void print_native_stats(struct target *t, double secs)
{
	/* Host time is for benchmarks only: nothing in the machine depends
	 * on it. */
	struct mach_stats st;
	mach_get_stats(t->m, &st);
	double mips = secs > 0 ? (double)st.instret / secs / 1e6 : 0;
	fprintf(stderr, "trapeze %s: %" PRIu64 " instructions, %" PRIu64
			" cycles, %.3f s, %.1f MIPS\n",
		t->cmd, st.instret, st.cycles, secs, mips);
	fprintf(stderr, "trapeze %s: %" PRIu64 " traps, %" PRIu64
			" interrupts, %" PRIu64 " device accesses, %" PRIu64
			" TLB misses, %" PRIu64 " page-table reads\n",
		t->cmd, st.traps, st.interrupts, st.device_accesses,
		st.tlb_misses, st.walk_reads);
}

/* --trace: one JSON object per exit, in order. */
void target_trace_event(FILE *f, const struct vmm_event *e)
{
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
	/* --hw: the VM exit's reason (cause: what its handler saw). */
	if (e->hw)
		fprintf(f, ",\"reason\":\"%s\"", mach_vmexit_name(e->reason));
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
			    st.exits_by_action[VMM_ACT_PATCHED] +
			    st.exits_by_action[VMM_ACT_ACCESS];
	uint64_t all = st.guest_instret + emulated + st.interpreted;
	fprintf(stderr, "vm%d: %" PRIu64 " guest instructions, %.2f%% run "
			"directly; %" PRIu64 " guest cycles; %" PRIu64
			" exits, %" PRIu64 " interrupts injected, %" PRIu64
			" shadow flushes\n",
		vm, all, all ? 100.0 * (double)st.guest_instret / (double)all : 0,
		st.guest_cycles, st.exits, st.injections, st.shadow_flushes);
	if (!st.vm_entries)
		fprintf(stderr, "vm%d: exits by cause:", vm);
	for (unsigned c = 1; c < CAUSE_COUNT; c++)
		if (st.exits_by_cause[c])
			fprintf(stderr, " %s %" PRIu64, isa_cause_name(c),
				st.exits_by_cause[c]);
	if (st.vm_entries) {
		fprintf(stderr, "vm%d: %" PRIu64 " VM entries; exits by reason:",
			vm, st.vm_entries);
		for (unsigned r = 0; r < MACH_VMEXIT_COUNT; r++)
			if (st.exits_by_reason[r])
				fprintf(stderr, " %s %" PRIu64, mach_vmexit_name(r),
					st.exits_by_reason[r]);
	}
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
	if (st.shadow_reclaims)
		fprintf(stderr, "vm%d: shadow pool ran dry %" PRIu64 " times: its "
				"shadows dropped and refilled\n",
			vm, st.shadow_reclaims);
	if (st.interpret_entries)
		fprintf(stderr, "vm%d: hybrid: %" PRIu64 " instructions interpreted; "
				"switched to interpreting %" PRIu64 " times, back "
				"to running directly %" PRIu64 " times\n",
			vm, st.interpreted, st.interpret_entries,
			st.interpret_leaves);
	if (st.pages_scanned)
		fprintf(stderr, "vm%d: binary patching: %" PRIu64 " pages scanned, "
				"%" PRIu64 " patch sites, %" PRIu64 " patch traps, %"
				PRIu64 " writes to scanned pages, %" PRIu64
				" pages back to data\n",
			vm, st.pages_scanned, st.patch_sites, st.patch_traps,
			st.patch_writes, st.pages_unscanned);
}

/* What each VM ran over the rounds they all ran (vmm_fairness). */
static void print_fairness(const struct vmm *v, int nvms)
{
	struct vmm_fairness f;
	vmm_fairness(v, &f);
	if (f.rounds == 0) {
		fprintf(stderr, "vmm: fairness: a VM stopped in the first round, "
				"before all %d VMs had run a whole round\n", nvms);
		return;
	}
	fprintf(stderr, "vmm: fairness while all %d VMs ran (%" PRIu64
			" rounds): guest instructions min %" PRIu64 " (vm%d) max %"
			PRIu64 " (vm%d) (spread %.2f%%); guest cycles min %" PRIu64
			" max %" PRIu64 "\n",
		nvms, f.rounds, f.min_instret, f.min_vm, f.max_instret, f.max_vm,
		100.0 * f.spread, f.min_cycles, f.max_cycles);
}

static int state_status(enum vm_state s)
{
	switch (s) {
	case VM_MAX_CYCLES: return EXIT_MAX_CYCLES;
	case VM_DEADLOCK: return EXIT_DEADLOCK;
	case VM_DOUBLE_FAULT: return EXIT_DOUBLE_FAULT;
	default: return EXIT_INTERNAL;
	}
}

/* The exit status of one VM, as `trapeze run` reports it. */
static int vm_exit_status(const char *cmd, const struct vmm *v, int vm,
			  bool several)
{
	enum vm_state s = vmm_vm_state(v, vm);
	if (s == VM_HALTED) {
		int status = (int)(vmm_vm_status(v, vm) & 0xff);
		if (several && status != 0) /* say which VM made the status 1 */
			fprintf(stderr, "trapeze %s: vm%d: exited with status %d\n",
				cmd, vm, status);
		return status;
	}
	if (several)
		fprintf(stderr, "trapeze %s: vm%d: %s\n", cmd, vm, vmm_vm_reason(v, vm));
	else
		fprintf(stderr, "trapeze %s: %s\n", cmd, vmm_vm_reason(v, vm));
	return state_status(s);
}

static int native_status(const struct target *t)
{
	switch (t->native_stop) {
	case MACH_STOP_HALT: return (int)(mach_exit_status(t->m) & 0xff);
	case MACH_STOP_BUDGET: return EXIT_MAX_CYCLES;
	case MACH_STOP_DEADLOCK: return EXIT_DEADLOCK;
	case MACH_STOP_DOUBLE_FAULT: return EXIT_DOUBLE_FAULT;
	default: return EXIT_INTERNAL;
	}
}

int target_status(const struct target *t)
{
	if (!t->v)
		return native_status(t);
	int rc = 0;
	for (int i = 0; i < t->nvms; i++) {
		enum vm_state s = vmm_vm_state(t->v, i);
		int st = s == VM_HALTED ? (int)(vmm_vm_status(t->v, i) & 0xff)
					: state_status(s);
		if (t->nvms == 1)
			return st;
		if (st != 0)
			rc = 1;
	}
	return rc;
}

int target_finish(struct target *t, double secs)
{
	if (!t->v) {
		fflush(stdout);
		int rc = report_native_stop(t);
		if (t->o.stats)
			print_native_stats(t, secs);
		return rc;
	}
	for (int i = 0; i < t->nvms; i++)
		if (t->output == target_output_stdout && t->line[i].len)
			print_line(i, t->line[i].text, &t->line[i].len);
	fflush(stdout);
	bool several = t->nvms > 1;
	int rc = 0;
	for (int i = 0; i < t->nvms; i++) {
		int s = vm_exit_status(t->cmd, t->v, i, several);
		if (vmm_vm_state(t->v, i) == VM_DOUBLE_FAULT) {
			char prefix[64];
			snprintf(prefix, sizeof prefix, several ? "trapeze %s: vm%d: "
				 : "trapeze %s: ", t->cmd, i);
			explain_vm_double_fault(stderr, prefix, t->v, i, &t->images[i]);
		}
		if (!several)
			rc = s;
		else if (s != 0)
			rc = 1;
	}
	if (t->o.stats) {
		for (int i = 0; i < t->nvms; i++)
			print_vm_stats(t->v, i);
		if (t->nvms > 1)
			print_fairness(t->v, t->nvms);
		struct mach_stats st;
		mach_get_stats(t->m, &st);
		fprintf(stderr, "vmm: %" PRIu64 " host cycles, %.3f s\n", st.cycles,
			secs);
		if (t->o.assist)
			fprintf(stderr, "vmm: hardware assist: %" PRIu64 " VM entries, %"
					PRIu64 " VM exits, %" PRIu64 " nested references, %"
					PRIu64 " TLB misses, %" PRIu64 " page-table reads\n",
				st.vm_entries, st.vm_exits, st.nested_refs,
				st.tlb_misses, st.walk_reads);
	}
	return rc;
}

double target_seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}
