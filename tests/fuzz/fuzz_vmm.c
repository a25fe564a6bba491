/*
 * fuzz_vmm.c - libFuzzer harness for the VMM (vmm/), on random images.
 *
 * Input layout (a 4-byte header, then the code):
 *   byte 0   flags: bit 0 two VMs (the second runs the same image),
 *            bit 1 leaky machine, bit 2 --patch, bit 3 compare a
 *            one-VM run with the bare machine, bit 4 the same in
 *            lockstep
 *   byte 1   quantum = 200 + byte1 * 64 instructions (small: many world
 *            switches)
 *   byte 2-3 unused (kept for the machine harness's layout: its seeds
 *            work here)
 *   rest     one .text segment at 0x1000 (R|W|X), entry 0x1000, in a VM
 *            of 64 KiB
 * Each VM runs for at most MAX_CYCLES cycles of its own clock, with a disk
 * of its own (fuzz_disk: FUZZ_DISK_SECTORS sectors, the same at every
 * run); the bare machine it is compared with has the same disk.
 *
 * Checked, besides "no crash, no sanitizer report": every VM ends in a
 * defined state that is not VM_FAILED ("the VMM met an exit it cannot
 * handle": a VMM bug, not the guest's), neighbours print the same bytes
 * as a VM alone (isolation), and with flag bit 3, in every mode where
 * the VMM claims equivalence (clean, with or without --patch, and leaky
 * with --patch; leaky without it is the lesson in how that breaks), the
 * VM prints what the bare machine prints in as many cycles (a prefix
 * of it, at the end of the budget, since the two stop at the nearest
 * instruction boundary), with the same exit status when both halt --
 * unless the VM made a hypercall: hcall in supervisor mode is the one
 * instruction whose meaning differs by contract (illegal on the bare
 * machine); or touched the paravirtual block device's page, the one
 * device only a VM has (a BUS_ERROR on the bare machine).
 *
 * With flag bit 4 in those modes, a VM and the bare machine also run
 * side by side, one guest step at a time (vmm_step, mach_step: what
 * `trapeze run --lockstep` does, with its comparison: tools/lockstep.c),
 * for at most LOCKSTEP_STEPS steps; after each, registers, pc, control
 * registers, clock, instructions retired and output must be equal, and
 * at the end all of memory.  The comparison ends at the first hypercall
 * or paravirtual block device access, as above.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../machine/machine.h"
#include "../../tools/commands.h"
#include "../../vmm/vmm.h"
#include "fuzz.h"

#define HEADER 4u
#define VM_MEM 0x10000u
#define LOAD_AT 0x1000u
#define MAX_CYCLES 20000u
#define OUT_MAX 2048u
#define LOCKSTEP_STEPS 4000u

enum {
	F_TWO = 1u << 0,
	F_LEAKY = 1u << 1,
	F_PATCH = 1u << 2,
	F_NATIVE = 1u << 3,
	F_LOCKSTEP = 1u << 4,
};

struct output {
	uint8_t bytes[2][OUT_MAX];
	uint32_t len[2];
};

static void vm_out(void *ctx, int vm, uint8_t byte)
{
	struct output *o = ctx;
	if (vm < 0 || vm > 1)
		fuzz_fail("output from vm%d of at most 2", vm);
	if (o->len[vm] < OUT_MAX)
		o->bytes[vm][o->len[vm]++] = byte;
}

static void native_out(void *ctx, uint8_t byte)
{
	vm_out(ctx, 0, byte);
}

struct result {
	enum vm_state state[2];
	uint32_t status[2];
	uint64_t hypercalls[2];
	uint64_t vblk_accesses[2]; /* the paravirtual block device: VMs only */
};

