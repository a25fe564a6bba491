/*
 * view.c - memory and page tables the way a student asks about them:
 * guest-virtual, guest-physical and host-physical addresses, the guest's
 * own page table, the VMM's shadows, and the TLB.
 *
 * Nothing here has a side effect on the run: tables are read, never
 * walked by the MMU (no A/D bits set, no TLB filled).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define LIST_MAX 64 /* mappings a listing prints before "... N more" */

int pte_flags(char *buf, size_t size, uint32_t pte)
{
	static const struct { uint32_t bit; const char *name; } flags[] = {
		{PTE_V, "V"}, {PTE_R, "R"}, {PTE_W, "W"}, {PTE_X, "X"},
		{PTE_U, "U"}, {PTE_A, "A"}, {PTE_D, "D"},
	};
	int n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (pte & flags[i].bit)
			n += snprintf(buf + n, size - (size_t)n, "%s%s", n ? " " : "",
				      flags[i].name);
	if (n == 0)
		n = snprintf(buf, size, "-");
	return n;
}

static const char *space_name(enum space sp)
{
	return sp == SPACE_GVA ? "gva" : sp == SPACE_GPA ? "gpa" : "hpa";
}

static bool guest_vcpu(struct dbg *d, int vm, struct vmm_vcpu_state *st)
{
	dbg_guest_state(d, vm, st);
	return true;
}

bool dbg_gva_to_gpa(struct dbg *d, int vm, uint32_t va, uint32_t *gpa,
		    uint32_t *cause)
{
	struct vmm_vcpu_state st;
	guest_vcpu(d, vm, &st);
	if (d->v) {
		if (!(st.cr[CR_PSW] & PSW_PG)) {
			*gpa = va;
			*cause = CAUSE_NONE;
			return true;
		}
		uint32_t pte, pte_gpa;
		*cause = vmm_vm_walk(d->v, vm, va, CAUSE_ACCESS_LOAD,
				     !(st.cr[CR_PSW] & PSW_MODE), gpa, &pte, &pte_gpa);
		return *cause == CAUSE_NONE;
	}
	*cause = mach_translate(d->m, va, CAUSE_ACCESS_LOAD, gpa);
	return *cause == CAUSE_NONE;
}

static bool read_physical(struct dbg *d, int vm, enum space sp, uint32_t addr,
			  void *buf, uint32_t len)
{
	if (sp == SPACE_GPA && d->v)
		return vmm_vm_read(d->v, vm, addr, buf, len);
	return mach_phys_read(d->m, addr, buf, len);
}

bool dbg_read(struct dbg *d, int vm, enum space sp, uint32_t addr, void *buf,
	      uint32_t len)
{
	if (sp != SPACE_GVA)
		return read_physical(d, vm, sp, addr, buf, len);
	uint8_t *p = buf;
	while (len) { /* page by page: each page translates on its own */
		uint32_t in_page = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
		uint32_t n = len < in_page ? len : in_page;
		uint32_t gpa, cause;
		if (!dbg_gva_to_gpa(d, vm, addr, &gpa, &cause) ||
		    !read_physical(d, vm, SPACE_GPA, gpa, p, n))
			return false;
		p += n, addr += n, len -= n;
	}
	return true;
}

static bool read_word(struct dbg *d, int vm, enum space sp, uint32_t addr,
		      uint32_t *w)
{
	return read_physical(d, vm, sp, addr, w, 4);
}

/* ---- one translation, step by step ------------------------------------------ */

/* Reads and prints one entry of a table walk ("root[1] at gpa ... = ...").
 * Returns true with *e if it is valid. */
static bool print_entry(struct dbg *d, int vm, enum space sp, const char *level,
			uint32_t table, uint32_t index, const char *indent,
			uint32_t *e)
{
	char fl[40];
	uint32_t pa = (table & PTE_FRAME_MASK) + index * 4;
	if (!read_word(d, vm, sp, pa, e)) {
		fprintf(d->out, "%s%s[0x%03x] at %s 0x%08" PRIx32 ": outside memory\n",
			indent, level, index, space_name(sp), pa);
		return false;
	}
	pte_flags(fl, sizeof fl, *e);
	fprintf(d->out, "%s%s[0x%03x] at %s 0x%08" PRIx32 " = 0x%08" PRIx32 "  %s\n",
		indent, level, index, space_name(sp), pa, *e, fl);
	return *e & PTE_V;
}

