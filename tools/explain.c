/*
 * explain.c - why a run ended (explain.h).
 *
 * A double fault is where a beginner's first mistake usually surfaces: a
 * load from an unmapped address, or running off the end of the code,
 * traps; and with no trap handler installed the handler's first
 * instruction traps too.  The machine reports the second trap; the
 * student needs the first, and a guess at why no handler ran.  Both are
 * still in the CPU: trap entry wrote the first trap to EPC, CAUSE, BADVA
 * and EPSW, and the handler retired nothing after that.
 */
#include "explain.h"

#include <inttypes.h>

/* Why the handler at TVEC could not run its first instruction. */
enum handler_trouble {
	HANDLER_TVEC_UNSET,  /* TVEC is 0, as at boot */
	HANDLER_MISALIGNED,  /* TVEC is no instruction's address */
	HANDLER_UNMAPPED,    /* paging on, no supervisor-executable page */
	HANDLER_NO_MEMORY,   /* no RAM at the handler's physical address */
	HANDLER_NOT_CODE,    /* it is there, but its first word traps */
};

/* The machine's view of the handler, whether a bare CPU or a vCPU. */
struct handler_view {
	uint32_t cr[CR_COUNT];
	bool mapped;   /* TVEC translates for a supervisor fetch */
	uint32_t pa;   /* if mapped: where the handler is */
	bool in_ram;   /* if mapped: a word can be read there */
};

const char *explain_pc(const struct elf_image *img, uint32_t pc, char *buf,
		       size_t size)
{
	char sym[128];
	if (elf_symbolize(img, pc, sym, sizeof sym))
		snprintf(buf, size, "pc 0x%08" PRIx32 " (%s)", pc, sym);
	else
		snprintf(buf, size, "pc 0x%08" PRIx32, pc);
	return buf;
}

static enum handler_trouble diagnose(const struct handler_view *h)
{
	uint32_t tvec = h->cr[CR_TVEC];
	if (tvec == 0)
		return HANDLER_TVEC_UNSET;
	if (tvec % 4 != 0)
		return HANDLER_MISALIGNED;
	if (!h->mapped)
		return HANDLER_UNMAPPED;
	if (!h->in_ram)
		return HANDLER_NO_MEMORY;
	return HANDLER_NOT_CODE;
}

static const char *access_name(uint32_t cause)
{
	switch ((cause >> CAUSE_ACCESS_SHIFT) & 3) {
	case CAUSE_ACCESS_FETCH: return "fetch";
	case CAUSE_ACCESS_LOAD: return "load";
	default: return "store";
	}
}

/* The first trap: "SYSCALL at pc 0x00001000 (_start) in supervisor
 * mode, badva 0x00000000". */
static void print_first_trap(FILE *f, const char *prefix,
			     const struct handler_view *h,
			     const struct elf_image *img)
{
	uint32_t cause = h->cr[CR_CAUSE];
	const char *name = isa_cause_name(cause);
	char where[192];
	explain_pc(img, h->cr[CR_EPC], where, sizeof where);
	const char *mode = h->cr[CR_EPSW] & PSW_MODE ? "supervisor" : "user";
	fprintf(f, "%sthe trap it was entered for: ", prefix);
	if (cause & CAUSE_INTERRUPT)
		fprintf(f, "the %s interrupt", name ? name : "?");
	else if ((cause & CAUSE_CODE_MASK) == CAUSE_PAGE_FAULT)
		fprintf(f, "PAGE_FAULT (%s)", access_name(cause));
	else
		fprintf(f, "%s", name ? name : "?");
	fprintf(f, " at %s in %s mode, badva 0x%08" PRIx32 "\n", where, mode,
		h->cr[CR_BADVA]);
}

static void print_likely(FILE *f, const char *prefix,
			 const struct handler_view *h)
{
	uint32_t tvec = h->cr[CR_TVEC];
	fprintf(f, "%slikely: ", prefix);
	switch (diagnose(h)) {
	case HANDLER_TVEC_UNSET:
		fprintf(f, "TVEC was never set (it is 0 at boot), so there is no "
			   "trap handler: install one with 'mtcr tvec, REG' "
			   "before anything can trap\n");
		break;
	case HANDLER_MISALIGNED:
		fprintf(f, "TVEC 0x%08" PRIx32 " is not a multiple of 4, so no "
			   "instruction starts there\n", tvec);
		break;
	case HANDLER_UNMAPPED:
		fprintf(f, "the handler is not mapped: TVEC 0x%08" PRIx32 " has no "
			   "page a supervisor may execute in the page table\n",
			tvec);
		break;
	case HANDLER_NO_MEMORY:
		fprintf(f, "the handler is not in memory: TVEC 0x%08" PRIx32
			   " is physical address 0x%08" PRIx32 ", where there is "
			   "no RAM\n", tvec, h->pa);
		break;
	case HANDLER_NOT_CODE:
		fprintf(f, "the word at TVEC 0x%08" PRIx32 " is not a handler's "
			   "first instruction: does TVEC point at data?\n", tvec);
		break;
	}
}

static void explain(FILE *f, const char *prefix, const struct handler_view *h,
		    const struct elf_image *img)
{
	print_first_trap(f, prefix, h, img);
	print_likely(f, prefix, h);
}

void explain_native_double_fault(FILE *f, const char *prefix,
				 struct machine *m,
				 const struct elf_image *img)
{
	struct handler_view h = {0};
	const struct cpu *c = mach_cpu(m);
	for (unsigned i = 0; i < CR_COUNT; i++)
		h.cr[i] = c->cr[i];
	/* The CPU is still in the handler's mode (trap entry set it), so
	 * translating as "the current mode" is the handler's own fetch. */
	uint32_t word;
	h.mapped = mach_translate(m, h.cr[CR_TVEC], CAUSE_ACCESS_FETCH,
				  &h.pa) == CAUSE_NONE;
	h.in_ram = h.mapped && mach_phys_read(m, h.pa, &word, sizeof word);
	explain(f, prefix, &h, img);
}

void explain_vm_double_fault(FILE *f, const char *prefix, struct vmm *v,
			     int vm, const struct elf_image *img)
{
	struct handler_view h = {0};
	struct vmm_vcpu_state st;
	vmm_vm_vcpu(v, vm, &st);
	for (unsigned i = 0; i < CR_COUNT; i++)
		h.cr[i] = st.cr[i];
	uint32_t tvec = h.cr[CR_TVEC], pte, pte_gpa, word;
	if (h.cr[CR_PSW] & PSW_PG)
		h.mapped = vmm_vm_walk(v, vm, tvec, CAUSE_ACCESS_FETCH, false,
				       &h.pa, &pte, &pte_gpa) == CAUSE_NONE;
	else
		h.mapped = true, h.pa = tvec;
	h.in_ram = h.mapped && vmm_vm_read(v, vm, h.pa, &word, sizeof word);
	explain(f, prefix, &h, img);
}
