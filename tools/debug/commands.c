/*
 * commands.c - the debugger's commands: one table (`commands` below)
 * gives each its name, abbreviation, arguments, help and function.  They
 * parse their arguments and print; moving the run on is stops.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define MAX_ARGS 16

/* ---- argument parsing -------------------------------------------------------------- */

static bool parse_number(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (end == s || *end || errno || v > UINT32_MAX || s[0] == '-')
		return false;
	*out = (uint32_t)v;
	return true;
}

/* [gva:|gpa:|hpa:]EXPR, EXPR = NUMBER | SYMBOL[+OFF] | $REG | $pc */
static bool parse_address(struct dbg *d, int vm, const char *s, uint32_t *addr,
			  enum space *sp)
{
	*sp = SPACE_GVA;
	if (strncmp(s, "gva:", 4) == 0)
		s += 4;
	else if (strncmp(s, "gpa:", 4) == 0)
		*sp = SPACE_GPA, s += 4;
	else if (strncmp(s, "hpa:", 4) == 0)
		*sp = SPACE_HPA, s += 4;
	char name[128];
	snprintf(name, sizeof name, "%s", s);
	uint32_t off = 0;
	char *plus = strchr(name, '+');
	if (plus) {
		*plus = '\0';
		if (!parse_number(plus + 1, &off))
			return false;
	}
	if (parse_number(name, addr)) {
		*addr += off;
		return true;
	}
	if (name[0] == '$') {
		struct vmm_vcpu_state st;
		dbg_guest_state(d, vm, &st);
		int r;
		if (strcmp(name + 1, "pc") == 0)
			*addr = st.pc;
		else if ((r = isa_reg_lookup(name + 1)) >= 0)
			*addr = st.x[r];
		else
			return false;
		*addr += off;
		return true;
	}
	if (!elf_symbol_value(&d->t->images[vm], name, addr))
		return false;
	*addr += off;
	return true;
}

bool dbg_parse_va(struct dbg *d, int vm, const char *s, uint32_t *va)
{
	enum space sp;
	return parse_address(d, vm, s, va, &sp) && sp == SPACE_GVA;
}

static bool parse_vm(struct dbg *d, const char *s, int *vm)
{
	uint32_t n;
	if (!parse_number(s, &n) || n >= (uint32_t)d->t->nvms)
		return false;
	*vm = (int)n;
	return true;
}

/* ---- the commands ------------------------------------------------------------------- */

typedef enum dbg_result command_fn(struct dbg *d, int argc, char **argv);

static command_fn cmd_help;

static enum dbg_result cmd_stepi(struct dbg *d, int argc, char **argv)
{
	uint32_t n = 1;
	if (argc > 1 && (!parse_number(argv[1], &n) || n == 0))
		return dbg_error(d, "stepi: bad count '%s'", argv[1]);
	d->interrupted = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t nlog = d->nlog;
		if (d->interrupted) { /* Ctrl-C: stepi 100000 is a long walk */
			d->interrupted = 0;
			fprintf(d->out, "interrupted\n");
			break;
		}
		mark_start(d);
		int waiting;
		struct mach_exit e;
		const char *h;
		step_one(d);
		/* stop early at anything worth a look */
		if (dbg_done(d) || dbg_exit_waiting(d, &waiting, &e, &h) ||
		    d->nlog != nlog || breakpoint_hit(d))
			break;
	}
	return DBG_OK;
}

static enum dbg_result need_vmm(struct dbg *d, const char *what)
{
	return dbg_error(d, "%s: not under the VMM (start with --vmm)", what);
}

static enum dbg_result cmd_next_exit(struct dbg *d, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (!d->v)
		return need_vmm(d, "next-exit");
	int vm;
	struct mach_exit e;
	const char *h;
	if (dbg_exit_waiting(d, &vm, &e, &h))
		step_handler(d); /* this exit's handler first, then the next */
	return run_until(d, GOAL_NEXT_EXIT);
}

static enum dbg_result cmd_step_handler(struct dbg *d, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (!d->v)
		return need_vmm(d, "step-handler");
	return step_handler(d);
}

static enum dbg_result cmd_continue(struct dbg *d, int argc, char **argv)
{
	(void)argc, (void)argv;
	return run_until(d, GOAL_CONTINUE);
}

static enum dbg_result cmd_until(struct dbg *d, int argc, char **argv)
{
	uint32_t addr;
	enum space sp;
	if (argc != 2)
		return dbg_error(d, "usage: until ADDR");
	if (!parse_address(d, d->vm, argv[1], &addr, &sp) || sp != SPACE_GVA)
		return dbg_error(d, "until: no such address '%s'", argv[1]);
	struct stop_point *p = add_point(d, STOP_BREAK);
	if (!p)
		return dbg_error(d, "until: too many breakpoints (at most %d)",
			     MAX_STOP_POINTS);
	p->addr = addr;
	p->vm = d->vm;
	p->temporary = true;
	int id = p->id;
	enum dbg_result r = run_until(d, GOAL_CONTINUE);
	for (int i = 0; i < d->npoints; i++) /* not reached: drop it anyway */
		if (d->points[i].id == id)
			delete_point(d, i);
	return r;
}

