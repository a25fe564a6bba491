/*
 * fuzz_machine.c - libFuzzer harness for the bare machine (machine/):
 * random memory images run for a bounded number of cycles.
 *
 * Input layout (a 4-byte header, then the image):
 *   byte 0   flags: bit 0 leaky mode, bit 1 monitor mode, bit 2 set TVEC,
 *            bit 3 paging on (PSW.PG, PTBR below), bit 4 start in user
 *            mode, bit 5 interrupts on (PSW.IE), bit 6 also run a second
 *            machine with mach_step and compare, bit 7 a breakpoint at
 *            the TVEC value
 *   byte 1   PTBR = 0x1000 + (byte1 % 16) * 4 KiB
 *   byte 2-3 TVEC = 0x1000 + (le16 & 0xfffc)
 *   rest     copied to RAM at 0x1000 (64 KiB of RAM; at most 60 KiB used);
 *            pc = 0x1000
 * A disk of FUZZ_DISK_SECTORS sectors is attached, the same at every
 * run (fuzz_disk).  The machine runs for BUDGET cycles.  In monitor mode the harness plays
 * a minimal host supervisor: after an exception exit it skips the
 * instruction, after an interrupt exit it clears PSW.IE, and goes on.
 *
 * Checked, besides "no crash, no sanitizer report": r0 reads 0, PSW holds
 * only its defined bits, no more instructions retired than cycles spent,
 * the budget is not overrun by more than one instruction's worth; and
 * with flag bit 6, that running the machine in batches (mach_run) and one
 * instruction at a time (mach_step) end in the same state: registers,
 * control registers, clock, RAM and console output.  The batch path has
 * fast paths (decoded-code cache, TLB-backed fast access) that mach_step
 * must agree with.
 *
 * One step may overrun the budget by far: mach_step completes a wfi
 * however long it waits (machine.h).  The stepped machine runs first;
 * when its last step was such a wfi, the batch machine runs on to the
 * same clock, where the two must again agree.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../machine/machine.h"
#include "fuzz.h"

#define HEADER 4u
#define RAM_SIZE 0x10000u
#define LOAD_AT 0x1000u
#define BUDGET 20000u
#define MAX_EXITS 2000   /* monitor-mode exits served per run */
#define OUT_MAX 4096u    /* console bytes kept for comparison */
/* The most one instruction can cost: itself, mul/div, a device access,
 * a trap entry (ISA.md's cost table), with room to spare. */
#define MAX_INSN_CYCLES 64u

enum {
	F_LEAKY = 1u << 0,
	F_MONITOR = 1u << 1,
	F_TVEC = 1u << 2,
	F_PAGING = 1u << 3,
	F_USER = 1u << 4,
	F_IE = 1u << 5,
	F_COMPARE = 1u << 6,
	F_BREAK = 1u << 7,
};

struct output {
	uint8_t bytes[OUT_MAX];
	uint32_t len;   /* kept */
	uint64_t total; /* written */
};

static void capture(void *ctx, uint8_t byte)
{
	struct output *o = ctx;
	if (o->len < OUT_MAX)
		o->bytes[o->len++] = byte;
	o->total++;
}

/* A machine booted from the input as the header says, with disk
 * fuzz_disk(disk). */
