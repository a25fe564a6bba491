# stack.s - grow the stack: sum 1..N by recursion, 16 bytes of stack per
# call, so the stack grows down over several pages.  Each new page is a
# page fault the kernel serves with a zeroed frame.

	.include "usys.inc"
	.equ	N, 3000			# 3000 * 16 bytes: 12 pages

	.text
	.org	USER_BASE
	.globl	_start
_start:
	PRINT	"[stack] summing 1..3000 by recursion\n"
	li	a0, N
	call	sum
	mv	s0, a0
	PRINT	"[stack] sum = "
	mv	a0, s0
	call	print_dec
	PRINT	", the stack reached down to "
	la	t0, lowest
	lw	a0, 0(t0)
	call	print_hex
	PRINT	"\n"
	li	a0, 0
	call	exit

# sum(a0 = n) -> 1 + 2 + ... + n, the slow way.
sum:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	a0, 8(sp)
	la	t0, lowest		# remember the deepest sp
	lw	t1, 0(t0)
	bgeu	sp, t1, 1f
	sw	sp, 0(t0)
1:	beqz	a0, 2f
	addi	a0, a0, -1
	call	sum
	lw	t0, 8(sp)
	add	a0, a0, t0
2:	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

	.data
lowest:	.word	0xffffffff

	.text
	.include "ulib.inc"
