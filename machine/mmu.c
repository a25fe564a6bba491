/*
 * mmu.c - address translation: the page walk, the TLB and its fast arrays,
 * and every access the CPU makes to physical memory and devices.
 *
 * A PG32 virtual address, with paging on (PSW.PG = 1):
 *
 *    31        22 21        12 11          0
 *   +------------+------------+-------------+
 *   | root index | leaf index | page offset |
 *   +------------+------------+-------------+
 *
 * PTBR bits 31:12 locate the root table (1024 PTEs, 4 KiB).  A PTE:
 *
 *    31                    12 11  7  6   5   4   3   2   1   0
 *   +------------------------+-----+---+---+---+---+---+---+---+
 *   |      frame number      | sw  | D | A | U | X | W | R | V |
 *   +------------------------+-----+---+---+---+---+---+---+---+
 *
 * A root entry must be a pointer (V = 1, R = W = X = 0) to a leaf table;
 * a leaf entry must grant at least one of R, W, X.  Anything else valid is
 * malformed and faults as "present".  The walker sets A on every access
 * that succeeds and D on every store that succeeds, in the leaf only.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static uint32_t page_of(uint32_t va)
{
	return va & ~(PAGE_SIZE - 1);
}

/* Reads a page-table entry for the walker: false if no RAM backs it. */
bool mmu_ram_word(void *ctx, uint32_t pa, uint32_t *value)
{
	const struct machine *m = ctx;
	if (pa > m->ram_size - 4)
		return false;
	const uint8_t *p = m->ram + pa;
	*value = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		 (uint32_t)p[3] << 24;
	return true;
}

void mmu_ram_put_word(struct machine *m, uint32_t pa, uint32_t value)
{
	uint8_t *p = m->ram + pa;
	p[0] = (uint8_t)value, p[1] = (uint8_t)(value >> 8);
	p[2] = (uint8_t)(value >> 16), p[3] = (uint8_t)(value >> 24);
}

/* The two-level walk, from RAM, with no side effect (isa_page_walk). */
static uint32_t walk(struct machine *m, uint32_t va, unsigned access,
		     bool user, uint32_t *pte, uint32_t *pte_pa,
		     unsigned *levels)
{
	return isa_page_walk(mmu_ram_word, m, m->cpu.cr[CR_PTBR], va, access,
			     user, pte, pte_pa, levels);
}

/* A walk for a look that changes nothing (mach_translate). */
static uint32_t walk_to_pa(struct machine *m, uint32_t va, unsigned access,
			   bool user, uint32_t *pa)
{
	uint32_t pte, pte_pa;
	unsigned levels;
	uint32_t cause = walk(m, va, access, user, &pte, &pte_pa, &levels);
	if (cause == CAUSE_NONE)
		*pa = (pte & PTE_FRAME_MASK) | (va & (PAGE_SIZE - 1));
	return cause;
}

/* ---- the fast arrays ---------------------------------------------------- */

static unsigned regime_of(uint32_t psw)
{
	if (!(psw & PSW_PG))
		return REGIME_PHYS;
	return (psw & PSW_MODE) ? REGIME_SUPER : REGIME_USER;
}

void mmu_select_regime(struct machine *m)
{
	m->cur = &m->fast[regime_of(m->cpu.cr[CR_PSW])];
}

/* The paged regimes' fast entries at index i came from TLB entry i. */
static void fast_clear_index(struct machine *m, unsigned i)
{
	for (int r = REGIME_SUPER; r <= REGIME_USER; r++)
		for (int k = 0; k < FAST_KINDS; k++)
			m->fast[r].kind[k].tag[i] = TLB_NO_TAG;
}

static void mark_filled(uint32_t *filled, unsigned i)
{
	filled[i / 32] |= 1u << (i % 32);
}

/*
 * A flush clears only the indices filled since the last flush: nothing
 * else can hold a translation, since the paged regimes' fast entries at
 * index TLB_INDEX(va) come from va's TLB entry.  The VMM flushes at every
 * world switch and a guest touches a few pages between two, so this is a
 * few stores where clearing everything would be 1,792.
 *
 * The TLB may hold other vpids' entries too (guest mode, vmx.c): those
 * stay, and stay marked as filled.  The fast arrays only ever hold the
 * current vpid's translations, so only those are cleared there.
 */
