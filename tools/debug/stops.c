/*
 * stops.c - running the target to the next stop, and what a stop prints.
 *
 * Under the VMM a guest instruction either runs directly or traps; a trap
 * is a world switch out, and the session can stop *between* the exit and
 * its handler.  This file holds the three ways of moving on:
 *
 *     step_one      one guest instruction; if it traps, stop at the exit
 *     run_until     on to the next exit (next-exit), or to a breakpoint,
 *                   watchpoint or catchpoint (continue)
 *     step_handler  run the waiting exit's handler, and show what it
 *                   changed and where the guest resumes
 *
 * and the stop points, and the printing of exits and locations.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const cause_docs[CAUSE_COUNT] = {
#define DBG_X_CAUSE_DOC(name, code, doc) [code] = doc,
	PG32_CAUSES(DBG_X_CAUSE_DOC)
#undef DBG_X_CAUSE_DOC
};

static const char *const action_docs[VMM_ACT_COUNT] = {
#define DBG_X_ACTION_DOC(name, str, doc) [VMM_ACT_##name] = doc,
	VMM_ACTIONS(DBG_X_ACTION_DOC)
#undef DBG_X_ACTION_DOC
};

enum dbg_result dbg_error(struct dbg *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(d->out, "error: ");
	vfprintf(d->out, fmt, ap);
	fprintf(d->out, "\n");
	va_end(ap);
	return DBG_ERROR;
}

void dbg_set_status(struct dbg *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->status, sizeof d->status, fmt, ap);
	va_end(ap);
}

/* ---- printing what the student looks at --------------------------------------- */

int print_psw(char *buf, size_t size, uint32_t psw)
{
	return snprintf(buf, size, "MODE=%c IE=%u PG=%u", (psw & PSW_MODE) ? 'S' : 'U',
			(psw & PSW_IE) ? 1u : 0u, (psw & PSW_PG) ? 1u : 0u);
}

static const char *vm_label(struct dbg *d, int vm, char *buf, size_t size)
{
	if (d->v)
		snprintf(buf, size, "vm%d ", vm);
	else
		buf[0] = '\0';
	return buf;
}

/* "vm0 0x00001034 <kernel_main+0x14>:  mtcr psw, t0" */
void print_location(struct dbg *d, int vm, uint32_t pc)
{
	char sym[80], text[96], label[16];
	uint32_t word;
	fprintf(d->out, "%s0x%08" PRIx32, vm_label(d, vm, label, sizeof label), pc);
	if (dbg_symbolize(d, vm, pc, sym, sizeof sym))
		fprintf(d->out, " <%s>", sym);
	if (dbg_read_code(d, vm, pc, &word)) {
		isa_disassemble(word, pc, text, sizeof text, NULL, NULL);
		fprintf(d->out, ":  %s\n", text);
	} else {
		fprintf(d->out, ":  (not mapped)\n");
	}
}

/* "PAGE_FAULT (store, page not present)" */
int describe_cause(char *buf, size_t size, uint32_t cause)
{
	const char *name = isa_cause_name(cause);
	uint32_t code = cause & CAUSE_CODE_MASK;
	if (cause & CAUSE_INTERRUPT)
		return snprintf(buf, size, "%s interrupt", name ? name : "?");
	if (code == CAUSE_PAGE_FAULT) {
		static const char *const access[] = {"fetch", "load", "store", "?"};
		return snprintf(buf, size, "PAGE_FAULT (%s, page %s)",
				access[(cause >> CAUSE_ACCESS_SHIFT) & 3],
				(cause & CAUSE_PRESENT) ? "present but not allowed"
							 : "not present");
	}
	return snprintf(buf, size, "%s (%s)", name ? name : "?",
			code < CAUSE_COUNT && cause_docs[code] ? cause_docs[code] : "?");
}

static bool has_badva(uint32_t cause)
{
	uint32_t code = cause & CAUSE_CODE_MASK;
	return !(cause & CAUSE_INTERRUPT) &&
	       (code == CAUSE_PAGE_FAULT || code == CAUSE_MISALIGNED ||
		code == CAUSE_BUS_ERROR);
}