static enum dbg_result cmd_break(struct dbg *d, int argc, char **argv)
{
	int vm = -1;
	if (argc == 4 && strcmp(argv[2], "vm") == 0) {
		if (!parse_vm(d, argv[3], &vm))
			return dbg_error(d, "break: no vm '%s'", argv[3]);
	} else if (argc != 2) {
		return dbg_error(d, "usage: break SYMBOL|ADDR [vm N]");
	}
	uint32_t addr;
	enum space sp;
	if (!parse_address(d, vm < 0 ? d->vm : vm, argv[1], &addr, &sp) ||
	    sp != SPACE_GVA)
		return dbg_error(d, "break: no such symbol or address '%s'", argv[1]);
	if (addr & 3)
		return dbg_error(d, "break: 0x%08" PRIx32 " is not word aligned", addr);
	struct stop_point *p = add_point(d, STOP_BREAK);
	if (!p)
		return dbg_error(d, "break: too many stop points (at most %d)",
			     MAX_STOP_POINTS);
	p->addr = addr;
	p->vm = vm;
	snprintf(p->spec, sizeof p->spec, "%s", argv[1]);
	char sym[80];
	fprintf(d->out, "breakpoint %d at 0x%08" PRIx32, p->id, addr);
	if (dbg_symbolize(d, vm < 0 ? d->vm : vm, addr, sym, sizeof sym))
		fprintf(d->out, " <%s>", sym);
	if (vm >= 0)
		fprintf(d->out, " in vm%d", vm);
	fprintf(d->out, "\n");
	return DBG_OK;
}

/* catch exit CAUSE... | catch inject */
static enum dbg_result cmd_catch(struct dbg *d, int argc, char **argv)
{
	static const struct { const char *name; uint32_t bits; } kinds[] = {
		{"priv", 1u << CAUSE_PRIV}, {"pagefault", 1u << CAUSE_PAGE_FAULT},
		{"syscall", 1u << CAUSE_SYSCALL}, {"hcall", 1u << CAUSE_HCALL},
		{"illegal", 1u << CAUSE_ILLEGAL}, {"break", 1u << CAUSE_BREAK},
		{"divzero", 1u << CAUSE_DIVZERO}, {"misaligned", 1u << CAUSE_MISALIGNED},
		{"all", ~0u}, {"mmio", CATCH_MMIO},
		/* a patched instruction is an hcall that exits */
		{"patch", 1u << CAUSE_HCALL},
	};
	if (!d->v)
		return need_vmm(d, "catch");
	if (argc == 2 && strcmp(argv[1], "inject") == 0) {
		struct stop_point *p = add_point(d, STOP_CATCH_INJECT);
		if (!p)
			return dbg_error(d, "catch: too many stop points");
		snprintf(p->spec, sizeof p->spec, "inject");
		fprintf(d->out, "catchpoint %d: a trap reflected or an interrupt "
				"injected into the guest\n", p->id);
		return DBG_OK;
	}
	if (argc < 3 || strcmp(argv[1], "exit") != 0)
		return dbg_error(d, "usage: catch exit CAUSE... | catch inject "
				"(causes: priv pagefault mmio syscall hcall patch "
				"illegal break divzero misaligned all; interrupts are never exits: "
				"catch inject stops at them)");
	uint32_t causes = 0;
	char spec[64] = "";
	for (int i = 2; i < argc; i++) {
		uint32_t bits = 0;
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (strcmp(argv[i], kinds[k].name) == 0)
				bits = kinds[k].bits;
		if (!bits)
			return dbg_error(d, "catch exit: unknown cause '%s'", argv[i]);
		causes |= bits;
		size_t n = strlen(spec);
		snprintf(spec + n, sizeof spec - n, "%s%s", n ? " " : "", argv[i]);
	}
	struct stop_point *p = add_point(d, STOP_CATCH_EXIT);
	if (!p)
		return dbg_error(d, "catch: too many stop points");
	p->causes = causes;
	snprintf(p->spec, sizeof p->spec, "%s", spec);
	fprintf(d->out, "catchpoint %d: exit %s\n", p->id, spec);
	return DBG_OK;
}

static enum dbg_result cmd_watch(struct dbg *d, int argc, char **argv)
{
	uint32_t addr, len = 4, gpa, cause;
	enum space sp;
	if (argc < 2 || argc > 3)
		return dbg_error(d, "usage: watch [gva:|gpa:]ADDR [LEN]");
	if (!parse_address(d, d->vm, argv[1], &addr, &sp) || sp == SPACE_HPA)
		return dbg_error(d, "watch: bad guest address '%s'", argv[1]);
	if (argc == 3 && (!parse_number(argv[2], &len) || len == 0 ||
			  len > WATCH_MAX))
		return dbg_error(d, "watch: bad length '%s' (1 to %d bytes)", argv[2],
			     WATCH_MAX);
	/* A virtual address is resolved once, now: the watch is on the
	 * guest-physical memory it names. */
	gpa = addr;
	if (sp == SPACE_GVA && !dbg_gva_to_gpa(d, d->vm, addr, &gpa, &cause))
		return dbg_error(d, "watch: 0x%08" PRIx32 " is not mapped in vm%d", addr,
			     d->vm);
	uint8_t now[WATCH_MAX];
	if (!dbg_read(d, d->vm, SPACE_GPA, gpa, now, len))
		return dbg_error(d, "watch: gpa 0x%08" PRIx32 " is not guest RAM", gpa);
	struct stop_point *p = add_point(d, STOP_WATCH);
	if (!p)
		return dbg_error(d, "watch: too many stop points");
	p->addr = gpa;
	p->len = len;
	p->vm = d->vm;
	memcpy(p->seen, now, len);
	snprintf(p->spec, sizeof p->spec, "gpa 0x%08" PRIx32 "[%" PRIu32 "]", gpa,
		 len);
	fprintf(d->out, "watchpoint %d: %s", p->id, p->spec);
	if (sp == SPACE_GVA)
		fprintf(d->out, " (gva 0x%08" PRIx32 ")", addr);
	fprintf(d->out, "\n");
	return DBG_OK;
}

