# usermode.s - dropping to user mode with rfe; every privileged and (on the
# clean machine) every sensitive instruction traps PRIV there and has no
# effect; syscall and break from user mode; the way back with a syscall.
#
# With paging off, user mode reaches memory and devices unchecked, which is
# what lets the checks below print from user mode.
	.include "test.inc"

	.equ	SENTINEL, 0x5ee9	# as a PSW: MODE = 1, IE = 0, PG = 0

# expect_priv "name", right after an instruction: that instruction must
# have trapped PRIV exactly once, at itself, leaving s0 (preset to SENTINEL)
# alone.  The trap count is then reset to 0 for the next case.
	.macro	expect_priv name
	jal	s1, 1f			# s1 = the address of 1:
1:	addi	s1, s1, -8		# the instruction before this macro
	la	t0, trap_count
	lw	s2, 0(t0)
	sw	zero, 0(t0)
	expect_eq s2, 1, \name
	la	t0, trap_cause
	lw	s2, 0(t0)
	expect_eq s2, CAUSE_PRIV, "  ... CAUSE is PRIV"
	la	t0, trap_epc
	lw	s2, 0(t0)
	sub	s2, s2, s1
	expect_eq s2, 0, "  ... EPC is the instruction"
	expect_eq s0, SENTINEL, "  ... no register written"
	li	s0, SENTINEL
	.endm

	.text
	.globl	_start
_start:
	test_init

	# --- drop to user mode: rfe with EPSW.MODE = 0 ---
	mtcr	epsw, zero
	la	t0, user
	mtcr	epc, t0
	rfe
	j	never			# not reached

user:	# From here on we run in user mode.
	rdcycle	s0			# not privileged: no trap
	expect_mem trap_count, 0, "user mode reached; rdcycle does not trap"

	li	s0, SENTINEL
	mfcr	s0, psw
	expect_priv "mfcr traps PRIV"
	mtcr	tvec, zero
	expect_priv "mtcr traps PRIV"
	rfe
	expect_priv "rfe traps PRIV"
	tlbflush
	expect_priv "tlbflush traps PRIV"
	tlbinv	s0
	expect_priv "tlbinv traps PRIV"
	wfi
	expect_priv "wfi traps PRIV (does not wait)"
	rdpsw	s0
	expect_priv "rdpsw traps PRIV (clean)"
	wrpsw	s0			# would set MODE
	expect_priv "wrpsw traps PRIV (clean)"
	rdtvec	s0
	expect_priv "rdtvec traps PRIV (clean)"
	expect_mem trap_epsw, 0, "EPSW.MODE = 0: the trap came from user mode"

	# mtcr psw cannot raise the privilege either
	li	s1, PSW_MODE
u_psw:	mtcr	psw, s1
	expect_mem trap_cause, CAUSE_PRIV, "mtcr psw traps PRIV"
	expect_mem trap_epc, u_psw, "mtcr psw: EPC"
u_brk:	break
	expect_mem trap_epsw, 0, "still in user mode after it"
	expect_mem trap_cause, CAUSE_BREAK, "break from user mode: BREAK"
	expect_mem trap_epc, u_brk, "break from user mode: EPC"

	# ordinary exceptions are the same in user mode
	li	s1, 1
u_div:	div	s0, s1, zero
	expect_mem trap_cause, CAUSE_DIVZERO, "user div by 0: DIVZERO"
	expect_mem trap_epc, u_div, "user div by 0: EPC"
	la	s1, never
u_mis:	lw	s0, 1(s1)
	expect_mem trap_cause, CAUSE_MISALIGNED, "user misaligned load"
	expect_mem trap_badva, never + 1, "user misaligned load: BADVA"
	.word	0
	expect_mem trap_cause, CAUSE_ILLEGAL, "user illegal word: ILLEGAL"
	hcall
	expect_mem trap_cause, CAUSE_ILLEGAL, "user hcall: ILLEGAL"

	# --- back to supervisor mode through a syscall ---
	set_recover super
u_sc:	syscall
	j	never

super:	expect_mem trap_cause, CAUSE_SYSCALL, "user syscall: SYSCALL"
	expect_mem trap_epc, u_sc, "user syscall: EPC"
	expect_mem trap_epsw, 0, "user syscall: EPSW.MODE = 0"
	mfcr	s0, psw
	expect_eq s0, PSW_MODE, "back in supervisor mode"
	mfcr	s0, tvec
	expect_eq s0, trap_default, "the user's mtcr tvec changed nothing"
	expect_mem trap_count, 7, "seven traps since the PRIV cases"

	test_done

never:	li	t0, DEV_TEST_BASE
	li	t1, 99
	sw	t1, TEST_EXIT(t0)