void print_exit_block(struct dbg *d)
{
	int vm;
	struct mach_exit e;
	const char *handler;
	if (!dbg_exit_waiting(d, &vm, &e, &handler))
		return;
	struct vmm_vcpu_state st;
	dbg_guest_state(d, vm, &st);
	char cause[96], psw[32];
	describe_cause(cause, sizeof cause, e.cause);
	print_psw(psw, sizeof psw, st.cr[CR_PSW]);
	fprintf(d->out, "exit #%" PRIu64 " of vm%d: %s\n", d->nlog, vm, cause);
	const struct mach_vmcs *s = vmm_vm_vmcs(d->v, vm);
	if (s)
		fprintf(d->out, "  VM exit:      %s (gpa 0x%08" PRIx32 "; info vmcs "
				"shows it all)\n", mach_vmexit_name(s->exit_reason),
			s->exit_gpa);
	fprintf(d->out, "  guest pc:     ");
	print_location(d, vm, e.pc);
	fprintf(d->out, "  virtual mode: %s (vPSW 0x%08" PRIx32 ": %s)\n",
		(st.cr[CR_PSW] & PSW_MODE) ? "supervisor" : "user", st.cr[CR_PSW], psw);
	if (has_badva(e.cause))
		fprintf(d->out, "  badva:        0x%08" PRIx32 "\n", e.badva);
	fprintf(d->out, "  handler:      %s (step-handler runs it)\n", handler);
	dbg_set_status(d, "vm%d stopped at exit #%" PRIu64 " (%s) before %s", vm,
		   d->nlog, isa_cause_name(e.cause) ? isa_cause_name(e.cause) : "?",
		   handler);
}

void print_event(struct dbg *d, const struct vmm_event *e)
{
	const char *cause = isa_cause_name(e->cause);
	fprintf(d->out, "#%-5" PRIu64 " vm%d %-10s pc 0x%08" PRIx32 " %-5s %-18s %-11s "
			"resume 0x%08" PRIx32 "\n",
		e->seq, e->vm, cause ? cause : "?", e->pc,
		e->supervisor ? "super" : "user", e->handler ? e->handler : "?",
		vmm_action_name(e->action), e->resume_pc);
}

void print_stop_here(struct dbg *d)
{
	int vm = dbg_next_vm(d);
	if (vm < 0)
		return;
	struct vmm_vcpu_state st;
	dbg_guest_state(d, vm, &st);
	print_location(d, vm, st.pc);
	char label[16];
	dbg_set_status(d, "%sstopped at 0x%08" PRIx32, vm_label(d, vm, label,
							  sizeof label), st.pc);
}

/* Where the session stands: at an exit (its record), or at a pc. */
static void print_stop(struct dbg *d)
{
	int vm;
	struct mach_exit e;
	const char *h;
	if (dbg_exit_waiting(d, &vm, &e, &h))
		print_exit_block(d);
	else
		print_stop_here(d);
}

/* Once every guest has stopped: says how, once. */
bool report_end(struct dbg *d)
{
	if (!dbg_done(d))
		return false;
	if (d->ended_reported) {
		fprintf(d->out, "the run has ended\n");
		return true;
	}
	d->ended_reported = true;
	if (!d->v) {
		const struct target *t = d->t;
		if (t->native_stop == MACH_STOP_HALT)
			fprintf(d->out, "the run has ended: the machine halted with "
					"status %" PRIu32 "\n", mach_exit_status(d->m) & 0xff);
		else
			fprintf(d->out, "the run has ended: %s\n",
				mach_stop_name(t->native_stop));
	} else {
		for (int i = 0; i < d->t->nvms; i++) {
			if (vmm_vm_state(d->v, i) == VM_HALTED)
				fprintf(d->out, "the run has ended: vm%d halted with "
						"status %" PRIu32 "\n", i,
					vmm_vm_status(d->v, i) & 0xff);
			else
				fprintf(d->out, "the run has ended: vm%d: %s\n", i,
					vmm_vm_reason(d->v, i));
		}
	}
	dbg_set_status(d, "the run has ended (status %d)", target_status(d->t));
	return true;
}

void note_cycle(struct dbg *d, int vm)
{
	if (dbg_done(d)) {
		dbg_set_status(d, "the run has ended (status %d)", target_status(d->t));
		return;
	}
	struct vmm_vcpu_state st;
	char sym[80], at[96] = "";
	dbg_guest_state(d, vm, &st);
	if (dbg_symbolize(d, vm, st.pc, sym, sizeof sym))
		snprintf(at, sizeof at, " <%s>", sym);
	dbg_set_status(d, "vm%d at cycle %" PRIu64 ", pc 0x%08" PRIx32 "%s", vm,
		       st.cycles, st.pc, at);
}

