/*
 * tui.c - the debugger full-screen: `trapeze debug --tui`, or `layout tui`.
 *
 * Only another front end of the session (debug.h): a key becomes a
 * command line for dbg_execute, whose output is captured into the output
 * window.  Between commands the screen shows the session's state:
 *
 *   status: where the session stands
 *   code around the pc         | registers: real CPU, vCPU
 *   world-switch log, the newest at the bottom
 *   console of vm0 (vm1, ...)  | output of the commands
 *   :the command being typed
 *   footer: the keys
 *
 * The screen is redrawn whole after every key, so a resize only has to
 * recompute the rectangles (layout()).  Kept here is only what the
 * session does not keep: the state at the previous stop (to highlight
 * what changed), the command being typed and the transcript.
 */
#include <ctype.h>
#include <errno.h>
#include <ncurses.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug.h"
#include "../isa/isa.h"

/* One window: rows y..y+h-1, columns x..x+w-1 of the screen. */
struct rect {
	int y, x, h, w;
};

struct layout {
	struct rect status, code, regs, log, console, output, cmd, footer;
};

/* What the session looked like at one stop. */
struct snapshot {
	struct cpu real;
	struct vmm_vcpu_state guest[MAX_IMAGES];
	uint64_t next_seq; /* seq of the next world switch to be logged */
	char status[256];
};

#define TRANSCRIPT_MAX (64 * 1024)
#define CODE_ROWS 256 /* at most this many lines of code are shown */

struct tui {
	struct dbg *d;
	bool vmm;
	int nvms;
	struct snapshot now, prev; /* prev: the stop before now */
	char line[256];            /* the command being typed */
	size_t len;
	bool typing;
	char *transcript; /* ": command\n" and its output, for each command */
	size_t tlen;
	size_t mark;      /* where the last command starts in it */
	bool follow;      /* show the last command from its start */
	int back;         /* else: rows the output window is scrolled back */
	attr_t a_title, a_changed, a_pc, a_bp, a_new;
};

/* The keys that act at once when no command is being typed. */
static const struct {
	int key;
	const char *command;
} keys[] = {
	{'s', "stepi"},    {'n', "next-exit"}, {'h', "step-handler"},
	{'c', "continue"}, {'q', "quit"},
};

/* ---- Layout ------------------------------------------------------------ */

/* The register window: two columns of "name real vcpu" (vmm) or of
 * "name cpu" (bare machine), 13 rows under a header row. */
#define REGS_ROWS 14
#define REGS_LEFT_NAME 5  /* "cause" */
#define REGS_RIGHT_NAME 7 /* "scratch" */

/* The width of a register column whose names are name_w wide. */
static int regs_col_w(const struct tui *t, int name_w)
{
	return name_w + 1 + (t->vmm ? 17 : 8); /* "00000000 00000000" */
}

/*
 * Cuts the screen (lines x cols) into the windows.  80x24 is the size to
 * design for: three fixed rows (status, command, footer), 14 rows of code
 * and registers, 3 of log, 4 of console and output.  Extra rows are
 * shared out among code, log and output; extra columns go to the code
 * (the registers have a fixed width) and to the log, which is full width.
 */
