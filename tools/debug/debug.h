/*
 * debug.h - the trapeze debugger: one session over a target (the bare
 * machine, or the VMM and its VMs, as tools/target.h makes them).
 *
 * The session is the whole debugger; its front ends only feed it command
 * lines: line mode on readline and batch mode (tools/cmd_debug.c), and
 * the full-screen mode (tui.c).  Every command prints to the
 * session's output, so what a student sees in line mode, what a TA's
 * script gets in batch mode and what the TUI shows in its command window
 * are the same text.
 *
 * Stepping never perturbs the run: the session advances the VMM with
 * vmm_tick, which keeps the scheduler's state, so the guests print the
 * same bytes and the VMM logs the same exits as under `trapeze run`.
 */
#ifndef TRAPEZE_DEBUG_H
#define TRAPEZE_DEBUG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../target.h"

struct dbg;

/* A session over an opened target (which it does not own).  echo: the
 * guests' console output also goes to stdout as `trapeze run` prints it
 * (line and batch modes; the TUI shows it in its own windows). */
struct dbg *dbg_new(struct target *t, bool echo);
void dbg_free(struct dbg *d);

/* Where commands print (stdout unless set); returns the previous one. */
FILE *dbg_set_output(struct dbg *d, FILE *out);

/* Whether the guests' console output is echoed to stdout (line and
 * batch modes; off while the TUI shows it).  Turning it back on does not
 * replay what came meanwhile.  Returns the previous setting. */
bool dbg_set_echo(struct dbg *d, bool on);

enum dbg_result {
	DBG_OK,
	DBG_ERROR, /* a one-line error was printed; the session goes on */
	DBG_QUIT,  /* quit */
};
/* Runs one command line.  An empty line repeats the last stepping
 * command, as in gdb. */
enum dbg_result dbg_execute(struct dbg *d, const char *line);

/* Stops a running continue at the next instruction boundary.  Safe to
 * call from a signal handler (it only sets a flag). */
void dbg_interrupt(struct dbg *d);

/* Runs until VM vm's clock (the machine's on the bare machine) reaches
 * cycle, or the VM stops (trapeze dot --at-cycle). */
void dbg_run_to_cycle(struct dbg *d, int vm, uint64_t cycle);

/* Has every guest stopped?  Then *status is what `trapeze run` would
 * have exited with. */
bool dbg_finished(const struct dbg *d, int *status);

/* Readline-style completion: the state-th name (commands, symbols,
 * register and control-register names, subcommands) that starts with
 * text, or NULL after the last. */
const char *dbg_complete(struct dbg *d, const char *text, int state);

/* ---- What the full-screen mode shows ---------------------------------- */

bool dbg_is_vmm(const struct dbg *d);
int dbg_vm_count(const struct dbg *d);
int dbg_selected_vm(const struct dbg *d);

/* The guest's CPU as it sees it: the vCPU under the VMM, the CPU on the
 * bare machine. */
void dbg_guest_state(const struct dbg *d, int vm, struct vmm_vcpu_state *st);
/* The real CPU (under the VMM it holds the guest that ran last, in real
 * user mode). */
const struct cpu *dbg_real_cpu(const struct dbg *d);

/* The guest's instruction word at a virtual address, read the way its
 * fetch would translate it now (no side effect); false if unmapped. */
bool dbg_read_code(struct dbg *d, int vm, uint32_t va, uint32_t *word);
/* "name" or "name+0x1c" for an address in the VM's image, or NULL. */
const char *dbg_symbolize(struct dbg *d, int vm, uint32_t addr, char *buf,
			  size_t size);
/* Is there a breakpoint at addr for this VM? */
bool dbg_has_breakpoint(const struct dbg *d, int vm, uint32_t addr);

/* The world-switch log: dbg_log_count() records kept (the newest last),
 * record i of them; NULL if out of range. */
int dbg_log_count(const struct dbg *d);
const struct vmm_event *dbg_log_get(const struct dbg *d, int i);

/* A VM's console output so far (at most the last 64 KiB). */
const char *dbg_console(const struct dbg *d, int vm, size_t *len);

/* One line that says where the session stands, e.g. "vm0 stopped at
 * exit #12 (PRIV) before emulate_privileged". */
const char *dbg_status(const struct dbg *d);

/* ---- Diagrams (dot.c) ------------------------------------------- */

/* Writes a graphviz digraph: the guest's page table of VM vm, the VMM's
 * shadows and the host frames they reach, edges labelled with the PTE
 * flags; under --hw the nested table instead of the shadows, and the 2-D
 * walk of a load at *walk_va (walk_va NULL: of a fetch at the guest's
 * pc).  Returns 0, or -1 with a one-line reason in err (a walk_va
 * without nested paging, say). */
int dbg_dot_pagetables(struct dbg *d, int vm, const uint32_t *walk_va,
		       FILE *f, char *err, size_t errsize);
/* A guest-virtual address of VM vm as the debugger's commands take it:
 * a number, SYMBOL[+OFF] or $REG; false if s is none. */
bool dbg_parse_va(struct dbg *d, int vm, const char *s, uint32_t *va);
/* Writes a graphviz digraph of the exits so far: exit causes -> handlers
 * -> what they did, edges weighted by count. */
int dbg_dot_exits(struct dbg *d, FILE *f, char *err, size_t errsize);

/* What dot.c needs: the exits counted by cause row and action.  Rows 0
 * to CAUSE_COUNT - 1 are exception causes, CAUSE_COUNT + irq injected
 * interrupts. */
#define DBG_CAUSE_ROWS (CAUSE_COUNT + IRQ_COUNT)
uint64_t dbg_exit_count(const struct dbg *d, int vm, int row,
			enum vmm_action action);
const char *dbg_row_name(int row);    /* "PRIV", "TIMER" */
const char *dbg_row_handler(int row); /* the handler of that cause */
struct target *dbg_target(struct dbg *d);

/* ---- The full-screen mode (tui.c) ------------------------------- */

/* Runs the session full-screen until quit (or `layout line`, which
 * returns to line mode: then the result is DBG_OK).  Needs a terminal. */
enum dbg_result dbg_tui(struct dbg *d);

#endif
