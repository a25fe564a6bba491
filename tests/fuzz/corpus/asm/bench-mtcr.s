# mtcr.s - the nanobenchmark of a privileged-instruction round trip
# (bench/README.md): 1 000 000 times `mtcr scratch, t0` in supervisor
# mode, then halt with status 0.
#
# On the bare machine each mtcr is one ordinary instruction.  Under the
# VMM the guest's kernel runs in real user mode, so each one traps (PRIV):
# a world switch out, the VMM decodes and emulates the write into the
# vCPU's SCRATCH, a world switch back in.  The loop's other two
# instructions (addi, bnez) run directly, so the host time of the run
# divided by the number of exits is, to within a few nanoseconds, the
# cost of one exit.  SCRATCH is chosen because writing it has no side
# effect: nothing but the instruction itself is measured.
	.equ	TEST_EXIT, 0xF000F000
	.equ	COUNT, 1000000

	.text
	.globl	_start
_start:	li	t0, 0x5ca7c4
	li	t1, COUNT
loop:	mtcr	scratch, t0
	addi	t1, t1, -1
	bnez	t1, loop
	li	t0, TEST_EXIT
	sw	zero, 0(t0)
