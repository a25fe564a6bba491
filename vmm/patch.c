/*
 * patch.c - binary patching: how a VMM runs a guest on an x86-like
 * machine whose sensitive instructions do not trap (--mode=leaky --patch).
 *
 * In leaky mode rdpsw, wrpsw and rdtvec run silently in real user mode
 * and see the real machine, not the virtual one.  So before guest code
 * runs, the VMM finds them and overwrites each, in place, with `hcall`
 * (which always exits to the VMM); the original word goes into the
 * page's patch table.  When the hcall exits, patch_trap() emulates the
 * original on the vCPU and the guest resumes after it.
 *
 * The rule that makes it safe: a guest page may be executed (X in its
 * shadow PTEs) only once every word in it has been examined.
 *
 * Why whole pages.  Control reaches a word of an executable page in many
 * ways: from the word before it, by a branch or a call, by a return or a
 * computed jump to an address the guest made up, by a trap or rfe, through
 * whatever mapping the guest's page table has at that moment.  A patcher
 * that examined only the words its own walk of the control flow reached
 * would have to show that every one of those ways lands on such a word --
 * and a `ret` to a forged address, a page remapped under a branch that was
 * followed earlier, or a walk that gave up on a long list of targets each
 * breaks that.  A page examined whole has no gap: wherever control lands
 * in it, the word there was examined.  It is still done lazily: a page is
 * examined when execution first enters it (a fetch fault, since it had no
 * X), so code that the guest loads or writes later is found when it runs.
 *
 * PG32 allows this because its instructions are 32-bit words aligned to 4:
 * every word is an instruction boundary, so a page decodes the same
 * whichever word execution enters it at.  x86 instructions are 1 to 15
 * bytes long and the same bytes decode differently from each offset; that
 * is why x86 binary translators (VMware's) follow control flow from each
 * entry point and translate basic blocks instead of patching in place.
 * The price here: a data word in a code page that happens to decode as a
 * sensitive instruction is patched too -- harmless, since no reader can
 * ever see a patch (below).
 *
 * Keeping it correct and invisible:
 *   - a scanned page is mapped without W: a guest store to it is emulated
 *     (emulate_ram_access) and every word it changes is examined again
 *     (patch_write): rdpsw written into code is patched before it can
 *     run, and a store over a patch replaces it.  Self-modifying code keeps
 *     working.  The VMM's own writes (the disk's DMA, hypercalls, loading
 *     the image) go through patch_write too;
 *   - a page with patches is mapped without R: a guest load from it is
 *     emulated, reading the original words; every other reader of guest
 *     memory (the VMM's page-table walks, hypercalls, the disk's DMA, the
 *     debugger) puts the originals back too (patch_guest_view);
 *   - an hcall exit is looked up by the frame the CPU fetched it from,
 *     found through the shadow table the machine used, not through the
 *     guest's table: a guest that changes a PTE without a flush may go on
 *     running through the old translation, as the architecture allows;
 *   - no bound can be outrun: what is known of a page is one fixed-size
 *     record (struct code_info), made when the page is first entered, at
 *     most one per guest page; nothing is ever dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The patch: hcall, the one instruction that always exits to the VMM. */
static uint32_t hcall_word(void)
{
	return isa_info(OP_HCALL)->match;
}

static bool bit(const uint32_t *map, unsigned i)
{
	return map[i / 32] & (1u << (i % 32));
}