/* ---- stop points ---------------------------------------------------------------- */

struct stop_point *add_point(struct dbg *d, enum stop_kind kind)
{
	if (d->npoints == MAX_STOP_POINTS)
		return NULL;
	struct stop_point *p = &d->points[d->npoints++];
	memset(p, 0, sizeof *p);
	p->id = d->next_id++;
	p->kind = kind;
	p->vm = -1;
	return p;
}

void delete_point(struct dbg *d, int index)
{
	memmove(&d->points[index], &d->points[index + 1],
		(size_t)(d->npoints - index - 1) * sizeof d->points[0]);
	d->npoints--;
}

/* Do breakpoints or watchpoints need the run to go one instruction at a
 * time?  (Catchpoints do not: exits and injections end a tick anyway.) */
static bool needs_fine_steps(const struct dbg *d)
{
	for (int i = 0; i < d->npoints; i++)
		if (d->points[i].kind == STOP_BREAK || d->points[i].kind == STOP_WATCH)
			return true;
	return false;
}

static uint64_t progress(struct dbg *d, int vm)
{
	struct vmm_vcpu_state st;
	dbg_guest_state(d, vm, &st);
	return st.instret + st.traps;
}

/* Remembers where the VM that runs next stands as a run starts: the
 * session is stopped there (see breakpoint_hit). */
void mark_start(struct dbg *d)
{
	int next = dbg_next_vm(d);
	for (int vm = 0; vm < d->t->nvms; vm++) {
		struct vmm_vcpu_state st;
		dbg_guest_state(d, vm, &st);
		d->start_pc[vm] = vm == next ? st.pc : UINT32_MAX;
		d->start_progress[vm] = progress(d, vm);
	}
}

/* A breakpoint at the next pc of the VM that runs next -- unless that VM
 * has not moved since the run started there: continuing from a
 * breakpoint must leave it, even if the first try only exits (a shadow
 * fault on the fetch) and comes back to the same pc. */
struct stop_point *breakpoint_hit(struct dbg *d)
{
	int vm = dbg_next_vm(d);
	int evm;
	struct mach_exit e;
	const char *h;
	if (vm < 0 || dbg_exit_waiting(d, &evm, &e, &h))
		return NULL;
	struct vmm_vcpu_state st;
	dbg_guest_state(d, vm, &st);
	if (st.pc == d->start_pc[vm] && progress(d, vm) == d->start_progress[vm])
		return NULL;
	for (int i = 0; i < d->npoints; i++) {
		struct stop_point *p = &d->points[i];
		if (p->kind == STOP_BREAK && p->addr == st.pc &&
		    (p->vm < 0 || p->vm == vm))
			return p;
	}
	return NULL;
}

static struct stop_point *watch_hit(struct dbg *d, uint8_t *old)
{
	for (int i = 0; i < d->npoints; i++) {
		struct stop_point *p = &d->points[i];
		if (p->kind != STOP_WATCH)
			continue;
		uint8_t now[WATCH_MAX];
		int vm = p->vm < 0 ? 0 : p->vm;
		if (!dbg_read(d, vm, SPACE_GPA, p->addr, now, p->len) ||
		    memcmp(now, p->seen, p->len) == 0)
			continue;
		memcpy(old, p->seen, p->len);
		memcpy(p->seen, now, p->len);
		return p;
	}
	return NULL;
}

static bool catch_exit_hit(struct dbg *d)
{
	int vm;
	struct mach_exit e;
	const char *h;
	if (!dbg_exit_waiting(d, &vm, &e, &h))
		return false;
	uint32_t bit = (e.cause & CAUSE_INTERRUPT) ? 1u
			: 1u << ((e.cause & CAUSE_CODE_MASK) & 31);
	uint32_t gpa, cause;
	if ((e.cause & CAUSE_CODE_MASK) == CAUSE_PAGE_FAULT &&
	    !(e.cause & CAUSE_INTERRUPT) &&
	    dbg_gva_to_gpa(d, vm, e.badva, &gpa, &cause) &&
	    vmm_vm_is_device(d->v, vm, gpa))
		bit |= CATCH_MMIO; /* the handler will emulate a device */
	for (int i = 0; i < d->npoints; i++) {
		struct stop_point *p = &d->points[i];
		if (p->kind == STOP_CATCH_EXIT && (p->causes & bit) &&
		    (p->vm < 0 || p->vm == vm)) {
			p->hits++;
			fprintf(d->out, "catchpoint %d: exit %s\n", p->id, p->spec);
			return true;
		}
	}
	return false;
}

