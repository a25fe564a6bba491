# small.s - a small program for `trapeze dis`: every format, labels,
# branch targets, data.
	.equ	EXIT, 0xF000F000

	.text
	.globl	_start
_start:	li	a0, 10
	li	a1, 0x12345678
	la	t0, table
	call	sum
	mv	s0, a0
loop:	addi	s0, s0, -1
	bnez	s0, loop
	lw	t1, 4(t0)
	sh	t1, -2(sp)
	mfcr	t2, cause
	mtcr	tvec, t2
	rdpsw	t3
	wrpsw	t3
	tlbinv	t3
	syscall
	rfe
	.word	0
	li	t0, EXIT
	sw	zero, 0(t0)

sum:	add	a0, a0, a1
	slli	a0, a0, 2
	jalr	zero, 0(ra)

	.data
table:	.word	1, 2, 3
