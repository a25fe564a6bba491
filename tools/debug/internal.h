/*
 * internal.h - private to debug/: the session, its stop points and the
 * snapshots step-handler compares.  session.c runs the target and keeps
 * the log; stops.c moves the run on to the next stop and prints it;
 * commands.c parses commands; view.c shows memory and page tables;
 * dot.c draws; tui.c is the full-screen front end.
 */
#ifndef TRAPEZE_DEBUG_INTERNAL_H
#define TRAPEZE_DEBUG_INTERNAL_H

#include <signal.h>

#include "debug.h"

#define LOG_KEEP 4096          /* exit records kept for `log` and the TUI */
#define CONSOLE_KEEP (64 * 1024)
#define MAX_STOP_POINTS 64
#define WATCH_MAX 64           /* bytes one watchpoint covers */

#define CATCH_MMIO (1u << 31)

enum stop_kind { STOP_BREAK, STOP_WATCH, STOP_CATCH_EXIT, STOP_CATCH_INJECT };

/* A breakpoint, watchpoint or catchpoint. */
struct stop_point {
	int id;                /* 1, 2, ...: what delete takes */
	enum stop_kind kind;
	int vm;                /* the VM it applies to; -1: any */
	uint32_t addr;         /* break: guest VA; watch: GPA */
	uint32_t len;          /* watch: bytes */
	uint8_t seen[WATCH_MAX]; /* watch: the bytes as last seen */
	uint32_t causes;       /* catch exit: bit n for cause n; bit 0
				  for interrupts, CATCH_MMIO for page
				  faults on a device page */
	bool temporary;        /* until: deleted when reached */
	uint64_t hits;
	char spec[64];         /* as the user gave it */
};

/* A VM's console output so far, for the TUI (the newest CONSOLE_KEEP
 * bytes). */
struct console_text {
	char *text;
	size_t len;
	size_t echoed; /* bytes of text already echoed to stdout */
};

struct dbg {
	struct target *t;
	struct vmm *v;         /* NULL on the bare machine */
	struct machine *m;
	bool echo;             /* console output to stdout too */
	FILE *out;
	int vm;                /* the selected VM */

	struct stop_point points[MAX_STOP_POINTS];
	int npoints, next_id;

	/* the world-switch log: a ring of the newest LOG_KEEP records */
	struct vmm_event log[LOG_KEEP];
	uint64_t nlog;
	/* exits by VM, cause row and action: one table per VM */
	uint64_t (*counts)[DBG_CAUSE_ROWS][VMM_ACT_COUNT];
	/* what the last tick logged, for catch inject */
	const struct vmm_event *last_event;
	bool tick_logged;

	/* where each VM was when the run last started: a breakpoint at
	 * that pc does not stop it again before it has moved on */
	uint32_t *start_pc;         /* one per VM */
	uint64_t *start_progress;   /* one per VM */

	volatile sig_atomic_t interrupted;
	bool ended_reported;   /* "the run has ended" said once */
	char repeat[128];      /* what an empty line repeats */
	char status[200];

	struct console_text *console; /* one per VM */
};

/* session.c: running the target */
enum tick_result { TICK_RAN, TICK_EXIT, TICK_HANDLED, TICK_DONE };
/* Advances the target by at most max_cycles of the running guest's time
 * (1: one instruction; UINT64_MAX: a VMM turn, or a batch). */
enum tick_result dbg_tick(struct dbg *d, uint64_t max_cycles);
bool dbg_done(const struct dbg *d);
/* The VM that runs next (or whose exit waits); -1 once all stopped. */
int dbg_next_vm(const struct dbg *d);
bool dbg_exit_waiting(const struct dbg *d, int *vm, struct mach_exit *exit,
		      const char **handler);

/* stops.c: running to the next stop, and what a stop prints */
enum dbg_result dbg_error(struct dbg *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dbg_set_status(struct dbg *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void print_location(struct dbg *d, int vm, uint32_t pc);
void print_exit_block(struct dbg *d);
void print_event(struct dbg *d, const struct vmm_event *e);
void print_stop_here(struct dbg *d);
int print_psw(char *buf, size_t size, uint32_t psw);
int describe_cause(char *buf, size_t size, uint32_t cause);
/* Says how the run ended, once every guest has stopped. */
bool report_end(struct dbg *d);
/* Sets the status to where VM vm stands after a run to a cycle. */
void note_cycle(struct dbg *d, int vm);

struct stop_point *add_point(struct dbg *d, enum stop_kind kind);
void delete_point(struct dbg *d, int index);
/* Where the session is stopped, so that a run leaves a breakpoint there. */
void mark_start(struct dbg *d);
struct stop_point *breakpoint_hit(struct dbg *d);

enum goal { GOAL_CONTINUE, GOAL_NEXT_EXIT };
enum dbg_result run_until(struct dbg *d, enum goal goal);
enum dbg_result step_one(struct dbg *d);
enum dbg_result step_handler(struct dbg *d);

/* view.c: memory and page tables as a student asks for them */
enum space { SPACE_GVA, SPACE_GPA, SPACE_HPA };
/* Reads len bytes at addr in the given space, as VM vm sees it now. */
bool dbg_read(struct dbg *d, int vm, enum space sp, uint32_t addr, void *buf,
	      uint32_t len);
/* GVA -> GPA the way the VM's next load would go (no side effect). */
bool dbg_gva_to_gpa(struct dbg *d, int vm, uint32_t va, uint32_t *gpa,
		    uint32_t *cause);
void cmd_translate_va(struct dbg *d, int vm, uint32_t va);
void cmd_info_pagetable(struct dbg *d, int vm, bool one, uint32_t va);
void cmd_info_shadow(struct dbg *d, int vm, bool one, uint32_t va);
void cmd_info_vmcs(struct dbg *d, int vm);
/* --hw: the VM's VMCS with the guest state of now; false without one. */
bool current_vmcs(struct dbg *d, int vm, struct mach_vmcs *s);
void cmd_info_tlb(struct dbg *d);
int pte_flags(char *buf, size_t size, uint32_t pte);

/* The shadow PTEs of a VM, all views, for step-handler's comparison. */
struct shadow_entry {
	uint8_t view;
	uint32_t va;
	uint32_t pte;
};
int collect_shadows(struct dbg *d, int vm, struct shadow_entry **out);

#endif