static bool is_injection(const struct vmm_event *e)
{
	return e && (e->action == VMM_ACT_INJECTED || e->action == VMM_ACT_REFLECTED);
}

static bool catch_inject_hit(struct dbg *d)
{
	if (!d->tick_logged || !is_injection(d->last_event))
		return false;
	for (int i = 0; i < d->npoints; i++) {
		struct stop_point *p = &d->points[i];
		if (p->kind == STOP_CATCH_INJECT &&
		    (p->vm < 0 || p->vm == d->last_event->vm)) {
			p->hits++;
			return true;
		}
	}
	return false;
}

static void print_injection(struct dbg *d, const struct vmm_event *e)
{
	char cause[96];
	describe_cause(cause, sizeof cause, e->cause);
	if (e->action == VMM_ACT_INJECTED)
		fprintf(d->out, "vm%d: the VMM injects a virtual %s (event #%" PRIu64
				"): the guest enters its trap handler\n", e->vm, cause,
			e->seq);
	else
		fprintf(d->out, "vm%d: %s reflects %s into the guest kernel (exit #%"
				PRIu64 ")\n", e->vm, e->handler ? e->handler : "?",
			cause, e->seq);
}

/* ---- step-handler: what a handler changed ------------------------------------------ */

struct snapshot {
	int vm;
	struct vmm_vcpu_state cpu;
	int view;
	struct shadow_entry *shadow;
	int nshadow;
	bool has_pte;        /* the guest's leaf PTE of a page fault's badva */
	uint32_t pte_gpa, pte;
	size_t console_len;
};

static void take_snapshot(struct dbg *d, int vm, const struct mach_exit *e,
			  struct snapshot *s)
{
	memset(s, 0, sizeof *s);
	s->vm = vm;
	dbg_guest_state(d, vm, &s->cpu);
	s->view = vmm_vm_view(d->v, vm);
	s->nshadow = collect_shadows(d, vm, &s->shadow);
	s->console_len = d->console[vm].len;
	if ((e->cause & CAUSE_CODE_MASK) == CAUSE_PAGE_FAULT &&
	    !(e->cause & CAUSE_INTERRUPT) && (s->cpu.cr[CR_PSW] & PSW_PG)) {
		uint32_t gpa, pte;
		if (vmm_vm_walk(d->v, vm, e->badva, CAUSE_ACCESS_LOAD,
				!(s->cpu.cr[CR_PSW] & PSW_MODE), &gpa, &pte,
				&s->pte_gpa) == CAUSE_NONE) {
			s->has_pte = true;
			s->pte = pte;
		}
	}
}

static void print_change(struct dbg *d, const char *name, uint32_t old,
			 uint32_t now)
{
	fprintf(d->out, "  %-14s 0x%08" PRIx32 " -> 0x%08" PRIx32, name, old, now);
	if (strcmp(name, "vcpu.psw") == 0 || strcmp(name, "vcpu.epsw") == 0) {
		char a[32], b[32];
		print_psw(a, sizeof a, old);
		print_psw(b, sizeof b, now);
		fprintf(d->out, "   (%s -> %s)", a, b);
	}
	fprintf(d->out, "\n");
}

static void compare_shadows(struct dbg *d, const struct snapshot *a,
			    const struct snapshot *b)
{
	int i = 0, j = 0;
	char fl[40];
	while (i < a->nshadow || j < b->nshadow) {
		const struct shadow_entry *x = i < a->nshadow ? &a->shadow[i] : NULL;
		const struct shadow_entry *y = j < b->nshadow ? &b->shadow[j] : NULL;
		int order = !x ? 1 : !y ? -1
			: x->view != y->view ? (x->view < y->view ? -1 : 1)
			: x->va != y->va ? (x->va < y->va ? -1 : 1) : 0;
		if (order < 0) {
			fprintf(d->out, "  shadow %-6s dropped va 0x%08" PRIx32 "\n",
				vmm_view_name(x->view), x->va);
			i++;
		} else if (order > 0) {
			pte_flags(fl, sizeof fl, y->pte);
			fprintf(d->out, "  shadow %-6s filled  va 0x%08" PRIx32
					" -> hpa 0x%08" PRIx32 "  %s\n",
				vmm_view_name(y->view), y->va, y->pte & PTE_FRAME_MASK, fl);
			j++;
		} else {
			if (x->pte != y->pte) {
				pte_flags(fl, sizeof fl, y->pte);
				fprintf(d->out, "  shadow %-6s changed va 0x%08" PRIx32
						": 0x%08" PRIx32 " -> 0x%08" PRIx32 "  %s\n",
					vmm_view_name(x->view), x->va, x->pte, y->pte, fl);
			}
			i++, j++;
		}
	}
}

