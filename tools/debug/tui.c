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
#include "../../isa/isa.h"

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
	struct vmm_vcpu_state *guest; /* one per VM */
	uint64_t next_seq; /* seq of the next world switch to be logged */
	char status[256];
};

#define TRANSCRIPT_MAX (64 * 1024)

struct tui {
	struct dbg *d;
	bool vmm;
	int nvms;
	struct snapshot now, prev; /* prev: the stop before now */
	struct snapshot before;    /* now, while a command runs */
	char line[256];            /* the command being typed */
	size_t len;
	bool typing;
	char *transcript; /* ":command\n" and its output, for each command */
	size_t tlen;
	size_t mark;      /* where the last command starts in it */
	bool follow;      /* show the last command from its start */
	int back;         /* else: rows the output window is scrolled back */
	attr_t a_title, a_changed, a_pc, a_bp, a_new;
};

/*
 * The one-letter commands: a line holding only the letter runs the
 * command.  They do not act on the key alone: a letter starts a command
 * line, so that typing "step-handler" runs step-handler and not stepi
 * and then "tep-handler".  Enter on an empty line repeats the last step.
 */
static const struct {
	int key;
	const char *command;
} keys[] = {
	{'s', "stepi"},    {'n', "next-exit"}, {'h', "step-handler"},
	{'c', "continue"}, {'q', "quit"},
};

/* ---- Layout ------------------------------------------------------------ */

/*
 * The registers: two columns of "name real vcpu" (or "name cpu" on the
 * bare machine), 13 rows under a header.  Names are up to 5 wide on the
 * left ("cause"), 7 on the right ("scratch").
 */
#define REGS_ROWS 14
static const int reg_name_w[2] = {5, 7};

static int regs_col_w(const struct tui *t, int col)
{
	return reg_name_w[col] + 1 + (t->vmm ? 17 : 8); /* "%08x %08x" */
}

/*
 * Cuts the screen (lines x cols) into the windows.  80x24 is the size to
 * design for: three fixed rows (status, command, footer), 14 rows of code
 * and registers, 3 of log, 4 of console and output.  Extra rows are
 * shared out among code, log and output; extra columns go to the code
 * (the registers have a fixed width), the log and the console.
 */
