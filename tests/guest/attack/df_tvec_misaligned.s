# df_tvec_misaligned.s - a trap vector that is not a multiple of 4.
#
# Tries: TVEC = the library's handler + 2, then a division by zero.
# The bare machine: the fetch at TVEC is MISALIGNED on the handler's
# first instruction: a double fault; the machine stops (exit 123).
	.include "attack.inc"

	.text
	.globl	_start
_start:
	test_init
	li	s0, 1
	expect_eq s0, 1, "about to divide by zero with TVEC misaligned"
	la	t0, trap_default + 2
	mtcr	tvec, t0
	div	s0, s0, zero
	expect_eq s0, 0, "not reached"
	test_done