static void print_console_bytes(struct dbg *d, const char *text, size_t len)
{
	fprintf(d->out, "  console output   \"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n')
			fprintf(d->out, "\\n");
		else if (c == '"' || c == '\\')
			fprintf(d->out, "\\%c", c);
		else if (isprint(c))
			fputc(c, d->out);
		else
			fprintf(d->out, "\\x%02x", c);
	}
	fprintf(d->out, "\"\n");
}

static void compare_snapshots(struct dbg *d, const struct snapshot *a,
			      const struct snapshot *b)
{
	static const char *const cr_names[CR_COUNT] = {
#define DBG_X_CR(name, str, doc) "vcpu." str,
		PG32_CONTROL_REGISTERS(DBG_X_CR)
#undef DBG_X_CR
	};
	for (unsigned r = 1; r < ISA_NREGS; r++) {
		if (a->cpu.x[r] != b->cpu.x[r]) {
			char name[16];
			snprintf(name, sizeof name, "vcpu.%s", isa_reg_name(r));
			print_change(d, name, a->cpu.x[r], b->cpu.x[r]);
		}
	}
	if (a->cpu.pc != b->cpu.pc)
		print_change(d, "vcpu.pc", a->cpu.pc, b->cpu.pc);
	for (unsigned c = 0; c < CR_COUNT; c++)
		if (a->cpu.cr[c] != b->cpu.cr[c])
			print_change(d, cr_names[c], a->cpu.cr[c], b->cpu.cr[c]);
	if (a->cpu.irq_lines != b->cpu.irq_lines)
		print_change(d, "irq lines", a->cpu.irq_lines, b->cpu.irq_lines);
	if (a->cpu.instret != b->cpu.instret)
		fprintf(d->out, "  %-14s %" PRIu64 " -> %" PRIu64 " (emulated: it "
				"counts as retired)\n", "vcpu.instret", a->cpu.instret,
			b->cpu.instret);
	if (a->cpu.cycles != b->cpu.cycles)
		fprintf(d->out, "  %-14s %" PRIu64 " -> %" PRIu64 "\n",
			"virtual clock", a->cpu.cycles, b->cpu.cycles);
	if (a->has_pte) {
		uint32_t now;
		if (dbg_read(d, a->vm, SPACE_GPA, a->pte_gpa, &now, 4) &&
		    now != a->pte) {
			char what[48], fa[40], fb[40];
			pte_flags(fa, sizeof fa, a->pte);
			pte_flags(fb, sizeof fb, now);
			snprintf(what, sizeof what, "guest PTE");
			fprintf(d->out, "  %-14s at gpa 0x%08" PRIx32 ": 0x%08" PRIx32
					" -> 0x%08" PRIx32 "  (%s -> %s)\n", what,
				a->pte_gpa, a->pte, now, fa, fb);
		}
	}
	if (a->view != b->view)
		fprintf(d->out, "  %-14s %s -> %s\n", "live shadow",
			vmm_view_name(a->view), vmm_view_name(b->view));
	compare_shadows(d, a, b);
	if (b->console_len > a->console_len)
		print_console_bytes(d, d->console[a->vm].text + a->console_len,
				    b->console_len - a->console_len);
}

/* Runs the waiting exit's handler and shows what it did. */
enum dbg_result step_handler(struct dbg *d)
{
	int vm;
	struct mach_exit e;
	const char *handler;
	if (!dbg_exit_waiting(d, &vm, &e, &handler))
		return dbg_error(d, "no exit is waiting for its handler (next-exit "
				"runs to one)");
	struct snapshot before, after;
	take_snapshot(d, vm, &e, &before);
	dbg_tick(d, 1);
	take_snapshot(d, vm, &e, &after);
	const struct vmm_event *ev = d->last_event;
	if (ev)
		fprintf(d->out, "%s: %s (%s); the VMM's cost: %" PRIu64 " cycles\n",
			handler, vmm_action_name(ev->action),
			action_docs[ev->action], ev->cost);
	compare_snapshots(d, &before, &after);
	if (ev && ev->action == VMM_ACT_REFLECTED)
		print_injection(d, ev);
	free(before.shadow);
	free(after.shadow);
	if (vmm_vm_state(d->v, vm) != VM_RUNNING) {
		fprintf(d->out, "vm%d stopped: %s\n", vm,
			vmm_vm_state(d->v, vm) == VM_HALTED ? "halted"
							    : vmm_vm_reason(d->v, vm));
		report_end(d);
		return DBG_OK;
	}
	fprintf(d->out, "  resume (%s):  ", (after.cpu.cr[CR_PSW] & PSW_MODE)
						? "virtual supervisor" : "virtual user");
	print_location(d, vm, after.cpu.pc);
	dbg_set_status(d, "vm%d: handler %s done, resumes at 0x%08" PRIx32, vm,
		   handler, after.cpu.pc);
	return DBG_OK;
}

