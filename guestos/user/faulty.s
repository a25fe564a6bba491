# faulty.s - a program that does what it must not.  First it asks the
# kernel to print kernel memory (write refuses: the buffer is not user
# memory), then it reads kernel memory itself: the page at 0x1000 is
# mapped, but without U, so the load takes a protection fault and the
# kernel kills the process.  Everyone else goes on.

	.include "usys.inc"
	.equ	KERNEL_ADDR, 0x00001000	# the kernel's first page of code

	.text
	.org	USER_BASE
	.globl	_start
_start:
	li	a0, KERNEL_ADDR
	li	a1, 16
	call	write
	mv	s0, a0
	PRINT	"[faulty] write(0x00001000, 16) returned "
	mv	a0, s0
	call	print_dec
	PRINT	"\n"
	PRINT	"[faulty] now loading from 0x00001000\n"
	li	t0, KERNEL_ADDR
	lw	t1, 0(t0)		# killed here
	PRINT	"[faulty] still alive: the kernel did not protect itself!\n"
	li	a0, 1
	call	exit

	.include "ulib.inc"
