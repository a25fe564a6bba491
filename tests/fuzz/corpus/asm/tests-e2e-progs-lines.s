# lines.s - prints "line 1" .. "line 4", each a separate line, then halts
# with status 0.  Long enough (about 400 cycles) that with a small
# --quantum two VMs running it take turns between lines.
	.equ	CONSOLE_TX, 0xF0000000
	.equ	TEST_EXIT, 0xF000F000

	.text
	.globl	_start
_start:	li	t0, CONSOLE_TX
	li	s0, '1'
	li	s1, '5'
next:	la	a0, msg
1:	lbu	t1, 0(a0)
	beqz	t1, 2f
	sb	t1, 0(t0)
	addi	a0, a0, 1
	j	1b
2:	sb	s0, 0(t0)
	li	t1, '\n'
	sb	t1, 0(t0)
	addi	s0, s0, 1
	bne	s0, s1, next
	li	t0, TEST_EXIT
	sw	zero, 0(t0)

	.data
msg:	.asciz	"line "
