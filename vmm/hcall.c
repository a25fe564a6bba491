/*
 * hcall.c - hypercalls: a paravirtualized guest asks the VMM directly.
 *
 * Trap-and-emulate needs one exit per privileged instruction, and on the
 * leaky machine it does not even get that.  A paravirtualized kernel
 * knows it runs on this VMM and calls it instead: `hcall` with the
 * hypercall number in a0 and arguments in a1-a3; the result comes back in
 * a0 (VMM_HC_ERROR for an unknown number or a bad argument); no other
 * register changes.  From virtual user mode hcall is what it is on the
 * bare machine: an illegal instruction, reflected to the guest kernel.
 *
 * The ABI's table is VMM_HYPERCALLS in vmm.h (pg32.inc gives guests its
 * numbers; vmm/README.md lists it).  Each
 * hypercall does what the instruction or sequence it replaces does on the
 * bare machine, in one exit: HC_IRQ_SAVE_DISABLE is PUSHF;CLI in one go,
 * HC_CONSOLE_WRITE is a whole string instead of an exit per byte.
 */
#include "internal.h"

#define HC_ABI_VERSION 1u

/* Registers of the ABI. */
#define A0 4
#define A1 5
#define A2 6

/* A hypercall: returns the value for a0; *step = false means it moved pc
 * itself (rfe, idle), so the hcall is not stepped over here. */
typedef uint32_t hcall_fn(struct vm *vm, struct vmm_event *ev, bool *step);

static uint32_t hc_VERSION(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)vm, (void)ev, (void)step;
	return HC_ABI_VERSION;
}

static uint32_t hc_GET_PSW(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev, (void)step;
	return vm->vcpu.cr[CR_PSW];
}

static uint32_t hc_SET_PSW(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev, (void)step;
	vm_write_cr(vm, CR_PSW, vm->vcpu.x[A1]);
	return 0;
}

/* The PSW as it was; then IE = 0.  (rdpsw; andi; wrpsw in one exit.) */
static uint32_t hc_IRQ_SAVE_DISABLE(struct vm *vm, struct vmm_event *ev,
				    bool *step)
{
	(void)ev, (void)step;
	uint32_t old = vm->vcpu.cr[CR_PSW];
	vm_write_cr(vm, CR_PSW, old & ~PSW_IE);
	return old;
}

static uint32_t hc_SET_TVEC(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev, (void)step;
	vm_write_cr(vm, CR_TVEC, vm->vcpu.x[A1]);
	return 0;
}

static uint32_t hc_SET_PTBR(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev, (void)step;
	vm_write_cr(vm, CR_PTBR, vm->vcpu.x[A1]);
	return 0;
}

static uint32_t hc_TLB_FLUSH(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev, (void)step;
	shadow_flush(vm);
	return 0;
}

static uint32_t hc_TLB_INV(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev, (void)step;
	shadow_invalidate(vm, vm->vcpu.x[A1]);
	return 0;
}

/*
 * rfe.  The kernel's a0-a2 hold the hypercall's number and arguments, and
 * there is no instruction after this one to put them back; so a1 names a
 * three-word save area (a guest virtual address) from which the VMM
 * reloads a0, a1, a2 as the guest returns.
 */
static uint32_t hc_RFE(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev;
	uint32_t area = vm->vcpu.x[A1], saved[3];
	for (int i = 0; i < 3; i++) {
		bool paging = vm->vcpu.cr[CR_PSW] & PSW_PG;
		uint32_t gpa = area + 4 * (uint32_t)i;
		if ((paging && guest_walk(vm, gpa, CAUSE_ACCESS_LOAD, false,
					  &gpa) != CAUSE_NONE) ||
		    !gpa_read32(vm, gpa, &saved[i]))
			return VMM_HC_ERROR;
	}
	vm->vcpu.x[A1] = saved[1];
	vm->vcpu.x[A2] = saved[2];
	vm_rfe(vm);
	*step = false;
	return saved[0];
}

/* Page-table updates in one exit: a1 = guest-physical address of count
 * (a2) pairs {PTE's guest-physical address, new value}.  Returns the
 * number written; shadows are flushed as a TLB flush would. */
