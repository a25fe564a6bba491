# hcall.s - the one instruction whose meaning depends on who runs the
# machine.  On the bare machine hcall is illegal in both modes.  Under the
# VMM, in (virtual) supervisor mode, it is a hypercall: a0 = 0 asks for
# the hypercall ABI version, which comes back in a0; in user mode it stays
# illegal.  So this test has two expected outputs: hcall.expected (bare
# machine) and hcall.vmm.expected (under --vmm), and says which it saw.
	.include "test.inc"

	.text
	.globl	_start
_start:
	test_init

	# --- supervisor mode: ILLEGAL natively, a hypercall under a VMM ---
	li	a0, 0			# HC_VERSION
	li	s0, 0x77
hc:	hcall
	mv	s1, a0			# the hypercall's result, if it was one
	la	t0, trap_count
	lw	s2, 0(t0)
	beqz	s2, hypercall
	expect_mem trap_cause, CAUSE_ILLEGAL, "supervisor hcall trapped: ILLEGAL (bare machine)"
	expect_mem trap_epc, hc, "  ... EPC is the hcall"
	j	user_part
hypercall:
	expect_eq s1, 1, "supervisor hcall was a hypercall: ABI version 1 (VMM)"
	expect_eq s0, 0x77, "  ... no other register written"

user_part:
	# --- user mode: ILLEGAL everywhere ---
	la	t0, trap_count
	sw	zero, 0(t0)
	mtcr	epsw, zero
	la	t0, user
	mtcr	epc, t0
	rfe
user:
uhc:	hcall
	expect_mem trap_count, 1, "user hcall traps"
	expect_mem trap_cause, CAUSE_ILLEGAL, "  ... CAUSE is ILLEGAL, natively and under a VMM"
	expect_mem trap_epc, uhc, "  ... EPC is the hcall"
	test_done
