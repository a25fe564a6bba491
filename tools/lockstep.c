/*
 * lockstep.c - `trapeze run --lockstep`: the bare machine and the VMM, side
 * by side, one guest step at a time.
 *
 * For debugging a divergence (a difference the differential tests found):
 * the same image boots on a bare machine and as a VM.  After every step --
 * one instruction retired, or one trap or interrupt taken -- everything
 * the guest can see is compared: registers, pc, control registers, the
 * clock, the console output so far, and (every few thousand steps and at
 * the end) all of its memory.  The first difference stops the run with
 * both states printed side by side.  So does a hypercall, the one
 * difference by design (said so, with exit status 0).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../machine/machine.h"
#include "../vmm/vmm.h"
#include "commands.h"

#define MEMORY_CHECK_EVERY 4096

struct output {
	uint8_t *bytes;
	size_t len, cap;
};

static void append(struct output *o, uint8_t byte)
{
	if (o->len == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 4096;
		uint8_t *p = realloc(o->bytes, cap);
		if (!p)
			return; /* the comparison of lengths will say so */
		o->bytes = p, o->cap = cap;
	}
	o->bytes[o->len++] = byte;
}

static void native_out(void *ctx, uint8_t byte)
{
	append(ctx, byte);
}

static void vm_out(void *ctx, int vm, uint8_t byte)
{
	(void)vm;
	append(ctx, byte);
}

/* The guest-visible state of either side, in one shape. */
struct state {
	uint32_t x[ISA_NREGS], pc, cr[CR_COUNT];
	uint64_t cycles, instret;
};

static void native_state(struct machine *m, struct state *s)
{
	const struct cpu *c = mach_cpu(m);
	memcpy(s->x, c->x, sizeof s->x);
	s->pc = c->pc;
	memcpy(s->cr, c->cr, sizeof s->cr);
	s->cycles = mach_cycles(m);
	s->instret = mach_instret(m);
}

static void vm_state(struct vmm *v, int vm, struct state *s)
{
	struct vmm_vcpu_state st;
	vmm_vm_vcpu(v, vm, &st);
	memcpy(s->x, st.x, sizeof s->x);
	s->pc = st.pc;
	memcpy(s->cr, st.cr, sizeof s->cr);
	s->cycles = st.cycles;
	s->instret = st.instret;
}

const char *lockstep_difference(struct machine *m, struct vmm *v, int vm,
				char *buf, size_t size)
{
	struct state a, b;
	native_state(m, &a);
	vm_state(v, vm, &b);
	if (a.pc != b.pc)
		return "pc";
	for (int r = 1; r < ISA_NREGS; r++)
		if (a.x[r] != b.x[r]) {
			snprintf(buf, size, "register %s", isa_reg_name((unsigned)r));
			return buf;
		}
	for (unsigned cr = 0; cr < CR_COUNT; cr++)
		if (a.cr[cr] != b.cr[cr]) {
			snprintf(buf, size, "control register %s", isa_cr_name(cr));
			return buf;
		}
	if (a.instret != b.instret)
		return "instructions retired";
	if (a.cycles != b.cycles)
		return "the clock (cycles)";
	return NULL;
}

void lockstep_print_states(struct machine *m, struct vmm *v, int vm)
{
	struct state a, b;
	native_state(m, &a);
	vm_state(v, vm, &b);
	fprintf(stderr, "  %-10s %-12s %-12s\n", "", "bare machine", "VMM");
	fprintf(stderr, "  %-10s 0x%08" PRIx32 "   0x%08" PRIx32 "%s\n", "pc",
		a.pc, b.pc, a.pc != b.pc ? "   <--" : "");
	for (int r = 1; r < ISA_NREGS; r++)
		fprintf(stderr, "  %-10s 0x%08" PRIx32 "   0x%08" PRIx32 "%s\n",
			isa_reg_name((unsigned)r), a.x[r], b.x[r],
			a.x[r] != b.x[r] ? "   <--" : "");
	for (unsigned cr = 0; cr < CR_COUNT; cr++)
		fprintf(stderr, "  %-10s 0x%08" PRIx32 "   0x%08" PRIx32 "%s\n",
			isa_cr_name(cr), a.cr[cr], b.cr[cr],
			a.cr[cr] != b.cr[cr] ? "   <--" : "");
	fprintf(stderr, "  %-10s %-12" PRIu64 " %-12" PRIu64 "%s\n", "cycles",
		a.cycles, b.cycles, a.cycles != b.cycles ? " <--" : "");
	fprintf(stderr, "  %-10s %-12" PRIu64 " %-12" PRIu64 "%s\n", "retired",
		a.instret, b.instret, a.instret != b.instret ? " <--" : "");
}

