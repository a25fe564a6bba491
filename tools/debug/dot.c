/*
 * dot.c - the debugger's diagrams, written as graphviz digraphs: the page
 * tables of a VM (the guest's own, the VMM's shadows, and the frames they
 * reach) and the exits so far (cause -> handler -> what it did).
 *
 * Every node comes from a table the hardware or the VMM really walks, so
 * a diagram is the state the text commands print, drawn.  A kernel maps
 * its memory in long runs of pages, and one edge and one node per page
 * made a picture ten thousand pixels tall that nobody could read: so a
 * run of consecutive pages that maps contiguous frames with the same
 * flags is one edge ("va a-b (n pages) -> c-d"), and a run of
 * contiguous frames is one node.  The output is
 * deterministic (tables in index order, frames in address order, no
 * pointers), so the same state always gives the same bytes.
 *
 * Under --hw (nested paging) there are no shadows: the hardware walks two
 * tables, the guest's (guest-virtual -> guest-physical) and the VMM's
 * nested table (guest-physical -> host-physical).  The diagram draws both,
 * and the two-dimensional walk of one address -- the guest's pc, the
 * next fetch -- as numbered nodes, one per reference in the order the
 * hardware makes them, each with a red edge to the table it reads.  The
 * entries on that walk are drawn even past SHOW_MAX.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NPTE 1024              /* a table: one 4 KiB page of 4-byte PTEs */
#define NFRAMES (1u << 20)     /* 4 KiB frames in a 32-bit address space */
#define SHOW_MAX 16            /* runs of entries drawn per table */
#define ROOT_SPAN (1u << 22)   /* the 4 MiB one root entry maps */
#define PATH_MAX_ADDRS 3       /* the nested walks of one 2-D walk: the
				  guest's two PTEs and the final address */

/* ---- graphviz output ----------------------------------------------------- */

/* s as a graphviz string: quoted, " and \ escaped, newline as \n. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void put_node(FILE *f, const char *id, const char *attrs,
		     const char *label)
{
	fprintf(f, "\t\t%s [%slabel=", id, attrs);
	put_string(f, label);
	fputs("];\n", f);
}

static void put_edge(FILE *f, const char *from, const char *to,
		     const char *attrs, const char *label)
{
	fprintf(f, "\t%s -> %s [%slabel=", from, to, attrs);
	put_string(f, label);
	fputs("];\n", f);
}

/* Opens a cluster; "\t}\n" closes it. */
static void put_cluster(FILE *f, const char *id, const char *attrs,
			const char *label)
{
	fprintf(f, "\tsubgraph cluster_%s {\n\t\t%slabel=", id, attrs);
	put_string(f, label);
	fputs(";\n", f);
}

static void put_header(FILE *f, const char *name)
{
	fprintf(f, "digraph %s {\n\trankdir=LR;\n"
		"\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n"
		"\tedge [fontname=\"monospace\", fontsize=9];\n", name);
}

/* The graph's own label goes last: set before the clusters, it would be
 * inherited by every cluster that does not set its own. */
static void put_footer(FILE *f, const char *label)
{
	fputs("\tlabelloc=t;\n\tlabel=", f);
	put_string(f, label);
	fputs(";\n}\n", f);
}

/* ---- page tables --------------------------------------------------------- */

/* One page table to draw: where it lives, and where its leaves point. */
struct pt {
	const char *id;       /* node-name prefix: "g" the guest's, "s1" ... */
	const char *in;       /* what it translates: "va", or "gpa" (nested) */
	const char *space;    /* what its addresses are: "GPA", "HPA", "PA" */
	bool guest;           /* in guest-physical memory, else the host's */
	const char *frame_id; /* node-name prefix of the frames it maps */
	uint8_t *frames;      /* a bitmap of those frames, by frame number */
	/* the addresses whose entries are drawn even past SHOW_MAX: those
	 * the 2-D walk goes through */
	uint32_t path[PATH_MAX_ADDRS];
	int npath;
};

struct pt_dot {
	struct target *t;
	int vm;
	FILE *f;     /* nodes, into the cluster being written */
	FILE *edges; /* edges, written after every cluster: an edge written
			inside a cluster would pull both its ends into it */
	uint8_t *gframes, *hframes;
	const struct mach_vmcs *vmcs; /* --hw with nested paging, else NULL */
	const struct mach_walk2d *walk; /* of walk_va, when vmcs */
	uint32_t walk_va;
	const char *walk_what; /* "a fetch at the guest's pc", "a load" */
	bool unentered; /* --hw before the first VM entry: no tables yet */
};

