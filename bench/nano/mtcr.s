# mtcr.s - the control-register write: the kernel writes SCRATCH.
#
# SCRATCH is the control register the hardware never uses, so the write
# has no side effect: only the instruction is measured.  One instruction
# on the bare machine; one exit (PRIV, emulated) under trap-and-emulate,
# leaky or not (mtcr is privileged in both modes, so --patch leaves it
# alone); one HC_SET_CR hypercall paravirtualized.
# Check: SCRATCH holds what the last iteration wrote (s0 = 1).
	.include "nano.inc"

	.macro	BENCH_SETUP
	.endm
	.macro	KERNEL_OP
	WRITE_SCRATCH s0
	.endm
	.macro	USER_OP
	.endm
	.macro	CHECK
	READ_SCRATCH t0
	li	t1, 1
	bne	t0, t1, fail
	.endm

	NANO_MAIN

trap:	READ_CAUSE t2
	j	other_trap