/* ---- running ---------------------------------------------------------------------- */


/*
 * Runs until a stop: an exit (next-exit, or a catchpoint), a breakpoint,
 * a watchpoint, an injection (catch inject), Ctrl-C, or the end.  The
 * first tick always runs: continuing from a breakpoint leaves it.
 */
enum dbg_result run_until(struct dbg *d, enum goal goal)
{
	if (report_end(d))
		return DBG_OK;
	d->interrupted = 0;
	mark_start(d);
	bool fine = needs_fine_steps(d);
	for (;;) {
		if (d->interrupted) {
			d->interrupted = 0;
			fprintf(d->out, "interrupted\n");
			print_stop(d);
			return DBG_OK;
		}
		enum tick_result r = dbg_tick(d, fine ? 1 : UINT64_MAX);
		if (r == TICK_DONE || dbg_done(d)) {
			report_end(d);
			return DBG_OK;
		}
		if (r == TICK_EXIT && (goal == GOAL_NEXT_EXIT || catch_exit_hit(d))) {
			print_exit_block(d);
			return DBG_OK;
		}
		if (catch_inject_hit(d)) {
			print_injection(d, d->last_event);
			print_stop_here(d);
			return DBG_OK;
		}
		if (!fine)
			continue;
		uint8_t old[WATCH_MAX];
		struct stop_point *p = watch_hit(d, old);
		if (p) {
			p->hits++;
			fprintf(d->out, "watchpoint %d: %s changed:", p->id, p->spec);
			for (uint32_t i = 0; i < p->len; i++)
				fprintf(d->out, " %02x", old[i]);
			fprintf(d->out, " ->");
			for (uint32_t i = 0; i < p->len; i++)
				fprintf(d->out, " %02x", p->seen[i]);
			fprintf(d->out, "\n");
			print_stop(d);
			return DBG_OK;
		}
		if ((p = breakpoint_hit(d))) {
			p->hits++;
			if (p->temporary) {
				delete_point(d, (int)(p - d->points));
			} else {
				fprintf(d->out, "breakpoint %d, ", p->id);
			}
			print_stop_here(d);
			return DBG_OK;
		}
	}
}

/* One guest instruction of the VM that runs next. */
enum dbg_result step_one(struct dbg *d)
{
	if (report_end(d))
		return DBG_OK;
	int evm;
	struct mach_exit e;
	const char *h;
	if (dbg_exit_waiting(d, &evm, &e, &h))
		return step_handler(d);
	int vm = dbg_next_vm(d);
	struct vmm_vcpu_state before, now;
	dbg_guest_state(d, vm, &before);
	for (;;) {
		enum tick_result r = dbg_tick(d, 1);
		if (r == TICK_EXIT) {
			fprintf(d->out, "the instruction traps: a world switch out\n");
			print_exit_block(d);
			return DBG_OK;
		}
		if (r == TICK_DONE || dbg_done(d)) {
			report_end(d);
			return DBG_OK;
		}
		if (d->tick_logged && d->last_event &&
		    d->last_event->action == VMM_ACT_INJECTED) {
			print_injection(d, d->last_event);
			print_stop_here(d);
			return DBG_OK;
		}
		dbg_guest_state(d, vm, &now);
		if (now.instret != before.instret || now.traps != before.traps) {
			if (!d->v && now.traps != before.traps) {
				char cause[96];
				describe_cause(cause, sizeof cause, now.cr[CR_CAUSE]);
				fprintf(d->out, "trap: %s; the CPU enters the handler at "
						"tvec\n", cause);
			}
			print_stop_here(d);
			return DBG_OK;
		}
	}
}
