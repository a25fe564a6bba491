/*
 * session.c - a debugging session: the target, advanced in ticks, and
 * what the session remembers of the run (the exit log, the consoles).
 *
 * Under the VMM a tick is vmm_tick: the VMM's own scheduler decides which
 * VM runs, so stopping anywhere changes nothing the guests can see.  On
 * the bare machine a tick is one instruction (fine) or a batch.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A coarse tick on the bare machine: short enough that Ctrl-C answers
 * at once, long enough to cost nothing. */
#define NATIVE_BATCH 100000

/* ---- console output and the event log ------------------------------------ */

/* Echoes what is not yet echoed (line and batch modes).  Whole lines
 * only, unless at the end: the debugger's own lines never start in the
 * middle of a guest's. */
static void echo_console(struct dbg *d, int vm, bool all)
{
	struct console_text *c = &d->console[vm];
	size_t end = c->len;
	if (!all)
		while (end > c->echoed && c->text[end - 1] != '\n')
			end--;
	for (; c->echoed < end; c->echoed++)
		target_output_stdout(d->t, vm, (uint8_t)c->text[c->echoed]);
	fflush(stdout);
}

static void console_output(void *ctx, int vm, uint8_t byte)
{
	struct dbg *d = ctx;
	struct console_text *c = &d->console[vm];
	if (!c->text && !(c->text = malloc(CONSOLE_KEEP)))
		return;
	if (c->len == CONSOLE_KEEP) { /* keep the newest half */
		if (d->echo)
			echo_console(d, vm, true);
		memmove(c->text, c->text + CONSOLE_KEEP / 2, CONSOLE_KEEP / 2);
		c->len = CONSOLE_KEEP / 2;
		c->echoed = c->echoed > CONSOLE_KEEP / 2 ? c->echoed - CONSOLE_KEEP / 2 : 0;
	}
	c->text[c->len++] = (char)byte;
	if (d->echo && byte == '\n')
		echo_console(d, vm, false);
}

/* Rows of the exit counts: exception causes, then interrupts. */
static int cause_row(uint32_t cause)
{
	if (cause & CAUSE_INTERRUPT) {
		uint32_t irq = cause & CAUSE_CODE_MASK;
		return irq < IRQ_COUNT ? CAUSE_COUNT + (int)irq : 0;
	}
	uint32_t code = cause & CAUSE_CODE_MASK;
	return code < CAUSE_COUNT ? (int)code : 0;
}

static void on_event(void *ctx, const struct vmm_event *e)
{
	struct dbg *d = ctx;
	if (d->t->trace) /* --trace writes what `trapeze run` would */
		target_trace_event(d->t->trace, e);
	struct vmm_event *slot = &d->log[d->nlog++ % LOG_KEEP];
	*slot = *e;
	d->last_event = slot;
	d->tick_logged = true;
	if (e->vm >= 0 && e->vm < d->t->nvms && e->action < VMM_ACT_COUNT)
		d->counts[e->vm][cause_row(e->cause)][e->action]++;
}

/* ---- the session -------------------------------------------------------------- */

/* The session and its tables of one entry per VM. */
static void free_tables(struct dbg *d)
{
	free(d->counts);
	free(d->start_pc);
	free(d->start_progress);
	free(d->console);
	free(d);
}

struct dbg *dbg_new(struct target *t, bool echo)
{
	struct dbg *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	size_t n = t->nvms > 0 ? (size_t)t->nvms : 1;
	d->counts = calloc(n, sizeof *d->counts);
	d->start_pc = calloc(n, sizeof *d->start_pc);
	d->start_progress = calloc(n, sizeof *d->start_progress);
	d->console = calloc(n, sizeof *d->console);
	if (!d->counts || !d->start_pc || !d->start_progress || !d->console) {
		free_tables(d);
		return NULL;
	}
	d->t = t;
	d->v = t->v;
	d->m = t->m;
	d->echo = echo;
	d->out = stdout;
	d->next_id = 1;
	t->output = console_output;
	t->output_ctx = d;
	snprintf(d->status, sizeof d->status, "stopped before the first "
		 "instruction");
	if (d->v)
		vmm_on_event(d->v, on_event, d);
	return d;
}

