/*
 * patch.c - binary patching: how a VMM runs a guest on an x86-like
 * machine whose sensitive instructions do not trap (--mode=leaky --patch).
 *
 * In leaky mode rdpsw, wrpsw and rdtvec run silently in real user mode
 * and see the real machine, not the virtual one.  So before guest code
 * runs, the VMM finds them and overwrites each, in place, with `hcall`
 * (which always exits to the VMM); the original word goes into the page's
 * patch table.  When the hcall exits, patch_trap() emulates the original
 * on the vCPU and the guest resumes after it.
 *
 * What is scanned, and when.  A code page is scanned when execution
 * enters it, following control flow from the entry point: straight-line
 * code, both ways of a branch, the target and the return point of a call,
 * into the next page and into other pages.  Words that no path reaches
 * are left alone, so data that merely looks like code (a string in .text
 * that a jump skips) is never patched.  Scanning the whole image up front
 * would get exactly that wrong: it cannot tell code from data, and would
 * also miss code that the guest loads or writes later.
 *
 * Execution can enter already-scanned pages at new places only through
 * a computed jump, so the scanner patches those too: every jalr except a
 * return (jalr zero, 0(ra) -- it goes back after a call whose return
 * point was scanned with the call).  A patched jalr, a trap (pc <- TVEC)
 * and rfe (pc <- EPC) each scan from where they land.
 *
 * Keeping it correct and invisible:
 *   - a scanned page is mapped without W: a guest store to it is emulated
 *     here; if it reaches a word the scan visited, the page's patches are
 *     undone first and the page is scanned again when next executed
 *     (self-modifying code keeps working);
 *   - a page with patches is mapped without R: a guest load from it is
 *     emulated here, reading the original words, so the patches cannot be
 *     seen; the VMM's own reads of guest memory (page-table walks,
 *     hypercalls, the disk's DMA) put the original words back too
 *     (patch_guest_view);
 *   - a page that was never scanned is mapped without X, so entering it
 *     faults and starts its scan;
 *   - DMA and the VMM's own writes to guest memory undo patches first.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define HCALL_WORD ((uint32_t)0x2d << ISA_OPCODE_SHIFT) /* the patch */
#define WORKLIST 1024

static bool bit(const uint32_t *map, unsigned i)
{
	return map[i / 32] & (1u << (i % 32));
}

static void set_bit(uint32_t *map, unsigned i)
{
	map[i / 32] |= 1u << (i % 32);
}

/* The first set bit at or after i in a page's bitmap, or PAGE_WORDS:
 * `for (i = next_bit(map, 0); i < PAGE_WORDS; i = next_bit(map, i + 1))`
 * visits the set bits, skipping 32 clear ones at a time. */
static unsigned next_bit(const uint32_t *map, unsigned i)
{
	while (i < PAGE_WORDS) {
		uint32_t rest = map[i / 32] >> (i % 32);
		if (rest)
			return i + (unsigned)__builtin_ctz(rest);
		i = (i / 32 + 1) * 32;
	}
	return PAGE_WORDS;
}

static struct code_info *info_of(struct vm *vm, uint32_t gpa, bool create)
{
	uint32_t gpn = gpa >> PAGE_SHIFT;
	if (gpn >= vm->npages)
		return NULL;
	if (!vm->code_info[gpn] && create)
		vm->code_info[gpn] = calloc(1, sizeof *vm->code_info[gpn]);
	return vm->code_info[gpn];
}

bool patch_page_scanned(struct vm *vm, uint32_t gpa)
{
	const struct code_info *ci = info_of(vm, gpa, false);
	return ci && ci->scanned;
}

bool patch_page_patched(struct vm *vm, uint32_t gpa)
{
	const struct code_info *ci = info_of(vm, gpa, false);
	return ci && ci->npatches > 0;
}

/* Is it a sensitive instruction, or a computed jump other than a return? */
static bool needs_patch(const struct isa_insn *in)
{
	if (isa_info(in->op)->flags & ISA_F_SENSITIVE)
		return true;
	return in->op == OP_JALR &&
	       !(in->rd == 0 && in->rs1 == 1 && in->imm == 0);
}