/* Prints the two entries a walk of va reads in the table at root (in
 * space sp).  Returns true with *pa if the leaf is valid. */
static bool print_walk(struct dbg *d, int vm, enum space sp, uint32_t root,
		       uint32_t va, const char *indent, uint32_t *pa)
{
	uint32_t re, le;
	if (!print_entry(d, vm, sp, "root", root, va >> 22, indent, &re) ||
	    !print_entry(d, vm, sp, "leaf", re, (va >> PAGE_SHIFT) & 1023, indent,
			 &le))
		return false;
	*pa = (le & PTE_FRAME_MASK) | (va & (PAGE_SIZE - 1));
	return true;
}

/*
 * One shadow's entry for va, and whether it says what it should: the phys
 * shadow maps guest-physical memory (va as a GPA), the super and user
 * shadows what the guest's table maps (guest_hpa, when check is set).
 */
static void print_shadow_entry(struct dbg *d, int vm, int view, uint32_t va,
			       uint32_t guest_hpa, bool check)
{
	uint32_t root = vmm_vm_shadow_root(d->v, vm, view), hpa, want;
	bool live = vmm_vm_view(d->v, vm) == view;
	fprintf(d->out, "  shadow %s%s (root hpa 0x%08" PRIx32 "):\n",
		vmm_view_name(view), live ? ", live" : "", root);
	if (print_walk(d, vm, SPACE_HPA, root, va, "    ", &hpa)) {
		const char *verdict = "";
		if (view == VMM_VIEW_PHYS && vmm_vm_gpa_to_hpa(d->v, vm, va, &want))
			verdict = hpa == want ? " (agrees with the VM's memory map)"
					      : " (differs from the memory map!)";
		else if (view != VMM_VIEW_PHYS && check)
			verdict = hpa == guest_hpa
				? " (agrees with the guest's table)"
				: " (differs from the guest's table: stale until "
				  "the guest flushes)";
		fprintf(d->out, "    gva 0x%08" PRIx32 " -> hpa 0x%08" PRIx32 "%s\n",
			va, hpa, verdict);
	} else {
		fprintf(d->out, "    no entry: the next access faults and the VMM "
				"fills it\n");
	}
}

/* --hw: the VM's VMCS with the guest state of now (the VMCS holds it as
 * the last VM exit left it; the handlers may have changed it since). */
bool current_vmcs(struct dbg *d, int vm, struct mach_vmcs *s)
{
	const struct mach_vmcs *live = d->v ? vmm_vm_vmcs(d->v, vm) : NULL;
	if (!live)
		return false;
	struct vmm_vcpu_state st;
	guest_vcpu(d, vm, &st);
	*s = *live;
	memcpy(s->guest.x, st.x, sizeof st.x);
	memcpy(s->guest.cr, st.cr, sizeof st.cr);
	s->guest.pc = st.pc;
	return true;
}

/* --hw: both dimensions of a load's walk, every reference in order. */
static void print_walk2d(struct dbg *d, const struct mach_vmcs *s, uint32_t va)
{
	struct mach_walk2d w;
	mach_walk2d(d->m, s, va, CAUSE_ACCESS_LOAD, &w);
	fprintf(d->out, "  the hardware's 2-D walk of a load (nested table at hpa "
			"0x%08" PRIx32 "): %d references\n", s->nested_ptbr, w.nrefs);
	for (int i = 0; i < w.nrefs; i++) {
		const struct mach_walk_ref *r = &w.ref[i];
		fprintf(d->out, "    %d. %s level %d: %s 0x%08" PRIx32 ", read at hpa "
				"0x%08" PRIx32 " = 0x%08" PRIx32 "\n", i + 1,
			r->dim == 'g' ? "guest table " : "nested table", r->level,
			r->dim == 'g' ? "PTE at gpa" : "for gpa   ", r->gpa, r->hpa,
			r->value);
	}
	if (w.nested_fault)
		fprintf(d->out, "  gpa 0x%08" PRIx32 " is not in the nested table: the "
				"access exits (nested fault); the VMM maps a page of "
				"RAM, emulates a device, or gives the guest its "
				"BUS_ERROR\n", w.fault_gpa);
	else if (w.cause != CAUSE_NONE)
		fprintf(d->out, "  the guest's own table refuses it: %s, taken by the "
				"guest with no exit\n", isa_cause_name(w.cause));
	else
		fprintf(d->out, "  gva 0x%08" PRIx32 " -> gpa 0x%08" PRIx32 " -> hpa "
				"0x%08" PRIx32 "\n", va, w.gpa, w.hpa);
}