/* Is one of the addresses in [start, start + len) on the walk? */
static bool on_path(const struct pt *pt, uint32_t start, uint32_t len)
{
	for (int k = 0; k < pt->npath; k++)
		if (pt->path[k] - start < len)
			return true;
	return false;
}

static void frame_add(uint8_t *map, uint32_t pa)
{
	map[pa >> 15] |= (uint8_t)(1u << (pa >> PAGE_SHIFT & 7));
}

static bool frame_has(const uint8_t *map, uint32_t pa)
{
	return map[pa >> 15] & (1u << (pa >> PAGE_SHIFT & 7));
}

/* The first frame of the run of contiguous frames in map that holds pa:
 * the node that stands for pa. */
static uint32_t run_start(const uint8_t *map, uint32_t pa)
{
	while (pa >= PAGE_SIZE && frame_has(map, pa - PAGE_SIZE))
		pa -= PAGE_SIZE;
	return pa;
}

/* "0x00001000" for one page, "0x00001000-0x00003fff" for n. */
static void put_range(char *buf, size_t size, uint32_t addr, uint32_t pages)
{
	if (pages == 1)
		snprintf(buf, size, "0x%08" PRIx32, addr);
	else
		snprintf(buf, size, "0x%08" PRIx32 "-0x%08" PRIx32, addr,
			 addr + (pages << PAGE_SHIFT) - 1);
}