static struct machine *boot(const uint8_t *data, size_t size,
			    struct output *out, bool breakpoint, int disk)
{
	uint8_t flags = data[0];
	struct mach_config cfg = {.ram_size = RAM_SIZE,
				  .leaky = flags & F_LEAKY,
				  .monitor = flags & F_MONITOR};
	struct machine *m = mach_new(&cfg);
	if (!m)
		fuzz_fail("mach_new refused a valid configuration");
	size_t len = size - HEADER;
	if (len > RAM_SIZE - LOAD_AT)
		len = RAM_SIZE - LOAD_AT;
	if (!mach_phys_write(m, LOAD_AT, data + HEADER, (uint32_t)len))
		fuzz_fail("mach_phys_write refused %zu bytes at 0x%x", len,
			  LOAD_AT);
	dev_console_set_output(mach_console(m), capture, out);
	char err[256];
	if (dev_disk_attach(mach_disk(m), fuzz_disk(disk), err, sizeof err))
		fuzz_fail("the disk cannot be attached: %s", err);
	uint32_t tvec = LOAD_AT + ((data[2] | (uint32_t)data[3] << 8) & 0xfffcu);
	if (flags & F_TVEC)
		mach_set_cr(m, CR_TVEC, tvec);
	if (flags & F_PAGING)
		mach_set_cr(m, CR_PTBR, LOAD_AT + (data[1] % 16u) * PAGE_SIZE);
	uint32_t psw = PSW_MODE;
	if (flags & F_USER)
		psw = 0;
	if (flags & F_PAGING)
		psw |= PSW_PG;
	if (flags & F_IE)
		psw |= PSW_IE;
	mach_set_cr(m, CR_PSW, psw);
	mach_cpu(m)->pc = LOAD_AT;
	if (breakpoint && !mach_add_breakpoint(m, tvec))
		fuzz_fail("cannot add a breakpoint to a new machine");
	return m;
}

/* Is the instruction at pc, as m would fetch it now, a wfi? */
static bool wfi_at(struct machine *m, uint32_t pc)
{
	uint32_t pa, word;
	struct isa_insn in;
	return mach_translate(m, pc, CAUSE_ACCESS_FETCH, &pa) == CAUSE_NONE &&
	       mach_phys_read(m, pa, &word, 4) && isa_decode(word, &in) &&
	       in.op == OP_WFI;
}

/* The harness as a minimal host supervisor (monitor mode): after an
 * exception exit it skips the instruction, after an interrupt exit it
 * clears PSW.IE.  Returns false once it has served MAX_EXITS. */
static bool serve_exit(struct machine *m, int *exits)
{
	if (++*exits > MAX_EXITS)
		return false;
	const struct mach_exit *e = mach_exit(m);
	struct cpu *c = mach_cpu(m);
	if (e->cause & CAUSE_INTERRUPT)
		mach_set_cr(m, CR_PSW, c->cr[CR_PSW] & ~PSW_IE);
	else
		c->pc = e->pc + 4;
	return true;
}

/* Runs m until end cycles have passed or it stops for good, in batches
 * or one instruction at a time.  Returns the last stop; *long_wfi tells
 * whether a step was a wfi that ran past the end. */
static enum mach_stop drive(struct machine *m, bool step, uint64_t end,
			    bool *long_wfi)
{
	enum mach_stop stop;
	int exits = 0;
	*long_wfi = false;
	while (mach_cycles(m) < end) {
		uint32_t pc = mach_cpu(m)->pc;
		stop = step ? mach_step(m) : mach_run(m, end - mach_cycles(m));
		if (step && mach_cycles(m) > end + MAX_INSN_CYCLES) {
			/* wfi does not change the mapping of pc */
			if (!wfi_at(m, pc))
				fuzz_fail("mach_step at 0x%x, not a wfi, ran to "
					  "cycle %llu", pc,
					  (unsigned long long)mach_cycles(m));
			*long_wfi = true;
		}
		if (stop == MACH_STOP_EXIT) {
			if (!serve_exit(m, &exits))
				return stop;
		} else if (stop != MACH_STOP_BUDGET &&
			   stop != MACH_STOP_BREAKPOINT) {
			return stop; /* mach_run goes past a breakpoint when
				      * called again */
		}
	}
	/* End where mach_run ends: between batches, with what is pending
	 * there taken (an interrupt; mach_step takes it only at its next
	 * step).  For a machine that mach_run left there, this does nothing. */
	while ((stop = mach_run(m, 0)) == MACH_STOP_EXIT)
		if (!serve_exit(m, &exits))
			break;
	return stop;
}