void cmd_translate_va(struct dbg *d, int vm, uint32_t va)
{
	struct vmm_vcpu_state st;
	guest_vcpu(d, vm, &st);
	uint32_t psw = st.cr[CR_PSW], gpa = va, hpa = 0, cause;
	bool paging = psw & PSW_PG;
	if (d->v)
		fprintf(d->out, "vm%d: gva", vm);
	else
		fprintf(d->out, "va");
	fprintf(d->out, " 0x%08" PRIx32 ", paging %s, %s mode\n", va,
		paging ? "on" : "off",
		(psw & PSW_MODE) ? (d->v ? "virtual supervisor" : "supervisor")
				 : (d->v ? "virtual user" : "user"));
	if (paging) {
		fprintf(d->out, "  %s table (ptbr %s 0x%08" PRIx32 "):\n",
			d->v ? "guest" : "page", d->v ? "gpa" : "pa",
			st.cr[CR_PTBR] & PTE_FRAME_MASK);
		uint32_t pa;
		print_walk(d, vm, d->v ? SPACE_GPA : SPACE_HPA, st.cr[CR_PTBR], va,
			   "    ", &pa);
		if (!dbg_gva_to_gpa(d, vm, va, &gpa, &cause)) {
			const char *name = isa_cause_name(cause);
			fprintf(d->out, "  a load would trap: %s (cause 0x%08" PRIx32
					")\n", name ? name : "?", cause);
			if (!d->v)
				return;
			gpa = UINT32_MAX;
		}
	}
	if (!d->v) {
		fprintf(d->out, "  va 0x%08" PRIx32 " -> pa 0x%08" PRIx32
				" (the bare machine: physical is host memory)\n",
			va, gpa);
		return;
	}
	bool mapped = gpa != UINT32_MAX;
	if (mapped) {
		fprintf(d->out, "  gva 0x%08" PRIx32 " -> gpa 0x%08" PRIx32 "%s\n",
			va, gpa, paging ? "" : " (paging off: the same)");
		if (vmm_vm_gpa_to_hpa(d->v, vm, gpa, &hpa))
			fprintf(d->out, "  memory map of vm%d: gpa 0x%08" PRIx32
					" -> hpa 0x%08" PRIx32 "\n", vm, gpa, hpa);
		else {
			fprintf(d->out, "  gpa 0x%08" PRIx32 " is not RAM of vm%d "
					"(a device page, or past its memory)\n",
				gpa, vm);
			mapped = false;
		}
	}
	struct mach_vmcs s;
	if (current_vmcs(d, vm, &s) && (s.controls & MACH_VMX_NESTED_PAGING)) {
		print_walk2d(d, &s, va); /* no shadows: the hardware walks */
		return;
	}
	for (int view = 0; view < VMM_VIEWS; view++)
		print_shadow_entry(d, vm, view, va, hpa, mapped && paging);
}