static void set_bit(uint32_t *map, unsigned i, bool value)
{
	if (value)
		map[i / 32] |= 1u << (i % 32);
	else
		map[i / 32] &= ~(1u << (i % 32));
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

/* Patching's say in a shadow PTE: X only once the page is scanned (no
 * code runs unexamined), no W on a scanned page (every write to code is
 * examined), no R on a page with patches (loads must see the original
 * words, which an emulated load gives them). */
uint32_t patch_shadow_pte(struct vm *vm, uint32_t gpa, uint32_t pte)
{
	if (!patch_page_scanned(vm, gpa))
		return pte & ~PTE_X;
	pte &= ~PTE_W;
	if (patch_page_patched(vm, gpa))
		pte &= ~PTE_R;
	return pte;
}

/*
 * Word i of a scanned page is to hold `orig`, as the guest sees it:
 * records it and returns what host memory must hold instead -- the
 * hcall if the word needs a patch, else the word itself.  A word needs
 * a patch when it must not run in the VMM's real user mode: a sensitive
 * instruction, which on the leaky machine would run there silently.
 * (The privileged ones trap by themselves.)
 */
static uint32_t examine(struct vm *vm, struct code_info *ci, unsigned i,
			uint32_t orig)
{
	bool was = bit(ci->patched, i);
/* BEGIN LAB 4: which words need a patch, kept in the page's patch table */
	struct isa_insn in;
	bool patch = isa_decode(orig, &in) &&
		     (isa_info(in.op)->flags & ISA_F_SENSITIVE);
	if (patch)
		ci->orig[i] = orig;
	ci->npatches += (int)patch - (int)was;
	set_bit(ci->patched, i, patch);
/* END LAB 4 */
/* STUB LAB 4
	(void)set_bit;
	vm_stop(vm, VM_FAILED, "lab 4: examine (vmm/patch.c) is not written "
		"yet: see labs/lab4-x86/README.md, section 3.2");
*/
	bool now = bit(ci->patched, i);
	if (now && !was)
		vm->stats.patch_sites++;
	return now ? hcall_word() : orig;
}

/*
 * Execution enters the guest page at gpa: unless it was scanned already,
 * every word of it is examined now, and the sensitive ones patched.
 * From then on the page may be executed.  Returns false, having stopped
 * the VM, if the host has no memory for the page's record: the page must
 * not run unexamined, and without its record it could never run at all.
 */
bool patch_scan(struct vm *vm, uint32_t gpa)
{
	if (!vm->vmm->cfg.patch)
		return true;
	struct code_info *ci = info_of(vm, gpa, true);
	uint32_t hpa;
	if (!gpa_to_hpa(vm, gpa & ~(PAGE_SIZE - 1), &hpa))
		return true; /* not RAM: the fetch faults, nothing runs */
	if (!ci) {
		vm_stop(vm, VM_FAILED, "out of host memory for the patch table "
			"of guest page 0x%08x", gpa & ~(PAGE_SIZE - 1));
		return false;
	}
/* BEGIN LAB 4: examine the whole page, once, and patch it in place */
	if (ci->scanned)
		return true;
	uint32_t words[PAGE_WORDS];
	mach_phys_read(vm->vmm->m, hpa, words, PAGE_SIZE);
	for (unsigned i = 0; i < PAGE_WORDS; i++)
		words[i] = examine(vm, ci, i, words[i]);
	mach_phys_write(vm->vmm->m, hpa, words, PAGE_SIZE);
	ci->scanned = true;
/* END LAB 4 */
/* STUB LAB 4
	(void)examine;
	vm_stop(vm, VM_FAILED, "lab 4: patch_scan (vmm/patch.c) is not "
		"written yet: see labs/lab4-x86/README.md, section 3.3");
	return false;
*/
	/* The bookkeeping: the page starts its count of writes afresh, and
	 * the scan's cost goes to the host's clock. */
	ci->writes = 0;
	vm->stats.pages_scanned++;
	vm_charge_cycles(vm, PAGE_WORDS * vmm_cost(VMM_COST_PATCH_SCAN));
	/* Mappings of this page made before it was code may still allow
	 * writes (and reads, now that it may hold patches): they go. */
	shadow_flush_all(vm);
	return true;
}

/* The word the guest believes is at gpa (aligned down to the word). */
static uint32_t original_word(struct vm *vm, uint32_t gpa)
{
	const struct code_info *ci = info_of(vm, gpa, false);
	unsigned i = (gpa & (PAGE_SIZE - 1)) / 4;
	uint32_t hpa, word = 0;
	if (ci && bit(ci->patched, i))
		return ci->orig[i];
	gpa_to_hpa(vm, gpa & ~3u, &hpa);
	mach_phys_read(vm->vmm->m, hpa, &word, 4);
	return word;
}

/*
 * A scanned page that is written again and again is more likely data now
 * (a frame the guest freed and is filling, a buffer beside code) than
 * code: each of those writes is an exit.  After this many writes the page
 * goes back to being data: its patches are undone and it loses X, so that
 * writes run directly; if it runs again, it is scanned again, whole.
 */
#define WRITES_TO_DATA 32

/* The page at page_gpa is data again: originals back, no longer scanned. */
static void unscan(struct vm *vm, struct code_info *ci, uint32_t page_gpa)
{
	uint32_t hpa;
	gpa_to_hpa(vm, page_gpa, &hpa);
	for (unsigned i = 0; i < PAGE_WORDS; i++)
		if (bit(ci->patched, i))
			mach_phys_write(vm->vmm->m, hpa + i * 4, &ci->orig[i], 4);
	memset(ci, 0, sizeof *ci);
	vm->stats.pages_unscanned++;
	shadow_flush_all(vm); /* no mapping of it keeps X */
}

/*
 * Writes len bytes to guest RAM at gpa, inside one page that the caller
 * checked is RAM, as the guest means them: on a scanned page each word
 * written is examined again, so that a sensitive instruction stored into
 * code is patched before it can run, and a store over a patch replaces
 * the original the patch stands for.
 */
void patch_write(struct vm *vm, uint32_t gpa, const uint8_t *bytes, uint32_t len)
{
	struct code_info *ci = vm->vmm->cfg.patch ? info_of(vm, gpa, false) : NULL;
	uint32_t hpa;
	gpa_to_hpa(vm, gpa, &hpa);
	if (!ci || !ci->scanned) {
		mach_phys_write(vm->vmm->m, hpa, bytes, len);
		return;
	}
	bool had_patches = ci->npatches > 0;
/* BEGIN LAB 4: each word the write changes, examined as the guest means it */
	for (uint32_t done = 0; done < len;) {
		uint32_t at = gpa + done, word = original_word(vm, at);
		for (unsigned shift = (at & 3) * 8; done < len && shift < 32;
		     done++, shift += 8)
			word = (word & ~(0xffu << shift)) | (uint32_t)bytes[done] << shift;
		/* The write stays inside one page: the word is at the same
		 * offset in the host frame. */
		uint32_t word_hpa = (hpa & ~(PAGE_SIZE - 1)) | (at & (PAGE_SIZE - 4));
		uint32_t host = examine(vm, ci, (at & (PAGE_SIZE - 1)) / 4, word);
		mach_phys_write(vm->vmm->m, word_hpa, &host, 4);
	}
/* END LAB 4 */
/* STUB LAB 4
	vm_stop(vm, VM_FAILED, "lab 4: patch_write (vmm/patch.c) is not "
		"written yet: see labs/lab4-x86/README.md, section 3.5");
	return;
*/
	vm->stats.patch_writes++;
	if (++ci->writes == WRITES_TO_DATA)
		unscan(vm, ci, gpa & ~(PAGE_SIZE - 1));
	else if (had_patches != (ci->npatches > 0))
		shadow_flush_all(vm); /* R: only on a page without patches */
}

bool patch_site(struct vm *vm, uint32_t pc, uint32_t *orig)
{
	uint32_t gpa;
	if (!vm->vmm->cfg.patch || !shadow_fetched_gpa(vm, pc, &gpa))
		return false;
	const struct code_info *ci = info_of(vm, gpa, false);
	unsigned i = (gpa & (PAGE_SIZE - 1)) / 4;
	if (!ci || !bit(ci->patched, i))
		return false;
	*orig = ci->orig[i];
	return true;
}

/* A patched instruction exited (as an hcall): do what the original would
 * have done.  exit->insn is the original word (the dispatcher's route). */
enum vmm_action patch_trap(struct vm *vm, const struct mach_exit *exit)
{
	struct isa_insn in;
	isa_decode(exit->insn, &in);
	vm->stats.patch_traps++;

/* BEGIN LAB 4: the original instruction, emulated on the vCPU */
	/* rdpsw, wrpsw, rdtvec, with the meaning they have on the bare
	 * machine in this mode (clean: they trap in user mode). */
	struct vcpu *c = &vm->vcpu;
	if (vm_user(vm) && !vm->vmm->cfg.leaky)
		return reflect_trap(vm, CAUSE_PRIV, exit->pc, 0);
	switch (in.op) {
	case OP_RDPSW:
		vm_set_reg(vm, in.rd, c->cr[CR_PSW]);
		break;
	case OP_WRPSW:
		if (!vm_user(vm)) /* leaky user mode: silently nothing */
			vm_write_cr(vm, CR_PSW, c->x[in.rs1]);
		break;
	case OP_RDTVEC:
		vm_set_reg(vm, in.rd, c->cr[CR_TVEC]);
		break;
	default:
		break;
	}
/* END LAB 4 */
/* STUB LAB 4
	vm_stop(vm, VM_FAILED, "lab 4: patch_trap (vmm/patch.c) is not "
		"written yet: see labs/lab4-x86/README.md, section 3.4");
	return VMM_ACT_HALTED;
*/
	vm_retire(vm);
	return VMM_ACT_PATCHED;
}

/*
 * Patching's one hook in shadow paging: a fault on guest RAM at gpa that
 * the patcher must see first.  A store to a scanned page is examined
 * word by word (patch_write); a load from a page with patches must see
 * the original words; execution entering a page scans it first.  Returns
 * true, with *done, if it handled the fault; false: fill the shadow.
 */
bool patch_fault(struct vm *vm, const struct mach_exit *exit, uint32_t gpa,
		 enum vmm_action *done)
{
	unsigned access = (exit->cause >> CAUSE_ACCESS_SHIFT) & 3;
	bool scanned = patch_page_scanned(vm, gpa);
	if ((access == CAUSE_ACCESS_STORE && scanned) ||
	    (access == CAUSE_ACCESS_LOAD && scanned && patch_page_patched(vm, gpa))) {
		*done = emulate_ram_access(vm, exit, gpa);
		return true;
	}
	if (access == CAUSE_ACCESS_FETCH && !patch_scan(vm, gpa)) {
		*done = VMM_ACT_HALTED;
		return true;
	}
	return false;
}

/*
 * A load or store to guest RAM, done here instead of by the guest: a
 * load from a page with patches, a store to a scanned page (shadow.c also
 * uses it for a load of a PTE's own word).  Loads see the original words;
 * a store goes through patch_write, which examines what it writes.
 */
enum vmm_action emulate_ram_access(struct vm *vm, const struct mach_exit *exit,
				   uint32_t gpa)
{
	struct isa_insn in;
	unsigned size;
	bool sign, store;
	isa_decode(exit->insn, &in);
	if (!mem_access_of(in.op, &size, &sign, &store)) {
		vm_stop(vm, VM_FAILED, "RAM access emulated at pc 0x%08x from "
			"word 0x%08x, which is no load or store", exit->pc,
			exit->insn);
		return VMM_ACT_HALTED;
	}
	if (store) {
		uint32_t v = vm->vcpu.x[in.rs2];
		uint8_t bytes[4] = {(uint8_t)v, (uint8_t)(v >> 8),
				    (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
		patch_write(vm, gpa, bytes, size);
	} else {
		uint32_t v = original_word(vm, gpa) >> ((gpa & 3) * 8);
		if (size < 4) {
			v &= (1u << (size * 8)) - 1;
			if (sign) {
				uint32_t sign_bit = 1u << (size * 8 - 1);
				v = (v ^ sign_bit) - sign_bit;
			}
		}
		vm_set_reg(vm, in.rd, v);
	}
	vm_retire(vm);
	return VMM_ACT_ACCESS;
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