static uint32_t hc_MMU_UPDATE(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev, (void)step;
	uint32_t list = vm->vcpu.x[A1], n = vm->vcpu.x[A2], done = 0;
	if (n > VMM_HC_MAX_BATCH)
		return VMM_HC_ERROR;
	for (; done < n; done++) {
		uint32_t where, value;
		if (!gpa_read32(vm, list + 8 * done, &where) ||
		    !gpa_read32(vm, list + 8 * done + 4, &value) ||
		    !gpa_write32(vm, where, value))
			break;
	}
	shadow_flush(vm);
	return done;
}

/* Console output: a1 = guest virtual address, a2 = length.  Each byte
 * goes to the VM's console as a store to TX would, and costs what that
 * store costs.  Returns the bytes written: fewer if the buffer runs into
 * an unmapped page, and never more than VMM_HC_MAX_BATCH, so that one
 * exit cannot run the VM's clock far past its budget; as with write(2),
 * the guest loops for the rest. */
static uint32_t hc_CONSOLE_WRITE(struct vm *vm, struct vmm_event *ev,
				 bool *step)
{
	(void)ev, (void)step;
	uint32_t va = vm->vcpu.x[A1], len = vm->vcpu.x[A2], done = 0;
	if (len > VMM_HC_MAX_BATCH)
		len = VMM_HC_MAX_BATCH;
	bool paging = vm->vcpu.cr[CR_PSW] & PSW_PG;
	for (; done < len; done++, va++) {
		uint32_t gpa = va, word;
		if (paging && guest_walk(vm, va, CAUSE_ACCESS_LOAD, false,
					 &gpa) != CAUSE_NONE)
			break;
		if (!gpa_read32(vm, gpa & ~3u, &word))
			break;
		dev_bus_store(&dev_console_ops, &vm->console, CONSOLE_TX, 4,
			      (word >> ((gpa & 3) * 8)) & 0xff);
		vm->cycles += mach_cost(COST_DEVICE); /* as a store to TX */
	}
	vm_devices_touched(vm);
	return done;
}

static uint32_t hc_IDLE(struct vm *vm, struct vmm_event *ev, bool *step)
{
	vm_wait(vm, ev); /* steps over the hcall itself */
	*step = false;
	return 0;
}

/* HC_GET_CR a1 = CR number: read any control register; HC_SET_CR a1 = CR,
 * a2 = value: write one, with the hardware's side effects. */
static uint32_t hc_GET_CR(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev, (void)step;
	uint32_t cr = vm->vcpu.x[A1];
	return cr < CR_COUNT ? vm->vcpu.cr[cr] : VMM_HC_ERROR;
}

static uint32_t hc_SET_CR(struct vm *vm, struct vmm_event *ev, bool *step)
{
	(void)ev, (void)step;
	uint32_t cr = vm->vcpu.x[A1];
	if (cr >= CR_COUNT)
		return VMM_HC_ERROR;
	vm_write_cr(vm, cr, vm->vcpu.x[A2]);
	return 0;
}

static const struct {
	const char *name;
	hcall_fn *fn;
} hypercalls[] = {
#define VMM_X_HCALL(nr, name, doc) [nr] = {#name, hc_##name},
	VMM_HYPERCALLS(VMM_X_HCALL)
#undef VMM_X_HCALL
};
#define NHYPERCALLS (sizeof hypercalls / sizeof hypercalls[0])

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
	ev->action = VMM_ACT_HYPERCALL;
	uint32_t nr = vm->vcpu.x[A0];
	vm->stats.hypercalls++;
	if (nr >= NHYPERCALLS || !hypercalls[nr].fn) {
		vm->vcpu.x[A0] = VMM_HC_ERROR;
		vm_retire(vm);
		return;
	}
	bool step = true;
	uint32_t result = hypercalls[nr].fn(vm, ev, &step);
	if (vm->state != VM_RUNNING)
		return;
	vm->vcpu.x[A0] = result;
	if (step)
		vm_retire(vm);
}