/* info vmcs: what the VMM last gave the hardware, and what came back. */
void cmd_info_vmcs(struct dbg *d, int vm)
{
	struct mach_vmcs s;
	if (!current_vmcs(d, vm, &s)) {
		fprintf(d->out, "vm%d has no VMCS: the VMM runs it without hardware "
				"assist (--hw, --hw=shadow)\n", vm);
		return;
	}
	fprintf(d->out, "vm%d: VMCS as the last VM exit left it\n  guest state "
			"(the vCPU now: copied in at every VM entry, back at every "
			"exit):\n", vm);
	fprintf(d->out, "    pc 0x%08" PRIx32, s.guest.pc);
	for (unsigned r = 0; r < CR_COUNT; r++)
		fprintf(d->out, "  %s 0x%08" PRIx32, isa_cr_name(r), s.guest.cr[r]);
	fprintf(d->out, "\n  controls 0x%08" PRIx32 ":", s.controls);
	for (unsigned bit = 0; bit < 32; bit++)
		if (s.controls & (1u << bit))
			fprintf(d->out, " %s", mach_vmx_control_name(bit));
	fprintf(d->out, "\n  exception bitmap 0x%08" PRIx32 ":", s.exception_bitmap);
	for (unsigned c = 0; c < CAUSE_COUNT; c++)
		if (s.exception_bitmap & (1u << c))
			fprintf(d->out, " %s", isa_cause_name(c));
	if (s.controls & MACH_VMX_NESTED_PAGING)
		fprintf(d->out, "\n  nested table at hpa 0x%08" PRIx32, s.nested_ptbr);
	else
		fprintf(d->out, "\n  shadow tables at hpa 0x%08" PRIx32 " (paging) and "
				"0x%08" PRIx32 " (paging off)", s.shadow_ptbr,
			s.shadow_phys_ptbr);
	fprintf(d->out, "; guest RAM %" PRIu32 " KiB; vpid %u%s\n", s.guest_ram >> 10,
		s.vpid, s.vpid ? "" : " (none: the TLB is flushed at every entry and exit)");
	const char *reason = mach_vmexit_name(s.exit_reason);
	fprintf(d->out, "  last exit: %s (%s)\n    pc 0x%08" PRIx32 " insn 0x%08"
			PRIx32 " gpa 0x%08" PRIx32 " badva 0x%08" PRIx32 " access %u%s; "
			"%" PRIu64 " host cycles in that run\n",
		reason ? reason : "?", vmm_hw_handler_name(s.exit_reason),
		s.exit_pc, s.exit_insn, s.exit_gpa, s.exit_badva, s.exit_access,
		s.exit_in_walk ? " (in the guest's walk)" : "", s.exit_host_cycles);
	if (s.entry_error)
		fprintf(d->out, "  entry refused: %s\n", s.entry_error);
}

/* ---- listings -------------------------------------------------------------------- */

typedef void mapping_fn(struct dbg *d, void *ctx, uint32_t va, uint32_t pte);

/* Calls fn for each valid leaf entry of the table at root; returns how
 * many leaf tables it found. */
static int each_mapping(struct dbg *d, int vm, enum space sp, uint32_t root,
			mapping_fn *fn, void *ctx)
{
	static uint32_t rt[1024], lt[1024];
	int leaves = 0;
	if (!read_physical(d, vm, sp, root & PTE_FRAME_MASK, rt, sizeof rt))
		return 0;
	for (uint32_t i = 0; i < 1024; i++) {
		if (!(rt[i] & PTE_V))
			continue;
		leaves++;
		if (!read_physical(d, vm, sp, rt[i] & PTE_FRAME_MASK, lt, sizeof lt))
			continue;
		for (uint32_t j = 0; j < 1024; j++)
			if (lt[j] & PTE_V)
				fn(d, ctx, i << 22 | j << PAGE_SHIFT, lt[j]);
	}
	return leaves;
}

struct listing {
	int count;
	const char *to; /* "gpa", "hpa", "pa" */
};

static void print_mapping(struct dbg *d, void *ctx, uint32_t va, uint32_t pte)
{
	struct listing *l = ctx;
	if (l->count++ >= LIST_MAX)
		return;
	char fl[40];
	pte_flags(fl, sizeof fl, pte);
	fprintf(d->out, "    va 0x%08" PRIx32 " -> %s 0x%08" PRIx32 "  %s\n", va,
		l->to, pte & PTE_FRAME_MASK, fl);
}

static void end_listing(struct dbg *d, const struct listing *l)
{
	if (l->count > LIST_MAX)
		fprintf(d->out, "    ... %d more\n", l->count - LIST_MAX);
	if (l->count == 0)
		fprintf(d->out, "    (no valid entries)\n");
}

