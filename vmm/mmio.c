/*
 * mmio.c - device accesses, emulated on the VM's virtual devices.
 *
 * Device pages are never mapped in a shadow, so a guest's load or store
 * to one faults.  Like KVM's MMIO exits, the VMM then decodes the
 * faulting instruction from the exit record, performs the access on the
 * virtual device (the same device code the bare machine uses, through
 * the same width rules), writes the result register, and moves the guest
 * past the instruction.
 */
#include "internal.h"

bool mem_access_of(unsigned op, unsigned *size, bool *sign, bool *store)
{
	*sign = false, *store = false;
	switch (op) {
	case OP_LW: *size = 4; return true;
	case OP_LH: *size = 2, *sign = true; return true;
	case OP_LHU: *size = 2; return true;
	case OP_LB: *size = 1, *sign = true; return true;
	case OP_LBU: *size = 1; return true;
	case OP_SW: *size = 4, *store = true; return true;
	case OP_SH: *size = 2, *store = true; return true;
	case OP_SB: *size = 1, *store = true; return true;
	default: return false;
	}
}

enum vmm_action mmio_emulate(struct vm *vm, const struct mach_exit *exit,
			     uint32_t gpa)
{
	/* The virtual device behind gpa (vm_is_device said there is one),
	 * and the offset of the access in its page. */
	unsigned slot = (gpa - DEVICE_SPACE) >> PAGE_SHIFT;
	const struct dev_ops *ops = vm->dev_ops[slot];
	void *dev = vm->dev[slot];
	uint32_t offset = gpa & (PAGE_SIZE - 1);
/* BEGIN LAB 2: the load or store, decoded, on the virtual device */
	struct isa_insn in;
	unsigned size;
	bool sign, store;
	if (!isa_decode(exit->insn, &in) || !mem_access_of(in.op, &size, &sign, &store)) {
		vm_stop(vm, VM_FAILED, "device fault at pc 0x%08x from word "
			"0x%08x, which is no load or store", exit->pc, exit->insn);
		return VMM_ACT_HALTED;
	}
	/* The bare machine charges the access before the device sees it,
	 * so that a device reading the clock (the timer's PERIOD) sees the
	 * same cycle. */
	vm->cycles += mach_cost(COST_DEVICE);
	if (store) {
		dev_bus_store(ops, dev, offset, size, vm->vcpu.x[in.rs2]);
	} else {
		uint32_t v = dev_bus_load(ops, dev, offset, size);
		if (sign && size < 4) {
			uint32_t bit = 1u << (size * 8 - 1);
			v = (v ^ bit) - bit;
		}
		vm_set_reg(vm, in.rd, v);
	}
/* END LAB 2 */
/* STUB LAB 2
	(void)exit;
	(void)ops;
	(void)dev;
	(void)offset;
	vm_stop(vm, VM_FAILED, "lab 2: mmio_emulate (vmm/mmio.c) is not "
		"written yet: see labs/lab2-irq/README.md, section 3.1");
	return VMM_ACT_HALTED;
*/
	vm_devices_touched(vm); /* e.g. PERIOD written: a new deadline */
	vm_retire(vm);
	return VMM_ACT_MMIO;
}