int64_t lockstep_memory_difference(struct machine *m, struct vmm *v, int vm,
				   uint32_t mem)
{
	static uint8_t a[PAGE_SIZE], b[PAGE_SIZE];
	for (uint32_t pa = 0; pa < mem; pa += PAGE_SIZE) {
		if (!mach_phys_read(m, pa, a, PAGE_SIZE) ||
		    !vmm_vm_read(v, vm, pa, b, PAGE_SIZE))
			return pa;
		if (memcmp(a, b, PAGE_SIZE) != 0)
			for (uint32_t i = 0; i < PAGE_SIZE; i++)
				if (a[i] != b[i])
					return pa + i;
	}
	return -1;
}

static uint64_t hypercalls(const struct vmm *v)
{
	struct vmm_vm_stats st;
	vmm_vm_stats(v, 0, &st);
	return st.hypercalls;
}

/* Accesses to the paravirtual block device, which only a VM has. */
static uint64_t vblk_accesses(const struct vmm *v)
{
	struct vmm_vm_stats st;
	vmm_vm_stats(v, 0, &st);
	return st.vblk_accesses;
}

int lockstep_run(const struct elf_image *img, const struct lockstep_options *o)
{
	char err[256];
	struct output nout = {0}, vout = {0};
	struct mach_config mc = {.ram_size = o->mem, .leaky = o->leaky};
	struct machine *m = mach_new(&mc);
	struct vmm_config vc = {.leaky = o->leaky, .patch = o->patch,
				.assist = o->assist,
				.hybrid = o->hybrid,
				.output = vm_out, .output_ctx = &vout,
				.host_ram = vmm_host_ram_for(&o->mem, 1)};
	struct vmm *v = vmm_new(&vc);
	int rc = EXIT_LOAD_FAILED;
	if (!m || !v) {
		fprintf(stderr, "trapeze run: no memory for the lockstep machines\n");
		goto out;
	}
	struct vm_config vmc = {.image = img, .mem = o->mem, .disk = o->disk};
	if (mach_load_image(m, img, err, sizeof err) != 0 ||
	    (o->disk && dev_disk_attach(mach_disk(m), o->disk, err, sizeof err)) ||
	    vmm_add_vm(v, &vmc, err, sizeof err) < 0) {
		fprintf(stderr, "trapeze run: %s\n", err);
		goto out;
	}
	dev_console_set_output(mach_console(m), native_out, &nout);

	uint64_t steps = 0;
	rc = 0;
	for (;;) {
		enum mach_stop stop = mach_step(m);
		int vstop = vmm_step(v, 0);
		steps++;
		bool native_done = stop != MACH_STOP_BUDGET;
		bool vm_done = vstop != 0;
		if (hypercalls(v) > 0) {
			/* hcall in supervisor mode: a hypercall for the VMM, an
			 * illegal instruction for the bare machine, by design */
			fprintf(stderr, "lockstep: the bare machine and the VMM "
					"agree up to step %" PRIu64 ", a hypercall, "
					"which only a VMM serves (on the bare "
					"machine hcall is illegal); the comparison "
					"ends there\n", steps);
			break;
		}
		if (vblk_accesses(v) > 0) {
			/* the same for the VM's paravirtual block device: its
			 * page is empty device space on the bare machine */
			fprintf(stderr, "lockstep: the bare machine and the VMM "
					"agree up to step %" PRIu64 ", an access to "
					"the paravirtual block device, which only a "
					"VM has (on the bare machine its page is a "
					"BUS_ERROR); the comparison ends there\n",
				steps);
			break;
		}

		char buf[64];
		const char *what = lockstep_difference(m, v, 0, buf, sizeof buf);
		if (!what && (nout.len != vout.len ||
			      (nout.len && memcmp(nout.bytes, vout.bytes, nout.len))))
			what = "the console output";
		if (!what && native_done != vm_done)
			what = native_done ? "the bare machine stopped, the VM did not"
					   : "the VM stopped, the bare machine did not";
		if (!what && (native_done || steps % MEMORY_CHECK_EVERY == 0)) {
			int64_t at = lockstep_memory_difference(m, v, 0, o->mem);
			if (at >= 0) {
				snprintf(buf, sizeof buf, "memory at 0x%08" PRIx64,
					 (uint64_t)at);
				what = buf;
			}
		}
		if (what) {
			fprintf(stderr, "lockstep: the two differ after %" PRIu64
					" steps: %s\n", steps, what);
			lockstep_print_states(m, v, 0);
			rc = 1;
			break;
		}
		if (native_done || steps >= o->max_steps) {
			fprintf(stderr, "lockstep: %" PRIu64 " steps, the bare machine "
					"and the VMM agree at every one\n", steps);
			if (stop == MACH_STOP_HALT)
				rc = (int)(mach_exit_status(m) & 0xff);
			break;
		}
	}
	if (nout.len)
		fwrite(nout.bytes, 1, nout.len, stdout);
out:
	free(nout.bytes);
	free(vout.bytes);
	vmm_free(v);
	mach_free(m);
	return rc;
}