void cmd_info_pagetable(struct dbg *d, int vm, bool one, uint32_t va)
{
	struct vmm_vcpu_state st;
	guest_vcpu(d, vm, &st);
	enum space sp = d->v ? SPACE_GPA : SPACE_HPA;
	uint32_t root = st.cr[CR_PTBR] & PTE_FRAME_MASK, pa;
	fprintf(d->out, "vm%d: %s page table at ptbr %s 0x%08" PRIx32 "%s\n", vm,
		d->v ? "the guest's" : "the", d->v ? "gpa" : "pa", root,
		(st.cr[CR_PSW] & PSW_PG) ? "" : " (paging is off: not in use)");
	if (one) {
		if (print_walk(d, vm, sp, root, va, "  ", &pa))
			fprintf(d->out, "  va 0x%08" PRIx32 " -> %s 0x%08" PRIx32 "\n",
				va, d->v ? "gpa" : "pa", pa);
		return;
	}
	struct listing l = {.to = d->v ? "gpa" : "pa"};
	int leaves = each_mapping(d, vm, sp, root, print_mapping, &l);
	end_listing(d, &l);
	fprintf(d->out, "  %d leaf tables, %d pages mapped\n", leaves, l.count);
}

void cmd_info_shadow(struct dbg *d, int vm, bool one, uint32_t va)
{
	int live = vmm_vm_view(d->v, vm);
	if (one) {
		fprintf(d->out, "vm%d: the shadows' entries for gva 0x%08" PRIx32 "\n",
			vm, va);
		for (int view = 0; view < VMM_VIEWS; view++)
			print_shadow_entry(d, vm, view, va, 0, false);
		return;
	}
	fprintf(d->out, "vm%d: live shadow: %s (%s)\n", vm, vmm_view_name(live),
		vmm_view_doc(live));
	for (int view = 0; view < VMM_VIEWS; view++) {
		uint32_t root = vmm_vm_shadow_root(d->v, vm, view);
		struct listing l = {.to = "hpa"};
		fprintf(d->out, "  shadow %s%s, root hpa 0x%08" PRIx32 ":\n",
			vmm_view_name(view), view == live ? " (live)" : "", root);
		int leaves = each_mapping(d, vm, SPACE_HPA, root, print_mapping, &l);
		end_listing(d, &l);
		fprintf(d->out, "    %d leaf tables, %d entries filled\n", leaves,
			l.count);
	}
}

void cmd_info_tlb(struct dbg *d)
{
	struct mach_tlb_entry e[256];
	int n = mach_tlb_entries(d->m, e, 256);
	fprintf(d->out, "the machine's TLB: %d of 256 entries valid%s\n", n,
		d->v ? " (it caches shadow PTEs: the real translations)" : "");
	for (int i = 0; i < n && i < 256; i++) {
		char fl[40];
		pte_flags(fl, sizeof fl, e[i].pte);
		fprintf(d->out, "  va 0x%08" PRIx32 " -> %s 0x%08" PRIx32 "  %s\n",
			e[i].va, d->v ? "hpa" : "pa", e[i].pte & PTE_FRAME_MASK, fl);
	}
}

/* ---- shadows, for step-handler ----------------------------------------------------- */

struct collect {
	struct shadow_entry *e;
	int n, cap;
	uint8_t view;
};

static void collect_one(struct dbg *d, void *ctx, uint32_t va, uint32_t pte)
{
	(void)d;
	struct collect *c = ctx;
	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 256;
		struct shadow_entry *e = realloc(c->e, (size_t)cap * sizeof *e);
		if (!e)
			return;
		c->e = e, c->cap = cap;
	}
	c->e[c->n++] = (struct shadow_entry){.view = c->view, .va = va, .pte = pte};
}

int collect_shadows(struct dbg *d, int vm, struct shadow_entry **out)
{
	struct collect c = {0};
	for (int view = 0; view < VMM_VIEWS; view++) {
		c.view = (uint8_t)view;
		each_mapping(d, vm, SPACE_HPA, vmm_vm_shadow_root(d->v, vm, view),
			     collect_one, &c);
	}
	*out = c.e;
	return c.n;
}
