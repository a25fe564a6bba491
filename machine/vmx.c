/*
 * vmx.c - the hardware-assist extension (isa/ISA.md section 15): names of
 * the exit reasons and exit controls, VM entry and its checks, the run in
 * guest mode, VM exit.
 */
#include <string.h>

#include "internal.h"

/* ---- names ------------------------------------------------------------------ */

/* The X-macro names are C identifiers (NESTED_FAULT); people read
 * "nested-fault".  The preprocessor cannot lower a name's case, so the
 * spelling is written here once more (test_vmx checks both agree). */
static const char *const vmexit_names[MACH_VMEXIT_COUNT] = {
	[MACH_VMEXIT_EXCEPTION] = "exception",
	[MACH_VMEXIT_INTERRUPT] = "interrupt",
	[MACH_VMEXIT_CR_READ] = "cr-read",
	[MACH_VMEXIT_CR_WRITE] = "cr-write",
	[MACH_VMEXIT_PTBR_WRITE] = "ptbr-write",
	[MACH_VMEXIT_RFE] = "rfe",
	[MACH_VMEXIT_TLB] = "tlb",
	[MACH_VMEXIT_WFI] = "wfi",
	[MACH_VMEXIT_HCALL] = "hcall",
	[MACH_VMEXIT_MMIO] = "mmio",
	[MACH_VMEXIT_NESTED_FAULT] = "nested-fault",
	[MACH_VMEXIT_IRQ_WINDOW] = "irq-window",
	[MACH_VMEXIT_DOUBLE_FAULT] = "double-fault",
	[MACH_VMEXIT_ENTRY_FAILED] = "entry-failed",
};

static const char *const vmexit_docs[MACH_VMEXIT_COUNT] = {
#define MACH_X_VMEXIT_DOC(name, doc) [MACH_VMEXIT_##name] = doc,
	MACH_VMEXIT_REASONS(MACH_X_VMEXIT_DOC)
#undef MACH_X_VMEXIT_DOC
};

/* The controls by bit number: a bit with no control stays NULL. */
#define VMX_CONTROL_BITS 32
static const char *const control_names[VMX_CONTROL_BITS] = {
	[0] = "cr-read",
	[1] = "cr-write",
	[2] = "ptbr-write",
	[3] = "rfe",
	[4] = "tlb",
	[5] = "wfi",
	[6] = "hcall",
	[7] = "mmio",
	[8] = "irq-window",
	[9] = "nested-paging",
};

const char *mach_vmexit_name(enum mach_vmexit r)
{
	return (unsigned)r < MACH_VMEXIT_COUNT ? vmexit_names[r] : NULL;
}

const char *mach_vmexit_doc(enum mach_vmexit r)
{
	return (unsigned)r < MACH_VMEXIT_COUNT ? vmexit_docs[r] : NULL;
}

const char *mach_vmx_control_name(unsigned bit)
{
	return bit < VMX_CONTROL_BITS ? control_names[bit] : NULL;
}

/* ---- VM exits ------------------------------------------------------------------ */

/* Every control bit the machine has (an entry with another one fails). */
enum {
#define VMX_X_ALL(name, bit, doc) | MACH_VMX_##name
	VMX_KNOWN_CONTROLS = 0 MACH_VMX_CONTROLS(VMX_X_ALL),
#undef VMX_X_ALL
};

/* Ends the guest's run after this instruction boundary with an exit. */
static void record_exit(struct machine *m, enum mach_vmexit reason,
			uint32_t pc, uint32_t insn)
{
	struct mach_vmcs *v = m->vmcs;
	v->exit_reason = reason;
	v->exit_pc = pc;
	v->exit_insn = insn;
	m->stop = MACH_STOP_VMEXIT;
	m->stop_pending = true;
}

/*
 * An instruction an exit control selects.  It does not run: the host
 * emulates it.  As in monitor mode its cycle is charged and it counts as
 * trapped, so that the host completes it as the VMM completes a trapped
 * instruction (retired, plus what it costs beyond INSN).
 */
