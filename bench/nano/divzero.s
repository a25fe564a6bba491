# divzero.s - the divide-by-zero trap: user code divides by zero, the
# kernel's handler skips the instruction (EPC += 4) and returns with rfe.
#
# The same handler shape as syscall.s, entered by an exception instead of
# a request: under the VMM the DIVZERO exits and is reflected into the
# guest kernel just as the syscall is.  (A `div` costs 3 extra cycles
# natively even when it traps; that is part of the operation.)
# Check: the handler ran N times.
	.include "nano.inc"

	.macro	BENCH_SETUP
	.endm
	.macro	KERNEL_OP
	.endm
	.macro	USER_OP
	div	t0, s0, zero
	.endm
	.macro	CHECK
	li	t0, N
	bne	s1, t0, fail
	.endm

	NANO_MAIN

trap:	READ_CAUSE t2
	li	t3, CAUSE_DIVZERO
	bne	t2, t3, other_trap
	READ_EPC t3
	addi	t3, t3, 4		# skip the div
	WRITE_EPC t3
	addi	s1, s1, 1
	RETURN_TO_USER