static void layout(const struct tui *t, int lines, int cols, struct layout *l)
{
	int avail = lines - 3 > 0 ? lines - 3 : 0;
	int regs_w = regs_col_w(t, 0) + 1 + regs_col_w(t, 1);
	int top, logh;

	if (avail >= 21) {
		top = REGS_ROWS + (avail - 21) / 4;
		logh = 3 + (avail - 21) * 3 / 8;
	} else { /* too small: shrink everything alike */
		top = avail * 2 / 3;
		logh = avail / 7;
	}
	if (!t->vmm) /* no world switches on the bare machine */
		logh = 0;
	if (regs_w > cols - 24) /* a narrow screen: leave the code some room */
		regs_w = cols - 24 > 0 ? cols - 24 : 0;
	/* The output lines up under the registers, at least as wide. */
	int out_w = cols / 2 > regs_w ? cols / 2 : regs_w;
	int y = 1 + top + logh, h = avail - top - logh;

	l->status = (struct rect){0, 0, 1, cols};
	l->code = (struct rect){1, 0, top, cols - regs_w - 1};
	l->regs = (struct rect){1, cols - regs_w, top, regs_w};
	l->log = (struct rect){1 + top, 0, logh, cols};
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

/* A title row: text on a bar across the window. */
static void title(const struct tui *t, const struct rect *r, const char *s)
{
	if (r->h <= 0 || r->w <= 0)
		return;
	mvhline(r->y, r->x, ' ' | t->a_title, r->w);
	put(r, 0, 1, t->a_title, s);
}

/* Guest bytes may be anything: each shows as one column. */
static char printable(unsigned char c)
{
	if (c == '\t' || c == '\r')
		return ' ';
	return isprint(c) ? (char)c : '.';
}

/*
 * Lays text out in rows w wide, long lines wrapped, and draws its rows
 * first..first+h-1 at rows y0.. of r (r NULL: draws nothing).  A final
 * newline ends the last line; it does not start a new one.  Returns the
 * number of rows the whole text takes.
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
				size_t m = k < sizeof buf ? k : sizeof buf - 1;
				for (size_t j = 0; j < m; j++)
					buf[j] = printable(text[start + off + j]);
				buf[m] = '\0';
				put(r, y0 + row - first, 0, A_NORMAL, buf);
			}
			off += k;
			row++;
		} while (off < n);
		start = i + 1;
	}
	return row;
}

/* Shows the end of text under r's title, back rows up from its end. */
static void show_tail(const struct rect *r, const char *text, size_t len,
		      int back)
{
	int h = r->h - 1;
	if (r->w <= 0 || h <= 0)
		return;
	int first = wrap(text, len, r->w, NULL, 0, 0, 0) - h - back;
	wrap(text, len, r->w, r, 1, first > 0 ? first : 0, h);
}

/* ---- The windows ------------------------------------------------------- */

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

/* Makes every run of spaces in s one space. */
static void squeeze(char *s)
{
	char *out = s;
	for (const char *p = s; *p; p++)
		if (*p != ' ' || out == s || out[-1] != ' ')
			*out++ = *p;
	*out = '\0';
}

/*
 * The guest code from a third of the window above its pc.  A symbol that
 * starts at an address gets a "name:" row of its own, as in a listing
 * (the pc stays in sight: at most a third of the rows are such labels
 * above it).  '>' marks the pc, '*' a breakpoint.
 */
static void draw_code(struct tui *t, const struct rect *r)
{
	int vm = dbg_selected_vm(t->d);
	uint32_t pc = t->now.guest[vm].pc, word;
	struct symctx sc = {.d = t->d, .vm = vm};
	char buf[160], sym[64], where[16] = "";

	if (t->vmm)
		snprintf(where, sizeof where, "  vm%d", vm);
	snprintf(buf, sizeof buf, "code%s  pc %08x %s", where, pc,
		 dbg_symbolize(t->d, vm, pc, sym, sizeof sym) ? sym : "");
	title(t, r, buf);

	uint32_t before = 4u * (uint32_t)((r->h - 1) / 3);
	uint32_t a = (pc >= before ? pc - before : 0) & ~3u;
	for (int y = 1; y < r->h; a += 4) {
		const char *s = dbg_symbolize(t->d, vm, a, sym, sizeof sym);
		if (s && !strchr(s, '+')) {
			snprintf(buf, sizeof buf, "%s:", s);
			put(r, y++, 0, A_BOLD, buf);
		}
		char dis[96] = "(unmapped)";
		if (dbg_read_code(t->d, vm, a, &word))
			isa_disassemble(word, a, dis, sizeof dis, symbolize, &sc);
		if (r->w < 40) /* narrow: no padding after the mnemonic */
			squeeze(dis);
		bool bp = dbg_has_breakpoint(t->d, vm, a);
		snprintf(buf, sizeof buf, "%c%c%08x %s", a == pc ? '>' : ' ',
			 bp ? '*' : ' ', a, dis);
		put(r, y, 0, a == pc ? t->a_pc : A_NORMAL, buf);
		if (bp)
			put(r, y, 1, t->a_bp, "*");
		y++;
		if (a > UINT32_MAX - 4)
			break;
	}
}

/* Register i of a CPU state, struct cpu or struct vmm_vcpu_state (both
 * have x, pc and cr): r0-r15, then pc, then the control registers. */
#define REG(s, i)                                                        \
	((i) < ISA_NREGS ? (s).x[i]                                      \
	 : (i) == ISA_NREGS ? (s).pc : (s).cr[(i) - ISA_NREGS - 1])

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
 * user mode on the shadow page table; the vCPU holds the mode, PTBR and
 * trap registers the guest believes it has.
 */
static void draw_regs(struct tui *t, const struct rect *r)
{
	int vm = dbg_selected_vm(t->d);
	const struct snapshot *now = &t->now, *old = &t->prev;
	int colx[2] = {0, regs_col_w(t, 0) + 1};
	char buf[64];

	title(t, r, "");
	for (int c = 0; c < 2; c++) {
		if (t->vmm)
			snprintf(buf, sizeof buf, "%*s real cpu vm%d vcpu",
				 reg_name_w[c], "", vm);
		else
			snprintf(buf, sizeof buf, "%*s cpu", reg_name_w[c], "");
		put(r, 0, colx[c], t->a_title, buf);
	}
	/* Left: r0-r7, pc, psw, epc, epsw, cause; right: r8-r15, the rest. */
	for (int i = 0; i < ISA_NREGS + 1 + CR_COUNT; i++) {
		int c = i < 8 || (i >= ISA_NREGS && i <= ISA_NREGS + 4) ? 0 : 1;
		int y = 1 + (i < ISA_NREGS ? i % 8 : c == 0 ? i - 8 : i - 13);
		int x = colx[c] + reg_name_w[c] + 1;
		put(r, y, colx[c], A_NORMAL,
		    i < ISA_NREGS    ? isa_reg_name((unsigned)i)
		    : i == ISA_NREGS ? "pc"
				     : isa_cr_name((unsigned)(i - ISA_NREGS - 1)));
		if (t->vmm) {
			draw_value(t, r, y, x, REG(now->real, i), REG(old->real, i));
			x += 9;
		}
		draw_value(t, r, y, x, REG(now->guest[vm], i),
			   REG(old->guest[vm], i));
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
	title(t, r, buf);
	int first = count - (r->h - 1) > 0 ? count - (r->h - 1) : 0;
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

/* Each VM's console, the area split into columns (or rows, when columns
 * would be too narrow to read). */
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
		size_t len = 0;
		const char *text = dbg_console(t->d, vm, &len);
		snprintf(buf, sizeof buf, "vm%d console", vm);
		title(t, &c, t->vmm ? buf : "console");
		show_tail(&c, text ? text : "", text ? len : 0, 0);
	}
}

static void draw_output(struct tui *t, const struct rect *r)
{
	int h = r->h - 1;
	if (t->transcript && r->w > 0 && h > 0) {
		/* A long output is shown from its start, not its end: the
		 * first lines of `info vcpu` say what the rest is. */
		if (t->follow) {
			int rows = wrap(t->transcript + t->mark,
					t->tlen - t->mark, r->w, NULL, 0, 0, 0);
			t->back = rows > h ? rows - h : 0;
		}
		/* Keep the scrolling within the text, whatever the size. */
		int most = wrap(t->transcript, t->tlen, r->w, NULL, 0, 0, 0) - h;
		if (t->back > most)
			t->back = most > 0 ? most : 0;
	}
	title(t, r, t->back ? "output  (PgDn: more)" : "output");
	if (t->transcript)
		show_tail(r, t->transcript, t->tlen, t->back);
}

/* The whole screen, from the session's state. */
static void draw(struct tui *t)
{
	struct layout l;
	char buf[512] = "";

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

	strcat(buf, "letter+Enter:");
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t k = strlen(buf);
		snprintf(buf + k, sizeof buf - k, "  %c %s", keys[i].key,
			 keys[i].command);
	}
	if ((int)strlen(buf) + 20 <= COLS)
		strcat(buf, "  PgUp/PgDn output");
	mvhline(l.footer.y, 0, ' ' | A_REVERSE, COLS);
	put(&l.footer, 0, 0, A_REVERSE, buf);

	curs_set(t->typing);
	if (t->typing) { /* a line longer than the screen shows its end */
		int skip = (int)t->len + 1 - (COLS - 1);
		snprintf(buf, sizeof buf, ":%s", t->line);
		put(&l.cmd, 0, 0, A_NORMAL, buf + (skip > 0 ? skip : 0));
		move(l.cmd.y, (int)t->len + 1 - (skip > 0 ? skip : 0));
	}
	refresh();
}

