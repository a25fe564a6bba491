/*
 * shadow.c - shadow page tables.
 *
 * The machine's MMU walks tables in host memory that map a guest's
 * virtual addresses straight to host frames: the shadows.  They are
 * filled lazily.  A real page fault means the shadow has no entry, or a
 * weaker one, for that page; the VMM then walks the guest's own table
 * exactly as the bare machine would (isa_page_walk, over guest-physical
 * memory) and either
 *   - finds the guest's walk fails too: the fault is the guest's, and is
 *     reflected with the very CAUSE the bare machine would raise;
 *   - finds RAM: sets A (and D for a store) in the guest's PTE, as the
 *     bare machine's walker does, and writes the shadow PTE; the faulting
 *     instruction runs again;
 *   - finds a device page: emulates the access (mmio.c), never mapping
 *     the device, so that every access exits.
 *
 * Ring compression: the guest kernel and its user programs both run in
 * real user mode, so every shadow PTE has U = 1, and the difference
 * between them is which shadow is loaded: the supervisor view reaches
 * every page the guest's table maps, the user view only pages with U = 1.
 * With the guest's paging off a third shadow maps guest-physical memory.
 *
 * A and D: a shadow PTE grants W only once the guest PTE's D is set, so
 * the first store to a page faults and the VMM sets D.
 *
 * Coherence: the shadows cache the guest's translations like a TLB, and
 * are flushed when the guest flushes its TLB (tlbflush, tlbinv, a write
 * to PTBR).  A guest that changes a PTE without flushing may keep seeing
 * the old one, exactly as the architecture allows.
 */
#include <string.h>

#include "internal.h"

/*
 * --hw=shadow: the guest kernel runs in real guest-supervisor mode, so the
 * hardware itself tells its kernel's pages from its user programs' (the
 * U bit, checked against the guest's own mode): one shadow serves both
 * modes while the guest pages, and keeps the guest's U bits.  No ring
 * compression, so no user view.
 */
static unsigned hw_shadow_view(const struct vm *vm)
{
	return (vm->vcpu.cr[CR_PSW] & PSW_PG) ? VIEW_SUPER : VIEW_PHYS;
}

unsigned shadow_view(struct vm *vm)
{
	if (vm_hw(vm))
		return hw_shadow_view(vm);
/* BEGIN LAB 3: which shadow the guest runs in (ring compression) */
	uint32_t psw = vm->vcpu.cr[CR_PSW];
	if (!(psw & PSW_PG))
		return VIEW_PHYS;
	return (psw & PSW_MODE) ? VIEW_SUPER : VIEW_USER;
/* END LAB 3 */
/* STUB LAB 3
	vm_stop(vm, VM_FAILED, "lab 3: shadow_view (vmm/shadow.c) is not "
		"written yet: see labs/lab3-shadow/README.md, section 3.1");
	return VIEW_PHYS; // the VM has stopped: any view will do
*/
}

uint32_t shadow_root(struct vm *vm)
{
	return vm->shadow[shadow_view(vm)].root;
}

int shadow_init(struct vm *vm)
{
	for (int s = 0; s < VIEWS; s++) {
		vm->shadow[s].root = vmm_alloc_frame(vm);
		if (!vm->shadow[s].root)
			return -1;
	}
	return 0;
}

static bool host_word(struct vm *vm, uint32_t hpa, uint32_t *value)
{
	return mach_phys_read(vm->vmm->m, hpa, value, 4);
}

static void host_put_word(struct vm *vm, uint32_t hpa, uint32_t value)
{
	mach_phys_write(vm->vmm->m, hpa, &value, 4);
}

/* Empties a shadow: its leaf tables go back to the VM's pool. */
static void shadow_clear(struct vm *vm, struct shadow *s)
{
	static const uint8_t zero[PAGE_SIZE];
	for (int i = 0; i < s->nleaves; i++)
		vmm_free_frame(vm, s->leaves[i]);
	s->nleaves = 0;
	mach_phys_write(vm->vmm->m, s->root, zero, PAGE_SIZE);
}