void vmx_exit_insn(struct machine *m, enum mach_vmexit reason, uint32_t pc,
		   uint32_t insn)
{
	m->trapped++;
	record_exit(m, reason, pc, insn);
}

/*
 * Exception and nested-fault exits are precise: the instruction did not
 * happen and the cycle its dispatch took is given back, so that resuming
 * it, or injecting the exception, charges what the bare machine would,
 * once.
 */
static void precise_exit(struct machine *m, enum mach_vmexit reason,
			 uint32_t pc, uint32_t insn)
{
	m->left++;
	record_exit(m, reason, pc, insn);
}

/* exception_bitmap has one bit per cause code it can select. */
#define EXCEPTION_BITMAP_BITS 32u

/*
 * An exception in guest mode.  Exits when the exception bitmap selects
 * its cause, or when the translation prepared an exit (VMX_CAUSE_EXIT:
 * a nested fault, or a device access under MMIO, which is an instruction
 * exit like the controls').
 */
bool vmx_trap_exits(struct machine *m, uint32_t cause, uint32_t badva,
		    uint32_t insn)
{
	struct mach_vmcs *v = m->vmcs;
	uint32_t pc = m->cpu.pc;
	if (cause == VMX_CAUSE_EXIT) {
		if (v->exit_reason == MACH_VMEXIT_MMIO)
			vmx_exit_insn(m, MACH_VMEXIT_MMIO, pc, insn);
		else
			precise_exit(m, v->exit_reason, pc, insn);
		return true;
	}
	uint32_t code = cause & CAUSE_CODE_MASK;
	if (cause & CAUSE_INTERRUPT || code >= EXCEPTION_BITMAP_BITS ||
	    !(v->exception_bitmap & (1u << code)))
		return false;
	v->exit_cause = cause;
	v->exit_badva = badva;
	precise_exit(m, MACH_VMEXIT_EXCEPTION, pc, insn);
	return true;
}

/*
 * Between batches.  The machine's own interrupt lines belong to the
 * host: any raised line exits, whatever the guest's IE (VT-x's external-
 * interrupt exiting).  Then the interrupt window.  Every instruction that
 * may set the guest's IE ends its batch, so a boundary check is enough.
 */
bool vmx_boundary(struct machine *m)
{
	struct mach_vmcs *v = m->vmcs;
	if (m->irq_lines) {
		v->exit_cause = CAUSE_INTERRUPT | (uint32_t)__builtin_ctz(m->irq_lines);
		record_exit(m, MACH_VMEXIT_INTERRUPT, m->cpu.pc, 0);
		return true;
	}
	if ((m->exit_controls & MACH_VMX_IRQ_WINDOW) &&
	    (m->cpu.cr[CR_PSW] & PSW_IE)) {
		record_exit(m, MACH_VMEXIT_IRQ_WINDOW, m->cpu.pc, 0);
		return true;
	}
	return false;
}

/* ---- the two-dimensional walk ---------------------------------------------------- */

/*
 * One guest access's walk.  With nested paging every guest-physical
 * address the guest's walk uses -- each of its PTEs, then the page it
 * maps -- goes through the nested table first:
 *
 *   guest PTE 1: nested 1, nested 2, read    3 references
 *   guest PTE 2: nested 1, nested 2, read    3
 *   the page:    nested 1, nested 2          2    = 8 at most
 */
struct walk2d {
	struct machine *m;
	const struct mach_vmcs *v;
	struct mach_walk2d *rec; /* mach_walk2d's record, or NULL */
	int refs;                /* references made, both dimensions */
	int guest_level;         /* guest PTEs read so far */
	bool fault;              /* the nested table refused fault_gpa */
	uint32_t fault_gpa;
	unsigned fault_access;
	uint32_t pte_hpa;   /* where the last guest PTE was read */
	uint32_t pte_allow; /* what the nested table allows on its page */
};

static void note_ref(struct walk2d *w, char dim, int level, uint32_t gpa,
		     uint32_t hpa, uint32_t value)
{
	w->refs++;
	struct mach_walk2d *r = w->rec;
	if (r && r->nrefs < MACH_WALK2D_MAX)
		r->ref[r->nrefs++] = (struct mach_walk_ref){dim, level, gpa, hpa, value};
}

