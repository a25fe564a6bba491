# console.s - printing for the kernel, and panic.
#
# The console's TX register prints whatever byte is stored to it; output
# is never blocked, so there is nothing to wait for.  The console page is
# mapped supervisor-only at its physical address in every address space,
# so these routines work with paging off and on.
#
# Calling convention as in ISA.md: arguments in a0.., t0..t3 and a0..a3
# are clobbered, s0..s3 and sp are preserved.

	.text

# kputc(a0 = byte): print one byte.
kputc:
	li	t0, DEV_CONSOLE_BASE
	sb	a0, CONSOLE_TX(t0)
	ret

# kputs(a0 = NUL-terminated string): print it: count its bytes, then
# kwrite them all at once.
kputs:
	mv	a1, a0
1:	lbu	t1, 0(a1)
	beqz	t1, 2f
	addi	a1, a1, 1
	j	1b
2:	sub	a1, a1, a0		# a1 = the length
	j	kwrite

# kwrite(a0 = address, a1 = length): print length bytes from a kernel
# address.  The one routine that prints a buffer: the system call write
# and kputs come here.  CONSOLE_WRITE (priv.inc) is how: byte by byte
# to TX natively, one hypercall per buffer paravirtualized.
kwrite:
	CONSOLE_WRITE
	ret

# kputhex(a0 = value): print "0x" and exactly 8 hex digits.
kputhex:
	li	t0, DEV_CONSOLE_BASE
	li	t1, '0'
	sb	t1, CONSOLE_TX(t0)
	li	t1, 'x'
	sb	t1, CONSOLE_TX(t0)
	li	t2, 28			# shift for the top digit
1:	srl	t1, a0, t2
	andi	t1, t1, 15
	la	t3, hexdigits
	add	t3, t3, t1
	lbu	t1, 0(t3)
	sb	t1, CONSOLE_TX(t0)
	addi	t2, t2, -4
	bgez	t2, 1b
	ret

# kputdec(a0 = value): print it as a signed decimal number.
kputdec:
	addi	sp, sp, -32		# 16 bytes of digits, then ra
	sw	ra, 28(sp)
	bgez	a0, 1f
	sub	a0, zero, a0		# negative: print '-', then -a0 (unsigned)
	li	t0, DEV_CONSOLE_BASE
	li	t1, '-'
	sb	t1, CONSOLE_TX(t0)
1:	addi	t2, sp, 15		# fill the buffer backwards from its end
	sb	zero, 0(t2)
	li	t1, 10
2:	remu	t0, a0, t1		# the lowest digit
	addi	t0, t0, '0'
	addi	t2, t2, -1
	sb	t0, 0(t2)
	divu	a0, a0, t1
	bnez	a0, 2b
	mv	a0, t2
	call	kputs
	lw	ra, 28(sp)
	addi	sp, sp, 32
	ret

# halt(a0 = status): stop the machine through the test device.
halt:
	li	t0, DEV_TEST_BASE
	sw	a0, TEST_EXIT(t0)
1:	j	1b			# not reached: the machine has stopped

# panic(a0 = message): "guestos: panic: MESSAGE", then halt with status 1.
# For broken invariants only: a misbehaving process is killed, not this.
panic:
	mv	s0, a0
	la	a0, msg_panic
	call	kputs
	mv	a0, s0
	call	kputs
	li	a0, '\n'
	call	kputc
	li	a0, 1
	j	halt

# panic_not_supervisor(a0 = psw): the boot check failed.
panic_not_supervisor:
	mv	s0, a0
	la	a0, msg_panic
	call	kputs
	la	a0, msg_notsup
	call	kputs
	mv	a0, s0
	call	kputhex
	la	a0, msg_rparen
	call	kputs
	li	a0, 1
	j	halt

	.data
hexdigits:	.ascii	"0123456789abcdef"
msg_panic:	.asciz	"guestos: panic: "
msg_notsup:	.asciz	"not running in supervisor mode (psw="
msg_rparen:	.asciz	")\n"
	.align	4