void shadow_flush(struct vm *vm)
{
	/* --hw: no shadows; the guest's own TLB entries are what go. */
	if (vm_nested(vm)) {
		hw_guest_tlb_flush(vm);
		return;
	}
/* BEGIN LAB 3: the guest flushed its TLB */
	/* Guest-physical memory never moves: the paging-off shadow stays. */
	shadow_clear(vm, &vm->shadow[VIEW_SUPER]);
	shadow_clear(vm, &vm->shadow[VIEW_USER]);
	mach_tlb_flush(vm->vmm->m);
/* END LAB 3 */
/* STUB LAB 3
	vm_stop(vm, VM_FAILED, "lab 3: shadow_flush (vmm/shadow.c) is not "
		"written yet: see labs/lab3-shadow/README.md, section 3.6");
*/
	vm->stats.shadow_flushes++;
}

/* Also the paging-off shadow: binary patching changes which guest pages
 * may be executed or written, whatever the guest's own tables say. */
void shadow_flush_all(struct vm *vm)
{
	shadow_clear(vm, &vm->shadow[VIEW_PHYS]);
	shadow_flush(vm);
}

void shadow_invalidate(struct vm *vm, uint32_t va)
{
	if (vm_nested(vm)) {
		hw_guest_tlb_flush(vm); /* a hypercall's tlbinv: rare, so all of it */
		return;
	}
/* BEGIN LAB 3: the guest invalidated one page of its TLB */
	for (int s = VIEW_SUPER; s <= VIEW_USER; s++) {
		uint32_t root;
		if (host_word(vm, vm->shadow[s].root + PT_ROOT_INDEX(va) * 4,
			      &root) && (root & PTE_V))
			host_put_word(vm, (root & PTE_FRAME_MASK) +
						  PT_LEAF_INDEX(va) * 4, 0);
	}
	mach_tlb_invalidate(vm->vmm->m, va);
/* END LAB 3 */
/* STUB LAB 3
	(void)va;
	vm_stop(vm, VM_FAILED, "lab 3: shadow_invalidate (vmm/shadow.c) is "
		"not written yet: see labs/lab3-shadow/README.md, section 3.6");
*/
}

/*
 * The VM's shadow pool is empty: its shadows are a cache of its own
 * page tables, so all of them (every view) are dropped and refilled on
 * demand.  Only this VM pays, in shadow faults and host cycles; what it
 * sees does not change, and no other VM's shadows are touched.
 */
static void shadow_reclaim(struct vm *vm)
{
	for (int s = 0; s < VIEWS; s++)
		shadow_clear(vm, &vm->shadow[s]);
	mach_tlb_flush(vm->vmm->m);
	vm_charge_cycles(vm, vmm_cost(VMM_COST_SHADOW_FLUSH));
	vm->stats.shadow_reclaims++;
}

/* A leaf table from the VM's pool, reclaiming its shadows if the pool is
 * empty (SHADOW_MIN_FRAMES: then there is one). */
static uint32_t shadow_new_leaf(struct vm *vm, const struct shadow *s)
{
	if (s->nleaves == SHADOW_MAX_LEAVES)
		return 0;
	uint32_t leaf = vmm_alloc_frame(vm);
	if (!leaf) {
		shadow_reclaim(vm);
		leaf = vmm_alloc_frame(vm);
	}
	return leaf;
}

/* Writes one shadow PTE, making the leaf table if needed.  Returns false,
 * having stopped the VM, if there is no frame for it, which a pool of
 * SHADOW_MIN_FRAMES or more rules out: a broken invariant stops the VM,
 * loudly. */
static bool shadow_set(struct vm *vm, struct shadow *s, uint32_t va,
		       uint32_t pte)
{
	uint32_t root_pa = s->root + PT_ROOT_INDEX(va) * 4, root;
	host_word(vm, root_pa, &root);
	if (!(root & PTE_V)) {
		uint32_t leaf = shadow_new_leaf(vm, s);
		if (!leaf) {
			vm_stop(vm, VM_FAILED, "no frame in the VM's own shadow "
				"pool even after reclaiming it (a VMM bug)");
			return false;
		}
		s->leaves[s->nleaves++] = leaf;
		root = leaf | PTE_V; /* a pointer: R = W = X = 0 */
		host_put_word(vm, root_pa, root);
	}
	host_put_word(vm, (root & PTE_FRAME_MASK) + PT_LEAF_INDEX(va) * 4, pte);
	mach_tlb_invalidate(vm->vmm->m, va);
	return true;
}