static enum dbg_result cmd_delete(struct dbg *d, int argc, char **argv)
{
	if (argc == 1) {
		d->npoints = 0;
		fprintf(d->out, "all breakpoints, watchpoints and catchpoints "
				"deleted\n");
		return DBG_OK;
	}
	for (int a = 1; a < argc; a++) {
		uint32_t id;
		int found = -1;
		if (parse_number(argv[a], &id))
			for (int i = 0; i < d->npoints; i++)
				if (d->points[i].id == (int)id)
					found = i;
		if (found < 0)
			return dbg_error(d, "delete: no breakpoint number '%s'", argv[a]);
		delete_point(d, found);
	}
	return DBG_OK;
}

static void info_breakpoints(struct dbg *d)
{
	static const char *const kind[] = {"breakpoint", "watchpoint",
					   "catch exit", "catch inject"};
	if (d->npoints == 0) {
		fprintf(d->out, "no breakpoints, watchpoints or catchpoints\n");
		return;
	}
	fprintf(d->out, "%-4s %-13s %-5s %-6s %s\n", "num", "type", "vm", "hits",
		"what");
	for (int i = 0; i < d->npoints; i++) {
		const struct stop_point *p = &d->points[i];
		char vm[8], what[128];
		snprintf(vm, sizeof vm, p->vm < 0 ? "any" : "vm%d", p->vm);
		if (p->kind == STOP_BREAK)
			snprintf(what, sizeof what, "0x%08" PRIx32 " %s", p->addr,
				 p->spec);
		else
			snprintf(what, sizeof what, "%s", p->spec);
		fprintf(d->out, "%-4d %-13s %-5s %-6" PRIu64 " %s\n", p->id,
			kind[p->kind], vm, p->hits, what);
	}
}

static void print_registers(struct dbg *d, const uint32_t *x, uint32_t pc)
{
	for (unsigned r = 0; r < ISA_NREGS; r++)
		fprintf(d->out, "%-4s 0x%08" PRIx32 "%s", isa_reg_name(r), x[r],
			r % 4 == 3 ? "\n" : "   ");
	fprintf(d->out, "pc   0x%08" PRIx32 "\n", pc);
}

static void print_crs(struct dbg *d, const uint32_t *cr)
{
	for (unsigned c = 0; c < CR_COUNT; c++) {
		char extra[48] = "";
		if (c == CR_PSW || c == CR_EPSW) {
			extra[0] = ' ', extra[1] = '(';
			int n = 2 + print_psw(extra + 2, sizeof extra - 2, cr[c]);
			snprintf(extra + n, sizeof extra - (size_t)n, ")");
		} else if (c == CR_CAUSE && cr[c]) {
			extra[0] = ' ', extra[1] = '(';
			int n = 2 + describe_cause(extra + 2, sizeof extra - 2, cr[c]);
			snprintf(extra + n, sizeof extra - (size_t)n, ")");
		}
		fprintf(d->out, "%-8s 0x%08" PRIx32 "%s\n", isa_cr_name(c), cr[c], extra);
	}
}

/* The machine's own CPU: under the VMM, the host's, which runs each
 * guest in real user mode and holds the one that ran last. */
static void info_host_cpu(struct dbg *d)
{
	const struct cpu *c = dbg_real_cpu(d);
	if (d->v) {
		int last = dbg_next_vm(d);
		fprintf(d->out, "the real CPU (the VMM's machine; guests run on it "
				"in real user mode%s)\n", last >= 0 ? "" : "; all stopped");
	}
	print_registers(d, c->x, c->pc);
	print_crs(d, c->cr);
	fprintf(d->out, "clock    %" PRIu64 " cycles\n", mach_cycles(d->m));
}

static void info_vcpu(struct dbg *d)
{
	struct vmm_vcpu_state st;
	dbg_guest_state(d, d->vm, &st);
	fprintf(d->out, "vm%d: the virtual CPU (what the guest believes it runs on)\n",
		d->vm);
	print_registers(d, st.x, st.pc);
	print_crs(d, st.cr);
	fprintf(d->out, "virtual clock %" PRIu64 " cycles, %" PRIu64
			" instructions, irq lines 0x%" PRIx32 "\n",
		st.cycles, st.instret, st.irq_lines);
}

/* The registers a student means: the guest's.  Under the VMM that is the
 * selected VM's vCPU, not the real CPU (which is the VMM's, at pc 0
 * before the first world switch in). */
static void info_registers(struct dbg *d)
{
	if (!d->v) {
		info_host_cpu(d);
		return;
	}
	info_vcpu(d);
	fprintf(d->out, "(the real CPU that runs the guests: info host-cpu)\n");
}

