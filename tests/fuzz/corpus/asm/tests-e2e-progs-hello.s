# hello.s - prints a line, halts with status 0.
	.equ	CONSOLE_TX, 0xF0000000
	.equ	TEST_EXIT, 0xF000F000

	.text
	.globl	_start
_start:	la	a0, msg
	li	t0, CONSOLE_TX
1:	lbu	t1, 0(a0)
	beqz	t1, 2f
	sb	t1, 0(t0)
	addi	a0, a0, 1
	j	1b
2:	li	t0, TEST_EXIT
	sw	zero, 0(t0)

	.data
msg:	.asciz	"Hello, world!\n\ttab, and a byte 0xff: \xff\n"