/* A word of the VM's guest-physical memory, for isa_page_walk (ctx: the
 * VM); false if no RAM backs it. */
static bool read_guest_word(void *ctx, uint32_t gpa, uint32_t *value)
{
	return gpa_read32(ctx, gpa, value);
}

uint32_t guest_translate(struct vm *vm, uint32_t va, unsigned access,
			 bool user, struct guest_translation *t)
{
/* BEGIN LAB 3: the guest's own walk, in guest-physical memory */
	unsigned levels;
	uint32_t cause = isa_page_walk(read_guest_word, vm, vm->vcpu.cr[CR_PTBR],
				       va, access, user, &t->pte, &t->pte_gpa,
				       &levels);
	if (cause == CAUSE_NONE)
		t->gpa = (t->pte & PTE_FRAME_MASK) | (va & (PAGE_SIZE - 1));
	return cause;
/* END LAB 3 */
/* STUB LAB 3
	(void)va, (void)access, (void)user, (void)t;
	(void)read_guest_word; // yours to use with isa_page_walk
	vm_stop(vm, VM_FAILED, "lab 3: guest_translate (vmm/shadow.c) is not "
		"written yet: see labs/lab3-shadow/README.md, section 3.2");
	return CAUSE_BUS_ERROR; // the VM has stopped: any cause will do
*/
}

void guest_mark_accessed(struct vm *vm, struct guest_translation *t,
			 unsigned access)
{
/* BEGIN LAB 3: A and D, as the bare machine's walker sets them */
	/* What the bare machine's walker writes on a successful access: A,
	 * and D for a store, in the leaf. */
	uint32_t set = PTE_A | (access == CAUSE_ACCESS_STORE ? PTE_D : 0);
	if ((t->pte & set) != set) {
		t->pte |= set;
		gpa_write32(vm, t->pte_gpa, t->pte);
	}
/* END LAB 3 */
/* STUB LAB 3
	(void)t, (void)access;
	vm_stop(vm, VM_FAILED, "lab 3: guest_mark_accessed (vmm/shadow.c) is "
		"not written yet: see labs/lab3-shadow/README.md, section 3.3");
*/
}

uint32_t guest_walk(struct vm *vm, uint32_t va, unsigned access, bool user,
		    uint32_t *gpa)
{
	struct guest_translation t;
	uint32_t cause = guest_translate(vm, va, access, user, &t);
	if (cause != CAUSE_NONE)
		return cause;
	guest_mark_accessed(vm, &t, access);
	*gpa = t.gpa;
	return CAUSE_NONE;
}

bool shadow_fetched_gpa(struct vm *vm, uint32_t va, uint32_t *gpa)
{
	uint32_t root, pte;
	if (!host_word(vm, shadow_root(vm) + PT_ROOT_INDEX(va) * 4, &root) ||
	    !(root & PTE_V) ||
	    !host_word(vm, (root & PTE_FRAME_MASK) + PT_LEAF_INDEX(va) * 4, &pte) ||
	    !(pte & PTE_V))
		return false;
	return hpa_to_gpa(vm, (pte & PTE_FRAME_MASK) | (va & (PAGE_SIZE - 1)), gpa);
}

/*
 * The shadow PTE for the guest page at gpa, in host frame hpa: the
 * guest's permissions, W only once D is set (so that the first store
 * faults and the VMM sets D); U always, since the guest runs in real user
 * mode; A and D always, so that the machine's walker never writes a
 * shadow.  Binary patching (patch.c) then takes away what it must.
 */