void dbg_free(struct dbg *d)
{
	if (!d)
		return;
	if (d->v)
		vmm_on_event(d->v, NULL, NULL);
	for (int i = 0; d->echo && i < d->t->nvms; i++)
		echo_console(d, i, true);
	d->t->output = target_output_stdout;
	d->t->output_ctx = d->t;
	for (int i = 0; i < d->t->nvms; i++)
		free(d->console[i].text);
	free_tables(d);
}

FILE *dbg_set_output(struct dbg *d, FILE *out)
{
	FILE *old = d->out;
	d->out = out ? out : stdout;
	return old;
}

bool dbg_set_echo(struct dbg *d, bool on)
{
	bool old = d->echo;
	if (on && !old)
		for (int i = 0; i < d->t->nvms; i++)
			d->console[i].echoed = d->console[i].len;
	d->echo = on;
	return old;
}

void dbg_interrupt(struct dbg *d)
{
	d->interrupted = 1;
}

/* ---- advancing ----------------------------------------------------------------- */

enum tick_result dbg_tick(struct dbg *d, uint64_t max_cycles)
{
	d->tick_logged = false;
	d->last_event = NULL;
	if (d->v) {
		switch (vmm_tick(d->v, max_cycles)) {
		case VMM_TICK_RAN: return TICK_RAN;
		case VMM_TICK_EXIT: return TICK_EXIT;
		case VMM_TICK_HANDLED: return TICK_HANDLED;
		case VMM_TICK_DONE: return TICK_DONE;
		}
	}
	if (d->t->native_done)
		return TICK_DONE;
	if (max_cycles == 1)
		target_native_step(d->t);
	else
		target_native_run(d->t, max_cycles < NATIVE_BATCH ? max_cycles
								    : NATIVE_BATCH);
	return TICK_RAN;
}

void dbg_run_to_cycle(struct dbg *d, int vm, uint64_t cycle)
{
	for (;;) {
		struct vmm_vcpu_state st;
		dbg_guest_state(d, vm, &st);
		if (st.cycles >= cycle || dbg_done(d) ||
		    (d->v && vmm_vm_state(d->v, vm) != VM_RUNNING)) {
			/* not between an exit and its handler: the state is
			 * then what the bare machine's would be */
			int w;
			struct mach_exit e;
			const char *h;
			if (dbg_exit_waiting(d, &w, &e, &h))
				dbg_tick(d, 1);
			note_cycle(d, vm);
			return;
		}
		/* another VM's turn may come first: at most a quantum each */
		dbg_tick(d, cycle - st.cycles);
	}
}

bool dbg_done(const struct dbg *d)
{
	if (d->v)
		return vmm_turn(d->v) < 0;
	return d->t->native_done;
}

bool dbg_finished(const struct dbg *d, int *status)
{
	if (!dbg_done(d))
		return false;
	*status = target_status(d->t);
	return true;
}

int dbg_next_vm(const struct dbg *d)
{
	if (d->v)
		return vmm_turn(d->v);
	return d->t->native_done ? -1 : 0;
}

bool dbg_exit_waiting(const struct dbg *d, int *vm, struct mach_exit *exit,
		      const char **handler)
{
	return d->v && vmm_pending_exit(d->v, vm, exit, handler);
}

/* ---- what the front ends show ---------------------------------------------------- */

bool dbg_is_vmm(const struct dbg *d)
{
	return d->v != NULL;
}

int dbg_vm_count(const struct dbg *d)
{
	return d->t->nvms;
}

int dbg_selected_vm(const struct dbg *d)
{
	return d->vm;
}

struct target *dbg_target(struct dbg *d)
{
	return d->t;
}