/* Reads the 1024 PTEs of the table at pa; false if no memory backs it. */
static bool read_table(struct pt_dot *p, const struct pt *pt, uint32_t pa,
		       uint32_t tab[NPTE])
{
	uint8_t b[PAGE_SIZE];
	if (!(pt->guest ? vmm_vm_read(p->t->v, p->vm, pa, b, PAGE_SIZE)
			: mach_phys_read(p->t->m, pa, b, PAGE_SIZE)))
		return false;
	for (int i = 0; i < NPTE; i++) /* PG32 memory is little-endian */
		tab[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
			 (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
	return true;
}

/* The flags set in a PTE, as "V R W X U A D" spells them (bits 0..6). */
/* A table's node, labelled with its address and what it holds; returns
 * how many valid entries it has, or -1 if it could not be read. */
static int table_node(struct pt_dot *p, const struct pt *pt, uint32_t pa,
		      const char *id, const char *what, uint32_t tab[NPTE])
{
	char label[128];
	int n = snprintf(label, sizeof label, "%s\n%s 0x%08" PRIx32 "\n", what,
			 pt->space, pa);
	if (!read_table(p, pt, pa, tab)) {
		snprintf(label + n, sizeof label - (size_t)n, "not in memory");
		put_node(p->f, id, "color=red, ", label);
		return -1;
	}
	int valid = 0;
	for (int i = 0; i < NPTE; i++)
		valid += (tab[i] & PTE_V) != 0;
	snprintf(label + n, sizeof label - (size_t)n, "%d valid", valid);
	put_node(p->f, id, "", label);
	return valid;
}

/* The valid entries past SHOW_MAX, as one node "... N more". */
static void put_more(struct pt_dot *p, const char *table_id, int more)
{
	char id[48], label[32];
	if (more <= 0)
		return;
	snprintf(id, sizeof id, "%s_more", table_id);
	snprintf(label, sizeof label, "... %d more", more);
	put_node(p->f, id, "shape=plaintext, ", label);
	put_edge(p->edges, table_id, id, "style=dotted, ", "");
}

/* How many entries from tab[i] on continue its run: valid, with the
 * same flags, each mapping the frame after the one before. */
static uint32_t run_length(const uint32_t tab[NPTE], uint32_t i)
{
	uint32_t n = 1;
	while (i + n < NPTE && (tab[i + n] & PTE_V) &&
	       (tab[i + n] & ~PTE_FRAME_MASK) == (tab[i] & ~PTE_FRAME_MASK) &&
	       (tab[i + n] & PTE_FRAME_MASK) ==
		       (tab[i] & PTE_FRAME_MASK) + (n << PAGE_SHIFT))
		n++;
	return n;
}

/* A leaf table: each run of entries maps consecutive pages to contiguous
 * frames, va a-b -> frames c-d; one edge each. */
static void draw_leaf(struct pt_dot *p, const struct pt *pt, uint32_t va0,
		      uint32_t pa)
{
	uint32_t tab[NPTE];
	char id[32], to[32], label[128], fl[16], va[32], fr[32];
	snprintf(id, sizeof id, "%s_t%08" PRIx32, pt->id, pa);
	snprintf(label, sizeof label, "leaf table\n%s 0x%08" PRIx32 "-0x%08"
		 PRIx32, pt->in, va0, va0 | (ROOT_SPAN - 1));
	int valid = table_node(p, pt, pa, id, label, tab), shown = 0, runs = 0;
	for (uint32_t i = 0; i < NPTE && valid > 0; i++) {
		if (!(tab[i] & PTE_V))
			continue;
		uint32_t n = run_length(tab, i), frame = tab[i] & PTE_FRAME_MASK;
		if (runs >= SHOW_MAX &&
		    !on_path(pt, va0 | i << PAGE_SHIFT, n << PAGE_SHIFT)) {
			i += n - 1;
			continue;
		}
		for (uint32_t k = 0; k < n; k++)
			frame_add(pt->frames, frame + (k << PAGE_SHIFT));
		snprintf(to, sizeof to, "%s_%08" PRIx32, pt->frame_id,
			 run_start(pt->frames, frame));
		pte_flags(fl, sizeof fl, tab[i] & ~PTE_V);
		put_range(va, sizeof va, va0 | i << PAGE_SHIFT, n);
		put_range(fr, sizeof fr, frame, n);
		if (n == 1)
			snprintf(label, sizeof label, "%s %s -> %s %s %s", pt->in,
				 va, pt->space, fr, fl);
		else
			snprintf(label, sizeof label, "%s %s (%" PRIu32 " pages)\n"
				 "-> %s %s %s", pt->in, va, n, pt->space, fr, fl);
		put_edge(p->edges, id, to, "", label);
		shown += (int)n, runs++, i += n - 1;
	}
	put_more(p, id, valid - shown);
}

/* A root entry is a pointer to a leaf table: V alone.  R, W or X make
 * it malformed, and the walk faults on it. */
static bool is_pointer(uint32_t pte)
{
	return (pte & (PTE_V | PTE_R | PTE_W | PTE_X)) == PTE_V;
}

/* A root table: each valid entry points at a leaf table. */
static void draw_table(struct pt_dot *p, const struct pt *pt, uint32_t pa)
{
	uint32_t tab[NPTE];
	char id[32], to[32], label[64], fl[16];
	snprintf(id, sizeof id, "%s_root", pt->id);
	int valid = table_node(p, pt, pa, id, "root table", tab), shown = 0;
	for (uint32_t i = 0; i < NPTE && valid > 0; i++) {
		if (!(tab[i] & PTE_V) ||
		    (shown >= SHOW_MAX && !on_path(pt, i * ROOT_SPAN, ROOT_SPAN)))
			continue;
		shown++;
		uint32_t leaf = tab[i] & PTE_FRAME_MASK;
		pte_flags(fl, sizeof fl, tab[i]);
		snprintf(label, sizeof label, "root[0x%03" PRIx32 "] %s", i, fl);
		if (!is_pointer(tab[i])) {
			snprintf(to, sizeof to, "%s_bad%03" PRIx32, pt->id, i);
			put_node(p->f, to, "shape=plaintext, fontcolor=red, ",
				 "malformed:\nnot a pointer");
			put_edge(p->edges, id, to, "color=red, ", label);
			continue;
		}
		snprintf(to, sizeof to, "%s_t%08" PRIx32, pt->id, leaf);
		put_edge(p->edges, id, to, "", label);
		uint32_t j = 0; /* a leaf shared by two entries is drawn once */
		while (j < i && (!is_pointer(tab[j]) ||
				 (tab[j] & PTE_FRAME_MASK) != leaf))
			j++;
		if (j == i)
			draw_leaf(p, pt, i * ROOT_SPAN, leaf);
	}
	put_more(p, id, valid - shown);
}

/* The guest's own table (the machine's, on the bare machine). */
static void draw_guest(struct pt_dot *p, uint32_t psw, uint32_t ptbr)
{
	bool vmm = p->t->v != NULL, on = psw & PSW_PG;
	struct pt pt = { "g", "va", vmm ? "GPA" : "PA", vmm, vmm ? "gf" : "pf",
			 p->gframes, { p->walk_va }, p->walk != NULL };
	char label[128];
	snprintf(label, sizeof label, "%s%s",
		 vmm ? "guest page table (GPA)" : "page table (PA)",
		 on ? "" : vmm ? "\nthe guest's paging is off (PSW.PG = 0)"
			       : "\npaging is off (PSW.PG = 0)");
	put_cluster(p->f, "guest", "", label);
	/* A kernel builds its table before it turns paging on: with paging
	 * off, the table at PTBR is drawn too, unless there is none yet. */
	if (!on && (ptbr & PTE_FRAME_MASK) == 0)
		put_node(p->f, "g_none", "shape=note, ", "PTBR = 0: no table");
	else
		draw_table(p, &pt, ptbr & PTE_FRAME_MASK);
	fputs("\t}\n", p->f);
}

/* The VMM's shadow tables, one per view: what the real MMU walks. */
static void draw_shadows(struct pt_dot *p)
{
	int live = vmm_vm_view(p->t->v, p->vm);
	for (int view = 0; view < VMM_VIEWS; view++) {
		char id[16], label[256];
		snprintf(id, sizeof id, "s%d", view);
		struct pt pt = { id, "va", "HPA", false, "hf", p->hframes, { 0 }, 0 };
		snprintf(label, sizeof label, "shadow %s (HPA)%s\n%s",
			 vmm_view_name(view), view == live ? ", live" : "",
			 vmm_view_doc(view));
		put_cluster(p->f, id, view == live ? "style=bold; color=blue; "
						   : "", label);
		draw_table(p, &pt, vmm_vm_shadow_root(p->t->v, p->vm, view));
		fputs("\t}\n", p->f);
	}
}

/* --hw: the VMM's nested table, which the hardware walks for every
 * guest-physical address (each guest PTE, and the final address). */
static void draw_nested(struct pt_dot *p)
{
	struct pt pt = { "n", "gpa", "HPA", false, "hf", p->hframes, { 0 }, 0 };
	for (int i = 0; i < p->walk->nrefs; i++) { /* a nested walk starts at its root */
		const struct mach_walk_ref *r = &p->walk->ref[i];
		if (r->dim == 'n' && r->level == 1 && pt.npath < PATH_MAX_ADDRS)
			pt.path[pt.npath++] = r->gpa;
	}
	if (p->walk->nested_fault && pt.npath < PATH_MAX_ADDRS)
		pt.path[pt.npath++] = p->walk->fault_gpa;
	put_cluster(p->f, "nested", "style=bold; color=blue; ",
		    "nested table (HPA), live\nguest-physical -> host-physical:"
		    " the hardware walks it for every GPA");
	draw_table(p, &pt, p->vmcs->nested_ptbr & PTE_FRAME_MASK);
	fputs("\t}\n", p->f);
}

/* The node of the table that a reference of the 2-D walk reads: a root,
 * or the leaf table that holds the PTE (by its GPA for the guest's, its
 * HPA for the nested table's: the names draw_leaf gives them). */
static void ref_table_id(char *buf, size_t size, const struct mach_walk_ref *r)
{
	const char *pre = r->dim == 'g' ? "g" : "n";
	if (r->level == 1)
		snprintf(buf, size, "%s_root", pre);
	else
		snprintf(buf, size, "%s_t%08" PRIx32, pre,
			 (r->dim == 'g' ? r->gpa : r->hpa) & PTE_FRAME_MASK);
}

/* What the walk ends in: the address, the guest's own fault (taken with
 * no exit), or a nested fault (an exit to the VMM). */
static void walk_outcome(const struct pt_dot *p, char *buf, size_t size)
{
	const struct mach_walk2d *w = p->walk;
	const char *name = isa_cause_name(w->cause);
	if (w->nested_fault)
		snprintf(buf, size, "nested fault at GPA 0x%08" PRIx32 "\n"
			 "an exit: the VMM maps it or emulates it", w->fault_gpa);
	else if (w->cause != CAUSE_NONE)
		snprintf(buf, size, "the guest's own fault: %s\ntaken by the "
			 "guest, no exit", name ? name : "?");
	else
		snprintf(buf, size, "gva 0x%08" PRIx32 "\n-> GPA 0x%08" PRIx32
			 "\n-> HPA 0x%08" PRIx32, p->walk_va, w->gpa, w->hpa);
}

/* --hw: the two-dimensional walk of one access, one node
 * per reference in order (1 to at most MACH_WALK2D_MAX), chained by red
 * edges, each with a dashed edge to the table it reads. */
static void draw_walk(struct pt_dot *p)
{
	const struct mach_walk2d *w = p->walk;
	char id[16], prev[16] = "", to[32], num[16], label[160];
	snprintf(label, sizeof label, "2-D walk of %s, gva 0x%08" PRIx32
		 "\n%d reference%s", p->walk_what, p->walk_va, w->nrefs,
		 w->nrefs == 1 ? "" : "s");
	put_cluster(p->f, "walk", "color=red; ", label);
	for (int i = 0; i < w->nrefs; i++) {
		const struct mach_walk_ref *r = &w->ref[i];
		snprintf(id, sizeof id, "w%d", i + 1);
		snprintf(label, sizeof label, "%d. %s level %d\n%s 0x%08" PRIx32
			 "\nread at HPA 0x%08" PRIx32 " = 0x%08" PRIx32, i + 1,
			 r->dim == 'g' ? "guest table" : "nested table", r->level,
			 r->dim == 'g' ? "PTE at GPA" : "for GPA", r->gpa, r->hpa,
			 r->value);
		put_node(p->f, id, "color=red, ", label);
		if (prev[0])
			put_edge(p->edges, prev, id, "color=red, penwidth=2, ", "");
		ref_table_id(to, sizeof to, r);
		snprintf(num, sizeof num, "%d", i + 1);
		put_edge(p->edges, id, to, "color=red, fontcolor=red, style=dashed, "
			 "constraint=false, ", num);
		memcpy(prev, id, sizeof prev);
	}
	walk_outcome(p, label, sizeof label);
	put_node(p->f, "w_end", "shape=ellipse, color=red, ", label);
	if (prev[0])
		put_edge(p->edges, prev, "w_end", "color=red, penwidth=2, ", "");
	fputs("\t}\n", p->f);
}

/* How many frames from pa on are in map, one after the other. */
static uint32_t frames_from(const uint8_t *map, uint32_t pa)
{
	uint32_t n = 1;
	while ((pa >> PAGE_SHIFT) + n < NFRAMES &&
	       frame_has(map, pa + (n << PAGE_SHIFT)))
		n++;
	return n;
}

/* How many guest frames from gpa on (at most max) have no host frame. */
static uint32_t unbacked_run(struct pt_dot *p, uint32_t gpa, uint32_t max)
{
	uint32_t n = 0, h;
	while (n < max &&
	       !vmm_vm_gpa_to_hpa(p->t->v, p->vm, gpa + (n << PAGE_SHIFT), &h))
		n++;
	return n;
}

/* How many guest frames from gpa on (at most max) are backed by the
 * contiguous host frames from hpa on, each of them reached by a shadow. */
static uint32_t reached_run(struct pt_dot *p, uint32_t gpa, uint32_t hpa,
			    uint32_t max)
{
	uint32_t n = 0, h;
	while (n < max &&
	       vmm_vm_gpa_to_hpa(p->t->v, p->vm, gpa + (n << PAGE_SHIFT), &h) &&
	       h == hpa + (n << PAGE_SHIFT) && frame_has(p->hframes, h))
		n++;
	return n;
}

/*
 * The VMM's memory map from a run of guest frames, as dashed edges to the
 * host frames behind them.  Only the host frames that a shadow reaches
 * are drawn: they close the triangle va -> gpa -> hpa that a shadow
 * entry short-cuts.  The rest of the guest's memory is backed too, but
 * drawing it all (a thousand scattered host frames for the guest OS)
 * buried the picture.  Guest frames without RAM get a note.
 */
static void draw_backing(struct pt_dot *p, const char *id, uint32_t gpa,
			 uint32_t frames)
{
	char to[48], label[96], g[32], h[32];
	for (uint32_t k = 0, n; k < frames; k += n) {
		uint32_t at = gpa + (k << PAGE_SHIFT), hpa;
		if (!vmm_vm_gpa_to_hpa(p->t->v, p->vm, at, &hpa)) {
			/* no RAM: past the guest's memory are its devices,
			 * which the VMM emulates on each access (an MMIO
			 * exit), never maps */
			n = unbacked_run(p, at, frames - k);
			put_range(g, sizeof g, at, n);
			snprintf(to, sizeof to, "%s_none%08" PRIx32, id, at);
			snprintf(label, sizeof label, "%s\n%s", g,
				 at >= vmm_vm_mem(p->t->v, p->vm) ? "not RAM: MMIO"
								  : "no host frame");
			put_node(p->f, to, "shape=plaintext, ", label);
			put_edge(p->edges, id, to, "style=dotted, ", "");
			continue;
		}
		n = reached_run(p, at, hpa, frames - k);
		if (n == 0) { /* no shadow reaches it: left out */
			n = 1;
			continue;
		}
		snprintf(to, sizeof to, "hf_%08" PRIx32, run_start(p->hframes, hpa));
		put_range(g, sizeof g, at, n);
		put_range(h, sizeof h, hpa, n);
		snprintf(label, sizeof label, "GPA %s -> HPA %s", g, h);
		/* the range goes without saying when the edge joins two
		 * whole nodes */
		bool whole = n == frames && run_start(p->hframes, hpa) == hpa &&
			     frames_from(p->hframes, hpa) == n;
		put_edge(p->edges, id, to, "style=dashed, ", whole ? "" : label);
	}
}

/* A cluster with one node per run of contiguous frames of the bitmap, in
 * address order; guest frames also get their edges to the host frames
 * that back them. */
static void draw_frames(struct pt_dot *p, const char *title, uint8_t *map,
			const char *prefix, const char *space)
{
	char id[32], label[96], range[32];
	/* under --hw the nested table already draws each guest frame's
	 * host frame: the memory map again would draw every edge twice */
	bool guest = strcmp(prefix, "gf") == 0 && !p->vmcs;
	uint32_t nodes = 0;
	put_cluster(p->f, prefix, "", title);
	for (uint32_t fn = 0; fn < NFRAMES; fn++) {
		uint32_t pa = fn << PAGE_SHIFT;
		if (!frame_has(map, pa))
			continue;
		uint32_t n = frames_from(map, pa);
		snprintf(id, sizeof id, "%s_%08" PRIx32, prefix, pa);
		put_range(range, sizeof range, pa, n);
		if (n == 1)
			snprintf(label, sizeof label, "%s %s", space, range);
		else
			snprintf(label, sizeof label, "%s %s\n%" PRIu32 " frames",
				 space, range, n);
		put_node(p->f, id, "shape=box3d, ", label);
		nodes++;
		if (guest)
			draw_backing(p, id, pa, n);
		fn += n - 1;
	}
	if (nodes == 0) {
		snprintf(id, sizeof id, "%s_none", prefix);
		put_node(p->f, id, "shape=note, ", "none mapped");
	}
	fputs("\t}\n", p->f);
}

/* The guest's table, the shadows (or under --hw the nested table and the
 * walk) and the frames they reach. */
static void draw_all(struct pt_dot *p, uint32_t psw, uint32_t ptbr)
{
	draw_guest(p, psw, ptbr);
	if (!p->t->v) {
		draw_frames(p, "physical frames", p->gframes, "pf", "PA");
		return;
	}
	if (p->vmcs) { /* nested paging: no shadows, the hardware walks */
		draw_nested(p);
		draw_walk(p);
	} else if (p->unentered) {
		put_cluster(p->f, "hw", "", "hardware assist");
		put_node(p->f, "hw_none", "shape=note, ", "no VM entry yet:\n"
			 "the hardware has walked no table");
		fputs("\t}\n", p->f);
	} else {
		draw_shadows(p);
	}
	draw_frames(p, "guest frames (GPA)", p->gframes, "gf", "GPA");
	draw_frames(p, "host frames", p->hframes, "hf", "HPA");
}

/* --hw: the walk to draw, into p; false if there is no nested paging. */
static bool set_walk(struct dbg *d, int vm, const uint32_t *walk_va,
		     struct pt_dot *p, struct mach_vmcs *vmcs,
		     struct mach_walk2d *walk)
{
	if (!p->t->v || !current_vmcs(d, vm, vmcs))
		return false;
	/* The VMCS is the one the last VM exit left: before the first entry
	 * its controls are all clear (every run sets some, WFI at least). */
	p->unentered = vmcs->controls == 0;
	if (!(vmcs->controls & MACH_VMX_NESTED_PAGING))
		return false;
	/* without an address, the one the guest uses next: its pc */
	unsigned access = walk_va ? CAUSE_ACCESS_LOAD : CAUSE_ACCESS_FETCH;
	p->walk_va = walk_va ? *walk_va : vmcs->guest.pc;
	p->walk_what = walk_va ? "a load" : "a fetch at the guest's pc";
	mach_walk2d(p->t->m, vmcs, p->walk_va, access, walk);
	p->vmcs = vmcs, p->walk = walk;
	return true;
}

int dbg_dot_pagetables(struct dbg *d, int vm, const uint32_t *walk_va,
		       FILE *f, char *err, size_t errsize)
{
	struct target *t = dbg_target(d);
	if (vm < 0 || vm >= dbg_vm_count(d)) {
		snprintf(err, errsize, "no vm%d: there are %d", vm, dbg_vm_count(d));
		return -1;
	}
	struct vmm_vcpu_state st;
	if (t->v)
		dbg_guest_state(d, vm, &st);
	else
		memcpy(st.cr, mach_cpu(t->m)->cr, sizeof st.cr);
	uint32_t psw = st.cr[CR_PSW], ptbr = st.cr[CR_PTBR];
	char *edges = NULL, *scratch = NULL, who[32], label[320];
	size_t nedges = 0, nscratch = 0;
	struct pt_dot p = { .t = t, .vm = vm,
			    .gframes = calloc(NFRAMES / 8, 1),
			    .hframes = calloc(NFRAMES / 8, 1) };
	struct mach_vmcs vmcs;
	struct mach_walk2d walk;
	if (!set_walk(d, vm, walk_va, &p, &vmcs, &walk) && walk_va) {
		free(p.gframes), free(p.hframes);
		snprintf(err, errsize, p.unentered
			 ? "--walk: vm%d has not entered guest mode yet: no nested "
			   "table to walk (step first)"
			 : "--walk draws the 2-D walk of nested paging: it needs "
			   "--vmm --hw", vm);
		return -1;
	}
	FILE *sink = NULL;
	if (p.gframes && p.hframes)
		sink = open_memstream(&scratch, &nscratch);
	if (sink)
		p.edges = open_memstream(&edges, &nedges);
	if (!p.edges) {
		if (sink)
			fclose(sink), free(scratch);
		free(p.gframes), free(p.hframes);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	/* An edge goes to the node of the run of frames that holds its
	 * target, and the runs are known only once every table has been
	 * walked.  So the tables are walked twice: the first time only to
	 * mark the frames (the text is thrown away), the second to draw. */
	FILE *edges_out = p.edges;
	p.f = p.edges = sink;
	draw_all(&p, psw, ptbr);
	fclose(sink), free(scratch);
	p.f = f, p.edges = edges_out;
	put_header(f, "pagetables");
	fputs("\tnewrank=true;\n", f);
	draw_all(&p, psw, ptbr);
	bool edges_ok = fclose(p.edges) == 0; /* it fails on no memory */
	fwrite(edges, 1, nedges, f);
	free(edges), free(p.gframes), free(p.hframes);
	if (t->v)
		snprintf(who, sizeof who, "vm%d", vm);
	else
		snprintf(who, sizeof who, "the bare machine");
	snprintf(label, sizeof label, "%s: PSW 0x%08" PRIx32 " (%s, paging %s),"
		 " PTBR 0x%08" PRIx32 "\n%s", who, psw, (psw & PSW_MODE) ?
		 "supervisor" : "user", (psw & PSW_PG) ? "on" : "off", ptbr,
		 dbg_status(d));
	put_footer(f, label);
	if (!edges_ok || ferror(f)) {
		snprintf(err, errsize, edges_ok ? "write error" : "out of memory");
		return -1;
	}
	return 0;
}

/* ---- exits --------------------------------------------------------------- */

static const char *handler_of(int row)
{
	const char *h = dbg_row_handler(row);
	return h ? h : "none";
}

/* Rows with the same handler (every interrupt has inject_interrupt)
 * share its node, named after the first of them. */
static int handler_row(int row)
{
	int r = 0;
	while (strcmp(handler_of(r), handler_of(row)) != 0)
		r++;
	return r;
}

/* An edge's width grows with the log of its count: 1 for one exit, 0.5
 * more for each doubling, at most 8. */
static const char *weight(uint64_t n, char buf[32])
{
	unsigned w = 10;
	while ((n >>= 1) && w < 80)
		w += 5;
	snprintf(buf, 32, "penwidth=%u.%u, ", w / 10, w % 10);
	return buf;
}

/* One VM's exits, by cause row and by what its handler did; returns
 * how many. */
static uint64_t count_exits(struct dbg *d, int vm,
			    uint64_t n[DBG_CAUSE_ROWS][VMM_ACT_COUNT])
{
	uint64_t total = 0;
	for (int r = 0; r < DBG_CAUSE_ROWS; r++)
		for (int a = 0; a < VMM_ACT_COUNT; a++)
			total += n[r][a] = dbg_exit_count(d, vm, r, a);
	return total;
}

/* cause -> handler -> action for one VM, node names prefixed with pre. */
static void draw_exits(FILE *f, const char *pre,
		       uint64_t n[DBG_CAUSE_ROWS][VMM_ACT_COUNT])
{
	uint64_t by_action[VMM_ACT_COUNT] = { 0 };
	char from[32], to[32], label[64], pw[32];
	for (int r = 0; r < DBG_CAUSE_ROWS; r++) {
		uint64_t sum = 0;
		for (int a = 0; a < VMM_ACT_COUNT; a++)
			sum += n[r][a], by_action[a] += n[r][a];
		if (sum == 0)
			continue;
		snprintf(from, sizeof from, "%sc%d", pre, r);
		snprintf(to, sizeof to, "%sh%d", pre, handler_row(r));
		snprintf(label, sizeof label, "%s\n(%s %d)", dbg_row_name(r),
			 r < CAUSE_COUNT ? "cause" : "irq",
			 r < CAUSE_COUNT ? r : r - CAUSE_COUNT);
		put_node(f, from, "shape=ellipse, ", label);
		snprintf(label, sizeof label, "%" PRIu64, sum);
		put_edge(f, from, to, weight(sum, pw), label);
	}
	for (int h = 0; h < DBG_CAUSE_ROWS; h++) {
		uint64_t out[VMM_ACT_COUNT] = { 0 }, sum = 0;
		for (int r = h; r < DBG_CAUSE_ROWS; r++)
			for (int a = 0; a < VMM_ACT_COUNT && handler_row(r) == h; a++)
				out[a] += n[r][a], sum += n[r][a];
		if (sum == 0)
			continue;
		snprintf(from, sizeof from, "%sh%d", pre, h);
		put_node(f, from, "style=rounded, ", handler_of(h));
		for (int a = 0; a < VMM_ACT_COUNT; a++) {
			if (out[a] == 0)
				continue;
			snprintf(to, sizeof to, "%sa%d", pre, a);
			snprintf(label, sizeof label, "%" PRIu64, out[a]);
			put_edge(f, from, to, weight(out[a], pw), label);
		}
	}
	for (int a = 0; a < VMM_ACT_COUNT; a++) {
		snprintf(to, sizeof to, "%sa%d", pre, a);
		if (by_action[a])
			put_node(f, to, "shape=hexagon, ", vmm_action_name(a));
	}
}

int dbg_dot_exits(struct dbg *d, FILE *f, char *err, size_t errsize)
{
	if (!dbg_target(d)->v) {
		snprintf(err, errsize, "not under the VMM (--vmm): no exits");
		return -1;
	}
	uint64_t n[DBG_CAUSE_ROWS][VMM_ACT_COUNT], all = 0;
	int nvms = dbg_vm_count(d);
	char id[32], pre[16], label[320];
	put_header(f, "exits");
	/* With several VMs, one cluster each.  Graphviz stacks rankdir=LR
	 * clusters from the bottom up: the last VM goes first, so that vm0
	 * ends on top. */
	for (int vm = nvms - 1; vm >= 0; vm--) {
		uint64_t total = count_exits(d, vm, n);
		all += total;
		pre[0] = '\0';
		if (nvms > 1) {
			snprintf(id, sizeof id, "vm%d", vm);
			snprintf(pre, sizeof pre, "v%d_", vm);
			snprintf(label, sizeof label, "vm%d: %" PRIu64 " exits",
				 vm, total);
			put_cluster(f, id, "", label);
		}
		if (total == 0) {
			snprintf(id, sizeof id, "%snone", pre);
			put_node(f, id, "shape=note, ", "no exits yet");
		}
		draw_exits(f, pre, n);
		if (nvms > 1)
			fputs("\t}\n", f);
	}
	snprintf(label, sizeof label, "exits so far: %" PRIu64 "\n%s", all,
		 dbg_status(d));
	put_footer(f, label);
	if (ferror(f)) {
		snprintf(err, errsize, "write error");
		return -1;
	}
	return 0;
}