static void check_machine(struct machine *m, const char *what, uint64_t end)
{
	struct cpu *c = mach_cpu(m);
	if (c->x[0] != 0)
		fuzz_fail("%s: r0 = 0x%x", what, c->x[0]);
	if (c->cr[CR_PSW] & ~PSW_MASK)
		fuzz_fail("%s: PSW = 0x%x has undefined bits", what, c->cr[CR_PSW]);
	if (mach_instret(m) > mach_cycles(m))
		fuzz_fail("%s: %llu instructions retired in %llu cycles", what,
			  (unsigned long long)mach_instret(m),
			  (unsigned long long)mach_cycles(m));
	if (mach_cycles(m) > end + MAX_INSN_CYCLES)
		fuzz_fail("%s: budget %llu overrun: %llu cycles", what,
			  (unsigned long long)end, (unsigned long long)mach_cycles(m));
}

/* The state a program can see, compared between two machines. */
static void compare(struct machine *a, const struct output *oa,
		    enum mach_stop sa, struct machine *b,
		    const struct output *ob, enum mach_stop sb)
{
	if (sa != sb)
		fuzz_fail("mach_run stopped with %s, mach_step with %s",
			  mach_stop_name(sa), mach_stop_name(sb));
	if (mach_cycles(a) != mach_cycles(b) || mach_instret(a) != mach_instret(b))
		fuzz_fail("clock: mach_run %llu cycles %llu retired, mach_step "
			  "%llu cycles %llu retired",
			  (unsigned long long)mach_cycles(a),
			  (unsigned long long)mach_instret(a),
			  (unsigned long long)mach_cycles(b),
			  (unsigned long long)mach_instret(b));
	struct cpu *ca = mach_cpu(a), *cb = mach_cpu(b);
	if (ca->pc != cb->pc)
		fuzz_fail("pc: mach_run 0x%x, mach_step 0x%x", ca->pc, cb->pc);
	for (int r = 0; r < ISA_NREGS; r++)
		if (ca->x[r] != cb->x[r])
			fuzz_fail("r%d: mach_run 0x%x, mach_step 0x%x", r, ca->x[r],
				  cb->x[r]);
	for (unsigned r = 0; r < CR_COUNT; r++)
		if (ca->cr[r] != cb->cr[r])
			fuzz_fail("%s: mach_run 0x%x, mach_step 0x%x", isa_cr_name(r),
				  ca->cr[r], cb->cr[r]);
	if (sa == MACH_STOP_HALT && mach_exit_status(a) != mach_exit_status(b))
		fuzz_fail("exit status: mach_run %u, mach_step %u",
			  mach_exit_status(a), mach_exit_status(b));
	if (oa->total != ob->total || memcmp(oa->bytes, ob->bytes, oa->len))
		fuzz_fail("console: mach_run wrote %llu bytes, mach_step %llu, "
			  "or other bytes", (unsigned long long)oa->total,
			  (unsigned long long)ob->total);
	static const uint32_t chunk = 4096;
	uint8_t pa[4096], pb[4096];
	for (uint32_t at = 0; at < RAM_SIZE; at += chunk) {
		if (!mach_phys_read(a, at, pa, chunk) ||
		    !mach_phys_read(b, at, pb, chunk))
			fuzz_fail("mach_phys_read refused RAM at 0x%x", at);
		for (uint32_t k = 0; k < chunk; k++)
			if (pa[k] != pb[k])
				fuzz_fail("RAM 0x%x: mach_run 0x%02x, mach_step "
					  "0x%02x", at + k, pa[k], pb[k]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER)
		return 0;
	struct output *out = calloc(2, sizeof *out);
	if (!out)
		return 0;
	bool cmp = data[0] & F_COMPARE, long_wfi = false;
	uint64_t end = BUDGET;
	struct machine *s = NULL;
	enum mach_stop sstop = MACH_STOP_BUDGET;
	if (cmp) {
		s = boot(data, size, &out[1], false, 1);
		sstop = drive(s, true, BUDGET, &long_wfi);
		if (long_wfi)
			end = mach_cycles(s);
		check_machine(s, "mach_step", end);
	}
	struct machine *m = boot(data, size, &out[0], data[0] & F_BREAK, 0);
	bool unused;
	enum mach_stop stop = drive(m, false, end, &unused);
	check_machine(m, "mach_run", end);
	(void)mach_stop_name(stop);
	if (cmp) {
		compare(m, &out[0], stop, s, &out[1], sstop);
		mach_free(s);
	}
	mach_free(m);
	free(out);
	return 0;
}
