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

/* 2: the shared page, HC_IRET and HC_IRQ_UNMASK (Xen's way, below); every
 * call of version 1 is still there and does what it did. */
#define HC_ABI_VERSION 2u

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

/* ---- ABI 2: the shared page ------------------------------------------------------------ */

/*
 * Xen's guests avoid most exits by sharing memory with the hypervisor.
 * Here each vCPU may register one page of its RAM (VMM_SHARED_LAYOUT in
 * vmm.h): the VMM writes a trap's frame there as it delivers the trap
 * straight to the guest's registered entry (reflect.c, pv_deliver), and
 * the page's MASK word is the virtual interrupt enable, which the guest
 * sets and clears with stores.  So a trap costs the guest one exit, its
 * entry and the reading of its frame none, and its return one (HC_IRET).
 */

bool pv_shared_read(struct vm *vm, uint32_t offset, uint32_t *value)
{
	return vm->pv_shared && gpa_read32(vm, vm->pv_shared_gpa + offset, value);
}

bool pv_shared_write(struct vm *vm, uint32_t offset, uint32_t value)
{
	return vm->pv_shared && gpa_write32(vm, vm->pv_shared_gpa + offset, value);
}

/* A page the VMM may write frames into: page aligned, all of it the VM's
 * RAM, no device's page.  The guest cannot move it later: the GPA is
 * physical, so no remapping of its page tables changes where the VMM
 * writes, and every write goes through gpa_to_hpa all the same. */
static bool shared_page_ok(struct vm *vm, uint32_t gpa)
{
	uint32_t hpa;
	return (gpa & (PAGE_SIZE - 1)) == 0 &&
	       (uint64_t)gpa + PAGE_SIZE <= vm->mem &&
	       !vm_is_device(vm, gpa) && gpa_to_hpa(vm, gpa, &hpa);
}

/* HC_REGISTER_SHARED a1 = the page's GPA, a2 = the trap entry's VA (word
 * aligned).  Once registered, traps and interrupts are delivered there;
 * the page's MASK starts as the PSW's IE says, PENDING as 0.  A bad
 * argument is VMM_HC_ERROR and changes nothing (an earlier registration
 * stays). */
static enum vmm_action hc_REGISTER_SHARED(struct vm *vm, uint32_t a1, uint32_t a2)
{
	if (!shared_page_ok(vm, a1) || (a2 & 3))
		return hc_return(vm, VMM_HC_ERROR);
	bool was = vm->pv_shared;
	uint32_t old = vm->pv_shared_gpa;
	vm->pv_shared = true;
	vm->pv_shared_gpa = a1;
	if (!pv_shared_write(vm, VMM_SHARED_MASK,
			     vm->vcpu.cr[CR_PSW] & PSW_IE ? 0 : 1) ||
	    !pv_shared_write(vm, VMM_SHARED_PENDING, 0)) {
		vm->pv_shared = was, vm->pv_shared_gpa = old;
		return hc_return(vm, VMM_HC_ERROR);
	}
	vm->pv_entry = a2;
	vm->vcpu.cr[CR_PSW] &= ~PSW_IE; /* MASK is the virtual IE now */
	return hc_return(vm, 0);
}

/*
 * HC_IRET: rfe from the shared page.  PSW <- EPSW (MODE, PG; IE becomes
 * MASK = 0 or 1), pc <- EPC, and a0 <- the page's A0 word: the kernel
 * needed a0 for the hypercall's number and has no instruction after this
 * one to put it back.  The cost of rfe, as vm_rfe charges it.  Without a
 * shared page: VMM_HC_ERROR.
 */
static enum vmm_action hc_IRET(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
	uint32_t epc, epsw, a0;
	if (!pv_shared_read(vm, VMM_SHARED_EPC, &epc) ||
	    !pv_shared_read(vm, VMM_SHARED_EPSW, &epsw) ||
	    !pv_shared_read(vm, VMM_SHARED_A0, &a0) ||
	    !pv_shared_write(vm, VMM_SHARED_MASK, epsw & PSW_IE ? 0 : 1))
		return hc_return(vm, VMM_HC_ERROR);
	vm->vcpu.cr[CR_EPC] = epc;
	vm->vcpu.cr[CR_EPSW] = epsw & ~PSW_IE;
	vm->vcpu.x[A0] = a0;
	vm_rfe(vm);
	return VMM_ACT_HYPERCALL;
}

/* HC_IRQ_UNMASK: MASK = 0.  A guest that clears MASK with a store and
 * then finds PENDING set makes this call (Xen forces its event callback
 * the same way): the exit lets the VMM deliver the interrupt at the
 * boundary right after the hcall.  Without a shared page: VMM_HC_ERROR. */
static enum vmm_action hc_IRQ_UNMASK(struct vm *vm, uint32_t a1, uint32_t a2)
{
	(void)a1, (void)a2;
	if (!pv_shared_write(vm, VMM_SHARED_MASK, 0))
		return hc_return(vm, VMM_HC_ERROR);
	return hc_return(vm, 0);
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
