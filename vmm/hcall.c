/*
 * hcall.c - hypercalls: the guest asks the VMM directly.
 *
 * ABI: `hcall` in virtual supervisor mode, with the hypercall number in
 * a0 and arguments in a1-a3; the result comes back in a0 (0xffffffff for
 * an unknown number).  From virtual user mode, hcall is what it is on the
 * bare machine: an illegal instruction, reflected to the guest kernel.
 *
 *   0  HC_VERSION   returns the ABI version (1)
 *
 * The paravirtualized guest OS (a later issue) adds the rest.
 */
#include "internal.h"

enum { HC_VERSION = 0 };
#define HC_ABI_VERSION 1u
#define HC_UNKNOWN 0xffffffffu

void hypercall(struct vm *vm, const struct mach_exit *exit, struct vmm_event *ev)
{
	uint32_t orig;
	if (patch_site(vm, exit->pc, &orig)) { /* not a real hcall: a patch */
		patch_trap(vm, exit, orig, ev);
		return;
	}
	if (vm_user(vm)) {
		reflect_trap(vm, CAUSE_ILLEGAL, exit->pc, 0, ev);
		return;
	}
	vm_charge(vm, ev, VMM_COST_HCALL);
	uint32_t *a0 = &vm->vcpu.x[4];
	switch (*a0) {
	case HC_VERSION:
		*a0 = HC_ABI_VERSION;
		break;
	default:
		*a0 = HC_UNKNOWN;
		break;
	}
	ev->action = VMM_ACT_HYPERCALL;
	vm_retire(vm);
}