static void layout(const struct tui *t, int lines, int cols, struct layout *l)
{
	int avail = lines - 3 > 0 ? lines - 3 : 0;
	int regs_w = regs_col_w(t, REGS_LEFT_NAME) + 1 +
		     regs_col_w(t, REGS_RIGHT_NAME);
	int top, logh;

	if (avail >= 21) {
		int extra = avail - 21;
		top = REGS_ROWS + extra / 4;
		logh = 3 + extra * 3 / 8;
	} else { /* too small: shrink everything alike */
		top = avail * 2 / 3;
		logh = avail / 7;
	}
	if (!t->vmm) /* no world switches on the bare machine */
		logh = 0;
	if (regs_w > cols - 24) /* a narrow screen: leave the code some room */
		regs_w = cols - 24 > 0 ? cols - 24 : 0;

	l->status = (struct rect){0, 0, 1, cols};
	l->code = (struct rect){1, 0, top, cols - regs_w - 1};
	l->regs = (struct rect){1, cols - regs_w, top, regs_w};
	l->log = (struct rect){1 + top, 0, logh, cols};
	/* The output is at least as wide as the registers, above which it
	 * lines up: on 80 columns that is the wider half. */
	int y = 1 + top + logh, h = avail - top - logh;
	int out_w = cols / 2 > regs_w ? cols / 2 : regs_w;
	l->console = (struct rect){y, 0, h, cols - out_w - 1};
	l->output = (struct rect){y, cols - out_w, h, out_w};
	l->cmd = (struct rect){lines - 2, 0, 1, cols};
	l->footer = (struct rect){lines - 1, 0, 1, cols};
}

/* ---- Drawing helpers --------------------------------------------------- */

/* Writes s at row y, column x of r, cut at r's right edge. */
static void put(const struct rect *r, int y, int x, attr_t a, const char *s)
{
	if (y < 0 || y >= r->h || x >= r->w)
		return;
	attron(a);
	mvaddnstr(r->y + y, r->x + x, s, r->w - x);
	attroff(a);
}

/* A window's title: one row in the title attribute across its width. */
static void title(const struct tui *t, const struct rect *r, int y,
		  const char *s)
{
	if (y >= r->h || r->w <= 0)
		return;
	mvhline(r->y + y, r->x, ' ' | t->a_title, r->w);
	put(r, y, 1, t->a_title, s);
}

/*
 * Lays text out in rows w wide, long lines wrapped, and draws rows first
 * to first+h-1 of them at rows y0.. of r (r NULL: draws nothing).  A
 * final newline ends the last line; it does not start a new one.  Guest
 * bytes that do not print show as '.', so a row is as wide as counted.
 * Returns the number of rows of the whole text.
 */
static int wrap(const char *text, size_t len, int w, const struct rect *r,
		int y0, int first, int h)
{
	char buf[512];
	int row = 0;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	for (size_t i = 0, start = 0; i <= len; i++) {
		if (i != len && text[i] != '\n')
			continue;
		size_t n = i - start, off = 0;
		do { /* one row per w bytes of the line */
			size_t k = n - off < (size_t)w ? n - off : (size_t)w;
			if (r && row >= first && row < first + h) {
				k = k < sizeof buf ? k : sizeof buf - 1;
				for (size_t j = 0; j < k; j++) {
					unsigned char c = text[start + off + j];
					buf[j] = c == '\t' || c == '\r' ? ' '
						 : isprint(c)		 ? (char)c
									 : '.';
				}
				buf[k] = '\0';
				put(r, y0 + row - first, 0, A_NORMAL, buf);
			}
			off += k;
			row++;
		} while (off < n);
		start = i + 1;
	}
	return row;
}

/* Shows the end of text in rows y0..y0+h-1 of r, back rows up from it. */
static void show_tail(const struct rect *r, int y0, int h, const char *text,
		      size_t len, int back)
{
	if (r->w <= 0 || h <= 0)
		return;
	int first = wrap(text, len, r->w, NULL, 0, 0, 0) - h - back;
	wrap(text, len, r->w, r, y0, first > 0 ? first : 0, h);
}

/* ---- The windows ------------------------------------------------------- */

/* Makes every run of spaces in s one space. */
static void squeeze(char *s)
{
	char *out = s;
	for (const char *p = s; *p; p++)
		if (*p != ' ' || out == s || out[-1] != ' ')
			*out++ = *p;
	*out = '\0';
}

/* isa_disassemble's symbolizer: branch targets by the session's symbols. */
struct symctx {
	struct dbg *d;
	int vm;
	char buf[64];
};

static const char *symbolize(void *ctx, uint32_t addr)
{
	struct symctx *s = ctx;
	return dbg_symbolize(s->d, s->vm, addr, s->buf, sizeof s->buf);
}