/* The guest-physical address of code at va, as the guest sees it now. */
static bool code_gpa(struct vm *vm, uint32_t va, uint32_t *gpa)
{
	uint32_t pte;
	if (va & 3)
		return false;
	if (!(vm->vcpu.cr[CR_PSW] & PSW_PG))
		*gpa = va;
	else if (guest_walk(vm, va, CAUSE_ACCESS_FETCH, vm_user(vm), false, gpa,
			    &pte) != CAUSE_NONE)
		return false;
	return *gpa < vm->mem;
}

static void host_word_rw(struct vm *vm, uint32_t gpa, uint32_t *word, bool write)
{
	uint32_t hpa;
	gpa_to_hpa(vm, gpa, &hpa);
	if (write)
		mach_phys_write(vm->vmm->m, hpa, word, 4);
	else
		mach_phys_read(vm->vmm->m, hpa, word, 4);
}

/* What a scan keeps of the page it is in.  A page maps as a whole, so
 * the guest's page tables are walked once for it, not once per word or
 * per branch target; and its words are read from host memory in one go
 * (a page written while it runs is scanned again after every write, so
 * this matters). */
struct scan_page {
	uint32_t vpn, vpn_gpa; /* the virtual page last walked, and where it
				  maps (vpn UINT32_MAX: none yet) */
	uint32_t gpn;          /* the guest page words[] holds (or UINT32_MAX) */
	struct code_info *ci;
	uint32_t words[PAGE_WORDS];
};

/* code_gpa(), walking the guest's page tables only for a new page. */
static bool scan_gpa(struct vm *vm, struct scan_page *p, uint32_t va,
		     uint32_t *gpa)
{
	if (va & 3)
		return false;
	if (va >> PAGE_SHIFT != p->vpn) {
		if (!code_gpa(vm, va & ~(PAGE_SIZE - 1), &p->vpn_gpa))
			return false;
		p->vpn = va >> PAGE_SHIFT;
	}
	*gpa = p->vpn_gpa | (va & (PAGE_SIZE - 1));
	return true;
}

static struct code_info *scan_page_at(struct vm *vm, struct scan_page *p,
				      uint32_t gpa)
{
	if (p->gpn != gpa >> PAGE_SHIFT) {
		p->ci = info_of(vm, gpa, true);
		if (!p->ci)
			return NULL;
		uint32_t hpa;
		gpa_to_hpa(vm, gpa & ~(PAGE_SIZE - 1), &hpa);
		mach_phys_read(vm->vmm->m, hpa, p->words, PAGE_SIZE);
		p->gpn = gpa >> PAGE_SHIFT;
	}
	return p->ci;
}

/*
 * Scans from va, following control flow.  Returns true if a page changed
 * in a way its shadow mappings must learn (newly scanned: W goes; first
 * patch: R goes).
 */
static bool scan(struct vm *vm, uint32_t entry)
{
	uint32_t work[WORKLIST];
	int n = 0;
	bool changed = false;
	struct scan_page cur = {.vpn = UINT32_MAX, .gpn = UINT32_MAX};
	work[n++] = entry;

	while (n > 0) {
		uint32_t va = work[--n], gpa;
		bool entering = true; /* the first word of a run enters its page */
		for (; scan_gpa(vm, &cur, va, &gpa); va += 4) {
			struct code_info *ci = scan_page_at(vm, &cur, gpa);
			unsigned i = (gpa & (PAGE_SIZE - 1)) / 4;
			if (!ci)
				break;
			if (entering || i == 0)
				set_bit(ci->entries, i);
			entering = false;
			if (bit(ci->visited, i))
				break;
			if (!ci->scanned) {
				ci->scanned = true;
				changed = true;
				if (ci->invalidated) {
					/* Scanned before, then written: start
					 * again from every known entry too. */
					vm->stats.rescans++, ci->invalidated = false;
					uint32_t base = va & ~(PAGE_SIZE - 1);
					for (unsigned e = next_bit(ci->entries, 0);
					     e < PAGE_WORDS && n < WORKLIST;
					     e = next_bit(ci->entries, e + 1))
						if (e != i)
							work[n++] = base + e * 4;
				}
			}
			set_bit(ci->visited, i);
			vm->stats.words_scanned++;

			uint32_t word = cur.words[i];
			struct isa_insn in;
			if (!isa_decode(word, &in))
				break; /* no instruction: execution stops here */
			if (needs_patch(&in)) {
				ci->orig[i] = word;
				set_bit(ci->patched, i);
				if (ci->npatches++ == 0)
					changed = true;
				cur.words[i] = HCALL_WORD;
				host_word_rw(vm, gpa, &cur.words[i], true);
				vm->stats.patch_sites++;
			}
			unsigned flags = isa_info(in.op)->flags;
			if ((flags & (ISA_F_BRANCH | ISA_F_JUMP)) && in.op != OP_JALR &&
			    n < WORKLIST)
				work[n++] = va + (uint32_t)in.imm;
			if (in.op == OP_RFE ||
			    (in.op == OP_JAL && in.rd == 0) ||
			    (in.op == OP_JALR && in.rd == 0))
				break; /* no way on to the next word */
		}
	}
	return changed;
}