void mmu_flush_vpid(struct machine *m, uint16_t vpid)
{
	for (unsigned w = 0; w < TLB_SIZE / 32; w++) {
		uint32_t keep = 0;
		for (uint32_t bits = m->tlb_filled[w]; bits; bits &= bits - 1) {
			unsigned i = w * 32 + (unsigned)__builtin_ctz(bits);
			struct tlb_entry *e = &m->tlb[i];
			if (e->vpid != vpid) {
				keep |= bits & -bits;
				continue;
			}
			if (vpid == m->vpid && e->tag != TLB_NO_TAG)
				fast_clear_index(m, TLB_INDEX(e->tag));
			e->tag = TLB_NO_TAG;
		}
		m->tlb_filled[w] = keep;
	}
	/* REGIME_PHYS does not come from the TLB and survives every flush
	 * (natively it is the identity). */
}

void mmu_flush(struct machine *m)
{
	mmu_flush_vpid(m, m->vpid);
}

/* Empties every fast array, REGIME_PHYS included, where it was filled. */
void mmu_fast_reset(struct machine *m)
{
	for (unsigned w = 0; w < TLB_SIZE / 32; w++) {
		for (uint32_t bits = m->fast_filled[w]; bits; bits &= bits - 1) {
			unsigned i = w * 32 + (unsigned)__builtin_ctz(bits);
			for (int r = 0; r < REGIMES; r++)
				for (int k = 0; k < FAST_KINDS; k++)
					m->fast[r].kind[k].tag[i] = TLB_NO_TAG;
		}
		m->fast_filled[w] = 0;
	}
}

void mmu_invalidate_page(struct machine *m, uint32_t va)
{
	struct tlb_entry *e = &m->tlb[tlb_slot(va, m->vpid)];
	if (e->tag == page_of(va) && e->vpid == m->vpid)
		e->tag = TLB_NO_TAG;
	fast_clear_index(m, TLB_INDEX(va));
}

static bool is_code_page(const struct machine *m, uint32_t pa)
{
	const struct code_page *cp = m->code[pa >> PAGE_SHIFT];
	return cp && cp->valid;
}

/*
 * After an access succeeded through the slow path, remember in the fast
 * arrays of the current regime every kind of access to this page that
 * would also succeed with no side effect.  pte holds the permissions
 * (the leaf's; PTE_ALL when paging is off natively; in guest mode only
 * what both dimensions of the walk allow).
 */
static void install_fast(struct machine *m, uint32_t va, uint32_t pa,
			 uint32_t pte)
{
	unsigned regime = (unsigned)(m->cur - m->fast);
	unsigned i = TLB_INDEX(va);
	uint32_t tag = page_of(va);
	uintptr_t addend = (uintptr_t)(m->ram + page_of(pa)) - tag;

	bool user_ok = regime == REGIME_SUPER || (pte & PTE_U);
	bool load = user_ok && (pte & PTE_R);
	bool store = user_ok && (pte & PTE_W) && (pte & PTE_D);
	bool fetch = user_ok && (pte & PTE_X);
	mark_filled(m->fast_filled, i);
	/* Stores to a page with decoded code must go slow, to invalidate it. */
	store = store && !is_code_page(m, pa);

	struct fast_set *set = m->cur;
	if (load)
		set->kind[FAST_LOAD].tag[i] = tag, set->kind[FAST_LOAD].addend[i] = addend;
	if (store)
		set->kind[FAST_STORE].tag[i] = tag, set->kind[FAST_STORE].addend[i] = addend;
	if (fetch)
		set->kind[FAST_FETCH].tag[i] = tag, set->kind[FAST_FETCH].addend[i] = addend;
}

/* A page became code: no fast store may reach it any more. */
static void purge_fast_stores(struct machine *m, uint32_t ppn)
{
	uintptr_t host_page = (uintptr_t)(m->ram + ((uintptr_t)ppn << PAGE_SHIFT));
	for (int r = 0; r < REGIMES; r++) {
		struct fast_array *fa = &m->fast[r].kind[FAST_STORE];
		for (int i = 0; i < TLB_SIZE; i++)
			if (fa->tag[i] != TLB_NO_TAG &&
			    fa->tag[i] + fa->addend[i] == host_page)
				fa->tag[i] = TLB_NO_TAG;
	}
}