/*
 * The guest code around its pc: a third of the window above it, the
 * rest below.  A symbol that starts at an address gets its own "name:"
 * row, as in a listing.  '>' marks the pc, '*' a breakpoint.
 */
static void draw_code(struct tui *t, const struct rect *r)
{
	int vm = dbg_selected_vm(t->d);
	uint32_t pc = t->now.guest[vm].pc;
	struct symctx sc = {.d = t->d, .vm = vm};
	char buf[160], sym[64];

	snprintf(buf, sizeof buf, "code%s%.0d  pc %08x %s",
		 t->vmm ? "  vm" : "", vm, pc,
		 dbg_symbolize(t->d, vm, pc, sym, sizeof sym) ? sym : "");
	title(t, r, 0, buf);
	int h = r->h - 1;
	if (h <= 0)
		return;
	if (h > CODE_ROWS / 2)
		h = CODE_ROWS / 2;

	/* First lay the rows out (an address, and whether it is its label
	 * row), then show the h of them that put the pc a third down. */
	struct code_row {
		uint32_t addr;
		bool label;
	} rows[CODE_ROWS];
	int n = 0, ipc = -1;
	uint32_t before = 4u * (uint32_t)(h / 3);
	uint32_t a = (pc >= before ? pc - before : 0) & ~3u;
	while (n < CODE_ROWS - 1 && (ipc < 0 || n - ipc < h)) {
		const char *s = dbg_symbolize(t->d, vm, a, sym, sizeof sym);
		if (s && !strchr(s, '+'))
			rows[n++] = (struct code_row){a, true};
		if (a == pc)
			ipc = n;
		rows[n++] = (struct code_row){a, false};
		if (a > UINT32_MAX - 4)
			break;
		a += 4;
	}
	int first = ipc - h / 3 > 0 ? ipc - h / 3 : 0;

	for (int i = first; i < n && i - first < h; i++) {
		int y = 1 + i - first;
		uint32_t word, addr = rows[i].addr;
		if (rows[i].label) {
			dbg_symbolize(t->d, vm, addr, sym, sizeof sym);
			snprintf(buf, sizeof buf, "%s:", sym);
			put(r, y, 0, A_BOLD, buf);
			continue;
		}
		char dis[96] = "(unmapped)";
		if (dbg_read_code(t->d, vm, addr, &word))
			isa_disassemble(word, addr, dis, sizeof dis, symbolize,
					&sc);
		if (r->w < 40) /* narrow: drop the padding after the mnemonic */
			squeeze(dis);
		bool bp = dbg_has_breakpoint(t->d, vm, addr);
		snprintf(buf, sizeof buf, "%c%c%08x %s", addr == pc ? '>' : ' ',
			 bp ? '*' : ' ', addr, dis);
		put(r, y, 0, addr == pc ? t->a_pc : A_NORMAL, buf);
		if (bp)
			put(r, y, 1, t->a_bp, "*");
	}
}

/* One register value, highlighted if it changed since the previous stop. */
static void draw_value(const struct tui *t, const struct rect *r, int y,
		       int x, uint32_t v, uint32_t old)
{
	char buf[16];
	snprintf(buf, sizeof buf, "%08x", v);
	put(r, y, x, v != old ? t->a_changed : A_NORMAL, buf);
}

/*
 * The real CPU next to the selected VM's vCPU.  Under the VMM they differ
 * exactly where trap-and-emulate works: the real CPU runs the guest in
 * user mode on the shadow page table, the vCPU holds the mode, PTBR and
 * trap registers the guest believes it has.
 */