/* ---- Running commands -------------------------------------------------- */

static void snapshot(const struct tui *t, struct snapshot *s)
{
	s->real = *dbg_real_cpu(t->d);
	for (int vm = 0; vm < t->nvms; vm++)
		dbg_guest_state(t->d, vm, &s->guest[vm]);
	int n = dbg_log_count(t->d);
	const struct vmm_event *e = n > 0 ? dbg_log_get(t->d, n - 1) : NULL;
	s->next_seq = e ? e->seq + 1 : 0;
	snprintf(s->status, sizeof s->status, "%s", dbg_status(t->d));
}

static void snapshot_copy(const struct tui *t, struct snapshot *to,
			  const struct snapshot *from)
{
	to->real = from->real;
	memcpy(to->guest, from->guest, (size_t)t->nvms * sizeof *to->guest);
	to->next_seq = from->next_seq;
	memcpy(to->status, from->status, sizeof to->status);
}

/* Did the session move between two snapshots?  (A command such as `info
 * vcpu` does not: the highlights of the last stop then stay.) */
static bool moved(const struct tui *t, const struct snapshot *a,
		  const struct snapshot *b)
{
	bool m = a->next_seq != b->next_seq || strcmp(a->status, b->status) ||
		 memcmp(&a->real, &b->real, sizeof a->real);
	for (int vm = 0; vm < t->nvms; vm++)
		m = m || a->guest[vm].cycles != b->guest[vm].cycles;
	return m;
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
 * Returns what dbg_execute returns; for `layout line`, DBG_OK with
 * *leave set (`layout tui` does nothing: this is it).
 */
static enum dbg_result run(struct tui *t, const char *line, bool *leave)
{
	char head[300];
	snprintf(head, sizeof head, ":%s\n", line);
	t->mark = t->tlen;
	transcribe(t, head, strlen(head));
	t->follow = true;
	if (is_layout(line, "line"))
		*leave = true;
	if (is_layout(line, "line") || is_layout(line, "tui"))
		return DBG_OK;

	/* A continue may run for long: say so before the screen freezes. */
	snapshot_copy(t, &t->before, &t->now);
	snprintf(t->now.status, sizeof t->now.status,
		 "running %.200s ... (Ctrl-C stops it)", *line ? line : "(repeat)");
	draw(t);

	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	if (!f) {
		snapshot_copy(t, &t->now, &t->before);
		const char *msg = "no memory to capture the output\n";
		transcribe(t, msg, strlen(msg));
		return DBG_ERROR;
	}
	FILE *old = dbg_set_output(t->d, f);
	enum dbg_result res = dbg_execute(t->d, line);
	fclose(f);
	dbg_set_output(t->d, old);
	transcribe(t, out, n);
	free(out);

	snapshot(t, &t->now);
	if (moved(t, &t->before, &t->now))
		snapshot_copy(t, &t->prev, &t->before);
	return res;
}

/* Tab: completes the last word typed, if only one name fits it. */
static void complete(struct tui *t)
{
	size_t start = t->len;
	while (start > 0 && t->line[start - 1] != ' ')
		start--;
	const char *m = dbg_complete(t->d, t->line + start, 0);
	if (m && !dbg_complete(t->d, t->line + start, 1) &&
	    start + strlen(m) + 1 < sizeof t->line)
		t->len = start + (size_t)sprintf(t->line + start, "%s ", m);
}

/* ---- The front end ----------------------------------------------------- */

/* Colours only help: every mark also has a monochrome form. */
static void set_attributes(struct tui *t)
{
	t->a_title = A_REVERSE;
	t->a_changed = A_REVERSE;
	t->a_pc = t->a_bp = t->a_new = A_BOLD;
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(1, COLOR_BLACK, COLOR_CYAN); /* titles */
		init_pair(2, COLOR_YELLOW, -1);        /* changed values */
		init_pair(3, COLOR_RED, -1);           /* breakpoints */
		t->a_title = COLOR_PAIR(1);
		t->a_changed = COLOR_PAIR(2) | A_BOLD;
		t->a_bp = COLOR_PAIR(3) | A_BOLD;
	}
}

