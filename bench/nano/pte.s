# pte.s - the PTE update followed by tlbinv: the kernel points the page
# PTE_VA at the other of two frames (FRAME_A, FRAME_B), then drops the
# page's TLB entry so that the change takes effect.
#
# The PTE is an ordinary word in memory: the store runs directly under
# any VMM (the shadow tables are coherent with the guest's at TLB
# flushes, not at stores).  The tlbinv is the privileged part: one exit
# (emulated: the VMM drops the shadow entry) under trap-and-emulate, one
# HC_TLB_INV hypercall paravirtualized.
# Check: reading PTE_VA after the loop sees the frame the last iteration
# chose (FRAME_A holds MAGIC_A, FRAME_B MAGIC_B).
	.include "nano.inc"

	.equ	MAGIC_A, 0xaaaa
	.equ	MAGIC_B, 0xbbbb
	.equ	PTE_SLOT, LEAF_LOW + (PTE_VA >> PAGE_SHIFT) * 4
	# N switches from A end on A if N is even, on B if odd.
	.equ	EXPECT, MAGIC_A + (N & 1) * (MAGIC_B - MAGIC_A)

	.macro	BENCH_SETUP
	li	t0, FRAME_A
	li	t1, MAGIC_A
	sw	t1, 0(t0)
	li	t0, FRAME_B
	li	t1, MAGIC_B
	sw	t1, 0(t0)
	li	s2, PTE_SLOT
	li	gp, FRAME_A | PTE_RWXU	# the PTE's value
	sw	gp, 0(s2)
	li	a3, PTE_VA
	TLB_INV	a3
	li	s3, FRAME_A ^ FRAME_B	# xor with it: the other frame
	.endm
	.macro	KERNEL_OP
	xor	gp, gp, s3
	sw	gp, 0(s2)
	TLB_INV	a3
	.endm
	.macro	USER_OP
	.endm
	.macro	CHECK
	li	t0, PTE_VA
	lw	t0, 0(t0)
	li	t1, EXPECT
	bne	t0, t1, fail
	.endm

	NANO_MAIN

trap:	READ_CAUSE t2
	j	other_trap
