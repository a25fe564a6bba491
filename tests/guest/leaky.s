# run: --mode=leaky
#
# leaky.s - the x86-like machine: in user mode rdpsw returns the real PSW
# (MODE reads 0), wrpsw silently ignores changes to MODE, IE and PG, and
# rdtvec returns the real TVEC; none of them traps.  The privileged
# instructions still trap, and supervisor mode behaves as on the clean
# machine.
	.include "test.inc"

	.text
	.globl	_start
_start:
	test_init

	# --- supervisor mode: the same as on the clean machine ---
	rdpsw	s0
	expect_eq s0, PSW_MODE, "supervisor rdpsw"
	rdtvec	s0
	expect_eq s0, trap_default, "supervisor rdtvec"
	li	t0, PSW_MODE | PSW_IE	# nothing can interrupt
	wrpsw	t0
	mfcr	s0, psw
	expect_eq s0, PSW_MODE | PSW_IE, "supervisor wrpsw sets IE"
	li	t0, PSW_MODE
	wrpsw	t0

	# --- user mode with IE = 1 (no device is on, so nothing comes) ---
	li	t0, PSW_IE
	mtcr	epsw, t0
	la	t0, user
	mtcr	epc, t0
	rfe

user:	rdpsw	s0
	expect_eq s0, PSW_IE, "user rdpsw: the real PSW, MODE = 0"
	expect_mem trap_count, 0, "user rdpsw does not trap"
	li	s1, PSW_MODE | PSW_IE | PSW_PG
	wrpsw	s1			# would give us the machine
	rdpsw	s0
	expect_eq s0, PSW_IE, "user wrpsw MODE|IE|PG: silently ignored"
	wrpsw	zero			# would turn IE off
	rdpsw	s0
	expect_eq s0, PSW_IE, "user wrpsw 0: IE stays on"
	expect_mem trap_count, 0, "user wrpsw does not trap"
	rdtvec	s0
	expect_eq s0, trap_default, "user rdtvec: the real TVEC"
	expect_mem trap_count, 0, "user rdtvec does not trap"

	# the privileged instructions still trap
	li	s0, 0x77
u_mfcr:	mfcr	s0, psw
	expect_mem trap_cause, CAUSE_PRIV, "user mfcr still traps PRIV"
	expect_mem trap_epc, u_mfcr, "  ... at the mfcr"
	expect_eq s0, 0x77, "  ... no register written"
	tlbflush
	expect_mem trap_count, 2, "user tlbflush still traps"

	set_recover super
	syscall
super:	expect_mem trap_epsw, PSW_IE, "syscall from user mode, IE = 1"
	mfcr	s0, psw
	expect_eq s0, PSW_MODE | PSW_IE, "back in supervisor mode"
	li	t0, PSW_MODE
	mtcr	psw, t0

	test_done