static void draw_regs(struct tui *t, const struct rect *r)
{
	int vm = dbg_selected_vm(t->d);
	const struct cpu *real = &t->now.real, *oreal = &t->prev.real;
	const struct vmm_vcpu_state *g = &t->now.guest[vm];
	const struct vmm_vcpu_state *og = &t->prev.guest[vm];
	int namew[2] = {REGS_LEFT_NAME, REGS_RIGHT_NAME};
	int colx[2] = {0, regs_col_w(t, REGS_LEFT_NAME) + 1};
	char buf[64];

	title(t, r, 0, "");
	for (int c = 0; c < 2; c++) {
		if (t->vmm)
			snprintf(buf, sizeof buf, "%*s real cpu vm%d vcpu",
				 namew[c], "", vm);
		else
			snprintf(buf, sizeof buf, "%*s cpu", namew[c], "");
		put(r, 0, colx[c], t->a_title, buf);
	}

	/* 25 rows of values: r0-r15, pc and the control registers; the left
	 * column takes r0-r7, pc, psw, epc, epsw, cause, the right one
	 * r8-r15 and the rest. */
	for (int i = 0; i < ISA_NREGS + 1 + CR_COUNT; i++) {
		const char *name;
		uint32_t rv, orv, gv, ogv;
		int c, y;
		if (i < ISA_NREGS) {
			name = isa_reg_name((unsigned)i);
			rv = real->x[i], orv = oreal->x[i];
			gv = g->x[i], ogv = og->x[i];
			c = i / 8, y = i % 8;
		} else if (i == ISA_NREGS) {
			name = "pc";
			rv = real->pc, orv = oreal->pc, gv = g->pc, ogv = og->pc;
			c = 0, y = 8;
		} else {
			int cr = i - ISA_NREGS - 1;
			name = isa_cr_name((unsigned)cr);
			rv = real->cr[cr], orv = oreal->cr[cr];
			gv = g->cr[cr], ogv = og->cr[cr];
			c = cr < 4 ? 0 : 1, y = cr < 4 ? 9 + cr : 8 + cr - 4;
		}
		put(r, 1 + y, colx[c], A_NORMAL, name);
		if (t->vmm) {
			draw_value(t, r, 1 + y, colx[c] + namew[c] + 1, rv, orv);
			draw_value(t, r, 1 + y, colx[c] + namew[c] + 10, gv, ogv);
		} else {
			draw_value(t, r, 1 + y, colx[c] + namew[c] + 1, gv, ogv);
		}
	}
}

/* The world switches, one a line, the newest at the bottom; those of the
 * last stop in bold. */
static void draw_log(struct tui *t, const struct rect *r)
{
	int count = dbg_log_count(t->d);
	char buf[192];

	snprintf(buf, sizeof buf, "world switches  (%llu so far)",
		 (unsigned long long)t->now.next_seq);
	title(t, r, 0, buf);
	int h = r->h - 1, first = count - h > 0 ? count - h : 0;
	for (int i = first; i < count; i++) {
		const struct vmm_event *e = dbg_log_get(t->d, i);
		if (!e)
			continue;
		const char *cause = isa_cause_name(e->cause);
		snprintf(buf, sizeof buf,
			 "#%-5llu vm%d %-10s %08x %-20s %-11s -> %08x",
			 (unsigned long long)e->seq, e->vm, cause ? cause : "?",
			 e->pc, e->handler ? e->handler : "-",
			 vmm_action_name(e->action), e->resume_pc);
		put(r, 1 + i - first, 0,
		    e->seq >= t->prev.next_seq ? t->a_new : A_NORMAL, buf);
	}
}

/* Each VM's console, the area split into columns (or rows, when the
 * columns would be too narrow to read). */
static void draw_consoles(struct tui *t, const struct rect *r)
{
	int n = t->nvms;
	bool cols = r->w / n >= 24;
	char buf[32];

	for (int vm = 0; vm < n; vm++) {
		struct rect c = *r;
		if (cols) {
			c.x = r->x + vm * r->w / n;
			c.w = (vm + 1) * r->w / n - vm * r->w / n - (vm < n - 1);
		} else {
			c.y = r->y + vm * r->h / n;
			c.h = (vm + 1) * r->h / n - vm * r->h / n;
		}
		size_t len;
		const char *text = dbg_console(t->d, vm, &len);
		snprintf(buf, sizeof buf, "vm%d console", vm);
		title(t, &c, 0, n > 1 || t->vmm ? buf : "console");
		show_tail(&c, 1, c.h - 1, text ? text : "", text ? len : 0, 0);
	}
}