void dbg_guest_state(const struct dbg *d, int vm, struct vmm_vcpu_state *st)
{
	if (d->v) {
		vmm_vm_vcpu(d->v, vm, st);
		return;
	}
	const struct cpu *c = mach_cpu(d->m);
	memcpy(st->x, c->x, sizeof st->x);
	st->pc = c->pc;
	memcpy(st->cr, c->cr, sizeof st->cr);
	struct mach_stats ms;
	mach_get_stats(d->m, &ms);
	st->cycles = ms.cycles;
	st->instret = ms.instret;
	st->traps = ms.traps + ms.interrupts;
	st->irq_lines = 0;
}

const struct cpu *dbg_real_cpu(const struct dbg *d)
{
	return mach_cpu(d->m);
}

bool dbg_read_code(struct dbg *d, int vm, uint32_t va, uint32_t *word)
{
	if (d->v) {
		uint32_t gpa, cause;
		struct vmm_vcpu_state st;
		vmm_vm_vcpu(d->v, vm, &st);
		if (!(st.cr[CR_PSW] & PSW_PG)) {
			gpa = va;
		} else {
			uint32_t pte, pte_gpa;
			cause = vmm_vm_walk(d->v, vm, va, CAUSE_ACCESS_FETCH,
					    !(st.cr[CR_PSW] & PSW_MODE), &gpa,
					    &pte, &pte_gpa);
			if (cause != CAUSE_NONE)
				return false;
		}
		return vmm_vm_read(d->v, vm, gpa, word, 4);
	}
	uint32_t pa;
	if (mach_translate(d->m, va, CAUSE_ACCESS_FETCH, &pa) != CAUSE_NONE)
		return false;
	return mach_phys_read(d->m, pa, word, 4);
}

const char *dbg_symbolize(struct dbg *d, int vm, uint32_t addr, char *buf,
			  size_t size)
{
	return elf_symbolize(&d->t->images[vm], addr, buf, size);
}

bool dbg_has_breakpoint(const struct dbg *d, int vm, uint32_t addr)
{
	for (int i = 0; i < d->npoints; i++) {
		const struct stop_point *p = &d->points[i];
		if (p->kind == STOP_BREAK && p->addr == addr &&
		    (p->vm < 0 || p->vm == vm))
			return true;
	}
	return false;
}

int dbg_log_count(const struct dbg *d)
{
	return d->nlog < LOG_KEEP ? (int)d->nlog : LOG_KEEP;
}

const struct vmm_event *dbg_log_get(const struct dbg *d, int i)
{
	int n = dbg_log_count(d);
	if (i < 0 || i >= n)
		return NULL;
	return &d->log[(d->nlog - (uint64_t)n + (uint64_t)i) % LOG_KEEP];
}

const char *dbg_console(const struct dbg *d, int vm, size_t *len)
{
	*len = d->console[vm].len;
	return d->console[vm].text ? d->console[vm].text : "";
}

uint64_t dbg_exit_count(const struct dbg *d, int vm, int row,
			enum vmm_action action)
{
	if (vm < 0 || vm >= d->t->nvms || row < 0 || row >= DBG_CAUSE_ROWS ||
	    action >= VMM_ACT_COUNT)
		return 0;
	return d->counts[vm][row][action];
}

const char *dbg_row_name(int row)
{
	if (row >= CAUSE_COUNT && row < DBG_CAUSE_ROWS)
		return isa_cause_name(CAUSE_INTERRUPT | (uint32_t)(row - CAUSE_COUNT));
	const char *name = row > 0 && row < CAUSE_COUNT
				   ? isa_cause_name((uint32_t)row) : NULL;
	return name ? name : "?";
}

const char *dbg_row_handler(int row)
{
	if (row >= CAUSE_COUNT)
		return vmm_handler_name(CAUSE_INTERRUPT);
	return vmm_handler_name((uint32_t)row);
}

const char *dbg_status(const struct dbg *d)
{
	return d->status;
}
