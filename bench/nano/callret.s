# callret.s - call/ret: the kernel calls a one-instruction function.
#
# The control: nothing privileged, nothing sensitive, no trap.  Under any
# VMM the guest runs these instructions directly on the CPU, so the cost
# must be the bare machine's (cf. Adams & Agesen, whose binary translator
# pays for every `ret`: trapeze's patcher leaves returns alone).
# Check: the function ran N times.
	.include "nano.inc"

	.macro	BENCH_SETUP
	.endm
	.macro	KERNEL_OP
	call	leaf
	.endm
	.macro	USER_OP
	.endm
	.macro	CHECK
	li	t0, N
	bne	s1, t0, fail
	.endm

	NANO_MAIN

leaf:	addi	s1, s1, 1
	ret

trap:	READ_CAUSE t2
	j	other_trap
