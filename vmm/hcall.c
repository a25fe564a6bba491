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

/* A hypercall, given its arguments a1 and a2: it ends with hc_return (the
 * result in a0, the guest goes on after the hcall), or moves the guest's
 * pc itself (rfe, idle) and says what it did. */
typedef enum vmm_action hcall_fn(struct vm *vm, uint32_t a1, uint32_t a2);

/* The end of most hypercalls: a0 = result, and on to the next
 * instruction, as after any instruction the guest runs. */
static enum vmm_action hc_return(struct vm *vm, uint32_t result)
{
	if (vm->state != VM_RUNNING)
		return VMM_ACT_HALTED;
	vm->vcpu.x[A0] = result;
	vm_retire(vm);
	return VMM_ACT_HYPERCALL;
}

static enum vmm_action hc_VERSION(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
	return hc_return(vm, HC_ABI_VERSION);
}

static enum vmm_action hc_GET_PSW(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
	return hc_return(vm, vm->vcpu.cr[CR_PSW]);
}

static enum vmm_action hc_SET_PSW(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a2;
	vm_write_cr(vm, CR_PSW, a1);
	return hc_return(vm, 0);
}

/* The PSW as it was; then IE = 0.  (rdpsw; andi; wrpsw in one exit.) */
static enum vmm_action hc_IRQ_SAVE_DISABLE(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
/* BEGIN LAB 5: PUSHF; CLI in one exit */
	uint32_t old = vm->vcpu.cr[CR_PSW];
	vm_write_cr(vm, CR_PSW, old & ~PSW_IE);
	return hc_return(vm, old);
/* END LAB 5 */
/* STUB LAB 5
	vm_stop(vm, VM_FAILED, "lab 5: hc_IRQ_SAVE_DISABLE (vmm/hcall.c) is not "
		"written yet: see labs/lab5-pv/README.md, section 3.1");
	return VMM_ACT_HALTED;
*/
}

static enum vmm_action hc_SET_TVEC(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a2;
	vm_write_cr(vm, CR_TVEC, a1);
	return hc_return(vm, 0);
}

static enum vmm_action hc_SET_PTBR(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a2;
	vm_write_cr(vm, CR_PTBR, a1);
	return hc_return(vm, 0);
}

static enum vmm_action hc_TLB_FLUSH(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
	shadow_flush(vm);
	return hc_return(vm, 0);
}

static enum vmm_action hc_TLB_INV(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a2;
	shadow_invalidate(vm, a1);
	return hc_return(vm, 0);
}

/*
 * rfe.  The kernel's a0-a2 hold the hypercall's number and arguments, and
 * there is no instruction after this one to put them back; so a1 names a
 * three-word save area (a guest virtual address) from which the VMM
 * reloads a0, a1, a2 as the guest returns.
 */
static enum vmm_action hc_RFE(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a2;
/* BEGIN LAB 5: rfe, and a0-a2 from the save area */
	uint32_t saved[3];
	for (int i = 0; i < 3; i++) {
		bool paging = vm->vcpu.cr[CR_PSW] & PSW_PG;
		uint32_t gpa = a1 + 4 * (uint32_t)i;
		if ((paging && guest_walk(vm, gpa, CAUSE_ACCESS_LOAD, false,
					  &gpa) != CAUSE_NONE) ||
		    !gpa_read32(vm, gpa, &saved[i]))
			return hc_return(vm, VMM_HC_ERROR);
	}
	for (int i = 0; i < 3; i++)
		vm->vcpu.x[A0 + i] = saved[i];
	vm_rfe(vm);
	return VMM_ACT_HYPERCALL;
/* END LAB 5 */
/* STUB LAB 5
	(void)a1;
	vm_stop(vm, VM_FAILED, "lab 5: hc_RFE (vmm/hcall.c) is not "
		"written yet: see labs/lab5-pv/README.md, section 3.3");
	return VMM_ACT_HALTED;
*/
}

/* Page-table updates in one exit: a1 = guest-physical address of count
 * (a2) pairs {PTE's guest-physical address, new value}.  Returns the
 * number written; shadows are flushed as a TLB flush would. */