static void info_world(struct dbg *d)
{
	const struct cpu *c = dbg_real_cpu(d);
	struct vmm_vcpu_state st;
	dbg_guest_state(d, d->vm, &st);
	char rp[32], vp[32], head[16];
	print_psw(rp, sizeof rp, c->cr[CR_PSW]);
	print_psw(vp, sizeof vp, st.cr[CR_PSW]);
	snprintf(head, sizeof head, "vCPU of vm%d", d->vm);
	fprintf(d->out, "%-8s %-12s %-12s\n", "", "real CPU", head);
	fprintf(d->out, "%-8s 0x%08" PRIx32 "   0x%08" PRIx32 "   real %s; virtual %s\n",
		"psw", c->cr[CR_PSW], st.cr[CR_PSW], rp, vp);
	fprintf(d->out, "%-8s 0x%08" PRIx32 "   0x%08" PRIx32 "   real: a shadow root "
			"(hpa); virtual: the guest's table (gpa)\n",
		"ptbr", c->cr[CR_PTBR], st.cr[CR_PTBR]);
	for (unsigned r = CR_EPC; r < CR_COUNT; r++)
		if (r != CR_PTBR)
			fprintf(d->out, "%-8s 0x%08" PRIx32 "   0x%08" PRIx32 "\n",
				isa_cr_name(r), c->cr[r], st.cr[r]);
	fprintf(d->out, "%-8s 0x%08" PRIx32 "   0x%08" PRIx32 "\n", "pc", c->pc,
		st.pc);
	int view = vmm_vm_view(d->v, d->vm);
	fprintf(d->out, "vm%d: live shadow %s (root hpa 0x%08" PRIx32 "): %s\n",
		d->vm, vmm_view_name(view), vmm_vm_shadow_root(d->v, d->vm, view),
		vmm_view_doc(view));
	fprintf(d->out, "the real CPU runs every guest, kernel included, in user "
			"mode with paging on and interrupts off; the VMM's budget "
			"preempts it\n");
}

static void info_exits(struct dbg *d)
{
	uint64_t exits = 0, injected = 0;
	fprintf(d->out, "%-12s %-20s %8s  %s\n", "cause", "handler", "count",
		"what was done");
	for (int row = 1; row < DBG_CAUSE_ROWS; row++) {
		uint64_t n = 0;
		char what[160] = "";
		size_t len = 0;
		for (int a = 0; a < VMM_ACT_COUNT; a++) {
			uint64_t k = 0;
			for (int vm = 0; vm < d->t->nvms; vm++)
				k += dbg_exit_count(d, vm, row, (enum vmm_action)a);
			if (!k)
				continue;
			n += k;
			len += (size_t)snprintf(what + len, sizeof what - len,
						"%s%s %" PRIu64, len ? ", " : "",
						vmm_action_name((enum vmm_action)a), k);
			if (len >= sizeof what)
				len = sizeof what - 1;
		}
		if (!n)
			continue;
		/* an interrupt is no exit: the VMM injects it between runs */
		if (row >= CAUSE_COUNT)
			injected += n;
		else
			exits += n;
		fprintf(d->out, "%-12s %-20s %8" PRIu64 "  %s\n", dbg_row_name(row),
			dbg_row_handler(row), n, what);
	}
	fprintf(d->out, "exits: %" PRIu64 ", interrupts injected: %" PRIu64 "\n",
		exits, injected);
}

static void info_vms(struct dbg *d)
{
	for (int i = 0; i < d->t->nvms; i++) {
		struct vmm_vcpu_state st;
		dbg_guest_state(d, i, &st);
		const char *state = d->v ? vmm_vm_state_name(vmm_vm_state(d->v, i))
				  : d->t->native_done ? "stopped" : "running";
		fprintf(d->out, "%c vm%d  %-10s pc 0x%08" PRIx32 "  %" PRIu64
				" cycles  %" PRIu64 " instructions  %s\n",
			i == d->vm ? '*' : ' ', i, state, st.pc, st.cycles,
			st.instret, d->t->o.images[i].path);
	}
}

static void info_patches(struct dbg *d)
{
	struct vmm_patch p[256];
	int n = vmm_vm_patches(d->v, d->vm, p, 256);
	if (!d->t->o.patch) {
		fprintf(d->out, "binary patching is off (--patch turns it on)\n");
		return;
	}
	fprintf(d->out, "vm%d: %d patched instruction%s (each now an hcall that "
			"exits)\n", d->vm, n, n == 1 ? "" : "s");
	for (int i = 0; i < n && i < 256; i++) {
		char text[96];
		isa_disassemble(p[i].orig, p[i].gpa, text, sizeof text, NULL, NULL);
		fprintf(d->out, "  gpa 0x%08" PRIx32 "  was %s\n", p[i].gpa, text);
	}
}

