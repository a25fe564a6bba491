# wfi_deadlock.s - wfi with nothing that could ever wake it.
#
# Tries: wfi with the timer off, no disk command, no console input
# interrupt: a VM that waits forever.  A monitor must not hang or spin
# on it; it stops this VM alone, as the bare machine stops.
# The bare machine: nothing can raise an interrupt: a deadlock; the
# machine stops (`trapeze run` exits 122) after the line printed before.
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	li	s0, 1
	expect_eq s0, 1, "about to wait for nothing"
	li	t0, PSW_MODE | PSW_IE
	mtcr	psw, t0
	wfi
	expect_eq s0, 0, "not reached"
	test_done