static enum vmm_action hc_MMU_UPDATE(struct vm *vm, uint32_t a1, uint32_t a2)
{
/* BEGIN LAB 5: a batch of PTE writes, then the flush */
	uint32_t list = a1, n = a2, done = 0;
	if (n > VMM_HC_MAX_BATCH)
		return hc_return(vm, VMM_HC_ERROR);
	for (; done < n; done++) {
		uint32_t where, value;
		if (!gpa_read32(vm, list + 8 * done, &where) ||
		    !gpa_read32(vm, list + 8 * done + 4, &value) ||
		    !gpa_write32(vm, where, value))
			break;
	}
	shadow_flush(vm);
	return hc_return(vm, done);
/* END LAB 5 */
/* STUB LAB 5
	(void)a1, (void)a2;
	vm_stop(vm, VM_FAILED, "lab 5: hc_MMU_UPDATE (vmm/hcall.c) is not "
		"written yet: see labs/lab5-pv/README.md, section 3.4");
	return VMM_ACT_HALTED;
*/
}

/* Console output: a1 = guest virtual address, a2 = length.  Each byte
 * goes to the VM's console as a store to TX would, and costs what that
 * store costs.  Returns the bytes written: fewer if the buffer runs into
 * an unmapped page, and never more than VMM_HC_MAX_BATCH, so that one
 * exit cannot run the VM's clock far past its budget; as with write(2),
 * the guest loops for the rest. */
static enum vmm_action hc_CONSOLE_WRITE(struct vm *vm, uint32_t a1, uint32_t a2)
{
	uint32_t done = 0;
/* BEGIN LAB 5: print a guest buffer, as stores to TX would */
	uint32_t va = a1, len = a2;
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
/* END LAB 5 */
/* STUB LAB 5
	(void)a1, (void)a2;
	vm_stop(vm, VM_FAILED, "lab 5: hc_CONSOLE_WRITE (vmm/hcall.c) is not "
		"written yet: see labs/lab5-pv/README.md, section 3.5");
	return VMM_ACT_HALTED;
*/
	vm_devices_touched(vm); /* a device was accessed: as mmio.c does */
	return hc_return(vm, done);
}

/* wfi: a0 is left as it is; vm_wait steps over the hcall itself. */
static enum vmm_action hc_IDLE(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
	return vm_wait(vm);
}

/* HC_GET_CR a1 = CR number: read any control register; HC_SET_CR a1 = CR,
 * a2 = value: write one, with the hardware's side effects. */
static enum vmm_action hc_GET_CR(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a2;
/* BEGIN LAB 5: read any control register */
	return hc_return(vm, a1 < CR_COUNT ? vm->vcpu.cr[a1] : VMM_HC_ERROR);
/* END LAB 5 */
/* STUB LAB 5
	(void)a1;
	vm_stop(vm, VM_FAILED, "lab 5: hc_GET_CR (vmm/hcall.c) is not "
		"written yet: see labs/lab5-pv/README.md, section 3.2");
	return VMM_ACT_HALTED;
*/
}

static enum vmm_action hc_SET_CR(struct vm *vm, uint32_t a1, uint32_t a2)
{
/* BEGIN LAB 5: write any control register, with its side effects */
	if (a1 >= CR_COUNT)
		return hc_return(vm, VMM_HC_ERROR);
	vm_write_cr(vm, a1, a2);
	return hc_return(vm, 0);
/* END LAB 5 */
/* STUB LAB 5
	(void)a1, (void)a2;
	vm_stop(vm, VM_FAILED, "lab 5: hc_SET_CR (vmm/hcall.c) is not "
		"written yet: see labs/lab5-pv/README.md, section 3.2");
	return VMM_ACT_HALTED;
*/
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

enum vmm_action hypercall(struct vm *vm, const struct mach_exit *exit)
{
	if (vm_user(vm))
		return reflect_trap(vm, CAUSE_ILLEGAL, exit->pc, 0);
	uint32_t nr = vm->vcpu.x[A0];
	vm->stats.hypercalls++;
	if (nr >= NHYPERCALLS || !hypercalls[nr].fn)
		return hc_return(vm, VMM_HC_ERROR);
	return hypercalls[nr].fn(vm, vm->vcpu.x[A1], vm->vcpu.x[A2]);
}