static enum dbg_result cmd_info(struct dbg *d, int argc, char **argv)
{
	if (argc < 2)
		return dbg_error(d, "usage: info breakpoints|registers|host-cpu|vcpu|"
				"world|tlb|pagetable|shadow|exits|vms|patches|vmcs");
	const char *what = argv[1];
	size_t n = strlen(what);
	uint32_t va = 0;
	enum space sp;
	bool one = argc > 2;
	if (one && (!parse_address(d, d->vm, argv[2], &va, &sp) || sp != SPACE_GVA))
		return dbg_error(d, "info %s: bad virtual address '%s'", what, argv[2]);
#define IS(name) (strncmp(what, name, n) == 0)
	if (IS("breakpoints") || strcmp(what, "b") == 0)
		info_breakpoints(d);
	else if (IS("registers") || strcmp(what, "r") == 0)
		info_registers(d);
	else if (IS("host-cpu"))
		info_host_cpu(d);
	else if (IS("vcpu") && d->v)
		info_vcpu(d);
	else if (IS("world") && d->v)
		info_world(d);
	else if (IS("tlb"))
		cmd_info_tlb(d);
	else if (IS("pagetable"))
		cmd_info_pagetable(d, d->vm, one, va);
	else if (IS("shadow") && d->v)
		cmd_info_shadow(d, d->vm, one, va);
	else if (IS("exits") && d->v)
		info_exits(d);
	else if (IS("vms"))
		info_vms(d);
	else if (IS("patches") && d->v)
		info_patches(d);
	else if (IS("vmcs") && d->v)
		cmd_info_vmcs(d, d->vm);
	else if (IS("vcpu") || IS("world") || IS("shadow") || IS("exits") ||
		 IS("patches") || IS("vmcs"))
		return need_vmm(d, "info");
	else
		return dbg_error(d, "info: unknown subcommand '%s'", what);
#undef IS
	return DBG_OK;
}

static enum dbg_result cmd_translate(struct dbg *d, int argc, char **argv)
{
	uint32_t va;
	enum space sp;
	if (argc != 2)
		return dbg_error(d, "usage: translate VA");
	if (!parse_address(d, d->vm, argv[1], &va, &sp) || sp != SPACE_GVA)
		return dbg_error(d, "translate: bad virtual address '%s'", argv[1]);
	cmd_translate_va(d, d->vm, va);
	return DBG_OK;
}

/* x/N[xwbs] [gva:|gpa:|hpa:]ADDR, or with a space: x /4w ADDR (gdb
 * takes both, so a student's fingers do too) */
static enum dbg_result cmd_x(struct dbg *d, int argc, char **argv)
{
	uint32_t count = 1, addr;
	char fmt = 'x';
	const char *slash = strchr(argv[0], '/');
	if (!slash && argc > 1 && argv[1][0] == '/') {
		slash = argv[1];
		argc--, argv++; /* the format was a word of its own */
	}
	if (slash) {
		char *end;
		unsigned long n = strtoul(slash + 1, &end, 10);
		if (end != slash + 1)
			count = (uint32_t)n;
		if (*end)
			fmt = *end++;
		if (*end || count == 0 || count > 4096 || !strchr("xwbs", fmt))
			return dbg_error(d, "x: bad format '%s' (x/N[xwbs])", slash);
	}
	enum space sp;
	if (argc != 2)
		return dbg_error(d, "usage: x/N[xwbs] [gva:|gpa:|hpa:]ADDR");
	if (!parse_address(d, d->vm, argv[1], &addr, &sp))
		return dbg_error(d, "x: bad address '%s'", argv[1]);
	static const char *const prefix[] = {"gva", "gpa", "hpa"};
	const char *pfx = d->v ? prefix[sp] : sp == SPACE_GVA ? "va" : "pa";
	if (fmt == 's') {
		for (uint32_t i = 0; i < count; i++) {
			fprintf(d->out, "%s 0x%08" PRIx32 ":  \"", pfx, addr);
			for (int k = 0; k < 256; k++, addr++) {
				uint8_t c;
				if (!dbg_read(d, d->vm, sp, addr, &c, 1)) {
					fprintf(d->out, "\"\n");
					return dbg_error(d, "x: %s 0x%08" PRIx32 " cannot "
							 "be read", pfx, addr);
				}
				if (!c)
					break;
				if (isprint(c))
					fputc(c, d->out);
				else
					fprintf(d->out, "\\x%02x", c);
			}
			addr++;
			fprintf(d->out, "\"\n");
		}
		return DBG_OK;
	}
	uint32_t size = fmt == 'b' ? 1 : 4, per_line = fmt == 'b' ? 16 : 4;
	uint32_t *values = calloc(count, sizeof *values);
	if (!values)
		return dbg_error(d, "x: out of memory for %" PRIu32 " values", count);
	for (uint32_t i = 0; i < count; i++) { /* all or nothing: one error */
		uint32_t a = addr + i * size;
		if (!dbg_read(d, d->vm, sp, a, &values[i], size)) {
			free(values);
			return dbg_error(d, "x: %s 0x%08" PRIx32 " cannot be read (%s)", pfx,
				     a, sp == SPACE_GVA ? "not mapped" : "not memory");
		}
	}
	for (uint32_t i = 0; i < count; i++) {
		if (i % per_line == 0)
			fprintf(d->out, "%s%s 0x%08" PRIx32 ":", i ? "\n" : "", pfx,
				addr + i * size);
		fprintf(d->out, size == 1 ? " %02" PRIx32 : " 0x%08" PRIx32, values[i]);
	}
	fprintf(d->out, "\n");
	free(values);
	return DBG_OK;
}

static const char *symbolizer(void *ctx, uint32_t addr)
{
	struct dbg *d = ctx;
	return elf_symbol_at(&d->t->images[d->vm], addr);
}

#define DISAS_AROUND_PC 12   /* words shown around the pc */
#define DISAS_FROM_ADDR 16   /* words shown from an address */
#define DISAS_SYMBOL_MAX 1024 /* words at most of one symbol */

/*
 * Where the code that starts at addr ends, as far as the image knows: at
 * the next symbol above addr, or at the end of the segment that holds
 * it, whichever comes first; 0 if no segment of the image holds addr
 * (code loaded at run time, such as the guest OS's user programs).  The
 * assembler records no sizes, so the next label is the best end there
 * is; it keeps `disassemble SYMBOL` out of the padding between sections.
 */