/* Runs nvms copies of img under a VMM; fills *r and *out. */
static void run_vmm(const struct elf_image *img, int nvms, uint8_t flags,
		    uint64_t quantum, struct output *out, struct result *r)
{
	const uint32_t mems[2] = {VM_MEM, VM_MEM};
	struct vmm_config cfg = {.leaky = flags & F_LEAKY,
				 .patch = flags & F_PATCH,
				 .quantum = quantum,
				 .max_cycles = MAX_CYCLES,
				 .output = vm_out,
				 .output_ctx = out,
				 .host_ram = vmm_host_ram_for(mems, nvms)};
	struct vmm *v = vmm_new(&cfg);
	if (!v)
		fuzz_fail("vmm_new failed");
	for (int i = 0; i < nvms; i++) {
		struct vm_config vc = {.image = img, .mem = VM_MEM,
				       .disk = fuzz_disk(i)};
		char err[256];
		if (vmm_add_vm(v, &vc, err, sizeof err) != i)
			fuzz_fail("vmm_add_vm refused vm%d: %s", i, err);
	}
	vmm_run(v);
	if (vmm_vm_count(v) != nvms)
		fuzz_fail("%d VMs added, %d counted", nvms, vmm_vm_count(v));
	for (int i = 0; i < nvms; i++) {
		r->state[i] = vmm_vm_state(v, i);
		r->status[i] = vmm_vm_status(v, i);
		if (r->state[i] == VM_RUNNING || r->state[i] == VM_FAILED)
			fuzz_fail("vm%d ended %s: %s", i,
				  vmm_vm_state_name(r->state[i]),
				  vmm_vm_reason(v, i) ? vmm_vm_reason(v, i) : "");
		struct vmm_vm_stats st;
		vmm_vm_stats(v, i, &st);
		r->hypercalls[i] = st.hypercalls;
		r->vblk_accesses[i] = st.vblk_accesses;
		/* The clock stops at the first instruction boundary at or past
		 * the budget; the costliest instruction is a hypercall that
		 * prints VMM_HC_MAX_BATCH bytes. */
		if (st.guest_cycles > MAX_CYCLES + 64 +
		    VMM_HC_MAX_BATCH * mach_cost(COST_DEVICE))
			fuzz_fail("vm%d ran %llu cycles, past max_cycles %u", i,
				  (unsigned long long)st.guest_cycles, MAX_CYCLES);
	}
	vmm_free(v);
}

/* The bare machine on the same image and budget: its output and stop. */
static enum mach_stop run_native(const struct elf_image *img, bool leaky,
				 struct output *out, uint32_t *status)
{
	struct mach_config mc = {.ram_size = VM_MEM, .leaky = leaky};
	struct machine *m = mach_new(&mc);
	char err[256];
	if (!m || mach_load_image(m, img, err, sizeof err) != 0 ||
	    dev_disk_attach(mach_disk(m), fuzz_disk(0), err, sizeof err))
		fuzz_fail("the bare machine cannot boot the image");
	dev_console_set_output(mach_console(m), native_out, out);
	enum mach_stop stop = mach_run(m, MAX_CYCLES);
	*status = mach_exit_status(m);
	mach_free(m);
	return stop;
}

/* Does the VMM claim, in this mode, that a VM and the bare machine agree? */
static bool equivalent_mode(uint8_t flags)
{
	return !(flags & F_LEAKY) || (flags & F_PATCH);
}

