# priv_user.s - take the machine from user mode.
#
# Tries: every privileged and sensitive instruction from user mode (with
# paging on, as a guest kernel's process would): mtcr to PSW (to become
# supervisor), PTBR (to switch to its own tables), TVEC (to own the
# traps); mfcr; rfe with a forged EPSW; tlbflush, tlbinv, wfi; rdpsw,
# wrpsw, rdtvec; hcall (a hypercall is for a monitor's supervisor only).
# The bare machine (clean mode): each is a PRIV trap with BADVA = 0 and
# EPC = the instruction, and changes nothing: PSW, PTBR, TVEC keep their
# values; hcall is ILLEGAL (there is no monitor).
	.include "attack.inc"

# Each attempt: set_recover LABEL, the instruction, then at LABEL
# `tried CAUSE, "name"`: the trap's CAUSE and BADVA = 0, back to user mode.
	.macro	tried cause, name
	expect_trap \cause, 0, \name
	call	to_user
	.endm

	.text
	.globl	_start
_start:
	test_init
	paging_on
	li	t0, PSW_PG | PSW_MODE | PSW_IE
	mtcr	epsw, t0		# a forged EPSW for the user's rfe
	call	to_user
	li	s1, PSW_MODE | PSW_PG
	li	s2, 0			# a PTBR of its own
	set_recover t1
	mtcr psw, s1
t1:	tried CAUSE_PRIV, "mtcr psw"
	set_recover t2
	mtcr ptbr, s2
t2:	tried CAUSE_PRIV, "mtcr ptbr"
	set_recover t3
	mtcr tvec, s2
t3:	tried CAUSE_PRIV, "mtcr tvec"
	set_recover t4
	mtcr scratch, s2
t4:	tried CAUSE_PRIV, "mtcr scratch"
	set_recover t5
	mfcr s0, scratch
t5:	tried CAUSE_PRIV, "mfcr scratch"
	set_recover t6
	rfe
t6:	tried CAUSE_PRIV, "rfe"
	set_recover t7
	tlbflush
t7:	tried CAUSE_PRIV, "tlbflush"
	set_recover t8
	tlbinv s1
t8:	tried CAUSE_PRIV, "tlbinv"
	set_recover t9
	wfi
t9:	tried CAUSE_PRIV, "wfi"
	set_recover t10
	rdpsw s0
t10:	tried CAUSE_PRIV, "rdpsw"
	set_recover t11
	wrpsw s1
t11:	tried CAUSE_PRIV, "wrpsw"
	set_recover t12
	rdtvec s0
t12:	tried CAUSE_PRIV, "rdtvec"
	set_recover t13
	hcall
t13:	tried CAUSE_ILLEGAL, "hcall from user mode"
	set_recover done
	break
done:	mfcr	s0, ptbr
	expect_eq s0, ROOT, "PTBR unchanged"
	mfcr	s0, psw
	expect_eq s0, PSW_MODE | PSW_PG, "PSW: the recovery's supervisor mode, IE still off"
	rdtvec	s0
	la	t0, trap_default
	sub	s0, s0, t0
	expect_eq s0, 0, "TVEC unchanged"
	expect_mem trap_epsw, PSW_PG, "the last trap came from user mode, IE off"
	test_done

# to_user: return to the caller in user mode, paging on (from supervisor
# or after a recovery).
to_user:
	li	t0, PSW_PG
	mtcr	epsw, t0
	mtcr	epc, ra
	rfe