static uint32_t code_end(const struct elf_image *img, uint32_t addr)
{
	uint32_t end = 0;
	for (int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *seg = &img->segments[i];
		if (addr >= seg->addr && addr - seg->addr < seg->size)
			end = seg->addr + seg->size;
	}
	for (int i = 0; end && i < img->nsymbols; i++) {
		const struct elf_symbol *sym = &img->symbols[i];
		if (sym->segment >= 0 && sym->value > addr && sym->value < end)
			end = sym->value;
	}
	return end;
}

static enum dbg_result cmd_disassemble(struct dbg *d, int argc, char **argv)
{
	struct vmm_vcpu_state st;
	dbg_guest_state(d, d->vm, &st);
	uint32_t start = st.pc >= 16 ? st.pc - 16 : 0, count = DISAS_AROUND_PC;
	enum space sp;
	if (argc > 2)
		return dbg_error(d, "usage: disassemble [SYMBOL|ADDR]");
	if (argc == 2) {
		if (!parse_address(d, d->vm, argv[1], &start, &sp) || sp != SPACE_GVA)
			return dbg_error(d, "disassemble: bad address '%s'", argv[1]);
		start &= ~3u;
		const struct elf_image *img = &d->t->images[d->vm];
		uint32_t value, end = code_end(img, start);
		/* a symbol: all of it; an address: a screenful, but not
		 * past what the image holds there */
		bool whole = elf_symbol_value(img, argv[1], &value);
		count = whole ? DISAS_SYMBOL_MAX : DISAS_FROM_ADDR;
		if (end && (end - start + 3) / 4 < count)
			count = (end - start + 3) / 4;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint32_t pc = start + 4 * i, word;
		const char *label = elf_symbol_at(&d->t->images[d->vm], pc);
		if (label)
			fprintf(d->out, "%s:\n", label);
		char mark = pc == st.pc ? '>' : ' ';
		char bp = dbg_has_breakpoint(d, d->vm, pc) ? '*' : ' ';
		if (!dbg_read_code(d, d->vm, pc, &word)) {
			fprintf(d->out, "%c%c 0x%08" PRIx32 ":  (not mapped)\n", mark, bp, pc);
			continue;
		}
		char text[96];
		isa_disassemble(word, pc, text, sizeof text, symbolizer, d);
		fprintf(d->out, "%c%c 0x%08" PRIx32 ":  %08" PRIx32 "  %s\n", mark, bp,
			pc, word, text);
	}
	return DBG_OK;
}

static enum dbg_result cmd_log(struct dbg *d, int argc, char **argv)
{
	uint32_t n = 10;
	if (!d->v)
		return need_vmm(d, "log");
	if (argc > 2 || (argc == 2 && (!parse_number(argv[1], &n) || n == 0)))
		return dbg_error(d, "usage: log [N]");
	int have = dbg_log_count(d);
	int first = have > (int)n ? have - (int)n : 0;
	if (have == 0)
		fprintf(d->out, "no exits yet\n");
	for (int i = first; i < have; i++)
		print_event(d, dbg_log_get(d, i));
	return DBG_OK;
}

static enum dbg_result cmd_vm(struct dbg *d, int argc, char **argv)
{
	int vm;
	if (argc != 2)
		return dbg_error(d, "usage: vm N");
	if (!parse_vm(d, argv[1], &vm))
		return dbg_error(d, "vm: no vm '%s' (there are %d)", argv[1], d->t->nvms);
	d->vm = vm;
	fprintf(d->out, "vm%d selected\n", vm);
	return DBG_OK;
}

/* Does name end in suffix? */
static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n >= k && strcmp(name + n - k, suffix) == 0;
}

/* Where a diagram goes: FILE itself, or with --png graphviz's dot, which
 * renders it into FILE (the graphviz source is not kept: the file is
 * what the user named).  NULL with the error printed. */
static FILE *open_diagram(struct dbg *d, const char *path, bool png)
{
	if (!png) {
		FILE *f = fopen(path, "w");
		if (!f)
			dbg_error(d, "dot: cannot write %s: %s", path, strerror(errno));
		return f;
	}
	if (ends_with(path, ".dot")) {
		dbg_error(d, "dot: with --png, FILE names the PNG file: '%s' ends "
			  "in .dot (pt.png, say)", path);
		return NULL;
	}
	/* the name goes to the shell between single quotes */
	if (strchr(path, '\'')) {
		dbg_error(d, "dot: a PNG file name may not hold a quote: '%s'", path);
		return NULL;
	}
	if (system("command -v dot >/dev/null 2>&1") != 0) {
		dbg_error(d, "dot: graphviz's dot is not installed: no PNG");
		return NULL;
	}
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "dot -Tpng -o '%s'", path);
	FILE *f = popen(cmd, "w");
	if (!f)
		dbg_error(d, "dot: cannot run graphviz: %s", strerror(errno));
	return f;
}

/* The options after FILE: --png, and for pagetables --walk VA (in any
 * order).  False with the error printed. */