/* One key.  Returns true when the TUI is to end, with *res set. */
static bool key(struct tui *t, int ch, enum dbg_result *res)
{
	const char *command = NULL;
	bool enter = ch == '\n' || ch == '\r' || ch == KEY_ENTER;
	bool text = ch > 0 && ch < 256 && isprint(ch);

	if (ch == KEY_PPAGE || ch == KEY_NPAGE) {
		t->follow = false;
		t->back += (ch == KEY_PPAGE ? 1 : -1) * (LINES / 4 + 1);
		t->back = t->back > 0 ? t->back : 0;
	} else if (ch == 12) { /* Ctrl-L: repaint */
		clearok(stdscr, TRUE);
	} else if (!t->typing) {
		if (enter)
			command = ""; /* repeats the last step, as in gdb */
		else if (text) /* ':' or the command's first letter */
			t->typing = true;
		if (text && ch != ':')
			t->line[t->len++] = (char)ch;
	} else if (enter) {
		command = t->line;
	} else if (ch == 27) { /* Esc */
		t->typing = false;
		t->len = 0;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (t->len > 0)
			t->len--;
	} else if (ch == '\t') {
		complete(t);
	} else if (text && t->len + 1 < sizeof t->line) {
		t->line[t->len++] = (char)ch;
	}
	t->line[t->len] = '\0';
	if (!command)
		return false;

	char line[sizeof t->line]; /* trimmed: "layout line " is seen too */
	command += strspn(command, " ");
	size_t n = strlen(command);
	while (n > 0 && command[n - 1] == ' ')
		n--;
	snprintf(line, sizeof line, "%.*s", (int)n, command);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (n == 1 && line[0] == keys[i].key)
			snprintf(line, sizeof line, "%s", keys[i].command);
	t->typing = false;
	t->len = 0;
	t->line[0] = '\0';

	bool leave = false;
	*res = run(t, line, &leave);
	return leave || *res == DBG_QUIT;
}

