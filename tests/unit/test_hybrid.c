/*
 * test_hybrid.c - the hybrid VMM (vmm/hybrid.c, trapeze run --vmm
 * --hybrid): the rules of interpreting virtual supervisor code that are
 * easy to get wrong.  Each program is PG32 source, assembled here, run on
 * the bare machine and under the hybrid VMM; each test checks what the
 * bare machine gives and that the VMM gave the same, and that the code in
 * question really was interpreted (stats.interpreted), so that each fails
 * without the interpreter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../isa/asm.h"
#include "../../vmm/internal.h"

#define GUEST_RAM (64u * 1024)
#define MAX_CYCLES 1000000u

/* What a run ended with: the halt status and the CPU the guest saw. */
struct outcome {
	bool halted;
	uint32_t status;
	uint32_t epc, cause, badva;
	uint32_t x[ISA_NREGS];
	uint64_t cycles;
	bool double_fault;
	struct vmm_vm_stats stats; /* the VMM's run only */
};

static void assemble(const char *src, struct elf_image *img)
{
	FILE *diag = tmpfile();
	struct asm_options opt = {.diag = diag};
	int errors = asm_assemble_string("test.s", src, &opt, img);
	if (errors) {
		char line[256];
		rewind(diag);
		while (fgets(line, sizeof line, diag))
			print_error("%s", line);
		fail_msg("the test program does not assemble");
	}
	fclose(diag);
}

static void run_native(const char *src, bool leaky, struct outcome *o)
{
	struct elf_image img;
	assemble(src, &img);
	struct mach_config cfg = {.ram_size = GUEST_RAM, .leaky = leaky};
	struct machine *m = mach_new(&cfg);
	assert_non_null(m);
	char err[200];
	assert_int_equal(mach_load_image(m, &img, err, sizeof err), 0);
	enum mach_stop stop = mach_run(m, MAX_CYCLES);
	memset(o, 0, sizeof *o);
	o->halted = stop == MACH_STOP_HALT;
	o->double_fault = stop == MACH_STOP_DOUBLE_FAULT;
	o->status = mach_exit_status(m);
	const struct cpu *c = mach_cpu(m);
	o->epc = c->cr[CR_EPC], o->cause = c->cr[CR_CAUSE];
	o->badva = c->cr[CR_BADVA];
	memcpy(o->x, c->x, sizeof o->x);
	o->cycles = mach_cycles(m);
	mach_free(m);
	elf_image_free(&img);
}

static void run_hybrid(const char *src, bool leaky, struct outcome *o)
{
	struct elf_image img;
	assemble(src, &img);
	uint32_t mem = GUEST_RAM;
	struct vmm_config cfg = {.leaky = leaky, .hybrid = true,
				 .max_cycles = MAX_CYCLES,
				 .host_ram = vmm_host_ram_for(&mem, 1)};
	struct vmm *v = vmm_new(&cfg);
	assert_non_null(v);
	struct vm_config vc = {.image = &img, .mem = mem};
	char err[200];
	assert_int_equal(vmm_add_vm(v, &vc, err, sizeof err), 0);
	vmm_run(v);
	memset(o, 0, sizeof *o);
	o->halted = vmm_vm_state(v, 0) == VM_HALTED;
	o->double_fault = vmm_vm_state(v, 0) == VM_DOUBLE_FAULT;
	o->status = vmm_vm_status(v, 0);
	struct vmm_vcpu_state st;
	vmm_vm_vcpu(v, 0, &st);
	o->epc = st.cr[CR_EPC], o->cause = st.cr[CR_CAUSE];
	o->badva = st.cr[CR_BADVA];
	memcpy(o->x, st.x, sizeof o->x);
	o->cycles = st.cycles;
	vmm_vm_stats(v, 0, &o->stats);
	vmm_free(v);
	elf_image_free(&img);
}

/* The bare machine and the hybrid VMM agree on everything a guest sees
 * at its end; returns the VMM's outcome for more checks. */
static void run_both(const char *src, bool leaky, struct outcome *native,
		     struct outcome *hybrid)
{
	run_native(src, leaky, native);
	run_hybrid(src, leaky, hybrid);
	assert_int_equal(hybrid->halted, native->halted);
	assert_int_equal(hybrid->double_fault, native->double_fault);
	assert_int_equal(hybrid->status, native->status);
	assert_int_equal(hybrid->epc, native->epc);
	assert_int_equal(hybrid->cause, native->cause);
	assert_int_equal(hybrid->badva, native->badva);
	assert_memory_equal(hybrid->x, native->x, sizeof native->x);
	assert_int_equal(hybrid->cycles, native->cycles);
	assert_true(hybrid->stats.interpreted > 0);
}

/* The program's end: halt with a0. */
#define HALT_A0 "	li t3, 0xF000F000\n	sw a0, 0(t3)\n"