static void draw_output(struct tui *t, const struct rect *r)
{
	int h = r->h - 1;
	if (r->w <= 0 || h <= 0 || !t->transcript)
		return;
	/* A long output is shown from its start, not its end: the first
	 * lines of `info vcpu` say what the rest is. */
	if (t->follow) {
		int rows = wrap(t->transcript + t->mark, t->tlen - t->mark, r->w,
				NULL, 0, 0, 0);
		t->back = rows > h ? rows - h : 0;
	}
	/* Keep the scrolling within the text, whatever the window size. */
	int most = wrap(t->transcript, t->tlen, r->w, NULL, 0, 0, 0) - h;
	if (t->back > most)
		t->back = most > 0 ? most : 0;
	title(t, r, 0, t->back ? "output  (PgDn: more)" : "output");
	show_tail(r, 1, h, t->transcript, t->tlen, t->back);
}

/* The whole screen, from the session's state. */
static void draw(struct tui *t)
{
	struct layout l;
	char buf[512];

	layout(t, LINES, COLS, &l);
	erase();
	mvhline(0, 0, ' ' | A_REVERSE, COLS);
	put(&l.status, 0, 0, A_REVERSE, t->now.status);
	draw_code(t, &l.code);
	draw_regs(t, &l.regs);
	if (l.log.h > 0)
		draw_log(t, &l.log);
	draw_consoles(t, &l.console);
	draw_output(t, &l.output);

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t k = strlen(buf);
		snprintf(buf + k, sizeof buf - k, "%c %s  ", keys[i].key,
			 keys[i].command);
	}
	strcat(buf, ": command");
	if ((int)strlen(buf) + 20 <= COLS)
		strcat(buf, "  PgUp/PgDn output");
	mvhline(l.footer.y, 0, ' ' | A_REVERSE, COLS);
	put(&l.footer, 0, 0, A_REVERSE, buf);

	if (t->typing) {
		snprintf(buf, sizeof buf, ":%s", t->line);
		/* A line longer than the screen shows its end. */
		int skip = (int)strlen(buf) - (COLS - 1);
		put(&l.cmd, 0, 0, A_NORMAL, buf + (skip > 0 ? skip : 0));
		curs_set(1);
		move(l.cmd.y, (int)strlen(buf) - (skip > 0 ? skip : 0));
	} else {
		curs_set(0);
	}
	refresh();
}

/* ---- Running commands -------------------------------------------------- */

static void snapshot(const struct tui *t, struct snapshot *s)
{
	memset(s, 0, sizeof *s);
	s->real = *dbg_real_cpu(t->d);
	for (int vm = 0; vm < t->nvms; vm++)
		dbg_guest_state(t->d, vm, &s->guest[vm]);
	int n = dbg_log_count(t->d);
	const struct vmm_event *e = n > 0 ? dbg_log_get(t->d, n - 1) : NULL;
	s->next_seq = e ? e->seq + 1 : 0;
	snprintf(s->status, sizeof s->status, "%s", dbg_status(t->d));
}

/* Did the session move between two snapshots?  (A command such as `info
 * vcpu` does not: the highlights of the last stop then stay.) */
static bool moved(const struct tui *t, const struct snapshot *a,
		  const struct snapshot *b)
{
	if (a->next_seq != b->next_seq || strcmp(a->status, b->status) ||
	    memcmp(&a->real, &b->real, sizeof a->real))
		return true;
	for (int vm = 0; vm < t->nvms; vm++) {
		const struct vmm_vcpu_state *x = &a->guest[vm], *y = &b->guest[vm];
		/* Field by field: the struct has padding. */
		if (memcmp(x->x, y->x, sizeof x->x) || x->pc != y->pc ||
		    memcmp(x->cr, y->cr, sizeof x->cr) || x->cycles != y->cycles)
			return true;
	}
	return false;
}

