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