/* One walk of the nested table, for isa_page_walk. */
struct nested_reader {
	struct walk2d *w;
	uint32_t gpa; /* being translated */
	int level;
};

static bool nested_read(void *ctx, uint32_t hpa, uint32_t *value)
{
	struct nested_reader *n = ctx;
	if (!mmu_ram_word(n->w->m, hpa, value))
		return false;
	note_ref(n->w, 'n', ++n->level, n->gpa, hpa, *value);
	return true;
}

/* gpa -> hpa for an access of this kind; false (w->fault) if the nested
 * table has no such mapping or forbids the access.  Only V, R, W, X and
 * the frame of a nested entry count; it has no A or D to write. */
static bool nested_translate(struct walk2d *w, uint32_t gpa, unsigned access,
			     uint32_t *hpa, uint32_t *allow)
{
	struct nested_reader n = {w, gpa, 0};
	uint32_t pte, pte_pa;
	unsigned levels;
	if (isa_page_walk(nested_read, &n, w->v->nested_ptbr, gpa, access,
			  false, &pte, &pte_pa, &levels) != CAUSE_NONE) {
		w->fault = true;
		w->fault_gpa = gpa;
		w->fault_access = access;
		return false;
	}
	*hpa = (pte & PTE_FRAME_MASK) | (gpa & (PAGE_SIZE - 1));
	*allow = pte & (PTE_R | PTE_W | PTE_X);
	return true;
}

/* A guest PTE, for isa_page_walk over the guest's table: its guest-
 * physical address translated first.  Device space holds no page table
 * (a walk that reads there is a BUS_ERROR, as natively). */
static bool guest_pte_read(void *ctx, uint32_t gpa, uint32_t *value)
{
	struct walk2d *w = ctx;
	uint32_t hpa, allow;
	if (gpa >= DEVICE_SPACE || !nested_translate(w, gpa, CAUSE_ACCESS_LOAD, &hpa, &allow))
		return false;
	if (!mmu_ram_word(w->m, hpa, value))
		return false;
	note_ref(w, 'g', ++w->guest_level, gpa, hpa, *value);
	w->pte_hpa = hpa;
	w->pte_allow = allow;
	return true;
}

/* A table of the one-dimensional walk (shadow paging), recorded with
 * dim 'g' and gpa = hpa for mach_walk2d. */
static bool shadow_pte_read(void *ctx, uint32_t hpa, uint32_t *value)
{
	struct walk2d *w = ctx;
	if (!mmu_ram_word(w->m, hpa, value))
		return false;
	note_ref(w, 'g', ++w->guest_level, hpa, hpa, *value);
	return true;
}

/* ---- translation in guest mode ---------------------------------------------------- */

static uint32_t page_offset(uint32_t a)
{
	return a & (PAGE_SIZE - 1);
}

/* References of a 2-D walk: counted, and charged as host cycles at exit. */
static void charge_refs(struct machine *m, int refs)
{
	m->nested_refs += (uint64_t)refs;
	m->vm_host_cycles += (uint64_t)refs * CYCLES_NESTED_REF;
}

static uint32_t nested_fault_exit(struct machine *m, uint32_t gva,
				  uint32_t gpa, unsigned access, bool in_walk)
{
	struct mach_vmcs *v = m->vmcs;
	v->exit_reason = MACH_VMEXIT_NESTED_FAULT;
	v->exit_gpa = gpa;
	v->exit_access = access;
	v->exit_badva = gva;
	v->exit_in_walk = in_walk;
	return VMX_CAUSE_EXIT;
}

/* A device access under EXIT_MMIO.  The guest's PTE gets A (and D) as the
 * bare machine's access would set them: the host emulates the rest. */