/* Appends text to the transcript; past TRANSCRIPT_MAX its older half
 * goes, from a line boundary. */
static void transcribe(struct tui *t, const char *text, size_t n)
{
	if (t->tlen + n > TRANSCRIPT_MAX) {
		size_t cut = t->tlen / 2;
		while (cut < t->tlen && t->transcript[cut - 1] != '\n')
			cut++;
		memmove(t->transcript, t->transcript + cut, t->tlen - cut);
		t->tlen -= cut;
		t->mark = t->mark > cut ? t->mark - cut : 0;
	}
	char *p = realloc(t->transcript, t->tlen + n + 1);
	if (!p)
		return; /* the transcript is a convenience: lose this text */
	memcpy(p + t->tlen, text, n);
	t->tlen += n;
	p[t->tlen] = '\0';
	t->transcript = p;
}

/* Is line (spaces aside) the two words "layout" and which? */
static bool is_layout(const char *line, const char *which)
{
	char a[16], b[16], c;
	return sscanf(line, "%15s %15s %c", a, b, &c) == 2 &&
	       !strcmp(a, "layout") && !strcmp(b, which);
}

/*
 * Runs one command line with its output captured into the transcript.
 * Returns what dbg_execute returns, or DBG_QUIT for quit and DBG_OK
 * with *leave set for `layout line`.
 */
static enum dbg_result run(struct tui *t, const char *line, bool *leave)
{
	char head[300];
	snprintf(head, sizeof head, ":%s\n", line);
	t->mark = t->tlen;
	transcribe(t, head, strlen(head));
	t->follow = true;
	if (is_layout(line, "line")) {
		*leave = true;
		return DBG_OK;
	}
	if (is_layout(line, "tui"))
		return DBG_OK;

	/* A continue may run for long: say so before the screen freezes. */
	struct snapshot before = t->now;
	snprintf(t->now.status, sizeof t->now.status,
		 "running %.200s ... (Ctrl-C stops it)", *line ? line : "(repeat)");
	draw(t);

	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	if (!f) {
		const char *msg = "cannot capture the output: no memory\n";
		transcribe(t, msg, strlen(msg));
		return DBG_ERROR;
	}
	dbg_set_output(t->d, f);
	enum dbg_result res = dbg_execute(t->d, line);
	fclose(f);
	/* Nothing may print to the terminal under curses; between commands
	 * the session is not expected to print at all. */
	dbg_set_output(t->d, stdout);
	transcribe(t, out, n);
	free(out);

	snapshot(t, &t->now);
	if (moved(t, &before, &t->now))
		t->prev = before;
	return res;
}

/* Tab: completes the last word of the command line if only one name
 * fits it (dbg_complete). */
static void complete(struct tui *t)
{
	size_t start = t->len;
	while (start > 0 && t->line[start - 1] != ' ')
		start--;
	const char *word = t->line + start;
	const char *m = dbg_complete(t->d, word, 0);
	if (!m || dbg_complete(t->d, word, 1))
		return;
	if (start + strlen(m) + 1 < sizeof t->line) {
		snprintf(t->line + start, sizeof t->line - start, "%s ", m);
		t->len = strlen(t->line);
	}
}

/* ---- The front end ----------------------------------------------------- */

/* Colours only help: every mark also has a monochrome form. */
static void set_attributes(struct tui *t)
{
	t->a_title = A_REVERSE;
	t->a_changed = A_REVERSE;
	t->a_pc = A_BOLD;
	t->a_bp = A_BOLD;
	t->a_new = A_BOLD;
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(1, COLOR_BLACK, COLOR_CYAN);  /* titles */
		init_pair(2, COLOR_YELLOW, -1);         /* changed values */
		init_pair(3, COLOR_RED, -1);            /* breakpoints */
		t->a_title = COLOR_PAIR(1);
		t->a_changed = COLOR_PAIR(2) | A_BOLD;
		t->a_bp = COLOR_PAIR(3) | A_BOLD;
	}
}