/* ---- translation through the TLB ---------------------------------------- */

/*
 * Translates va for an access, through the TLB or by a walk (counted, not
 * charged: see MACH_COSTS).  Guest mode has its own walker (vmx.c).
 * On success returns CAUSE_NONE with x->pa, and x->pte_pa set to the
 * leaf's address when A/D must be written once the access is known to
 * succeed (UINT32_MAX when nothing is to be written).
 */
static uint32_t translate(struct machine *m, uint32_t va, unsigned access,
			  struct xlat *x)
{
	if (m->vmcs)
		return vmx_translate(m, va, access, x);
	uint32_t psw = m->cpu.cr[CR_PSW];
	*x = (struct xlat){.pa = va, .pte = PTE_ALL, .pte_pa = UINT32_MAX,
			   .nested = PTE_R | PTE_W | PTE_X, .cache = true};
	if (!(psw & PSW_PG))
		return CAUSE_NONE;
	bool user = !(psw & PSW_MODE);
	const struct tlb_entry *e = &m->tlb[tlb_slot(va, 0)];

	/* A hit serves the access unless a store finds D clear: then the
	 * MMU walks again, as it must write D into the PTE in memory. */
	if (e->tag == page_of(va) && e->vpid == 0 &&
	    !(access == CAUSE_ACCESS_STORE && !(e->pte & PTE_D))) {
		uint32_t cause = isa_check_leaf(e->pte, access, user);
		if (cause != CAUSE_NONE)
			return cause;
		x->pa = (e->pte & PTE_FRAME_MASK) | (va & (PAGE_SIZE - 1));
		x->pte = e->pte;
		return CAUSE_NONE;
	}

	uint32_t pte, pte_pa;
	unsigned levels;
	uint32_t cause = walk(m, va, access, user, &pte, &pte_pa, &levels);
	m->tlb_misses++;
	m->walk_reads += levels;
	if (cause != CAUSE_NONE)
		return cause;
	x->pa = (pte & PTE_FRAME_MASK) | (va & (PAGE_SIZE - 1));
	x->pte = pte;
	x->pte_pa = pte_pa;
	return CAUSE_NONE;
}

/* The access succeeded: set A (and D), cache the entry (if it may be).
 * Returns the permissions the fast arrays may rely on. */
static uint32_t commit(struct machine *m, uint32_t va, unsigned access,
		       const struct xlat *x)
{
	if (x->pte_pa == UINT32_MAX)
		return x->pte;
	uint32_t updated = x->pte | PTE_A | (access == CAUSE_ACCESS_STORE ? PTE_D : 0);
	if (updated != x->pte)
		mmu_ram_put_word(m, x->pte_pa, updated);
	if (!x->cache)
		return updated;
	unsigned i = tlb_slot(va, m->vpid);
	m->tlb[i] = (struct tlb_entry){.tag = page_of(va), .pte = updated,
				       .nested = x->nested, .vpid = m->vpid};
	mark_filled(m->tlb_filled, i);
	fast_clear_index(m, TLB_INDEX(va));
	/* With nested paging the fast path may do only what the nested
	 * table allows as well. */
	return updated & (x->nested | ~(PTE_R | PTE_W | PTE_X));
}

/* ---- devices -------------------------------------------------------------- */

static const struct device_slot *device_at(const struct machine *m, uint32_t pa)
{
	if (pa < DEVICE_SPACE)
		return NULL;
	uint32_t slot = (pa - DEVICE_SPACE) >> PAGE_SHIFT;
	if (slot >= DEVICE_SLOTS || !m->slots[slot].ops)
		return NULL;
	return &m->slots[slot];
}

/* A device access costs cycles and ends the batch: it may change an
 * interrupt line or a deadline. */
static uint32_t device_read(struct machine *m, const struct device_slot *d,
			    uint32_t pa, unsigned size)
{
	mach_extra(m, CYCLES_DEVICE);
	m->device_accesses++;
	m->batch_stop = true;
	mach_devices_touched(m);
	return dev_bus_load(d->ops, d->dev, pa & (PAGE_SIZE - 1), size);
}