void patch_scan(struct vm *vm, uint32_t va)
{
	if (!vm->vmm->cfg.patch)
		return;
	uint64_t before = vm->stats.words_scanned;
	bool changed = scan(vm, va);
	/* Charged per word actually scanned: landing on known code is a
	 * bitmap lookup. */
	vm_charge_cycles(vm, (vm->stats.words_scanned - before) *
				     vmm_cost(VMM_COST_PATCH_SCAN));
	if (changed)
		shadow_flush_all(vm);
}

/* Does [from, to) of a page, in bytes, hold a word the scan visited? */
static bool visited_between(const struct code_info *ci, uint32_t from,
			    uint32_t to)
{
	unsigned i = next_bit(ci->visited, from / 4);
	return i < PAGE_WORDS && i * 4 < to;
}

/*
 * Undoes the patches of every scanned page in [gpa, gpa + len) that the
 * write reaches code in.  A write that touches no word the scan visited
 * (data beside code, a stack in a code page) changes no instruction it
 * found and no path it followed, so that page's scan stands.
 */
void patch_page_written(struct vm *vm, uint32_t gpa, uint32_t len)
{
	if (!vm->vmm->cfg.patch || len == 0)
		return;
	bool changed = false;
	uint64_t end = (uint64_t)gpa + len;
	for (uint64_t p = gpa & ~(PAGE_SIZE - 1); p < end; p += PAGE_SIZE) {
		struct code_info *ci = info_of(vm, (uint32_t)p, false);
		if (!ci || !ci->scanned)
			continue;
		uint32_t from = p < gpa ? gpa - (uint32_t)p : 0;
		uint32_t to = end - p < PAGE_SIZE ? (uint32_t)(end - p) : PAGE_SIZE;
		if (!visited_between(ci, from, to))
			continue;
		for (unsigned i = next_bit(ci->patched, 0); i < PAGE_WORDS;
		     i = next_bit(ci->patched, i + 1))
			host_word_rw(vm, (uint32_t)p + i * 4, &ci->orig[i], true);
		/* Unscanned again; orig[] means nothing without its patched
		 * bit, and entries are kept for the next scan. */
		ci->scanned = false;
		ci->npatches = 0;
		memset(ci->visited, 0, sizeof ci->visited);
		memset(ci->patched, 0, sizeof ci->patched);
		ci->invalidated = true;
		changed = true;
	}
	if (changed)
		shadow_flush_all(vm); /* no page keeps X without a new scan */
}

/* The word the guest believes is at gpa. */
static uint32_t original_word(struct vm *vm, uint32_t gpa)
{
	const struct code_info *ci = info_of(vm, gpa, false);
	unsigned i = (gpa & (PAGE_SIZE - 1)) / 4;
	uint32_t word;
	if (ci && bit(ci->patched, i))
		return ci->orig[i];
	host_word_rw(vm, gpa & ~3u, &word, false);
	return word;
}

bool patch_site(struct vm *vm, uint32_t pc, uint32_t *orig)
{
	uint32_t gpa;
	if (!vm->vmm->cfg.patch || !code_gpa(vm, pc, &gpa))
		return false;
	const struct code_info *ci = info_of(vm, gpa, false);
	unsigned i = (gpa & (PAGE_SIZE - 1)) / 4;
	if (!ci || !bit(ci->patched, i))
		return false;
	*orig = ci->orig[i];
	return true;
}

/* A patched instruction exited: do what the original would have done. */
void patch_trap(struct vm *vm, const struct mach_exit *exit, uint32_t orig,
		struct vmm_event *ev)
{
	struct vcpu *c = &vm->vcpu;
	struct isa_insn in;
	isa_decode(orig, &in);
	vm->stats.patch_traps++;
	ev->handler = "patch_trap";
	ev->action = VMM_ACT_PATCHED;
	ev->insn = orig;
	vm_charge(vm, ev, VMM_COST_PATCH_TRAP);