static uint32_t mmio_exit(struct machine *m, uint32_t gpa, unsigned access,
			  const struct xlat *x)
{
	if (x->pte_pa != UINT32_MAX)
		mmu_ram_put_word(m, x->pte_pa, x->pte | PTE_A |
				 (access == CAUSE_ACCESS_STORE ? PTE_D : 0));
	struct mach_vmcs *v = m->vmcs;
	v->exit_reason = MACH_VMEXIT_MMIO;
	v->exit_gpa = gpa;
	v->exit_access = access;
	return VMX_CAUSE_EXIT;
}

/* What is done with a guest-physical address in device space: a fetch
 * faults BUS_ERROR, an access exits with EXIT_MMIO; CAUSE_NONE: go on
 * (device assignment: the host's tables decide). */
static uint32_t device_space(struct machine *m, uint32_t gpa, unsigned access,
			     const struct xlat *x)
{
	if (gpa < DEVICE_SPACE)
		return CAUSE_NONE;
	if (access == CAUSE_ACCESS_FETCH)
		return CAUSE_BUS_ERROR;
	if (m->exit_controls & MACH_VMX_MMIO)
		return mmio_exit(m, gpa, access, x);
	return CAUSE_NONE;
}

/* The TLB entry of va for the current vpid, if it can serve this access
 * (a store to a page whose D is clear walks again, to write D). */
static const struct tlb_entry *tlb_hit(const struct machine *m, uint32_t va,
				       unsigned access)
{
	const struct tlb_entry *e = &m->tlb[tlb_slot(va, m->vpid)];
	if (e->tag != (va & ~(PAGE_SIZE - 1)) || e->vpid != m->vpid)
		return NULL;
	if (access == CAUSE_ACCESS_STORE && !(e->pte & PTE_D))
		return NULL;
	return e;
}

static uint32_t access_bit(unsigned access)
{
	return access == CAUSE_ACCESS_FETCH ? PTE_X
	       : access == CAUSE_ACCESS_LOAD ? PTE_R : PTE_W;
}

/*
 * First generation: the host's shadow tables map guest-virtual to host-
 * physical straight, one dimension; the guest's PTBR is only data.  A
 * miss is the guest's PAGE_FAULT (the host puts it in the bitmap).
 */
static uint32_t shadow_translate(struct machine *m, uint32_t va,
				 unsigned access, bool paging, bool user,
				 struct xlat *x)
{
	const struct mach_vmcs *v = m->vmcs;
	if (!paging) {
		/* guest-physical = guest-virtual: device space is known */
		uint32_t cause = device_space(m, va, access, x);
		if (cause != CAUSE_NONE)
			return cause;
		x->cache = false; /* the TLB holds paged translations only */
	} else {
		const struct tlb_entry *e = tlb_hit(m, va, access);
		if (e) {
			uint32_t cause = isa_check_leaf(e->pte, access, user);
			if (cause == CAUSE_NONE) {
				x->pa = (e->pte & PTE_FRAME_MASK) | page_offset(va);
				x->pte = e->pte;
			}
			return cause;
		}
	}
	uint32_t pte, pte_pa;
	unsigned levels;
	uint32_t cause = isa_page_walk(mmu_ram_word, m,
				       paging ? v->shadow_ptbr : v->shadow_phys_ptbr,
				       va, access, user, &pte, &pte_pa, &levels);
	m->tlb_misses++;
	m->walk_reads += levels;
	if (cause != CAUSE_NONE)
		return cause;
	x->pa = (pte & PTE_FRAME_MASK) | page_offset(va);
	x->pte = pte;
	x->pte_pa = pte_pa;
	/* A device page in a shadow table: device addresses are the same
	 * guest-physical and host-physical. */
	return paging ? device_space(m, x->pa, access, x) : CAUSE_NONE;
}

/*
 * Second generation: the guest's own table, every guest-physical address
 * through the nested table.  Precise: a nested fault leaves the guest's
 * PTEs untouched (A and D are written only once both dimensions agree).
 */
