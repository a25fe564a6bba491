# hosttime.s - what rdcycle sees across one exit of three kinds: a
# privileged instruction (mtcr: emulated), a syscall (reflected; the
# handler jumps straight back, without rfe, so the syscall is the only
# exit) and a load from a device register (mmio).  Prints each delta in
# decimal, one a line, then halts with status 0.
#
# On the bare machine and under --vmm it prints the same: the VM's clock
# is the bare machine's.  With --vmm --host-time each delta is larger by
# exactly what the VMM charged for that exit (its "cost" in --trace).
	.equ	CONSOLE, 0xF0000000
	.equ	CONSOLE_STATUS, 8
	.equ	TEST_EXIT, 0xF000F000

	.text
	.globl	_start
_start:	la	t0, handler
	mtcr	tvec, t0
	li	sp, 0x10000

	la	a1, name_mtcr
	rdcycle	s0
	mtcr	scratch, t0
	rdcycle	s1
	call	report

	la	a1, name_syscall
	la	t3, back		# where the handler returns
	rdcycle	s0
	syscall
back:	rdcycle	s1
	call	report

	la	a1, name_mmio
	li	t0, CONSOLE
	rdcycle	s0
	lw	t1, CONSOLE_STATUS(t0)
	rdcycle	s1
	call	report

	li	t0, TEST_EXIT
	sw	zero, 0(t0)

# The trap handler: the trap came from supervisor mode with interrupts
# off, so the trap entry left the PSW as it was; jumping back is rfe's
# work without its exit.
handler:
	jr	t3

# report(a1 = name, s0, s1 = the two readings): prints "NAME s1 - s0\n".
report:
	li	t0, CONSOLE
1:	lbu	t1, 0(a1)
	beqz	t1, 2f
	sb	t1, 0(t0)
	addi	a1, a1, 1
	j	1b
2:	sub	a0, s1, s0
	la	a2, digits_end		# digits are made from the right
	li	t1, 10
3:	remu	t2, a0, t1
	divu	a0, a0, t1
	addi	t2, t2, '0'
	addi	a2, a2, -1
	sb	t2, 0(a2)
	bnez	a0, 3b
	la	a3, digits_end
4:	lbu	t1, 0(a2)
	sb	t1, 0(t0)
	addi	a2, a2, 1
	bne	a2, a3, 4b
	li	t1, '\n'
	sb	t1, 0(t0)
	ret

	.data
name_mtcr:	.asciz	"mtcr "
name_syscall:	.asciz	"syscall "
name_mmio:	.asciz	"mmio "
digits:		.space	12
digits_end:
