# ctxsw.s - the context switch, as the MMU sees it: the kernel loads the
# other of two address spaces into PTBR (which flushes the TLB) and then
# touches one page of data in it, so that the refill the flush forces is
# part of the operation, as it is after every real context switch.
#
# The two address spaces map the same memory (ROOT2 is a copy of ROOT):
# only the switch is measured, not a different working set.  On the bare
# machine the write is one instruction and the refills are walks, which
# cost no cycles (isa/ISA.md section 12).  Under trap-and-emulate the
# write exits and the VMM changes shadow tables, whose emptiness then
# costs a shadow fault per page touched (code, stack, data); with
# hardware assist and nested paging the write does not exit at all and
# each refill is a two-dimensional walk; first-generation hardware assist
# (shadow paging in guest mode) exits on the write like trap-and-emulate.
# Check: the data page read back what the setup wrote, and PTBR ends on
# the root the last iteration chose.
	.include "nano.inc"

	.equ	ROOT2, 0x103000		# free, mapped one to one (nano.inc)
	.equ	MAGIC, 0x5eed
	.equ	DATA, 0x3fe000		# a page of the one-to-one map
	# N switches from ROOT end on ROOT if N is even, on ROOT2 if odd.
	.equ	EXPECT, ROOT + (N & 1) * (ROOT2 - ROOT)

	.macro	BENCH_SETUP
	li	t0, ROOT		# ROOT2 = a copy of ROOT
	li	t1, ROOT2
	li	t2, PAGE_SIZE / 4
1:	lw	t3, 0(t0)
	sw	t3, 0(t1)
	addi	t0, t0, 4
	addi	t1, t1, 4
	addi	t2, t2, -1
	bnez	t2, 1b
	li	t0, DATA
	li	t1, MAGIC
	sw	t1, 0(t0)
	li	gp, ROOT		# the root now loaded
	li	s3, ROOT ^ ROOT2	# xor with it: the other root
	li	a3, DATA
	.endm
	.macro	KERNEL_OP
	xor	gp, gp, s3
	SET_PTBR gp
	lw	s1, 0(a3)
	.endm
	.macro	USER_OP
	.endm
	.macro	CHECK
	li	t0, MAGIC
	bne	s1, t0, fail
	li	t0, EXPECT
	bne	gp, t0, fail
	.endm

	NANO_MAIN

trap:	READ_CAUSE t2
	j	other_trap