/* The bare machine and a VM, one guest step at a time (see the top). */
static void run_lockstep(const struct elf_image *img, uint8_t flags,
			 uint64_t quantum, struct output *out)
{
	struct mach_config mc = {.ram_size = VM_MEM, .leaky = flags & F_LEAKY};
	struct machine *m = mach_new(&mc);
	const uint32_t mem = VM_MEM;
	struct vmm_config cfg = {.leaky = flags & F_LEAKY,
				 .patch = flags & F_PATCH,
				 .quantum = quantum,
				 .output = vm_out,
				 .output_ctx = &out[1],
				 .host_ram = vmm_host_ram_for(&mem, 1)};
	struct vmm *v = vmm_new(&cfg);
	struct vm_config vc = {.image = img, .mem = VM_MEM, .disk = fuzz_disk(1)};
	char err[256];
	if (!m || !v || mach_load_image(m, img, err, sizeof err) != 0 ||
	    dev_disk_attach(mach_disk(m), fuzz_disk(0), err, sizeof err) ||
	    vmm_add_vm(v, &vc, err, sizeof err) != 0)
		fuzz_fail("cannot make the lockstep pair");
	dev_console_set_output(mach_console(m), native_out, &out[0]);
	for (unsigned step = 1; step <= LOCKSTEP_STEPS; step++) {
		bool native_done = mach_step(m) != MACH_STOP_BUDGET;
		bool vm_done = vmm_step(v, 0) != 0;
		struct vmm_vm_stats st;
		vmm_vm_stats(v, 0, &st);
		if (st.hypercalls || st.vblk_accesses)
			break;
		char buf[64];
		const char *what = lockstep_difference(m, v, 0, buf, sizeof buf);
		if (what) {
			lockstep_print_states(m, v, 0);
			fuzz_fail("lockstep: step %u: %s differs", step, what);
		}
		if (out[0].len[0] != out[1].len[0] ||
		    memcmp(out[0].bytes[0], out[1].bytes[0], out[0].len[0]))
			fuzz_fail("lockstep: step %u: other output", step);
		if (native_done != vm_done)
			fuzz_fail("lockstep: step %u: the %s stopped alone", step,
				  native_done ? "bare machine" : "VM");
		if (native_done)
			break;
	}
	int64_t at = lockstep_memory_difference(m, v, 0, VM_MEM);
	if (at >= 0)
		fuzz_fail("lockstep: memory differs at 0x%08llx at the end",
			  (unsigned long long)at);
	vmm_free(v);
	mach_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER + 4)
		return 0;
	uint8_t flags = data[0];
	size_t len = size - HEADER;
	if (len > VM_MEM - LOAD_AT)
		len = VM_MEM - LOAD_AT;
	struct elf_segment seg = {.name = ".text",
				  .addr = LOAD_AT,
				  .size = (uint32_t)len,
				  .filesz = (uint32_t)len,
				  .flags = ELF_SEG_R | ELF_SEG_W | ELF_SEG_X,
				  .data = (uint8_t *)(data + HEADER)};
	struct elf_image img = {.entry = LOAD_AT, .segments = &seg,
				.nsegments = 1};
	uint64_t quantum = 200 + (uint64_t)data[1] * 64;

	struct output *out = calloc(5, sizeof *out);
	if (!out)
		return 0;
	struct result one, two;
	run_vmm(&img, 1, flags, quantum, &out[0], &one);
	if (flags & F_TWO) {
		run_vmm(&img, 2, flags, quantum, &out[1], &two);
		/* Isolation: each neighbour prints what it prints alone. */
		for (int i = 0; i < 2; i++) {
			if (two.state[i] != one.state[0] ||
			    (one.state[0] == VM_HALTED &&
			     two.status[i] != one.status[0]))
				fuzz_fail("vm%d of 2 ended %s (status %u), alone %s "
					  "(status %u)", i,
					  vmm_vm_state_name(two.state[i]),
					  two.status[i],
					  vmm_vm_state_name(one.state[0]),
					  one.status[0]);
			if (out[1].len[i] != out[0].len[0] ||
			    memcmp(out[1].bytes[i], out[0].bytes[0], out[0].len[0]))
				fuzz_fail("vm%d of 2 printed %u bytes, alone %u, "
					  "or other bytes", i, out[1].len[i],
					  out[0].len[0]);
		}
	}
	if ((flags & F_NATIVE) && equivalent_mode(flags) &&
	    one.hypercalls[0] == 0 && one.vblk_accesses[0] == 0) {
		uint32_t status = 0;
		enum mach_stop stop = run_native(&img, flags & F_LEAKY, &out[2],
						 &status);
		uint32_t n = out[0].len[0], b = out[2].len[0];
		bool both_halted = stop == MACH_STOP_HALT && one.state[0] == VM_HALTED;
		if (both_halted && (status != one.status[0] || n != b))
			fuzz_fail("bare machine halted with %u after %u bytes, "
				  "the VM with %u after %u bytes", status, b,
				  one.status[0], n);
		uint32_t common = n < b ? n : b;
		if (memcmp(out[0].bytes[0], out[2].bytes[0], common))
			fuzz_fail("the VM and the bare machine print other bytes");
	}
	if ((flags & F_LOCKSTEP) && equivalent_mode(flags))
		run_lockstep(&img, flags, quantum, &out[3]);
	free(out);
	return 0;
}