	if (in.op == OP_JALR) {
		uint32_t target = c->x[in.rs1] + (uint32_t)in.imm;
		if (in.rd)
			c->x[in.rd] = exit->pc + 4;
		c->pc = target;
		vm->instret++;
		vm->trap_entered = false;
		if (!(target & 3))
			patch_scan(vm, target);
		return;
	}
	/* rdpsw, wrpsw, rdtvec, with the meaning they have on the bare
	 * machine in this mode (clean: they trap in user mode). */
	if (vm_user(vm) && !vm->vmm->cfg.leaky) {
		reflect_trap(vm, CAUSE_PRIV, exit->pc, 0, ev);
		return;
	}
	switch (in.op) {
	case OP_RDPSW:
		if (in.rd)
			c->x[in.rd] = c->cr[CR_PSW];
		break;
	case OP_WRPSW:
		if (!vm_user(vm)) /* leaky user mode: silently nothing */
			vm_write_cr(vm, CR_PSW, c->x[in.rs1]);
		break;
	case OP_RDTVEC:
		if (in.rd)
			c->x[in.rd] = c->cr[CR_TVEC];
		break;
	default:
		break;
	}
	vm_retire(vm);
}

/*
 * A load or store to guest RAM, done here instead of by the guest: a
 * load from a page with patches, a store to a scanned page (shadow.c also
 * uses it for a load of a PTE's own word).  Loads see the original words;
 * a store first undoes the page's patches, which are found again when the
 * page next runs.
 */
void emulate_ram_access(struct vm *vm, const struct mach_exit *exit,
			  uint32_t gpa, struct vmm_event *ev)
{
	struct isa_insn in;
	isa_decode(exit->insn, &in);
	unsigned flags = isa_info(in.op) ? isa_info(in.op)->flags : 0;
	unsigned size = in.op == OP_LW || in.op == OP_SW ? 4
			: in.op == OP_LH || in.op == OP_LHU || in.op == OP_SH ? 2
											      : 1;
	vm_charge(vm, ev, VMM_COST_MMIO);
	ev->action = VMM_ACT_PATCHED;
	ev->handler = "emulate_ram_access";
	if (flags & ISA_F_STORE) {
		patch_page_written(vm, gpa, size);
		uint32_t v = vm->vcpu.x[in.rs2], word;
		host_word_rw(vm, gpa & ~3u, &word, false);
		unsigned shift = (gpa & 3) * 8;
		uint32_t mask = (size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1) << shift;
		word = (word & ~mask) | ((v << shift) & mask);
		host_word_rw(vm, gpa & ~3u, &word, true);
	} else {
		uint32_t v = original_word(vm, gpa) >> ((gpa & 3) * 8);
		if (size < 4) {
			v &= (1u << (size * 8)) - 1;
			if (in.op == OP_LH || in.op == OP_LB) {
				uint32_t sign = 1u << (size * 8 - 1);
				v = (v ^ sign) - sign;
			}
		}
		if (in.rd)
			vm->vcpu.x[in.rd] = v;
	}
	vm_retire(vm);
}

/* Puts the original words back into a copy of guest memory, so that
 * every reader besides the guest's own loads (the disk's DMA, the VMM's
 * page-table walks and hypercalls, lockstep, the debugger) sees what the
 * guest sees. */
void patch_guest_view(struct vm *vm, uint32_t gpa, uint8_t *buf, uint32_t len)
{
	for (uint32_t off = 0; off < len;) {
		uint32_t a = gpa + off;
		const struct code_info *ci = info_of(vm, a, false);
		if (!ci || ci->npatches == 0) { /* nothing to put back here */
			off += PAGE_SIZE - (a & (PAGE_SIZE - 1));
			continue;
		}
		unsigned i = (a & (PAGE_SIZE - 1)) / 4;
		if (bit(ci->patched, i))
			buf[off] = (uint8_t)(ci->orig[i] >> ((a & 3) * 8));
		off++;
	}
}

void patch_free(struct vm *vm)
{
	if (!vm->code_info)
		return;
	for (uint32_t p = 0; p < vm->npages; p++)
		free(vm->code_info[p]);
	free(vm->code_info);
}
