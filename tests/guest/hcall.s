# hcall.s - the one instruction whose meaning depends on who runs the
# machine.  On the bare machine hcall is illegal in both modes.  Under the
# VMM, in (virtual) supervisor mode, it is a hypercall: a0 = 0 asks for
# the hypercall ABI version, which comes back in a0; in user mode it stays
# illegal.  So this test has two expected outputs: hcall.expected (bare
# machine) and hcall.vmm.expected (under --vmm), and says which it saw.
# Under the VMM it then tries the hypercalls of the ABI one by one
# (vmm/README.md, "Hypercalls"; lab 5 grades its handlers with this).
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
	expect_eq s1, 2, "supervisor hcall was a hypercall: ABI version 2 (VMM)"
	expect_eq s0, 0x77, "  ... no other register written"
	call	hypercalls

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

# hypercalls: under the VMM only, in supervisor mode, paging off.
hypercalls:
	addi	sp, sp, -4
	sw	ra, 0(sp)

	# IRQ_SAVE_DISABLE: the PSW as it was, then IE = 0 (the timer is
	# off: nothing can interrupt).
	li	t0, PSW_MODE | PSW_IE
	wrpsw	t0
	li	a0, HC_IRQ_SAVE_DISABLE
	hcall
	mv	s0, a0
	rdpsw	s1
	expect_eq s0, PSW_MODE | PSW_IE, "IRQ_SAVE_DISABLE returns the PSW"
	expect_eq s1, PSW_MODE, "  ... and clears IE"

	# SET_CR, GET_CR: any control register, by number.
	li	a0, HC_SET_CR
	li	a1, CR_SCRATCH
	li	a2, 0x5ca7c400
	hcall
	mv	s0, a0
	mfcr	s1, scratch
	li	a0, HC_GET_CR
	li	a1, CR_SCRATCH
	hcall
	mv	s2, a0
	li	a0, HC_GET_CR
	li	a1, 99
	hcall
	mv	s3, a0
	expect_eq s0, 0, "SET_CR SCRATCH returns 0"
	expect_eq s1, 0x5ca7c400, "  ... and mfcr reads what it wrote"
	expect_eq s2, 0x5ca7c400, "GET_CR SCRATCH reads it too"
	expect_eq s3, -1, "GET_CR 99: VMM_HC_ERROR"

	# MMU_UPDATE: two {where, value} pairs, guest-physical.
	li	a0, HC_MMU_UPDATE
	la	a1, mmu_list
	li	a2, 2
	hcall
	mv	s0, a0
	expect_eq s0, 2, "MMU_UPDATE wrote 2 pairs"
	expect_mem mmu_word0, 0xaaaa0001, "  ... the first"
	expect_mem mmu_word1, 0xbbbb0002, "  ... the second"

	# CONSOLE_WRITE: a buffer in one exit; a0 = the bytes printed.
	li	a0, HC_CONSOLE_WRITE
	la	a1, console_msg
	li	a2, console_msg_end - console_msg
	hcall
	mv	s0, a0
	expect_eq s0, console_msg_end - console_msg, "CONSOLE_WRITE printed the line above"

	# RFE: PSW <- EPSW, pc <- EPC, a0-a2 from the save area.
	li	t0, PSW_MODE
	mtcr	epsw, t0
	la	t0, after_rfe
	mtcr	epc, t0
	li	a0, HC_RFE
	la	a1, rfe_area
	hcall
	j	rfe_missed		# the hypercall returned: it failed
after_rfe:
	mv	s0, a0
	mv	s1, a1
	mv	s2, a2
	li	s3, 1
	j	rfe_check
rfe_missed:
	li	s3, 0
rfe_check:
	expect_eq s3, 1, "RFE resumed at EPC"
	expect_eq s0, 0x0a0a0a0a, "  ... with a0 from the save area"
	expect_eq s1, 0x0a1a1a1a, "  ... a1"
	expect_eq s2, 0x0a2a2a2a, "  ... a2"

	lw	ra, 0(sp)
	addi	sp, sp, 4
	ret

	.data
	.align	4
mmu_list:	.word	mmu_word0, 0xaaaa0001, mmu_word1, 0xbbbb0002
mmu_word0:	.word	0
mmu_word1:	.word	0
rfe_area:	.word	0x0a0a0a0a, 0x0a1a1a1a, 0x0a2a2a2a
console_msg:	.ascii	"CONSOLE_WRITE: one exit for this whole line\n"
console_msg_end:
	.align	4
	.text