/*
 * A fault in interpreted code is precise: a load past RAM (BUS_ERROR)
 * writes no register, a misaligned store writes no memory; EPC is the
 * faulting instruction, BADVA its address.  The handler halts with what
 * it found.
 */
static void test_fault_is_precise(void **state)
{
	(void)state;
	const char *src =
		"	.text\n"
		"_start:	la t0, handler\n"
		"	mtcr tvec, t0\n"
		"	li a0, 0x1234\n"
		"	li t1, 0x00100000\n"      /* past 64 KiB of RAM */
		"load:	lw a0, 0(t1)\n"
		"	li a0, 99\n" HALT_A0
		"handler: mfcr t2, epc\n"
		"	la t3, load\n"
		"	bne t2, t3, store_fault\n"
		/* the load faulted: a0 kept; now a misaligned store */
		"	la t1, word\n"
		"	addi t1, t1, 2\n"
		"	li t2, -1\n"
		"store:	sw t2, 0(t1)\n"
		"	li a0, 98\n" HALT_A0
		"store_fault: la t1, word\n"
		"	lw t2, 0(t1)\n"            /* still 0x5a5a5a5a */
		"	add a0, a0, t2\n" HALT_A0
		"	.data\n"
		"word:	.word 0x5a5a5a5a\n";
	struct outcome n, h;
	run_both(src, false, &n, &h);
	assert_true(n.halted);
	assert_int_equal(n.status, 0x1234 + 0x5a5a5a5a);
	assert_int_equal(n.cause, CAUSE_MISALIGNED);
	run_both(src, true, &n, &h);
}

/*
 * An interrupt is taken at the boundary right after the instruction that
 * sets IE (isa/ISA.md 6.5): after mtcr psw, before the next instruction
 * (EPC = that instruction); after rfe, before the instruction at EPC.
 * wfi with IE = 0 waits for the timer's line, which stays pending.
 */
static const char *irq_src =
	"	.text\n"
	"_start:	la t0, handler\n"
	"	mtcr tvec, t0\n"
	"	li t1, 0xF0001000\n"
	"	li t2, 50\n"
	"	sw t2, 0(t1)\n"              /* timer PERIOD: 50 cycles */
	"	wfi\n"                       /* IE = 0: returns, line pending */
	"	li t0, 3\n"                  /* MODE | IE */
	"	mtcr psw, t0\n"
	"after_mtcr: li a0, 1\n" HALT_A0
	"handler: mfcr a0, epc\n"
	"	la t0, after_mtcr\n"
	"	bne a0, t0, second\n"
	"	li t1, 0xF0001000\n"
	"	sw zero, 4(t1)\n"            /* ACK */
	"	wfi\n"                       /* IE = 0 again: the next tick */
	"	la t0, after_rfe\n"
	"	mtcr epc, t0\n"
	"	li t0, 3\n"
	"	mtcr epsw, t0\n"
	"	rfe\n"
	"after_rfe: li a0, 2\n" HALT_A0
	"second: la t0, after_rfe\n"
	"	sub a0, a0, t0\n"            /* 0 if EPC = after_rfe */
	"	addi a0, a0, 7\n" HALT_A0;

static void test_interrupt_at_the_boundary_after_ie_is_set(void **state)
{
	(void)state;
	struct outcome n, h;
	run_both(irq_src, false, &n, &h);
	assert_true(n.halted);
	assert_int_equal(n.status, 7);
	assert_int_equal(n.cause, CAUSE_INTERRUPT | IRQ_TIMER);
	assert_true(h.stats.injections >= 2);
	run_both(irq_src, true, &n, &h);
}

/* TVEC points at a word of zeros (illegal): the first trap's handler traps
 * on its first instruction, a double fault, as on the bare machine. */
static void test_double_fault_in_interpreted_code(void **state)
{
	(void)state;
	const char *src =
		"	.text\n"
		"_start:	la t0, zeros\n"
		"	mtcr tvec, t0\n"
		"	break\n"
		"	li a0, 1\n" HALT_A0
		"	.data\n"
		"zeros:	.word 0\n";
	struct outcome n, h;
	run_both(src, false, &n, &h);
	assert_true(n.double_fault);
	assert_int_equal(n.cause, CAUSE_BREAK);
	run_both(src, true, &n, &h);
}

/*
 * User code runs directly (the machine decodes its page), traps to the
 * kernel, whose interpreted store rewrites an instruction of that page;
 * back in user mode the new instruction must run, not what the machine
 * decoded before.
 */