static uint32_t nested_paging_translate(struct machine *m, uint32_t va,
					unsigned access, bool paging,
					bool user, struct xlat *x)
{
	const struct mach_vmcs *v = m->vmcs;
	struct walk2d w = {.m = m, .v = v};
	uint32_t gpa = va;
	if (paging) {
		const struct tlb_entry *e = tlb_hit(m, va, access);
		if (e) {
			uint32_t cause = isa_check_leaf(e->pte, access, user);
			if (cause != CAUSE_NONE)
				return cause;
			if (e->nested & access_bit(access)) {
				x->pa = (e->nested & PTE_FRAME_MASK) | page_offset(va);
				x->pte = e->pte;
				x->nested = e->nested;
				return CAUSE_NONE;
			}
			/* the nested table forbids it: walk, to fault precisely */
		}
		uint32_t pte, pte_gpa;
		unsigned levels;
		uint32_t cause = isa_page_walk(guest_pte_read, &w,
					       m->cpu.cr[CR_PTBR], va, access,
					       user, &pte, &pte_gpa, &levels);
		m->tlb_misses++;
		m->walk_reads += (uint64_t)w.guest_level;
		charge_refs(m, w.refs);
		if (w.fault)
			return nested_fault_exit(m, va, w.fault_gpa,
						 w.fault_access, true);
		if (cause != CAUSE_NONE)
			return cause;
		uint32_t updated = pte | PTE_A |
				   (access == CAUSE_ACCESS_STORE ? PTE_D : 0);
		if (updated != pte && !(w.pte_allow & PTE_W))
			/* setting A or D writes the guest's PTE */
			return nested_fault_exit(m, va, pte_gpa,
						 CAUSE_ACCESS_STORE, true);
		gpa = (pte & PTE_FRAME_MASK) | page_offset(va);
		x->pte = pte;
		x->pte_pa = w.pte_hpa;
	} else {
		x->cache = false; /* the TLB holds paged translations only */
	}
	uint32_t cause = device_space(m, gpa, access, x);
	if (cause != CAUSE_NONE)
		return cause;
	w.refs = 0;
	uint32_t hpa, allow;
	bool ok = nested_translate(&w, gpa, access, &hpa, &allow);
	charge_refs(m, w.refs);
	if (!ok)
		return nested_fault_exit(m, va, gpa, access, false);
	x->pa = hpa;
	x->nested = (hpa & PTE_FRAME_MASK) | allow;
	if (!paging)
		x->pte = PTE_ALL & (allow | ~(PTE_R | PTE_W | PTE_X));
	return CAUSE_NONE;
}

uint32_t vmx_translate(struct machine *m, uint32_t va, unsigned access,
		       struct xlat *x)
{
	uint32_t psw = m->cpu.cr[CR_PSW];
	bool paging = psw & PSW_PG, user = !(psw & PSW_MODE);
	*x = (struct xlat){.pa = va, .pte = PTE_ALL, .pte_pa = UINT32_MAX,
			   .nested = PTE_R | PTE_W | PTE_X, .cache = true};
	if (m->exit_controls & MACH_VMX_NESTED_PAGING)
		return nested_paging_translate(m, va, access, paging, user, x);
	return shadow_translate(m, va, access, paging, user, x);
}

/* ---- VM entry and exit ------------------------------------------------------------- */

static bool table_in_ram(const struct machine *m, uint32_t ptbr)
{
	return (uint64_t)(ptbr & PTE_FRAME_MASK) + PAGE_SIZE <= m->ram_size;
}

/* An event the host may inject: an exception the bare machine can raise,
 * or one of its interrupt lines. */
static bool injectable(uint32_t cause)
{
	uint32_t code = cause & CAUSE_CODE_MASK;
	if (cause & CAUSE_INTERRUPT)
		return code < IRQ_COUNT;
	return code != CAUSE_NONE && code < CAUSE_COUNT && code != CAUSE_HCALL;
}

/*
 * The VM-entry checks, as VT-x's: a VMCS the machine cannot run is
 * refused before anything is loaded.  Returns NULL, or the one line
 * naming the field.
 */