static uint32_t shadow_pte(struct vm *vm, uint32_t gpa, uint32_t hpa,
			   uint32_t guest_pte)
{
	uint32_t pte;
/* BEGIN LAB 3: the shadow PTE: which permissions the machine enforces */
	pte = (hpa & PTE_FRAME_MASK) | PTE_V | PTE_U | PTE_A | PTE_D;
	pte |= guest_pte & (PTE_R | PTE_X);
	if ((guest_pte & PTE_W) && (guest_pte & PTE_D))
		pte |= PTE_W;
/* END LAB 3 */
/* STUB LAB 3
	(void)hpa, (void)guest_pte;
	vm_stop(vm, VM_FAILED, "lab 3: shadow_pte (vmm/shadow.c) is not "
		"written yet: see labs/lab3-shadow/README.md, section 3.4");
	pte = 0; // no permission at all: the VM has stopped
*/
	/* --hw=shadow: the hardware checks U against the guest's own mode;
	 * with paging off the guest reaches all of its memory in any mode. */
	if (vm_hw(vm) && (vm->vcpu.cr[CR_PSW] & PSW_PG))
		pte = (pte & ~PTE_U) | (guest_pte & PTE_U);
	if (vm->vmm->cfg.patch)
		pte = patch_shadow_pte(vm, gpa, pte);
	return pte;
}

enum vmm_action shadow_page_fault(struct vm *vm, const struct mach_exit *exit)
{
	uint32_t va = exit->badva;
	unsigned access = (exit->cause >> CAUSE_ACCESS_SHIFT) & 3;
	bool paging = vm->vcpu.cr[CR_PSW] & PSW_PG;
	/* With paging off the guest sees physical memory, all of it allowed. */
	struct guest_translation t = {.gpa = va, .pte_gpa = UINT32_MAX,
				      .pte = PTE_R | PTE_W | PTE_X | PTE_D};

	if (paging) {
/* BEGIN LAB 3: the guest's own table decides first */
		uint32_t cause = guest_translate(vm, va, access, vm_user(vm), &t);
		if (cause != CAUSE_NONE)
			return reflect_trap(vm, cause, exit->pc, va);
/* END LAB 3 */
/* STUB LAB 3
		vm_stop(vm, VM_FAILED, "lab 3: shadow_page_fault (vmm/shadow.c) "
			"is not written yet: see labs/lab3-shadow/README.md, "
			"section 3.5");
		return VMM_ACT_HALTED;
*/
	}

	uint32_t hpa;
	if (gpa_to_hpa(vm, t.gpa, &hpa)) {
		/* A load of the very PTE that maps it: the bare machine reads
		 * the word first and sets A after, so the load sees the PTE
		 * without A.  Rerunning the load after setting A would not. */
		if (paging && access == CAUSE_ACCESS_LOAD &&
		    (t.gpa & ~3u) == t.pte_gpa) {
			enum vmm_action done = emulate_ram_access(vm, exit, t.gpa);
			guest_mark_accessed(vm, &t, access);
			return done;
		}
		if (paging)
			guest_mark_accessed(vm, &t, access);
		enum vmm_action patched;
		if (vm->vmm->cfg.patch && patch_fault(vm, exit, t.gpa, &patched))
			return patched;
/* BEGIN LAB 3: fill the shadow; the instruction runs again */
		if (!shadow_set(vm, &vm->shadow[shadow_view(vm)], va,
				shadow_pte(vm, t.gpa, hpa, t.pte)))
			return VMM_ACT_HALTED; /* shadow_set stopped the VM */
		/* The instruction runs again; on the bare machine it ran
		 * once, so its first, faulting, cycle is not the guest's. */
		vm->cycles--;
		return VMM_ACT_SHADOW_FILL;
/* END LAB 3 */
/* STUB LAB 3
		(void)shadow_set, (void)shadow_pte; // yours to use
		vm_stop(vm, VM_FAILED, "lab 3: shadow_page_fault (vmm/shadow.c) "
			"is not written yet: see labs/lab3-shadow/README.md, "
			"section 3.5");
		return VMM_ACT_HALTED;
*/
	}
	if (access != CAUSE_ACCESS_FETCH && vm_is_device(vm, t.gpa)) {
		if (paging)
			guest_mark_accessed(vm, &t, access);
		return mmio_emulate(vm, exit, t.gpa);
	}
	/* Nothing backs it: the bare machine raises BUS_ERROR. */
	return reflect_trap(vm, CAUSE_BUS_ERROR, exit->pc, va);
}