/* One key.  Returns true when the TUI is to end, with *res set. */
static bool key(struct tui *t, int ch, enum dbg_result *res)
{
	bool leave = false;
	const char *command = NULL;

	if (ch == KEY_PPAGE || ch == KEY_NPAGE) {
		int page = LINES / 4 > 1 ? LINES / 4 : 1;
		t->follow = false;
		t->back += ch == KEY_PPAGE ? page : -page;
		if (t->back < 0)
			t->back = 0;
		return false;
	}
	if (ch == 12) { /* Ctrl-L: repaint */
		clearok(stdscr, TRUE);
		return false;
	}
	if (!t->typing) {
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (ch == keys[i].key)
				command = keys[i].command;
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
			command = ""; /* repeats the last step, as in gdb */
		else if (ch == ':')
			t->typing = true;
		else if (!command && ch < 256 && isprint(ch)) {
			t->typing = true;
			t->line[t->len++] = (char)ch;
		}
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		command = t->line;
	} else if (ch == 27) { /* Esc */
		t->typing = false;
		t->len = 0;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (t->len > 0)
			t->len--;
	} else if (ch == '\t') {
		complete(t);
	} else if (ch < 256 && isprint(ch) && t->len + 1 < sizeof t->line) {
		t->line[t->len++] = (char)ch;
	}
	t->line[t->len] = '\0';
	if (!command)
		return false;

	/* Trim, so that "  layout line " is recognised too. */
	char line[sizeof t->line];
	const char *s = command;
	while (*s == ' ')
		s++;
	snprintf(line, sizeof line, "%s", s);
	for (size_t n = strlen(line); n > 0 && line[n - 1] == ' '; n--)
		line[n - 1] = '\0';
	t->typing = false;
	t->len = 0;
	t->line[0] = '\0';

	*res = run(t, line, &leave);
	return leave || *res == DBG_QUIT;
}

enum dbg_result dbg_tui(struct dbg *d)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "trapeze debug: --tui needs a terminal\n");
		return DBG_ERROR;
	}
	/* newterm rather than initscr: initscr exits the program when the
	 * terminal is unknown, newterm lets us say so and go on. */
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "trapeze debug: cannot use terminal '%s'\n",
			getenv("TERM") ? getenv("TERM") : "");
		return DBG_ERROR;
	}
	/* cbreak, not raw: Ctrl-C stays SIGINT, which the front end's
	 * handler turns into dbg_interrupt to stop a continue. */
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25); /* Esc cancels at once, not after a second */

	struct tui t = {.d = d, .vmm = dbg_is_vmm(d), .nvms = dbg_vm_count(d)};
	if (t.nvms < 1)
		t.nvms = 1;
	if (t.nvms > MAX_IMAGES)
		t.nvms = MAX_IMAGES;
	set_attributes(&t);
	snapshot(&t, &t.now);
	t.prev = t.now;

	enum dbg_result res = DBG_OK;
	int errors = 0;
	for (;;) {
		draw(&t);
		errno = 0;
		int ch = getch();
		if (ch == ERR) {
			/* A signal interrupts the read; a closed terminal
			 * fails it for ever. */
			if (errno == EINTR || ++errors < 100)
				continue;
			res = DBG_QUIT;
			break;
		}
		errors = 0;
		if (ch == KEY_RESIZE) /* LINES and COLS are new: redraw */
			continue;
		if (key(&t, ch, &res))
			break;
	}
	endwin();
	delscreen(scr);
	free(t.transcript);
	return res == DBG_QUIT ? DBG_QUIT : DBG_OK;
}