static const char *entry_check(const struct machine *m,
			       const struct mach_vmcs *v)
{
	const struct cpu *g = &v->guest;
	uint32_t psw = g->cr[CR_PSW];
	if (v->controls & ~(uint32_t)VMX_KNOWN_CONTROLS)
		return "controls: a bit that names no control is set";
	if (v->controls & MACH_VMX_NESTED_PAGING) {
		if (!table_in_ram(m, v->nested_ptbr))
			return "nested_ptbr: the nested table lies outside host RAM";
	} else {
		if (!table_in_ram(m, v->shadow_ptbr))
			return "shadow_ptbr: the shadow table lies outside host RAM";
		if (!table_in_ram(m, v->shadow_phys_ptbr))
			return "shadow_phys_ptbr: the shadow table lies outside host RAM";
	}
	if (v->guest_ram == 0 || v->guest_ram % PAGE_SIZE)
		return "guest_ram: not a whole, non-zero number of 4 KiB pages";
	if ((psw & PSW_PG) &&
	    (uint64_t)(g->cr[CR_PTBR] & PTE_FRAME_MASK) + PAGE_SIZE > v->guest_ram)
		return "guest.cr[PTBR]: the guest's page table lies outside its RAM";
	if (psw & ~PSW_MASK)
		return "guest.cr[PSW]: a reserved bit is set";
	if (v->inject && !injectable(v->inject_cause))
		return "inject_cause: no such exception or interrupt";
	if (v->inject && (v->inject_cause & CAUSE_INTERRUPT) && !(psw & PSW_IE))
		return "inject_cause: an interrupt while the guest's PSW.IE = 0";
	return NULL;
}

/* What the host had while the guest runs: put aside at entry, put back
 * at exit. */
struct host_state {
	struct cpu cpu;
	uint64_t rdcycle_offset;
	uint64_t dispatched_at_trap;
	struct mach_exit exit;
};

/*
 * The TLB at a world switch.  With a vpid the entries stay, tagged, and
 * only the fast arrays (a host-side cache of the current tag's
 * translations) are emptied.  Without one (first generation) nothing
 * could tell the guest's entries from the host's: flush everything.
 */
static void switch_vpid(struct machine *m, uint16_t guest_vpid, uint16_t to)
{
	if (guest_vpid == 0)
		mach_tlb_flush_all(m);
	else
		mmu_fast_reset(m);
	m->vpid = to;
}

/* Guest mode needs the native trap entry whatever the host's mode, and
 * its events injected as the bare machine takes them. */
static void vm_enter(struct machine *m, struct mach_vmcs *v,
		     struct host_state *h)
{
	*h = (struct host_state){m->cpu, m->rdcycle_offset,
				 m->dispatched_at_trap, m->exit};
	m->cpu = v->guest;
	m->cpu.x[0] = 0;
	m->vmcs = v;
	m->exit_controls = v->controls;
	m->monitor = false;
	m->rdcycle_offset = v->rdcycle_offset;
	m->dispatched_at_trap = UINT64_MAX; /* no trap of this guest yet */
	m->vm_host_cycles = CYCLES_VM_ENTRY;
	switch_vpid(m, v->vpid, v->vpid);
	mmu_select_regime(m);
	m->code_cur = NULL;

	if (!v->inject)
		return;
	v->inject = false; /* consumed */
	if (v->inject_cause & CAUSE_INTERRUPT) {
		m->interrupts++;
	} else {
		/* the instruction at pc trapped: its cycle, not retired */
		m->left -= CYCLES_INSN;
		m->trapped++;
	}
	cpu_trap_entry(m, v->inject_cause, v->inject_badva);
}

static void vm_leave(struct machine *m, struct mach_vmcs *v,
		     const struct host_state *h)
{
	v->guest = m->cpu;
	m->cpu = h->cpu;
	m->rdcycle_offset = h->rdcycle_offset;
	m->dispatched_at_trap = h->dispatched_at_trap;
	m->exit = h->exit;
	m->vmcs = NULL;
	m->exit_controls = 0;
	m->monitor = m->cfg.monitor;
	switch_vpid(m, v->vpid, 0);
	mmu_select_regime(m);
	m->code_cur = NULL;
	/* the host's cycles, after the guest's time */
	m->vm_host_cycles += CYCLES_VM_EXIT;
	v->exit_host_cycles = m->vm_host_cycles;
	mach_extra(m, m->vm_host_cycles);
	m->vm_host_cycles = 0;
	m->vm_exits++;
}