static bool dot_flags(struct dbg *d, int argc, char **argv, bool *png,
		      const uint32_t **walk, uint32_t *va)
{
	*png = false, *walk = NULL;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--png") == 0 && !*png) {
			*png = true;
		} else if (strcmp(argv[i], "--walk") == 0 && !*walk &&
			   argv[1][0] == 'p' && i + 1 < argc) {
			if (!dbg_parse_va(d, d->vm, argv[++i], va)) {
				dbg_error(d, "dot: bad virtual address '%s'", argv[i]);
				return false;
			}
			*walk = va;
		} else {
			dbg_error(d, "usage: dot pagetables|exits FILE [--png] "
				  "[--walk VA]");
			return false;
		}
	}
	return true;
}

static enum dbg_result cmd_dot(struct dbg *d, int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "pagetables") != 0 &&
			 strcmp(argv[1], "exits") != 0))
		return dbg_error(d, "usage: dot pagetables|exits FILE [--png] "
				 "[--walk VA]");
	bool png;
	const uint32_t *walk;
	uint32_t va;
	if (!dot_flags(d, argc, argv, &png, &walk, &va))
		return DBG_ERROR;
	bool exits = argv[1][0] == 'e';
	if (exits && !d->v) /* said before a file is made */
		return dbg_error(d, "dot: not under the VMM (--vmm): no exits");
	const char *path = argv[2];
	FILE *f = open_diagram(d, path, png);
	if (!f)
		return DBG_ERROR;
	char err[160];
	int rc = exits ? dbg_dot_exits(d, f, err, sizeof err)
		       : dbg_dot_pagetables(d, d->vm, walk, f, err, sizeof err);
	int closed = png ? pclose(f) : fclose(f);
	if (closed != 0 && rc == 0) {
		snprintf(err, sizeof err, png ? "graphviz failed on the diagram "
			 "for %s" : "cannot write %s", path);
		rc = -1;
	}
	if (rc != 0) {
		remove(path);
		return dbg_error(d, "dot: %s", err);
	}
	fprintf(d->out, "wrote %s\n", path);
	return DBG_OK;
}

static enum dbg_result cmd_layout(struct dbg *d, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "tui") != 0 && strcmp(argv[1], "line") != 0))
		return dbg_error(d, "usage: layout tui|line");
	if (strcmp(argv[1], "line") == 0) {
		fprintf(d->out, "already in line mode\n");
		return DBG_OK;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return dbg_error(d, "layout tui: needs a terminal");
	return dbg_tui(d);
}

static enum dbg_result cmd_quit(struct dbg *d, int argc, char **argv)
{
	(void)d, (void)argc, (void)argv;
	return DBG_QUIT;
}

static const struct command {
	const char *name, *alias, *args, *help;
	command_fn *fn;
	bool repeats; /* an empty line runs it again */
} commands[] = {
	{"stepi", "si", "[N]", "run one guest instruction (N times); if it traps, "
	 "stop at the exit, before its handler; at an exit, run the handler",
	 cmd_stepi, true},
	{"next-exit", "ne", "", "run to the next world switch out and show its "
	 "exit record, before the handler runs", cmd_next_exit, true},
	{"step-handler", "sh", "", "run the waiting exit's handler; show what it "
	 "changed (vCPU, shadow PTEs, guest PTE, console) and where the guest "
	 "resumes", cmd_step_handler, true},
	{"continue", "c", "", "run until a breakpoint, watchpoint, catchpoint, "
	 "Ctrl-C or the end", cmd_continue, true},
	{"until", "u", "ADDR", "continue until the selected VM reaches ADDR",
	 cmd_until, false},
	{"break", "b", "SYMBOL|ADDR [vm N]", "stop before the instruction at a "
	 "guest virtual address (in any VM, or in vm N)", cmd_break, false},
	{"catch", NULL, "exit CAUSE... | inject", "stop at exits of these causes "
	 "(priv pagefault mmio syscall hcall patch illegal break "
	 "divzero misaligned all), or when a trap is reflected or an interrupt "
	 "injected into the guest", cmd_catch, false},
	{"watch", NULL, "[gva:|gpa:]ADDR [LEN]", "stop when guest memory changes "
	 "(LEN bytes, default 4; a virtual address is resolved once, when set)",
	 cmd_watch, false},
	{"delete", "d", "[N...]", "delete stop points (all without N)",
	 cmd_delete, false},
	{"info", "i", "WHAT [VA]", "breakpoints, registers (the guest's: under "
	 "the VMM the selected VM's vCPU), host-cpu (the real CPU), vcpu, "
	 "world (real and virtual side by side), tlb, pagetable [VA] (the "
	 "guest's), shadow [VA] (the VMM's), exits, vms, patches, vmcs (--hw: "
	 "guest state, controls, the last exit)", cmd_info, false},
	{"translate", "t", "VA", "GVA -> GPA -> HPA, naming each table used "
	 "(--hw: the 2-D walk, reference by reference)",
	 cmd_translate, false},
	{"x", NULL, "/N[xwbs] [gva:|gpa:|hpa:]ADDR", "examine memory: N words in "
	 "hex (x, w), N bytes (b) or N strings (s); x/4w and x /4w are the same",
	 cmd_x, false},
	{"disassemble", "disas", "[SYMBOL|ADDR]", "guest code around the pc, "
	 "SYMBOL to its end (the next symbol or the section's end), or 16 words "
	 "from ADDR ('>' the pc, '*' a breakpoint)", cmd_disassemble, false},
	{"log", NULL, "[N]", "the last N exit records (default 10)", cmd_log, false},
	{"vm", NULL, "N", "select the VM that commands look at", cmd_vm, false},
	{"dot", NULL, "pagetables|exits FILE [--png] [--walk VA]", "write a "
	 "graphviz diagram (the page tables and shadows, or under --hw the nested "
	 "table and the 2-D walk of the pc, or with --walk of a load at VA; the "
	 "exits and their handlers) to FILE, or with --png render it into FILE "
	 "as a PNG", cmd_dot, false},
	{"layout", NULL, "tui|line", "switch to the full-screen mode, or back",
	 cmd_layout, false},
	{"help", "h", "[COMMAND]", "list the commands, or explain one", cmd_help,
	 false},
	{"quit", "q", "", "leave the debugger", cmd_quit, false},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* Exact name or abbreviation first, then a unique prefix, as gdb does. */
static const struct command *find_command(const char *name)
{
	const struct command *found = NULL;
	int matches = 0;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0 ||
		    (commands[i].alias && strcmp(name, commands[i].alias) == 0))
			return &commands[i];
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strncmp(name, commands[i].name, strlen(name)) == 0)
			found = &commands[i], matches++;
	return matches == 1 ? found : NULL;
}