static void device_write(struct machine *m, const struct device_slot *d,
			 uint32_t pa, unsigned size, uint32_t value)
{
	mach_extra(m, CYCLES_DEVICE);
	m->device_accesses++;
	m->batch_stop = true;
	mach_devices_touched(m);
	dev_bus_store(d->ops, d->dev, pa & (PAGE_SIZE - 1), size, value);
}

/* ---- the slow paths of loads, stores and fetches ------------------------- */

static uint32_t sign_extend(uint32_t value, unsigned size)
{
	if (size == 4)
		return value;
	uint32_t sign = 1u << (size * 8 - 1);
	return (value ^ sign) - sign;
}

uint32_t mmu_load(struct machine *m, uint32_t va, unsigned size, bool sign,
		  uint32_t *value, uint32_t *badva)
{
	struct xlat x;
	*badva = va;
	if (va & (size - 1))
		return CAUSE_MISALIGNED; /* checked before translation */
	uint32_t cause = translate(m, va, CAUSE_ACCESS_LOAD, &x);
	if (cause != CAUSE_NONE)
		return cause;

	uint32_t raw, pa = x.pa;
	if (pa < m->ram_size) {
		const uint8_t *p = m->ram + pa;
		raw = p[0];
		if (size >= 2)
			raw |= (uint32_t)p[1] << 8;
		if (size == 4)
			raw |= (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		install_fast(m, va, pa, commit(m, va, CAUSE_ACCESS_LOAD, &x));
	} else {
		const struct device_slot *d = device_at(m, pa);
		if (!d)
			return CAUSE_BUS_ERROR;
		commit(m, va, CAUSE_ACCESS_LOAD, &x);
		raw = device_read(m, d, pa, size);
	}
	*value = sign ? sign_extend(raw, size) : raw;
	return CAUSE_NONE;
}

uint32_t mmu_store(struct machine *m, uint32_t va, unsigned size,
		   uint32_t value, uint32_t *badva)
{
	struct xlat x;
	*badva = va;
	if (va & (size - 1))
		return CAUSE_MISALIGNED;
	uint32_t cause = translate(m, va, CAUSE_ACCESS_STORE, &x);
	if (cause != CAUSE_NONE)
		return cause;

	uint32_t pa = x.pa;
	if (pa < m->ram_size) {
		uint32_t pte = commit(m, va, CAUSE_ACCESS_STORE, &x);
		uint8_t *p = m->ram + pa;
		p[0] = (uint8_t)value;
		if (size >= 2)
			p[1] = (uint8_t)(value >> 8);
		if (size == 4)
			p[2] = (uint8_t)(value >> 16), p[3] = (uint8_t)(value >> 24);
		mmu_code_written(m, pa, size);
		install_fast(m, va, pa, pte);
		return CAUSE_NONE;
	}
	const struct device_slot *d = device_at(m, pa);
	if (!d)
		return CAUSE_BUS_ERROR;
	commit(m, va, CAUSE_ACCESS_STORE, &x);
	device_write(m, d, pa, size, value);
	return CAUSE_NONE;
}

static struct code_page *code_page_for(struct machine *m, uint32_t ppn)
{
	struct code_page *cp = m->code[ppn];
	if (!cp) {
		cp = malloc(sizeof *cp);
		if (!cp) {
			/* The host ran out of memory: no guest fault can
			 * express that, so stop loudly. */
			fprintf(stderr, "trapeze: out of memory for the decoded-"
					"instruction cache\n");
			abort();
		}
		cp->valid = false;
		cp->ppn = ppn;
		m->code[ppn] = cp;
	}
	if (!cp->valid) {
		for (unsigned i = 0; i < PAGE_WORDS; i++)
			cp->insn[i] = (struct isa_insn){.op = OP_DECODE};
		cp->insn[PAGE_WORDS] = (struct isa_insn){.op = OP_PAGE_END};
		cp->valid = true;
		cp->stale = 0;
		purge_fast_stores(m, ppn);
	}
	return cp;
}

uint32_t mmu_fetch_page(struct machine *m, uint32_t pc, uint32_t *badva)
{
	uint32_t page = page_of(pc);
	unsigned i = TLB_INDEX(pc);
	struct fast_array *fa = &m->cur->kind[FAST_FETCH];
	uint32_t pa;

	*badva = pc;
	if (pc & 3)
		return CAUSE_MISALIGNED;
	if (fa->tag[i] == page) {
		pa = (uint32_t)((fa->tag[i] + fa->addend[i]) - (uintptr_t)m->ram);
	} else {
		struct xlat x;
		uint32_t cause = translate(m, pc, CAUSE_ACCESS_FETCH, &x);
		if (cause != CAUSE_NONE)
			return cause;
		pa = x.pa;
		if (pa >= m->ram_size) /* devices and holes hold no code */
			return CAUSE_BUS_ERROR;
		install_fast(m, pc, pa, commit(m, pc, CAUSE_ACCESS_FETCH, &x));
	}
	m->code_cur = code_page_for(m, pa >> PAGE_SHIFT);
	m->code_va = page;
	return CAUSE_NONE;
}

/*
 * A write to a decoded page makes only the words it wrote decode again,
 * so code that stores next to itself (data on a code page, a patched
 * instruction) stays cheap.  A page written all over is dropped instead:
 * it is probably data now, and while it counts as code every store to it
 * takes the slow path.
 */
void mmu_code_written(struct machine *m, uint32_t pa, uint32_t len)
{
	if (len == 0)
		return;
	uint32_t end = pa + len; /* callers keep [pa, pa + len) inside RAM */
	for (uint32_t ppn = pa >> PAGE_SHIFT; ppn <= (end - 1) >> PAGE_SHIFT; ppn++) {
		struct code_page *cp = m->code[ppn];
		if (!cp || !cp->valid)
			continue;
		uint32_t page = ppn << PAGE_SHIFT;
		uint32_t first = (pa > page ? pa - page : 0) / 4;
		uint32_t last = (end - page < PAGE_SIZE ? end - page - 1 : PAGE_SIZE - 1) / 4;
		uint32_t words = last - first + 1;
		if (cp->stale + words > CODE_STALE_LIMIT) {
			cp->valid = false;
			if (cp == m->code_cur)
				m->batch_stop = true; /* the interpreter refetches */
			continue;
		}
		cp->stale += words;
		for (uint32_t w = first; w <= last; w++)
			cp->insn[w].op = OP_DECODE;
	}
}

uint32_t mach_translate(struct machine *m, uint32_t va, unsigned access,
			uint32_t *pa)
{
	uint32_t psw = m->cpu.cr[CR_PSW];
	if (!(psw & PSW_PG)) {
		*pa = va;
		return CAUSE_NONE;
	}
	bool user = !(psw & PSW_MODE);
	const struct tlb_entry *e = &m->tlb[tlb_slot(va, m->vpid)];
	if (e->tag == page_of(va) && e->vpid == m->vpid) {
		uint32_t cause = isa_check_leaf(e->pte, access, user);
		if (cause == CAUSE_NONE)
			*pa = (e->pte & PTE_FRAME_MASK) | (va & (PAGE_SIZE - 1));
		return cause;
	}
	return walk_to_pa(m, va, access, user, pa);
}

void mach_tlb_flush(struct machine *m)
{
	mmu_flush(m);
}

void mach_tlb_invalidate(struct machine *m, uint32_t va)
{
	mmu_invalidate_page(m, va);
}

int mach_tlb_entries(const struct machine *m, struct mach_tlb_entry *out,
		     int max)
{
	int n = 0;
	for (int i = 0; i < TLB_SIZE; i++) {
		if (m->tlb[i].tag == TLB_NO_TAG)
			continue;
		if (n < max)
			out[n] = (struct mach_tlb_entry){.va = m->tlb[i].tag,
							 .pte = m->tlb[i].pte,
							 .vpid = m->tlb[i].vpid};
		n++;
	}
	return n;
}

void mach_tlb_flush_all(struct machine *m)
{
	for (unsigned w = 0; w < TLB_SIZE / 32; w++) {
		for (uint32_t bits = m->tlb_filled[w]; bits; bits &= bits - 1)
			m->tlb[w * 32 + (unsigned)__builtin_ctz(bits)].tag = TLB_NO_TAG;
		m->tlb_filled[w] = 0;
	}
	mmu_fast_reset(m);
}

void mach_tlb_flush_vpid(struct machine *m, uint16_t vpid)
{
	mmu_flush_vpid(m, vpid);
	/* the nested or shadow tables behind REGIME_PHYS may have changed */
	if (vpid == m->vpid)
		mmu_fast_reset(m);
}