static void clear_exit_fields(struct mach_vmcs *v)
{
	v->exit_pc = v->guest.pc;
	v->exit_insn = 0;
	v->exit_cause = 0;
	v->exit_badva = 0;
	v->exit_gpa = 0;
	v->exit_access = 0;
	v->exit_in_walk = false;
	v->exit_host_cycles = 0;
	v->entry_error = NULL;
}

enum mach_stop mach_vm_run(struct machine *m, struct mach_vmcs *vmcs,
			   uint64_t budget)
{
	clear_exit_fields(vmcs);
	m->vm_entries++;
	const char *err = entry_check(m, vmcs);
	if (err) {
		vmcs->exit_reason = MACH_VMEXIT_ENTRY_FAILED;
		vmcs->entry_error = err;
		m->vm_exits++;
		m->exits_by_reason[MACH_VMEXIT_ENTRY_FAILED]++;
		return MACH_STOP_VMEXIT;
	}
	struct host_state host;
	vm_enter(m, vmcs, &host);
	enum mach_stop stop = mach_run(m, budget);
	if (stop == MACH_STOP_DOUBLE_FAULT) {
		/* the guest's handler trapped on its first instruction */
		vmcs->exit_cause = m->exit.cause;
		vmcs->exit_badva = m->exit.badva;
		vmcs->exit_reason = MACH_VMEXIT_DOUBLE_FAULT;
		vmcs->exit_pc = m->exit.pc;
		vmcs->exit_insn = m->exit.insn;
		stop = MACH_STOP_VMEXIT;
	}
	vm_leave(m, vmcs, &host);
	if (stop == MACH_STOP_VMEXIT)
		m->exits_by_reason[vmcs->exit_reason]++;
	return stop;
}

/* ---- the walk for the debugger ---------------------------------------------------- */

void mach_walk2d(struct machine *m, const struct mach_vmcs *vmcs, uint32_t gva,
		 unsigned access, struct mach_walk2d *out)
{
	*out = (struct mach_walk2d){.cause = CAUSE_NONE};
	struct walk2d w = {.m = m, .v = vmcs, .rec = out};
	uint32_t psw = vmcs->guest.cr[CR_PSW];
	bool paging = psw & PSW_PG, user = !(psw & PSW_MODE);
	uint32_t pte, pte_pa, gpa = gva;
	unsigned levels;

	if (!(vmcs->controls & MACH_VMX_NESTED_PAGING)) {
		/* one dimension: the shadow table maps gva to hpa */
		out->cause = isa_page_walk(shadow_pte_read, &w,
					   paging ? vmcs->shadow_ptbr : vmcs->shadow_phys_ptbr,
					   gva, access, user, &pte, &pte_pa, &levels);
		if (out->cause == CAUSE_NONE)
			out->gpa = out->hpa = (pte & PTE_FRAME_MASK) | page_offset(gva);
		if (!paging)
			out->gpa = gva;
		return;
	}
	if (paging) {
		out->cause = isa_page_walk(guest_pte_read, &w, vmcs->guest.cr[CR_PTBR],
					   gva, access, user, &pte, &pte_pa, &levels);
		if (w.fault) {
			out->cause = CAUSE_NONE;
			out->nested_fault = true;
			out->fault_gpa = w.fault_gpa;
			return;
		}
		if (out->cause != CAUSE_NONE)
			return;
		gpa = (pte & PTE_FRAME_MASK) | page_offset(gva);
	}
	out->gpa = gpa;
	if (gpa >= DEVICE_SPACE && (vmcs->controls & MACH_VMX_MMIO)) {
		out->hpa = gpa; /* an MMIO exit: never translated */
		return;
	}
	uint32_t hpa, allow;
	if (!nested_translate(&w, gpa, access, &hpa, &allow)) {
		out->nested_fault = true;
		out->fault_gpa = gpa;
		return;
	}
	out->hpa = hpa;
}