enum dbg_result dbg_tui(struct dbg *d)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "trapeze debug: --tui needs a terminal\n");
		return DBG_ERROR;
	}
	/* newterm, not initscr: initscr exits the program on an unknown
	 * terminal; this way the session goes on in line mode. */
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

	/* The consoles are windows now: nothing may print over the screen. */
	bool echo = dbg_set_echo(d, false);
	struct tui t = {.d = d, .vmm = dbg_is_vmm(d), .nvms = dbg_vm_count(d)};
	t.nvms = t.nvms < 1 ? 1 : t.nvms;
	struct vmm_vcpu_state *states = calloc(3 * (size_t)t.nvms, sizeof *states);
	if (!states) {
		endwin();
		delscreen(scr);
		dbg_set_echo(d, echo);
		fprintf(stderr, "trapeze debug: out of memory\n");
		return DBG_ERROR;
	}
	t.now.guest = states;
	t.prev.guest = states + t.nvms;
	t.before.guest = states + 2 * t.nvms;
	set_attributes(&t);
	snapshot(&t, &t.now);
	snapshot_copy(&t, &t.prev, &t.now);

	enum dbg_result res = DBG_OK;
	for (int errors = 0; errors < 100;) {
		draw(&t);
		errno = 0;
		int ch = getch();
		/* A signal interrupts the read (go on); a terminal that is
		 * gone fails it for ever (give up). */
		if (ch == ERR) {
			errors += errno != EINTR;
			res = DBG_QUIT;
			continue;
		}
		errors = 0;
		res = DBG_OK;
		if (ch != KEY_RESIZE && key(&t, ch, &res))
			break; /* (on KEY_RESIZE, LINES and COLS are new) */
	}
	endwin();
	delscreen(scr);
	free(t.transcript);
	free(states);
	dbg_set_echo(d, echo);
	return res == DBG_QUIT ? DBG_QUIT : DBG_OK;
}