static enum dbg_result cmd_help(struct dbg *d, int argc, char **argv)
{
	if (argc > 1) {
		const struct command *c = find_command(argv[1]);
		if (!c)
			return dbg_error(d, "help: no command '%s'", argv[1]);
		fprintf(d->out, "%s%s%s\n", c->name, c->args[0] ? " " : "",
			c->args);
		if (c->alias)
			fprintf(d->out, "  (abbreviation: %s)\n", c->alias);
		fprintf(d->out, "  %s\n", c->help);
		return DBG_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char head[64];
		snprintf(head, sizeof head, "%s%s%s", commands[i].name,
			 commands[i].alias ? ", " : "",
			 commands[i].alias ? commands[i].alias : "");
		if (commands[i].args[0])
			fprintf(d->out, "  %-20s %s\n", head, commands[i].args);
		else
			fprintf(d->out, "  %s\n", head);
	}
	fprintf(d->out, "'help COMMAND' explains one; an empty line repeats "
			"stepi, next-exit, step-handler or continue\n");
	return DBG_OK;
}

enum dbg_result dbg_execute(struct dbg *d, const char *line)
{
	char buf[512], *argv[MAX_ARGS];
	int argc = 0;
	const char *hash = strchr(line, '#'); /* comments, for -x scripts */
	size_t len = hash ? (size_t)(hash - line) : strlen(line);
	if (len >= sizeof buf)
		return dbg_error(d, "command too long");
	memcpy(buf, line, len);
	buf[len] = '\0';
	for (char *tok = strtok(buf, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
		if (argc == MAX_ARGS)
			return dbg_error(d, "too many arguments");
		argv[argc++] = tok;
	}
	if (argc == 0) {
		if (!hash && d->repeat[0]) {
			char again[sizeof d->repeat];
			snprintf(again, sizeof again, "%s", d->repeat);
			return dbg_execute(d, again);
		}
		return DBG_OK;
	}
	char name[64];
	snprintf(name, sizeof name, "%s", argv[0]);
	char *slash = strchr(name, '/');
	if (slash)
		*slash = '\0'; /* x/4x */
	const struct command *c = find_command(name);
	if (!c || (slash && c->fn != cmd_x))
		return dbg_error(d, "unknown command '%s' (try 'help')", argv[0]);
	d->repeat[0] = '\0';
	enum dbg_result r = c->fn(d, argc, argv);
	if (c->repeats && r == DBG_OK && len < sizeof d->repeat)
		snprintf(d->repeat, sizeof d->repeat, "%.*s", (int)len, line);
	fflush(d->out);
	return r;
}

/* ---- completion -------------------------------------------------------------------- */

/* The state-th candidate across commands, info subcommands, register and
 * control-register names, and the symbols of every image. */
const char *dbg_complete(struct dbg *d, const char *text, int state)
{
	static const char *const words[] = {
		"breakpoints", "registers", "host-cpu", "vcpu", "world", "tlb", "pagetable",
		"shadow", "exits", "vms", "patches", "vmcs", "exit", "inject", "priv",
		"pagefault", "mmio", "syscall", "hcall", "patch",
		"tui", "line", "gva:", "gpa:", "hpa:",
	};
	size_t len = strlen(text);
	int k = 0;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, text, len) == 0 && k++ == state)
			return commands[i].name;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strncmp(words[i], text, len) == 0 && k++ == state)
			return words[i];
	for (unsigned r = 0; r < ISA_NREGS; r++) {
		static char reg[ISA_NREGS][8];
		snprintf(reg[r], sizeof reg[r], "$%s", isa_reg_name(r));
		if (strncmp(reg[r], text, len) == 0 && k++ == state)
			return reg[r];
	}
	for (unsigned c = 0; c < CR_COUNT; c++)
		if (strncmp(isa_cr_name(c), text, len) == 0 && k++ == state)
			return isa_cr_name(c);
	for (int vm = 0; vm < d->t->nvms; vm++) {
		const struct elf_image *img = &d->t->images[vm];
		for (int i = 0; i < img->nsymbols; i++)
			if (img->symbols[i].segment >= 0 &&
			    strncmp(img->symbols[i].name, text, len) == 0 &&
			    k++ == state)
				return img->symbols[i].name;
	}
	return NULL;
}