static void test_interpreted_store_to_decoded_code(void **state)
{
	(void)state;
	const char *src =
		"	.text\n"
		"_start:	la t0, handler\n"
		"	mtcr tvec, t0\n"
		"	li s0, 0\n"
		"	la t0, user\n"
		"	mtcr epc, t0\n"
		"	mtcr epsw, zero\n"          /* user mode, paging off */
		"	rfe\n"
		"handler: bnez s0, done\n"
		"	li s0, 1\n"
		"	la t0, newinsn\n"
		"	lw t1, 0(t0)\n"
		"	la t0, user\n"
		"	sw t1, 0(t0)\n"             /* li a0, 1 becomes li a0, 2 */
		"	mtcr epc, t0\n"
		"	mtcr epsw, zero\n"
		"	rfe\n"
		"done:	" HALT_A0
		"	.align 4096\n"
		"user:	li a0, 1\n"
		"	syscall\n"
		"newinsn: li a0, 2\n";
	struct outcome n, h;
	run_both(src, false, &n, &h);
	assert_true(n.halted);
	assert_int_equal(n.status, 2);
	/* the user code ran directly: syscalls are exits */
	assert_int_equal(h.stats.exits_by_cause[CAUSE_SYSCALL], 2);
}

/* hcall from interpreted supervisor code reaches the hypercall handler
 * (the paravirtual guest OS relies on it): VERSION returns the ABI's
 * version, 2. */
static void test_hcall_from_interpreted_code(void **state)
{
	(void)state;
	const char *src =
		"	.text\n"
		"_start:	li a0, 0\n"   /* HC_VERSION */
		"	hcall\n" HALT_A0;
	for (int leaky = 0; leaky < 2; leaky++) {
		struct outcome h;
		run_hybrid(src, leaky, &h);
		assert_true(h.halted);
		assert_int_equal(h.status, 2);
		assert_int_equal(h.stats.hypercalls, 1);
		assert_true(h.stats.interpreted > 0);
	}
}

/*
 * The leaky machine's user-mode rdpsw and rdtvec, run directly with the
 * guest's paging on: they read the real PSW and TVEC, which the hybrid
 * VMM makes the guest's (IE, TVEC), so they read what the bare machine
 * shows.  And with the guest's paging off, where the real PG cannot be
 * the guest's, the VMM interprets the user code: rdpsw reads PG = 0.
 */
static void test_leaky_user_rdpsw_rdtvec_read_the_guests_state(void **state)
{
	(void)state;
	const char *src =
		"	.text\n"
		"_start:	la t0, handler\n"
		"	mtcr tvec, t0\n"
		/* an identity map of the 16 pages of RAM, user pages */
		"	li t0, 0x5000\n"
		"	ori t1, t0, 1\n"
		"	li t2, 0x4000\n"
		"	sw t1, 0(t2)\n"
		"	li t1, 0\n"
		"	li t2, 16\n"
		"map:	slli t3, t1, 12\n"
		"	ori t3, t3, 0x1f\n"         /* V R W X U */
		"	slli s0, t1, 2\n"
		"	add s0, s0, t0\n"
		"	sw t3, 0(s0)\n"
		"	addi t1, t1, 1\n"
		"	bne t1, t2, map\n"
		"	li t0, 0x4000\n"
		"	mtcr ptbr, t0\n"
		"	li s1, 0\n"
		"	la t0, user\n"
		"	mtcr epc, t0\n"
		"	li t0, 6\n"                 /* user, IE, PG */
		"	mtcr epsw, t0\n"
		"	rfe\n"
		"handler: bnez s1, second\n"
		"	li s1, 1\n"
		"	mv s2, a0\n"
		"	mv s3, a1\n"
		"	la t0, user\n"
		"	mtcr epc, t0\n"
		"	mtcr epsw, zero\n"          /* user, paging off */
		"	rfe\n"
		"second: slli s2, s2, 4\n"        /* status: PSW, PSW, TVEC ok */
		"	or a0, a0, s2\n"
		"	la t0, handler\n"
		"	sub a1, a1, t0\n"
		"	sub s3, s3, t0\n"
		"	or a1, a1, s3\n"
		"	bnez a1, bad\n"
		HALT_A0
		"bad:	li a0, 0xff\n" HALT_A0
		"user:	rdpsw a0\n"
		"	rdtvec a1\n"
		"	syscall\n";
	struct outcome n, h;
	run_both(src, true, &n, &h);
	assert_true(n.halted);
	assert_int_equal(n.status, (PSW_IE | PSW_PG) << 4 | 0);
	assert_int_equal(h.stats.exits_by_cause[CAUSE_SYSCALL], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_is_precise),
		cmocka_unit_test(test_interrupt_at_the_boundary_after_ie_is_set),
		cmocka_unit_test(test_double_fault_in_interpreted_code),
		cmocka_unit_test(test_interpreted_store_to_decoded_code),
		cmocka_unit_test(test_hcall_from_interpreted_code),
		cmocka_unit_test(test_leaky_user_rdpsw_rdtvec_read_the_guests_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
